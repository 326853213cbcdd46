"""``graphsvc evaluate intervention``: did an activity make its participants cross more?

Like :mod:`analytics.cli`, the one place of the evaluation commands that reads a store: it
takes the interactions, the memberships of the boundary kind, the activity and its
participants, and hands them to :func:`analytics.intervention.evaluate_intervention`.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from analytics.intervention import Boundary, Intervention, OutcomeOptions, evaluate_intervention
from graphsvc.cli import CommandContext, add_boundary_option, evaluate_group
from graphsvc.errors import NotFound
from graphsvc.interchange import parse_datetime


def register_evaluate(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``evaluate intervention`` to the ``evaluate`` group."""
    group = evaluate_group(subparsers)
    parser = group.add_parser(
        "intervention",
        help="before/after an activity: ITS, matched difference-in-differences, placebos",
        description="Did ACTIVITY (a workshop, a pilot) make its participants interact more"
        " across community boundaries? Interrupted time series with HAC errors, participants"
        " against matched non-participants (difference-in-differences with randomisation"
        " inference), placebo dates and change points. The event's own ties are left out.",
    )
    parser.add_argument("activity", metavar="ACTIVITY", help="the activity's id")
    parser.add_argument("--freq", choices=("month", "week"), default="month")
    add_boundary_option(parser)
    parser.add_argument("--at", help="evaluate this date instead of the activity's start")
    parser.add_argument("--seed", type=int, default=0, help="of permutations and bootstrap")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.set_defaults(handler=run_intervention)


def run_intervention(args: argparse.Namespace, ctx: CommandContext) -> int:
    store = ctx.store()
    activity = next((a for a in store.list_activities() if a.id == args.activity), None)
    if activity is None:
        raise NotFound("activity", args.activity)
    arrays = store.interactions()
    boundary = Boundary.from_memberships(arrays, store.memberships(None, kind=args.boundary))
    intervention = Intervention.from_activity(activity, store.list_participations())
    if args.at:
        intervention = intervention.at(parse_datetime(args.at, ctx.settings.zone, "--at"))
    report = evaluate_intervention(
        arrays, boundary, intervention, OutcomeOptions(freq=args.freq), seed=args.seed
    ).to_dict()
    if args.json:
        ctx.echo_json(report)
        return 0
    for line in summary_lines(report, activity.name, intervention.start):
        ctx.echo(line)
    return 0


def summary_lines(report: dict[str, Any], name: str, start: datetime) -> list[str]:
    """The report in a few sentences (the JSON has everything)."""
    lines = [f"{name}: {report['intervention']['participants']} participants,"
             f" from {start:%Y-%m-%d}"]  # fmt: skip
    did, its, placebo = report.get("did"), report.get("its"), report.get("placebo")
    if did:
        lines.append("Cross-community interactions per person and period, participants vs"
                     f" {did['n_pairs']} matched non-participants (difference-in-differences): "
                     + _estimate(did["effect"]))  # fmt: skip
    if its:
        few = " — few points, read with care" if its.get("few_points") else ""
        lines.append("Interrupted time series, level change: " + _estimate(its["level_change"])
                     + f" ({its['n_pre']} periods before, {its['n_post']} after{few})")  # fmt: skip
    if placebo:
        lines.append(f"Placebo dates: {placebo['n_placebos']}; as extreme as the real effect:"
                     f" {_share(placebo['share_as_extreme'])}")  # fmt: skip
    changes = (report.get("change_points") or {}).get("dates") or []
    if changes:
        lines.append("Change points in the participants' series: " + ", ".join(changes))
    lines += [f"Note: {note}" for note in report.get("notes", [])]
    return lines


def _estimate(e: dict[str, Any]) -> str:
    if e.get("estimate") is None:
        return "no estimate"
    text = f"{e['estimate']:+.2f} [{e['ci_low']:.2f}, {e['ci_high']:.2f}]"
    return text + (f", p = {e['p']:.3f}" if e.get("p") is not None else "")


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"
