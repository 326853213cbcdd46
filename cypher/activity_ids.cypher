// Every activity's id (reference checks of a large import: no records built).
MATCH (a:Activity)
RETURN a.id AS id
