// Create each interaction between persons located by element id in this transaction
// ($rows: flat maps with source and target element ids; at is ISO 8601 text, stored as
// DateTime). An element-id seek costs about half a unique-index seek.
UNWIND $rows AS row
MATCH (s:Person) WHERE elementId(s) = row.source_element
MATCH (t:Person) WHERE elementId(t) = row.target_element
CREATE (s)-[:INTERACTED {
  id: row.id, kind: row.kind, at: datetime(row.at), weight: row.weight,
  directed: row.directed, topic: row.topic, community_id: row.community_id,
  source_system: row.source_system
}]->(t)
