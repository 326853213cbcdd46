// Replace every property of each person ($rows: maps of the node's properties;
// datetimes arrive as ISO 8601 text and are stored as DateTime).
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p = row {.*, joined_at: datetime(row.joined_at)}
