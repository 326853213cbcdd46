MATCH (s:Story {id: $id})
DETACH DELETE s
RETURN count(*) AS deleted
