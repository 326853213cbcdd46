"""Gould & Fernandez (1989) brokerage roles on a directed graph (METRICS.md B4).

``v`` brokers each *open* two-path ``a → v → b`` (``a ≠ b``, no arc ``a → b``); the role is
keyed on the pattern of M3 primary groups, the middle letter being the broker's group (names
and ``b_IO``/``b_OI`` subscripts differ across sna versions): coordinator ``A → A → A``,
itinerant ``A → B → A``, representative ``A → A → B``, gatekeeper ``A → B → B``, liaison
``A → B → C``. Vertices without a group (primary ``-1``) broker nothing and a two-path with
an unaffiliated end is not counted. Credit is not split (one broker per two-path); arc
weights are ignored.

Counting is vectorised: per-vertex in- and out-neighbours by group (``O(m)``), minus the
pairs ``a = b`` (mutual arcs), minus the *closed* two-paths, listed once from the triangles
of the undirected skeleton (:mod:`analytics.two_paths`). Closed two-paths do not depend on
the labels, so a label permutation costs ``O(m + closed two-paths)``. Memory grows with the
closed two-paths (12 bytes each): fine for sparse KX/MENT layers, not for big cliques.
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np

from analytics.groups import GroupLabels
from analytics.two_paths import WEDGE_CHUNK, TwoPathSkeleton, two_path_skeleton

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
COORDINATOR, ITINERANT, REPRESENTATIVE, GATEKEEPER, LIAISON = range(5)

#: Adaptive permutation count: at most this many (arcs + closed two-paths) per run ...
PERMUTATION_BUDGET = 40_000_000
#: ... within these bounds (``permutations=None``).
PERMUTATIONS_MIN, PERMUTATIONS_MAX = 20, 1000
#: Largest ``vertices × groups`` table counted densely (else sorted keys).
DENSE_TABLE_LIMIT = 1 << 23


@dataclass(frozen=True)
class BrokerageRoles:
    """Per-vertex role counts (columns in the order of :data:`ROLES`) and their nulls.

    ``counts``, ``expected``, ``sd``, ``z``, ``perm_mean``, ``perm_sd`` and ``perm_z`` are
    ``(n, 5)``; ``total``/``expected_total``/``z_total`` are per vertex (all five roles);
    ``role_totals`` and ``role_totals_perm_z`` are network sums per role. Bernoulli values
    are NaN for unaffiliated vertices; every z is NaN where its sd is 0 or undefined.
    """

    counts: np.ndarray
    total: np.ndarray
    role_totals: np.ndarray
    density: float
    expected: np.ndarray
    sd: np.ndarray
    z: np.ndarray
    expected_total: np.ndarray
    z_total: np.ndarray
    permutations: int
    perm_mean: np.ndarray
    perm_sd: np.ndarray
    perm_z: np.ndarray
    role_totals_perm_z: np.ndarray
    roles: tuple[str, ...] = ROLES


def brokerage_roles(
    graph: ig.Graph, labels: GroupLabels, *, permutations: int | None = None, seed: int = 0
) -> BrokerageRoles:
    """Gould–Fernandez brokerage role counts with Bernoulli and label-permutation z-scores.

    ``counts[v, r]`` is the number of open two-paths ``a → v → b`` (``a ≠ b``, no arc
    ``a → b``) whose primary groups follow role ``r``'s pattern (METRICS.md B4).

    Bernoulli null (R ``sna::brokerage``, Butts; Gould & Fernandez 1989): density
    ``d = m/(N(N−1))`` over all ``N`` vertices, group sizes over the affiliated vertices;
    ``E``, ``sd`` from :func:`bernoulli_moments`, ``z = (obs − E)/sd`` (the same as sna when
    everyone has a group). It ignores degree: hubs always look significant.

    Label permutations (graph fixed): ``labels.permuted(rng)`` with
    ``rng = numpy.random.default_rng(seed)``; ``perm_z = (obs − mean_perm)/sd_perm``
    (``ddof=1``). ``permutations=None`` adapts the count to the work per run:
    ``PERMUTATION_BUDGET // (arcs + closed two-paths + n)`` clipped to 20–1000 (about 2 s
    of permutations on a 2-core VM); ``0`` skips the permutation null (NaN).

    Raises ``ValueError`` on an undirected graph or labels of another size.

    Examples
    --------
    >>> import igraph as ig
    >>> from analytics.groups import GroupLabels
    >>> g = ig.Graph(n=3, edges=[(0, 1), (1, 2)], directed=True)
    >>> labels = GroupLabels.from_sets(("A", "B"), [{0}, {1}, {1}])
    >>> result = brokerage_roles(g, labels, permutations=0)
    >>> dict(zip(result.roles, result.counts[1].tolist()))["gatekeeper"]
    1
    >>> result.total.tolist()
    [0, 1, 0]
    """
    if not graph.is_directed():
        raise ValueError("Gould-Fernandez brokerage needs a directed graph")
    if labels.n_vertices != graph.vcount():
        raise ValueError(f"{labels.n_vertices} labels for {graph.vcount()} vertices")
    skeleton = two_path_skeleton(graph, chunk=WEDGE_CHUNK)  # this module's name: patchable
    group = np.asarray(labels.primary, dtype=np.int64)
    counts = _role_counts(skeleton, group)
    n = skeleton.n
    density = len(skeleton.source) / (n * (n - 1)) if n > 1 else 0.0
    sizes = np.bincount(group[group >= 0], minlength=labels.n_groups)
    group_mean, group_sd = bernoulli_moments(sizes, density)
    expected, sd = _per_vertex(group_mean, group), _per_vertex(group_sd, group)
    # all five roles = one group of every affiliated vertex, as a coordinator (sna "t")
    everyone = bernoulli_moments(np.array([sizes.sum()]), density)
    total_mean, total_sd = (_per_vertex(m[:, :1], np.minimum(group, 0))[:, 0] for m in everyone)
    total = counts.sum(axis=1)
    runs = _permutation_count(skeleton) if permutations is None else int(permutations)
    perm_mean, perm_sd = _permutation_null(skeleton, group, runs, seed)
    return BrokerageRoles(
        counts=counts,
        total=total,
        role_totals=counts.sum(axis=0),
        density=density,
        expected=expected,
        sd=sd,
        z=_z(counts, expected, sd),
        expected_total=total_mean,
        z_total=_z(total, total_mean, total_sd),
        permutations=runs,
        perm_mean=perm_mean[:-1],
        perm_sd=perm_sd[:-1],
        perm_z=_z(counts, perm_mean[:-1], perm_sd[:-1]),
        role_totals_perm_z=_z(counts.sum(axis=0), perm_mean[-1], perm_sd[-1]),
    )


def bernoulli_moments(sizes: np.ndarray, density: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected role counts and their sd for a broker of each group in a Bernoulli graph.

    Returns two ``(k, 5)`` arrays (rows: broker group, columns: :data:`ROLES`). With
    ``p = d²(1−d)``, ``c = d³(1−d)³``, ``n = n_g``, ``R = N − n_g`` (``N = Σ n_h``), sums
    over the other groups ``h ≠ g`` (R ``sna::brokerage``, whose formulas are exact for
    the Bernoulli digraph; Gould & Fernandez 1989):

    * coordinator ``E = p(n−1)(n−2)``, ``Var = E(1−p) + 2(n−1)(n−2)(n−3)c``;
    * itinerant ``E = pΣ n_h(n_h−1)``, ``Var = E(1−p) + 2Σ n_h(n_h−1)(n_h−2)c``;
    * representative = gatekeeper ``E = pR(n−1)``,
      ``Var = E(1−p) + 2[(n−1)C(R,2) + R·C(n−1,2)]c``;
    * liaison ``E = p[R² − Σ n_h²]``, ``Var = E(1−p) + 4Σ n_h C(R − n_h, 2)c``.

    The five expectations sum to ``p(N−1)(N−2)``.

    Examples
    --------
    >>> mean, sd = bernoulli_moments(np.array([3, 2]), 0.5)
    >>> mean.tolist()[0]
    [0.25, 0.25, 0.5, 0.5, 0.0]
    >>> float(mean[0].sum()) == 0.125 * 4 * 3
    True
    """
    n, d = np.asarray(sizes, dtype=float), float(density)
    p, c = d * d * (1 - d), d**3 * (1 - d) ** 3
    rest = n.sum() - n

    def others(power: np.ndarray) -> np.ndarray:  # Σ over the groups h ≠ g
        return np.asarray(power.sum() - power)

    s2, s3 = others(n**2), others(n**3)
    representative = p * rest * (n - 1)
    mean = np.column_stack(
        [p * (n - 1) * (n - 2), p * others(n * (n - 1)), representative, representative]
        + [p * (rest**2 - s2)]
    )
    # Σ_h n_h C(R − n_h, 2) = [R(R−1)Σn_h − (2R−1)Σn_h² + Σn_h³] / 2, with Σn_h = R
    liaison = 2 * (rest * rest * (rest - 1) - (2 * rest - 1) * s2 + s3)
    crossed = (n - 1) * rest * (rest - 1) + rest * (n - 1) * (n - 2)
    extra = np.column_stack(
        [2 * (n - 1) * (n - 2) * (n - 3), 2 * others(n * (n - 1) * (n - 2)), crossed, crossed]
        + [liaison]
    )
    return mean, np.sqrt(np.maximum(mean * (1 - p) + extra * c, 0.0))


