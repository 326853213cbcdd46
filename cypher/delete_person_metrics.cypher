// Erase the metric values measured on person $id.
MATCH (m:MetricValue {scope_kind: 'person', scope_id: $id})
DETACH DELETE m
RETURN count(*) AS deleted
