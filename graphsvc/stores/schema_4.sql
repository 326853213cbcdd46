-- graphsvc SQLite schema, migration 3 -> 4: what evaluators keep.
-- Indicator values per period and scope, keyed by their definition and parameters (a new
-- definition adds rows, never rewrites old ones); communities' objectives; dated stories.

CREATE TABLE metric_values (
    definition     TEXT NOT NULL,
    parameters_id  TEXT NOT NULL,
    scope_kind     TEXT NOT NULL,
    scope_id       TEXT NOT NULL,
    indicator      TEXT NOT NULL,
    period_start   INTEGER NOT NULL,
    period_end     INTEGER NOT NULL,
    parameters     TEXT NOT NULL,
    value          REAL,
    low            REAL,
    high           REAL,
    n_interactions INTEGER NOT NULL,
    n_active       INTEGER NOT NULL,
    insufficient   INTEGER NOT NULL,
    computed_at    INTEGER,
    PRIMARY KEY (definition, parameters_id, scope_kind, scope_id, indicator, period_start,
                 period_end)
) WITHOUT ROWID;
CREATE INDEX metric_values_by_scope ON metric_values (scope_kind, scope_id, indicator, period_start);

CREATE TABLE objectives (
    id               TEXT PRIMARY KEY,
    indicator        TEXT NOT NULL,
    baseline         REAL NOT NULL,
    baseline_at      INTEGER NOT NULL,
    target           REAL NOT NULL,
    deadline         INTEGER NOT NULL,
    community_id     TEXT,
    boundary         TEXT NOT NULL,
    interaction_kind TEXT,
    min_n            INTEGER NOT NULL,
    description      TEXT,
    author           TEXT,
    created_at       INTEGER
);
CREATE INDEX objectives_by_community ON objectives (community_id);

CREATE TABLE stories (
    id           TEXT PRIMARY KEY,
    text         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    author       TEXT NOT NULL,
    community_id TEXT,
    value_cycle  TEXT,
    activity_id  TEXT
);
CREATE INDEX stories_by_community ON stories (community_id, at);