def _role_counts(skeleton: TwoPathSkeleton, group: np.ndarray) -> np.ndarray:
    """The ``(n, 5)`` open two-path counts for primary labels ``group`` (``-1``: none)."""
    n, src, dst = skeleton.n, skeleton.source, skeleton.target
    gs, gd = group[src], group[dst]
    same = (gs == gd) & (gs >= 0)
    in_all = np.bincount(dst[gs >= 0], minlength=n)
    out_all = np.bincount(src[gd >= 0], minlength=n)
    in_same = np.bincount(dst[same], minlength=n)
    out_same = np.bincount(src[same], minlength=n)
    matched = _same_group_pairs(n, src, dst, gs, gd, max(int(group.max(initial=-1)) + 1, 1))
    (u, w), (gu, gw) = skeleton.mutual, (group[x] for x in skeleton.mutual)
    twin = (gu == gw) & (gu >= 0)
    mutual_all = np.bincount(np.r_[u[gw >= 0], w[gu >= 0]], minlength=n)
    mutual_same = np.bincount(np.r_[u[twin], w[twin]], minlength=n)
    closed = _closed_by_role(skeleton, group)
    inside = in_same * out_same  # then: all (a, b) pairs of the pattern, minus a = b
    counts = np.column_stack(
        [
            inside - mutual_same,
            matched - inside - (mutual_all - mutual_same),
            in_same * (out_all - out_same),
            (in_all - in_same) * out_same,
            (in_all - in_same) * (out_all - out_same) - (matched - inside),
        ]
    ).astype(np.int64)
    counts -= closed
    counts[group < 0] = 0
    return counts


