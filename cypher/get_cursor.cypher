MATCH (c:Cursor {source: $source})
RETURN c.value AS value
