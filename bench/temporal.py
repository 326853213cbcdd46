"""Temporal indicators benchmark: T1–T7 monthly with bootstrap intervals, against networkx.

    python bench/temporal.py [--sizes 1000000,10000000] [--replicates 200] [--json]

For each size a child process generates a synthetic history with numpy (not the demo
generator: it builds Python objects): people (one per 40 events) in 50 communities of
log-normal sizes, 10% of them in a second community and 3% switching community halfway,
log-normal activity; 75% of interactions inside the source's community, the rest with
anyone (by activity); kinds collaboration / knowledge exchange / communication plus 5%
co-attendance (left out by the indicators, as by default); 24 months. It then times
``analytics.temporal.temporal_indicators`` (all of T1–T7, monthly, with ``--replicates``
bootstrap replicates, the T5 permutation test at its default 99 permutations and the exact
T1 baseline), and reports its peak RSS (``resource.getrusage``, the child alone).

Baseline in the same child, the plain way: one ``networkx.Graph`` per month (interactions
as weighted edges, each person's group set in a dict, a loop over the edges). Its monthly T1
values for the first ``--baseline-months`` months must equal ours; and for the first month,
T1 with a person bootstrap of ``--replicates`` replicates (product weights ``c_u c_v``, a loop
over the edges per replicate) is timed against ours for every indicator with its intervals
on that month: the ratio.

Targets (issue #7, on this 2-core machine): ≤ 10 s at 1M events and ≤ 60 s at 10M.
The machine is shared with other work: treat single runs as ±25%.
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # run as a script: this folder must not hide the analytics package

import argparse
import json
import resource
import subprocess
import time
from typing import Any

import numpy as np

TARGETS = {1_000_000: 10.0, 10_000_000: 60.0}
MONTHS = 24
COMMUNITIES = 50
START = 1_704_067_200  # 2024-01-01T00:00:00Z
MONTH_SECONDS = 30.44 * 86_400


def synthetic(events: int, seed: int = 7) -> tuple[Any, Any]:
    """``(InteractionArrays, MembershipArrays)`` of a synthetic history (module doc)."""
    from analytics.temporal_windows import ALWAYS, NEVER, MembershipArrays
    from graphsvc.model import InteractionArrays, InteractionKind

    rng = np.random.default_rng(seed)
    people = max(events // 40, 200)
    sizes = rng.lognormal(0.0, 0.8, COMMUNITIES)
    home = np.sort(rng.choice(COMMUNITIES, people, p=sizes / sizes.sum()))
    activity = rng.lognormal(0.0, 1.0, people)
    source = _by_weight(rng, activity, events)
    order = np.argsort(home, kind="stable")  # people are already sorted by community
    cumulative = np.cumsum(activity[order])
    first = np.searchsorted(home, np.arange(COMMUNITIES))
    last = np.searchsorted(home, np.arange(COMMUNITIES), side="right")
    low = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)[home[source]]
    high = cumulative[np.maximum(last - 1, 0)][home[source]]
    inside = order[np.minimum(np.searchsorted(cumulative, rng.uniform(low, high)), people - 1)]
    target = np.where(rng.random(events) < 0.75, inside, _by_weight(rng, activity, events))
    keep = source != target
    source, target = source[keep], target[keep]
    count = len(source)
    at = np.sort(START + rng.uniform(0, MONTHS * MONTH_SECONDS, count).astype(np.int64))
    kinds = tuple(k.value for k in InteractionKind)
    kind_codes = [kinds.index(k) for k in ("collaboration", "knowledge_exchange",
                                           "communication", "co_attendance")]  # fmt: skip
    kind = rng.choice(kind_codes, count, p=[0.4, 0.3, 0.25, 0.05]).astype(np.int8)
    arrays = InteractionArrays(
        person_ids=tuple(f"p{i:08d}" for i in range(people)),
        source=source.astype(np.int32),
        target=target.astype(np.int32),
        at=at,
        weight=np.ones(count),
        directed=np.zeros(count, dtype=bool),
        kind=kind,
        community=np.full(count, -1, dtype=np.int32),
        topic=np.full(count, -1, dtype=np.int32),
    )
    return arrays, _memberships(rng, home, MembershipArrays, ALWAYS, NEVER)


def _by_weight(rng: np.random.Generator, weight: np.ndarray, size: int) -> np.ndarray:
    cumulative = np.cumsum(weight)
    drawn = np.searchsorted(cumulative, rng.uniform(0, cumulative[-1], size))
    return np.minimum(drawn, len(weight) - 1)


def _memberships(rng: np.random.Generator, home: np.ndarray, cls: Any, always: int,
                 never: int) -> Any:  # fmt: skip
    people = len(home)
    person = [np.arange(people)]
    group = [home]
    since = [np.full(people, always)]
    until = [np.full(people, never)]
    second = np.flatnonzero(rng.random(people) < 0.10)
    other = (home[second] + rng.integers(1, COMMUNITIES, len(second))) % COMMUNITIES
    person.append(second)
    group.append(other)
    since.append(np.full(len(second), always))
    until.append(np.full(len(second), never))
    movers = np.flatnonzero(rng.random(people) < 0.03)
    switch = START + int(MONTHS / 2 * MONTH_SECONDS)
    until[0][movers] = switch
    person.append(movers)
    group.append((home[movers] + 1) % COMMUNITIES)
    since.append(np.full(len(movers), switch))
    until.append(np.full(len(movers), never))
    p, g = np.concatenate(person), np.concatenate(group)
    order = np.lexsort((g, p))
    return cls(
        tuple(f"c{k:02d}" for k in range(COMMUNITIES)),
        people,
        p[order],
        g[order],
        np.concatenate(since)[order],
        np.concatenate(until)[order],
    )


def _networkx_month(
    events: Any, members: Any, start: int, end: int
) -> tuple[Any, dict[int, set[int]]]:
    """The month's graph (edge weight = interactions) among people holding a group at
    ``end``, and their group sets."""
    import networkx as nx

    from analytics.projection import DEFAULT_KINDS

    codes = {events.kinds.index(k.value) for k in DEFAULT_KINDS}
    active = (members.since <= end) & (end < members.until)
    groups: dict[int, set[int]] = {}
    for person, group in zip(members.person[active].tolist(), members.group[active].tolist(),
                             strict=True):  # fmt: skip
        groups.setdefault(person, set()).add(group)
    low, high = np.searchsorted(events.at, [start, end])
    graph = nx.Graph()
    rows = zip(events.source[low:high].tolist(), events.target[low:high].tolist(),
               events.kind[low:high].tolist(), strict=True)  # fmt: skip
    for u, v, kind in rows:
        if kind in codes and u != v and u in groups and v in groups:
            weight = graph[u][v]["weight"] + 1 if graph.has_edge(u, v) else 1
            graph.add_edge(u, v, weight=weight)
    return graph, groups


def _networkx_share(graph: Any, groups: dict[int, set[int]], draw: Any = None) -> float:
    cross = total = 0.0
    for u, v, weight in graph.edges(data="weight"):
        w = weight if draw is None else weight * draw[u] * draw[v]
        total += w
        cross += w if groups[u].isdisjoint(groups[v]) else 0.0
    return cross / total if total else float("nan")


def networkx_baseline(events: Any, members: Any, months: int, replicates: int) -> dict[str, Any]:
    """Monthly T1 the plain way (module doc): values, and the bootstrap's seconds."""
    from analytics.temporal_bootstrap import replicate_counts
    from analytics.temporal_windows import windows

    cut = windows(int(events.at[0]), int(events.at[-1]), "month")
    values = []
    for t in range(min(months, len(cut))):
        graph, groups = _networkx_month(events, members, int(cut.start[t]), int(cut.end[t]))
        values.append(_networkx_share(graph, groups))
    began = time.perf_counter()
    graph, groups = _networkx_month(events, members, int(cut.start[0]), int(cut.end[0]))
    counts = replicate_counts(len(events.person_ids), replicates, 0)
    drawn = [_networkx_share(graph, groups, counts[:, b]) for b in range(replicates)]
    np.quantile(drawn, [0.05, 0.95])
    return {"values": values, "bootstrap_seconds": time.perf_counter() - began}


