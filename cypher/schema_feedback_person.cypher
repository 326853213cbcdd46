CREATE RANGE INDEX feedback_person_id IF NOT EXISTS FOR (n:Feedback) ON (n.person_id)
