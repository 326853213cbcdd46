MATCH (r:ImportRun {id: $id})
RETURN r {.*, started_at: toString(r.started_at), finished_at: toString(r.finished_at)} AS run
