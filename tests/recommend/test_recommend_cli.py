"""``graphsvc recommend``, ``match`` and ``evaluate recommend`` on a real SQLite demo store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from demo_stores import sqlite_with

from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.demo import DemoWorld, generate
from graphsvc.model import Feedback
from graphsvc.store import open_store

EVALUATION_KEYS = {
    "precision_at_k",
    "recall_at_k",
    "mrr",
    "ap",
    "auc",
    "cross_hit_rate",
    "coverage",
}


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate(people=300, months=12, seed=11)


@pytest.fixture
def uri(tmp_path: Path, world: DemoWorld) -> str:
    return sqlite_with(world, tmp_path / "graph.db")


def run_json(capsys: pytest.CaptureFixture[str], uri: str, *argv: str) -> Any:
    code = main(["--store", uri, *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def tied_pairs(world: DemoWorld) -> set[frozenset[str]]:
    return {
        frozenset((i.source_id, i.target_id))
        for i in world.interactions
        if i.kind.value != "co_attendance"
    }


def test_suggestions_are_new_consenting_people_with_reasons(
    capsys: pytest.CaptureFixture[str], uri: str, world: DemoWorld
) -> None:
    consent = {p.id: p.consent for p in world.people}
    tied = tied_pairs(world)
    asked = [p.id for p in world.people if p.consent][:5]
    for person in asked:
        doc = run_json(capsys, uri, "recommend", person, "--k", "8")
        assert doc["kind"] == "collaborator" and len(doc["suggestions"]) <= 8
        for row in doc["suggestions"]:
            assert consent[row["id"]], row
            assert frozenset((person, row["id"])) not in tied, row
            assert row["id"] != person and row["reasons"]


def test_a_declined_pair_rests_and_private_people_get_nothing(
    capsys: pytest.CaptureFixture[str], uri: str, world: DemoWorld
) -> None:
    person = next(p.id for p in world.people if p.consent)
    first = run_json(capsys, uri, "recommend", person, "--k", "5")["suggestions"][0]["id"]
    store = open_store(Settings(store=uri))
    declined = Feedback(
        "fb1", person, first, "declined", datetime.now(UTC), reason="not_relevant", moderator="mo"
    )
    store.add_feedback([declined])
    store.close()
    again = run_json(capsys, uri, "recommend", person, "--k", "5")["suggestions"]
    assert first not in [row["id"] for row in again]
    rested = run_json(capsys, uri, "recommend", person, "--k", "5", "--rest-days", "0")
    assert rested["suggestions"][0]["id"] == first  # no rest: it comes back
    accepted = Feedback(
        "fb2", person, again[0]["id"], "accepted", datetime.now(UTC), community_id="cop-x"
    )
    store = open_store(Settings(store=uri))
    store.add_feedback([accepted])
    store.close()
    rows = run_json(capsys, uri, "introductions", "--by", "community")["rows"]
    assert [(r["key"], r["introductions"], r["pending"]) for r in rows] == [("cop-x", 1, 1)]
    private = next(p.id for p in world.people if not p.consent)
    assert main(["--store", uri, "recommend", private]) == 3
    assert "withheld consent" in capsys.readouterr().err


def test_mentor_suggestions_and_cohort_matching_respect_capacities(
    capsys: pytest.CaptureFixture[str], uri: str, world: DemoWorld
) -> None:
    capacity = {p.id: p.mentor_capacity for p in world.people}
    cop = next(c.id for c in world.communities if c.kind.value == "cop")
    doc = run_json(capsys, uri, "match", cop, "--all-members")
    assert doc["pairs"], doc
    load: dict[str, int] = {}
    for pair in doc["pairs"]:
        load[pair["mentor"]] = load.get(pair["mentor"], 0) + 1
        assert pair["mentee"] != pair["mentor"] and pair["shared_topics"]
    assert all(load[m] <= capacity[m] for m in load)
    assert len(doc["pairs"]) + len(doc["unmatched"]) == doc["mentees"]
    mentee = doc["pairs"][0]["mentee"]
    mentors = run_json(capsys, uri, "recommend", mentee, "--mentors", "--k", "3")["suggestions"]
    assert mentors and all(row["facts"]["free_slots"] >= 1 for row in mentors)
    assert all(row["facts"]["free_slots"] <= capacity[row["id"]] for row in mentors)


def test_evaluate_recommend_reports_every_model_with_the_agreed_names(
    capsys: pytest.CaptureFixture[str], uri: str
) -> None:
    doc = run_json(capsys, uri, "evaluate", "recommend", "--split-at", "2025-09-01", "--k", "5")
    assert {"split_at", "k", "n_people", "n_new_ties", "models"} <= set(doc)
    assert doc["k"] == 5 and doc["n_people"] > 0 and doc["n_new_ties"] >= doc["n_people"]
    assert {
        "random",
        "preferential_attachment",
        "common_neighbours",
        "adamic_adar",
        "model",
    } <= set(doc["models"])
    for row in doc["models"].values():
        assert set(row) == EVALUATION_KEYS
    code = main(["--store", uri, "evaluate", "recommend", "--split-at", "2025-09-01"])
    assert code == 0 and "adamic_adar" in capsys.readouterr().out


def test_a_young_network_still_gets_suggestions_and_an_empty_one_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    young = generate(people=100, months=1, seed=3)  # one month: no 90-day training window
    location = sqlite_with(young, tmp_path / "young.db")
    person = next(p.id for p in young.people if p.consent)
    assert run_json(capsys, location, "recommend", person, "--k", "3")["suggestions"]
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    store = open_store(Settings(store=empty))
    store.upsert_people(young.people[:2])
    store.close()
    assert main(["--store", empty, "recommend", young.people[0].id]) == 3
    assert "too little history" in capsys.readouterr().err
