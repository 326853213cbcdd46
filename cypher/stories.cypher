// Stories of community $community (all when null), by date then id.
MATCH (s:Story)
WHERE $community IS NULL OR s.community_id = $community
RETURN s {.*, at: toString(s.at)} AS story
ORDER BY s.at, s.id
