"""``graphsvc evaluate ties``: how long cross-community ties last, against internal ones.

Reads the interactions and the memberships of the boundary kind from the store and hands
them to :func:`analytics.tie_survival.tie_lifetimes` (Kaplan–Meier, module docstring there).
"""

from __future__ import annotations

import argparse
from typing import Any

from analytics.cli import add_kinds_option, parse_kinds
from analytics.cli_snapshot import NOTHING_YET
from analytics.temporal_windows import seconds
from analytics.tie_survival import HORIZONS, survival_of
from graphsvc.cli import CommandContext, add_boundary_option, evaluate_group
from graphsvc.errors import ValidationError
from graphsvc.interchange import parse_datetime


def register_survival(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``evaluate ties`` to the ``evaluate`` group."""
    group = evaluate_group(subparsers)
    parser = group.add_parser(
        "ties",
        help="how long ties last: Kaplan–Meier survival of cross-community vs internal ties",
        description="Tie lifetimes (first to last interaction; a tie has ended after GAP days"
        " without an interaction, else it is censored) per community, cross-community against"
        " internal: the median lifetime and the share still alive after 30, 90, 180 and 365"
        " days, each with its 90% interval.",
    )
    add_boundary_option(parser)
    add_kinds_option(parser)
    parser.add_argument("--gap", type=float, default=90.0, help="days of silence that end a tie")
    parser.add_argument("--formed-from", help="only ties first formed on or after this date")
    parser.add_argument("--formed-until", help="only ties first formed before this date")
    parser.add_argument("--community", help="only this community (and the network)")
    parser.add_argument("--json", action="store_true", help="print the curves' summaries")
    parser.set_defaults(handler=run_ties)


def run_ties(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.gap <= 0:
        raise ValidationError("--gap", f"must be a positive number of days, got {args.gap}")
    store = ctx.store()
    rows = survival_of(
        store.interactions(),
        store.memberships(None, kind=args.boundary),
        parse_kinds(args.kinds),
        community=args.community,
        gap_days=args.gap,
        formed_from=_second(args.formed_from, "--formed-from", ctx),
        formed_until=_second(args.formed_until, "--formed-until", ctx),
    )
    if rows is None:
        ctx.echo(NOTHING_YET)
        return 0
    if args.json:
        ctx.echo_json({"gap_days": args.gap, "boundary": args.boundary, "curves": rows})
        return 0
    header = ["scope", "ties", "n", "median days", *(f"alive {d}d" for d in HORIZONS), "note"]
    ctx.table(header, [_text_row(row) for row in rows])
    return 0


def _second(value: str | None, option: str, ctx: CommandContext) -> int | None:
    """The Unix second of an ISO date option (naive times in the settings' zone)."""
    return seconds(parse_datetime(value, ctx.settings.zone, option)) if value else None


def _text_row(row: dict[str, Any]) -> list[str]:
    median, low, high = row["median_days"], row["median_low"], row["median_high"]
    shown = "–" if median is None else f"{median:.0f}"
    if median is not None:  # an upper bound that never reaches ½: open-ended
        shown += f" ({low:.0f}–{'…' if high is None else f'{high:.0f}'})"
    alive = [row[f"surviving_{d}d"] for d in HORIZONS]
    cells = [f"{a['value']:.0%} ({a['low']:.0%}–{a['high']:.0%})" for a in alive]
    note = "insufficient" if row["insufficient"] else ""
    return [row["scope"], row["ties"], str(row["n"]), shown, *cells, note]
