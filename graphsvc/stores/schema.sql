-- graphsvc SQLite schema, migration 0 -> 1 (DESIGN.md §4).
-- Datetimes are integer Unix microseconds (UTC); list fields are JSON arrays kept in the
-- order given; attrs, counts and errors are JSON. The runner sets PRAGMA user_version.

CREATE TABLE people (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT,
    organisation    TEXT,
    location        TEXT,
    joined_at       INTEGER,
    topics          TEXT NOT NULL DEFAULT '[]',
    expertise       TEXT NOT NULL DEFAULT '[]',
    mentor_capacity INTEGER NOT NULL DEFAULT 0,
    consent         INTEGER NOT NULL DEFAULT 1,
    attrs           TEXT NOT NULL DEFAULT '{}'
);

-- Case-folded topics and expertise of each person, for topic search.
CREATE TABLE person_topics (
    topic_key TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people (id),
    PRIMARY KEY (topic_key, person_id)
) WITHOUT ROWID;
CREATE INDEX person_topics_by_person ON person_topics (person_id);

CREATE TABLE communities (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_id   TEXT REFERENCES communities (id) DEFERRABLE INITIALLY DEFERRED,
    description TEXT,
    objectives  TEXT
);
CREATE INDEX communities_by_parent ON communities (parent_id);
CREATE INDEX communities_by_kind ON communities (kind);

CREATE TABLE memberships (
    person_id    TEXT NOT NULL REFERENCES people (id),
    community_id TEXT NOT NULL REFERENCES communities (id),
    role         TEXT NOT NULL,
    since        INTEGER,
    until        INTEGER,
    PRIMARY KEY (person_id, community_id, role)
) WITHOUT ROWID;
CREATE INDEX memberships_by_community ON memberships (community_id);

CREATE TABLE interactions (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    source_id     TEXT NOT NULL REFERENCES people (id),
    target_id     TEXT NOT NULL REFERENCES people (id),
    at            INTEGER NOT NULL,
    weight        REAL NOT NULL,
    directed      INTEGER NOT NULL,
    topic         TEXT,
    community_id  TEXT REFERENCES communities (id),
    source_system TEXT
);
-- Windows read by (at, id). Deliberately no index by source_id / target_id: inserts into
-- them land at random places and halve the bulk load rate (measured: ~50k vs ~115k rows/s);
-- the person-centred queries (ego network, erasure) scan the window instead.
CREATE INDEX interactions_by_at ON interactions (at, id);

CREATE TABLE activities (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    community_id TEXT REFERENCES communities (id),
    start        INTEGER NOT NULL,
    "end"        INTEGER
);
CREATE INDEX activities_by_community ON activities (community_id);

CREATE TABLE participations (
    activity_id TEXT NOT NULL REFERENCES activities (id),
    person_id   TEXT NOT NULL REFERENCES people (id),
    role        TEXT NOT NULL,
    at          INTEGER,
    PRIMARY KEY (activity_id, person_id)
) WITHOUT ROWID;
CREATE INDEX participations_by_person ON participations (person_id);

CREATE TABLE import_runs (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT NOT NULL,
    counts      TEXT NOT NULL DEFAULT '{}',
    errors      TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX import_runs_by_start ON import_runs (started_at, id);

CREATE TABLE cursors (
    source TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Feedback names people but keeps no foreign key: a verdict outlives neither party
-- (delete_person erases it explicitly).
CREATE TABLE feedback (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL,
    suggested_id TEXT NOT NULL,
    verdict      TEXT NOT NULL,
    at           INTEGER NOT NULL,
    recommender  TEXT NOT NULL
);
CREATE INDEX feedback_by_person ON feedback (person_id, at);
CREATE INDEX feedback_by_suggested ON feedback (suggested_id);
