// The schema version of this database (no row: 0, an empty database).
OPTIONAL MATCH (s:GraphsvcSchema)
RETURN coalesce(max(s.version), 0) AS version
