"""What only the Neo4j store has: schema, native temporal values, connection failures,
erasure checked by direct Cypher, and the one-query-per-file rule of ``cypher/``."""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import pytest

import cypher
from graphsvc.config import Settings
from graphsvc.errors import StoreUnavailable
from graphsvc.identity import Alias, AliasRule, AttributeConflict
from graphsvc.model import (
    Activity,
    Community,
    Feedback,
    Interaction,
    Membership,
    Participation,
    Person,
)
from graphsvc.store import GraphStore, WriteCounts
from graphsvc.stores.neo4j import Neo4jStore
from graphsvc.stores.neo4j_connect import parse_target
from graphsvc.stores.neo4j_schema import SCHEMA_VERSION, ensure_schema

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


def test_ids_arrive_whole_across_the_lists_of_ten_thousand(neo4j_store: GraphStore) -> None:
    """``ids()`` reads lists of up to 10,000 ids: none is lost or repeated at a boundary."""
    people = [Person(f"p{n:05d}", "P") for n in range(10_001)]
    neo4j_store.upsert_people(people)
    ids = list(neo4j_store.ids("people"))
    assert len(ids) == 10_001 and set(ids) == {p.id for p in people}


# --- writes ----------------------------------------------------------------------------------


def test_duplicate_interaction_ids_in_one_batch_keep_the_last(neo4j_store: GraphStore) -> None:
    neo4j_store.upsert_people([Person("a", "A"), Person("b", "B"), Person("c", "C")])
    first = Interaction("i", "collaboration", "a", "b", T0)
    last = Interaction("i", "mentoring", "b", "c", T0 + timedelta(days=1), weight=3.0)
    assert neo4j_store.upsert_interactions([first, last]) == WriteCounts(inserted=1, updated=1)
    assert list(neo4j_store.list_interactions()) == [last]


def test_repeated_stored_interaction_ids_count_against_the_stored_record(
    neo4j_store: GraphStore,
) -> None:
    neo4j_store.upsert_people([Person("a", "A"), Person("b", "B"), Person("c", "C")])
    stored = Interaction("i", "collaboration", "a", "b", T0, external_id="x-1")
    moved = replace(stored, target_id="c")
    neo4j_store.upsert_interactions([stored])
    assert neo4j_store.upsert_interactions([stored, moved, moved]) == WriteCounts(
        updated=1, unchanged=2
    )
    assert list(neo4j_store.list_interactions()) == [moved]
    # the last row is what is stored already, yet both rows differ from the one before
    assert neo4j_store.upsert_interactions([stored, moved]) == WriteCounts(updated=2)
    assert list(neo4j_store.list_interactions()) == [moved]


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


