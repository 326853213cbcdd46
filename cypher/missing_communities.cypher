UNWIND $ids AS id
WITH id WHERE NOT EXISTS { MATCH (:Community {id: id}) }
RETURN id