def _same_group_pairs(
    n: int, src: np.ndarray, dst: np.ndarray, gs: np.ndarray, gd: np.ndarray, k: int
) -> np.ndarray:
    """Per vertex ``v``: pairs (in-neighbour, out-neighbour) of one group, ``Σ_g I_vg O_vg``.

    ``I_vg`` is looked up at each out-arc ``v → b`` as ``I[v, g(b)]``: from a dense
    ``n·k`` table when it is small, else from the sorted keys ``v·k + g``."""
    into = dst[gs >= 0] * k + gs[gs >= 0]
    keep = gd >= 0
    wanted = src[keep] * k + gd[keep]
    if n * k <= DENSE_TABLE_LIMIT:
        found = np.bincount(into, minlength=n * k)[wanted]
    else:
        into = np.sort(into)
        found = np.searchsorted(into, wanted, side="right") - np.searchsorted(into, wanted)
    return np.bincount(src[keep], weights=found, minlength=n).astype(np.int64)


def _closed_by_role(skeleton: TwoPathSkeleton, group: np.ndarray) -> np.ndarray:
    """``(n, 5)`` counts of the closed two-paths ``a → v → b`` (arc ``a → b``) by role."""
    ga, gv, gb = (group[x] for x in skeleton.closed)
    role = classify_two_paths(ga, gv, gb)
    keep = (ga >= 0) & (gv >= 0) & (gb >= 0)
    flat = np.bincount(skeleton.closed[1][keep] * 5 + role[keep], minlength=5 * skeleton.n)
    return flat.reshape(skeleton.n, 5)


