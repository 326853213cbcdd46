// The stored activities among $ids, each with its host community's id (classifying an upsert).
UNWIND $ids AS id
MATCH (a:Activity {id: id})
OPTIONAL MATCH (a)-[:HOSTED_BY]->(c:Community)
RETURN a {.*, start: toString(a.start), end: toString(a.end)} AS activity, c.id AS community_id
