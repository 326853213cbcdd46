// The stored interactions among $ids with their endpoints (classifying repeated ids of a batch).
UNWIND $ids AS id
MATCH (s:Person)-[r:INTERACTED {id: id}]->(t:Person)
RETURN r {.*, at: toString(r.at)} AS interaction, s.id AS source_id, t.id AS target_id
