// Replace the import run $run (started_at and finished_at are ISO 8601 text).
WITH $run AS run
MERGE (r:ImportRun {id: run.id})
SET r = run {.*, started_at: datetime(run.started_at), finished_at: datetime(run.finished_at)}
