// Import runs with a message containing $id (erasure redacts them).
MATCH (r:ImportRun)
WHERE any(message IN coalesce(r.errors, []) WHERE message CONTAINS $id)
RETURN r.id AS id, r.errors AS errors
