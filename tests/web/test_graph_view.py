"""The explorer's graph documents: views, filters, flags, aggregation, sizes and privacy.

Small hand-built windows (expectations worked out by hand in the comments) and the demo
world of ``conftest.py`` in a real SQLite store with a real analysis report.
"""

from __future__ import annotations

import json
import math
import shutil
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from analytics.projection import Projection, ProjectionOptions, interaction_arrays, project
from analytics.report import AnalysisOptions, Report, analyze
from graphsvc.config import Settings
from graphsvc.demo import DemoWorld
from graphsvc.errors import NotFound, ValidationError
from graphsvc.model import InteractionKind, Membership
from graphsvc.store import open_store
from web.graph_view import PALETTE, ViewOptions, graph_document, group_entries, hashed_colour
from web.layout import LayoutCache
from web.view_people import display_ids

# Groups x: a b c h; y: d e h; z: f i; w: j; g has none. Ties (a–b twice):
# a–b, b–c, a–h, d–e, d–h inside groups; c–d (x|y), e–f (y|z), h–f ({x,y}|z), f–j (z|w)
# cross; a–g cross (g has no group). i has no tie.
TIES = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("a", "g"),
        ("h", "a"), ("h", "d"), ("h", "f"), ("f", "j")]  # fmt: skip
GROUPS = {"x": "abch", "y": "deh", "z": "fi", "w": "j"}
NAMES = {"x": "Group X", "y": "Group Y", "z": "Group Z", "w": "Group W"}


def window(ties: list[tuple[str, str]], groups: dict[str, str | list[str]]) -> Projection:
    rows = [(s, t, k) for k, (s, t) in enumerate(ties)]
    members = [Membership(p, g) for g, people in groups.items() for p in people]
    return project(interaction_arrays(rows), members)


def document(
    projection: Projection,
    report: Report | None = None,
    consent: dict[str, bool] | None = None,
    names: dict[str, str] | None = None,
    **options: object,
) -> dict:
    consent = consent if consent is not None else dict.fromkeys(projection.person_ids, True)
    doc = graph_document(
        projection, report, ViewOptions(**options),  # type: ignore[arg-type]
        names=names or {}, consent=consent, community_names=NAMES,
    )  # fmt: skip
    json.dumps(doc, allow_nan=False)  # plain JSON: no numpy values, no NaN
    return doc


@pytest.fixture(scope="module")
def small() -> Projection:
    return window(TIES, GROUPS)


def edge_flags(doc: dict) -> dict[str, tuple[bool, int]]:
    return {e["id"]: (e["cross"], e["count"]) for e in doc["edges"]}


def test_people_view_flags_cross_ties_and_keeps_stable_sorted_edge_ids(small: Projection) -> None:
    doc = document(small, view="people")
    assert doc["view"] == "people" and doc["total_people"] == 10
    assert [n["id"] for n in doc["nodes"]] == list("abcdefghij")
    assert edge_flags(doc) == {
        "a|b": (False, 2), "b|c": (False, 1), "a|h": (False, 1), "d|e": (False, 1),
        "d|h": (False, 1), "c|d": (True, 1), "e|f": (True, 1), "f|h": (True, 1),
        "f|j": (True, 1), "a|g": (True, 1),
    }  # fmt: skip
    assert all(e["from"] < e["to"] and not e["bridge"] for e in doc["edges"])
    node = {n["id"]: n for n in doc["nodes"]}
    assert node["h"]["group"] == "x" and node["h"]["groups"] == ["x", "y"]
    assert node["g"]["group"] is None and node["g"]["groups"] == []
    assert node["a"]["label"] == "a" and node["a"]["named"] and not node["a"]["ego"]
    assert [g["id"] for g in doc["groups"]] == ["w", "x", "y", "z"]
    assert doc["groups"][1]["name"] == "Group X"
    assert all(abs(n["x"]) <= 1000 and abs(n["y"]) <= 1000 for n in doc["nodes"])


