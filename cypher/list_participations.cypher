MATCH (p:Person)-[r:PARTICIPATED]->(a:Activity)
RETURN a.id AS activity_id, p.id AS person_id, r.role AS role, toString(r.at) AS at,
       r.source_system AS source_system, r.external_id AS external_id
ORDER BY activity_id, person_id
