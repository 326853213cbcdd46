UNWIND $rows AS row
MERGE (f:Feedback {id: row.id})
SET f = row {.*, at: datetime(row.at)}
