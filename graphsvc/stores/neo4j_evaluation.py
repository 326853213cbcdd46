"""The Neo4j store's evaluation records: ``(:MetricValue)``, ``(:Objective)``, ``(:Story)``.

A metric value's identity is its ``key`` property, ``definition|parameters_id|scope_kind|
scope_id|indicator|period_start|period_end`` (unique constraint); times are stored as
``DateTime`` values and read back through ``toString``. :class:`EvaluationRecords` is a
base of :class:`~graphsvc.stores.neo4j.Neo4jStore`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import neo4j

from graphsvc.model import MetricValue, Objective, Story
from graphsvc.store import MetricQuery
from graphsvc.stores.neo4j_records import iso, native


def metric_key(m: MetricValue) -> str:
    return "|".join((m.definition, m.parameters_id, m.scope_kind, m.scope_id, m.indicator,
                     m.period_start.isoformat(), m.period_end.isoformat()))  # fmt: skip


def metric_row(m: MetricValue) -> dict[str, Any]:
    return {
        "key": metric_key(m), "definition": m.definition, "parameters_id": m.parameters_id,
        "parameters": m.parameters, "scope_kind": m.scope_kind, "scope_id": m.scope_id,
        "indicator": m.indicator, "period_start": iso(m.period_start),
        "period_end": iso(m.period_end), "value": m.value, "low": m.low, "high": m.high,
        "n_interactions": m.n_interactions, "n_active": m.n_active,
        "insufficient": m.insufficient, "computed_at": iso(m.computed_at),
    }  # fmt: skip


def metric_from(props: dict[str, Any]) -> MetricValue:
    return MetricValue(
        period_start=native(props["period_start"]),  # type: ignore[arg-type]
        period_end=native(props["period_end"]),  # type: ignore[arg-type]
        scope_kind=props["scope_kind"], scope_id=props["scope_id"],
        indicator=props["indicator"], value=props.get("value"), definition=props["definition"],
        parameters=props["parameters"], low=props.get("low"), high=props.get("high"),
        n_interactions=props["n_interactions"], n_active=props["n_active"],
        insufficient=props["insufficient"], computed_at=native(props.get("computed_at")),
    )  # fmt: skip


def objective_row(o: Objective) -> dict[str, Any]:
    return {
        "id": o.id, "indicator": o.indicator, "baseline": o.baseline,
        "baseline_at": iso(o.baseline_at), "target": o.target, "deadline": iso(o.deadline),
        "community_id": o.community_id, "boundary": o.boundary.value,
        "interaction_kind": o.interaction_kind.value if o.interaction_kind else None,
        "min_n": o.min_n, "description": o.description, "author": o.author,
        "created_at": iso(o.created_at),
    }  # fmt: skip


def objective_from(props: dict[str, Any]) -> Objective:
    return Objective(
        id=props["id"], indicator=props["indicator"], baseline=props["baseline"],
        baseline_at=native(props["baseline_at"]),  # type: ignore[arg-type]
        target=props["target"], deadline=native(props["deadline"]),  # type: ignore[arg-type]
        community_id=props.get("community_id"), boundary=props["boundary"],
        interaction_kind=props.get("interaction_kind"), min_n=props["min_n"],
        description=props.get("description"), author=props.get("author"),
        created_at=native(props.get("created_at")),
    )  # fmt: skip


def story_row(s: Story) -> dict[str, Any]:
    return {"id": s.id, "text": s.text, "at": iso(s.at), "author": s.author,
            "community_id": s.community_id, "value_cycle": s.value_cycle,
            "activity_id": s.activity_id}  # fmt: skip


def story_from(props: dict[str, Any]) -> Story:
    return Story(
        id=props["id"], text=props["text"], at=native(props["at"]),  # type: ignore[arg-type]
        author=props["author"], community_id=props.get("community_id"),
        value_cycle=props.get("value_cycle"), activity_id=props.get("activity_id"),
    )  # fmt: skip


class EvaluationRecords:
    """The store methods of the evaluation records (each write is one transaction)."""

    def _execute(self, name: str, *, write_: bool = False, **params: Any) -> list[neo4j.Record]:
        raise NotImplementedError  # Neo4jStore provides it

    def upsert_metric_values(self, rows: Sequence[MetricValue]) -> int:
        if rows:
            self._execute("upsert_metric_values", write_=True, rows=[metric_row(m) for m in rows])
        return len(rows)

    def metric_values(self, query: MetricQuery | None = None) -> list[MetricValue]:
        q = query or MetricQuery()
        records = self._execute(
            "metric_values", scope_kind=q.scope_kind, scope_id=q.scope_id,
            indicator=q.indicator, definition=q.definition, parameters_id=q.parameters_id,
            start=iso(q.start), end=iso(q.end),
        )  # fmt: skip
        return [metric_from(record["metric"]) for record in records]

    def upsert_objectives(self, rows: Sequence[Objective]) -> int:
        if rows:
            self._execute("upsert_objectives", write_=True, rows=[objective_row(o) for o in rows])
        return len(rows)

    def objectives(self, community_id: str | None = None) -> list[Objective]:
        records = self._execute("objectives", community=community_id)
        return [objective_from(record["objective"]) for record in records]

    def delete_objective(self, objective_id: str) -> bool:
        records = self._execute("delete_objective", write_=True, id=objective_id)
        return int(records[0]["deleted"]) > 0

    def upsert_stories(self, rows: Sequence[Story]) -> int:
        if rows:
            self._execute("upsert_stories", write_=True, rows=[story_row(s) for s in rows])
        return len(rows)

    def stories(self, community_id: str | None = None) -> list[Story]:
        records = self._execute("stories", community=community_id)
        return [story_from(record["story"]) for record in records]

    def delete_story(self, story_id: str) -> bool:
        records = self._execute("delete_story", write_=True, id=story_id)
        return int(records[0]["deleted"]) > 0
