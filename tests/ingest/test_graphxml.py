"""GraphML and GEXF: networkx's files read in, ours read by networkx, store round trips,
bad input refused with file and line, and bounded memory on a large file."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from defusedxml import ElementTree as SafeTree

from graphsvc import demo
from graphsvc.batching import write_all
from graphsvc.config import Settings
from graphsvc.errors import InputError, ValidationError
from graphsvc.interchange import SPECS
from graphsvc.model import (
    Activity,
    Community,
    Interaction,
    Membership,
    Participation,
    Person,
    interaction_id,
)
from graphsvc.store import GraphStore, open_store
from ingest.graphxml import open_graph_file, write_gexf, write_graphml
from ingest.outcome import ImportResult
from ingest.runner import ImportOptions, run_dataset
from ingest.writer import store_sources

SETTINGS = Settings(batch_size=500)
WRITERS = {"graphml": write_graphml, "gexf": write_gexf}
GRAPHML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def load(store: GraphStore, path: Path, *, strict: bool = False, **kw: str) -> ImportResult:
    """What ``run_import`` does for a graph file (the lead wires it into ``open_dataset``)."""
    options = ImportOptions(strict=strict)
    return run_dataset(store, str(path), lambda: open_graph_file(path, **kw), SETTINGS, options)


def records(store: GraphStore) -> dict[str, list[Any]]:
    return {entity: list(getattr(store, f"list_{entity}")()) for entity in SPECS}


def new_store(path: Path) -> GraphStore:
    return open_store(Settings(store=f"sqlite:///{path}"))


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """The demo world (120 people, 3 months) in a SQLite store; tests only read it."""
    store = new_store(tmp_path_factory.mktemp("demo") / "demo.db")
    world = demo.generate(people=120, months=3)
    for entity in SPECS:
        write_all(store, entity, getattr(world, entity), 500)
    yield store
    store.close()


# --- 1. networkx's writers → our reader ---------------------------------------------------


def networkx_graph(directed: bool, gexf: bool) -> nx.Graph:
    """A small CoP graph as a networkx user would build it (times as GEXF ``start``)."""
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_node(
        "ana",
        type="person",
        name="Ana Novak",
        email="ana@example.org",
        topics="graphs;python",
        mentor_capacity=2,
        consent=False,
        team="blue",
    )
    graph.add_node("bo", name="Bo Berg", organisation="Acme")  # no type: a person
    graph.add_node("cy", type="person", name="Cy")
    graph.add_node("cop1", type="community", name="Graph CoP", description="Graphs & <more>")
    graph.add_node("ws1", type="activity", name="Kick-off", kind="workshop", community_id="cop1")
    graph.nodes["ws1"]["start"] = "2024-03-01T09:00:00Z"
    time_key = "start" if gexf else "at"
    graph.add_edge("ana", "bo", id="i1", kind="mentoring", weight=2.5, topic="graphs")
    graph.edges["ana", "bo"][time_key] = "2024-03-02T10:00:00Z"
    graph.add_edge("bo", "cy", **{time_key: "2024-03-03"})  # kind: the default
    graph.add_edge("ana", "cop1", role="moderator", **{"since": "2024-01-01T00:00:00Z"})
    graph.add_edge("ws1", "cy", role="speaker", **{time_key: "2024-03-01T09:00:00Z"})
    return graph


def expected_from_networkx(directed: bool, bo_cy_id: str) -> dict[str, list[object]]:
    return {
        "people": [
            Person(
                "ana",
                "Ana Novak",
                email="ana@example.org",
                topics=("graphs", "python"),
                mentor_capacity=2,
                consent=False,
                attrs={"team": "blue"},
            ),
            Person("bo", "Bo Berg", organisation="Acme"),
            Person("cy", "Cy"),
        ],
        "communities": [Community("cop1", "Graph CoP", description="Graphs & <more>")],
        "memberships": [Membership("ana", "cop1", "moderator", since=utc("2024-01-01"))],
        "interactions": sorted(
            [
                Interaction(
                    "i1",
                    "mentoring",
                    "ana",
                    "bo",
                    utc("2024-03-02T10:00:00"),
                    weight=2.5,
                    directed=directed,
                    topic="graphs",
                ),
                Interaction(
                    bo_cy_id, "collaboration", "bo", "cy", utc("2024-03-03"), directed=directed
                ),
            ],
            key=lambda interaction: interaction.id,
        ),
        "activities": [Activity("ws1", "Kick-off", utc("2024-03-01T09:00:00"), "workshop", "cop1")],
        "participations": [Participation("ws1", "cy", "speaker", at=utc("2024-03-01T09:00:00"))],
    }


@pytest.mark.parametrize("directed", [True, False], ids=["directed", "undirected"])
def test_networkx_graphml_reads_back_as_the_same_graph(
    tmp_path: Path, sqlite_store: GraphStore, directed: bool
) -> None:
    path = tmp_path / "g.graphml"
    nx.write_graphml(networkx_graph(directed, gexf=False), path)
    result = load(sqlite_store, path)
    assert result.ok, result.run.errors
    # networkx writes no GraphML edge ids for a simple graph: the `id` attribute or a hash
    bo_cy = interaction_id("bo", "cy", "collaboration", utc("2024-03-03"))
    assert records(sqlite_store) == expected_from_networkx(directed, bo_cy)


@pytest.mark.parametrize("directed", [True, False], ids=["directed", "undirected"])
def test_networkx_gexf_reads_back_as_the_same_graph(
    tmp_path: Path, sqlite_store: GraphStore, directed: bool
) -> None:
    path = tmp_path / "g.gexf"
    nx.write_gexf(networkx_graph(directed, gexf=True), path)
    result = load(sqlite_store, path)
    assert result.ok, result.run.errors
    # GEXF edges always have ids; networkx numbers those without an `id` attribute
    bo_cy = SafeTree.parse(path).getroot().findall(".//{*}edge[@source='bo']")[0].get("id")
    assert bo_cy is not None
    assert records(sqlite_store) == expected_from_networkx(directed, bo_cy)


# --- 2. our writers → networkx's readers --------------------------------------------------


def expected_edges(store: GraphStore) -> list[tuple[str, str]]:
    edges = [(m.person_id, m.community_id) for m in store.list_memberships()]
    edges += [(i.source_id, i.target_id) for i in store.list_interactions()]
    edges += [(p.person_id, p.activity_id) for p in store.list_participations()]
    return sorted(edges)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_networkx_reads_our_files(tmp_path: Path, demo_store: GraphStore, fmt: str) -> None:
    path = tmp_path / f"g.{fmt}"
    counts = WRITERS[fmt](path, store_sources(demo_store), mark_undirected_edges=False)
    assert counts == {e: n for e, n in demo_store.counts().items() if e in SPECS}
    graph = nx.MultiDiGraph(nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path))
    people, communities = list(demo_store.list_people()), list(demo_store.list_communities())
    activities = list(demo_store.list_activities())
    assert set(graph.nodes) == {r.id for r in [*people, *communities, *activities]}
    assert sorted((u, v) for u, v, _ in graph.edges(keys=True)) == expected_edges(demo_store)
    for person in people:
        node = graph.nodes[person.id]
        assert node["type"] == "person" and node["label"] == person.name
        assert node["mentor_capacity"] == person.mentor_capacity
        assert node["consent"] is person.consent
        assert node.get("topics", "") == ";".join(person.topics)
        assert {k: node[k] for k in person.attrs} == person.attrs
    for community in communities:
        assert graph.nodes[community.id]["kind"] == community.kind.value
    by_id = {data.get("id", key): data for _u, _v, key, data in graph.edges(keys=True, data=True)}
    for interaction in demo_store.list_interactions():
        data = by_id[interaction.id]
        assert data["kind"] == interaction.kind.value
        assert data["directed"] is interaction.directed
        assert data["weight"] == interaction.weight
        assert datetime.fromisoformat(data["at"]) == interaction.at


@pytest.mark.parametrize(
    ("fmt", "mark"), [("graphml", 'directed="false"'), ("gexf", 'type="undirected"')]
)
def test_undirected_interactions_are_marked_per_edge(
    tmp_path: Path, demo_store: GraphStore, fmt: str, mark: str
) -> None:
    path = tmp_path / f"g.{fmt}"
    WRITERS[fmt](path, store_sources(demo_store))
    undirected = sum(not i.directed for i in demo_store.list_interactions())
    assert 0 < undirected < len(list(demo_store.list_interactions()))
    edge_lines = [line for line in path.read_text("utf-8").splitlines() if "<edge " in line]
    assert sum(mark in line for line in edge_lines) == undirected
    root = SafeTree.parse(path).getroot()  # well-formed
    assert len(root.findall(".//{*}edge")) == len(edge_lines)


# --- 3. store → file → store ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_store_round_trip_gives_identical_records_and_bytes(
    tmp_path: Path, demo_store: GraphStore, fmt: str
) -> None:
    path = tmp_path / f"g.{fmt}"
    WRITERS[fmt](path, store_sources(demo_store))
    copy = new_store(tmp_path / "copy.db")
    result = load(copy, path)
    assert result.ok, result.run.errors[:5]
    assert records(copy) == records(demo_store)
    WRITERS[fmt](tmp_path / f"again.{fmt}", store_sources(copy))
    assert (tmp_path / f"again.{fmt}").read_bytes() == path.read_bytes()
    assert not list(tmp_path.glob("*.tmp"))
    copy.close()


def awkward_records() -> dict[str, list[object]]:
    """Quotes, markup, newlines, tabs, non-ASCII, and one id used by three entities."""
    text = 'He said "hi" <b>&amp;</b>\nline two\tend ünïcødé ✓'
    return {
        "people": [
            Person("x", 'Zoë "Q" <&>', attrs={"naïve key": text, "a&b": "<1>"}),
            Person("p2", "", email="p2@example.org", attrs={"type": "dropped", "n": "1"}),
        ],
        "communities": [
            Community("x", "X & Y", description=text),
            Community("c2", "C2", "team", "x"),
        ],
        "memberships": [Membership("x", "x", "mentor", until=utc("2024-05-01T10:00:00.25"))],
        "interactions": [
            Interaction('a"b<c>', "communication", "x", "p2", utc("2024-03-01"), topic=text),
            Interaction("u1", "collaboration", "p2", "x", utc("2024-03-02"), 0.5, False),
        ],
        "activities": [Activity("x", "Act", utc("2024-03-01"), end=utc("2024-03-02"))],
        "participations": [Participation("x", "x", "organiser")],
    }


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_awkward_values_and_shared_ids_survive_a_round_trip(tmp_path: Path, fmt: str) -> None:
    source = new_store(tmp_path / "source.db")
    data = awkward_records()
    for entity in SPECS:
        write_all(source, entity, data[entity], 10)
    path = tmp_path / f"g.{fmt}"
    WRITERS[fmt](path, store_sources(source), mark_undirected_edges=False)
    copy = new_store(tmp_path / "copy.db")
    assert load(copy, path).ok
    expected = records(source)
    p2 = Person("p2", "", email="p2@example.org", attrs={"n": "1"})  # attr `type` left out
    expected["people"] = [p2 if p.id == "p2" else p for p in expected["people"]]
    assert records(copy) == expected
    graph = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert {"person:x", "community:x", "activity:x", "p2", "c2"} == set(graph.nodes)
    source.close()
    copy.close()


def test_a_value_xml_cannot_hold_is_refused_and_nothing_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    path.write_text("old", encoding="utf-8")
    people = [Person("p1", "Ana"), Person("p2", "Bad\x0bName")]
    with pytest.raises(ValidationError) as caught:
        write_graphml(path, {"people": lambda: iter(people)})
    assert str(caught.value).startswith("person p2: name: contains the character U+000B")
    assert path.read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob("*.tmp"))


# --- 4. bad input ----------------------------------------------------------------------------

GOOD_NODES = (
    '<key id="t" for="node" attr.name="type" attr.type="string"/>\n'
    '<key id="at" for="edge" attr.name="at" attr.type="string"/>\n'
    '<graph edgedefault="directed">\n'
    '<node id="p1"/>\n<node id="p2"/>\n'
    '<node id="c1"><data key="t">community</data></node>\n'
    '<node id="c2"><data key="t">community</data></node>\n'
)


def graphml(tmp_path: Path, body: str, name: str = "g.graphml") -> tuple[Path, str]:
    text = GRAPHML_HEAD + GOOD_NODES + body + "</graph>\n</graphml>\n"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


def test_edge_problems_name_the_line_of_the_edge(tmp_path: Path, sqlite_store: GraphStore) -> None:
    path, text = graphml(
        tmp_path,
        '<edge source="p1" target="p2"><data key="at">2024-03-01</data></edge>\n'
        '<edge id="e-unknown" source="p1" target="n9"><data key="at">2024-03-01</data></edge>\n'
        '<edge id="e-pair" source="c1" target="c2"/>\n'
        '<edge id="e-no-time" source="p2" target="p1"/>\n'
        '<edge id="e-kind" source="p2" target="p1" directed="sideways">'
        '<data key="at">2024-03-01</data></edge>\n',
    )
    result = load(sqlite_store, path)
    assert sorted(result.run.errors) == sorted(
        [
            f"g.graphml:{line_of(text, 'e-unknown')}: target: unknown node 'n9'",
            f"g.graphml:{line_of(text, 'e-pair')}: (edge): unsupported edge between a community"
            " and a community (supported: person–person, person–community, person–activity)",
            f"g.graphml:{line_of(text, 'e-kind')}: directed: 'sideways' is not one of:"
            " directed, undirected, mutual, true, false",
            f"g.graphml:{line_of(text, 'e-no-time')}: at: is required",
        ]
    )
    assert result.bad_rows == 4
    assert [(i.source_id, i.target_id) for i in sqlite_store.list_interactions()] == [("p1", "p2")]


def test_strict_mode_loads_nothing_from_a_file_with_a_bad_edge(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    path, _ = graphml(tmp_path, '<edge source="p1" target="n9"/>\n')
    result = load(sqlite_store, path, strict=True)
    assert result.rejected == ("g.graphml",)
    assert sqlite_store.counts()["people"] == 0


def test_unknown_node_attributes_are_row_problems_except_for_people(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    body = (
        '<key id="x" for="node" attr.name="colour" attr.type="string"/>\n'
        '<graph edgedefault="undirected">\n'
        '<node id="p1"><data key="x">red</data></node>\n'
        '<node id="c1"><data key="t">community</data><data key="x">red</data></node>\n'
        '<node id="q1"><data key="t">planet</data></node>\n'
    )
    text = GRAPHML_HEAD + '<key id="t" for="node" attr.name="kind_of" attr.type="string"/>\n'
    text += body + "</graph>\n</graphml>\n"
    path = tmp_path / "g.graphml"
    path.write_text(text, encoding="utf-8")
    result = load(sqlite_store, path, node_type_attr="kind_of")
    assert sorted(result.run.errors) == [
        f"g.graphml:{line_of(text, 'c1')}: colour: unknown field",
        f"g.graphml:{line_of(text, 'q1')}: kind_of: 'planet' is not one of:"
        " person, community, activity",
    ]
    assert [p.attrs for p in sqlite_store.list_people()] == [{"colour": "red"}]


def test_edges_may_come_before_their_nodes(tmp_path: Path, sqlite_store: GraphStore) -> None:
    text = GRAPHML_HEAD + (
        '<key id="at" for="edge" attr.name="at" attr.type="string"/>\n'
        '<key id="k" for="edge" attr.name="kind" attr.type="string">'
        "<default>knowledge_exchange</default></key>\n"
        '<graph edgedefault="undirected">\n'
        '<edge source="p1" target="p2"><data key="at">2024-03-01</data></edge>\n'
        '<edge source="p2" target="p1"/>\n'
        '<data key="g">2024-04-01</data>\n'
        '<node id="p1"/><node id="p2"/>\n'
        "</graph>\n</graphml>\n"
    ).replace("<graph ", '<key id="g" for="graph" attr.name="at"/>\n<graph ')
    path = tmp_path / "g.graphml"
    path.write_text(text, encoding="utf-8")
    assert load(sqlite_store, path).ok
    got = [(i.source_id, i.kind.value, i.at, i.directed) for i in sqlite_store.list_interactions()]
    assert sorted(got) == [
        ("p1", "knowledge_exchange", utc("2024-03-01"), False),
        ("p2", "knowledge_exchange", utc("2024-04-01"), False),
    ]


def test_a_gephi_gexf_13_file_with_spells_viz_and_lists(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <meta lastmodifieddate="2024-03-01"><creator>Gephi 0.10</creator></meta>
  <graph defaultedgetype="directed" mode="dynamic" timeformat="dateTime">
    <attributes class="node" mode="static">
      <attribute id="0" title="type" type="string"><default>person</default></attribute>
      <attribute id="1" title="topics" type="liststring"/>
      <attribute id="2" title="modularity_class" type="integer"/>
    </attributes>
    <attributes class="edge" mode="static">
      <attribute id="0" title="role" type="string"/>
    </attributes>
    <nodes>
      <node id="a" label="Ana">
        <attvalues><attvalue for="1" value="[graphs, python]"/>
          <attvalue for="2" value="3"/></attvalues>
        <viz:color r="10" g="20" b="30"/><viz:position x="1.5" y="2" z="0"/><viz:size value="4"/>
      </node>
      <node id="b" label="Bo"><attvalues><attvalue for="1" value="ux|research"/></attvalues></node>
      <node id="w" label="Sprint">
        <attvalues><attvalue for="0" value="activity"/></attvalues>
        <spells><spell start="2024-03-04T09:00:00" end="2024-03-08T17:00:00"/></spells>
      </node>
    </nodes>
    <edges>
      <edge id="e1" source="a" target="b" kind="mentoring" weight="3" type="mutual">
        <spells><spell start="2024-03-05T10:00:00"/></spells>
        <viz:color r="1" g="2" b="3"/>
      </edge>
      <edge id="e2" source="b" target="a" timestamp="2024-03-06T10:00:00"/>
      <edge id="e3" source="w" target="b" weight="1.0" timestamp="2024-03-04T09:00:00">
        <attvalues><attvalue for="0" value="organiser"/></attvalues>
      </edge>
    </edges>
  </graph>
</gexf>
"""
    path = tmp_path / "gephi.gexf"
    path.write_text(text, encoding="utf-8")
    result = load(sqlite_store, path, default_kind="communication")
    assert result.ok, result.run.errors
    people = list(sqlite_store.list_people())
    assert [(p.id, p.name, p.topics, p.attrs) for p in people] == [
        ("a", "Ana", ("graphs", "python"), {"modularity_class": "3"}),
        ("b", "Bo", ("ux", "research"), {}),
    ]
    assert list(sqlite_store.list_interactions()) == [
        Interaction("e1", "mentoring", "a", "b", utc("2024-03-05T10:00"), 3.0, directed=False),
        Interaction("e2", "communication", "b", "a", utc("2024-03-06T10:00"), directed=True),
    ]
    assert list(sqlite_store.list_activities()) == [
        Activity("w", "Sprint", utc("2024-03-04T09:00"), end=utc("2024-03-08T17:00"))
    ]
    assert list(sqlite_store.list_participations()) == [
        Participation("w", "b", "organiser", utc("2024-03-04T09:00"))
    ]


