// [id, elementId] of each person in $ids (elementId null for an id the store lacks), so a
// batch can check its references and then reach the nodes without a second index seek.
UNWIND $ids AS id
OPTIONAL MATCH (p:Person {id: id})
RETURN collect([id, elementId(p)]) AS pairs
