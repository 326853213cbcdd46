// Create each of $rows whose id is not stored yet, between the persons it names, in one pass
// (no separate look-up or classification query on the common path: a fresh load).
// $rows: interaction rows as lists [id, kind, source_id, target_id, at, weight, directed, topic,
// community_id, source_system, external_id] (graphsvc.model.InteractionRow: lists, not maps,
// cheaper to send and to read); at is Unix microseconds (UTC), stored as DateTime.
// Returns the ids of rows already stored (not created: the caller classifies them) and the
// person ids not found (their rows are not created; the caller raises, which rolls the
// transaction back).
UNWIND $rows AS row
WITH row, (row[4] % 1000000 + 1000000) % 1000000 AS us  // floored, also before 1970
WITH row, datetime({epochSeconds: (row[4] - us) / 1000000, nanosecond: us * 1000}) AS at
OPTIONAL MATCH ()-[r:INTERACTED {id: row[0]}]->()
OPTIONAL MATCH (s:Person {id: row[2]})
OPTIONAL MATCH (t:Person {id: row[3]})
FOREACH (_ IN CASE WHEN r IS NULL AND s IS NOT NULL AND t IS NOT NULL THEN [1] ELSE [] END |
  CREATE (s)-[:INTERACTED {
    id: row[0], kind: row[1], at: at, weight: row[5], directed: row[6],
    topic: row[7], community_id: row[8], source_system: row[9], external_id: row[10]
  }]->(t)
)
WITH row, r, s, t WHERE r IS NOT NULL OR s IS NULL OR t IS NULL
RETURN collect(CASE WHEN r IS NOT NULL THEN row[0] END) AS stored,
       collect(CASE WHEN s IS NULL THEN row[2] END)
         + collect(CASE WHEN t IS NULL THEN row[3] END) AS missing
