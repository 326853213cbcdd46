// Upsert aliases by (source_system, external_id) ($rows: maps of alias_row; datetimes as
// ISO 8601 text, stored as DateTime). The first sighting is kept when an alias is seen again.
UNWIND $rows AS row
MERGE (a:Alias {source_system: row.source_system, external_id: row.external_id})
ON CREATE SET a.first_seen = datetime(row.first_seen)
SET a.person_id = row.person_id, a.rule = row.rule, a.last_seen = datetime(row.last_seen),
    a.snapshot = row.snapshot
