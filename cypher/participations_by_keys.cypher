// The stored participations among $keys ([activity_id, person_id] lists), in the columns of
// list_participations.cypher (classifying an upsert). Expands from the person: an activity
// may have many participants, a person takes part in few (a carries no label, so the
// planner cannot start from the activity's index).
UNWIND $keys AS key
MATCH (p:Person {id: key[1]})-[r:PARTICIPATED]->(a)
WHERE a.id = key[0]
RETURN a.id AS activity_id, p.id AS person_id, r.role AS role, toString(r.at) AS at,
       r.source_system AS source_system, r.external_id AS external_id
