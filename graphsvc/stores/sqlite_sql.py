"""The SQL statements of the SQLite store, built once from the column lists of
:mod:`.sqlite_codec` (table and column names are constants; values are always bound)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from graphsvc.model import REFERENCES
from graphsvc.store import COUNT_KEYS, WriteCounts, classify
from graphsvc.stores import sqlite_codec as codec
from graphsvc.stores.sqlite_refs import Reference


@dataclass(frozen=True)
class KeyedTable:
    """A table written by batch upserts: its columns (encoded row order) and upsert key."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]

    @property
    def upsert(self) -> str:
        return codec.upsert_sql(self.name, self.columns, self.key)

    @property
    def key_indexes(self) -> tuple[int, ...]:
        return tuple(self.columns.index(column) for column in self.key)

    @property
    def select_by_keys(self) -> str:
        """The stored rows whose key is among ``?`` (a JSON array of ids or of key arrays)."""
        select = codec.select_sql(self.name, self.columns)
        if len(self.key) == 1:
            return f'{select} WHERE "{self.key[0]}" IN (SELECT value FROM json_each(?))'
        keys = ", ".join(f'"{column}"' for column in self.key)
        parts = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(self.key)))
        return f"{select} WHERE ({keys}) IN (SELECT {parts} FROM json_each(?))"


PEOPLE = KeyedTable("people", codec.PERSON_COLUMNS, ("id",))
COMMUNITIES = KeyedTable("communities", codec.COMMUNITY_COLUMNS, ("id",))
MEMBERSHIPS = KeyedTable(
    "memberships", codec.MEMBERSHIP_COLUMNS, ("person_id", "community_id", "role")
)
INTERACTIONS = KeyedTable("interactions", codec.INTERACTION_COLUMNS, ("id",))
ACTIVITIES = KeyedTable("activities", codec.ACTIVITY_COLUMNS, ("id",))
PARTICIPATIONS = KeyedTable(
    "participations", codec.PARTICIPATION_COLUMNS, ("activity_id", "person_id")
)

UPSERT_IMPORT_RUN = codec.upsert_sql("import_runs", codec.IMPORT_RUN_COLUMNS, ("id",))
UPSERT_FEEDBACK = codec.upsert_sql("feedback", codec.FEEDBACK_COLUMNS, ("id",))
UPSERT_CURSOR = codec.upsert_sql("cursors", ("source", "value"), ("source",))

SELECT_PEOPLE = codec.select_sql("people", codec.PERSON_COLUMNS)
#: ids of a table that other records refer to (people, communities, activities)
SELECT_IDS = {table: f"SELECT id FROM {table}" for table in ("people", "communities", "activities")}
SELECT_COMMUNITIES = codec.select_sql("communities", codec.COMMUNITY_COLUMNS, "c")
#: communities of :kind (any when NULL) with their distinct members, now or in the past
COMMUNITY_SUMMARIES = f"""
SELECT {", ".join(f'c."{column}"' for column in codec.COMMUNITY_COLUMNS)},
       coalesce(n.members, 0)
  FROM communities AS c
  LEFT JOIN (SELECT community_id, count(DISTINCT person_id) AS members
               FROM memberships GROUP BY community_id) AS n ON n.community_id = c.id
 WHERE :kind IS NULL OR c.kind = :kind
 ORDER BY c.id
"""
SELECT_MEMBERSHIPS = codec.select_sql("memberships", codec.MEMBERSHIP_COLUMNS, "m")
#: memberships active at :as_of (all when NULL; since inclusive, until exclusive) of :kind
ACTIVE_MEMBERSHIPS = f"""
{SELECT_MEMBERSHIPS} JOIN communities AS c ON c.id = m.community_id
 WHERE (:kind IS NULL OR c.kind = :kind)
   AND (:as_of IS NULL OR ((m.since IS NULL OR m.since <= :as_of)
                           AND (m.until IS NULL OR :as_of < m.until)))
 ORDER BY m.person_id, m.community_id, m.role
"""
SELECT_INTERACTIONS = codec.select_sql("interactions", codec.INTERACTION_COLUMNS)
SELECT_ACTIVITIES = codec.select_sql("activities", codec.ACTIVITY_COLUMNS)
SELECT_PARTICIPATIONS = codec.select_sql("participations", codec.PARTICIPATION_COLUMNS)
SELECT_IMPORT_RUNS = codec.select_sql("import_runs", codec.IMPORT_RUN_COLUMNS)
SELECT_FEEDBACK = codec.select_sql("feedback", codec.FEEDBACK_COLUMNS)

