// Interactions in [$start, $end) between two of $ids, by (at, id).
UNWIND $ids AS id
MATCH (s:Person {id: id})-[r:INTERACTED]->(t:Person)
WHERE t.id IN $ids AND r.at >= $start AND ($end IS NULL OR r.at < $end)
RETURN r {.*, at: toString(r.at)} AS interaction, s.id AS source_id, t.id AS target_id
ORDER BY r.at, r.id
