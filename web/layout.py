"""Server-side positions for the network explorer, and a small cache of them.

The explorer draws the positions as given (physics off), so the server lays out up to
thousands of people within the request. Measured on the shared 2-core VM (5,000 people,
50,000 ties, other jobs running): igraph's DrL 23-49 s, graphopt (100 iterations) 16-18 s,
Fruchterman-Reingold (FR) 36-70 ms *per iteration* (2-4 s for 50, grid or not): a
whole-graph force layout is far over the 500 ms budget. FR is quadratic in the vertices,
so it is cheap on small graphs (250 people, 50 iterations: 8 ms). Hence a
**community-aware layout** (:mod:`web.view_discs`):

1. the *group graph* (one vertex per group: a person's primary community, the people
   without one forming a group of their own; tied by the ties between groups) is laid out
   with FR;
2. each group gets a disc of radius ∝ √members, and overlapping discs are pushed apart;
3. inside its disc a group's members with ties in the group are laid out by FR, the
   iterations shared out from a fixed budget of vertex-pair steps (8-60 each); the others
   fill an outer ring, on the side of the groups they reach; a group too big for even 8
   iterations (over ~2,200 tied members, e.g. a network without communities) is first
   split into Leiden clusters, laid out as discs inside its disc;
4. the whole picture is scaled to ``±1000`` units.

Nothing flies off: every FR run has a *gravity* vertex, tied weakly to all others, that
holds small components and isolated groups near the centre, and a group's stragglers are
squashed into its disc. igraph's FR draws random jitter from igraph's generator, so the
runs take a private ``random.Random(seed)`` through
:func:`analytics.leiden.seeded_igraph_random` (a lock shared with Leiden runs): the same
graph, groups and seed give the same positions. The whole people view of 5,000 people and
50,000 ties (layout included) takes 130-450 ms there.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import igraph as ig
import numpy as np

from analytics.edges import edge_arrays
from analytics.leiden import seeded_igraph_random
from web.view_discs import arrange, disc_layout, group_codes

#: half the side of the box the positions are scaled into
BOX = 1000.0


def layout(graph: ig.Graph, *, seed: int = 0, groups: np.ndarray | None = None) -> np.ndarray:
    """Positions ``(n, 2)`` of the vertices of ``graph`` within ``±1000`` units.

    ``groups`` gives each vertex a group (an integer, ``-1`` for none; default: one group
    for everyone). Deterministic for a given graph, groups and ``seed`` (module docstring).

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (1, 2), (3, 4)])
    >>> xy = layout(g, groups=np.array([0, 0, 0, 1, 1]))
    >>> xy.shape, bool(abs(xy).max() <= 1000.0)
    ((5, 2), True)
    >>> bool((layout(g, seed=3) == layout(g, seed=3)).all())
    True
    """
    edges = edge_arrays(graph)
    return layout_arrays(graph.vcount(), edges.source, edges.target, groups=groups, seed=seed)


def layout_arrays(
    n: int,
    source: np.ndarray,
    target: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    seed: int = 0,
) -> np.ndarray:
    """:func:`layout` of the graph on ``n`` vertices with edges ``source[k]``–``target[k]``."""
    if n == 0:
        return np.zeros((0, 2))
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    keep = source != target
    with seeded_igraph_random(seed):
        positions = arrange(n, source[keep], target[keep], group_codes(n, groups), None)
    return fit_to_box(positions)


def community_layout(
    sizes: np.ndarray, source: np.ndarray, target: np.ndarray, weight: np.ndarray, *, seed: int = 0
) -> np.ndarray:
    """Positions ``(k, 2)`` of ``k`` communities of ``sizes`` members tied by ``weight``
    between ``source[j]`` and ``target[j]``: the group discs of :func:`layout`, scaled to
    the box (so the community view matches the people view's arrangement)."""
    if len(sizes) == 0:
        return np.zeros((0, 2))
    with seeded_igraph_random(seed):
        centres, _radii = disc_layout(np.asarray(sizes), source, target, weight)
    return fit_to_box(centres)


def fit_to_box(positions: np.ndarray, half_side: float = BOX) -> np.ndarray:
    """Centred on the bounding box's middle and scaled so the farthest coordinate is
    ``half_side`` (a single point sits at the origin)."""
    if len(positions) == 0:
        return positions
    low, high = positions.min(axis=0), positions.max(axis=0)
    centred = positions - (low + high) / 2
    reach = float(np.abs(centred).max())
    boxed: np.ndarray = centred * (half_side / reach) if reach > 0 else centred
    return boxed


class LayoutCache:
    """A thread-safe least-recently-used map from a caller's key to positions.

    Positions are stored read-only. Two threads missing the same key both compute it
    (layouts are deterministic, so either result is right); the lock guards the map only.

    Examples
    --------
    >>> cache = LayoutCache(maxsize=2)
    >>> first = cache.get_or_compute("a", lambda: np.zeros((3, 2)))
    >>> cache.get_or_compute("a", lambda: np.ones((3, 2))) is first
    True
    """

    def __init__(self, maxsize: int = 16) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> np.ndarray | None:
        """The positions stored under ``key`` (now the most recent), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Hashable, positions: np.ndarray) -> np.ndarray:
        """Store a read-only copy of ``positions`` under ``key``, dropping the least
        recently used entry beyond ``maxsize``; returns the stored array."""
        stored = np.array(positions, dtype=np.float64)
        stored.setflags(write=False)
        with self._lock:
            self._items[key] = stored
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return stored

    def get_or_compute(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The positions under ``key``, computing and storing them on a miss."""
        found = self.get(key)
        return found if found is not None else self.put(key, compute())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
