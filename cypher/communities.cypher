// Communities (of $kind, or all) with the number of distinct people ever members.
MATCH (c:Community)
WHERE $kind IS NULL OR c.kind = $kind
OPTIONAL MATCH (c)-[:PART_OF]->(parent:Community)
RETURN properties(c) AS community, parent.id AS parent_id,
       COUNT { MATCH (p:Person)-[:MEMBER_OF]->(c) RETURN DISTINCT p } AS member_count
ORDER BY c.id
