UNWIND $ids AS id
WITH id WHERE NOT EXISTS { MATCH (:Person {id: id}) }
RETURN id
