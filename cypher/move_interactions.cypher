// Move the interactions of $source_system naming person $old (as either endpoint, or both)
// to person $new: each is deleted, then created again between the new endpoints with the
// same properties (its id stays unique: the old one is gone first); returns how many moved.
MATCH (old:Person {id: $old}), (new:Person {id: $new})
CALL (old) {
  MATCH (old)-[r:INTERACTED]->(t)
  WHERE r.source_system = $source_system
  RETURN r, old AS s, t
  UNION
  MATCH (s)-[r:INTERACTED]->(old)
  WHERE r.source_system = $source_system
  RETURN r, s, old AS t
}
WITH r, properties(r) AS props,
     CASE WHEN s = old THEN new ELSE s END AS source,
     CASE WHEN t = old THEN new ELSE t END AS target
DELETE r
CREATE (source)-[moved:INTERACTED]->(target)
SET moved = props
RETURN count(*) AS moved
