// Delete person $id with every relationship; returns how many people (0 or 1).
MATCH (p:Person {id: $id})
DETACH DELETE p
RETURN count(*) AS deleted
