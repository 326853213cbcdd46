// People one interaction (either direction, in [$start, $end)) away from any of $ids.
UNWIND $ids AS id
MATCH (:Person {id: id})-[r:INTERACTED]-(n:Person)
WHERE r.at >= $start AND ($end IS NULL OR r.at < $end)
RETURN DISTINCT n.id AS id
