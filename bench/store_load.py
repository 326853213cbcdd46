"""Store load benchmark: the demo world into each store, rows/s per entity and peak RSS.

    python bench/store_load.py [--people 100000] [--months 12] [--sample 10000] [--json]

For each store (a fresh SQLite file; the Neo4j test server when ``GRAPHSVC_TEST_NEO4J_URI``
is set — it is CLEARED first) a child process generates the world (deterministic for the
seed), loads it entity by entity through the loader path, ``graphsvc.batching.write_all``
(``GRAPHSVC_BATCH_SIZE`` rows per transaction, default 5000, up to
``store.write_workers_for(entity)`` transactions in flight), and reports rows/s (store time
only) and its peak RSS.
In the same run it compares, on a ``--sample`` of fresh interactions, batched upserts
against one transaction per row (the baseline) and prints the ratio.

Targets on the 2-core machine (issue #2): SQLite ≥ 100k interactions/s, Neo4j ≥ 20k
interactions/s, batched ≥ 10× per-row, loader RSS ≤ 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from graphsvc.batching import write_all
from graphsvc.config import Settings
from graphsvc.demo import generate
from graphsvc.model import ENTITIES
from graphsvc.store import GraphStore, open_store

TARGETS = {"sqlite": 100_000.0, "neo4j": 20_000.0}
PER_ROW_CAP = {"sqlite": 10_000, "neo4j": 2_000}  # per-row baseline rows (Neo4j: time-bounded)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_load(store: GraphStore, entity: str, rows: Sequence[Any], batch: int) -> float:
    """Seconds the loader path (graphsvc.batching.write_all) takes to write ``rows``."""
    began = time.perf_counter()
    write_all(store, entity, rows, batch)
    return time.perf_counter() - began


def timed_per_row(store: GraphStore, entity: str, rows: Sequence[Any]) -> float:
    """Seconds for the baseline: one transaction per row, one after another."""
    upsert = getattr(store, f"upsert_{entity}")
    began = time.perf_counter()
    for row in rows:
        upsert([row])
    return time.perf_counter() - began


def run_child(
    store_uri: str, people: int, months: int, sample: int, backend: str
) -> dict[str, Any]:
    """Generate, load and measure in this process; returns the figures."""
    settings = Settings(
        store=store_uri,
        neo4j_user=os.environ.get("GRAPHSVC_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("GRAPHSVC_NEO4J_PASSWORD") or None,
        batch_size=int(os.environ.get("GRAPHSVC_BATCH_SIZE", "5000")),
    )
    began = time.perf_counter()
    world = generate(people=people, months=months, seed=7)
    generated = time.perf_counter() - began
    rss_after_generate = peak_rss_mb()
    store = open_store(settings)
    store.clear()
    figures: dict[str, Any] = {"generate_s": generated, "rss_after_generate_mb": rss_after_generate}
    loads = {}
    for entity in ENTITIES:
        rows = getattr(world, entity)
        seconds = timed_load(store, entity, rows, settings.batch_size)
        loads[entity] = {"rows": len(rows), "seconds": seconds, "rows_per_s": len(rows) / seconds}
    figures["load"] = loads
    figures["write_workers"] = {e: store.write_workers_for(e) for e in ENTITIES}
    figures["counts"] = store.counts()
    figures["batched_vs_per_row"] = compare_batching(
        store, world.interactions[:sample], settings.batch_size, PER_ROW_CAP[backend]
    )
    figures["peak_rss_mb"] = peak_rss_mb()
    store.close()
    return figures


def compare_batching(
    store: GraphStore, sample: Sequence[Any], batch: int, per_row_cap: int
) -> dict[str, float]:
    """Fresh copies of ``sample`` (new ids) loaded batched, then one transaction per row."""
    batched_rows = [replace(row, id=f"{row.id}~b") for row in sample]
    per_row_rows = [replace(row, id=f"{row.id}~r") for row in sample[:per_row_cap]]
    batched_s = timed_load(store, "interactions", batched_rows, batch)
    per_row_s = timed_per_row(store, "interactions", per_row_rows)
    batched_rate = len(batched_rows) / batched_s
    per_row_rate = len(per_row_rows) / per_row_s
    return {
        "batched_rows": len(batched_rows),
        "batched_rows_per_s": batched_rate,
        "per_row_rows": len(per_row_rows),
        "per_row_rows_per_s": per_row_rate,
        "ratio": batched_rate / per_row_rate,
    }


def stores_to_run(folder: Path) -> dict[str, str]:
    stores = {"sqlite": f"sqlite:///{folder / 'bench.db'}"}
    neo4j_uri = os.environ.get("GRAPHSVC_TEST_NEO4J_URI")
    if neo4j_uri:
        stores["neo4j"] = neo4j_uri
    else:
        print("(Neo4j leg skipped: run `make neo4j && source .neo4j-test/env` to include it)")
    return stores


def report(backend: str, figures: dict[str, Any]) -> None:
    print(f"\n== {backend}: world generated in {figures['generate_s']:.1f} s")
    print(f"{'entity':<16}{'rows':>10}{'seconds':>10}{'rows/s':>12}")
    for entity, load in figures["load"].items():
        print(
            f"{entity:<16}{load['rows']:>10,}{load['seconds']:>10.2f}{load['rows_per_s']:>12,.0f}"
        )
    rate = figures["load"]["interactions"]["rows_per_s"]
    cmp = figures["batched_vs_per_row"]
    print(
        f"interactions: {rate:,.0f} rows/s (target ≥ {TARGETS[backend]:,.0f}: "
        f"{'met' if rate >= TARGETS[backend] else 'NOT met'})"
    )
    print(
        f"batched {cmp['batched_rows_per_s']:,.0f} rows/s ({cmp['batched_rows']:,} rows) vs "
        f"one transaction per row {cmp['per_row_rows_per_s']:,.0f} rows/s "
        f"({cmp['per_row_rows']:,} rows): ratio {cmp['ratio']:.1f}× "
        f"(target ≥ 10×: {'met' if cmp['ratio'] >= 10 else 'NOT met'})"
    )
    peak = figures["peak_rss_mb"]
    print(
        f"loader peak RSS {peak:,.0f} MB (after generating the world: "
        f"{figures['rss_after_generate_mb']:,.0f} MB; target ≤ 1,536 MB: "
        f"{'met' if peak <= 1536 else 'NOT met'})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "URI"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        backend, uri = args.child
        print(json.dumps(run_child(uri, args.people, args.months, args.sample, backend)))
        return 0
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend, uri in stores_to_run(Path(tmp)).items():
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--people",
                    str(args.people),
                    "--months",
                    str(args.months),
                    "--sample",
                    str(args.sample),
                    "--child",
                    backend,
                    uri,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results[backend] = json.loads(child.stdout.strip().splitlines()[-1])
            report(backend, results[backend])
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
