// The first $limit attribute conflicts recorded for person $person_id, oldest first.
MATCH (c:AttributeConflict {person_id: $person_id})
RETURN c {.*, at: toString(c.at)} AS conflict
ORDER BY c.seq
LIMIT $limit
