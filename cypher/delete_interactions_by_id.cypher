// Remove the interactions with these ids (an upsert then creates them between new endpoints).
UNWIND $ids AS id
MATCH ()-[r:INTERACTED {id: id}]->()
DELETE r
