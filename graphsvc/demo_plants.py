"""Planted structure with known answers: brokers, a cross-CoP workshop, a mentoring programme.

Each planter returns the ties it adds (a :class:`~graphsvc.demo_ties.TieTable`) and the
facts it planted, which :mod:`graphsvc.demo` writes into the ground truth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graphsvc.demo_population import IntArray, Population
from graphsvc.demo_ties import KINDS, TieTable, TopicIndex, kind_codes, make_ties
from graphsvc.model import InteractionKind

#: Share of all cross-CoP ties that the brokers' planted ties should make up.
BROKER_SHARE_TARGET = 0.67
CROSSING_KIND_SHARES: dict[InteractionKind, float] = {
    InteractionKind.KNOWLEDGE_EXCHANGE: 0.4,
    InteractionKind.COLLABORATION: 0.3,
    InteractionKind.COMMUNICATION: 0.3,
}
#: Cross-CoP ties among workshop participants, per 30 days, before and after the workshop.
WORKSHOP_RATE_BEFORE = 1.0
WORKSHOP_RATE_AFTER = 10.0
WORKSHOP_COMMUNITIES = 5
MENTORING_INTERVAL_DAYS = (21, 43)  # [low, high) days between sessions


def broker_ties(
    rng: np.random.Generator, population: Population, topics: TopicIndex, other_cross: int
) -> TieTable:
    """Enough crossing ties for the brokers to carry ``BROKER_SHARE_TARGET`` of all of them.

    ``other_cross`` is the number of cross-CoP ties nobody planted as a broker's. Each broker's
    ties are spread evenly over the CoPs they reach, to members chosen uniformly (so they are
    mostly distinct people) who are members all window long and share no CoP with the broker.
    """
    total = math.ceil(other_cross * BROKER_SHARE_TARGET / (1.0 - BROKER_SHARE_TARGET))
    total = max(total, 12 * len(population.brokers))
    share = np.full(len(population.brokers), 1 / len(population.brokers))
    per_broker = rng.multinomial(total, share)
    sources: list[IntArray] = []
    targets: list[IntArray] = []
    reached: list[IntArray] = []
    for broker, reach, count in zip(
        population.brokers.tolist(), population.broker_reach, per_broker.tolist(), strict=True
    ):
        cops = rng.permutation(np.resize(np.array(reach, dtype=np.int64), count))
        for cop in reach:
            rows = np.flatnonzero(cops == cop)
            pool = population.members(cop)
            pool = pool[population.stable[pool]]
            pool = pool[~population.share_cop(np.full(len(pool), broker), pool)]
            targets.append(pool[rng.integers(0, len(pool), size=len(rows))])
            sources.append(np.full(len(rows), broker, dtype=np.int64))
            reached.append(np.full(len(rows), cop, dtype=np.int64))
    source, target = np.concatenate(sources), np.concatenate(targets)
    topic_cop = np.concatenate(reached)
    flip = rng.random(len(source)) < 0.4
    source, target = np.where(flip, target, source), np.where(flip, source, target)
    kind = kind_codes(rng, len(source), CROSSING_KIND_SHARES)
    return make_ties(
        rng,
        population,
        topics,
        (source, target),
        kind,
        days=_whole(population, len(source)),
        community=np.full(len(source), -1, dtype=np.int64),
        topic_cop=topic_cop,
    )


def _whole(population: Population, count: int) -> tuple[IntArray, IntArray]:
    return np.zeros(count, np.int64), np.full(count, population.days, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Workshop:
    """The planted cross-CoP workshop: who came from which CoP, and on which day."""

    participants: IntArray
    groups: IntArray  # each participant's (only) CoP
    day: int  # days from the window start

    @property
    def communities(self) -> list[int]:
        return sorted(set(self.groups.tolist()))


def choose_workshop(rng: np.random.Generator, population: Population) -> Workshop:
    """4–5 single-CoP, whole-window members from each of ``WORKSHOP_COMMUNITIES`` CoPs.

    The day is the weekday nearest the middle of the window.
    """
    open_cops = population.non_silo_cops()
    cops = rng.choice(open_cops, size=min(WORKSHOP_COMMUNITIES, len(open_cops)), replace=False)
    eligible = population.stable & population.consent & (population.cop_counts == 1)
    eligible[population.brokers] = False
    people: list[IntArray] = []
    groups: list[IntArray] = []
    for cop in sorted(cops.tolist()):
        pool = np.flatnonzero(eligible & (population.cops[:, 0] == cop))
        count = min(len(pool), int(rng.integers(4, 6)))
        people.append(np.sort(rng.choice(pool, size=count, replace=False)))
        groups.append(np.full(count, cop, dtype=np.int64))
    day = population.days // 2
    weekday = (day + population.window.start_weekday) % 7
    if weekday >= 5:
        day = day - (weekday - 4) if day - (weekday - 4) > 0 else day + (7 - weekday)
    return Workshop(np.concatenate(people), np.concatenate(groups), int(day))


def workshop_ties(
    rng: np.random.Generator, population: Population, topics: TopicIndex, workshop: Workshop
) -> tuple[TieTable, dict[str, int]]:
    """Cross-CoP ties among participants: rare before the workshop day, frequent after it.

    Counts are fixed from the planted rates (per 30 days); ties after the workshop start on
    the next day. Returns the ties and the planted counts.
    """
    first, second = np.triu_indices(len(workshop.participants), k=1)
    across = workshop.groups[first] != workshop.groups[second]
    left, right = workshop.participants[first[across]], workshop.participants[second[across]]
    after_start = workshop.day + 1
    spans = {
        "before": (0, workshop.day, WORKSHOP_RATE_BEFORE),
        "after": (after_start, population.days, WORKSHOP_RATE_AFTER),
    }
    tables: list[TieTable] = []
    counts: dict[str, int] = {}
    for label, (lo, hi, rate) in spans.items():
        count = max(0, round(rate * (hi - lo) / 30)) if hi > lo and len(left) else 0
        pick = rng.integers(0, len(left), size=count)
        flip = rng.random(count) < 0.5
        source = np.where(flip, right[pick], left[pick])
        target = np.where(flip, left[pick], right[pick])
        kind = kind_codes(rng, count, CROSSING_KIND_SHARES)
        table = make_ties(
            rng,
            population,
            topics,
            (source, target),
            kind,
            days=(np.full(count, lo, np.int64), np.full(count, hi, np.int64)),
            community=np.full(count, -1, dtype=np.int64),
            topic_cop=population.cops[source, 0],
        )
        tables.append(table)
        counts[label] = len(table)
    return TieTable.concat(tables), counts


@dataclass(frozen=True, slots=True)
class MentoringProgramme:
    """Mentor → mentee pairs inside one CoP each, from ``start_day`` on."""

    mentors: IntArray
    mentees: IntArray
    cops: IntArray
    start_day: int


def choose_mentoring_pairs(
    rng: np.random.Generator, population: Population, avoid: IntArray
) -> MentoringProgramme:
    """Each mentor takes 1..capacity mentees from their CoP; mentees get the mentee role.

    Mentees are whole-window, consenting members without another role and not in ``avoid``.
    """
    free = population.stable & population.consent
    free[avoid] = False
    free[population.brokers] = False
    for person, _cop in population.roles:
        free[person] = False
    mentors: list[int] = []
    mentees: list[int] = []
    cops: list[int] = []
    for (mentor, cop), role in sorted(population.roles.items()):
        if role != "mentor":
            continue
        pool = population.members(cop)
        pool = pool[free[pool]]
        wanted = int(rng.integers(1, population.mentor_capacity[mentor] + 1))
        picked = rng.choice(pool, size=min(wanted, len(pool)), replace=False).tolist()
        for mentee in picked:
            free[mentee] = False
            population.roles[(mentee, cop)] = "mentee"
            mentors.append(mentor)
            mentees.append(mentee)
            cops.append(cop)
    start_day = max(1, round(population.days * 0.25))
    start_day += (7 - (start_day + population.window.start_weekday) % 7) % 7  # a Monday
    start_day = min(start_day, population.days - 1)
    as_array = np.array
    return MentoringProgramme(
        as_array(mentors, dtype=np.int64),
        as_array(mentees, dtype=np.int64),
        as_array(cops, dtype=np.int64),
        int(start_day),
    )


def mentoring_ties(
    rng: np.random.Generator,
    population: Population,
    topics: TopicIndex,
    programme: MentoringProgramme,
) -> TieTable:
    """A session every 3–6 weeks per pair, mentor → mentee, from the programme start on."""
    low, high = MENTORING_INTERVAL_DAYS
    days: list[IntArray] = []
    pair_of: list[IntArray] = []
    for pair in range(len(programme.mentors)):
        first = programme.start_day + int(rng.integers(0, 10))
        sessions = np.arange(first, population.days, int(rng.integers(low, high)))
        days.append(sessions)
        pair_of.append(np.full(len(sessions), pair, dtype=np.int64))
    day = np.concatenate(days) if days else np.zeros(0, np.int64)
    pair_index = np.concatenate(pair_of) if pair_of else np.zeros(0, np.int64)
    weekday = (day + population.window.start_weekday) % 7
    day = np.where(weekday >= 5, day + (7 - weekday), day)
    keep = day < population.days
    day, pair_index = day[keep], pair_index[keep]
    kind = np.full(len(day), KINDS.index(InteractionKind.MENTORING), dtype=np.int64)
    cop = programme.cops[pair_index]
    return make_ties(
        rng,
        population,
        topics,
        (programme.mentors[pair_index], programme.mentees[pair_index]),
        kind,
        days=(day, day + 1),
        community=cop,
        topic_cop=cop,
    )
