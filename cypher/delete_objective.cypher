MATCH (o:Objective {id: $id})
DETACH DELETE o
RETURN count(*) AS deleted