def test_degree_sizes_scale_with_the_square_root_between_10_and_60(small: Projection) -> None:
    doc = document(small, view="people")
    # degrees: a d f h 3; b c e 2; g j 1; i 0 → size 10 + 50·√degree/√3
    size = {n["id"]: n["size"] for n in doc["nodes"]}
    value = {n["id"]: n["value"] for n in doc["nodes"]}
    assert value == {"a": 3, "b": 2, "c": 2, "d": 3, "e": 2, "f": 3, "g": 1, "h": 3,
                     "i": 0, "j": 1}  # fmt: skip
    for pid, degree in value.items():
        assert size[pid] == pytest.approx(10 + 50 * math.sqrt(degree / 3), abs=0.01)
    equal = document(window([("a", "b"), ("c", "d")], {"x": "abcd"}), view="people")
    assert {n["size"] for n in equal["nodes"]} == {20.0}


def test_auto_shows_people_up_to_the_threshold_then_communities(small: Projection) -> None:
    assert document(small, node_threshold=10)["view"] == "people"
    assert document(small, node_threshold=9)["view"] == "communities"
    # the filter counts: members of z are f and i
    assert document(small, node_threshold=2, communities=("z",))["view"] == "people"
    assert document(small, node_threshold=1, communities=("z",))["view"] == "communities"


def test_the_communities_filter_keeps_their_members_and_the_ties_among_them(
    small: Projection,
) -> None:
    doc = document(small, view="people", communities=("x", "z"))
    assert [n["id"] for n in doc["nodes"]] == list("abcfhi")
    assert set(edge_flags(doc)) == {"a|b", "b|c", "a|h", "f|h"}
    assert document(small, view="people", communities=("nowhere",))["nodes"] == []


def test_community_view_aggregates_cross_ties_with_their_carriers(small: Projection) -> None:
    doc = document(small, view="communities", highlight=frozenset({"silos", "brokers"}))
    assert doc["view"] == "communities" and doc["size_metric"] == "members"
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert {k: n["members"] for k, n in nodes.items()} == {"w": 1, "x": 4, "y": 3, "z": 2}
    assert nodes["x"]["label"] == "Group X" and not nodes["x"]["silo"]
    edges = {e["id"]: (e["count"], e["weight"], e["carriers"]) for e in doc["edges"]}
    # x|y: c–d; y|z: e–f and h–f (h also in x: ½ each of its weight to x|z and y|z);
    # carriers y→z: e, h; z→y: f → K = 1; w|z: f–j
    assert edges == {"x|y": (1, 1.0, 1), "y|z": (2, 1.5, 1), "x|z": (1, 0.5, 1),
                     "w|z": (1, 1.0, 1)}  # fmt: skip
    assert all(e["cross"] and not e["bridge"] for e in doc["edges"])
    assert doc["silos"] == [] and doc["brokers"] == [] and doc["bridges"] == []


def test_the_community_view_filter_adds_direct_neighbours(small: Projection) -> None:
    ids = [n["id"] for n in document(small, view="communities", communities=("x",))["nodes"]]
    assert ids == ["x", "y", "z"]  # w is two steps away
    ids = [n["id"] for n in document(small, view="communities", communities=("w",))["nodes"]]
    assert ids == ["w", "z"]


def brute_force_pairs(ties: list[tuple[str, str]], member_of: dict[str, set[str]]) -> dict:
    """Per community pair: ties between them, M2 weight and carriers, by plain loops."""
    count: dict[tuple[str, str], int] = defaultdict(int)
    weight: dict[tuple[str, str], float] = defaultdict(float)
    sides: dict[tuple[str, str], set[str]] = defaultdict(set)  # (A, B) → members of A
    tied = {tuple(sorted(t)): ties.count(t) + ties.count(t[::-1]) for t in ties}
    for (u, v), times in tied.items():
        mu, mv = member_of.get(u, set()), member_of.get(v, set())
        if mu & mv or not mu or not mv:
            continue
        for a in mu:
            for b in mv:
                pair = tuple(sorted((a, b)))
                count[pair] += 1
                weight[pair] += times / (len(mu) * len(mv))
                sides[(a, b)].add(u)
                sides[(b, a)].add(v)
    return {
        f"{a}|{b}": (count[(a, b)], pytest.approx(weight[(a, b)]),
                     min(len(sides[(a, b)]), len(sides[(b, a)])))
        for a, b in count
    }  # fmt: skip


