"""Everyone's top k at once (:meth:`CollaboratorModel.recommend_all`), block by block.

Per block of people: candidates, features, probabilities, the R5 boost s·(1 + β·bridge)
and the top k with at least q cross items (:func:`recommend.rerank.select_top_k`). With a
load cap a second pass follows: each suggested person's load is the given load plus their
exposure in the first pass (the number of lists they appear in), the penalty applies, and
each list is chosen again from that person's pool (their best 3k plus their best q cross
candidates), so that memory holds pools, never all candidate pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from recommend.features import pair_features
from recommend.rerank import BoundaryRerank, boosted, bridge_scores, load_penalty, select_top_k

if TYPE_CHECKING:
    from recommend.model import CollaboratorModel

POOL_FACTOR = 3


@dataclass(frozen=True)
class TopK:
    """Everyone's top k: row i holds the suggestions for vertex ``people[i]`` (-1 = none),
    their re-ranked ``score``, model ``probability`` and whether they ``cross`` the
    boundary; ``person_ids`` names the vertices."""

    person_ids: tuple[str, ...]
    people: np.ndarray
    suggested: np.ndarray
    score: np.ndarray
    probability: np.ndarray
    cross: np.ndarray

    @cached_property
    def _row(self) -> dict[str, int]:
        return {self.person_ids[v]: i for i, v in enumerate(self.people.tolist())}

    def ids(self, person_id: str) -> list[str]:
        """The ids suggested to ``person_id`` in rank order ([] when not in the table)."""
        row = self._row.get(person_id)
        if row is None:
            return []
        return [self.person_ids[v] for v in self.suggested[row].tolist() if v >= 0]


def top_k_everyone(
    model: CollaboratorModel,
    rows: np.ndarray,
    k: int,
    options: BoundaryRerank,
    load: np.ndarray | None,
    block: int,
) -> TopK:
    """The :class:`TopK` of ``rows`` (sorted vertex indexes)."""
    state = model.state_
    capped = options.load_cap is not None
    parts: list[dict[str, np.ndarray]] = []
    for pairs in model.generator_.blocks(rows, block):
        if not len(pairs):
            continue
        probability = model.probabilities(
            pair_features(state, pairs.source, pairs.target, model.three_hops)
        )
        bridge = bridge_scores(state, pairs.source, pairs.target, options.closed)
        cross = ~state.labels.internal(pairs.source, pairs.target)
        score = boosted(probability, bridge, options)
        keep = _pool(pairs.source, score, cross, k, options.min_cross) if capped else (
            select_top_k(pairs.source, score, cross, k, options.min_cross)
        )  # fmt: skip
        parts.append({
            "source": pairs.source[keep], "target": pairs.target[keep], "score": score[keep],
            "probability": probability[keep], "cross": cross[keep],
        })  # fmt: skip
    pool = {name: _concat([p[name] for p in parts]) for name in
            ("source", "target", "score", "probability", "cross")}  # fmt: skip
    chosen = select_top_k(pool["source"], pool["score"], pool["cross"], k, options.min_cross)
    if capped:
        exposure = np.bincount(pool["target"][chosen], minlength=state.n).astype(np.float64)
        total = exposure if load is None else exposure + load
        pool["score"] = pool["score"] * load_penalty(total[pool["target"]], options.load_cap)
        chosen = select_top_k(pool["source"], pool["score"], pool["cross"], k, options.min_cross)
    return _table(model, rows, k, {name: values[chosen] for name, values in pool.items()})


def _pool(source: np.ndarray, score: np.ndarray, cross: np.ndarray, k: int, q: int) -> np.ndarray:
    """Each person's best ``3k`` candidates and best ``q`` cross candidates."""
    best = select_top_k(source, score, cross, POOL_FACTOR * k)
    crossing = np.flatnonzero(cross)
    best_cross = crossing[select_top_k(source[crossing], score[crossing], cross[crossing], q)]
    return np.union1d(best, best_cross)


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0)


def _table(model: CollaboratorModel, rows: np.ndarray, k: int, top: dict[str, np.ndarray]) -> TopK:
    source = top["source"].astype(np.int64)
    row = np.searchsorted(rows, source)
    start = np.searchsorted(source, source, side="left")
    column = np.arange(len(source)) - start
    suggested = np.full((len(rows), k), -1, dtype=np.int64)
    score = np.full((len(rows), k), np.nan)
    probability = np.full((len(rows), k), np.nan)
    cross = np.zeros((len(rows), k), dtype=bool)
    suggested[row, column] = top["target"]
    score[row, column] = top["score"]
    probability[row, column] = top["probability"]
    cross[row, column] = top["cross"]
    return TopK(model.person_ids_, rows, suggested, score, probability, cross)
