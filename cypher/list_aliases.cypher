// Every alias (of $external_ids when not null, in any source system); in the order of aliases().
MATCH (a:Alias)
WHERE $external_ids IS NULL OR a.external_id IN $external_ids
RETURN a {.*, first_seen: toString(a.first_seen), last_seen: toString(a.last_seen)} AS alias
ORDER BY a.person_id, a.last_seen, a.source_system, a.external_id
