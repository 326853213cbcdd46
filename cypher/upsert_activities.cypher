// Replace every property of each activity and its HOSTED_BY edge
// ($rows: flat maps; start and end are ISO 8601 text, stored as DateTime).
UNWIND $rows AS row
MERGE (a:Activity {id: row.id})
SET a = row {
  .id, .name, .kind, .source_system, .external_id,
  start: datetime(row.start), end: datetime(row.end)
}
WITH a, row
CALL (a) {
  MATCH (a)-[old:HOSTED_BY]->()
  DELETE old
}
WITH a, row
WHERE row.community_id IS NOT NULL
MATCH (c:Community {id: row.community_id})
CREATE (a)-[:HOSTED_BY]->(c)
