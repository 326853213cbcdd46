// Move the memberships of $source_system from person $old to person $new (relationships
// cannot change endpoints: each is deleted and created again with the same properties);
// returns how many moved.
MATCH (old:Person {id: $old})-[m:MEMBER_OF]->(c)
WHERE m.source_system = $source_system
MATCH (new:Person {id: $new})
WITH m, c, new, properties(m) AS props
DELETE m
MERGE (new)-[moved:MEMBER_OF {role: props.role}]->(c)
SET moved = props
RETURN count(*) AS moved
