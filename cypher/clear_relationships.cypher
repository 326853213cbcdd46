// Delete every relationship in batches (auto-commit transaction only), so that clearing
// nodes afterwards never holds a hub's whole relationship chain in one transaction.
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS
