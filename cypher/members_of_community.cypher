// Every membership, past and present, in the community $id, by person and role.
MATCH (c:Community {id: $id})<-[m:MEMBER_OF]-(p:Person)
RETURN p.id AS person_id, c.id AS community_id, m.role AS role, toString(m.since) AS since,
       toString(m.until) AS until, m.source_system AS source_system,
       m.external_id AS external_id
ORDER BY person_id, role
