-- graphsvc SQLite schema, migration 2 -> 3: moderators' verdicts on suggestions.
-- A declined suggestion keeps its reason; a moderator's verdict names the moderator (a web
-- user) and the community they acted for.

ALTER TABLE feedback ADD COLUMN reason TEXT;
ALTER TABLE feedback ADD COLUMN moderator TEXT;
ALTER TABLE feedback ADD COLUMN community_id TEXT;
CREATE INDEX feedback_by_community ON feedback (community_id, at);
