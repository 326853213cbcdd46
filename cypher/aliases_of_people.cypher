// Aliases of the people $ids (distinct), optionally only of $source_system and, within it,
// of $external_ids (each filter skipped when null); in the order of aliases().
UNWIND $ids AS id
MATCH (a:Alias {person_id: id})
WHERE ($source_system IS NULL OR a.source_system = $source_system)
  AND ($external_ids IS NULL OR a.external_id IN $external_ids)
RETURN a {.*, first_seen: toString(a.first_seen), last_seen: toString(a.last_seen)} AS alias
ORDER BY a.person_id, a.last_seen, a.source_system, a.external_id
