// Replace every property of stored interactions whose endpoints stay the same
// ($rows: flat maps of interaction_row, with at as ISO 8601 text).
UNWIND $rows AS row
MATCH ()-[r:INTERACTED {id: row.id}]->()
SET r = {
  id: row.id, kind: row.kind, at: datetime(row.at), weight: row.weight,
  directed: row.directed, topic: row.topic, community_id: row.community_id,
  source_system: row.source_system, external_id: row.external_id
}
