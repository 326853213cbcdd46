"""Loaders of the real datasets in ``tests/data`` (each folder's README gives its source).

Each loader returns a :class:`RealNetwork`: directed arcs between vertices ``0..n-1`` (no
self-loops, no repeats) and one group per vertex, as :class:`analytics.groups.GroupLabels`
(every vertex of these datasets has exactly one group).

* :func:`krackhardt` — the 21 high-tech managers; ``relation`` ``advice`` / ``friendship``
  / ``reports_to``; groups = departments 0–4 (0 is the CEO alone).
* :func:`lazega` — the 71 lawyers; ``relation`` ``advice`` / ``friendship`` / ``cowork``;
  groups by ``office`` (Boston, Hartford, Providence) or ``practice``.
* :func:`email_eu_core` — the static release: 1,005 people, 24,929 arcs without the 642
  self-loops, 42 departments; :func:`email_eu_core_events` gives the temporal release's
  events mapped to the static ids through the derived node map (never by raw id).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import igraph as ig
import numpy as np

from analytics.groups import GroupLabels

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class RealNetwork:
    """Arcs ``(source[k], target[k])`` among ``n`` vertices, and their groups."""

    n: int
    source: np.ndarray
    target: np.ndarray
    labels: GroupLabels

    def graph(self, directed: bool = True) -> ig.Graph:
        """The arcs as an igraph graph; undirected: one edge per pair tied either way."""
        pairs = np.column_stack([self.source, self.target])
        if not directed:
            pairs = np.unique(np.sort(pairs, axis=1), axis=0)
        return ig.Graph(n=self.n, edges=pairs.tolist(), directed=directed)


def _network(n: int, arcs: list[tuple[int, int]], group_of: list[str]) -> RealNetwork:
    unique = sorted({(u, v) for u, v in arcs if u != v})
    source = np.array([u for u, _ in unique], dtype=np.int64)
    target = np.array([v for _, v in unique], dtype=np.int64)
    groups = tuple(sorted(set(group_of), key=_natural))
    index = {group: number for number, group in enumerate(groups)}
    labels = GroupLabels.from_sets(groups, [{index[g]} for g in group_of])
    return RealNetwork(n, source, target, labels)


def _natural(text: str) -> tuple[int, str]:
    return (int(text), text) if text.isdigit() else (1 << 30, text)


KRACKHARDT_LAYERS = {"advice": 1, "friendship": 2, "reports_to": 3}


def krackhardt(relation: str = "advice") -> RealNetwork:
    """Krackhardt (1987) high-tech managers; vertex ``i`` is manager ``i + 1``."""
    folder = DATA / "krackhardt_hightech"
    layer = KRACKHARDT_LAYERS[relation]
    arcs = []
    for line in (folder / "Krackhardt-High-Tech_multiplex.edges").read_text().splitlines():
        layer_id, src, dst, _weight = (int(x) for x in line.split())
        if layer_id == layer:
            arcs.append((src - 1, dst - 1))
    rows = (folder / "Krackhardt-High-Tech_nodes.txt").read_text().splitlines()[1:]
    departments = {int(r.split()[0]) - 1: r.split()[4] for r in rows if r.strip()}
    return _network(21, arcs, [departments[i] for i in range(21)])


LAZEGA_RELATIONS = {"advice": 1, "friendship": 2, "cowork": 3}
LAZEGA_ATTRIBUTES = {"office": 3, "practice": 6}  # columns of ELattr.dat


def lazega(relation: str = "advice", groups: str = "office") -> RealNetwork:
    """Lazega (2001) law firm; vertex ``i`` is lawyer ``i + 1``."""
    folder = DATA / "lazega_lawfirm"
    wanted = LAZEGA_RELATIONS[relation]
    lines = (folder / "Lazega-Law-Firm.paj").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "*arcs") + 1
    arcs = []
    for line in lines[start:]:
        if line.startswith("*"):
            break
        parts = line.split()
        if parts and int(parts[0].rstrip(":")) == wanted:
            arcs.append((int(parts[1]) - 1, int(parts[2]) - 1))
    column = LAZEGA_ATTRIBUTES[groups]
    rows = [r.split() for r in (folder / "ELattr.dat").read_text().splitlines() if r.strip()]
    return _network(71, arcs, [row[column] for row in rows])


def email_eu_core() -> RealNetwork:
    """The static email-Eu-core release by department (self-loops dropped)."""
    folder = DATA / "email_eu_core"
    arcs = [
        (int(a), int(b))
        for a, b in (
            line.split() for line in (folder / "email-Eu-core.txt").read_text().split("\n") if line
        )
    ]
    labels = dict(
        (int(a), b)
        for a, b in (
            r.split()
            for r in (folder / "email-Eu-core-department-labels.txt").read_text().splitlines()
            if r.strip()
        )
    )
    return _network(1005, arcs, [labels[i] for i in range(1005)])


def email_eu_core_events() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The temporal release as ``(source, target, seconds)`` in static ids, sorted by time."""
    folder = DATA / "email_eu_core"
    rows = (folder / "derived" / "email-Eu-core-temporal_node_map.tsv").read_text().splitlines()
    static = {int(r.split("\t")[0]): int(r.split("\t")[1]) for r in rows[1:] if r.strip()}
    with gzip.open(folder / "email-Eu-core-temporal.txt.gz", "rt") as handle:
        events = np.loadtxt(handle, dtype=np.int64).reshape(-1, 3)
    order = np.argsort(events[:, 2], kind="stable")
    events = events[order]
    mapped = np.vectorize(static.__getitem__)
    return mapped(events[:, 0]), mapped(events[:, 1]), events[:, 2]
