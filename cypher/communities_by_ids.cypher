// The stored communities among $ids, each with its parent's id (classifying an upsert).
UNWIND $ids AS id
MATCH (c:Community {id: id})
OPTIONAL MATCH (c)-[:PART_OF]->(parent:Community)
RETURN properties(c) AS community, parent.id AS parent_id
