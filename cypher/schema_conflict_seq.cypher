CREATE RANGE INDEX attribute_conflict_seq IF NOT EXISTS FOR (c:AttributeConflict) ON (c.seq)
