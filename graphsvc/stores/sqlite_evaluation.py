"""The SQLite store's evaluation records: metric values, objectives, stories.

Each record type has its column tuple, an encoder to a row of SQL values and a decoder
back (times as Unix microseconds, booleans as 0/1), and the statements
:class:`EvaluationRecords` (a base of :class:`~graphsvc.stores.sqlite.SQLiteStore`) runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from graphsvc.model import MetricValue, Objective, Story
from graphsvc.store import MetricQuery
from graphsvc.stores import sqlite_codec as codec
from graphsvc.stores.sqlite_codec import Row, from_micros, opt_datetime, opt_micros, to_micros
from graphsvc.stores.sqlite_db import SQLiteDatabase

METRIC_COLUMNS = (
    "definition", "parameters_id", "scope_kind", "scope_id", "indicator", "period_start",
    "period_end", "parameters", "value", "low", "high", "n_interactions", "n_active",
    "insufficient", "computed_at",
)  # fmt: skip
METRIC_KEY = METRIC_COLUMNS[:7]
OBJECTIVE_COLUMNS = (
    "id", "indicator", "baseline", "baseline_at", "target", "deadline", "community_id",
    "boundary", "interaction_kind", "min_n", "description", "author", "created_at",
)  # fmt: skip
STORY_COLUMNS = ("id", "text", "at", "author", "community_id", "value_cycle", "activity_id")

UPSERT_METRIC = codec.upsert_sql("metric_values", METRIC_COLUMNS, METRIC_KEY)
UPSERT_OBJECTIVE = codec.upsert_sql("objectives", OBJECTIVE_COLUMNS, ("id",))
UPSERT_STORY = codec.upsert_sql("stories", STORY_COLUMNS, ("id",))
SELECT_METRICS = f"""{codec.select_sql("metric_values", METRIC_COLUMNS)}
 WHERE (:scope_kind IS NULL OR scope_kind = :scope_kind)
   AND (:scope_id IS NULL OR scope_id = :scope_id)
   AND (:indicator IS NULL OR indicator = :indicator)
   AND (:definition IS NULL OR definition = :definition)
   AND (:parameters_id IS NULL OR parameters_id = :parameters_id)
   AND (:start IS NULL OR period_start >= :start)
   AND (:end IS NULL OR period_end <= :end)
 ORDER BY definition, parameters, scope_kind, scope_id, indicator, period_start, period_end"""
SELECT_OBJECTIVES = f"""{codec.select_sql("objectives", OBJECTIVE_COLUMNS)}
 WHERE :community IS NULL OR community_id = :community ORDER BY id"""
SELECT_STORIES = f"""{codec.select_sql("stories", STORY_COLUMNS)}
 WHERE :community IS NULL OR community_id = :community ORDER BY at, id"""


def encode_metric(m: MetricValue) -> Row:
    return (
        m.definition, m.parameters_id, m.scope_kind, m.scope_id, m.indicator,
        to_micros(m.period_start), to_micros(m.period_end), m.parameters, m.value, m.low,
        m.high, m.n_interactions, m.n_active, int(m.insufficient), opt_micros(m.computed_at),
    )  # fmt: skip


def decode_metric(row: Row) -> MetricValue:
    return MetricValue(
        period_start=from_micros(row[5]), period_end=from_micros(row[6]), scope_kind=row[2],
        scope_id=row[3], indicator=row[4], value=row[8], definition=row[0], parameters=row[7],
        low=row[9], high=row[10], n_interactions=row[11], n_active=row[12],
        insufficient=bool(row[13]), computed_at=opt_datetime(row[14]),
    )  # fmt: skip


def encode_objective(o: Objective) -> Row:
    kind = o.interaction_kind.value if o.interaction_kind else None
    return (
        o.id, o.indicator, o.baseline, to_micros(o.baseline_at), o.target, to_micros(o.deadline),
        o.community_id, o.boundary.value, kind, o.min_n, o.description, o.author,
        opt_micros(o.created_at),
    )  # fmt: skip


def decode_objective(row: Row) -> Objective:
    return Objective(
        id=row[0], indicator=row[1], baseline=row[2], baseline_at=from_micros(row[3]),
        target=row[4], deadline=from_micros(row[5]), community_id=row[6], boundary=row[7],
        interaction_kind=row[8], min_n=row[9], description=row[10], author=row[11],
        created_at=opt_datetime(row[12]),
    )  # fmt: skip


def encode_story(s: Story) -> Row:
    return (s.id, s.text, to_micros(s.at), s.author, s.community_id, s.value_cycle, s.activity_id)


def decode_story(row: Row) -> Story:
    return Story(row[0], row[1], from_micros(row[2]), row[3], row[4], row[5], row[6])


def metric_parameters(query: MetricQuery | None) -> dict[str, object]:
    q = query or MetricQuery()
    return {
        "scope_kind": q.scope_kind, "scope_id": q.scope_id, "indicator": q.indicator,
        "definition": q.definition, "parameters_id": q.parameters_id,
        "start": codec.bound_micros("start", q.start), "end": codec.bound_micros("end", q.end),
    }  # fmt: skip


def write_rows(conn: sqlite3.Connection, statement: str, rows: Sequence[Row]) -> int:
    conn.executemany(statement, rows)
    return len(rows)


class EvaluationRecords:
    """The store methods of the evaluation records (each write is one transaction)."""

    _db: SQLiteDatabase

    def upsert_metric_values(self, rows: Sequence[MetricValue]) -> int:
        encoded = [encode_metric(m) for m in rows]
        with self._db.write() as conn:
            return write_rows(conn, UPSERT_METRIC, encoded)

    def metric_values(self, query: MetricQuery | None = None) -> list[MetricValue]:
        with self._db.read() as conn:
            rows = conn.execute(SELECT_METRICS, metric_parameters(query)).fetchall()
        return [decode_metric(row) for row in rows]

    def upsert_objectives(self, rows: Sequence[Objective]) -> int:
        encoded = [encode_objective(o) for o in rows]
        with self._db.write() as conn:
            return write_rows(conn, UPSERT_OBJECTIVE, encoded)

    def objectives(self, community_id: str | None = None) -> list[Objective]:
        with self._db.read() as conn:
            rows = conn.execute(SELECT_OBJECTIVES, {"community": community_id})
            return [decode_objective(row) for row in rows.fetchall()]

    def delete_objective(self, objective_id: str) -> bool:
        with self._db.write() as conn:
            return conn.execute("DELETE FROM objectives WHERE id = ?", (objective_id,)).rowcount > 0

    def upsert_stories(self, rows: Sequence[Story]) -> int:
        encoded = [encode_story(s) for s in rows]
        with self._db.write() as conn:
            return write_rows(conn, UPSERT_STORY, encoded)

    def stories(self, community_id: str | None = None) -> list[Story]:
        with self._db.read() as conn:
            rows = conn.execute(SELECT_STORIES, {"community": community_id})
            return [decode_story(row) for row in rows.fetchall()]

    def delete_story(self, story_id: str) -> bool:
        with self._db.write() as conn:
            return conn.execute("DELETE FROM stories WHERE id = ?", (story_id,)).rowcount > 0
