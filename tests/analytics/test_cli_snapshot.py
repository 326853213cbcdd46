"""``graphsvc snapshot`` and ``graphsvc evaluate indicators`` on a real SQLite demo store."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from demo_stores import sqlite_with

from analytics.cli_snapshot import DEFINITION, NOTHING_YET
from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.demo import DemoWorld, generate
from graphsvc.store import MetricQuery, open_store


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate(people=300, months=6, seed=5)


@pytest.fixture
def uri(tmp_path: Path, world: DemoWorld) -> str:
    return sqlite_with(world, tmp_path / "demo.db")


def run(capsys: pytest.CaptureFixture[str], uri: str, *argv: str) -> str:
    code = main(["--store", uri, *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_a_snapshot_stores_the_indicators_once_per_variant(
    capsys: pytest.CaptureFixture[str], uri: str
) -> None:
    first = json.loads(run(capsys, uri, "snapshot", "--replicates", "20", "--json"))
    assert first["definition"] == DEFINITION and first["rows"] > 0
    run(capsys, uri, "snapshot", "--replicates", "20")  # the same data, the same variant
    store = open_store(Settings(store=uri))
    assert store.counts()["metric_values"] == first["rows"]
    shown = json.loads(run(capsys, uri, "evaluate", "indicators", "--replicates", "20", "--json"))
    stored = {
        (m.period_start, m.scope_id or "network", m.indicator): m for m in store.metric_values()
    }
    for row in shown:
        start = datetime.fromisoformat(row["period_start"].replace("Z", "+00:00"))
        value = stored[(start, row["scope"], row["indicator"])]
        assert value.value == row["value"] and value.n_interactions == row["n_interactions"]
    run(capsys, uri, "snapshot", "--replicates", "30")  # other parameters: a new variant
    assert store.counts()["metric_values"] == 2 * first["rows"]
    variants = {m.parameters_id for m in store.metric_values(MetricQuery(scope_kind="network"))}
    assert len(variants) == 2
    store.close()


def test_person_rows_count_each_persons_interactions_and_skip_private_people(
    capsys: pytest.CaptureFixture[str], uri: str, world: DemoWorld
) -> None:
    run(capsys, uri, "snapshot", "--people", "--replicates", "10")
    store = open_store(Settings(store=uri))
    people = store.metric_values(MetricQuery(scope_kind="person", indicator="interactions"))
    private = {p.id for p in world.people if not p.consent}
    assert people and not {m.scope_id for m in people} & private
    month = min(m.period_start for m in people)
    end = min(m.period_end for m in people if m.period_start == month)
    counts: Counter[str] = Counter()
    for i in world.interactions:  # a brute-force count of the first month
        if i.kind.value != "co_attendance" and i.source_id != i.target_id and month <= i.at < end:
            counts.update((i.source_id, i.target_id))
    first = {m.scope_id: m.value for m in people if m.period_start == month}
    assert first == {p: float(n) for p, n in counts.items() if p not in private}
    store.close()


def test_indicators_as_csv_and_bad_options(capsys: pytest.CaptureFixture[str], uri: str) -> None:
    text = run(capsys, uri, "evaluate", "indicators", "--csv", "--replicates", "10")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"period_start", "scope", "indicator", "value", "low", "high"} <= set(rows[0])
    assert main(["--store", uri, "evaluate", "indicators", "--kinds", "gossip"]) == 3


def test_an_empty_store_has_nothing_to_snapshot_yet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    uri = f"sqlite:///{tmp_path / 'empty.db'}"
    assert NOTHING_YET in run(capsys, uri, "snapshot", "--replicates", "5")
    assert json.loads(run(capsys, uri, "snapshot", "--json"))["rows"] == 0
    assert NOTHING_YET in run(capsys, uri, "evaluate", "indicators")
    assert json.loads(run(capsys, uri, "evaluate", "indicators", "--json")) == []
    store = open_store(Settings(store=uri))
    assert store.counts()["metric_values"] == 0
    store.close()


def test_evaluate_ties_prints_the_survival_of_cross_and_internal_ties(
    capsys: pytest.CaptureFixture[str], uri: str
) -> None:
    report = json.loads(run(capsys, uri, "evaluate", "ties", "--json", "--gap", "60"))
    assert report["gap_days"] == 60
    network = {row["ties"]: row for row in report["curves"] if row["scope"] == "network"}
    assert set(network) == {"cross", "internal"}
    for row in network.values():
        alive = row["surviving_90d"]
        assert row["n"] > 0 and 0 <= alive["low"] <= alive["value"] <= alive["high"] <= 1
    scopes = {row["scope"] for row in report["curves"]}
    assert len(scopes) > 2  # the network and the communities
    text = run(capsys, uri, "evaluate", "ties", "--community", sorted(scopes - {"network"})[0])
    assert "median days" in text and text.count("\n") == 5  # a header and 4 rows
    assert main(["--store", uri, "evaluate", "ties", "--gap", "0"]) == 3
    assert "--gap" in capsys.readouterr().err
