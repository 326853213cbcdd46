"""``graphsvc import`` and ``graphsvc export`` (registered through ``graphsvc.commands``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from graphsvc.cli import CommandContext
from graphsvc.errors import ConfigError
from graphsvc.model import ROW_OUTCOMES
from ingest.cli_people import register_people
from ingest.cli_schedule import register_schedule
from ingest.outcome import ImportResult
from ingest.runner import ImportOptions
from ingest.source_run import ImportSpec, import_location
from ingest.writer import FORMATS, export_store

#: how many error messages the human-readable import summary shows
SHOWN_ERRORS = 10
#: how many error messages ``import --json`` includes (the run record keeps more)
JSON_ERRORS = 100


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` and ``export`` to the ``graphsvc`` command."""
    importer = subparsers.add_parser(
        "import",
        help="load a folder, file or HTTP source into the store",
        description="Load an interchange folder (CSVs) or .ndjson file (docs/interchange.md),"
        " a .graphml/.gexf file (docs/graph-formats.md), another system's CSV export through"
        " a mapping file (--mapping, docs/mapping.md) or a paginated JSON API"
        " (https://…, docs/http-sources.md). Bad rows are quarantined into the import-run"
        " record and the rest is loaded; exit code 3 when any row was not loaded.",
    )
    importer.add_argument("path", metavar="PATH_OR_URL")
    importer.add_argument(
        "--strict", action="store_true", help="load nothing from a file that has any bad row"
    )
    importer.add_argument("--name", help="the source's name in run records (HTTP: cursor key)")
    importer.add_argument(
        "--source-system",
        metavar="NAME",
        help="the system the data comes from: stamped on every record, and its people are"
        " resolved to existing people (same e-mail, or --id-map)",
    )
    importer.add_argument(
        "--mapping", type=Path, metavar="TOML", help="read PATH through a mapping"
    )
    importer.add_argument(
        "--id-map", type=Path, metavar="CSV", help="source_system,external_id,person_id rows"
    )
    importer.add_argument(
        "--no-match-email",
        dest="match_email",
        action="store_false",
        help="do not resolve people by e-mail address",
    )
    importer.add_argument(
        "--node-type-attr", help="GraphML/GEXF node attribute naming the node's type (type)"
    )
    importer.add_argument(
        "--default-kind", help="GraphML/GEXF interaction kind of edges without one"
    )
    importer.add_argument(
        "--auth-env", metavar="VAR", help="HTTP: environment variable holding the API token"
    )
    importer.add_argument(
        "--http-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="HTTP: any option of docs/http-sources.md (repeatable), e.g. page_param=page",
    )
    importer.add_argument("--json", action="store_true", help="print the outcome as JSON")
    importer.set_defaults(handler=run_import_command)

    exporter = subparsers.add_parser(
        "export",
        help="write the whole store as interchange CSVs/NDJSON, or GraphML/GEXF for Gephi",
        description="Write every record, sorted by key, so that export → import → export"
        " gives byte-identical files.",
    )
    exporter.add_argument("path", type=Path, metavar="PATH")
    exporter.add_argument(
        "--format",
        choices=FORMATS,
        help="csv (a folder), ndjson, graphml or gexf (one file); default by suffix",
    )
    exporter.add_argument("--json", action="store_true", help="print the counts as JSON")
    exporter.set_defaults(handler=run_export_command)
    register_schedule(subparsers)
    register_people(subparsers)


def run_import_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Import ``args.path``; exit 0 when everything loaded, 3 when any row was not."""
    store = ctx.store()
    spec = ImportSpec(
        location=args.path,
        name=args.name,
        mapping=args.mapping,
        id_map=args.id_map,
        graph=_given(node_type_attr=args.node_type_attr, default_kind=args.default_kind),
        http={**_given(auth_env=args.auth_env), **_http_options(args.http_option)},
    )
    with ctx.progress("importing", enabled=not args.json) as progress:
        options = ImportOptions(
            strict=args.strict,
            source_system=args.source_system,
            match_email=args.match_email,
            progress=lambda report: progress.update(
                report.done, report.total, label=f"importing {report.label}"
            ),
        )
        result = import_location(store, spec, ctx.settings, options)
    reason = "not named by the mapping" if args.mapping else "not an interchange file"
    for name in result.ignored:
        ctx.note(f"ignored {name} ({reason})")
    if args.json:
        ctx.echo_json(_import_json(result))
    else:
        _print_import(ctx, result)
    return 0 if result.ok else 3


def _given(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}


def _http_options(pairs: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings → options (whole numbers and decimals become numbers)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--http-option: expected KEY=VALUE, got {pair!r}")
        options[key.strip()] = _number_or_text(value.strip())
    return options


def _number_or_text(value: str) -> int | float | str:
    for convert in (int, float):
        try:
            return convert(value)
        except ValueError:
            continue
    return value


def _import_json(result: ImportResult) -> dict[str, Any]:
    run = result.run
    return {
        "run_id": run.id,
        "source": run.source,
        "status": run.status.value,
        "counts": run.counts,
        "outcomes": run.outcomes,
        "totals": run.totals(),
        "bad_rows": result.bad_rows,
        "rejected_files": list(result.rejected),
        "errors": list(run.errors[:JSON_ERRORS]),
        "error_count": len(run.errors),
    }


def _print_import(ctx: CommandContext, result: ImportResult) -> None:
    run = result.run
    ctx.echo(f"import {run.id}: {run.status.value}")
    width = max((len(entity) for entity in run.outcomes), default=6)
    ctx.echo(f"  {'':<{width}}  " + "  ".join(f"{o:>9}" for o in ROW_OUTCOMES))
    for entity, per in run.outcomes.items():
        ctx.echo(f"  {entity:<{width}}  " + "  ".join(f"{per.get(o, 0):>9}" for o in ROW_OUTCOMES))
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