def classify_two_paths(ga: np.ndarray, gv: np.ndarray, gb: np.ndarray) -> np.ndarray:
    """Role index (position in :data:`ROLES`) of two-paths ``a → v → b`` from their groups.

    Examples
    --------
    >>> [ROLES[r] for r in classify_two_paths(np.array([0, 0, 0, 0, 0]),
    ...     np.array([0, 1, 0, 1, 1]), np.array([0, 0, 1, 1, 2]))]
    ['coordinator', 'itinerant', 'representative', 'gatekeeper', 'liaison']
    """
    code = (ga == gv).view(np.uint8) * 4 + (gv == gb).view(np.uint8) * 2
    code += (ga == gb).view(np.uint8)
    roles: np.ndarray = _ROLE_OF_CODE[code]
    return roles


# code = 4·[g(a)=g(v)] + 2·[g(v)=g(b)] + [g(a)=g(b)]; codes 3, 5, 6 cannot occur
_ROLE_OF_CODE = np.array(
    [LIAISON, ITINERANT, GATEKEEPER, -1, REPRESENTATIVE, -1, -1, COORDINATOR], dtype=np.int64
)


def _permutation_count(skeleton: TwoPathSkeleton) -> int:
    work = len(skeleton.source) + len(skeleton.closed[0]) + skeleton.n
    return int(np.clip(PERMUTATION_BUDGET // max(work, 1), PERMUTATIONS_MIN, PERMUTATIONS_MAX))


def _permutation_null(
    skeleton: TwoPathSkeleton, primary: np.ndarray, runs: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd (``ddof=1``, Welford) over ``runs`` label permutations of the
    ``(n + 1, 5)`` counts: one row per vertex, then the role totals."""
    rng = np.random.default_rng(seed)
    mean, square = np.zeros((skeleton.n + 1, 5)), np.zeros((skeleton.n + 1, 5))
    for run in range(1, runs + 1):
        # primary[rng.permutation(n)] is labels.permuted(rng).primary, without the sets
        counts = _role_counts(skeleton, primary[rng.permutation(len(primary))])
        sample = np.vstack([counts, counts.sum(axis=0)]).astype(float)
        delta = sample - mean
        mean += delta / run
        square += delta * (sample - mean)
    if runs < 2:
        return np.full(mean.shape, np.nan), np.full(mean.shape, np.nan)
    return mean, np.sqrt(square / (runs - 1))


def _per_vertex(by_group: np.ndarray, group: np.ndarray) -> np.ndarray:
    out = np.full((len(group), by_group.shape[1]), np.nan)
    out[group >= 0] = by_group[group[group >= 0]]
    return out


def _z(observed: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """``(observed − mean)/sd``, NaN where sd is 0 or NaN (no warnings)."""
    ok = np.isfinite(sd) & (sd > 0)
    diff = np.asarray(observed, dtype=float) - mean
    z: np.ndarray = np.divide(diff, sd, out=np.full(np.shape(diff), np.nan), where=ok)
    return z
