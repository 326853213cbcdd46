"""The GraphML and GEXF vocabularies: expat callbacks → :class:`GraphElement` objects.

One handler per dialect turns the start and end of elements into declared attributes
(GraphML ``<key>``, GEXF ``<attribute>``, with their defaults), nodes and edges with their
values by attribute name, the graphs' default direction and graph-level values. Elements of
other namespaces than the root's (Gephi's ``viz:``, yEd's ``y:``) are skipped with all they
contain. Each node or edge goes to the :class:`GraphSink` when it ends, so memory holds one
element at a time. ``ingest.graphxml_parse`` feeds the handlers; ``ingest.graphxml_read``
decides what the elements mean.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from graphsvc.errors import InputError

_GRAPH = "graph"  # stack marker: the data of a <graph> element itself


@dataclass(slots=True)
class GraphElement:
    """One ``<node>`` or ``<edge>`` as the file gives it, before it means a record.

    ``xml`` holds the element's own XML attributes (``id``, ``source``, ``label``,
    ``weight``, ``directed``/``type``, ``start``, …); ``data`` the values of declared
    attributes by name; ``directed`` is the enclosing graph's default edge direction;
    ``spell_start``/``spell_end`` come from a GEXF element's first ``<spell>``.
    """

    kind: str  # node | edge
    line: int
    xml: dict[str, str]
    data: dict[str, str]
    directed: bool = False
    spell_start: str | None = None
    spell_end: str | None = None


class GraphSink(Protocol):
    """Receives the parsed elements in file order."""

    def node(self, element: GraphElement) -> None: ...

    def edge(self, element: GraphElement) -> None: ...

    def graph_value(self, name: str, value: str) -> None:
        """A value given for the graph as a whole (GraphML graph data, GEXF graph start)."""


@dataclass(slots=True)
class _Declared:
    """A declared attribute: GraphML ``<key>`` or GEXF ``<attribute>``."""

    name: str
    domain: str  # node | edge | graph | all
    type: str
    default: str | None = None
    ignored: bool = False  # yEd graphics and the like


def _list_value(value: str) -> str:
    """A GEXF list value (``[a, b]`` or ``a|b``) → the interchange form ``a;b``."""
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        items = text[1:-1].split(",")
    else:
        items = text.split("|")
    return ";".join(item.strip() for item in items if item.strip())


class Handler:
    """What both dialects share: root check, foreign namespaces, text, element stack."""

    root = ""

    def __init__(self, label: str, sink: GraphSink, line: Callable[[], int]) -> None:
        self.label = label
        self.sink = sink
        self.line = line
        self._namespace: str | None = None
        self._foreign_depth = 0
        self._stack: list[GraphElement | str | None] = []
        self._text: str | None = None
        self._locals: dict[str, str] = {}  # expat name → local name, "" for a foreign one
        self._declaring: _Declared | None = None
        self._directed: list[bool] = [False]
        self._defaults: dict[str, dict[str, str]] = {}

    # --- expat callbacks --------------------------------------------------------------------

    def start_element(self, name: str, attrs: dict[str, str]) -> None:
        """``attrs`` keys of namespaced attributes hold a space and so never match."""
        local = self._locals.get(name)
        if local is None:
            local = self._local_name(name)
        if self._foreign_depth or not local:
            self._foreign_depth += 1
            return
        self._stack.append(self.start(local, attrs))

    def end_element(self, name: str) -> None:
        if self._foreign_depth:
            self._foreign_depth -= 1
            return
        self.end(self._locals[name], self._stack.pop())

    def characters(self, content: str) -> None:
        if self._text is not None:
            self._text += content

    def _local_name(self, name: str) -> str:
        """``uri local`` (or ``local``) → ``local`` in the root's namespace, else ``""``."""
        uri, _, local = name.rpartition(" ")
        if self._namespace is None:
            self._check_root(uri, local)
        self._locals[name] = local if uri == self._namespace else ""
        return self._locals[name]

    # --- shared steps -----------------------------------------------------------------------

    def _check_root(self, uri: str, local: str) -> None:
        self._namespace = uri
        if local != self.root:
            raise InputError(
                self.label,
                f"not a {self.root.upper()} document: the root element is <{local}>,"
                f" expected <{self.root}>",
                line=self.line(),
            )

    def start(self, local: str, attrs: dict[str, str]) -> GraphElement | str | None:
        raise NotImplementedError

    def end(self, local: str, opened: GraphElement | str | None) -> None:
        raise NotImplementedError

    def collect_text(self) -> None:
        self._text = ""

    def take_text(self) -> str:
        text = self._text or ""
        self._text = None
        return text.strip()

    def declarations(self, kind: str) -> dict[str, _Declared]:
        """The attributes declared for ``kind`` (node, edge, graph) by id."""
        raise NotImplementedError

    def new_element(self, kind: str, attrs: dict[str, str]) -> GraphElement:
        defaults = self._defaults.get(kind)
        if defaults is None:  # declarations come first: computed once per kind
            defaults = self._defaults[kind] = {
                d.name: d.default
                for d in self.declarations(kind).values()
                if d.default is not None and not d.ignored and d.domain in (kind, "all")
            }
        return GraphElement(kind, self.line(), attrs, dict(defaults), self._directed[-1])

    def innermost_element(self) -> GraphElement | None:
        for opened in reversed(self._stack):
            if isinstance(opened, GraphElement):
                return opened
        return None

    def store_value(self, owner: object, key: str, value: str) -> None:
        """Store ``value`` of the attribute declared as ``key`` (undeclared: named ``key``)."""
        kind = owner.kind if isinstance(owner, GraphElement) else _GRAPH
        declared = self.declarations(kind).get(key)
        if declared is not None and declared.ignored:
            return
        name = declared.name if declared is not None else key
        if declared is not None and declared.type.startswith("list"):
            value = _list_value(value)
        value = value.strip()
        if not value:
            return
        if isinstance(owner, GraphElement):
            owner.data[name] = value
        elif owner == _GRAPH:
            self.sink.graph_value(name, value)

    def finish_element(self, local: str, opened: GraphElement | str | None) -> None:
        if local == "graph":
            self._directed.pop()
        elif isinstance(opened, GraphElement):
            (self.sink.node if local == "node" else self.sink.edge)(opened)


