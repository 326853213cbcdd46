// An alias is keyed by (source_system, external_id): a composite uniqueness constraint
// (available in Community Edition 5.x), which also backs the MERGE of upsert_aliases.
CREATE CONSTRAINT alias_key IF NOT EXISTS
FOR (a:Alias) REQUIRE (a.source_system, a.external_id) IS UNIQUE
