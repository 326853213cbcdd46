"""The explorer's current view as files: GEXF (Gephi, with positions, sizes and colours)
and CSV (``part=edges``, the default, or ``part=nodes``).

Both are built from the view's document (:func:`web.graph_view.graph_document`), so they
hold exactly what the user sees, private people pseudonymised as on screen.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import networkx as nx

NODE_COLUMNS = ("id", "label", "group", "value", "size", "x", "y")
EDGE_COLUMNS = ("from", "to", "weight", "count", "cross", "bridge")


def gexf_bytes(document: dict[str, Any]) -> bytes:
    """GEXF 1.2 with ``viz`` position, size and colour per node (networkx's writer)."""
    colours = {group["id"]: group["color"] for group in document.get("groups", [])}
    graph = nx.Graph()
    for node in document["nodes"]:
        attributes = {
            "label": node["label"],
            "group": node.get("group") or "",
            "value": node.get("value") or 0.0,
        }
        viz: dict[str, Any] = {
            "position": {"x": float(node["x"]), "y": float(node["y"]), "z": 0.0},
            "size": float(node["size"]),
        }
        colour = colours.get(node.get("group"))
        if colour:
            viz["color"] = _rgb(colour)
        graph.add_node(node["id"], viz=viz, **attributes)
    for edge in document["edges"]:
        graph.add_edge(
            edge["from"], edge["to"],
            weight=float(edge.get("weight", 1.0)), count=int(edge.get("count", 1)),
            cross=bool(edge.get("cross", False)),
        )  # fmt: skip
    return "\n".join(nx.generate_gexf(graph)).encode("utf-8")


def csv_text(document: dict[str, Any], part: str) -> str:
    """The view's edges (or nodes) as CSV with a header row."""
    rows, columns = (
        (document["nodes"], NODE_COLUMNS) if part == "nodes" else (document["edges"], EDGE_COLUMNS)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()


def _rgb(colour: str) -> dict[str, int]:
    """``#rrggbb`` → GEXF's ``{"r", "g", "b", "a"}``."""
    value = colour.lstrip("#")
    return {"r": int(value[0:2], 16), "g": int(value[2:4], 16), "b": int(value[4:6], 16), "a": 1}
