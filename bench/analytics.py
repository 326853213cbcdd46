"""Analytics benchmark: the full ``graphsvc analyze`` report, against networkx in the same run.

    python bench/analytics.py [--sizes 10000,100000] [--nx-sources 200] [--json]

For each size (people in the demo world; about 10 interactions per person and year, so
10,000 people give ~100k interactions and 100,000 give ~1M) a child process generates the
world into a fresh SQLite file; another child then does what ``graphsvc analyze --json``
does (``analytics.cli.load_projections`` and ``analytics.report.analyze``: read the window
from the store, build the three projections, run every metric, write the JSON) with each
stage timed (plain betweenness runs beside the other metrics: its row is the wait that is
left at the end), and reports its peak RSS.

At the smallest size the same metrics are computed with networkx on the same projection
(the reference implementations of the tests): betweenness and cross-community
betweenness (``betweenness_centrality_subset`` summed over groups) from ``--nx-sources``
sampled sources, scaled to all n sources (as in ``../shared/notes/perf-anchors.md``: exact
networkx betweenness takes minutes there), Burt's constraint and effective size, Louvain
communities (networkx has no Leiden of its own), the group mixing matrix, conductance,
k-cores, bridges and local bridges (their spans timed on 300 of them and scaled), and
reciprocity. E-I, Gould–Fernandez and
participation have no networkx implementation and are left out of both sides of the
ratio. Our betweenness is also timed exact at that size, so the ratio is given both for
the report as configured (approximate above its exact limit, with the stated bound) and
with exact betweenness on our side.

Targets (issue #4, 2-core machine): ≥ 20× faster than networkx at 10k; the 100k / 1M
report in ≤ 30 s with peak RSS ≤ 2 GB.
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # run as a script: this folder must not hide the analytics package

import argparse
import contextlib
import json
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Any

TARGET_RATIO = 20.0
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 2048.0


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_load(store: str, people: int) -> dict[str, Any]:
    """Generate the demo world and load it into ``store`` (not part of the figures)."""
    from graphsvc.batching import write_all
    from graphsvc.config import Settings
    from graphsvc.demo import generate
    from graphsvc.model import ENTITIES
    from graphsvc.store import open_store

    began = time.perf_counter()
    world = generate(people=people, months=12, seed=7)
    opened = open_store(Settings(store=store))
    for entity in ENTITIES:
        write_all(opened, entity, getattr(world, entity), 5000)
    opened.close()
    return {
        "interactions": len(world.interactions),
        "seconds": time.perf_counter() - began,
        "truth": world.ground_truth,
    }


class Stopwatch:
    """Seconds per named stage."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        result = work()
        self.stages[name] = time.perf_counter() - began
        return result


def child_report(store: str, networkx: bool, nx_sources: int) -> dict[str, Any]:
    """What ``graphsvc analyze --json`` does, stage by stage; then networkx if asked."""
    from analytics import report as r
    from analytics.cli import load_projections
    from analytics.projection import ProjectionOptions
    from graphsvc.config import Settings
    from graphsvc.store import open_store

    opened = open_store(Settings(store=store))
    watch = Stopwatch()
    began = time.perf_counter()
    main, flows, exchange, consent, names = watch.run(
        "read + project", lambda: load_projections(opened, ProjectionOptions())
    )
    opened.close()
    stages: dict[str, float] = {}
    report = r.analyze(main, flows, exchange, consent=consent, names=names, timings=stages)
    watch.stages.update(stages)
    watch.run("JSON document", lambda: json.dumps(report.to_dict()))
    total = time.perf_counter() - began
    g, labels = main.graph, main.labels
    between, cross = report.metrics.betweenness, report.metrics.cross_betweenness
    result: dict[str, Any] = {
        "people": g.vcount(),
        "ties": g.ecount(),
        "arcs_flow": flows.graph.ecount(),
        "interactions": main.interactions,
        "stages": watch.stages,
        "seconds": total,
        "peak_rss_mb": peak_rss_mb(),
        # the KADABRA child process (and any other) separately
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "betweenness": [between.method, between.bound],
        "cross_betweenness": [cross.method, cross.bound],
        "planted": _planted(report),
    }
    if networkx:
        alone = Stopwatch()  # inside the report it overlaps the other metrics
        alone.run("betweenness", lambda: r.betweenness(g))
        result["stages"]["betweenness (alone)"] = alone.stages["betweenness"]
        result["ours_exact_betweenness"] = _ours_exact(g, labels)
        result["networkx"] = _networkx(main, exchange, nx_sources)
    return result


