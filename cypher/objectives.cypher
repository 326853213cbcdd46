// Objectives of community $community (all when null), by id.
MATCH (o:Objective)
WHERE $community IS NULL OR o.community_id = $community
RETURN o {.*, baseline_at: toString(o.baseline_at), deadline: toString(o.deadline),
          created_at: toString(o.created_at)} AS objective
ORDER BY o.id
