// Memberships active at $as_of (all when null), of communities of $kind (all when null).
MATCH (p:Person)-[m:MEMBER_OF]->(c:Community)
WHERE ($kind IS NULL OR c.kind = $kind)
  AND ($as_of IS NULL
       OR ((m.since IS NULL OR m.since <= $as_of) AND (m.until IS NULL OR $as_of < m.until)))
RETURN p.id AS person_id, c.id AS community_id, m.role AS role, toString(m.since) AS since,
       toString(m.until) AS until, m.source_system AS source_system,
       m.external_id AS external_id
ORDER BY person_id, community_id, role