def _planted(report: Any) -> dict[str, Any]:
    document = report.to_dict()
    ranked = sorted(document["people"], key=lambda row: -row["cross_betweenness"])
    return {
        "top_cross_betweenness": [row["id"] for row in ranked[:5]],
        "silos": [c["id"] for c in document["communities"] if c["silo"]],
    }


def _ours_exact(graph: Any, labels: Any) -> dict[str, float]:
    from analytics.betweenness import betweenness, cross_betweenness

    watch = Stopwatch()
    watch.run("betweenness", lambda: betweenness(graph, exact_limit=float("inf")))
    watch.run("cross-community betweenness",
              lambda: cross_betweenness(graph, labels, exact_limit=float("inf")))  # fmt: skip
    return watch.stages


def _networkx(main: Any, exchange: Any, sources: int) -> dict[str, float]:
    """The networkx reference of each metric it has, on the same projection."""
    import networkx as nx
    import numpy as np

    from analytics.edges import edge_arrays

    watch = Stopwatch()
    edges = edge_arrays(main.graph)
    n = main.graph.vcount()

    def build() -> Any:
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_weighted_edges_from(zip(edges.source.tolist(), edges.target.tolist(),
                                          edges.weight.tolist(), strict=True))  # fmt: skip
        return graph

    graph = watch.run("build", build)
    primary = main.labels.primary
    groups = [np.flatnonzero(primary == k).tolist() for k in range(main.labels.n_groups)]
    rng = np.random.default_rng(0)
    picked = set(rng.choice(n, size=min(sources, n), replace=False).tolist())
    scale = n / max(len(picked), 1)

    def sampled_betweenness() -> Any:
        return nx.betweenness_centrality_subset(graph, sources=list(picked), targets=list(graph))

    def sampled_cross() -> None:
        labelled = set(np.flatnonzero(primary >= 0).tolist())
        for members in groups:
            inside = set(members)
            nx.betweenness_centrality_subset(
                graph, sources=list(inside & picked), targets=list(labelled - inside)
            )

    watch.run("betweenness", sampled_betweenness)
    watch.run("cross-community betweenness", sampled_cross)
    watch.stages["betweenness"] *= scale
    watch.stages["cross-community betweenness"] *= scale
    watch.run("structural holes", lambda: (nx.constraint(graph, weight="weight"),
                                          nx.effective_size(graph, weight="weight")))  # fmt: skip
    attribute = {v: int(primary[v]) for v in range(n)}
    nx.set_node_attributes(graph, attribute, "group")
    watch.run("tie matrix", lambda: nx.attribute_mixing_matrix(graph, "group"))
    watch.run("conductance", lambda: [nx.conductance(graph, m) for m in groups if m])
    watch.run("k-core", lambda: nx.core_number(graph))
    watch.stages["bridges"] = _nx_bridges_seconds(nx, graph)
    watch.run("Louvain clusters", lambda: nx.community.louvain_communities(graph, seed=0))
    flows = exchange.graph
    directed = nx.DiGraph(flows.get_edgelist())
    watch.run("reciprocity", lambda: nx.overall_reciprocity(directed))
    return watch.stages | {"sources_sampled": float(len(picked)), "scale": scale}


def _nx_bridges_seconds(nx: Any, graph: Any, sample: int = 300) -> float:
    """networkx bridges and local bridges with their spans, the spans timed on a sample of
    the local bridges and scaled to all of them (``local_bridges(with_span=True)`` runs a
    shortest-path search per local bridge: hours on 10k people)."""
    began = time.perf_counter()
    list(nx.bridges(graph))
    local = list(nx.local_bridges(graph, with_span=False))
    listed = time.perf_counter() - began
    picked = local[:sample]
    began = time.perf_counter()
    for u, v in picked:
        graph.remove_edge(u, v)
        with contextlib.suppress(nx.NetworkXNoPath):
            nx.shortest_path_length(graph, u, v)
        graph.add_edge(u, v)
    spans = time.perf_counter() - began
    return listed + spans * len(local) / max(len(picked), 1)


