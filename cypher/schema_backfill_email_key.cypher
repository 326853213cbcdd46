// Give people stored before schema version 2 their email_key (auto-commit transaction only;
// idempotent: a rerun finds nothing left to set).
MATCH (p:Person)
WHERE p.email IS NOT NULL AND p.email_key IS NULL
CALL (p) {
  SET p.email_key = toLower(p.email)
} IN TRANSACTIONS OF 10000 ROWS
