"""Path-based brokerage: betweenness (METRICS.md B1, B2) and cross-group betweenness (B1x).

Scale (both metrics): pair dependencies ``δ_st(v) = σ_st(v)/σ_st`` summed over ordered
pairs and divided by ``(n−1)(n−2)``; for an undirected graph this is the sum over unordered
pairs divided by ``(n−1)(n−2)/2``, i.e. networkx ``normalized=True``. Graphs with n < 3 get 0.

Method (chosen by cost, ``n·m ≤ exact_limit``; default :data:`EXACT_LIMIT` = 2e8, about 2.5 s
of igraph Brandes on the shared 2-core VM, which took 12.3 s at n·m = 1e9):

* ``"exact"``: igraph Brandes (Brandes 2001), distances ``1/weight`` when weighted.
* ``"kadabra"`` (B1 only, undirected and unweighted above the limit): networkit KADABRA
  (Borassi & Natale 2019), converted to the B1 scale, see :func:`betweenness`.
* ``"sources"``: uniform sampling of k sources without replacement, scaled by N/k, with a
  Hoeffding–Serfling bound (derived in :func:`cross_betweenness`); used for B1x and for B1 on
  directed or weighted graphs above the limit (networkit's KADABRA is unweighted and
  rejects directed graphs: "the diameter of directed graphs cannot be computed yet"),
  and when KADABRA exceeds its time limit.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace

import igraph as ig
import numpy as np

from analytics.edges import edge_arrays
from analytics.groups import GroupLabels
from graphsvc.errors import ValidationError

#: Largest ``n·m`` computed exactly (about 2.5 s of igraph Brandes on 2 shared cores).
EXACT_LIMIT = 2e8
#: Seconds KADABRA may run before it is killed and sources are sampled instead.
KADABRA_TIMEOUT = 30.0
#: Fewest sampled sources when neither ``sources`` nor ``epsilon`` says otherwise (B1x at
#: 100k people / 1M ties: about 3–6 s on the shared 2-core VM).
DEFAULT_SOURCES = 64
#: Edges a default B1x sample may visit (sources × ties): a smaller graph gets more sources
#: in the same time, so a tighter bound (e.g. ~760 sources at 84k ties).
SOURCE_EDGE_BUDGET = DEFAULT_SOURCES * 1_000_000
# KADABRA's first-phase share: networkit 11.2 adds those omega/startFactor samples to the
# counts but not to the divisor, so scores come out 1-3 % high; we pass the factor and
# divide by the full sample count (see _kadabra).
_START_FACTOR = 100


@dataclass(frozen=True)
class Betweenness:
    """Betweenness scores on the METRICS.md B1 scale, with how they were obtained.

    ``scores[v]`` is vertex v's score; ``method`` is ``"exact"``, ``"kadabra"`` or
    ``"sources"``; with probability at least ``1 − delta`` every score is within
    ``epsilon`` (same scale) of the exact one (both ``None`` when exact); ``samples`` is
    the number of sampled shortest paths (KADABRA) or sources, ``None`` when exact;
    ``bound`` says the same in words.
    """

    scores: np.ndarray
    method: str
    epsilon: float | None
    delta: float | None
    samples: int | None
    bound: str


def betweenness(
    graph: ig.Graph,
    *,
    weighted: bool = False,
    exact_limit: float = EXACT_LIMIT,
    epsilon: float = 0.01,
    delta: float = 0.1,
    sources: int | None = None,
    seed: int = 0,
    kadabra_timeout: float = KADABRA_TIMEOUT,
) -> Betweenness:
    """Betweenness of every vertex (METRICS.md B1 exact, B2 approximate).

    ``c_B(v) = Σ_{s≠v≠t} σ_st(v)/σ_st`` divided by ``(n−1)(n−2)`` (halved if undirected;
    networkx ``normalized=True``), Brandes (2001). Shortest paths use distance
    ``1/weight`` when ``weighted`` (Opsahl et al. 2010), else hops.

    Above ``exact_limit`` (on ``n·m``): an undirected unweighted graph uses KADABRA
    (Borassi & Natale 2019, networkit, ``deterministic=True`` and ``seed``). KADABRA
    estimates ``b̃(v)`` = dependencies over the ``n(n−1)`` ordered pairs, within ``err`` for
    all v with probability ``1 − δ``; ``c_B = b̃·n/(n−2)``, so we run it with
    ``err = epsilon·(n−2)/n`` and ``epsilon`` is the bound on the returned scale. Caveat
    (networkit 11.2.2): its path sampler picks a predecessor with a weight of 1 instead of
    its path count, which biases graphs with many tied shortest paths (40×50 grid: error
    0.013 against a nominal 0.005); on BA, SBM, Watts–Strogatz and email-Eu-core graphs the
    errors stayed within the bound. KADABRA runs in a child process killed after
    ``kadabra_timeout`` seconds (its exact-diameter step took 396 s on a 100k/1M
    Barabási–Albert graph, against 3–5 s for the whole run on a community graph).

    Directed or weighted graphs above the limit, and KADABRA timeouts, use ``sources``
    sampled sources (default :data:`DEFAULT_SOURCES`) with the bound of
    :func:`cross_betweenness` (``epsilon`` is then not used; the result reports the bound).

    Examples
    --------
    >>> result = betweenness(ig.Graph([(0, 1), (1, 2)]))
    >>> result.scores.tolist(), result.method, result.epsilon
    ([0.0, 1.0, 0.0], 'exact', None)
    """
    _check_accuracy(epsilon, delta)
    distances = _distances(graph, weighted)
    kadabra = not weighted and not graph.is_directed()
    count = DEFAULT_SOURCES if sources is None else sources
    if graph.vcount() * graph.ecount() <= exact_limit or (not kadabra and count >= graph.vcount()):
        raw = np.asarray(graph.betweenness(weights=distances), dtype=float)
        return _exact(raw * _undirected_factor(graph) * _pair_scale(graph))
    if kadabra:
        estimate = _kadabra(graph, epsilon, delta, seed, kadabra_timeout)
        if estimate is not None:
            return estimate
    everyone = np.zeros(graph.vcount(), dtype=np.int64)
    sampled = _source_sampled(graph, everyone, distances, count, delta, seed, cross=False)
    if kadabra:
        return replace(sampled, bound=f"{sampled.bound}; KADABRA ran > {kadabra_timeout:g} s")
    return sampled


def cross_betweenness(
    graph: ig.Graph,
    labels: GroupLabels,
    *,
    weighted: bool = False,
    exact_limit: float = EXACT_LIMIT,
    sources: int | None = None,
    epsilon: float | None = None,
    delta: float = 0.1,
    seed: int = 0,
) -> Betweenness:
    """Cross-group betweenness (METRICS.md B1x): ``c_X(v) = Σ_{g(s)≠g(t)} σ_st(v)/σ_st``.

    ``g`` is the M3 primary group (``labels.primary``). Unaffiliated vertices (primary
    −1) are never a source or target but may lie between. Same scale as
    :func:`betweenness`. Exact: ``Σ_A`` igraph ``betweenness(sources=A,
    targets=labelled∖A)`` (which counts each undirected pair once over the two groups).

    Above ``exact_limit`` on ``n·m``: k sources S drawn uniformly without replacement from
    the N labelled vertices (``sources`` if given, else the smallest k meeting ``epsilon``
    if given, else ``max(DEFAULT_SOURCES, SOURCE_EDGE_BUDGET / m)``: the same time at every
    size; k ≥ N is exact). Bound: the score is the mean
    over s ∈ L of ``X_s(v) = N·Y_s(v)/((n−1)(n−2))`` with ``Y_s(v) = Σ_{t∈L, g(t)≠g(s)}
    δ_st(v) ∈ [0, T]``, ``T = min(n−2, max_A |L∖A|)``, so ``X_s ∈ [0, R]``,
    ``R = N·T/((n−1)(n−2))``; the estimate is ``X̄`` over S. Hoeffding's inequality for
    sampling without replacement (Serfling 1974) gives ``P(|X̄−c_X(v)| ≥ ε) ≤
    2·exp(−2kε²/((1−(k−1)/N)R²))``; a union bound over the n vertices gives, with
    probability ≥ 1−δ for all v, ``ε = R·sqrt((1−(k−1)/N)·ln(2n/δ)/(2k))`` (k = 64,
    n = N = 100k, δ = 0.1: ε ≈ 0.34; the worst case, typical errors are far smaller).

    Examples
    --------
    >>> labels = GroupLabels.from_sets(("a", "b"), [{0}, {0}, {1}])
    >>> cross_betweenness(ig.Graph([(0, 1), (1, 2)]), labels).scores.tolist()
    [0.0, 1.0, 0.0]
    """
    if labels.n_vertices != graph.vcount():
        raise ValidationError(
            "labels", f"{labels.n_vertices} labelled vertices for {graph.vcount()} in the graph"
        )
    _check_accuracy(epsilon, delta)
    distances = _distances(graph, weighted)
    primary = np.asarray(labels.primary, dtype=np.int64)
    population = int(np.count_nonzero(primary >= 0))
    value_range = _cross_range(graph.vcount(), primary)
    if sources is not None:
        count = sources
    elif epsilon is not None:
        count = _sources_needed(epsilon, population, graph.vcount(), delta, value_range)
    else:
        count = max(DEFAULT_SOURCES, SOURCE_EDGE_BUDGET // max(graph.ecount(), 1))
    if graph.vcount() * graph.ecount() <= exact_limit or count >= population:
        chosen = np.flatnonzero(primary >= 0)
        raw = _cross_sum(graph, primary, chosen, distances)
        return _exact(raw * _undirected_factor(graph) * _pair_scale(graph))
    return _source_sampled(graph, primary, distances, count, delta, seed, cross=True)


def hoeffding_serfling_epsilon(
    sampled: int, population: int, vertices: int, delta: float, value_range: float
) -> float:
    """Additive bound of a k-of-N source-sampled mean, uniform over ``vertices`` scores.

    ``ε = R·sqrt((1 − (k−1)/N)·ln(2n/δ)/(2k))`` (Serfling 1974 with a union bound); see
    :func:`cross_betweenness`.

    Examples
    --------
    >>> round(hoeffding_serfling_epsilon(64, 100_000, 100_000, 0.1, 1.0), 4)
    0.3366
    """
    shrink = 1.0 - (sampled - 1) / population
    return value_range * math.sqrt(shrink * math.log(2 * vertices / delta) / (2 * sampled))


def _sources_needed(
    epsilon: float, population: int, vertices: int, delta: float, value_range: float
) -> int:
    """Smallest k with ``hoeffding_serfling_epsilon(k, ...) ≤ epsilon`` (solved for k)."""
    plain = value_range**2 * math.log(2 * vertices / delta) / (2 * epsilon**2)
    return max(1, math.ceil(plain * (population + 1) / (population + plain)))


def _check_accuracy(epsilon: float | None, delta: float) -> None:
    if epsilon is not None and not 0 < epsilon < 1:
        raise ValidationError("epsilon", f"must lie in (0, 1), got {epsilon}")
    if not 0 < delta < 1:
        raise ValidationError("delta", f"must lie in (0, 1), got {delta}")


def _distances(graph: ig.Graph, weighted: bool) -> np.ndarray | None:
    if not weighted:
        return None
    if "weight" not in graph.es.attributes():
        raise ValidationError("weight", "weighted betweenness needs a 'weight' edge attribute")
    strength = np.asarray(graph.es["weight"], dtype=float)
    if strength.size and not np.all(strength > 0):
        raise ValidationError("weight", "tie strengths must be > 0")
    return 1.0 / strength


def _undirected_factor(graph: ig.Graph) -> float:
    """igraph counts an undirected pair once; the B1 scale counts ordered pairs."""
    return 1.0 if graph.is_directed() else 2.0


def _pair_scale(graph: ig.Graph) -> float:
    n = graph.vcount()
    return 1.0 / ((n - 1) * (n - 2)) if n >= 3 else 0.0


def _exact(scores: np.ndarray) -> Betweenness:
    return Betweenness(scores, "exact", None, None, None, "exact")


def _cross_range(n: int, primary: np.ndarray) -> float:
    """R of the bound: ``N·T/((n−1)(n−2))`` (see :func:`cross_betweenness`)."""
    sizes = np.bincount(primary[primary >= 0])
    population = int(sizes.sum())
    if n < 3 or population == 0:
        return 0.0
    targets = min(n - 2, population - int(sizes[sizes > 0].min()))
    return population * targets / ((n - 1) * (n - 2))


def _cross_sum(
    graph: ig.Graph, primary: np.ndarray, chosen: np.ndarray, distances: np.ndarray | None
) -> np.ndarray:
    """``Σ_{s∈chosen} Σ_{t labelled, g(t)≠g(s)} δ_st`` (an undirected pair: ½ per source)."""
    total = np.zeros(graph.vcount())
    for group in np.unique(primary[chosen]):
        here = chosen[primary[chosen] == group]
        there = np.flatnonzero((primary >= 0) & (primary != group))
        if there.size:
            total += graph.betweenness(
                sources=here.tolist(), targets=there.tolist(), weights=distances
            )
    return total


def _source_sampled(
    graph: ig.Graph,
    primary: np.ndarray,
    distances: np.ndarray | None,
    count: int,
    delta: float,
    seed: int,
    *,
    cross: bool,
) -> Betweenness:
    """Uniform k-of-N source sample, scaled by N/k; ``primary`` all 0 for plain B1."""
    labelled = np.flatnonzero(primary >= 0)
    population, n = labelled.size, graph.vcount()
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(labelled, size=min(count, population), replace=False))
    if cross:
        partial = _cross_sum(graph, primary, chosen, distances)
        value_range = _cross_range(n, primary)
    else:
        partial = np.asarray(graph.betweenness(sources=chosen.tolist(), weights=distances))
        value_range = population / (n - 1)
    # the ordered-pair sum is twice igraph's undirected count
    scale = _undirected_factor(graph) * population / chosen.size * _pair_scale(graph)
    epsilon = hoeffding_serfling_epsilon(chosen.size, population, n, delta, value_range)
    bound = (
        f"P(all |score - exact| <= {epsilon:.3g}) >= {1 - delta:g} "
        f"(Hoeffding-Serfling, {chosen.size} of {population} sources)"
    )
    return Betweenness(partial * scale, "sources", epsilon, delta, int(chosen.size), bound)


def _edge_arrays(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    edges = edge_arrays(graph)
    return np.ascontiguousarray(edges.source), np.ascontiguousarray(edges.target)


def _all_components_cliques(graph: ig.Graph, source: np.ndarray) -> bool:
    """True when every shortest path is one edge (KADABRA loops forever on diameter 1)."""
    membership = np.asarray(graph.connected_components().membership)
    sizes = np.bincount(membership)
    edges = np.bincount(membership[source], minlength=sizes.size)
    return bool(np.all(edges == sizes * (sizes - 1) // 2))


def _kadabra(
    graph: ig.Graph, epsilon: float, delta: float, seed: int, timeout: float
) -> Betweenness | None:
    """KADABRA in a child process (None after ``timeout`` s; the child is killed): its
    exact diameter step alone took 396 s on a 100k/1M Barabási–Albert graph."""
    n = graph.vcount()
    source, target = _edge_arrays(graph)
    if _all_components_cliques(graph, source):
        return _exact(np.zeros(n))
    with tempfile.TemporaryDirectory(prefix="kadabra-") as folder:
        request, answer = os.path.join(folder, "in.npz"), os.path.join(folder, "out.npz")
        np.savez(
            request,
            edges=np.stack([source, target]),
            n=n,
            seed=seed,
            accuracy=[epsilon * (n - 2) / n, delta],
        )
        command = [sys.executable, "-c", _CHILD, request, answer]
        paths = os.pathsep.join(path for path in sys.path if path)
        with subprocess.Popen(command, env={**os.environ, "PYTHONPATH": paths}) as child:
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                return None
        if child.returncode != 0:
            raise RuntimeError(f"KADABRA child process failed with exit code {child.returncode}")
        with np.load(answer) as result:
            raw, drawn, omega = result["scores"], int(result["drawn"]), float(result["omega"])
    counted = drawn - int(omega / _START_FACTOR)  # drawn = second phase + leaked first
    # networkit: 2·hits/counted (undirected); b̃ = hits/drawn; B1 = b̃·n/(n−2)
    scores = raw * counted / (2 * drawn) * n / (n - 2)
    bound = (
        f"P(all |score - exact| <= {epsilon:g}) >= {1 - delta:g} "
        f"(KADABRA, {drawn} sampled paths; nominal, see betweenness())"
    )
    return Betweenness(scores, "kadabra", epsilon, delta, drawn, bound)


_CHILD = (
    "import sys; from analytics.betweenness import _kadabra_child; _kadabra_child(*sys.argv[1:])"
)


def _kadabra_child(request: str, answer: str) -> None:
    """Child-process body: run networkit KADABRA on the saved edges, save raw scores."""
    import networkit as nk  # heavy (~160 MB), only in the child

    with np.load(request) as data:
        edges, n, seed = data["edges"].astype(np.uint64), int(data["n"]), int(data["seed"])
        err, delta = (float(x) for x in data["accuracy"])
    network = nk.GraphFromCoo((edges[0].copy(), edges[1].copy()), n=n, directed=False)
    # one thread: with two, networkit 11.2's "deterministic" run still varies in its
    # stopping epoch (sample counts 19303 vs 21685 for one seed); costs ~15 % at 100k/1M
    nk.setNumberOfThreads(1)
    nk.engineering.setSeed(seed, True)
    algorithm = nk.centrality.KadabraBetweenness(network, err, delta, True, 0, 0, _START_FACTOR)
    algorithm.run()
    np.savez(
        answer,
        scores=np.asarray(algorithm.scores(), dtype=float),
        drawn=algorithm.getNumberOfIterations(),
        omega=algorithm.getOmega(),
    )
