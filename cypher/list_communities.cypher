MATCH (c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(parent:Community)
RETURN properties(c) AS community, parent.id AS parent_id
ORDER BY c.id
