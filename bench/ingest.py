"""Ingest benchmark: an interactions CSV end to end (read, validate, check, write) per store.

    python bench/ingest.py [--people 100000] [--months 12] [--sizes 250000,1000000] [--json]

The demo generator writes one interchange folder (``--people`` people over ``--months``
months: about 10 interactions per person and year, so the defaults give ~1M interactions).
Each store gets the people and communities first; then, for each of ``--sizes``, a child
process imports the first N rows of ``interactions.csv`` into a fresh copy of that base
through the real runner (``ingest.runner.run_import``: CSV parsing, validation, duplicate
and reference checks, batched upserts, the import-run record) and reports rows/s and its
peak RSS. Two sizes show whether memory grows with the file.

Baselines in the same run, on the same file: a bare ``csv.reader`` pass (the floor of any
CSV import in Python) and the store-level load of already-built records
(``graphsvc.batching.write_all``), so the ratios say what validation and checks cost.

Targets (issue #3, 2-core machine): SQLite ≥ 50k rows/s end to end with peak RSS ≤ 500 MB
whatever the file size (the importing process plus, for SQLite, its writer process:
``graphsvc.process_writer``); Neo4j ≥ 15k rows/s. The Neo4j leg runs when
``GRAPHSVC_TEST_NEO4J_URI`` is set (the database is CLEARED).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name would
# hide the ``ingest`` package: drop the folder (nothing else lives in it that we import).
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from graphsvc.config import Settings
from graphsvc.demo import generate
from graphsvc.interchange import SPECS, sorted_records, write_csv_folder
from graphsvc.store import open_store

TARGET_ROWS_PER_S = {"sqlite": 50_000.0, "neo4j": 15_000.0}
TARGET_RSS_MB = {"sqlite": 500.0}


def peak_rss_mb() -> float:
    """This process's peak resident memory: ``VmHWM`` of /proc/self/status (getrusage's
    ``ru_maxrss`` would carry over the parent's peak across fork + exec), else getrusage."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(folder: Path, people: int, months: int) -> int:
    """Write the demo world as an interchange folder; returns the interactions written."""
    world = generate(people=people, months=months, seed=7)
    counts = write_csv_folder(folder, {entity: _source(getattr(world, entity)) for entity in SPECS})
    return counts["interactions"]


def _source(rows: list[Any]) -> Callable[[], Iterator[Any]]:
    return lambda: sorted_records(rows)


def head(source: Path, target: Path, rows: int) -> None:
    """The header and the first ``rows`` data lines of ``source``."""
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(src):
            if number > rows:
                break
            out.write(line)


