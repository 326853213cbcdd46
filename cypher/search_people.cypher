// $text: id equal or name containing it (case-insensitive); $topic: in topics or expertise.
MATCH (p:Person)
WHERE ($text IS NULL OR p.id = $text OR toLower(p.name) CONTAINS toLower($text))
  AND ($topic IS NULL
       OR any(t IN coalesce(p.topics, []) + coalesce(p.expertise, [])
              WHERE toLower(t) = toLower($topic)))
RETURN p {.*, joined_at: toString(p.joined_at)} AS person
ORDER BY p.name, p.id
LIMIT $limit
