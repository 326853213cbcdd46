"""The evaluators' API over a stored history: variants, suppression, charts, objectives and
stories, with the errors a client can make."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from graphsvc.model import Feedback, MetricValue
from graphsvc.store import GraphStore

Client = Callable[[str | None], FlaskClient]
COP = "cop-open-source"


def month(m: int) -> datetime:
    return datetime(2025, m, 1, tzinfo=UTC)


def value(
    scope: str,
    m: int,
    x: float | None,
    *,
    active: int = 20,
    definition: str = "t-1",
    computed: int = 1,
    parameters: str = '{"boundary":"cop","kinds":"all"}',
) -> MetricValue:
    kind, scope_id = ("network", "") if scope == "network" else ("community", scope)
    low = None if x is None else x - 0.02
    return MetricValue(
        month(m), month(m + 1), kind, scope_id, "cross_share", x, definition, parameters,
        low=low, high=None if x is None else x + 0.02, n_interactions=100, n_active=active,
        insufficient=x is None, computed_at=datetime(2026, 1, computed, tzinfo=UTC),
    )  # fmt: skip


class Evaluator:
    """A signed-in evaluator's client that sends the CSRF token with every write."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.headers = {"X-CSRF-Token": client.get("/api/v1/meta").get_json()["csrf_token"]}

    def get(self, url: str) -> TestResponse:
        return self.client.get(url)

    def post(self, url: str, json: object) -> TestResponse:
        return self.client.post(url, json=json, headers=self.headers)

    def delete(self, url: str) -> TestResponse:
        return self.client.delete(url, headers=self.headers)


@pytest.fixture
def evaluator(client_as: Client) -> Evaluator:
    return Evaluator(client_as("evaluator"))


@pytest.fixture
def history(store: GraphStore) -> GraphStore:
    rows = [value(COP, m, 0.20 + 0.02 * m) for m in range(1, 7)]
    rows.append(value(COP, 7, None))  # insufficient
    rows.append(value(COP, 8, 0.5, active=3))  # a group of 3: suppressed
    rows += [value(COP, m, 0.9, definition="t-0", computed=1) for m in (1, 2)]  # older variant
    rows += [value(COP, m, 0.1, computed=2) for m in (1, 2)]  # same definition, newer run
    rows += [value("network", m, 0.3, active=3) for m in (1, 2)]  # the network: never suppressed
    store.upsert_metric_values(rows)
    return store


def test_the_latest_variant_with_small_groups_suppressed(
    evaluator: Evaluator, history: GraphStore
) -> None:
    doc = evaluator.get(f"/api/v1/evaluation/indicators?community={COP}").get_json()
    assert [v["definition"] for v in doc["variants"]] == ["t-1", "t-0"]
    series = doc["series"]["cross_share"]
    assert [row["value"] for row in series][:2] == [0.1, 0.1]  # the newer run of the same key
    assert series[6]["insufficient"] and series[6]["value"] is None
    assert series[7]["suppressed"] and series[7]["value"] is None and series[7]["n_active"] == 3
    older = evaluator.get(
        f"/api/v1/evaluation/indicators?community={COP}&definition=t-0"
    ).get_json()
    assert [row["value"] for row in older["series"]["cross_share"]] == [0.9, 0.9]
    network = evaluator.get("/api/v1/evaluation/indicators").get_json()
    assert [row["value"] for row in network["series"]["cross_share"]] == [0.3, 0.3]


def test_the_chart_is_an_svg_of_the_series(evaluator: Evaluator, history: GraphStore) -> None:
    response = evaluator.get(f"/api/v1/evaluation/chart.svg?indicator=cross_share&community={COP}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag.endswith("svg") and "periods with data" in response.get_data(as_text=True)
    missing = evaluator.get("/api/v1/evaluation/chart.svg")
    assert missing.status_code == 400 and "indicator" in missing.get_json()["error"]


def test_an_objective_gets_its_status_and_can_be_removed(
    evaluator: Evaluator, history: GraphStore
) -> None:
    client = evaluator
    body = {"community": COP, "indicator": "cross_share", "baseline": 0.2, "min_n": 30,
            "baseline_at": "2025-01-01", "target": 0.3, "deadline": "2025-12-31"}  # fmt: skip
    made = client.post("/api/v1/objectives", json=body)
    assert made.status_code == 201, made.get_json()
    objective = made.get_json()["objective"]
    assert objective["author"] == "evaluator" and objective["periods"] == 8
    # the latest period with data is June (0.32 ± 0.02, ends 2025-07-01), well above the line
    assert objective["status"]["status"] == "green" and objective["status"]["value"] == 0.32
    listed = client.get(f"/api/v1/objectives?community={COP}").get_json()["items"]
    assert [o["id"] for o in listed] == [objective["id"]]
    chart = client.get(
        f"/api/v1/evaluation/chart.svg?indicator=cross_share&objective={objective['id']}"
    )
    assert b'class="trajectory"' in chart.data
    assert client.delete(f"/api/v1/objectives/{objective['id']}").status_code == 200
    assert client.delete(f"/api/v1/objectives/{objective['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [({"baseline": None}, "baseline"), ({"deadline": "2024-01-01"}, "deadline"),
     ({"target": 0.2}, "target"), ({"community": "nowhere"}, "nowhere"),
     ({"boundary": "planet"}, "boundary"), ({"baseline_at": "soon"}, "baseline_at")],
)  # fmt: skip
def test_a_bad_objective_is_refused_naming_the_field(
    evaluator: Evaluator, history: GraphStore, change: dict[str, object], field: str
) -> None:
    body = {"indicator": "cross_share", "baseline": 0.2, "baseline_at": "2025-01-01",
            "target": 0.3, "deadline": "2025-12-31", **change}  # fmt: skip
    response = evaluator.post("/api/v1/objectives", json=body)
    assert response.status_code in (400, 404) and field in response.get_json()["error"]


