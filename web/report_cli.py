"""``graphsvc evaluate report``: the evaluation report as one self-contained HTML file."""

from __future__ import annotations

import argparse
from pathlib import Path

from graphsvc.cli import CommandContext, command_group


def register_report(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = command_group(subparsers, "evaluate", "evaluate recommenders and indicators")
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


def run_report(args: argparse.Namespace, ctx: CommandContext) -> int:
    from web.report_data import build_report

    html = build_report(ctx.store(), ctx.settings, args.community, args.activity)
    args.out.write_text(html, encoding="utf-8")
    ctx.echo(f"report written to {args.out} ({len(html.encode('utf-8')):,} bytes)")
    return 0
