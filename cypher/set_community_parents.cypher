// Replace each community's PART_OF edge (none when parent_id is null).
UNWIND $rows AS row
MATCH (c:Community {id: row.id})
CALL (c) {
  MATCH (c)-[old:PART_OF]->()
  DELETE old
}
WITH c, row
WHERE row.parent_id IS NOT NULL
MATCH (parent:Community {id: row.parent_id})
CREATE (c)-[:PART_OF]->(parent)
