RETURN COUNT { (:Person) } AS people,
       COUNT { (:Community) } AS communities,
       COUNT { ()-[:MEMBER_OF]->() } AS memberships,
       COUNT { ()-[:INTERACTED]->() } AS interactions,
       COUNT { (:Activity) } AS activities,
       COUNT { ()-[:PARTICIPATED]->() } AS participations,
       COUNT { (:ImportRun) } AS import_runs,
       COUNT { (:Feedback) } AS feedback
