"""GraphML and GEXF import and export: the graph as Gephi, networkx and yEd see it.

* :func:`open_graph_file` reads a ``.graphml`` or ``.gexf`` file as a
  :class:`~ingest.reader.Dataset` (``ingest.graphxml_read``), streaming;
* :func:`write_graphml` and :func:`write_gexf` write a store's records (the sources of
  :func:`ingest.writer.store_sources`) as one file, streaming and deterministic.

The mapping of records to nodes, edges and attributes is in docs/graph-formats.md. Both
writers mark the direction of each edge in the file's structure: the graph's default is
directed and undirected interactions carry GraphML ``directed="false"`` / GEXF
``type="undirected"`` (Gephi reads such mixed graphs; networkx refuses them, so
``mark_undirected_edges=False`` leaves the marks out — every interaction still carries its
``directed`` attribute, which is what reading the file back uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from graphsvc.interchange import RecordSource
from ingest.graphxml_read import GRAPH_SUFFIXES, NODE_ENTITIES, open_graph_file
from ingest.graphxml_write import EdgeOut, Emitter, escape_attr, escape_text, write_graph

__all__ = ["GRAPH_SUFFIXES", "NODE_ENTITIES", "open_graph_file", "write_gexf", "write_graphml"]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://www.gexf.net/1.2draft"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_GRAPHML_TYPES = {"int": "int", "float": "double", "bool": "boolean"}
_GEXF_TYPES = {"int": "integer", "float": "double", "bool": "boolean"}
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def write_graphml(
    path: Path, sources: Mapping[str, RecordSource], *, mark_undirected_edges: bool = True
) -> dict[str, int]:
    """Write ``sources`` as one GraphML file (atomically); returns records per entity.

    A node's name is its ``label`` attribute (what Gephi and yEd show); an interaction's
    weight is its ``weight`` attribute.
    """
    return write_graph(
        path,
        sources,
        GraphmlEmitter,
        mark_undirected=mark_undirected_edges,
        name_attribute="label",
        weight_attribute=True,
    )


def write_gexf(
    path: Path, sources: Mapping[str, RecordSource], *, mark_undirected_edges: bool = True
) -> dict[str, int]:
    """Write ``sources`` as one GEXF 1.2 file (atomically); returns records per entity.

    A node's name is its GEXF ``label``; an interaction's weight is the edge ``weight``.
    """
    return write_graph(
        path,
        sources,
        GexfEmitter,
        mark_undirected=mark_undirected_edges,
        name_attribute=None,
        weight_attribute=False,
    )


class GraphmlEmitter(Emitter):
    """GraphML: ``<key>`` per attribute, ``<data>`` per value."""

    def begin(self) -> None:
        write = self.out.write
        write(_DECLARATION)
        write(
            f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="{_XSI}" xsi:schemaLocation="{GRAPHML_NS}'
            f' {GRAPHML_NS}/1.0/graphml.xsd">\n'
        )
        self.keys: dict[str, dict[str, str]] = {}
        for domain, prefix, attributes in (
            ("node", "n", self.plan.node_attributes),
            ("edge", "e", self.plan.edge_attributes),
        ):
            self.keys[domain] = {a.name: f"{prefix}{i}" for i, a in enumerate(attributes)}
            for a in attributes:
                write(
                    f'  <key id="{self.keys[domain][a.name]}" for="{domain}"'
                    f' attr.name="{escape_attr(a.name)}"'
                    f' attr.type="{_GRAPHML_TYPES.get(a.kind, "string")}"/>\n'
                )
        write('  <graph id="G" edgedefault="directed">\n')

    def node(self, element_id: str, name: str, values: dict[str, str]) -> None:
        self.out.write(f'    <node id="{escape_attr(element_id)}">\n')
        self._data("node", values)
        self.out.write("    </node>\n")

    def edge(self, edge: EdgeOut) -> None:
        own = f' id="{escape_attr(edge.element_id)}"' if edge.element_id else ""
        own += f' source="{escape_attr(edge.source)}" target="{escape_attr(edge.target)}"'
        if self.mark_undirected and not edge.directed:
            own += ' directed="false"'
        self.out.write(f"    <edge{own}>\n")
        self._data("edge", edge.values)
        self.out.write("    </edge>\n")

    def end(self) -> None:
        self.out.write("  </graph>\n</graphml>\n")

    def _data(self, domain: str, values: dict[str, str]) -> None:
        keys = self.keys[domain]
        for name, value in values.items():
            self.out.write(f'      <data key="{keys[name]}">{escape_text(value)}</data>\n')


class GexfEmitter(Emitter):
    """GEXF 1.2: ``<attributes>`` per class, ``<attvalue>`` per value, label and weight."""

    def begin(self) -> None:
        write = self.out.write
        write(_DECLARATION)
        write(
            f'<gexf xmlns="{GEXF_NS}" xmlns:xsi="{_XSI}" xsi:schemaLocation="{GEXF_NS}'
            f' {GEXF_NS}/gexf.xsd" version="1.2">\n'
        )
        write("  <meta>\n    <creator>graphsvc</creator>\n  </meta>\n")
        write('  <graph defaultedgetype="directed" mode="static">\n')
        self.ids: dict[str, dict[str, str]] = {}
        for domain, attributes in (
            ("node", self.plan.node_attributes),
            ("edge", self.plan.edge_attributes),
        ):
            self.ids[domain] = {a.name: str(i) for i, a in enumerate(attributes)}
            if not attributes:
                continue
            write(f'    <attributes class="{domain}" mode="static">\n')
            for a in attributes:
                write(
                    f'      <attribute id="{self.ids[domain][a.name]}"'
                    f' title="{escape_attr(a.name)}" type="{_GEXF_TYPES.get(a.kind, "string")}"/>\n'
                )
            write("    </attributes>\n")
        write("    <nodes>\n")

    def node(self, element_id: str, name: str, values: dict[str, str]) -> None:
        label = f' label="{escape_attr(name)}"' if name else ""
        self.out.write(f'      <node id="{escape_attr(element_id)}"{label}>\n')
        self._attvalues("node", values)
        self.out.write("      </node>\n")

    def begin_edges(self) -> None:
        self.out.write("    </nodes>\n    <edges>\n")

    def edge(self, edge: EdgeOut) -> None:
        own = f' id="{escape_attr(edge.element_id or "")}"'
        own += f' source="{escape_attr(edge.source)}" target="{escape_attr(edge.target)}"'
        if self.mark_undirected and not edge.directed:
            own += ' type="undirected"'
        if edge.weight is not None:
            own += f' weight="{escape_attr(edge.weight)}"'
        self.out.write(f"      <edge{own}>\n")
        self._attvalues("edge", edge.values)
        self.out.write("      </edge>\n")

    def end(self) -> None:
        self.out.write("    </edges>\n  </graph>\n</gexf>\n")

    def _attvalues(self, domain: str, values: dict[str, str]) -> None:
        if not values:
            return
        ids = self.ids[domain]
        self.out.write("        <attvalues>\n")
        for name, value in values.items():
            self.out.write(
                f'          <attvalue for="{ids[name]}" value="{escape_attr(value)}"/>\n'
            )
        self.out.write("        </attvalues>\n")
