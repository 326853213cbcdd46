// Replace every property of each community; parents are set by set_community_parents.
UNWIND $rows AS row
MERGE (c:Community {id: row.id})
SET c = row {.id, .name, .kind, .description, .objectives, .source_system, .external_id}
