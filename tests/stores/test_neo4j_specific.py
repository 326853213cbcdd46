"""What only the Neo4j store has: schema, native temporal values, connection failures,
erasure checked by direct Cypher, and the one-query-per-file rule of ``cypher/``."""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import pytest

import cypher
from graphsvc.config import Settings
from graphsvc.errors import StoreUnavailable
from graphsvc.model import (
    Activity,
    Community,
    Feedback,
    Interaction,
    Membership,
    Participation,
    Person,
)
from graphsvc.store import GraphStore
from graphsvc.stores.neo4j import Neo4jStore
from graphsvc.stores.neo4j_connect import parse_target
from graphsvc.stores.neo4j_schema import SCHEMA_VERSION

STORES_DIR = Path(__file__).resolve().parents[2] / "graphsvc" / "stores"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class RawCypher:
    """Direct Cypher against the store's database, for checks the store's API cannot make."""

    def __init__(self, driver: neo4j.Driver, database: str) -> None:
        self.driver = driver
        self.database = database

    def __call__(self, text: str, **params: Any) -> list[neo4j.Record]:
        records, _, _ = self.driver.execute_query(text, params, database_=self.database)  # type: ignore[arg-type]
        return records

    def plan(self, text: str, **params: Any) -> dict[str, Any]:
        """The plan of ``EXPLAIN text`` (operators with their children, as nested dicts)."""
        _, summary, _ = self.driver.execute_query(  # type: ignore[call-overload]
            "EXPLAIN " + text, params, database_=self.database
        )
        return summary.plan  # type: ignore[no-any-return]


@pytest.fixture
def raw(neo4j_store: GraphStore, neo4j_settings: Settings) -> Iterator[RawCypher]:
    target = parse_target(neo4j_settings)
    auth = (target.user, target.password) if target.password else None
    with neo4j.GraphDatabase.driver(
        target.driver_uri, auth=auth, notifications_min_severity="OFF"
    ) as driver:
        yield RawCypher(driver, target.database)


def operators(plan: dict[str, Any]) -> list[str]:
    """Every operator of a plan tree as ``"Type: details"``."""
    details = plan.get("args", {}).get("Details", "")
    found = [f"{plan['operatorType'].split('@')[0]}: {details}"]
    for child in plan.get("children", []):
        found += operators(child)
    return found


# --- schema ----------------------------------------------------------------------------------


def test_uniqueness_constraints_exist(raw: RawCypher) -> None:
    rows = raw(
        "SHOW CONSTRAINTS YIELD type, entityType, labelsOrTypes, properties "
        "RETURN type, entityType, labelsOrTypes[0] AS label, properties[0] AS property"
    )
    found = {(r["entityType"], r["label"], r["property"], r["type"]) for r in rows}
    expected = {
        ("NODE", "Person", "id", "UNIQUENESS"),
        ("NODE", "Community", "id", "UNIQUENESS"),
        ("NODE", "Activity", "id", "UNIQUENESS"),
        ("NODE", "ImportRun", "id", "UNIQUENESS"),
        ("NODE", "Feedback", "id", "UNIQUENESS"),
        ("NODE", "Cursor", "source", "UNIQUENESS"),
        ("RELATIONSHIP", "INTERACTED", "id", "RELATIONSHIP_UNIQUENESS"),
    }
    assert expected <= found


def test_interaction_time_has_an_online_range_index(raw: RawCypher) -> None:
    rows = raw(
        "SHOW INDEXES YIELD type, entityType, labelsOrTypes, properties, state "
        "WHERE type = 'RANGE' AND entityType = 'RELATIONSHIP' "
        "RETURN labelsOrTypes, properties, state"
    )
    assert {"labelsOrTypes": ["INTERACTED"], "properties": ["at"], "state": "ONLINE"} in [
        dict(r) for r in rows
    ]


def test_window_query_seeks_the_time_index(raw: RawCypher) -> None:
    for end in (T0 + timedelta(days=1), None):
        plan = raw.plan(cypher.load("interaction_columns"), start=T0, end=end, kinds=None)
        # a seek (or, for an unselective window, an ordered scan) of the range index on at
        uses_index = [
            op for op in operators(plan) if "RelationshipIndex" in op and "INTERACTED(at)" in op
        ]
        assert uses_index, operators(plan)


