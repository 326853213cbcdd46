UNWIND $ids AS id
MATCH (p:Person {id: id})
RETURN p {.*, joined_at: toString(p.joined_at)} AS person
