// Append attribute conflicts ($rows: maps of conflict_row, at as ISO 8601 text), numbered
// in order by the `conflicts` counter (whose lock also orders concurrent batches); one
// already recorded (same person, field, values and sources) is not recorded again.
MERGE (counter:GraphsvcCounter {name: 'conflicts'})
SET counter.value = coalesce(counter.value, 0) + size($rows)
WITH counter.value - size($rows) AS base
UNWIND range(0, size($rows) - 1) AS i
WITH base + i + 1 AS seq, $rows[i] AS row
WHERE NOT EXISTS {
  MATCH (c:AttributeConflict {person_id: row.person_id, field: row.field})
  WHERE (c.kept = row.kept OR (c.kept IS NULL AND row.kept IS NULL))
    AND (c.replaced = row.replaced OR (c.replaced IS NULL AND row.replaced IS NULL))
    AND (c.kept_source = row.kept_source
         OR (c.kept_source IS NULL AND row.kept_source IS NULL))
    AND (c.replaced_source = row.replaced_source
         OR (c.replaced_source IS NULL AND row.replaced_source IS NULL))
}
CREATE (:AttributeConflict {
  seq: seq, person_id: row.person_id, field: row.field, kept: row.kept,
  replaced: row.replaced, kept_source: row.kept_source, replaced_source: row.replaced_source,
  run_id: row.run_id, at: datetime(row.at)
})
