// Every community's id (reference checks of a large import: no records built), in lists of up
// to 10,000: one record per list costs the client far less than one record per id.
MATCH (c:Community)
WITH collect(c.id) AS ids
UNWIND range(0, size(ids) - 1, 10000) AS first
RETURN ids[first..first + 10000] AS ids
