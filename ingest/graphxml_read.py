"""Reading GraphML and GEXF files (Gephi, networkx, yEd) as an interchange dataset.

Nodes become people, communities or activities (the node attribute ``type``), edges become
interactions, memberships or participations (decided by the types of their two nodes);
docs/graph-formats.md has the full mapping. The file is parsed once, streaming
(``ingest.graphxml_parse``), and its records are spooled per entity into a temporary folder
so that the runner loads them in dependency order; the whole file is one
:class:`~ingest.reader.Unit` (``--strict`` accepts or rejects it as a whole).

Memory holds one entry per node (its type, to classify edges), never the edges: an edge
whose nodes have not been seen yet is parked in a spool file and classified at the end.
Edge problems (unknown node, unsupported pair of node types) are row messages naming the
line the ``<edge>`` starts on; malformed XML is an :class:`~graphsvc.errors.InputError`
raised before anything is loaded.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import IO

from graphsvc.errors import InputError, ValidationError
from graphsvc.interchange import SPECS, singular
from ingest.graphxml_parse import ROOTS, GraphElement, parse_graph_file
from ingest.reader import Dataset, Unit, check_utf8
from ingest.spool import Spooler

#: node ``type`` value → entity
NODE_ENTITIES = {SPECS[e].record_type: e for e in ("people", "communities", "activities")}
#: edge direction markers: GraphML ``directed``, GEXF ``type``
_DIRECTIONS = {"true": True, "1": True, "directed": True, "false": False, "0": False}
_DIRECTIONS |= {"undirected": False, "mutual": False}
#: Gephi's visual attributes as GraphML keys (colour, position, size): never fields
VISUAL_ATTRIBUTES = ("r", "g", "b", "x", "y", "z", "size")
#: edge attributes that never mean a field: labels, networkx's multigraph key, visuals
_IGNORED_EDGE_DATA = ("label", "networkx_key", *VISUAL_ATTRIBUTES)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

Node = tuple[str, str]  # (entity, record id)


def open_graph_file(
    path: Path, *, node_type_attr: str = "type", default_kind: str = "collaboration"
) -> Dataset:
    """Open a ``.graphml`` or ``.gexf`` file as a :class:`Dataset` of one unit.

    ``node_type_attr`` names the node attribute saying ``person`` (its default),
    ``community`` or ``activity``; ``default_kind`` is the kind of a person–person edge
    without a ``kind`` attribute. Raises :class:`InputError` (file, line, reason) when the
    file cannot be read as a whole: not UTF-8, malformed XML, wrong root element,
    entity declarations or external references.
    """
    label = path.name
    if path.suffix.lower() not in ROOTS:
        raise InputError(label, "not a graph file (expected .graphml or .gexf)")
    if not path.is_file():
        raise InputError(str(path), "is a folder, not a file" if path.exists() else "no such file")
    _check_bytes(path)
    tmp = tempfile.TemporaryDirectory(prefix="graphsvc-import-")
    try:
        unit = _spool_graph(path, Path(tmp.name), node_type_attr, default_kind)
    except BaseException:
        tmp.cleanup()
        raise
    return Dataset(path, [unit], _tmp=tmp)


def _check_bytes(path: Path) -> None:
    """Refuse empty and non-UTF-8 files up front (the parser reads the bytes as UTF-8)."""
    if path.stat().st_size == 0:
        raise InputError(path.name, f"empty file (expected a <{ROOTS[path.suffix.lower()]}> root)")
    check_utf8(path)


def _spool_graph(path: Path, folder: Path, node_type_attr: str, default_kind: str) -> Unit:
    spooler = Spooler(folder, path.name)
    mapper = GraphMapper(path.name, spooler, folder / "pending.edges", node_type_attr, default_kind)
    try:
        parse_graph_file(path, mapper)
        mapper.finish()
    finally:
        mapper.close()
        spooler.close()
    return Unit(path.name, spooler.sources(), mapper.problems)


class GraphMapper:
    """Turns parsed nodes and edges into interchange records in a :class:`Spooler`."""

    def __init__(
        self, label: str, spooler: Spooler, pending: Path, node_type_attr: str, default_kind: str
    ) -> None:
        self.label = label
        self.spooler = spooler
        self.node_type_attr = node_type_attr
        self.default_kind = default_kind
        self.problems: list[str] = []
        self._nodes: dict[str, str | Node] = {}  # element id → entity, or (entity, record id)
        self._graph: dict[str, str] = {}
        self._pending: IO[str] = pending.open("w+", encoding="utf-8")

    # --- GraphSink ---------------------------------------------------------------------------

    def graph_value(self, name: str, value: str) -> None:
        self._graph.setdefault(name, value)

    def node(self, element: GraphElement) -> None:
        try:
            element_id, entity, values = self._node_values(element)
        except ValidationError as exc:
            self._problem(element.line, exc)
            return
        record_id = str(values["id"])
        self._nodes.setdefault(
            element_id, entity if record_id == element_id else (entity, record_id)
        )
        self.spooler.add_text(entity, element.line, _JSON(values))

    def edge(self, element: GraphElement) -> None:
        if self._ready(element):
            self._map_edge(element)
        else:
            parked = [element.line, element.xml, element.data, element.directed]
            parked += [element.spell_start, element.spell_end]
            self._pending.write(_JSON(parked) + "\n")

    def finish(self) -> None:
        """Classify the edges parked until every node (and the graph's time) was known."""
        self._pending.seek(0)
        for text in self._pending:
            line, xml, data, directed, start, end = json.loads(text)
            self._map_edge(GraphElement("edge", line, xml, data, directed, start, end))

    def close(self) -> None:
        self._pending.close()

    # --- nodes -------------------------------------------------------------------------------

    def _node_values(self, element: GraphElement) -> tuple[str, str, dict[str, object]]:
        data = dict(element.data)
        for visual in VISUAL_ATTRIBUTES:
            data.pop(visual, None)
        type_name = data.pop(self.node_type_attr, None) or "person"
        entity = NODE_ENTITIES.get(type_name.strip().lower())
        if entity is None:
            known = ", ".join(NODE_ENTITIES)
            raise ValidationError(self.node_type_attr, f"{type_name!r} is not one of: {known}")
        element_id = element.xml.get("id", "")
        if not element_id:
            raise ValidationError("id", "is required (the node has no id)")
        values: dict[str, object] = {"id": data.pop("id", None) or element_id}
        name = data.pop("name", None) or data.pop("label", None) or element.xml.get("label")
        if name:
            values["name"] = name
        if entity == "activities":  # a GEXF node's lifetime is the activity's time
            start = element.xml.get("start") or element.spell_start
            end = element.xml.get("end") or element.spell_end
            for column, value in (("start", start), ("end", end)):
                if value and column not in data:
                    data[column] = value
        values.update(data)
        return element_id, entity, values

    # --- edges -------------------------------------------------------------------------------

    def _ready(self, element: GraphElement) -> bool:
        """Both nodes known and, for a person–person edge without a time, the graph's time.

        (GraphML allows graph-level data after the nodes, so that time may still come.)
        """
        source = self._nodes.get(element.xml.get("source", ""))
        target = self._nodes.get(element.xml.get("target", ""))
        if source is None or target is None:
            return False
        if _has_time(element) or "at" in self._graph or "start" in self._graph:
            return True
        return _entity_of(source) != "people" or _entity_of(target) != "people"

    def _lookup(self, element: GraphElement, end: str) -> Node:
        element_id = element.xml.get(end, "")
        if not element_id:
            raise ValidationError(end, "is required (the edge has no " + end + ")")
        node = self._nodes.get(element_id)
        if node is None:
            raise ValidationError(end, f"unknown node {element_id!r}")
        return (node, element_id) if isinstance(node, str) else node

    def _map_edge(self, element: GraphElement) -> None:
        try:
            entity, values = self._edge_values(element)
        except ValidationError as exc:
            self._problem(element.line, exc)
            return
        self.spooler.add_text(entity, element.line, _JSON(values))

    def _edge_values(self, element: GraphElement) -> tuple[str, dict[str, object]]:
        source, target = self._lookup(element, "source"), self._lookup(element, "target")
        pair = {source[0], target[0]}
        if pair == {"people"}:
            return "interactions", self._interaction(element, source[1], target[1])
        if pair == {"people", "communities"}:
            person, community = (source, target) if source[0] == "people" else (target, source)
            return "memberships", _membership(element, person[1], community[1])
        if pair == {"people", "activities"}:
            person, activity = (source, target) if source[0] == "people" else (target, source)
            return "participations", _participation(element, person[1], activity[1])
        between = f"a {singular(source[0])} and a {singular(target[0])}"
        raise ValidationError(
            "(edge)",
            f"unsupported edge between {between}"
            " (supported: person–person, person–community, person–activity)",
        )

    def _interaction(self, element: GraphElement, source: str, target: str) -> dict[str, object]:
        xml = element.xml
        values = _edge_data(element)
        values["source_id"], values["target_id"] = source, target
        edge_id = xml.get("id", "").strip()
        if edge_id and "id" not in values:  # an `id` attribute is the more deliberate one
            values["id"] = edge_id
        if "kind" not in values:
            values["kind"] = xml.get("kind") or self.default_kind
        if "at" not in values:
            at = _edge_time(element) or self._graph.get("at") or self._graph.get("start")
            if at:
                values["at"] = at
        if xml.get("weight"):
            values["weight"] = xml["weight"]
        marker = xml.get("directed", xml.get("type"))
        if marker is not None:
            values["directed"] = _direction(marker)
        elif "directed" not in values:
            values["directed"] = element.directed
        return values

    def _problem(self, line: int, exc: ValidationError) -> None:
        self.problems.append(f"{self.label}:{line}: {exc.field}: {exc.reason}")


def _edge_data(element: GraphElement, *also_ignored: str) -> dict[str, object]:
    values: dict[str, object] = dict(element.data)
    for name in (*_IGNORED_EDGE_DATA, *also_ignored):
        values.pop(name, None)
    return values


def _direction(marker: str) -> bool:
    """GraphML ``directed`` / GEXF ``type`` of one edge → directed?"""
    direction = _DIRECTIONS.get(marker.strip().lower())
    if direction is None:
        known = "directed, undirected, mutual, true, false"
        raise ValidationError("directed", f"{marker!r} is not one of: {known}")
    return direction


def _has_time(element: GraphElement) -> bool:
    return "at" in element.data or _edge_time(element) is not None


def _edge_time(element: GraphElement) -> str | None:
    xml = element.xml
    return xml.get("timestamp") or xml.get("start") or element.spell_start or None


def _membership(element: GraphElement, person: str, community: str) -> dict[str, object]:
    values = _edge_data(element, "weight")
    values["person_id"], values["community_id"] = person, community
    since = element.xml.get("start") or element.spell_start
    until = element.xml.get("end") or element.spell_end
    if since:
        values.setdefault("since", since)
    if until:
        values.setdefault("until", until)
    return values


def _participation(element: GraphElement, person: str, activity: str) -> dict[str, object]:
    values = _edge_data(element, "weight")
    values["activity_id"], values["person_id"] = activity, person
    at = _edge_time(element)
    if at:
        values.setdefault("at", at)
    return values


def _entity_of(node: str | Node) -> str:
    return node if isinstance(node, str) else node[0]


#: the file suffixes :func:`open_graph_file` reads
GRAPH_SUFFIXES = tuple(ROOTS)