def child(size: int, replicates: int, baseline_months: int) -> dict[str, Any]:
    from analytics.temporal import TemporalOptions, temporal_indicators
    from analytics.temporal_windows import Windows, windows

    began = time.perf_counter()
    events, members = synthetic(size)
    generated = time.perf_counter() - began
    options = TemporalOptions(replicates=replicates)
    began = time.perf_counter()
    table = temporal_indicators(events, members, "month", options)
    seconds = time.perf_counter() - began
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result: dict[str, Any] = {
        "events": len(events),
        "people": len(events.person_ids),
        "windows": len(table.windows),
        "generate_seconds": generated,
        "seconds": seconds,
        "peak_rss_mb": rss,
        "rows": len(table.to_rows()),
        "cross_share_first_months": table.network("cross_share").value[:3].tolist(),
    }
    if baseline_months:
        theirs = networkx_baseline(events, members, baseline_months, replicates)
        cut = windows(int(events.at[0]), int(events.at[-1]), "month")
        subset = Windows.of(cut.start[:baseline_months], cut.end[:baseline_months])
        ours = temporal_indicators(events, members, subset, options)
        mine = ours.network("cross_share").value
        first = Windows.of(cut.start[:1], cut.end[:1])
        began = time.perf_counter()
        temporal_indicators(events, members, first, options)
        our_seconds = time.perf_counter() - began
        result["baseline"] = {
            "months": baseline_months,
            "max_abs_difference": float(np.max(np.abs(mine - np.array(theirs["values"])))),
            "networkx_t1_bootstrap_seconds": theirs["bootstrap_seconds"],
            "ours_all_indicators_seconds": our_seconds,
            "ratio": theirs["bootstrap_seconds"] / our_seconds,
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--baseline-months", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("SIZE", "REPLICATES", "BASELINE"))
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*(int(x) for x in args.child))))
        return 0
    results = []
    for number, size in enumerate(int(s) for s in args.sizes.split(",")):
        baseline = args.baseline_months if number == 0 else 0
        command = [sys.executable, __file__, "--child", str(size), str(args.replicates),
                   str(baseline)]  # fmt: skip
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result = {"size": size, **json.loads(done.stdout.strip().splitlines()[-1])}
        results.append(result)
        target = TARGETS.get(size)
        verdict = (
            ""
            if target is None
            else (f" ({'meets' if result['seconds'] <= target else 'MISSES'} ≤ {target:.0f} s)")
        )
        print(f"{result['events']:>11,} events, {result['people']:,} people, "
              f"{result['windows']} months: {result['seconds']:.1f} s{verdict}, "
              f"peak RSS {result['peak_rss_mb']:,.0f} MB "
              f"(generation {result['generate_seconds']:.1f} s, not counted)")  # fmt: skip
        if "baseline" in result:
            b = result["baseline"]
            nx_seconds, mine = b["networkx_t1_bootstrap_seconds"], b["ours_all_indicators_seconds"]
            print(f"  monthly T1 equals networkx's on the first {b['months']} months "
                  f"(max |Δ| = {b['max_abs_difference']:.1e}); first month: networkx T1 with a "
                  f"{args.replicates}-replicate bootstrap {nx_seconds:.1f} s, ours, all "
                  f"indicators with intervals {mine:.2f} s → {b['ratio']:.0f}×")  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
