// Delete the aliases and attribute conflicts of person $id (erasure leaves no trace).
CALL () {
  MATCH (a:Alias {person_id: $id})
  DELETE a
  RETURN count(*) AS aliases
}
CALL () {
  MATCH (c:AttributeConflict {person_id: $id})
  DELETE c
  RETURN count(*) AS conflicts
}
RETURN aliases, conflicts