def test_a_changed_community_gets_a_parent_new_in_the_same_batch(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    neo4j_store.upsert_communities([Community("c", "C")])
    batch = [Community("c", "C", parent_id="new"), Community("new", "New")]
    assert neo4j_store.upsert_communities(batch) == WriteCounts(inserted=1, updated=1)
    rows = raw("MATCH (:Community {id: 'c'})-[:PART_OF]->(p) RETURN p.id AS parent")
    assert [r["parent"] for r in rows] == ["new"]


PROVENANCE = {"source_system": "hr", "external_id": "x-9"}


def small_world(**provenance: str) -> dict[str, list[Any]]:
    """One record of every entity (all carrying ``provenance``), by upsert entity name."""
    return {
        "people": [Person("a", "A", **provenance), Person("b", "B", **provenance)],
        "communities": [Community("c", "C", **provenance)],
        "memberships": [Membership("a", "c", **provenance)],
        "interactions": [Interaction("i", "mentoring", "a", "b", T0, **provenance)],
        "activities": [Activity("x", "Workshop", T0, community_id="c", **provenance)],
        "participations": [Participation("x", "a", **provenance)],
    }


def load(store: GraphStore, world: dict[str, list[Any]]) -> dict[str, WriteCounts]:
    return {entity: getattr(store, f"upsert_{entity}")(rows) for entity, rows in world.items()}


def test_provenance_is_a_property_of_every_node_and_relationship(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    load(neo4j_store, small_world(**PROVENANCE))
    found = raw(
        "MATCH (n:Person|Community|Activity) RETURN labels(n)[0] AS kind, "
        "n.source_system AS source_system, n.external_id AS external_id "
        "UNION ALL MATCH ()-[r:MEMBER_OF|INTERACTED|PARTICIPATED]->() RETURN type(r) AS kind, "
        "r.source_system AS source_system, r.external_id AS external_id"
    )
    assert sorted(r["kind"] for r in found) == [
        "Activity", "Community", "INTERACTED", "MEMBER_OF", "PARTICIPATED", "Person", "Person"
    ]  # fmt: skip
    assert {(r["source_system"], r["external_id"]) for r in found} == {("hr", "x-9")}
    load(neo4j_store, small_world())  # provenance unset: the properties go
    unset = raw(
        "MATCH (n) WHERE n.source_system IS NOT NULL OR n.external_id IS NOT NULL "
        "RETURN count(n) AS n UNION ALL MATCH ()-[r]->() "
        "WHERE r.source_system IS NOT NULL OR r.external_id IS NOT NULL RETURN count(r) AS n"
    )
    assert [r["n"] for r in unset] == [0, 0]


@contextmanager
def write_locked(raw: RawCypher) -> Iterator[None]:
    """Hold a write lock on every node and relationship (changing nothing) until exit."""
    with raw.driver.session(database=raw.database) as session:
        tx = session.begin_transaction()
        try:
            tx.run("MATCH (n) SET n.lock_probe = true").consume()
            tx.run("MATCH ()-[r]->() SET r.lock_probe = true").consume()
            yield
        finally:
            tx.rollback()


def test_an_unchanged_rerun_only_reads(neo4j_store: GraphStore, raw: RawCypher) -> None:
    """A rerun completes while another transaction holds every write lock: it writes nothing
    (a write would wait for the locks, as the changed row below does)."""
    world = small_world(**PROVENANCE)
    load(neo4j_store, world)
    with ThreadPoolExecutor(1) as pool:
        with write_locked(raw):
            rerun = pool.submit(load, neo4j_store, world)
            wait([rerun], timeout=10)
            assert rerun.done(), "an unchanged rerun waited for a write lock"
        assert rerun.result() == {e: WriteCounts(unchanged=len(rows)) for e, rows in world.items()}
        with write_locked(raw):
            change = pool.submit(neo4j_store.upsert_people, [Person("a", "Ada")])
            wait([change], timeout=0.5)
            assert not change.done(), "the lock probe holds no lock"
        assert change.result() == WriteCounts(updated=1)


def test_a_new_run_record_reads_back_without_outcomes(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    raw(
        "CREATE (:ImportRun {id: 'old', source: 's', status: 'succeeded', "
        "started_at: datetime($at), counts: '{\"people\": 1}', errors: []})",
        at=T0.isoformat(),
    )
    run = neo4j_store.get_import_run("old")
    assert run is not None and run.counts == {"people": 1} and run.outcomes == {}


def test_membership_lookups_expand_from_the_person_not_the_community(raw: RawCypher) -> None:
    for name in ("memberships_of_people", "participations_of_people"):
        plan = operators(raw.plan(cypher.load(name), ids=["a"]))
        seeks = [op for op in plan if "IndexSeek" in op or "Scan" in op]
        assert len(seeks) == 1 and "p:Person(id)" in seeks[0], (name, plan)


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
    seen = T0 + timedelta(days=1)
    store.upsert_people(
        [],
        aliases=[
            Alias("hr", "x", "x", AliasRule.NEW, T0, seen, Person("x", "Xena")),
            Alias("forum", "u1", "x", AliasRule.EMAIL, T0, seen, Person("u1", "X.")),
        ],
        conflicts=[AttributeConflict("x", "name", "X.", "Xena", "forum", "hr", "x", seen)],
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


# --- identity across source systems -------------------------------------------------------


def test_identity_schema_is_online(raw: RawCypher) -> None:
    constraints = raw(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "RETURN type, labelsOrTypes[0] AS label, properties"
    )
    found = {(r["label"], tuple(r["properties"]), r["type"]) for r in constraints}
    assert {
        ("Alias", ("source_system", "external_id"), "UNIQUENESS"),
        ("GraphsvcCounter", ("name",), "UNIQUENESS"),
    } <= found
    indexes = raw(
        "SHOW INDEXES YIELD type, labelsOrTypes, properties, state WHERE type = 'RANGE' "
        "RETURN labelsOrTypes[0] AS label, properties, state"
    )
    online = {(r["label"], tuple(r["properties"])) for r in indexes if r["state"] == "ONLINE"}
    assert {
        ("Person", ("email_key",)),
        ("Alias", ("person_id",)),
        ("AttributeConflict", ("person_id",)),
        ("AttributeConflict", ("seq",)),
    } <= online


@pytest.mark.parametrize(
    ("name", "params", "index"),
    [
        ("person_ids_by_email", {"emails": ["a@b.c"]}, "p:Person(email_key)"),
        (
            "aliases_of_people",
            {"ids": ["a"], "source_system": None, "external_ids": None},
            "a:Alias(person_id)",
        ),
        ("aliases_of_source", {"source_system": "hr"}, "a:Alias(source_system, external_id)"),
        (
            "aliases_by_key",
            {"source_system": "hr", "external_ids": ["E1"]},
            "a:Alias(source_system, external_id)",
        ),
        ("conflicts_of_person", {"person_id": "a", "limit": 9}, "c:AttributeConflict(person_id)"),
        ("conflicts", {"limit": 9}, "c:AttributeConflict(seq)"),
    ],
)
def test_identity_lookups_use_their_index(
    raw: RawCypher, name: str, params: dict[str, Any], index: str
) -> None:
    plan = operators(raw.plan(cypher.load(name), **params))
    assert [op for op in plan if "Index" in op and index in op], plan
    assert not [op for op in plan if "LabelScan" in op or "AllNodesScan" in op], plan


def test_email_key_is_stored_lower_cased_and_left_out_of_the_person(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    ada = Person("a", "Ada", email="Ada@Example.ORG")
    neo4j_store.upsert_people([ada, Person("b", "Bo")])
    rows = raw("MATCH (p:Person) RETURN p.id AS id, p.email_key AS key ORDER BY id")
    assert [(r["id"], r["key"]) for r in rows] == [("a", "ada@example.org"), ("b", None)]
    assert neo4j_store.get_person("a") == ada
    neo4j_store.upsert_people([replace(ada, email=None)])
    assert raw("MATCH (p:Person {id: 'a'}) RETURN p.email_key AS key")[0]["key"] is None


def test_migration_2_indexes_and_backfills_email_keys(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    neo4j_store.upsert_people([Person("a", "Ada", email="ADA@x.org"), Person("b", "Bo")])
    # a database of schema version 1: no email_key property, no index on it
    raw("MATCH (p:Person) REMOVE p.email_key")
    raw("DROP INDEX person_email_key")
    raw("MATCH (s:GraphsvcSchema) SET s.version = 1")
    assert ensure_schema(raw.driver, raw.database) == SCHEMA_VERSION == 3
    rows = raw("MATCH (p:Person) RETURN p.id AS id, p.email_key AS key ORDER BY id")
    assert [(r["id"], r["key"]) for r in rows] == [("a", "ada@x.org"), ("b", None)]
    state = raw("SHOW INDEXES YIELD name, state WHERE name = 'person_email_key' RETURN state")
    assert [r["state"] for r in state] == ["ONLINE"]
    assert neo4j_store.person_ids_by_email(["Ada@X.org"]) == {"ada@x.org": "a"}


def test_concurrent_conflict_batches_are_numbered_without_gaps_or_clashes(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    neo4j_store.upsert_people([Person("a", "Ada")])

    def batch(worker: int) -> list[AttributeConflict]:
        return [
            AttributeConflict("a", f"attrs.w{worker}", str(n), "old", "s", "t", None, T0)
            for n in range(5)
        ]

    with ThreadPoolExecutor(4) as pool:
        for done in [
            pool.submit(neo4j_store.upsert_people, [], conflicts=batch(w)) for w in range(4)
        ]:
            done.result()
    seqs = [r["seq"] for r in raw("MATCH (c:AttributeConflict) RETURN c.seq AS seq ORDER BY seq")]
    assert seqs == list(range(1, 21))
    recorded = neo4j_store.conflicts(limit=100)
    for worker in range(4):  # each batch keeps its order, in one run of numbers
        mine = [c for c in recorded if c.field == f"attrs.w{worker}"]
        assert mine == batch(worker)
        first = recorded.index(mine[0])
        assert recorded[first : first + 5] == mine


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


def test_migration_3_adds_the_evaluation_constraints(
    neo4j_store: GraphStore, raw: RawCypher
) -> None:
    raw("DROP CONSTRAINT metric_value_key IF EXISTS")
    raw("MATCH (s:GraphsvcSchema) SET s.version = 2")
    assert ensure_schema(raw.driver, raw.database) == 3
    names = {r["name"] for r in raw("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"metric_value_key", "objective_id", "story_id"} <= names
