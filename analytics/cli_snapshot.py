"""``graphsvc snapshot`` (store each period's indicators) and ``graphsvc evaluate indicators``.

A snapshot computes :func:`analytics.temporal.temporal_indicators` (network and every
community of the boundary kind) — and with ``--people`` :func:`analytics.person_periods.
person_periods` for every consenting person — and stores them as
:class:`~graphsvc.model.MetricValue` rows under :data:`DEFINITION` and the run's parameters
(boundary, kinds, period, weighting, bootstrap, level, minimums). Rerunning on the same data
changes nothing; a run with other parameters or a new definition adds a variant beside the
stored ones, so a trend stays reproducible and the past is never rewritten. To keep the
history current, schedule it: a ``[[job]]`` with ``command = ["snapshot"]`` in
``sources.toml``, run by ``graphsvc schedule`` (docs/scheduler.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from analytics.cli import add_kinds_option, parse_kinds
from analytics.person_periods import PERSON_INDICATORS, person_periods
from analytics.projection import DEFAULT_KINDS
from analytics.temporal import IndicatorTable, TemporalOptions, temporal_indicators
from analytics.temporal_period import counted_rows
from analytics.temporal_windows import membership_arrays
from graphsvc.cli import CommandContext, add_boundary_option, evaluate_group
from graphsvc.model import MetricValue

#: the version of the indicator definitions (bump when a definition changes meaning):
#: temporal-1 had intervals on the ratios only; temporal-2 has them on every indicator
#: (T2 count, T3, T6, T7 too) and flags T3/T4 rows of burn-in windows insufficient
DEFINITION = "temporal-2"
#: what a snapshot or the indicators say when there is nothing to compute yet
NOTHING_YET = "no interactions of the chosen kinds yet"
#: what the plain-text table shows (the JSON and CSV have every indicator)
SUMMARY_INDICATORS = ("cross_share", "ei_excess", "active_spanners")


def register_snapshot(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``snapshot`` and ``evaluate indicators``."""
    parser = subparsers.add_parser(
        "snapshot",
        help="compute and store each period's boundary-crossing indicators (history)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    _indicator_options(parser)
    parser.add_argument("--people", action="store_true", help="also per person (consenting)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(handler=run_snapshot)
    group = evaluate_group(subparsers)
    show = group.add_parser(
        "indicators",
        help="boundary-crossing indicators per period, with intervals (computed now)",
        description="T1–T7 per period for the network and each community (docs in README),"
        " each with its interval, n and an insufficient-data flag.",
    )
    _indicator_options(show)
    show.add_argument("--community", help="only this community (and the network)")
    out = show.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the rows as JSON")
    out.add_argument("--csv", action="store_true", help="print the rows as CSV")
    show.set_defaults(handler=run_indicators)


def _indicator_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--freq", choices=("month", "quarter", "sliding"), default="month")
    add_boundary_option(parser)
    add_kinds_option(parser)
    parser.add_argument("--replicates", type=int, default=200, help="bootstrap B (200)")
    parser.add_argument("--seed", type=int, default=0, help="of bootstrap and permutations")


def compute(
    args: argparse.Namespace, ctx: CommandContext
) -> tuple[IndicatorTable | None, dict[str, Any]]:
    """The indicator table of the store (None before any interaction of the chosen kinds)
    and the parameters that made it."""
    store = ctx.store()
    kinds = parse_kinds(args.kinds)
    options = TemporalOptions(kinds=kinds, replicates=args.replicates, seed=args.seed)
    events = store.interactions()
    members = membership_arrays(store.memberships(None, kind=args.boundary), events.person_ids)
    table = (
        temporal_indicators(events, members, args.freq, options)
        if counted_rows(events, kinds).any()
        else None
    )
    parameters = {
        "boundary": args.boundary, "freq": args.freq,
        "kinds": "all" if kinds == DEFAULT_KINDS else ",".join(k.value for k in kinds),
        "weighting": options.weighting, "replicates": options.replicates,
        "level": options.level, "min_interactions": options.min_interactions,
        "min_active": options.min_active, "seed": options.seed,
    }  # fmt: skip
    return table, parameters


def run_snapshot(args: argparse.Namespace, ctx: CommandContext) -> int:
    started = time.perf_counter()
    table, parameters = compute(args, ctx)
    text = json.dumps(parameters, sort_keys=True)
    now = datetime.now(UTC)
    rows = [_metric(row, text, now) for row in table.to_rows()] if table else []
    if args.people and table:
        rows += list(_person_rows(args, ctx, table, text, now))
    ctx.store().upsert_metric_values(rows)
    seconds = round(time.perf_counter() - started, 2)
    periods = len(table.windows.start) if table else 0
    summary = {"definition": DEFINITION, "parameters": parameters, "rows": len(rows),
               "periods": periods, "seconds": seconds}  # fmt: skip
    if args.json:
        ctx.echo_json(summary)
    elif table is None:
        ctx.echo(f"snapshot {DEFINITION}: {NOTHING_YET}: nothing stored")
    else:
        ctx.echo(f"snapshot {DEFINITION}: {len(rows):,} values over {periods}"
                 f" periods stored in {seconds} s")  # fmt: skip
    return 0


def _metric(row: dict[str, Any], parameters: str, now: datetime) -> MetricValue:
    network = row["scope"] == "network"
    return MetricValue(
        period_start=_moment(row["period_start"]), period_end=_moment(row["period_end"]),
        scope_kind="network" if network else "community", scope_id="" if network else row["scope"],
        indicator=row["indicator"], value=row["value"], definition=DEFINITION,
        parameters=parameters, low=row["low"], high=row["high"],
        n_interactions=row["n_interactions"], n_active=row["n_active"],
        insufficient=row["insufficient"], computed_at=now,
    )  # fmt: skip


def _person_rows(
    args: argparse.Namespace,
    ctx: CommandContext,
    table: IndicatorTable,
    parameters: str,
    now: datetime,
) -> Iterator[MetricValue]:
    store = ctx.store()
    events = store.interactions()
    members = membership_arrays(store.memberships(None, kind=args.boundary), events.person_ids)
    consent = {pid: p.consent for pid, p in store.get_people(events.person_ids).items()}
    windows = table.windows
    for row in person_periods(events, members, windows, parse_kinds(args.kinds)):
        person = events.person_ids[row.person]
        if not consent.get(person, True):
            continue  # people who opted out get no stored history
        start, end = _second(windows.start[row.window]), _second(windows.end[row.window])
        for name in PERSON_INDICATORS:
            yield MetricValue(start, end, "person", person, name, getattr(row, name),
                              DEFINITION, parameters, n_interactions=row.interactions,
                              n_active=1, computed_at=now)  # fmt: skip


def run_indicators(args: argparse.Namespace, ctx: CommandContext) -> int:
    table, _parameters = compute(args, ctx)
    if table is None and not (args.json or args.csv):
        ctx.echo(NOTHING_YET)
        return 0
    rows = [r for r in (table.to_rows() if table else []) if args.community in
            (None, r["scope"]) or r["scope"] == "network"]  # fmt: skip
    if args.json:
        ctx.echo_json(rows)
    elif args.csv:
        writer = csv.DictWriter(ctx.stdout, fieldnames=list(rows[0]) if rows else ["period_start"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        shown = [_text_row(r) for r in rows if r["indicator"] in SUMMARY_INDICATORS]
        ctx.table(["period", "scope", "indicator", "value", "interval", "n", "note"], shown)
    return 0


def _text_row(row: dict[str, Any]) -> list[str]:
    value = "–" if row["value"] is None else f"{row['value']:.3f}"
    interval = "" if row["low"] is None else f"{row['low']:.3f}–{row['high']:.3f}"
    note = "insufficient" if row["insufficient"] else ""
    return [row["period_start"][:7], row["scope"], row["indicator"], value, interval,
            str(row["n_interactions"]), note]  # fmt: skip


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _second(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)
