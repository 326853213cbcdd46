"""The SQL statements of the SQLite store, built once from the column lists of
:mod:`.sqlite_codec` (table and column names are constants; values are always bound)."""

from __future__ import annotations

from graphsvc.model import REFERENCES
from graphsvc.store import COUNT_KEYS
from graphsvc.stores import sqlite_codec as codec
from graphsvc.stores.sqlite_refs import Reference

UPSERT_PEOPLE = codec.upsert_sql("people", codec.PERSON_COLUMNS, ("id",))
UPSERT_COMMUNITIES = codec.upsert_sql("communities", codec.COMMUNITY_COLUMNS, ("id",))
UPSERT_MEMBERSHIPS = codec.upsert_sql(
    "memberships", codec.MEMBERSHIP_COLUMNS, ("person_id", "community_id", "role")
)
UPSERT_INTERACTIONS = codec.upsert_sql("interactions", codec.INTERACTION_COLUMNS, ("id",))
UPSERT_ACTIVITIES = codec.upsert_sql("activities", codec.ACTIVITY_COLUMNS, ("id",))
UPSERT_PARTICIPATIONS = codec.upsert_sql(
    "participations", codec.PARTICIPATION_COLUMNS, ("activity_id", "person_id")
)
UPSERT_IMPORT_RUN = codec.upsert_sql("import_runs", codec.IMPORT_RUN_COLUMNS, ("id",))
UPSERT_FEEDBACK = codec.upsert_sql("feedback", codec.FEEDBACK_COLUMNS, ("id",))
UPSERT_CURSOR = codec.upsert_sql("cursors", ("source", "value"), ("source",))

SELECT_PEOPLE = codec.select_sql("people", codec.PERSON_COLUMNS)
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
    ("participations", "DELETE FROM participations WHERE person_id = :id"),
    ("interactions", "DELETE FROM interactions WHERE source_id = :id OR target_id = :id"),
    ("memberships", "DELETE FROM memberships WHERE person_id = :id"),
    ("", "DELETE FROM person_topics WHERE person_id = :id"),
    ("people", "DELETE FROM people WHERE id = :id"),
)

#: every table, children before parents (clear()).
TABLES = (
    "feedback", "participations", "activities", "interactions", "memberships",
    "person_topics", "communities", "people", "import_runs", "cursors",
)  # fmt: skip

#: one row of counts in COUNT_KEYS order (each key is a table)
COUNTS = "SELECT " + ", ".join(f"(SELECT count(*) FROM {table})" for table in COUNT_KEYS)
