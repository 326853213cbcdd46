// Delete every record in batches (auto-commit transaction only); the schema node stays.
MATCH (n)
WHERE NOT n:GraphsvcSchema
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
