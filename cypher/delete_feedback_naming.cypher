// Delete feedback given by or about person $id; returns how many.
MATCH (f:Feedback)
WHERE f.person_id = $id OR f.suggested_id = $id
DELETE f
RETURN count(*) AS deleted
