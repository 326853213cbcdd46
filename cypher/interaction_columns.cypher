// Interactions in [$start, $end) of $kinds (all when null) as parallel lists, by (at, id).
// $start is never null (the store passes the earliest datetime) so the seek uses the
// range index on INTERACTED.at. collect() drops nulls, so a missing community or topic
// is collected as '' (never a real value: the model turns blank text into null).
MATCH (s:Person)-[r:INTERACTED]->(t:Person)
WHERE r.at >= $start
  AND ($end IS NULL OR r.at < $end)
  AND ($kinds IS NULL OR r.kind IN $kinds)
WITH s.id AS source, t.id AS target, r
ORDER BY r.at, r.id
RETURN collect(source) AS source, collect(target) AS target,
       collect(r.at.epochSeconds) AS at, collect(r.weight) AS weight,
       collect(r.directed) AS directed, collect(r.kind) AS kind,
       collect(coalesce(r.community_id, '')) AS community,
       collect(coalesce(r.topic, '')) AS topic
