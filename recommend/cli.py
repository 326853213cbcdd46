"""``graphsvc recommend``, ``graphsvc match`` and ``graphsvc evaluate recommend``.

The one place of this package that reads a store (like :mod:`analytics.cli`): it loads
people, communities, memberships, interactions and feedback (:class:`RecommendInputs`),
and hands plain values to the recommenders, which never see a store.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.cli import CommandContext, add_boundary_option, evaluate_group
from graphsvc.errors import NotFound, ValidationError
from graphsvc.interchange import parse_datetime
from recommend.evaluate import evaluate
from recommend.explain import collaborator_reasons, mentor_reasons
from recommend.inputs import RecommendInputs
from recommend.matching import match_cohort
from recommend.outcomes import conversion_rates, introductions
from recommend.rerank import BoundaryRerank

METRIC_COLUMNS = ("precision_at_k", "recall_at_k", "mrr", "ap", "auc", "cross_hit_rate", "coverage")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``recommend``, ``match`` and ``evaluate recommend`` to the ``graphsvc`` command."""
    _add_recommend(subparsers)
    _add_match(subparsers)
    _add_introductions(subparsers)
    group = evaluate_group(subparsers)
    _add_evaluate(group)


def _add_common(parser: argparse.ArgumentParser) -> None:
    add_boundary_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")


def _add_recommend(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "recommend",
        help="collaborators (or mentors) to suggest to a person, each with its reasons",
        description="Suggest collaborators for PERSON — people they have not worked with,"
        " preferring introductions that open closed communities — or, with --mentors,"
        " mentors with free slots who know what PERSON needs. Declined pairs rest for"
        " --rest-days; introductions made are not suggested again.",
    )
    parser.add_argument("person", metavar="PERSON", help="the person's id")
    parser.add_argument("--mentors", action="store_true", help="suggest mentors instead")
    parser.add_argument("--k", type=int, default=10, help="how many (default 10)")
    parser.add_argument(
        "--strength", type=float, default=0.5, metavar="BETA",
        help="boundary re-ranking strength β (0 = plain model ranking; default 0.5)",
    )  # fmt: skip
    parser.add_argument(
        "--min-cross", type=int, default=2, metavar="Q",
        help="at least Q cross-community suggestions in the top k when possible (default 2)",
    )  # fmt: skip
    parser.add_argument("--as-of", help="suggest as of this date (default: the latest data)")
    parser.add_argument(
        "--rest-days", type=int, default=None,
        help="days declined pairs rest (default: GRAPHSVC_DECLINE_REST_DAYS, 180)",
    )  # fmt: skip
    _add_common(parser)
    parser.set_defaults(handler=run_recommend)


def _add_match(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "match",
        help="match a community's mentees to mentors, maximising total fit under capacities",
        description="Assign COMMUNITY's mentees without a current mentor (every member"
        " without one, with --all-members) to mentors with free slots, maximising the total"
        " fit; --balance λ spreads mentees over mentors at a small cost in fit.",
    )
    parser.add_argument("community", metavar="COMMUNITY", help="the community's id")
    parser.add_argument("--all-members", action="store_true", help="not only role mentee")
    parser.add_argument("--balance", type=float, default=0.0, help="load balance λ (0)")
    parser.add_argument("--min-fit", type=float, default=0.0, help="leave worse pairs unmade")
    parser.add_argument("--as-of", help="match as of this date (default: the latest data)")
    _add_common(parser)
    parser.set_defaults(handler=run_match)


