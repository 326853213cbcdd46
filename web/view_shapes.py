"""Geometry for :mod:`web.view_discs`: spirals, rings, packed and separated discs, and
the one igraph Fruchterman-Reingold (FR) call.

Positions here are unscaled; "unit disc" means the disc of radius 1 round the origin.
:func:`fr_with_gravity` draws from igraph's random generator: call it under
:func:`analytics.leiden.seeded_igraph_random` (the layout holds it once per layout).
"""

from __future__ import annotations

import math

import igraph as ig
import numpy as np

#: attraction of the gravity vertex relative to a tie (FR multiplies attraction by weight)
GRAVITY = 0.05
#: gap kept between two discs, in radii of the smaller one
GAP = 0.25
#: most discs whose overlaps are removed pairwise (quadratic: 300 discs take ~30 ms)
SEPARATE_LIMIT = 300
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def sunflower(count: int) -> np.ndarray:
    """``count`` evenly spread points in the unit disc (Vogel's spiral), first at the
    centre."""
    i = np.arange(count, dtype=np.float64)
    radius = np.sqrt((i + 0.5) / max(count, 1))
    angle = i * _GOLDEN_ANGLE
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def fr_with_gravity(
    n: int,
    source: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    start: np.ndarray,
    iterations: int = 300,
) -> np.ndarray:
    """FR positions of ``n`` vertices from ``start``, with a gravity vertex tied to all
    (weight :data:`GRAVITY`) that keeps loose parts near the rest; it is dropped after."""
    if n == 1:
        return np.zeros((1, 2))
    hub = np.full(n, n, dtype=np.int64)
    spokes = np.arange(n, dtype=np.int64)
    edges = list(
        zip(
            np.concatenate([source, spokes]).tolist(),
            np.concatenate([target, hub]).tolist(),
            strict=True,
        )
    )
    weights = np.concatenate([weight, np.full(n, GRAVITY)]).tolist()
    graph = ig.Graph(n=n + 1, edges=edges)
    seed = np.vstack([start, [[0.0, 0.0]]]).tolist()
    found = graph.layout_fruchterman_reingold(
        weights=weights, niter=iterations, seed=seed, grid=False
    )
    return np.asarray(found.coords, dtype=np.float64)[:n]


def fr_disc(n: int, source: np.ndarray, target: np.ndarray, iterations: int) -> np.ndarray:
    """Unit-disc FR positions of a connected graph, starting from a spiral with the
    best-tied vertices in the middle."""
    degree = np.bincount(source, minlength=n) + np.bincount(target, minlength=n)
    start = np.empty((n, 2))
    start[np.argsort(-degree, kind="stable")] = sunflower(n) * math.sqrt(n) / 2
    xy = fr_with_gravity(n, source, target, np.ones(len(source)), start, iterations)
    return into_disc(xy, squash=True)


def into_disc(xy: np.ndarray, *, squash: bool) -> np.ndarray:
    """Centred on the mean and scaled into the unit disc. ``squash``: the 95th percentile
    radius goes to 0.9 and the few beyond it approach the rim smoothly (an FR run's
    stragglers); otherwise the farthest point goes to the rim."""
    centred = xy - xy.mean(axis=0)
    radius = np.hypot(centred[:, 0], centred[:, 1])
    reach = float(np.quantile(radius, 0.95 if squash else 1.0))
    if reach <= 0:
        return np.zeros_like(xy)
    if not squash:
        scaled: np.ndarray = centred / reach
        return scaled
    rho = 0.9 * radius / reach
    beyond = rho > 0.9
    squashed = rho.copy()
    squashed[beyond] = 0.9 + 0.1 * -np.expm1(-(rho[beyond] - 0.9) / 0.1)
    factor = np.divide(squashed, radius, out=np.zeros_like(radius), where=radius > 0)
    inside: np.ndarray = centred * factor[:, None]
    return inside


def ring(pull: np.ndarray, inner: float) -> np.ndarray:
    """Evenly spread points of the ring between radii ``inner`` and 1, one per row of
    ``pull``: rows with a pull take points spread round the ring in the order of their
    pull angles, turned to match them; the others take the points left."""
    count = len(pull)
    if count == 0:
        return np.zeros((0, 2))
    i = np.arange(count, dtype=np.float64)
    spiral_angle = np.mod(i * _GOLDEN_ANGLE, 2 * math.pi)
    by_angle = np.argsort(spiral_angle, kind="stable")
    slot_angle = spiral_angle[by_angle]
    radius = np.sqrt(inner**2 + (1 - inner**2) * (i + 0.5) / count)[by_angle]
    angle = np.mod(np.arctan2(pull[:, 1], pull[:, 0]), 2 * math.pi)
    pulled = np.flatnonzero(np.hypot(pull[:, 0], pull[:, 1]) > 0)
    pulled = pulled[np.argsort(angle[pulled], kind="stable")]
    chosen = (np.arange(len(pulled)) * count) // max(len(pulled), 1)
    if len(pulled):  # turn by the circular mean of (pull angle - slot angle)
        offset = angle[pulled] - slot_angle[chosen]
        turn = math.atan2(float(np.sin(offset).sum()), float(np.cos(offset).sum()))
        chosen = (chosen + round(turn * count / (2 * math.pi))) % count
    slot = np.empty(count, dtype=np.int64)
    slot[pulled] = chosen
    rest = np.ones(count, dtype=bool)
    rest[pulled] = False
    free = np.ones(count, dtype=bool)
    free[chosen] = False
    slot[rest] = np.flatnonzero(free)
    return np.column_stack([radius * np.cos(slot_angle), radius * np.sin(slot_angle)])[slot]


def packed(radii: np.ndarray) -> np.ndarray:
    """Centres of discs packed round the largest: in decreasing size along Vogel's spiral,
    each just outside a disc of the area before it, overlaps then pushed apart (for up to
    :data:`SEPARATE_LIMIT` discs)."""
    order = np.argsort(-radii, kind="stable")
    ranked = radii[order]
    before = np.concatenate([[0.0], np.cumsum(ranked**2)[:-1]])
    distance = np.where(before > 0, 1.25 * np.sqrt(before) + ranked, 0.0)
    angle = np.arange(len(radii)) * _GOLDEN_ANGLE
    xy = np.zeros((len(radii), 2))
    xy[order] = np.column_stack([distance * np.cos(angle), distance * np.sin(angle)])
    return separate(xy, radii) if len(radii) <= SEPARATE_LIMIT else xy


def separate(xy: np.ndarray, radii: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Push overlapping discs apart, keeping :data:`GAP` between them: each round every
    overlapping pair moves apart by half its overlap, the smaller disc more."""
    xy = xy.copy()
    need = radii[:, None] + radii[None, :] + GAP * np.minimum.outer(radii, radii)
    np.fill_diagonal(need, 0.0)
    share = radii[None, :] / (radii[:, None] + radii[None, :])
    tolerance = 0.01 * float(radii.min())
    nudge = sunflower(len(xy)) * tolerance  # splits coinciding centres, deterministically
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        distance = np.hypot(delta[..., 0], delta[..., 1])
        overlap = need - distance
        if overlap.max() <= tolerance:
            break
        coincide = distance == 0
        np.fill_diagonal(coincide, False)
        if coincide.any():
            xy += nudge
            continue
        np.clip(overlap, 0.0, None, out=overlap)
        unit = delta / np.where(distance > 0, distance, 1.0)[..., None]
        xy += (unit * (overlap * share)[..., None]).sum(axis=1) / 2
    return xy
