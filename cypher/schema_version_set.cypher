MERGE (s:GraphsvcSchema)
SET s.version = $version, s.migrated_at = datetime()