def test_stories_are_dated_attributed_and_removable(evaluator: Evaluator) -> None:
    client = evaluator
    made = client.post("/api/v1/stories", json={"text": "Two CoPs now run a joint pilot.",
                                                 "community": COP, "value_cycle": "applied",
                                                 "at": "2025-05-02"})  # fmt: skip
    assert made.status_code == 201
    story = made.get_json()["story"]
    assert story["author"] == "evaluator" and story["at"].startswith("2025-05-02")
    assert client.get(f"/api/v1/stories?community={COP}").get_json()["items"] == [story]
    bad = client.post("/api/v1/stories", json={"text": "x", "value_cycle": "magic"})
    assert bad.status_code == 400 and "value_cycle" in bad.get_json()["error"]
    assert client.delete(f"/api/v1/stories/{story['id']}").status_code == 200
    assert client.get("/api/v1/stories").get_json()["items"] == []


def test_a_community_is_benchmarked_against_network_peers_and_its_baseline(
    evaluator: Evaluator, history: GraphStore
) -> None:
    peers = [
        value(peer, 6, x) for peer, x in
        (("cop-data-science", 0.1), ("cop-climate-adaptation", 0.3), ("cop-procurement", 0.2))
    ]  # fmt: skip
    history.upsert_metric_values([*peers, value("network", 6, 0.25)])
    doc = evaluator.get(
        f"/api/v1/evaluation/benchmark?community={COP}&indicator=cross_share"
    ).get_json()
    # the latest period with a shown value: June, 0.32 ± 0.02 (July is insufficient, August
    # suppressed); the network 0.25 that month, the peers' median 0.2, its own first 0.1
    assert doc["latest"]["value"] == pytest.approx(0.32)
    refs = {r["name"]: r for r in doc["references"]}
    assert refs["network"]["value"] == 0.25 and refs["network"]["beyond_interval"]
    assert refs["peers"]["value"] == pytest.approx(0.2) and "3 peer" in refs["peers"]["label"]
    assert refs["baseline"]["difference"] == pytest.approx(0.32 - 0.1)


def test_the_value_table_fills_proxies_and_places_stories(
    evaluator: Evaluator, history: GraphStore
) -> None:
    made = evaluator.post("/api/v1/stories", json={"text": "Joint pilot.", "community": COP,
                                                   "value_cycle": "applied"})  # fmt: skip
    assert made.status_code == 201
    rows = {r["cycle"]: r for r in evaluator.get(f"/api/v1/evaluation/values?community={COP}")
            .get_json()["items"]}  # fmt: skip
    assert list(rows)[:3] == ["immediate", "potential", "applied"] and len(rows) == 8
    # the latest shown cross share is June's 0.32 (July insufficient, August suppressed)
    assert rows["applied"]["proxies"] == ["cross share: 32.0% (2025-06)"]
    assert [s["text"] for s in rows["applied"]["stories"]] == ["Joint pilot."]
    assert rows["immediate"]["proxies"][0].startswith("active people: 20")
    assert rows["realized"]["proxies"] == []  # not from the network


def test_the_enabling_value_counts_the_introductions_of_the_community(
    evaluator: Evaluator, history: GraphStore
) -> None:
    people = [p.id for p in list(history.list_people())[:3]]
    made = datetime(2020, 1, 1, tzinfo=UTC)  # long ago: its follow-up window has closed
    history.add_feedback([
        Feedback("f1", people[0], people[1], "accepted", made, community_id=COP),
        Feedback("f2", people[0], people[2], "accepted", made, community_id="elsewhere"),
    ])  # fmt: skip
    rows = {r["cycle"]: r for r in evaluator.get(f"/api/v1/evaluation/values?community={COP}")
            .get_json()["items"]}  # fmt: skip
    # one introduction of this community, no interaction within 60 days of 2020-01-01
    assert rows["enabling"]["proxies"] == ["introductions that became ties: 0% of 1"]


def test_tie_survival_equals_the_analytics_and_small_curves_are_suppressed(
    evaluator: Evaluator, store: GraphStore
) -> None:
    from analytics.tie_survival import survival_of

    body = evaluator.get(f"/api/v1/evaluation/ties?community={COP}&gap=60").get_json()
    assert body["ok"] and body["gap_days"] == 60
    expected = survival_of(
        store.interactions(), store.memberships(None, kind="cop"), community=COP, gap_days=60
    )
    assert expected is not None
    assert [(r["scope"], r["ties"], r["n"]) for r in body["items"]] == [
        (r["scope"], r["ties"], r["n"]) for r in expected
    ]
    for shown, computed in zip(body["items"], expected, strict=True):
        if not shown["suppressed"]:
            assert shown["surviving_90d"] == computed["surviving_90d"]
            assert shown["median_days"] == computed["median_days"]
    every = evaluator.get("/api/v1/evaluation/ties?gap=60").get_json()["items"]
    small = [r for r in every if r["n"] < 5]
    assert all(r["suppressed"] and r["surviving_30d"] is None for r in small)
    assert {r["scope"] for r in every} > {"network", COP}
    cohort = evaluator.get(f"/api/v1/evaluation/ties?community={COP}&start=2025-06-01")
    network = {r["ties"]: r["n"] for r in cohort.get_json()["items"] if r["scope"] == "network"}
    everyone = {r["ties"]: r["n"] for r in expected if r["scope"] == "network"}
    assert 0 < network["internal"] < everyone["internal"]  # only the ties formed since June
    assert evaluator.get("/api/v1/evaluation/ties?gap=0").status_code == 400
    assert evaluator.get("/api/v1/evaluation/ties?community=nope").status_code == 404