def test_aggregated_pairs_and_carriers_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(4)
    people = [f"p{i:02d}" for i in range(40)]
    ties = [tuple(rng.choice(people, 2, replace=False)) for _ in range(120)]
    member_of: dict[str, set[str]] = {}
    for p in people[:35]:  # five people without a group
        member_of[p] = {f"g{g}" for g in rng.choice(5, rng.integers(1, 3), replace=False)}
    groups = {g: [p for p, own in member_of.items() if g in own] for g in sorted(
        {g for own in member_of.values() for g in own})}  # fmt: skip
    projection = window(ties, groups)  # type: ignore[arg-type]
    doc = document(projection, view="communities")
    got = {e["id"]: (e["count"], e["weight"], e["carriers"]) for e in doc["edges"]}
    assert got == brute_force_pairs(ties, member_of)  # type: ignore[arg-type]
    assert {n["id"]: n["members"] for n in doc["nodes"]} == {g: len(m) for g, m in groups.items()}


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_ego_view_is_the_networkx_ego_graph(hops: int) -> None:
    graph = nx.gnm_random_graph(60, 80, seed=11)
    ties = [(f"v{u:02d}", f"v{v:02d}") for u, v in graph.edges]
    projection = window(ties, {"x": [f"v{i:02d}" for i in range(30)]})
    for centre in (0, 7, 42):
        doc = document(projection, view="ego", person=f"v{centre:02d}", hops=hops)
        reference = nx.ego_graph(graph, centre, radius=hops)
        assert doc["view"] == "ego"
        assert {n["id"] for n in doc["nodes"]} == {f"v{v:02d}" for v in reference.nodes}
        assert {e["id"] for e in doc["edges"]} == {
            "|".join(sorted((f"v{u:02d}", f"v{v:02d}"))) for u, v in reference.edges
        }
        assert [n["id"] for n in doc["nodes"] if n["ego"]] == [f"v{centre:02d}"]


def test_ego_view_of_an_unknown_person_is_not_found(small: Projection) -> None:
    with pytest.raises(NotFound):
        document(small, view="ego", person="nobody")


# a private person, zed, is the only link between two triangles: the broker and both
# ends of the two bridges
SECRET_TIES = [("ann-1", "bob-2"), ("bob-2", "cat-3"), ("cat-3", "ann-1"), ("cat-3", "zed-99"),
               ("zed-99", "dan-4"), ("dan-4", "eve-5"), ("eve-5", "fay-6"), ("fay-6", "dan-4"),
               ("private-1", "ann-1")]  # fmt: skip
SECRET_GROUPS = {"x": ["ann-1", "bob-2", "cat-3", "private-1"], "y": ["dan-4", "eve-5", "fay-6"],
                 "z": ["zed-99"]}  # fmt: skip


@pytest.fixture(scope="module")
def secret_window() -> tuple[Projection, Report]:
    main = window(SECRET_TIES, SECRET_GROUPS)  # type: ignore[arg-type]
    members = [Membership(p, g) for g, people in SECRET_GROUPS.items() for p in people]
    flows = project(interaction_arrays([]), members, ProjectionOptions(directed=True),
                    people=main.person_ids, labels=main.labels)  # fmt: skip
    return main, analyze(main, flows, flows, AnalysisOptions(permutations=19))


