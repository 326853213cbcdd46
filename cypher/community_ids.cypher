// Every community's id (reference checks of a large import: no records built).
MATCH (c:Community)
RETURN c.id AS id
