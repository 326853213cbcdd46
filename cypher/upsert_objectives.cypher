UNWIND $rows AS row
MERGE (o:Objective {id: row.id})
SET o = row {.*, baseline_at: datetime(row.baseline_at), deadline: datetime(row.deadline),
             created_at: CASE WHEN row.created_at IS NULL THEN null
                              ELSE datetime(row.created_at) END}