def test_private_people_appear_under_a_pseudonym_and_nowhere_by_id_or_name(
    secret_window: tuple[Projection, Report],
) -> None:
    main, report = secret_window
    consent = {pid: pid != "zed-99" for pid in main.person_ids}
    names = {pid: f"Name of {pid}" for pid in main.person_ids} | {"zed-99": "Zedekiah"}
    every = frozenset({"brokers", "bridges", "silos"})
    views = [{"view": "people"}, {"view": "communities"}, {"view": "ego", "person": "zed-99"},
             {"view": "ego", "person": "cat-3", "hops": 2}]  # fmt: skip
    for options in views:
        for metric in ("degree", "betweenness", "cross_betweenness", "participation"):
            doc = document(main, report, consent, names, highlight=every, size_metric=metric,
                           **options)  # fmt: skip
            text = json.dumps(doc)
            assert "zed-99" not in text and "Zedekiah" not in text, options
    doc = document(main, report, consent, names, view="people", highlight=every)
    private = [n for n in doc["nodes"] if not n["named"]]
    assert [(n["label"], n["id"]) for n in private] == [("(private)", "private--1")]
    # zed lies on every path between the triangles, beside cat and dan; ann links private-1
    assert doc["brokers"] == ["ann-1", "cat-3", "dan-4", "private--1"]
    assert sorted(doc["bridges"]) == [["cat-3", "private--1"], ["dan-4", "private--1"]]
    named = {n["id"]: n["label"] for n in doc["nodes"] if n["named"]}
    assert named["private-1"] == "Name of private-1"  # a real id that looks like a pseudonym
    ego = document(main, report, consent, names, view="ego", person="zed-99")
    # pseudonyms are per document: the real private-1 is not among zed's neighbours
    assert [(n["id"], n["named"]) for n in ego["nodes"] if n["ego"]] == [("private-1", False)]
    # no one is named without consent saying so
    assert all(not n["named"] for n in document(main, consent={})["nodes"])


def test_display_ids_number_private_people_in_order() -> None:
    assert display_ids(["a", "b", "c"], [False, True, False]) == ["private-1", "b", "private-2"]
    assert display_ids(["private-2", "b"], [True, False]) == ["private-2", "private--1"]


def test_without_a_report_only_degree_sizes_and_nothing_is_highlighted(
    secret_window: tuple[Projection, Report],
) -> None:
    main, report = secret_window
    every = frozenset({"brokers", "bridges", "silos"})
    doc = document(main, None, size_metric="betweenness", highlight=every, view="people")
    assert doc["size_metric"] == "degree"
    assert doc["brokers"] == doc["bridges"] == doc["silos"] == []
    assert not any(n["broker"] for n in doc["nodes"])
    with_report = document(main, report, size_metric="betweenness", view="people")
    assert with_report["size_metric"] == "betweenness" and with_report["brokers"] == []
    value = {n["id"]: n["value"] for n in with_report["nodes"]}
    scores = dict(zip(main.person_ids, report.metrics.betweenness.scores.tolist(), strict=True))
    assert value == pytest.approx(scores)
    assert all(10 <= n["size"] <= 60 for n in with_report["nodes"])


def test_layouts_are_reused_from_the_cache_under_the_callers_key(small: Projection) -> None:
    cache = LayoutCache(maxsize=4)
    consent = dict.fromkeys(small.person_ids, True)

    def positions(**options: object) -> list[tuple[float, float]]:
        doc = graph_document(
            small, None, ViewOptions(**options), names={}, consent=consent,  # type: ignore[arg-type]
            community_names={}, layout_cache=cache, layout_key=("window", 1),
        )  # fmt: skip
        return [(n["x"], n["y"]) for n in doc["nodes"]]

    first = positions(view="people")
    assert positions(view="people") == first and cache.hits == 1
    positions(view="people", communities=("x",))
    positions(view="communities")
    assert len(cache) == 3 and cache.hits == 1


def test_group_colours_stay_with_their_community() -> None:
    names = {f"c{i:02d}": f"C {i}" for i in range(12)}
    everyone = group_entries(tuple(sorted(names)), names)
    assert [g["color"] for g in everyone[:9]] == list(PALETTE)
    assert everyone[9]["color"] == PALETTE[0]  # the palette cycles
    some = group_entries(("c03", "c11"), names)
    assert [g["color"] for g in some] == [everyone[3]["color"], everyone[11]["color"]]
    assert group_entries(("new",), names)[0] == {
        "id": "new", "name": "new", "color": hashed_colour("new"),
    }  # fmt: skip
    assert hashed_colour("new") in PALETTE


