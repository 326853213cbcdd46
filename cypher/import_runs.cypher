// Most recent first.
MATCH (r:ImportRun)
RETURN r {.*, started_at: toString(r.started_at), finished_at: toString(r.finished_at)} AS run
ORDER BY r.started_at DESC, r.id DESC
LIMIT $limit
