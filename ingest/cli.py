"""``graphsvc import`` and ``graphsvc export`` (registered through ``graphsvc.commands``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from graphsvc.cli import CommandContext
from ingest.runner import ImportResult, run_import
from ingest.writer import FORMATS, export_store

#: how many error messages the human-readable import summary shows
SHOWN_ERRORS = 10
#: how many error messages ``import --json`` includes (the run record keeps more)
JSON_ERRORS = 100


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` and ``export`` to the ``graphsvc`` command."""
    importer = subparsers.add_parser(
        "import",
        help="load an interchange folder (CSV) or NDJSON file into the store",
        description="Load a folder of interchange CSVs or one .ndjson file (docs/interchange.md)."
        " Bad rows are quarantined into the import-run record and the rest is loaded; exit"
        " code 3 when any row was not loaded.",
    )
    importer.add_argument("path", type=Path, metavar="PATH")
    importer.add_argument(
        "--strict", action="store_true", help="load nothing from a file that has any bad row"
    )
    importer.add_argument("--json", action="store_true", help="print the outcome as JSON")
    importer.set_defaults(handler=run_import_command)

    exporter = subparsers.add_parser(
        "export",
        help="write the whole store as an interchange folder (CSV) or NDJSON file",
        description="Write every record, sorted by key, so that export → import → export"
        " gives byte-identical files.",
    )
    exporter.add_argument("path", type=Path, metavar="PATH")
    exporter.add_argument(
        "--format", choices=FORMATS, help="csv (a folder) or ndjson (one file); default by suffix"
    )
    exporter.add_argument("--json", action="store_true", help="print the counts as JSON")
    exporter.set_defaults(handler=run_export_command)


def run_import_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Import ``args.path``; exit 0 when everything loaded, 3 when any row was not."""
    store = ctx.store()
    with ctx.progress("importing") as progress:
        result = run_import(
            store,
            args.path,
            ctx.settings,
            strict=args.strict,
            progress=lambda label, done: progress.update(done, label=f"importing {label}"),
        )
    for name in result.ignored:
        ctx.note(f"ignored {name} (not an interchange file)")
    if args.json:
        ctx.echo_json(_import_json(result))
    else:
        _print_import(ctx, result)
    return 0 if result.ok else 3


def _import_json(result: ImportResult) -> dict[str, Any]:
    run = result.run
    return {
        "run_id": run.id,
        "source": run.source,
        "status": run.status.value,
        "counts": run.counts,
        "bad_rows": result.bad_rows,
        "rejected_files": list(result.rejected),
        "errors": list(run.errors[:JSON_ERRORS]),
        "error_count": len(run.errors),
    }


def _print_import(ctx: CommandContext, result: ImportResult) -> None:
    run = result.run
    ctx.echo(f"import {run.id}: {run.status.value}")
    width = max((len(entity) for entity in run.counts), default=0)
    for entity, count in run.counts.items():
        ctx.echo(f"  {entity:<{width}}  {count:>9}")
    if result.bad_rows:
        ctx.echo(f"{result.bad_rows} bad row(s) not loaded:")
    for name in result.rejected:
        ctx.echo(f"  strict: nothing loaded from {name}")
    for message in run.errors[:SHOWN_ERRORS]:
        ctx.echo(f"  {message}")
    if len(run.errors) > SHOWN_ERRORS:
        more = len(run.errors) - SHOWN_ERRORS
        ctx.echo(f"  … {more} more message(s) in import run {run.id}")


def run_export_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Export the whole store to ``args.path``."""
    counts = export_store(ctx.store(), args.path, args.format)
    if args.json:
        ctx.echo_json({"path": str(args.path), "counts": counts})
        return 0
    width = max((len(entity) for entity in counts), default=0)
    for entity, count in counts.items():
        ctx.echo(f"{entity:<{width}}  {count:>9}")
    ctx.echo(f"written to {args.path}")
    return 0
