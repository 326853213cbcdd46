CREATE RANGE INDEX feedback_suggested_id IF NOT EXISTS FOR (n:Feedback) ON (n.suggested_id)