class GraphmlHandler(Handler):
    """GraphML: ``<key>`` declarations, ``<data key=…>`` values, ``edgedefault``."""

    root = "graphml"

    def __init__(self, label: str, sink: GraphSink, line: Callable[[], int]) -> None:
        super().__init__(label, sink, line)
        self._datum: tuple[object, str] | None = None
        self._keys: dict[str, _Declared] = {}

    def declarations(self, kind: str) -> dict[str, _Declared]:
        return self._keys  # key ids are unique in a document; ``for`` is checked by defaults

    def start(self, local: str, attrs: dict[str, str]) -> GraphElement | str | None:
        if local == "key":
            key_id = attrs.get("id", "")
            self._declaring = _Declared(
                name=attrs.get("attr.name") or key_id,
                domain=attrs.get("for", "all"),
                type=attrs.get("attr.type", "string"),
                ignored="yfiles.type" in attrs,
            )
            self._keys[key_id] = self._declaring
        elif local == "default" and self._declaring is not None:
            self.collect_text()
        elif local == "data":
            self._datum = (self._stack[-1] if self._stack else None, attrs.get("key", ""))
            self.collect_text()
        elif local == "graph":
            self._directed.append(attrs.get("edgedefault", "undirected") == "directed")
            return _GRAPH
        elif local in ("node", "edge"):
            return self.new_element(local, attrs)
        return None

    def end(self, local: str, opened: GraphElement | str | None) -> None:
        if local == "key":
            self._declaring = None
            self._defaults.clear()
        elif local == "default" and self._declaring is not None:
            self._declaring.default = self.take_text() or None
        elif local == "data" and self._datum is not None:
            owner, key = self._datum
            self._datum = None
            self.store_value(owner, key, self.take_text())
        else:
            self.finish_element(local, opened)


class GexfHandler(Handler):
    """GEXF 1.1–1.3: ``<attributes>``, ``<attvalue for=… value=…>``, spells, edge types."""

    root = "gexf"

    def __init__(self, label: str, sink: GraphSink, line: Callable[[], int]) -> None:
        super().__init__(label, sink, line)
        self._class = "node"
        self._by_class: dict[str, dict[str, _Declared]] = {"node": {}, "edge": {}}

    def declarations(self, kind: str) -> dict[str, _Declared]:
        return self._by_class.get(kind, {})

    def start(self, local: str, attrs: dict[str, str]) -> GraphElement | str | None:
        if local == "graph":
            self._directed.append(attrs.get("defaultedgetype", "undirected") == "directed")
            if attrs.get("start"):
                self.sink.graph_value("start", attrs["start"])
            return _GRAPH
        if local == "attributes":
            self._class = attrs.get("class", "node")
        elif local == "attribute":
            attribute_id = attrs.get("id", "")
            self._declaring = _Declared(
                attrs.get("title") or attribute_id, self._class, attrs.get("type", "string")
            )
            self._by_class.setdefault(self._class, {})[attribute_id] = self._declaring
        elif local == "default" and self._declaring is not None:
            self.collect_text()
        elif local in ("node", "edge"):
            return self.new_element(local, attrs)
        elif local == "attvalue":
            self._attvalue(attrs)
        elif local == "spell":
            self._spell(attrs)
        return None

    def end(self, local: str, opened: GraphElement | str | None) -> None:
        if local == "attribute":
            self._declaring = None
            self._defaults.clear()
        elif local == "default" and self._declaring is not None:
            self._declaring.default = self.take_text() or None
        else:
            self.finish_element(local, opened)

    def _attvalue(self, attrs: Mapping[str, str]) -> None:
        owner = self.innermost_element()
        if owner is not None:
            self.store_value(owner, attrs.get("for") or attrs.get("id", ""), attrs.get("value", ""))

    def _spell(self, attrs: Mapping[str, str]) -> None:
        owner = self.innermost_element()
        if owner is not None and owner.spell_start is None and owner.spell_end is None:
            owner.spell_start = attrs.get("start") or attrs.get("timestamp")
            owner.spell_end = attrs.get("end")
