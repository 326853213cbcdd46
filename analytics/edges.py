"""The edges of a graph as numpy arrays: the one way analytics read an ``igraph.Graph``.

Reading a million edges out of igraph costs about 0.3 s, and a report reads the same graph
a dozen times. A projection (:mod:`analytics.projection`) builds its graph from arrays and
keeps them as the graph attribute ``"edge_arrays"``; :func:`edge_arrays` returns those when
they still match the graph, and reads the graph otherwise (graphs built by hand, in tests).
Projection graphs are treated as read-only.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import igraph as ig
import numpy as np

#: the graph attribute holding a projection's :class:`EdgeArrays`
ATTRIBUTE = "edge_arrays"


class EdgeArrays(NamedTuple):
    """Edge ``k`` goes from ``source[k]`` to ``target[k]`` with its ``weight`` and its
    ``count`` as ``interactions`` (1 where the graph lacks them). The arrays are read-only."""

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    interactions: np.ndarray


def edge_arrays(graph: ig.Graph) -> EdgeArrays:
    """The edges of ``graph`` as arrays, in edge order.

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (1, 2)])
    >>> g.es["weight"] = [2.0, 0.5]
    >>> [a.tolist() for a in edge_arrays(g)]
    [[0, 1], [1, 2], [2.0, 0.5], [1.0, 1.0]]
    """
    kept = graph[ATTRIBUTE] if ATTRIBUTE in graph.attributes() else None
    if isinstance(kept, EdgeArrays) and len(kept.source) == graph.ecount():
        return kept
    return _read(graph)


def keep_edge_arrays(graph: ig.Graph, arrays: EdgeArrays) -> None:
    """Attach ``arrays`` (the graph's own edges, in edge order) for :func:`edge_arrays`."""
    graph[ATTRIBUTE] = _frozen(*arrays)


def _read(graph: ig.Graph) -> EdgeArrays:
    m = graph.ecount()
    flat = itertools.chain.from_iterable(graph.get_edgelist())  # 3× faster than np.array(list)
    ends = np.fromiter(flat, dtype=np.int64, count=2 * m).reshape(m, 2)
    names = set(graph.es.attribute_names())
    weight = np.asarray(graph.es["weight"], float) if "weight" in names else np.ones(m)
    count = np.asarray(graph.es["count"], float) if "count" in names else np.ones(m)
    return _frozen(ends[:, 0], ends[:, 1], weight, count)


def _frozen(
    source: np.ndarray, target: np.ndarray, weight: np.ndarray, count: np.ndarray
) -> EdgeArrays:
    """Read-only copies with the dtypes of :class:`EdgeArrays`."""
    arrays = EdgeArrays(
        np.array(source, dtype=np.int64),
        np.array(target, dtype=np.int64),
        np.array(weight, dtype=np.float64),
        np.array(count, dtype=np.float64),
    )
    for array in arrays:
        array.setflags(write=False)
    return arrays
