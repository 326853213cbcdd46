// What deleting person $id removes (no row for an unknown id); a self-loop counts once.
MATCH (p:Person {id: $id})
RETURN COUNT { (p)-[:MEMBER_OF]->() } AS memberships,
       COUNT { (p)-[:INTERACTED]->() } + COUNT { (p)<-[:INTERACTED]-(q) WHERE q <> p }
         AS interactions,
       COUNT { (p)-[:PARTICIPATED]->() } AS participations
