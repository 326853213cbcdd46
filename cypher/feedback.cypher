// Feedback given by $person_id (all when null), oldest first.
MATCH (f:Feedback)
WHERE $person_id IS NULL OR f.person_id = $person_id
RETURN f {.*, at: toString(f.at)} AS feedback
ORDER BY f.at, f.id
