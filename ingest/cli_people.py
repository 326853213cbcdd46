"""``graphsvc people aliases|conflicts|split``: see and undo identity resolution."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from graphsvc.cli import CommandContext
from graphsvc.identity import Alias, AttributeConflict
from graphsvc.interchange import format_datetime
from ingest.identity import plan_split


def register_people(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``people`` with its sub-commands to the ``graphsvc`` command."""
    people = subparsers.add_parser(
        "people",
        help="people resolved across source systems: aliases, conflicts, split",
        description="A person imported from several source systems keeps one alias per"
        " (source system, id there). See which, see the attribute values a newer source"
        " replaced, and undo a wrong resolution.",
    )
    commands = people.add_subparsers(dest="people_command", required=True, metavar="COMMAND")
    aliases = commands.add_parser("aliases", help="list aliases (of one person)")
    aliases.add_argument("person", nargs="?", help="a graphsvc person id")
    aliases.add_argument("--source-system", metavar="NAME", help="only this source system's")
    aliases.add_argument("--json", action="store_true", help="print as JSON")
    aliases.set_defaults(handler=run_aliases)

    conflicts = commands.add_parser("conflicts", help="attribute values a newer source replaced")
    conflicts.add_argument("person", nargs="?", help="a graphsvc person id")
    conflicts.add_argument("--limit", type=int, default=100)
    conflicts.add_argument("--json", action="store_true", help="print as JSON")
    conflicts.set_defaults(handler=run_conflicts)

    split = commands.add_parser(
        "split",
        help="give an alias a person of its own again",
        description="Detach (SOURCE_SYSTEM, EXTERNAL_ID) from the person it was resolved to:"
        " it becomes its own person (from what that source said), its records from that"
        " source move with it, and the person it leaves is rebuilt from its other sources.",
    )
    split.add_argument("source_system")
    split.add_argument("external_id")
    split.add_argument("--json", action="store_true", help="print the outcome as JSON")
    split.set_defaults(handler=run_split)


def run_aliases(args: argparse.Namespace, ctx: CommandContext) -> int:
    store = ctx.store()
    found = store.aliases(
        person_ids=None if args.person is None else [args.person],
        source_system=args.source_system,
    )
    if args.json:
        ctx.echo_json([_alias_json(alias) for alias in found])
        return 0
    _table(
        ctx,
        ("PERSON", "SOURCE", "EXTERNAL ID", "RULE", "FIRST SEEN", "LAST SEEN"),
        [
            (
                a.person_id,
                a.source_system,
                a.external_id,
                a.rule.value,
                format_datetime(a.first_seen),
                format_datetime(a.last_seen),
            )
            for a in found
        ],
    )
    return 0


def run_conflicts(args: argparse.Namespace, ctx: CommandContext) -> int:
    found = ctx.store().conflicts(args.person, args.limit)
    if args.json:
        ctx.echo_json([_conflict_json(conflict) for conflict in found])
        return 0
    _table(
        ctx,
        ("PERSON", "FIELD", "KEPT", "FROM", "REPLACED", "FROM", "AT"),
        [
            (
                c.person_id,
                c.field,
                c.kept or "",
                c.kept_source or "",
                c.replaced or "",
                c.replaced_source or "",
                format_datetime(c.at),
            )
            for c in found
        ],
    )
    return 0


def run_split(args: argparse.Namespace, ctx: CommandContext) -> int:
    store = ctx.store()
    plan = plan_split(store, args.source_system, args.external_id)
    report = store.split_alias(plan)
    outcome = {
        "person_id": report.person_id,
        "new_person_id": report.new_person_id,
        "moved": {
            "memberships": report.memberships,
            "interactions": report.interactions,
            "participations": report.participations,
        },
        "records_moved": plan.move_records,
    }
    if args.json:
        ctx.echo_json(outcome)
        return 0
    ctx.echo(
        f"{args.source_system}:{args.external_id} is now person {report.new_person_id!r}"
        f" (was part of {report.person_id!r})"
    )
    if plan.move_records:
        ctx.echo(
            f"moved: {report.memberships} memberships, {report.interactions} interactions,"
            f" {report.participations} participations"
        )
    else:
        ctx.echo(
            f"records stay with {report.person_id!r}: it has another id in"
            f" {args.source_system}, so nothing tells which records came through this one"
        )
    return 0


def _alias_json(alias: Alias) -> dict[str, Any]:
    return {
        "person_id": alias.person_id,
        "source_system": alias.source_system,
        "external_id": alias.external_id,
        "rule": alias.rule.value,
        "first_seen": format_datetime(alias.first_seen),
        "last_seen": format_datetime(alias.last_seen),
        "name": alias.snapshot.name,
        "email": alias.snapshot.email,
    }


def _conflict_json(conflict: AttributeConflict) -> dict[str, Any]:
    return {**asdict(conflict), "at": format_datetime(conflict.at)}


def _table(ctx: CommandContext, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    if rows:
        ctx.table(header, rows)
    else:
        ctx.note("nothing found")
