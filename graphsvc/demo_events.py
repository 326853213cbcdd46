"""Activities of the demo world: each CoP's seminars, workshops, pilots…, plus the planted
cross-CoP workshop, as plain plans that :mod:`graphsvc.demo_build` turns into model objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphsvc.demo_catalogue import CopProfile
from graphsvc.demo_plants import Workshop
from graphsvc.demo_population import Population
from graphsvc.demo_ties import DAY
from graphsvc.model import ActivityKind, ParticipationRole

ACTIVITY_KIND_SHARES: dict[ActivityKind, float] = {
    ActivityKind.SEMINAR: 0.30,
    ActivityKind.WORKSHOP: 0.20,
    ActivityKind.MEETING: 0.20,
    ActivityKind.TRAINING: 0.12,
    ActivityKind.PILOT: 0.10,
    ActivityKind.PROJECT: 0.08,
}
_LONG_RUNNING = (ActivityKind.PILOT, ActivityKind.PROJECT)
_WITH_SPEAKERS = (ActivityKind.SEMINAR, ActivityKind.WORKSHOP, ActivityKind.TRAINING)
WORKSHOP_ACTIVITY_ID = "act-cross-cop-workshop"


@dataclass(frozen=True, slots=True)
class ActivityPlan:
    """An activity with its participants; times are seconds from the window start."""

    name: str
    kind: ActivityKind
    community: int  # CoP index, -1 = none
    start: int
    end: int
    participants: tuple[tuple[int, ParticipationRole], ...]
    id: str = ""


def regular_activities(
    rng: np.random.Generator, population: Population, profiles: list[CopProfile]
) -> list[ActivityPlan]:
    """About one activity every 75 days per CoP (at least one), with 6–30 members taking part."""
    kinds = list(ACTIVITY_KIND_SHARES)
    shares = np.array(list(ACTIVITY_KIND_SHARES.values()))
    plans: list[ActivityPlan] = []
    for cop, profile in enumerate(profiles):
        for _ in range(1 + int(rng.poisson(population.days / 75))):
            kind = kinds[int(rng.choice(len(kinds), p=shares))]
            day = _weekday(population, int(rng.integers(0, population.days)))
            start = day * DAY + int(rng.choice([10, 14])) * 3600
            if kind in _LONG_RUNNING:
                end = start + int(rng.integers(30, 121)) * DAY
            else:
                end = start + int(rng.integers(2, 8)) * 3600
            topic = profile.topics[int(rng.integers(len(profile.topics)))]
            name = f"{profile.name.removesuffix(' CoP')} {kind.value}: {topic}"
            participants = _participants(rng, population, cop, day, kind)
            if participants:
                plans.append(ActivityPlan(name, kind, cop, start, end, participants))
    plans.sort(key=lambda plan: (plan.start, plan.community, plan.name))
    width = max(4, len(str(len(plans))))
    return [_with_id(plan, f"act-{number:0{width}d}") for number, plan in enumerate(plans, 1)]


def _with_id(plan: ActivityPlan, activity_id: str) -> ActivityPlan:
    return ActivityPlan(
        plan.name, plan.kind, plan.community, plan.start, plan.end, plan.participants, activity_id
    )


def _weekday(population: Population, day: int) -> int:
    weekday = (day + population.window.start_weekday) % 7
    if weekday < 5:
        return day
    return day - (weekday - 4) if day - (weekday - 4) >= 0 else day + (7 - weekday)


def _participants(
    rng: np.random.Generator, population: Population, cop: int, day: int, kind: ActivityKind
) -> tuple[tuple[int, ParticipationRole], ...]:
    """The moderator organises (when a member that day); 1–2 speakers for talks; the rest by
    activity among members active on the day."""
    members = population.members(cop)
    members = members[
        (population.active_from[members] <= day) & (day < population.active_until[members])
    ]
    if len(members) == 0:
        return ()
    count = min(len(members), int(rng.integers(6, 31)))
    weights = population.activity[members]
    chosen = rng.choice(members, size=count, replace=False, p=weights / weights.sum()).tolist()
    moderator = population.moderators.get(cop)
    if moderator is not None and moderator in members.tolist():
        chosen = [moderator, *[p for p in chosen if p != moderator]][:count]
    speakers = int(rng.integers(1, 3)) if kind in _WITH_SPEAKERS else 0
    roles = [ParticipationRole.ORGANISER]
    roles += [ParticipationRole.SPEAKER] * speakers
    roles += [ParticipationRole.PARTICIPANT] * max(0, count - len(roles))
    return tuple(zip(chosen, roles[:count], strict=True))


def workshop_activity(population: Population, workshop: Workshop, theme: str) -> ActivityPlan:
    """The planted cross-CoP workshop (09:00–16:00 on its day, hosted by no single CoP)."""
    start = workshop.day * DAY + 9 * 3600
    people = workshop.participants.tolist()
    roles = [ParticipationRole.ORGANISER, ParticipationRole.SPEAKER, ParticipationRole.SPEAKER]
    roles += [ParticipationRole.PARTICIPANT] * max(0, len(people) - len(roles))
    return ActivityPlan(
        f"Cross-CoP workshop: {theme}",
        ActivityKind.WORKSHOP,
        -1,
        start,
        start + 7 * 3600,
        tuple(zip(people, roles[: len(people)], strict=True)),
        WORKSHOP_ACTIVITY_ID,
    )
