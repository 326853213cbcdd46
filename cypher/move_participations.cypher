// Move the participations of $source_system from person $old to person $new (deleted and
// created again with the same properties); returns how many moved.
MATCH (old:Person {id: $old})-[r:PARTICIPATED]->(a)
WHERE r.source_system = $source_system
MATCH (new:Person {id: $new})
WITH r, a, new, properties(r) AS props
DELETE r
MERGE (new)-[moved:PARTICIPATED]->(a)
SET moved = props
RETURN count(*) AS moved