FORGET_TOPICS = "DELETE FROM person_topics WHERE person_id IN (SELECT value FROM json_each(?))"
INSERT_TOPIC = "INSERT INTO person_topics (topic_key, person_id) VALUES (?, ?)"


def _references(entity: str, columns: tuple[str, ...]) -> tuple[Reference, ...]:
    """graphsvc.model.REFERENCES of ``entity`` as columns of its encoded rows (tables are
    named after entities)."""
    return tuple(
        Reference(field, target, columns.index(field)) for field, target in REFERENCES[entity]
    )


PARENT_REFS = _references("communities", codec.COMMUNITY_COLUMNS)
MEMBERSHIP_REFS = _references("memberships", codec.MEMBERSHIP_COLUMNS)
INTERACTION_REFS = _references("interactions", codec.INTERACTION_COLUMNS)
ACTIVITY_REFS = _references("activities", codec.ACTIVITY_COLUMNS)
PARTICIPATION_REFS = _references("participations", codec.PARTICIPATION_COLUMNS)

#: erasure: (report field, DELETE statement), children before the person row.
ERASURE = (
    ("feedback", "DELETE FROM feedback WHERE person_id = :id OR suggested_id = :id"),
    ("metric_values", "DELETE FROM metric_values WHERE scope_kind = 'person' AND scope_id = :id"),
    ("participations", "DELETE FROM participations WHERE person_id = :id"),
    ("interactions", "DELETE FROM interactions WHERE source_id = :id OR target_id = :id"),
    ("memberships", "DELETE FROM memberships WHERE person_id = :id"),
    ("", "DELETE FROM person_topics WHERE person_id = :id"),
    ("", "DELETE FROM person_aliases WHERE person_id = :id"),
    ("", "DELETE FROM person_conflicts WHERE person_id = :id"),
    ("people", "DELETE FROM people WHERE id = :id"),
)

#: every table, children before parents (clear()).
TABLES = (
    "metric_values", "objectives", "stories", "feedback", "participations", "activities",
    "interactions", "memberships", "person_topics", "person_conflicts", "person_aliases",
    "communities", "people", "import_runs", "cursors",
)  # fmt: skip

#: one row of counts in COUNT_KEYS order (each key is a table)
COUNTS = "SELECT " + ", ".join(f"(SELECT count(*) FROM {table})" for table in COUNT_KEYS)


def classify_rows(
    conn: sqlite3.Connection, table: KeyedTable, encoded: list[codec.Row]
) -> tuple[WriteCounts, list[int]]:
    """Compare encoded rows with the stored ones of the same keys (see :func:`classify`)."""
    indexes = table.key_indexes
    keys: list[object] = [
        row[indexes[0]] if len(indexes) == 1 else tuple(row[i] for i in indexes) for row in encoded
    ]
    wanted = [list(key) if isinstance(key, tuple) else key for key in dict.fromkeys(keys)]
    stored = conn.execute(table.select_by_keys, (codec.dump_json(wanted),))
    existing: dict[object, object] = {
        row[indexes[0]] if len(indexes) == 1 else tuple(row[i] for i in indexes): row
        for row in stored
    }
    return classify(keys, existing, encoded)