def test_yed_graphics_are_ignored(tmp_path: Path, sqlite_store: GraphStore) -> None:
    text = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
  <key for="node" id="d5" attr.name="description" attr.type="string"/>
  <key for="node" id="d6" yfiles.type="nodegraphics"/>
  <key for="node" id="d7" attr.name="type" attr.type="string"/>
  <graph edgedefault="directed" id="G">
    <node id="n0">
      <data key="d5">Everything about graphs</data>
      <data key="d6"><y:ShapeNode><y:Geometry height="30.0" width="30.0" x="1" y="2"/>
        <y:NodeLabel>Graph CoP</y:NodeLabel></y:ShapeNode></data>
      <data key="d7">community</data>
    </node>
  </graph>
</graphml>
"""
    path = tmp_path / "yed.graphml"
    path.write_text(text, encoding="utf-8")
    assert load(sqlite_store, path).ok
    assert list(sqlite_store.list_communities()) == [
        Community("n0", "", description="Everything about graphs")
    ]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE graphml [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node id="&lol3;"/></graph></graphml>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE gexf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<gexf xmlns="http://www.gexf.net/1.2draft"><graph><nodes>
<node id="a" label="&secret;"/></nodes></graph></gexf>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE graphml SYSTEM "file:///etc/passwd">
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph/></graphml>
"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "g.graphml",
            GRAPHML_HEAD + '<graph>\n<node id="a">\n</edge>\n</graph></graphml>\n',
            "g.graphml:5: malformed XML: mismatched tag",
        ),
        ("g.graphml", "", "g.graphml: empty file (expected a <graphml> root)"),
        (
            "g.gexf",
            GRAPHML_HEAD + "<graph/></graphml>\n",
            "g.gexf:2: not a GEXF document: the root element is <graphml>, expected <gexf>",
        ),
        (
            "g.graphml",
            BILLION_LAUGHS,
            "g.graphml:3: refused: the file declares the XML entity 'lol'",
        ),
        (
            "g.gexf",
            EXTERNAL_ENTITY,
            "g.gexf:2: refused: the file declares the XML entity 'secret'",
        ),
        (
            "g.graphml",
            EXTERNAL_DTD,
            "g.graphml:2: refused: the file refers to the external resource 'file:///etc/passwd'",
        ),
        ("g.xml", GRAPHML_HEAD, "g.xml: not a graph file (expected .graphml or .gexf)"),
    ],
    ids=["malformed", "empty", "wrong-root", "billion-laughs", "xxe", "external-dtd", "suffix"],
)
def test_unreadable_files_raise_input_error_and_load_nothing(
    tmp_path: Path, sqlite_store: GraphStore, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(sqlite_store, path)
    assert str(caught.value).startswith(message)
    assert sqlite_store.counts()["people"] == 0


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    text = GRAPHML_HEAD + '<graph>\n<node id="Zoë"/>\n</graph></graphml>\n'
    path.write_bytes(text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1"))
    with pytest.raises(InputError) as caught:
        open_graph_file(path)
    assert str(caught.value) == ("g.graphml:4: not UTF-8 text (byte 0xeb); save the file as UTF-8")


# --- 5. memory -------------------------------------------------------------------------------


def write_large_graphml(path: Path, people: int, edges: int) -> None:
    """A GraphML file of ``edges`` interactions with a long topic each, written directly."""
    topic = "knowledge sharing across communities of practice " * 14
    with path.open("w", encoding="utf-8") as handle:
        handle.write(GRAPHML_HEAD)
        handle.write('<key id="at" for="edge" attr.name="at" attr.type="string"/>\n')
        handle.write('<key id="tp" for="edge" attr.name="topic" attr.type="string"/>\n')
        handle.write('<graph edgedefault="directed">\n')
        handle.writelines(f'<node id="p{i}"/>\n' for i in range(people))
        for i in range(edges):
            day = 1 + i % 28
            handle.write(
                f'<edge id="i{i}" source="p{i % people}" target="p{(i * 7 + 1) % people}">'
                f'<data key="at">2024-03-{day:02d}T10:00:00Z</data>'
                f'<data key="tp">{topic}{i}</data></edge>\n'
            )
        handle.write("</graph>\n</graphml>\n")


def test_a_large_file_is_parsed_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.graphml"
    write_large_graphml(path, people=1000, edges=20_000)
    size = path.stat().st_size
    started = time.perf_counter()
    tracemalloc.start()
    try:
        dataset = open_graph_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    with dataset:
        counts = {s.entity: sum(1 for _ in s.rows()) for s in dataset.units[0].sources}
        assert dataset.units[0].problems == []
    assert counts == {"people": 1000, "interactions": 20_000}
    assert size > 10_000_000
    assert peak < size / 5, f"peak {peak} bytes for a {size}-byte file"
    assert elapsed < 10
