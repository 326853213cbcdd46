// Replace the messages of import runs ($rows: maps {id, errors}).
UNWIND $rows AS row
MATCH (r:ImportRun {id: row.id})
SET r.errors = row.errors
