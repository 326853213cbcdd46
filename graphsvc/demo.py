"""A realistic synthetic world of Communities of Practice, with planted structure to find.

``generate(people, months, seed)`` returns a :class:`DemoWorld`: people in 1–3 CoPs (plus one
organisation and one region each), heavy-tailed interactions of every kind over ``months``
months, activities with participants, and a ``ground_truth`` dictionary naming what was
planted so analytics can be checked against it:

* **brokers** — 3–5 people, each in one CoP, who carry most cross-CoP ties and reach 3–4
  other CoPs;
* **silo_community** — a CoP whose members belong to no other CoP and rarely look outside;
* **workshop** — a cross-CoP workshop after which cross-CoP ties among its participants rise;
* **mentoring_programme** — mentor → mentee pairs meeting from a known start date, within
  every mentor's capacity.

The same seed gives the same world (one ``numpy.random.default_rng(seed)`` drawn in a fixed
order); "cross-community" means across CoPs under the shared-any rule (METRICS.md §0 M1).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from graphsvc import demo_plants as plants
from graphsvc.demo_build import (
    build_activities,
    build_communities,
    build_interactions,
    build_memberships,
    build_people,
    person_ids,
)
from graphsvc.demo_catalogue import cop_profiles
from graphsvc.demo_events import WORKSHOP_ACTIVITY_ID, regular_activities, workshop_activity
from graphsvc.demo_population import (
    POPULATION_PARAMETERS,
    Population,
    Window,
    assign_roles,
    draw_population,
    plant_brokers,
)
from graphsvc.demo_ties import (
    CROSS_PROBABILITY,
    DAY,
    SILO_CROSS_PROBABILITY,
    TieTable,
    TopicIndex,
    background_ties,
)
from graphsvc.errors import ValidationError
from graphsvc.model import (
    ENTITIES,
    Activity,
    Community,
    Interaction,
    Membership,
    Participation,
    Person,
)

DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)
#: Everyday interactions per person per 12 months (planted ties come on top, roughly).
INTERACTIONS_PER_PERSON_YEAR = 10.0
MIN_PEOPLE = 100


@dataclass(frozen=True)
class DemoWorld:
    """Everything ``generate`` made, as model objects, plus the planted facts."""

    people: list[Person]
    communities: list[Community]
    memberships: list[Membership]
    interactions: list[Interaction]
    activities: list[Activity]
    participations: list[Participation]
    ground_truth: dict[str, Any]

    def counts(self) -> dict[str, int]:
        """Number of records per entity name (keys: :data:`graphsvc.model.ENTITIES`)."""
        return {name: len(getattr(self, name)) for name in ENTITIES}


def cop_count_for(people: int) -> int:
    """Eight CoPs, one more per 2,000 people beyond 16,000."""
    return max(8, people // 2000)


def generate(
    people: int = 500, months: int = 12, seed: int = 7, start: datetime | None = None
) -> DemoWorld:
    """Generate a demo world of ``people`` people over ``months`` months from ``start``.

    ``start`` defaults to 2025-01-01 UTC and must be timezone-aware. Raises
    :class:`~graphsvc.errors.ValidationError` for fewer than 100 people or 0 months.
    """
    window = _window(people, months, start)
    rng = np.random.default_rng(seed)
    profiles = cop_profiles(cop_count_for(people))
    topics = TopicIndex.build(profiles)
    population = draw_population(rng, people, len(profiles), window)
    plant_brokers(rng, population, 4 if people < 5000 else 5)
    assign_roles(rng, population, profiles)
    workshop = plants.choose_workshop(rng, population)
    programme = plants.choose_mentoring_pairs(rng, population, avoid=workshop.participants)
    mentoring = plants.mentoring_ties(rng, population, topics, programme)
    crossing, workshop_counts = plants.workshop_ties(rng, population, topics, workshop)
    target = INTERACTIONS_PER_PERSON_YEAR * people * months / 12
    everyday = background_ties(
        rng, population, topics, _everyday_count(target, len(mentoring), len(crossing))
    )
    brokers = plants.broker_ties(
        rng, population, topics, _unbrokered_cross(population, [everyday, crossing])
    )
    ties = TieTable.concat([everyday, crossing, mentoring, brokers])
    theme = profiles[workshop.communities[0]].topics[0]
    plans = [
        *regular_activities(rng, population, profiles),
        workshop_activity(population, workshop, theme),
    ]
    ids = person_ids(people)
    cop_ids = [profile.id for profile in profiles]
    activities, participations = build_activities(plans, population, ids, cop_ids)
    truth = _ground_truth(
        seed=seed,
        months=months,
        population=population,
        ids=ids,
        cop_ids=cop_ids,
        workshop=workshop,
        workshop_counts=workshop_counts,
        programme=programme,
        broker_ties=brokers,
    )
    return DemoWorld(
        people=build_people(rng, population, profiles, ids),
        communities=build_communities(profiles),
        memberships=build_memberships(population, ids, cop_ids),
        interactions=build_interactions(ties, population, ids, cop_ids, topics),
        activities=activities,
        participations=participations,
        ground_truth=truth,
    )


def write_ground_truth(world: DemoWorld, path: Path) -> None:
    """Write ``world.ground_truth`` as JSON (indent 2, sorted keys, UTF-8) to ``path``.

    ``path`` is the file to write (conventionally ``ground_truth.json``); a directory gets
    ``ground_truth.json`` inside it.
    """
    target = path / "ground_truth.json" if path.is_dir() else path
    text = json.dumps(world.ground_truth, indent=2, sort_keys=True, ensure_ascii=False)
    target.write_text(text + "\n", encoding="utf-8")


def _window(people: int, months: int, start: datetime | None) -> Window:
    if isinstance(people, bool) or not isinstance(people, int) or people < MIN_PEOPLE:
        raise ValidationError("people", f"must be a whole number ≥ {MIN_PEOPLE}, got {people!r}")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValidationError("months", f"must be a whole number ≥ 1, got {months!r}")
    first = DEFAULT_START if start is None else start
    if first.tzinfo is None or first.utcoffset() is None:
        raise ValidationError("start", "must be timezone-aware (UTC)")
    first = first.astimezone(UTC)
    return Window(first, (_add_months(first, months) - first).days)


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _everyday_count(target: float, mentoring: int, crossing: int) -> int:
    """Everyday ties so that all ties together come to about ``target``.

    Brokers add r = s/(1−s) ties (s = BROKER_SHARE_TARGET, r ≈ 2) per unbrokered cross tie:
    the workshop's planted ties and ~CROSS_PROBABILITY of everyday ties.
    """
    ratio = plants.BROKER_SHARE_TARGET / (1.0 - plants.BROKER_SHARE_TARGET)
    remaining = target - mentoring - crossing * (1.0 + ratio)
    return max(0, round(remaining / (1.0 + CROSS_PROBABILITY * ratio)))


def _unbrokered_cross(population: Population, tables: list[TieTable]) -> int:
    """Cross-CoP ties (no shared CoP) in ``tables`` that touch no broker."""
    count = 0
    for table in tables:
        cross = ~population.share_cop(table.source, table.target)
        touches = np.isin(table.source, population.brokers) | np.isin(
            table.target, population.brokers
        )
        count += int((cross & ~touches).sum())
    return count


def _iso(window: Window, day: int, seconds: int = 0) -> str:
    return (window.start + timedelta(seconds=day * DAY + seconds)).isoformat()


def _ground_truth(
    *,
    seed: int,
    months: int,
    population: Population,
    ids: list[str],
    cop_ids: list[str],
    workshop: plants.Workshop,
    workshop_counts: dict[str, int],
    programme: plants.MentoringProgramme,
    broker_ties: TieTable,
) -> dict[str, Any]:
    window = population.window
    brokers = population.brokers.tolist()
    planted_per_broker = {
        ids[b]: int(((broker_ties.source == b) | (broker_ties.target == b)).sum()) for b in brokers
    }
    return {
        "seed": seed,
        "people": population.size,
        "months": months,
        "start": window.start.isoformat(),
        "end": _iso(window, window.days),
        "boundary_kind": "cop",
        "membership_rule": "shared-any (METRICS.md §0 M1): internal iff the two share a CoP",
        "communities": {"cop": cop_ids},
        "moderators": {cop_ids[c]: ids[p] for c, p in sorted(population.moderators.items())},
        "brokers": [ids[b] for b in brokers],
        "broker_details": [
            {
                "id": ids[b],
                "home_community": cop_ids[int(population.cops[b, 0])],
                "reached_communities": [cop_ids[c] for c in reach],
                "planted_cross_interactions": planted_per_broker[ids[b]],
            }
            for b, reach in zip(brokers, population.broker_reach, strict=True)
        ],
        "broker_cross_share_target": plants.BROKER_SHARE_TARGET,
        "silo_community": cop_ids[population.silo],
        "silo": {
            "members": len(population.members(population.silo)),
            "external_tie_probability": SILO_CROSS_PROBABILITY,
            "members_have_other_cops": False,
        },
        "workshop": _workshop_truth(population, ids, cop_ids, workshop, workshop_counts),
        "mentoring_programme": {
            "start": _iso(window, programme.start_day),
            "pairs": [
                [ids[m], ids[e]]
                for m, e in zip(programme.mentors.tolist(), programme.mentees.tolist(), strict=True)
            ],
            "pair_communities": [cop_ids[c] for c in programme.cops.tolist()],
            "session_interval_days": list(plants.MENTORING_INTERVAL_DAYS),
        },
        "parameters": {
            **POPULATION_PARAMETERS,
            "interactions_per_person_per_year": INTERACTIONS_PER_PERSON_YEAR,
            "everyday_cross_probability": CROSS_PROBABILITY,
            "cop_count": population.cop_count,
        },
    }


def _workshop_truth(
    population: Population,
    ids: list[str],
    cop_ids: list[str],
    workshop: plants.Workshop,
    counts: dict[str, int],
) -> dict[str, Any]:
    return {
        "activity_id": WORKSHOP_ACTIVITY_ID,
        "date": _iso(population.window, workshop.day, 9 * 3600),
        "participants": [ids[p] for p in workshop.participants.tolist()],
        "communities": [cop_ids[c] for c in workshop.communities],
        "rate_unit": "cross-CoP interactions among participant pairs per 30 days",
        "planted_rate_before": plants.WORKSHOP_RATE_BEFORE,
        "planted_rate_after": plants.WORKSHOP_RATE_AFTER,
        "planted_interactions_before": counts["before"],
        "planted_interactions_after": counts["after"],
    }
