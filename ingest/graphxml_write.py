"""Writing a store as one GraphML or GEXF file (for Gephi, networkx, yEd, Cytoscape).

People, communities and activities become nodes with a ``type`` attribute; memberships,
interactions and participations become edges from the person to the community, person or
activity. Every field is a typed attribute (lists ``;``-joined, times ISO 8601 UTC with
``Z``, a person's attrs as further attributes), so the file reads back into the same
records (``ingest.graphxml_read``; the mapping is in docs/graph-formats.md).

Writing streams each entity's records from its source (people twice: once for the attr
names that must be declared up front) into ``path.tmp``, renamed over ``path`` when
complete. The output is deterministic: fixed declaration order, records in key order.
A value holding a character XML 1.0 cannot represent (control characters other than tab
and newlines) is refused with a :class:`~graphsvc.errors.ValidationError` naming the record.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, Record, RecordSource, record_key, singular, to_cells
from graphsvc.model import Person
from ingest.graphxml_read import VISUAL_ATTRIBUTES

NODE_ENTITIES = ("people", "communities", "activities")
#: edge entity → (field naming the source node, its entity, field naming the target, entity)
EDGE_ENDS = {
    "memberships": ("person_id", "people", "community_id", "communities"),
    "interactions": ("source_id", "people", "target_id", "people"),
    "participations": ("person_id", "people", "activity_id", "activities"),
}
#: a person's attrs with these names would read back as fields (or be ignored): left out
RESERVED_NODE_NAMES = frozenset({"type", "id", "label", *VISUAL_ATTRIBUTES}) | frozenset(
    SPECS["people"].column_names
)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;"}
    | {"\t": "&#9;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


@dataclass(frozen=True, slots=True)
class Attribute:
    """A declared attribute: its name and interchange cell kind (text, int, float, …)."""

    name: str
    kind: str


@dataclass(slots=True)
class Plan:
    """What must be known before the first node: declarations and ambiguous node ids."""

    node_attributes: list[Attribute] = field(default_factory=list)
    edge_attributes: list[Attribute] = field(default_factory=list)
    #: record ids used by nodes of two entities: those nodes get ``type:id`` element ids
    clashing: frozenset[str] = frozenset()

    def node_id(self, entity: str, record_id: str) -> str:
        return f"{singular(entity)}:{record_id}" if record_id in self.clashing else record_id


class Emitter:
    """The format-specific syntax; :func:`write_graph` drives it."""

    def __init__(self, handle: IO[str], plan: Plan, *, mark_undirected: bool) -> None:
        self.out = handle
        self.plan = plan
        self.mark_undirected = mark_undirected

    def begin(self) -> None: ...

    def begin_edges(self) -> None: ...

    def end(self) -> None: ...

    def node(self, element_id: str, name: str, values: dict[str, str]) -> None: ...

    def edge(self, edge: EdgeOut) -> None: ...


@dataclass(frozen=True, slots=True)
class EdgeOut:
    """One edge as written: element id (None: none), ends, direction, weight, values."""

    element_id: str | None
    source: str
    target: str
    directed: bool
    weight: str | None
    values: dict[str, str]


def write_graph(
    path: Path,
    sources: Mapping[str, RecordSource],
    emitter_type: type[Emitter],
    *,
    mark_undirected: bool,
    name_attribute: str | None,
    weight_attribute: bool,
) -> dict[str, int]:
    """Write every entity of ``sources`` through ``emitter_type``; rows written per entity."""
    plan = make_plan(sources, name_attribute=name_attribute, weight_attribute=weight_attribute)
    counts: dict[str, int] = {}
    with _atomic(path) as handle:
        emitter = emitter_type(handle, plan, mark_undirected=mark_undirected)
        emitter.begin()
        for entity in (e for e in NODE_ENTITIES if e in sources):
            counts[entity] = 0
            for record in sources[entity]():
                element_id, name, values = node_values(entity, record, plan, name_attribute)
                emitter.node(element_id, name, values)
                counts[entity] += 1
        emitter.begin_edges()
        for entity in (e for e in EDGE_ENDS if e in sources):
            counts[entity] = 0
            for record in sources[entity]():
                emitter.edge(edge_values(entity, record, plan, weight_attribute))
                counts[entity] += 1
        emitter.end()
    return {entity: counts[entity] for entity in SPECS if entity in counts}


# --- planning -------------------------------------------------------------------------------


def make_plan(
    sources: Mapping[str, RecordSource], *, name_attribute: str | None, weight_attribute: bool
) -> Plan:
    """Declarations (in a fixed order) and clashing ids, from one pass over the nodes."""
    other_ids = {e: _ids(sources[e]) for e in ("communities", "activities") if e in sources}
    attr_names: set[str] = set()
    person_clashes: set[str] = set()
    node_ids = set().union(*other_ids.values()) if other_ids else set()
    for person in sources["people"]() if "people" in sources else ():
        assert isinstance(person, Person)
        attr_names.update(person.attrs)
        if person.id in node_ids:
            person_clashes.add(person.id)
    clashing = set(person_clashes)
    if len(other_ids) == 2:
        clashing |= other_ids["communities"] & other_ids["activities"]
    node = [Attribute("type", "text")]
    if name_attribute:
        node.append(Attribute(name_attribute, "text"))
    if clashing:
        node.append(Attribute("id", "text"))
    for entity in (e for e in NODE_ENTITIES if e in sources):
        node += [
            Attribute(c.name, c.kind) for c in SPECS[entity].columns if c.name not in ("id", "name")
        ]
    node += [Attribute(name, "text") for name in sorted(attr_names - RESERVED_NODE_NAMES)]
    edge: list[Attribute] = []
    for entity in (e for e in EDGE_ENDS if e in sources):
        edge += [
            Attribute(c.name, c.kind)
            for c in SPECS[entity].columns
            if not _edge_structural(entity, c.name, weight_attribute)
        ]
    return Plan(_merge(node), _merge(edge), frozenset(clashing))


def _ids(source: RecordSource) -> set[str]:
    return {to_cells(record)["id"] for record in source()}


def _edge_structural(entity: str, name: str, weight_attribute: bool) -> bool:
    """Fields an edge says by its own structure (ends, id, GEXF weight), not as data."""
    ends = EDGE_ENDS[entity]
    if name in (ends[0], ends[2]):
        return True
    return entity == "interactions" and (
        name == "id" or (name == "weight" and not weight_attribute)
    )


def _merge(attributes: list[Attribute]) -> list[Attribute]:
    """One declaration per name, first position kept; kinds that disagree become text."""
    kinds: dict[str, str] = {}
    for attribute in attributes:
        known = kinds.setdefault(attribute.name, attribute.kind)
        if known != attribute.kind:
            kinds[attribute.name] = "text"
    return [Attribute(name, kind) for name, kind in kinds.items()]


# --- records → element values --------------------------------------------------------------


def node_values(
    entity: str, record: Record, plan: Plan, name_attribute: str | None
) -> tuple[str, str, dict[str, str]]:
    """(element id, name, attribute values) of a person, community or activity."""
    cells = to_cells(record)
    record_id, name = cells["id"], cells["name"]
    element_id = plan.node_id(entity, record_id)
    fields = _field_values(entity, cells, skip=("id", "name"))
    _check_xml(entity, record, [("id", record_id), ("name", name), *fields.items()])
    values = {"type": SPECS[entity].record_type}
    if name_attribute and name:
        values[name_attribute] = name
    if element_id != record_id:
        values["id"] = record_id
    values |= fields
    if isinstance(record, Person):
        attrs = sorted((k, v) for k, v in record.attrs.items() if k not in RESERVED_NODE_NAMES)
        _check_xml(entity, record, [("attrs", f"{k}{v}") for k, v in attrs])
        values |= dict(attrs)
    return element_id, name, values


def edge_values(entity: str, record: Record, plan: Plan, weight_attribute: bool) -> EdgeOut:
    """The edge of a membership, interaction or participation."""
    source_field, source_entity, target_field, target_entity = EDGE_ENDS[entity]
    cells = to_cells(record)
    source = plan.node_id(source_entity, cells[source_field])
    target = plan.node_id(target_entity, cells[target_field])
    skip = [
        name
        for name in SPECS[entity].column_names
        if _edge_structural(entity, name, weight_attribute)
    ]
    values = _field_values(entity, cells, skip=tuple(skip))
    _check_xml(entity, record, [(n, cells[n]) for n in skip] + list(values.items()))
    if entity == "interactions":
        weight = None if weight_attribute else cells["weight"]
        directed = cells["directed"] == "yes"
        return EdgeOut(cells["id"], source, target, directed, weight, values)
    key = record_key(record)
    parts = key if isinstance(key, tuple) else (key,)
    element_id = ":".join((SPECS[entity].record_type, *parts))
    return EdgeOut(element_id, source, target, True, None, values)


def _field_values(entity: str, cells: dict[str, str], skip: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for column in SPECS[entity].columns:
        text = cells[column.name]
        if column.name in skip or not text:
            continue
        if column.kind == "bool":
            text = "true" if text == "yes" else "false"
        values[column.name] = text
    return values


def _check_xml(entity: str, record: Record, fields: list[tuple[str, str]]) -> None:
    """Refuse a value XML 1.0 cannot hold, naming the record and field."""
    for name, text in fields:
        bad = _NOT_XML.search(text)
        if bad:
            key = record_key(record)
            shown = key if isinstance(key, str) else ", ".join(key)
            raise ValidationError(
                name,
                f"contains the character U+{ord(bad.group()):04X}, which XML 1.0 cannot"
                " represent; remove it or export as CSV/NDJSON",
                entity=singular(entity),
                record_id=shown,
            )


def escape_attr(value: str) -> str:
    """``value`` escaped for a double-quoted XML attribute (newlines kept as references)."""
    return value.translate(_ATTR_ESCAPES)


def escape_text(value: str) -> str:
    """``value`` escaped for XML character data."""
    return value.translate(_TEXT_ESCAPES)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    """Write ``path.tmp``; rename it over ``path`` only when the block succeeds."""
    tmp = path.with_name(path.name + ".tmp")
    handle = tmp.open("w", encoding="utf-8", newline="\n")
    try:
        yield handle
    except BaseException:
        handle.close()
        tmp.unlink(missing_ok=True)
        raise
    handle.close()
    os.replace(tmp, path)