def run_child(*argv: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def comparable(ours: dict[str, float], theirs: dict[str, float]) -> tuple[float, float]:
    """Seconds of the stages both sides compute (ours; networkx)."""
    pairs = {
        "betweenness (alone)": "betweenness",
        "cross-community betweenness": "cross-community betweenness",
        "structural holes": "structural holes",
        "tie matrix": "tie matrix",
        "bridges": "bridges",
        "reciprocity": "reciprocity",
        "Leiden clusters": "Louvain clusters",
        "E-I and silos": "conductance",  # ours includes E-I and the permutation test
    }
    mine = sum(ours[a] for a in pairs)
    other = sum(theirs[b] for b in pairs.values()) + theirs["k-core"] + theirs["build"]
    return mine, other


def print_size(size: int, load: dict[str, Any], result: dict[str, Any]) -> None:
    generated = load["interactions"]
    print(f"\n== {size:,} people: {result['people']:,} vertices, {result['ties']:,} ties,"
          f" {result['interactions']:,} interactions ({generated:,} generated)")  # fmt: skip
    for stage, seconds in result["stages"].items():
        if stage != "betweenness (alone)":
            print(f"  {stage:<30} {seconds:8.2f} s")
    print(f"  {'total (graphsvc analyze)':<30} {result['seconds']:8.2f} s"
          f"   peak RSS {result['peak_rss_mb']:,.0f} MB"
          f" (+ child processes {result['children_peak_rss_mb']:,.0f} MB)")  # fmt: skip
    print(f"  betweenness: {result['betweenness'][0]} ({result['betweenness'][1]})")
    print(f"  cross-community: {result['cross_betweenness'][0]} ({result['cross_betweenness'][1]})")
    truth = load["truth"]
    planted = result["planted"]
    top = planted["top_cross_betweenness"]
    print(f"  planted brokers {sorted(truth['brokers'])}; top 5 by B1x {top}")
    print(f"  planted silo {truth['silo_community']}; flagged {planted['silos']}")
    if "networkx" in result:
        theirs = result["networkx"]
        mine, other = comparable(result["stages"], theirs)
        exact = result["ours_exact_betweenness"]
        mine_exact = mine - result["stages"]["betweenness (alone)"] - result["stages"][
            "cross-community betweenness"] + sum(exact.values())  # fmt: skip
        print(
            f"  networkx, same metrics: {other:,.1f} s (betweenness from"
            f" {theirs['sources_sampled']:.0f} sources × {theirs['scale']:.1f})"
        )
        for stage, seconds in theirs.items():
            if stage not in ("sources_sampled", "scale"):
                print(f"    nx {stage:<27} {seconds:8.2f} s")
        print(
            f"  ours on those metrics: {mine:.2f} s → {other / mine:,.0f}× faster"
            f" (target ≥ {TARGET_RATIO:.0f}×)"
        )
        print(f"  ours with exact betweenness: {mine_exact:.2f} s → {other / mine_exact:,.1f}×")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--nx-sources", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-load", nargs=2, metavar=("STORE", "PEOPLE"))
    parser.add_argument("--child-report", nargs=3, metavar=("STORE", "NETWORKX", "SOURCES"))
    args = parser.parse_args(argv)
    if args.child_load:
        print(json.dumps(child_load(args.child_load[0], int(args.child_load[1]))))
        return 0
    if args.child_report:
        store, networkx, sources = args.child_report
        print(json.dumps(child_report(store, networkx == "1", int(sources))))
        return 0
    sizes = sorted(int(size) for size in args.sizes.split(","))
    results = []
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp:
        for size in sizes:
            store = f"sqlite:///{Path(tmp) / f'demo{size}.db'}"
            load = run_child("--child-load", store, str(size))
            with_nx = "1" if size == sizes[0] else "0"
            result = run_child("--child-report", store, with_nx, str(args.nx_sources))
            print_size(size, load, result)
            results.append({"size": size, **result})
    largest = results[-1]
    verdict = "meets" if largest["seconds"] <= TARGET_SECONDS else "MISSES"
    rss = "meets" if largest["peak_rss_mb"] <= TARGET_RSS_MB else "MISSES"
    peak = largest["peak_rss_mb"]
    print(f"\nlargest report: {largest['seconds']:.1f} s ({verdict} ≤ {TARGET_SECONDS:.0f} s),"
          f" peak RSS {peak:,.0f} MB ({rss} ≤ {TARGET_RSS_MB:,.0f} MB)")  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
