MATCH (a:Activity)
OPTIONAL MATCH (a)-[:HOSTED_BY]->(c:Community)
RETURN a {.*, start: toString(a.start), end: toString(a.end)} AS activity, c.id AS community_id
ORDER BY a.id
