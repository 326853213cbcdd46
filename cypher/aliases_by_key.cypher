// The aliases of $source_system among $external_ids (distinct): one alias_key seek each.
UNWIND $external_ids AS external_id
MATCH (a:Alias {source_system: $source_system, external_id: external_id})
RETURN a {.*, first_seen: toString(a.first_seen), last_seen: toString(a.last_seen)} AS alias
ORDER BY a.person_id, a.last_seen, a.source_system, a.external_id
