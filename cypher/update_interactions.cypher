// Replace every property of stored interactions whose endpoints stay the same
// ($rows: interaction rows as lists, as in create_interactions; at in Unix microseconds).
UNWIND $rows AS row
WITH row, (row[4] % 1000000 + 1000000) % 1000000 AS us  // floored, also before 1970
WITH row, datetime({epochSeconds: (row[4] - us) / 1000000, nanosecond: us * 1000}) AS at
MATCH ()-[r:INTERACTED {id: row[0]}]->()
SET r = {
  id: row[0], kind: row[1], at: at, weight: row[5],
  directed: row[6], topic: row[7], community_id: row[8],
  source_system: row[9], external_id: row[10]
}
