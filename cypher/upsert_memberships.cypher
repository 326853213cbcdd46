// One MEMBER_OF edge per (person, community, role).
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (c:Community {id: row.community_id})
MERGE (p)-[m:MEMBER_OF {role: row.role}]->(c)
SET m.since = datetime(row.since), m.until = datetime(row.until),
    m.source_system = row.source_system, m.external_id = row.external_id
