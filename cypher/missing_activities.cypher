UNWIND $ids AS id
WITH id WHERE NOT EXISTS { MATCH (:Activity {id: id}) }
RETURN id
