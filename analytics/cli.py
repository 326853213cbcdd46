"""``graphsvc analyze`` (registered through the ``graphsvc.commands`` entry points).

The command is the one place of this package that reads a store: it takes the window's
interactions and memberships from the store the command context opens, builds the
projections and hands them to :func:`analytics.report.analyze`. The metrics themselves
never see a store.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from analytics.projection import WEIGHTINGS, Projection, ProjectionOptions, project
from analytics.report import AnalysisOptions, Report, analyze
from analytics.summary import summary
from graphsvc.cli import CommandContext, add_boundary_option
from graphsvc.errors import ValidationError
from graphsvc.interchange import parse_datetime
from graphsvc.model import CommunityKind, InteractionKind

#: the directed layers: knowledge flow (knowledge exchange and mentoring) and exchange alone
FLOW_KINDS = (InteractionKind.KNOWLEDGE_EXCHANGE, InteractionKind.MENTORING)
EXCHANGE_KINDS = (InteractionKind.KNOWLEDGE_EXCHANGE,)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``analyze`` and the ``evaluate`` commands to the ``graphsvc`` command."""
    from analytics.cli_evaluate import register_evaluate
    from analytics.cli_snapshot import register_snapshot
    from analytics.cli_survival import register_survival

    register_evaluate(subparsers)
    register_snapshot(subparsers)
    register_survival(subparsers)
    parser = subparsers.add_parser(
        "analyze",
        help="brokers, silos, cross-community ties and hidden clusters of a time window",
        description="Analyse the interactions of [--start, --end) across the boundaries of"
        " one kind of community: boundary spanners, silos, fragile community pairs and"
        " hidden clusters (the definitions are in docs/metrics.md).",
    )
    parser.add_argument("--start", help="window start, ISO date/datetime (default: all)")
    parser.add_argument("--end", help="window end, exclusive (default: after the last)")
    add_boundary_option(parser)
    add_kinds_option(parser)
    parser.add_argument(
        "--weighting",
        choices=WEIGHTINGS,
        default="count",
        help="tie strength: interaction count (default), summed weights, or weights decayed"
        " to the window's end",
    )
    parser.add_argument(
        "--half-life", type=float, default=90.0, metavar="DAYS", help="of --weighting decay (90)"
    )
    parser.add_argument(
        "--coattendance", action="store_true", help="add the co-attendance layer (off by default)"
    )
    parser.add_argument("--permutations", type=int, default=199, help="E-I test (default 199)")
    parser.add_argument(
        "--ei-measure",
        choices=("ties", "count", "weight"),
        default="ties",
        help="what E-I counts: ties (pairs that interacted; default), interactions, or weights",
    )
    parser.add_argument("--seed", type=int, default=0, help="of sampling and permutations (0)")
    parser.add_argument("--top", type=int, default=10, help="rows per summary section")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.set_defaults(handler=run_analyze_command)


def run_analyze_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    zone = ctx.settings.zone
    options = ProjectionOptions(
        start=_moment(args.start, zone, "--start"),
        end=_moment(args.end, zone, "--end"),
        kinds=parse_kinds(args.kinds),
        boundary=CommunityKind(args.boundary),
        weighting=args.weighting,
        half_life_days=args.half_life,
        include_coattendance=args.coattendance,
    )
    settings = AnalysisOptions(
        seed=args.seed, permutations=args.permutations, top=args.top, ei_measure=args.ei_measure
    )
    report = load_report(ctx.store(), options, settings)
    if args.json:
        ctx.echo_json(report.to_dict())
    else:
        ctx.echo(summary(report))
    return 0


def load_report(store: Any, options: ProjectionOptions, settings: AnalysisOptions) -> Report:
    """Read one window from ``store`` (any graphsvc store), project it and analyse it."""
    main, flows, exchange, consent, names = load_projections(store, options)
    return analyze(main, flows, exchange, settings, consent=consent, names=names)


Loaded = tuple[Projection, Projection, Projection, dict[str, bool], dict[str, str]]


def load_projections(store: Any, options: ProjectionOptions) -> Loaded:
    """The window's three projections (tie graph, knowledge flow, knowledge exchange; see
    :mod:`analytics.report`), and the consent and names of their people.

    Without an end, the window ends just after its last interaction: the memberships are
    those active then, and ``decay`` weights decay to that moment.
    """
    arrays = store.interactions(options.start, options.end)
    if options.end is None:  # the window ends just after its last interaction: memberships
        options = replace(options, end=_after_last(arrays.at))  # and decay are taken there
    members = store.memberships(as_of=options.end, kind=options.boundary.value)
    main = project(
        arrays, members, options,
        activities=store.list_activities() if options.include_coattendance else (),
        participations=store.list_participations() if options.include_coattendance else (),
    )  # fmt: skip
    directed = replace(options, directed=True, include_coattendance=False)
    people, labels = main.person_ids, main.labels  # index and label people alike
    flows = project(
        arrays, members, replace(directed, kinds=FLOW_KINDS), people=people, labels=labels
    )
    exchange = project(
        arrays, members, replace(directed, kinds=EXCHANGE_KINDS), people=people, labels=labels
    )
    people = store.get_people(list(main.person_ids))
    consent = {pid: person.consent for pid, person in people.items()}
    names = {pid: person.name for pid, person in people.items() if person.consent}
    return main, flows, exchange, consent, names


def _moment(text: str | None, zone: Any, option: str) -> datetime | None:
    return None if text is None else parse_datetime(text, zone, option)


def add_kinds_option(parser: argparse.ArgumentParser) -> None:
    """``--kinds K,…``: the interaction kinds that count (:func:`parse_kinds`)."""
    parser.add_argument(
        "--kinds",
        help="interaction kinds that count, comma-separated (default: all but co_attendance)",
    )


def parse_kinds(text: str | None) -> tuple[InteractionKind, ...]:
    """``--kinds``: comma-separated interaction kinds (default: all but co-attendance)."""
    if not text:
        return ProjectionOptions().kinds
    try:
        return tuple(InteractionKind(word.strip()) for word in text.split(",") if word.strip())
    except ValueError:
        allowed = ", ".join(kind.value for kind in InteractionKind)
        raise ValidationError("--kinds", f"expected some of {allowed}") from None


def _after_last(at: Any) -> datetime:
    """Just after the last interaction (Unix seconds), or now when there is none."""
    if len(at) == 0:
        return datetime.now(UTC)
    return datetime.fromtimestamp(int(at.max()), UTC) + timedelta(seconds=1)
