// The first $limit attribute conflicts recorded, oldest first.
MATCH (c:AttributeConflict)
WHERE c.seq IS NOT NULL
RETURN c {.*, at: toString(c.at)} AS conflict
ORDER BY c.seq
LIMIT $limit
