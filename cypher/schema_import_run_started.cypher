CREATE RANGE INDEX import_run_started_at IF NOT EXISTS FOR (n:ImportRun) ON (n.started_at)
