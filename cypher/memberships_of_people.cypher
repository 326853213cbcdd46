// Every stored membership of the people $ids, in the columns of memberships.cypher
// (classifying an upsert: the batch's keys are among them). Keyed by person, not by
// (person, community, role): a few index seeks per batch instead of one per row, and it
// expands from the person (few memberships), never from the community (a hub); c carries
// no label, so the planner cannot start from the community's index.
UNWIND $ids AS id
MATCH (p:Person {id: id})-[m:MEMBER_OF]->(c)
RETURN p.id AS person_id, c.id AS community_id, m.role AS role, toString(m.since) AS since,
       toString(m.until) AS until, m.source_system AS source_system,
       m.external_id AS external_id
