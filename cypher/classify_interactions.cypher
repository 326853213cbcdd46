// Which of $rows are already stored, as three id lists: moved (other endpoints),
// changed (same endpoints, other values) and unchanged. Rows not listed are new.
UNWIND $rows AS row
MATCH (s:Person)-[r:INTERACTED {id: row.id}]->(t:Person)
WITH row.id AS id,
     CASE
       WHEN s.id <> row.source_id OR t.id <> row.target_id THEN 'moved'
       WHEN r.kind = row.kind AND r.at = datetime(row.at) AND r.weight = row.weight
            AND r.directed = row.directed
            AND coalesce(r.topic, '') = coalesce(row.topic, '')
            AND coalesce(r.community_id, '') = coalesce(row.community_id, '')
            AND coalesce(r.source_system, '') = coalesce(row.source_system, '')
            AND coalesce(r.external_id, '') = coalesce(row.external_id, '')
            AND size(keys(r)) = size([k IN keys(row) WHERE row[k] IS NOT NULL]) - 2
         THEN 'unchanged'
       ELSE 'changed'
     END AS state
RETURN collect(CASE state WHEN 'moved' THEN id END) AS moved,
       collect(CASE state WHEN 'changed' THEN id END) AS changed,
       collect(CASE state WHEN 'unchanged' THEN id END) AS unchanged