def _add_introductions(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "introductions",
        help="introductions made and how many turned into ties, per community, moderator or kind",
        description="Accepted suggestions are introductions; one converted when the two people"
        " interacted within --days after it. Conversion = converted / (converted + not"
        " converted), with a 95% Wilson interval; pending ones count in neither.",
    )
    parser.add_argument(
        "--by", choices=("community", "moderator", "recommender", "all"), default="community"
    )
    parser.add_argument("--days", type=int, default=60, help="follow-up window (default 60)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run_introductions)


def _add_evaluate(group: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = group.add_parser(
        "recommend",
        help="offline evaluation of collaborator suggestions on a temporal split",
        description="Train on the interactions before --split-at and score the new ties"
        " after it: precision@k, recall@k, MRR, AP, sampled AUC, cross-community hit rate"
        " and coverage, for the model and the baselines.",
    )
    parser.add_argument("--split-at", required=True, help="ISO date/datetime of the split")
    parser.add_argument("--k", type=int, default=10, help="list length (default 10)")
    parser.add_argument(
        "--strength", type=float, default=0.0, metavar="BETA",
        help="also evaluate the boundary re-ranking with this β (row model_boundary)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="random baseline and AUC sample")
    _add_common(parser)
    parser.set_defaults(handler=run_evaluate)


def run_recommend(args: argparse.Namespace, ctx: CommandContext) -> int:
    inputs = RecommendInputs.load(ctx.store())
    as_of = _as_of(args.as_of, ctx, inputs)
    person = inputs.person(args.person)
    if not person.consent:
        raise ValidationError("person", f"{args.person} withheld consent: no suggestions")
    if args.mentors:
        rows = mentor_document(inputs, args.person, as_of, args.k)
    else:
        rest_days = ctx.settings.decline_rest_days if args.rest_days is None else args.rest_days
        rows = _collaborator_rows(inputs, args, as_of, rest_days)
    kind = "mentor" if args.mentors else "collaborator"
    document = {"person": args.person, "as_of": as_of.isoformat(), "k": args.k, "kind": kind,
                "suggestions": rows}  # fmt: skip
    if args.json:
        ctx.echo_json(document)
        return 0
    ctx.echo(
        f"{document['kind'].capitalize()}s for {person.name} ({person.id}) as of {as_of:%Y-%m-%d}:"
    )
    if not rows:
        ctx.echo("  none: no eligible candidate")
    for row in rows:
        ctx.echo(f"{row['rank']:>3}. {row['name']} ({row['id']})  score {row['score']:.3f}")
        for reason in row["reasons"]:
            ctx.echo(f"       {reason}")
    return 0


def _collaborator_rows(
    inputs: RecommendInputs, args: argparse.Namespace, as_of: datetime, rest_days: int
) -> list[dict[str, Any]]:
    return collaborator_document(
        inputs, args.person, as_of, k=args.k, boundary=args.boundary, strength=args.strength,
        min_cross=args.min_cross, rest_days=rest_days,
    )  # fmt: skip


def collaborator_document(
    inputs: RecommendInputs,
    person_id: str,
    as_of: datetime,
    *,
    k: int,
    boundary: str,
    strength: float,
    min_cross: int,
    rest_days: int,
) -> list[dict[str, Any]]:
    """The top ``k`` collaborators of ``person_id`` as JSON rows with their reasons; pairs
    declined within ``rest_days`` (or as "already know") and introductions made are left
    out, pending introductions weigh on the people they introduced (load)."""
    model = inputs.collaborator_model(boundary, as_of)
    suppressed = inputs.suppressed(datetime.now(UTC), rest_days)
    rerank = BoundaryRerank(beta=strength, min_cross=min_cross)
    wanted = k + sum(1 for pair in suppressed if person_id in pair)
    found = model.recommend(person_id, wanted, rerank=rerank, load=inputs.pending_load())
    kept = [s for s in found if frozenset((person_id, s.person_id)) not in suppressed]
    names, community_names = inputs.names(), inputs.community_names()
    return [
        {
            "rank": rank,
            "id": s.person_id,
            "name": names.get(s.person_id, s.person_id),
            "score": s.score,
            "probability": s.probability,
            "cross": s.cross,
            "reasons": collaborator_reasons(s, names, community_names),
            "facts": {**s.to_dict(), "mutual_ids": [m for m in s.mutual_ids if m in names]},
        }
        for rank, s in enumerate(kept[:k], start=1)
    ]


def mentor_document(
    inputs: RecommendInputs, person_id: str, as_of: datetime, k: int
) -> list[dict[str, Any]]:
    """The top ``k`` mentors with free slots for ``person_id`` as JSON rows with reasons."""
    model = inputs.mentor_model(as_of)
    names = inputs.names()
    return [
        {
            "rank": rank,
            "id": s.mentor_id,
            "name": names.get(s.mentor_id, s.mentor_id),
            "score": s.fit,
            "reasons": mentor_reasons(s),
            "facts": {
                "parts": s.parts,
                "shared_topics": list(s.shared_topics),
                "answers": s.answers,
                "free_slots": s.free_slots,
                "capacity": s.capacity,
                "cross_community": s.cross_community,
            },  # fmt: skip
        }
        for rank, s in enumerate(model.recommend(person_id, k), start=1)
    ]


def run_match(args: argparse.Namespace, ctx: CommandContext) -> int:
    inputs = RecommendInputs.load(ctx.store())
    as_of = _as_of(args.as_of, ctx, inputs)
    document = cohort_document(inputs, args.community, as_of, args.all_members, args.balance,
                               args.min_fit)  # fmt: skip
    if args.json:
        ctx.echo_json(document)
        return 0
    ctx.echo(
        f"{document['community']}: {len(document['pairs'])} of {document['mentees']} mentees"
        f" matched, total fit {document['total_fit']:.2f}, capacity used"
        f" {document['capacity_use']:.0%}, mentor load"
        f" {document['load_min']}–{document['load_max']}"
    )
    ctx.table(
        ["mentee", "mentor", "fit", "shared topics"],
        [[p["mentee_name"], p["mentor_name"], f"{p['fit']:.3f}", ", ".join(p["shared_topics"])]
         for p in document["pairs"]],
    )  # fmt: skip
    if document["unmatched"]:
        ctx.echo("unmatched: " + ", ".join(u["name"] for u in document["unmatched"]))
    return 0


def cohort_document(
    inputs: RecommendInputs,
    community_id: str,
    as_of: datetime,
    all_members: bool = False,
    balance: float = 0.0,
    min_fit: float = 0.0,
) -> dict[str, Any]:
    """The cohort matching of ``community_id`` (see :mod:`recommend.matching`) as JSON."""
    if community_id not in inputs.community_names():
        raise NotFound("community", community_id)
    model = inputs.mentor_model(as_of)
    mentees = inputs.unmentored(model, community_id, as_of, all_members)
    mentors = inputs.available_mentors(model)
    fit = model.fit_matrix(mentees, mentors) if mentees and mentors else None
    free = [int(model.free_[model.index_[m]]) for m in mentors]
    names = inputs.names()
    if fit is None:
        pairs: list[dict[str, Any]] = []
        unmatched, load, total, use = list(range(len(mentees))), [0] * len(mentors), 0.0, 0.0
    else:
        result = match_cohort(fit, free, balance=balance, min_fit=min_fit)
        pairs = [_pair(model, mentees[e], mentors[m], names) for e, m in result.pairs]
        unmatched, load = list(result.unmatched), result.load.tolist()
        total, use = result.total_fit, result.capacity_use(free)
    used = [count for count in load if count > 0] or [0]
    return {
        "community": community_id, "as_of": as_of.isoformat(), "mentees": len(mentees),
        "mentors": len(mentors), "balance": balance, "pairs": pairs,
        "unmatched": [{"id": mentees[e], "name": names.get(mentees[e], mentees[e])}
                      for e in unmatched],
        "total_fit": total, "capacity_use": use, "load_min": min(used), "load_max": max(used),
    }  # fmt: skip


def _pair(model: Any, mentee: str, mentor: str, names: dict[str, str]) -> dict[str, Any]:
    s = model.explain(mentee, mentor)
    return {
        "mentee": mentee, "mentee_name": names.get(mentee, mentee), "mentor": mentor,
        "mentor_name": names.get(mentor, mentor), "fit": s.fit,
        "shared_topics": list(s.shared_topics), "reasons": mentor_reasons(s),
    }  # fmt: skip


def run_introductions(args: argparse.Namespace, ctx: CommandContext) -> int:
    inputs = RecommendInputs.load(ctx.store())
    made = introductions(inputs.feedback, inputs.interactions, datetime.now(UTC), args.days)
    rows = conversion_rates(made, args.by)
    if args.json:
        ctx.echo_json({"by": args.by, "days": args.days, "rows": [row.__dict__ for row in rows]})
        return 0
    ctx.table(
        [args.by, "introductions", "converted", "not converted", "pending", "conversion (95% CI)"],
        [[row.key, str(row.introductions), str(row.converted), str(row.not_converted),
          str(row.pending), _rate(row.rate, row.low, row.high)] for row in rows],
    )  # fmt: skip
    return 0


def _rate(rate: float | None, low: float | None, high: float | None) -> str:
    if rate is None or low is None or high is None:
        return "–"
    return f"{rate:.0%} ({low:.0%}–{high:.0%})"


def run_evaluate(args: argparse.Namespace, ctx: CommandContext) -> int:
    inputs = RecommendInputs.load(ctx.store())
    split = parse_datetime(args.split_at, ctx.settings.zone, "--split-at")
    history = inputs.history(args.boundary)
    rerank = BoundaryRerank(beta=args.strength, min_cross=2) if args.strength > 0 else None
    document = evaluate(history, split, k=args.k, rerank=rerank, seed=args.seed)
    if args.json:
        ctx.echo_json(document)
        return 0
    ctx.echo(
        f"split at {document['split_at']}, k = {document['k']}: {document['n_people']} people"
        f" with {document['n_new_ties']} new ties"
    )
    ctx.table(["model", *METRIC_COLUMNS], _metric_rows(document["models"]))
    return 0


def _metric_rows(models: dict[str, dict[str, float | None]]) -> list[list[str]]:
    return [
        [name, *("–" if row[c] is None else f"{row[c]:.4f}" for c in METRIC_COLUMNS)]
        for name, row in models.items()
    ]


def _as_of(text: str | None, ctx: CommandContext, inputs: RecommendInputs) -> datetime:
    if text is not None:
        return parse_datetime(text, ctx.settings.zone, "--as-of")
    return inputs.latest() + timedelta(seconds=1)


__all__: Sequence[str] = (
    "cohort_document", "collaborator_document", "mentor_document", "register"
)  # fmt: skip
