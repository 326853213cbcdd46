// Which of $rows are already stored, as three id lists: moved (other endpoints),
// changed (same endpoints, other values) and unchanged. Rows not listed are new.
// $rows: interaction rows as lists, as in create_interactions (at in Unix microseconds).
UNWIND $rows AS row
WITH row, (row[4] % 1000000 + 1000000) % 1000000 AS us  // floored, also before 1970
WITH row, datetime({epochSeconds: (row[4] - us) / 1000000, nanosecond: us * 1000}) AS at
MATCH (s:Person)-[r:INTERACTED {id: row[0]}]->(t:Person)
WITH row[0] AS id,
     CASE
       WHEN s.id <> row[2] OR t.id <> row[3] THEN 'moved'
       WHEN r.kind = row[1] AND r.at = at AND r.weight = row[5]
            AND r.directed = row[6]
            AND coalesce(r.topic, '') = coalesce(row[7], '')
            AND coalesce(r.community_id, '') = coalesce(row[8], '')
            AND coalesce(r.source_system, '') = coalesce(row[9], '')
            AND coalesce(r.external_id, '') = coalesce(row[10], '')
            AND size(keys(r)) = size([value IN row WHERE value IS NOT NULL]) - 2
         THEN 'unchanged'
       ELSE 'changed'
     END AS state
RETURN collect(CASE state WHEN 'moved' THEN id END) AS moved,
       collect(CASE state WHEN 'changed' THEN id END) AS changed,
       collect(CASE state WHEN 'unchanged' THEN id END) AS unchanged
