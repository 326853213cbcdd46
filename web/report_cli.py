"""``graphsvc evaluate report``: the evaluation report as one self-contained HTML file."""

from __future__ import annotations

import argparse
from pathlib import Path

from graphsvc.cli import CommandContext, evaluate_group


def register_report(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = evaluate_group(subparsers)
    parser = group.add_parser(
        "report",
        help="the evaluation report of a community (or the network) as one HTML file",
        description="Write a self-contained HTML report (charts inline, no outside resources;"
        " prints to PDF): objectives and their status, indicator trends with intervals,"
        " before/after reports of the --activity ids given, and the value table with stories."
        " It reads the history stored by graphsvc snapshot.",
    )
    parser.add_argument("--community", help="the community's id (default: the whole network)")
    parser.add_argument(
        "--activity", action="append", default=[], metavar="ID",
        help="add the before/after report of this activity (repeatable)",
    )  # fmt: skip
    parser.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    parser.set_defaults(handler=run_report)
    objectives = group.add_parser(
        "objectives",
        help="the objectives and where they stand (green, amber, red, insufficient data)",
        description="Each objective's status at its latest period with data: its interval"
        " against the straight line from baseline to target, and the projection at the"
        " deadline (from the history stored by graphsvc snapshot).",
    )
    objectives.add_argument("--community", help="only this community's objectives")
    objectives.add_argument("--json", action="store_true", help="print JSON")
    objectives.set_defaults(handler=run_objectives)


def run_report(args: argparse.Namespace, ctx: CommandContext) -> int:
    from web.report_data import build_report

    html = build_report(ctx.store(), ctx.settings, args.community, args.activity)
    args.out.write_text(html, encoding="utf-8")
    ctx.echo(f"report written to {args.out} ({len(html.encode('utf-8')):,} bytes)")
    return 0


def run_objectives(args: argparse.Namespace, ctx: CommandContext) -> int:
    from web.evaluation_view import objective_document

    store = ctx.store()
    minimum = ctx.settings.min_group_size
    rows = [objective_document(store, o, minimum) for o in store.objectives(args.community)]
    if args.json:
        ctx.echo_json(rows)
        return 0
    if not rows:
        ctx.echo("no objectives recorded")
        return 0
    ctx.table(
        ["objective", "scope", "baseline → target", "latest", "status", "at the deadline"],
        [[r["id"], r["community_id"] or "network", f"{r['baseline']:g} → {r['target']:g}"
          f" by {r['deadline'][:10]}", _value(r["status"]["value"]), r["status"]["status"],
          _value(r["status"]["projection"])] for r in rows],
    )  # fmt: skip
    return 0


def _value(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"