def test_schema_version_is_recorded_and_survives_clear(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    neo4j_store.clear()
    assert [r["version"] for r in raw("MATCH (s:GraphsvcSchema) RETURN s.version AS version")] == [
        SCHEMA_VERSION
    ]


def test_times_are_native_datetimes_exact_to_the_microsecond(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    moment = datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)
    neo4j_store.upsert_people([Person("a", "A", joined_at=moment), Person("b", "B")])
    neo4j_store.upsert_interactions([Interaction("i", "mentoring", "a", "b", moment)])
    (row,) = raw(
        "MATCH (p:Person {id: 'a'})-[r:INTERACTED]->() "
        "RETURN valueType(r.at) AS type, r.at = $moment AS same, p.joined_at = $moment AS joined",
        moment=moment,
    )
    assert row["type"].startswith("ZONED DATETIME") and row["same"] and row["joined"]
    assert [i.at for i in neo4j_store.list_interactions()] == [moment]


# --- writes ----------------------------------------------------------------------------------


def test_duplicate_interaction_ids_in_one_batch_keep_the_last(neo4j_store: GraphStore) -> None:
    neo4j_store.upsert_people([Person("a", "A"), Person("b", "B"), Person("c", "C")])
    first = Interaction("i", "collaboration", "a", "b", T0)
    last = Interaction("i", "mentoring", "b", "c", T0 + timedelta(days=1), weight=3.0)
    assert neo4j_store.upsert_interactions([first, last]) == 2
    assert list(neo4j_store.list_interactions()) == [last]


def test_interaction_update_in_place_replaces_every_field(neo4j_store: GraphStore) -> None:
    neo4j_store.upsert_people([Person("a", "A"), Person("b", "B")])
    neo4j_store.upsert_communities([Community("c", "C")])
    before = Interaction(
        "i", "collaboration", "a", "b", T0, topic="soil", community_id="c", source_system="x"
    )
    after = Interaction("i", "mentoring", "a", "b", T0 + timedelta(microseconds=1), weight=0.5)
    neo4j_store.upsert_interactions([before])
    neo4j_store.upsert_interactions([before])  # unchanged: skipped
    assert list(neo4j_store.list_interactions()) == [before]
    neo4j_store.upsert_interactions([after])  # same endpoints: updated in place
    assert list(neo4j_store.list_interactions()) == [after]
    assert neo4j_store.counts()["interactions"] == 1


def test_parent_change_replaces_the_part_of_edge(neo4j_store: GraphStore, raw: RawCypher) -> None:
    neo4j_store.upsert_communities([Community("a", "A"), Community("b", "B")])
    neo4j_store.upsert_communities([Community("c", "C", parent_id="a")])
    neo4j_store.upsert_communities([Community("c", "C", parent_id="b")])
    rows = raw("MATCH (:Community {id: 'c'})-[:PART_OF]->(p) RETURN p.id AS parent")
    assert [r["parent"] for r in rows] == ["b"]


# --- erasure ---------------------------------------------------------------------------------


def test_erasure_leaves_no_trace(neo4j_store: GraphStore, raw: RawCypher) -> None:
    store = neo4j_store
    store.upsert_people([Person("x", "Xena", email="x@example.org"), Person("y", "Yann")])
    store.upsert_communities([Community("c", "C")])
    store.upsert_memberships([Membership("x", "c"), Membership("x", "c", "mentor")])
    store.upsert_interactions(
        [
            Interaction("out", "mentoring", "x", "y", T0),
            Interaction("in", "collaboration", "y", "x", T0),
            Interaction("self", "other", "x", "x", T0),
            Interaction("keep", "other", "y", "y", T0),
        ]
    )
    store.upsert_activities([Activity("a", "Workshop", T0, community_id="c")])
    store.upsert_participations([Participation("a", "x"), Participation("a", "y")])
    store.add_feedback(
        [
            Feedback("f1", "x", "y", "accepted", T0),
            Feedback("f2", "y", "x", "dismissed", T0),
            Feedback("f3", "y", "c", "dismissed", T0),
        ]
    )
    report = store.delete_person("x")
    assert (report.people, report.memberships, report.interactions) == (1, 2, 3)
    assert (report.participations, report.feedback) == (1, 2)
    naming_x = (
        "[k IN keys(e) WHERE e[k] = $id OR (valueType(e[k]) STARTS WITH 'LIST' AND $id IN e[k])]"
    )
    nodes = raw(f"MATCH (e) WHERE size({naming_x}) > 0 RETURN count(e) AS n", id="x")
    rels = raw(f"MATCH ()-[e]->() WHERE size({naming_x}) > 0 RETURN count(e) AS n", id="x")
    assert nodes[0]["n"] == 0 and rels[0]["n"] == 0
    assert store.counts()["interactions"] == 1 and store.counts()["feedback"] == 1


# --- connecting ------------------------------------------------------------------------------


def test_wrong_password_is_unavailable_without_leaking_it(neo4j_settings: Settings) -> None:
    secret = "not-the-password-7x9q"
    settings = Settings(store=neo4j_settings.store, neo4j_password=secret)
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore.from_settings(settings)
    message = str(caught.value)
    assert secret not in message and "authentication failed" in message
    assert neo4j_settings.store in message


def test_password_in_the_uri_is_redacted(neo4j_settings: Settings) -> None:
    # a user that does not exist, so the server's lock-out counter of `neo4j` is untouched
    secret = "uri-secret-4k2m"
    host = parse_target(neo4j_settings).driver_uri.split("://", 1)[1]
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore.from_settings(Settings(store=f"bolt://ghost:{secret}@{host}"))
    assert secret not in str(caught.value) and "ghost:***@" in str(caught.value)


def test_uri_credentials_override_settings(neo4j_settings: Settings) -> None:
    target = parse_target(neo4j_settings)
    host = target.driver_uri.split("://", 1)[1]
    uri = f"bolt://{target.user}:{target.password}@{host}"
    store = Neo4jStore.from_settings(Settings(store=uri, neo4j_password="wrong-on-purpose"))
    try:
        assert store.location == f"bolt://{target.user}:***@{host}"
        assert isinstance(store.counts(), dict)
    finally:
        store.close()


def test_unknown_database_is_unavailable(neo4j_settings: Settings) -> None:
    settings = neo4j_settings.with_overrides(neo4j_database="nosuchdatabase")
    with pytest.raises(StoreUnavailable, match="nosuchdatabase"):
        Neo4jStore.from_settings(settings)


def test_unreachable_port_fails_fast() -> None:
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore.from_settings(Settings(store="bolt://127.0.0.1:1", neo4j_password="pw-zz"))
    assert time.monotonic() - started < 10
    assert "bolt://127.0.0.1:1" in str(caught.value) and "pw-zz" not in str(caught.value)


# --- the cypher package ----------------------------------------------------------------------


def test_load_rejects_unknown_names() -> None:
    with pytest.raises(cypher.UnknownQuery, match="no_such_query"):
        cypher.load("no_such_query")
    with pytest.raises(cypher.UnknownQuery):
        cypher.load("../pyproject")


def test_load_returns_the_file_text_once_read() -> None:
    assert cypher.load("counts") is cypher.load("counts")
    assert cypher.load("counts").startswith("RETURN COUNT")


FORMAT_PLACEHOLDER = re.compile(r"\{\s*\w*\s*\}|%\(?\w*\)?s\b")


@pytest.mark.parametrize("name", sorted(cypher.names()))
def test_every_query_file_is_one_parameterised_statement(name: str) -> None:
    text = cypher.load(name)
    code = "\n".join(line.split("//", 1)[0] for line in text.splitlines())
    assert code.strip(), "empty query"
    assert ";" not in code, "one statement per file"
    assert not FORMAT_PLACEHOLDER.search(code), "values come in as $parameters only"


def test_store_code_holds_no_cypher() -> None:
    """Every query lives in cypher/*.cypher: no Cypher in strings of the store modules."""
    clause = re.compile(r"\b(MATCH|MERGE|UNWIND|RETURN|CREATE|DETACH|SHOW|CALL)\b")
    offenders = []
    for path in sorted(STORES_DIR.glob("neo4j*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            text = ast.unparse(node) if isinstance(node, ast.JoinedStr) else None
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            if text and clause.search(text):
                offenders.append(f"{path.name}:{node.lineno}: {text[:60]!r}")
    assert offenders == []
