"""Recommendation benchmark on the 100k-person demo world.

    python bench/recommend.py [--people 100000] [--sample 300] [--json]

The world is generated, loaded into a fresh SQLite file and read back the way the
commands and the web app read it (:class:`recommend.inputs.RecommendInputs`). Then:

1. **Fit** of the collaborator model as of the latest data (reported with its training rows).
2. **Per-person suggestions**, warm: p50 / p95 of ``recommend(person, 10)`` (with the
   boundary re-ranking) over ``--sample`` random consenting people. Baseline in the same run:
   networkx's ``adamic_adar_index`` over the same person's 2-hop non-neighbours on the
   same tie graph (what a networkx script does). Target: p95 ≤ 100 ms.
3. **Suggestions for everyone**: ``recommend_all(10)``. Target ≤ 2 min.
4. **Cohort matching**, 1,000 mentees × 300 mentors with free slots from the same world:
   fit matrix + assignment. Baseline: networkx ``max_flow_min_cost`` on the same problem
   (the min-cost-flow formulation of METRICS.md R6). Target ≤ 5 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path: drop it (see bench/ingest.py).
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from graphsvc.batching import write_all  # noqa: E402
from graphsvc.config import Settings  # noqa: E402
from graphsvc.demo import generate  # noqa: E402
from graphsvc.interchange import SPECS  # noqa: E402
from graphsvc.store import open_store  # noqa: E402
from recommend.inputs import RecommendInputs  # noqa: E402
from recommend.matching import match_cohort  # noqa: E402
from recommend.rerank import BoundaryRerank  # noqa: E402

MENTEES, MENTORS = 1000, 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"people": args.people}
    with tempfile.TemporaryDirectory() as folder:
        inputs = load(args.people, Path(folder), results)
    as_of = inputs.latest() + timedelta(seconds=1)
    started = time.perf_counter()
    model = inputs.collaborator_model("cop", as_of)
    results["fit_s"] = round(time.perf_counter() - started, 1)
    results["training"] = model.training_
    latency(model, args.sample, results)
    started = time.perf_counter()
    top = model.recommend_all(10)
    results["recommend_all_s"] = round(time.perf_counter() - started, 1)
    results["recommend_all_people"] = len(top.person_ids)
    cohort(inputs, as_of, results)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:32} {value}")
    return 0


def load(people: int, folder: Path, results: dict[str, Any]) -> RecommendInputs:
    started = time.perf_counter()
    world = generate(people=people, months=12, seed=1)
    results["generate_s"] = round(time.perf_counter() - started, 1)
    store = open_store(Settings(store=f"sqlite:///{folder / 'bench.db'}"))
    started = time.perf_counter()
    for entity in SPECS:
        write_all(store, entity, list(getattr(world, entity)), 5000)
    results["store_load_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    inputs = RecommendInputs.load(store)
    inputs.history("cop")
    results["read_and_history_s"] = round(time.perf_counter() - started, 1)
    results["interactions"] = len(inputs.interactions)
    store.close()
    return inputs


def latency(model: Any, sample: int, results: dict[str, Any]) -> None:
    """Warm per-person latency of ours (re-ranked) and of networkx Adamic–Adar."""
    rng = np.random.default_rng(0)
    consenting = np.flatnonzero(model.state_.consent & (model.state_.degree > 0))
    people = [model.person_ids_[i] for i in rng.choice(consenting, sample, replace=False)]
    rerank = BoundaryRerank(beta=0.5, min_cross=2)
    for person in people[:5]:
        model.recommend(person, 10, rerank=rerank)
    ours = []
    for person in people:
        started = time.perf_counter()
        model.recommend(person, 10, rerank=rerank)
        ours.append(time.perf_counter() - started)
    graph = nx.from_scipy_sparse_array(model.state_.adjacency)
    theirs = []
    for person in people[:50]:
        u = model.vertex(person)
        started = time.perf_counter()
        near = {w for n in graph[u] for w in graph[n]} - set(graph[u]) - {u}
        ranked = sorted(nx.adamic_adar_index(graph, [(u, w) for w in near]), key=lambda t: -t[2])
        ranked[:10]
        theirs.append(time.perf_counter() - started)
    results["recommend_ms_p50"] = round(1000 * float(np.percentile(ours, 50)), 1)
    results["recommend_ms_p95"] = round(1000 * float(np.percentile(ours, 95)), 1)
    results["networkx_aa_ms_p50"] = round(1000 * float(np.percentile(theirs, 50)), 1)
    results["networkx_aa_ms_p95"] = round(1000 * float(np.percentile(theirs, 95)), 1)


def cohort(inputs: RecommendInputs, as_of: Any, results: dict[str, Any]) -> None:
    """1,000 mentees × 300 mentors: ours against networkx min-cost flow."""
    started = time.perf_counter()
    model = inputs.mentor_model(as_of)
    results["mentor_profiles_s"] = round(time.perf_counter() - started, 1)
    rng = np.random.default_rng(1)
    mentors = inputs.available_mentors(model)
    mentors = sorted(rng.choice(mentors, min(MENTORS, len(mentors)), replace=False).tolist())
    chosen = set(mentors)
    pool = [p.id for p in inputs.people if p.consent and p.topics and p.id not in chosen]
    mentees = sorted(rng.choice(pool, MENTEES, replace=False).tolist())
    started = time.perf_counter()
    fit = model.fit_matrix(mentees, mentors)
    free = [int(model.free_[model.index_[m]]) for m in mentors]
    result = match_cohort(fit, free)
    results["matching_s"] = round(time.perf_counter() - started, 2)
    results["matching_pairs"] = len(result.pairs)
    results["matching_total_fit"] = round(result.total_fit, 2)
    started = time.perf_counter()
    flow_total = networkx_matching(fit, free)
    results["networkx_min_cost_flow_s"] = round(time.perf_counter() - started, 2)
    results["networkx_total_fit"] = round(flow_total, 2)


def networkx_matching(fit: np.ndarray, free: list[int]) -> float:
    """The same assignment as a min-cost flow (integer costs: −round(1000·fit))."""
    graph = nx.DiGraph()
    n_mentees, n_mentors = fit.shape
    for e in range(n_mentees):
        graph.add_edge("s", ("e", e), capacity=1, weight=0)
        graph.add_edge(("e", e), "t", capacity=1, weight=0)  # unmatched
        for m in np.flatnonzero(np.isfinite(fit[e])):
            graph.add_edge(("e", e), ("m", int(m)), capacity=1, weight=-round(1000 * fit[e, m]))
    for m in range(n_mentors):
        graph.add_edge(("m", m), "t", capacity=free[m], weight=0)
    flow = nx.max_flow_min_cost(graph, "s", "t")
    return float(
        sum(fit[e, m] for e in range(n_mentees) for m in range(n_mentors)
            if flow[("e", e)].get(("m", m), 0) > 0)
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
