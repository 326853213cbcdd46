MERGE (c:Cursor {source: $source})
SET c.value = $value
