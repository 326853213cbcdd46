// Upsert metric values by key (definition|parameters_id|scope_kind|scope_id|indicator|period).
UNWIND $rows AS row
MERGE (m:MetricValue {key: row.key})
SET m = row {.*, period_start: datetime(row.period_start), period_end: datetime(row.period_end),
             computed_at: CASE WHEN row.computed_at IS NULL THEN null
                               ELSE datetime(row.computed_at) END}
