// Every alias of $source_system (a seek on the alias_key index); in the order of aliases().
MATCH (a:Alias)
WHERE a.source_system = $source_system AND a.external_id IS NOT NULL
RETURN a {.*, first_seen: toString(a.first_seen), last_seen: toString(a.last_seen)} AS alias
ORDER BY a.person_id, a.last_seen, a.source_system, a.external_id
