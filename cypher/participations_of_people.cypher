// Every stored participation of the people $ids, in the columns of list_participations.cypher
// (classifying an upsert: the batch's keys are among them). Expands from the person (few
// activities), never from the activity (maybe many participants); a carries no label, so
// the planner cannot start from the activity's index.
UNWIND $ids AS id
MATCH (p:Person {id: id})-[r:PARTICIPATED]->(a)
RETURN a.id AS activity_id, p.id AS person_id, r.role AS role, toString(r.at) AS at,
       r.source_system AS source_system, r.external_id AS external_id
