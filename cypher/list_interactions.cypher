MATCH (s:Person)-[r:INTERACTED]->(t:Person)
RETURN r {.*, at: toString(r.at)} AS interaction, s.id AS source_id, t.id AS target_id
ORDER BY r.id
