// Every person's id (reference checks of a large import: no records built).
MATCH (p:Person)
RETURN p.id AS id
