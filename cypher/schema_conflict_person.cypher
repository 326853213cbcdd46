CREATE RANGE INDEX attribute_conflict_person_id IF NOT EXISTS
FOR (c:AttributeConflict) ON (c.person_id)
