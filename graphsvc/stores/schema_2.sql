-- graphsvc SQLite schema, migration 1 -> 2: provenance, row outcomes, identity resolution.
-- Every record keeps the system it came from and its id there; import runs keep their
-- per-entity row outcomes; people arriving from several systems are resolved to one person
-- through aliases, and conflicting attribute values are recorded.

ALTER TABLE people ADD COLUMN source_system TEXT;
ALTER TABLE people ADD COLUMN external_id TEXT;
ALTER TABLE communities ADD COLUMN source_system TEXT;
ALTER TABLE communities ADD COLUMN external_id TEXT;
ALTER TABLE memberships ADD COLUMN source_system TEXT;
ALTER TABLE memberships ADD COLUMN external_id TEXT;
ALTER TABLE interactions ADD COLUMN external_id TEXT;
ALTER TABLE activities ADD COLUMN source_system TEXT;
ALTER TABLE activities ADD COLUMN external_id TEXT;
ALTER TABLE participations ADD COLUMN source_system TEXT;
ALTER TABLE participations ADD COLUMN external_id TEXT;
ALTER TABLE import_runs ADD COLUMN outcomes TEXT NOT NULL DEFAULT '{}';

-- Case-insensitive e-mail look-ups (identity resolution by e-mail).
CREATE INDEX people_by_email ON people (lower(email)) WHERE email IS NOT NULL;

-- (source_system, external_id) -> the person it was resolved to, by which rule, and the
-- person as that source last gave it (JSON, interchange fields): what `people split` and
-- attribute merging rebuild from.
CREATE TABLE person_aliases (
    source_system TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    person_id     TEXT NOT NULL REFERENCES people (id),
    rule          TEXT NOT NULL,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    snapshot      TEXT NOT NULL,
    PRIMARY KEY (source_system, external_id)
) WITHOUT ROWID;
CREATE INDEX person_aliases_by_person ON person_aliases (person_id);

-- A value one source gave that a more recent source replaced (append-only).
CREATE TABLE person_conflicts (
    seq             INTEGER PRIMARY KEY,
    person_id       TEXT NOT NULL,
    field           TEXT NOT NULL,
    kept            TEXT,
    replaced        TEXT,
    kept_source     TEXT,
    replaced_source TEXT,
    run_id          TEXT,
    at              INTEGER NOT NULL
);
CREATE INDEX person_conflicts_by_person ON person_conflicts (person_id, seq);