@pytest.mark.parametrize(
    ("options", "field"),
    [({"view": "map"}, "view"), ({"size_metric": "age"}, "size"), ({"hops": 0}, "hops"),
     ({"hops": 4}, "hops"), ({"highlight": frozenset({"stars"})}, "highlight"),
     ({"view": "ego"}, "person"), ({"node_threshold": 0}, "node_threshold")],
)  # fmt: skip
def test_bad_options_are_refused_naming_the_parameter(options: dict, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ViewOptions(**options)
    assert error.value.field == field


# --- the demo world with a real report ------------------------------------------------


@pytest.fixture(scope="module")
def demo(
    demo_db: Path, demo_world: DemoWorld, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Projection, Report, dict[str, bool], dict[str, str]]:
    """The demo world's whole period from a real SQLite store, analysed."""
    copy = tmp_path_factory.mktemp("graph-view") / "graph.db"
    shutil.copy(demo_db, copy)
    store = open_store(Settings(store=f"sqlite:///{copy}"))
    try:
        end = max(i.at for i in demo_world.interactions) + timedelta(seconds=1)
        members = store.memberships(as_of=end, kind="cop")
        main = project(store.interactions(None, end), members, ProjectionOptions(end=end))
        flow_kinds = (InteractionKind.KNOWLEDGE_EXCHANGE, InteractionKind.MENTORING)
        flows = project(store.interactions(None, end), members,
                        ProjectionOptions(end=end, directed=True, kinds=flow_kinds),
                        people=main.person_ids, labels=main.labels)  # fmt: skip
        people = list(store.list_people())
    finally:
        store.close()
    consent = {p.id: p.consent for p in people}
    names = {p.id: p.name for p in people if p.consent}
    report = analyze(main, flows, flows, AnalysisOptions(permutations=49), consent=consent,
                     names=names)  # fmt: skip
    return main, report, consent, names


def test_demo_brokers_bridges_and_silos_are_the_reports(
    demo: tuple[Projection, Report, dict[str, bool], dict[str, str]], demo_world: DemoWorld
) -> None:
    main, report, consent, names = demo
    every = frozenset({"brokers", "bridges", "silos"})
    doc = document(main, report, consent, names, view="people", highlight=every)
    flagged = [n for n in doc["nodes"] if n["broker"]]
    assert len(flagged) == report.options.top == len(doc["brokers"])
    planted = {b for b in demo_world.ground_truth["brokers"] if consent[b]}
    assert planted and planted <= set(doc["brokers"])
    analysed = report.to_dict()
    listed = {
        tuple(sorted((b["a"], b["b"]))) for b in analysed["bridges"]["cross_group_local_bridges"]
    }
    named_bridges = {tuple(pair) for pair in doc["bridges"] if all(consent.get(p) for p in pair)}
    assert named_bridges == listed and len(doc["bridges"]) >= len(listed)
    assert doc["silos"] == [c["id"] for c in analysed["communities"] if c["silo"]]
    for metric in ("degree", "betweenness", "cross_betweenness", "participation"):
        sized = document(main, report, consent, names, view="people", size_metric=metric)
        assert all(10 <= n["size"] <= 60 for n in sized["nodes"])
    private = {pid for pid, ok in consent.items() if not ok} & set(main.person_ids)
    assert private and not any(n["id"] in private for n in doc["nodes"])


def test_demo_community_view_matches_the_reports_tie_matrix(
    demo: tuple[Projection, Report, dict[str, bool], dict[str, str]],
) -> None:
    main, report, consent, names = demo
    with_report = document(main, report, consent, names, view="communities")
    without = document(main, None, consent, names, view="communities")

    def pairs(doc: dict) -> dict:
        return {
            e["id"]: (e["count"], pytest.approx(e["weight"]), e["carriers"]) for e in doc["edges"]
        }

    assert pairs(with_report) == pairs(without) and len(with_report["edges"]) > 5
    silos = [n["id"] for n in with_report["nodes"] if n["silo"]]
    assert silos == [c["id"] for c in report.to_dict()["communities"] if c["silo"]]
    assert any(e["bridge"] for e in with_report["edges"])
