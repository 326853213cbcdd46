// One PARTICIPATED edge per (activity, person).
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (a:Activity {id: row.activity_id})
MERGE (p)-[r:PARTICIPATED]->(a)
SET r.role = row.role, r.at = datetime(row.at),
    r.source_system = row.source_system, r.external_id = row.external_id
