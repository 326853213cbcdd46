"""Turn the demo world's arrays and plans into validated model objects (graphsvc.model).

These loops are the generator's hot path at scale (one model object per interaction), so
they bind look-ups to locals and convert numpy columns to lists once.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from graphsvc.demo_catalogue import (
    DEPARTMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    ORGANISATIONS,
    REGIONS,
    SECTORS,
    CopProfile,
    email_local_part,
)
from graphsvc.demo_events import ActivityPlan
from graphsvc.demo_population import MAX_COPS, Population
from graphsvc.demo_ties import KINDS, SYSTEMS, TieTable, TopicIndex
from graphsvc.model import (
    Activity,
    Community,
    CommunityKind,
    Interaction,
    Membership,
    MembershipRole,
    Participation,
    Person,
)

ORGANISATION_IDS = tuple(f"org-{org.slug}" for org in ORGANISATIONS)
REGION_IDS = tuple(f"region-{slug}" for slug in REGIONS)


def person_ids(count: int) -> list[str]:
    """``p0001``, ``p0002``, … (zero-padded to the population's width)."""
    width = max(4, len(str(count)))
    return [f"p{number:0{width}d}" for number in range(1, count + 1)]


def build_communities(profiles: list[CopProfile]) -> list[Community]:
    """Sectors, organisations (under their sector), regions, then the CoPs."""
    communities = [
        Community(f"sector-{slug}", name, CommunityKind.SECTOR) for slug, name in SECTORS.items()
    ]
    communities += [
        Community(
            f"org-{org.slug}",
            org.name,
            CommunityKind.ORGANISATION,
            parent_id=f"sector-{org.sector}",
            description=f"Employer ({org.domain}).",
        )
        for org in ORGANISATIONS
    ]
    communities += [
        Community(
            f"region-{slug}",
            name,
            CommunityKind.REGION,
            description=f"People based in {', '.join(towns)}.",
        )
        for slug, (name, _share, towns) in REGIONS.items()
    ]
    communities += [
        Community(
            p.id, p.name, CommunityKind.COP, description=p.description, objectives=p.objectives
        )
        for p in profiles
    ]
    return communities


def build_people(
    rng: np.random.Generator, population: Population, profiles: list[CopProfile], ids: list[str]
) -> list[Person]:
    """Names (unicode included), e-mails at the organisation's domain, towns, topics, roles."""
    size = population.size
    first = rng.integers(len(FIRST_NAMES), size=size).tolist()
    last = rng.integers(len(LAST_NAMES), size=size).tolist()
    town = rng.integers(5, size=size).tolist()
    department = rng.integers(len(DEPARTMENTS), size=size).tolist()
    topic_count = rng.integers(2, 5, size=size).tolist()
    topic_keys = rng.random((size, MAX_COPS * max(len(p.topics) for p in profiles)))
    start = population.window.start
    regions = list(REGIONS.values())
    seen: Counter[str] = Counter()
    people: list[Person] = []
    cops = population.cops.tolist()
    for index in range(size):
        org = ORGANISATIONS[int(population.org[index])]
        given, family = FIRST_NAMES[first[index]], LAST_NAMES[last[index]]
        local = email_local_part(given, family)
        seen[local] += 1
        if seen[local] > 1:
            local = f"{local}{seen[local]}"
        expertise = population.expertise.get(index, ())
        candidates = list(
            dict.fromkeys(t for c in cops[index] if c >= 0 for t in profiles[c].topics)
        )
        order = np.argsort(topic_keys[index, : len(candidates)])[: topic_count[index]]
        topics = (*expertise, *(candidates[i] for i in sorted(order.tolist())))
        people.append(
            Person(
                id=ids[index],
                name=f"{given} {family}",
                email=f"{local}@{org.domain}",
                organisation=org.name,
                location=regions[int(population.region[index])][2][town[index]],
                joined_at=start - timedelta(days=int(population.joined_days_before[index])),
                topics=topics,
                expertise=expertise,
                mentor_capacity=int(population.mentor_capacity[index]),
                consent=bool(population.consent[index]),
                attrs={"department": DEPARTMENTS[department[index]]},
            )
        )
    return people


def build_memberships(
    population: Population, ids: list[str], cop_ids: list[str]
) -> list[Membership]:
    """Each person's CoPs (with their role), organisation and region; leavers get ``until``."""
    start = population.window.start
    memberships: list[Membership] = []
    cops = population.cops.tolist()
    since = population.since_days_before.tolist()
    joined = population.joined_days_before.tolist()
    until_days = population.active_until.tolist()
    for index, person in enumerate(ids):
        until = (
            start + timedelta(days=until_days[index])
            if until_days[index] < population.days
            else None
        )
        joined_at = start - timedelta(days=joined[index])
        for column, cop in enumerate(cops[index]):
            if cop < 0:
                continue
            role = MembershipRole(population.roles.get((index, cop), "member"))
            memberships.append(
                Membership(
                    person, cop_ids[cop], role, start - timedelta(days=since[index][column]), until
                )
            )
        memberships.append(
            Membership(
                person,
                ORGANISATION_IDS[int(population.org[index])],
                MembershipRole.MEMBER,
                joined_at,
                until,
            )
        )
        memberships.append(
            Membership(
                person,
                REGION_IDS[int(population.region[index])],
                MembershipRole.MEMBER,
                joined_at,
                until,
            )
        )
    return memberships


def build_interactions(
    ties: TieTable,
    population: Population,
    ids: list[str],
    cop_ids: list[str],
    topics: TopicIndex,
) -> list[Interaction]:
    """Interactions ordered by time, with ids ``ix-0000001``… in that order."""
    order = np.lexsort((ties.kind, ties.target, ties.source, ties.at))
    width = max(7, len(str(len(order))))
    kinds = KINDS
    topic_names: list[str | None] = [*topics.topics, None]  # index -1 → None
    communities: list[str | None] = [*cop_ids, None]
    systems = SYSTEMS
    base = population.window.start_seconds
    moment = datetime.fromtimestamp
    columns = zip(
        ties.source[order].tolist(),
        ties.target[order].tolist(),
        (ties.at[order] + base).tolist(),
        ties.kind[order].tolist(),
        ties.weight[order].tolist(),
        ties.topic[order].tolist(),
        ties.community[order].tolist(),
        ties.system[order].tolist(),
        strict=True,
    )
    return [
        Interaction(
            f"ix-{number:0{width}d}",
            kinds[kind],
            ids[source],
            ids[target],
            moment(at, UTC),
            weight,
            None,
            topic_names[topic],
            communities[cop],
            systems[system],
        )
        for number, (source, target, at, kind, weight, topic, cop, system) in enumerate(columns, 1)
    ]


def build_activities(
    plans: list[ActivityPlan], population: Population, ids: list[str], cop_ids: list[str]
) -> tuple[list[Activity], list[Participation]]:
    """Activities and their participations (``at`` = the activity's start)."""
    base = population.window.start_seconds
    activities: list[Activity] = []
    participations: list[Participation] = []
    for plan in plans:
        start = datetime.fromtimestamp(base + plan.start, UTC)
        activities.append(
            Activity(
                plan.id,
                plan.name,
                start,
                plan.kind,
                cop_ids[plan.community] if plan.community >= 0 else None,
                datetime.fromtimestamp(base + plan.end, UTC),
            )
        )
        participations += [
            Participation(plan.id, ids[person], role, start) for person, role in plan.participants
        ]
    return activities, participations
