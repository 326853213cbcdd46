"""The report end to end: ``graphsvc demo`` into a real SQLite store, then ``graphsvc analyze``.

Planted truth (graphsvc/demo_plants.py writes it to ``ground_truth.json``): the planted
brokers are the top of cross-community betweenness and the planted silo is the only
community flagged, on a 10,000-person world (on a few hundred people, multi-member hubs
legitimately share the top ranks with the brokers: their paths join the CoPs they belong
to). The JSON keeps the field names of issue #4, which other tools read.
"""

from __future__ import annotations

import contextlib
import io
import json
import os

import pytest

from graphsvc.cli import main

pytestmark = pytest.mark.slow

PERSON_FIELDS = {
    "id", "betweenness", "cross_betweenness", "constraint", "effective_size", "participation",
    "within_z", "role", "brokerage", "ei", "spanner",
}  # fmt: skip
COMMUNITY_FIELDS = {
    "id", "size", "internal", "external", "ei", "ei_expected", "ei_p", "conductance", "silo",
}  # fmt: skip
TIE_FIELDS = {"a", "b", "count", "weight", "density", "observed_expected", "carriers"}
ROLE_FIELDS = {"coordinator", "itinerant", "representative", "gatekeeper", "liaison"}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GRAPHSVC_"):
            monkeypatch.delenv(name)


def graphsvc(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    """A 10,000-person demo world loaded into a real SQLite store; its ground truth."""
    folder = tmp_path_factory.mktemp("demo")
    store = f"sqlite:///{folder / 'graph.db'}"
    truth = folder / "truth.json"
    code = main(["--store", store, "demo", "--people", "10000", "--truth", str(truth), "--json"])
    assert code == 0
    return store, json.loads(truth.read_text())


def analyze_json(capsys: pytest.CaptureFixture[str], store: str, *extra: str) -> dict:
    return json.loads(graphsvc(capsys, "--store", store, "analyze", "--json", *extra))


def captured(*argv: str) -> str:
    """``graphsvc ARGV``'s standard output (for module-scoped fixtures, without capsys)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def whole_year(demo_world: tuple[str, dict]) -> tuple[dict, str]:
    """``analyze --json`` and the ``analyze --top 50`` summary of the whole demo year."""
    store, _truth = demo_world
    document = json.loads(captured("--store", store, "analyze", "--json"))
    return document, captured("--store", store, "analyze", "--top", "50")


def test_the_planted_brokers_top_cross_community_betweenness_and_the_silo_is_alone(
    demo_world: tuple[str, dict], whole_year: tuple[dict, str]
) -> None:
    _store, truth = demo_world
    document = whole_year[0]
    brokers = set(truth["brokers"])
    ranked = sorted(document["people"], key=lambda row: -row["cross_betweenness"])
    assert 4 <= len(brokers) <= 5
    assert {row["id"] for row in ranked[: len(brokers)]} == brokers
    flagged = [c["id"] for c in document["communities"] if c["silo"]]
    assert flagged == [truth["silo_community"]]
    silo = next(c for c in document["communities"] if c["silo"])
    assert silo["ei"] < silo["ei_expected"] and silo["ei_p"] < 0.05


def test_the_json_keeps_the_contracted_field_names(
    demo_world: tuple[str, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    store, truth = demo_world
    document = analyze_json(capsys, store, "--start", "2025-04-01", "--end", "2025-07-01")
    assert {"window", "boundary", "people", "communities", "ties", "clusters"} <= set(document)
    assert document["window"]["start"].startswith("2025-04-01")
    assert document["boundary"] == "cop"
    assert all(set(row) >= PERSON_FIELDS for row in document["people"])
    assert all(set(row["brokerage"]) == ROLE_FIELDS for row in document["people"])
    assert all(set(row) >= COMMUNITY_FIELDS for row in document["communities"])
    assert document["ties"] and all(set(row) >= TIE_FIELDS for row in document["ties"])
    assert {"nmi", "ari", "hidden"} <= set(document["clusters"])
    assert {row["id"] for row in document["communities"]} == set(truth["communities"]["cop"])


def test_people_without_consent_are_never_named(
    demo_world: tuple[str, dict], whole_year: tuple[dict, str]
) -> None:
    store, _truth = demo_world
    from graphsvc.config import Settings
    from graphsvc.store import open_store

    opened = open_store(Settings(store=store))
    try:
        withheld = {p.id for p in opened.list_people() if not p.consent}
    finally:
        opened.close()
    document, text = whole_year
    named = {row["id"] for row in document["people"]}
    assert withheld and not named & withheld
    assert 0 < document["network"]["withheld"] <= len(withheld)
    assert not any(f"({pid})" in text for pid in withheld)


def test_the_summary_names_brokers_and_the_silo_for_a_moderator(
    demo_world: tuple[str, dict], whole_year: tuple[dict, str]
) -> None:
    _store, truth = demo_world
    text = whole_year[1]
    top = text.split("Top boundary spanners")[1].split("Silos")[0].splitlines()[1:6]
    assert "Silos (1 of 8 communities)" in text
    assert all(any(f"({broker})" in line for line in top) for broker in truth["brokers"])
    assert f"  {truth['silo_community']}: E-I −" in text
