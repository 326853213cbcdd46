MATCH (p:Person)
RETURN p {.*, joined_at: toString(p.joined_at)} AS person
ORDER BY p.id
