// The stored memberships among $keys ([person_id, community_id, role] lists), in the
// columns of memberships.cypher (classifying an upsert). Expands from the person: a
// community is a hub of many memberships, a person has few (c carries no label, so the
// planner cannot start from the community's index).
UNWIND $keys AS key
MATCH (p:Person {id: key[0]})-[m:MEMBER_OF]->(c)
WHERE m.role = key[2] AND c.id = key[1]
RETURN p.id AS person_id, c.id AS community_id, m.role AS role, toString(m.since) AS since,
       toString(m.until) AS until, m.source_system AS source_system,
       m.external_id AS external_id