def settings_for(store: str, base: Path) -> Settings:
    if store == "sqlite":
        return Settings(store=f"sqlite:///{base}")
    return Settings(
        store=os.environ["GRAPHSVC_TEST_NEO4J_URI"],
        neo4j_user=os.environ.get("GRAPHSVC_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("GRAPHSVC_NEO4J_PASSWORD"),
    )


def child_import(settings: Settings, folder: Path) -> dict[str, Any]:
    """Run in a child process: import ``folder`` and report time and peak RSS."""
    from ingest.runner import run_import

    store = open_store(settings)
    began = time.perf_counter()
    result = run_import(store, folder, settings)
    seconds = time.perf_counter() - began
    store.close()
    rows = sum(result.run.counts.values())
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "status": result.run.status.value,
        "peak_rss_mb": peak_rss_mb(),
        # the writer process an embedded store uses for large imports (0 when none ran)
        "writer_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def csv_floor(path: Path) -> float:
    """Rows/s of a bare ``csv.reader`` pass building one dict per row (no validation)."""
    began = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = sum(1 for cells in reader if dict(zip(header, cells, strict=False)))
    return rows / (time.perf_counter() - began)


def store_only(settings: Settings, path: Path) -> float:
    """Rows/s of the store-level load of already-built records (graphsvc.batching.write_all)."""
    from graphsvc.batching import write_all
    from graphsvc.model_batch import InteractionBatch
    from ingest.reader import open_dataset

    with open_dataset(path) as dataset:
        from graphsvc.interchange import record_parser

        parse = record_parser("interactions", settings.zone)
        # built before the clock starts, in the bulk form a large import hands to the store
        records = InteractionBatch.from_records(
            parse(v)
            for _line, v in dataset.units[0].sources[0].rows()  # type: ignore[misc,arg-type]
        )
    store = open_store(settings)
    began = time.perf_counter()
    write_all(store, "interactions", records, settings.batch_size)
    seconds = time.perf_counter() - began
    store.close()
    return len(records) / seconds


def prepare_base(store: str, data: Path, work: Path) -> Settings:
    """A store holding the people and communities of ``data`` (the interactions' references)."""
    settings = settings_for(store, work / "base.db")
    if store == "neo4j":
        opened = open_store(settings)
        opened.clear()
        opened.close()
    base_folder = work / "base"
    base_folder.mkdir(exist_ok=True)
    for name in ("people.csv", "communities.csv"):
        shutil.copy(data / name, base_folder / name)
    subprocess.run(
        [sys.executable, __file__, "--child-import", json.dumps(_settings_json(settings)),
         str(base_folder)],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return settings


def _settings_json(settings: Settings) -> dict[str, Any]:
    return {
        "store": settings.store,
        "neo4j_user": settings.neo4j_user,
        "neo4j_password": settings.neo4j_password,
    }


def fresh(store: str, data: Path, work: Path, name: str) -> Settings:
    """A store holding only the people and communities: a copy of the SQLite base, or the
    Neo4j database rebuilt (it has one database)."""
    if store == "sqlite":
        copy = work / f"{name}.db"
        shutil.copy(work / "base.db", copy)
        return Settings(store=f"sqlite:///{copy}")
    return prepare_base(store, data, work)


def measure(store: str, data: Path, sizes: list[int], work: Path) -> dict[str, Any]:
    prepare_base(store, data, work)
    report: dict[str, Any] = {"store": store, "runs": []}
    for size in sizes:
        folder = work / f"ix{size}"
        folder.mkdir(exist_ok=True)
        head(data / "interactions.csv", folder / "interactions.csv", size)
        target = fresh(store, data, work, f"run{size}")
        out = subprocess.run(
            [sys.executable, __file__, "--child-import", json.dumps(_settings_json(target)),
             str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )  # fmt: skip
        report["runs"].append({"size": size, **json.loads(out.stdout)})
    largest = work / f"ix{sizes[-1]}" / "interactions.csv"
    report["csv_floor_rows_per_s"] = csv_floor(largest)
    report["store_only_rows_per_s"] = store_only(fresh(store, data, work, "only"), largest)
    return report


def print_report(report: dict[str, Any]) -> None:
    store = report["store"]
    print(f"\n== {store}")
    for run in report["runs"]:
        print(
            f"  {run['rows']:>9,} rows  {run['seconds']:7.1f} s  {run['rows_per_s']:>9,.0f} rows/s"
            f"  peak RSS {run['peak_rss_mb']:4.0f} MB + writer {run['writer_peak_rss_mb']:4.0f} MB"
            f"  ({run['status']})"
        )
    best = report["runs"][-1]["rows_per_s"]
    floor, only = report["csv_floor_rows_per_s"], report["store_only_rows_per_s"]
    print(f"  bare csv.reader: {floor:,.0f} rows/s (end to end = {best / floor:.2f}× of it)")
    print(f"  store-only load: {only:,.0f} rows/s (end to end = {best / only:.2f}× of it)")
    target = TARGET_ROWS_PER_S[store]
    verdict = "meets" if best >= target else "MISSES"
    print(f"  target ≥ {target:,.0f} rows/s: {verdict}")
    if store in TARGET_RSS_MB:
        rss = max(run["peak_rss_mb"] + run["writer_peak_rss_mb"] for run in report["runs"])
        ok = "meets" if rss <= TARGET_RSS_MB[store] else "MISSES"
        print(f"  target peak RSS ≤ {TARGET_RSS_MB[store]:.0f} MB at every size: {ok}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--sizes", default="250000,1000000")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-import", nargs=2, metavar=("SETTINGS", "FOLDER"))
    args = parser.parse_args(argv)
    if args.child_import:
        settings = Settings(**json.loads(args.child_import[0]))
        print(json.dumps(child_import(settings, Path(args.child_import[1]))))
        return 0
    sizes = sorted(int(size) for size in args.sizes.split(","))
    stores = ["sqlite"] + (["neo4j"] if os.environ.get("GRAPHSVC_TEST_NEO4J_URI") else [])
    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as tmp:
        work = Path(tmp)
        data = work / "data"
        began = time.perf_counter()
        written = make_data(data, args.people, args.months)
        print(f"demo world: {written:,} interactions in {time.perf_counter() - began:.0f} s")
        sizes = [min(size, written) for size in sizes]
        reports = []
        for store in stores:
            store_work = work / store
            store_work.mkdir()
            reports.append(measure(store, data, sizes, store_work))
            print_report(reports[-1])
    if args.json:
        print(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
