"""The demo world's people as numpy arrays: CoP memberships, tenure, activity, roles, brokers.

Everything here is vectorised and drawn from one ``numpy.random.Generator`` in a fixed
order, so a seed fixes the population. Times are whole days counted from the window start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from graphsvc.demo_catalogue import CopProfile

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]

#: At most this many CoPs per person (column 0 of ``Population.cops`` is the primary one).
MAX_COPS = 3
#: Planted parameters of the population (written into the ground truth).
POPULATION_PARAMETERS: dict[str, float] = {
    "second_cop_probability": 0.45,
    "third_cop_given_second_probability": 0.27,
    "activity_lognormal_sigma": 1.1,
    "joiner_share": 0.08,
    "leaver_share": 0.06,
    "no_consent_share": 0.05,
}


@dataclass(frozen=True, slots=True)
class Window:
    """The generated period ``[start, start + days)``."""

    start: datetime
    days: int

    @property
    def start_seconds(self) -> int:
        return int(self.start.timestamp())

    @property
    def start_weekday(self) -> int:
        return self.start.weekday()


@dataclass(slots=True)
class Population:
    """People as parallel arrays (index = person number) plus their roles per CoP.

    ``active_from``/``active_until`` bound, in days from the window start, when a person is a
    member of their communities (joiners start late, leavers stop early): every tie of theirs
    falls inside that span, so "shares a CoP" never depends on the tie's time.
    """

    window: Window
    cops: IntArray  # (n, MAX_COPS), -1 = none; column 0 = primary CoP
    cop_count: int
    silo: int
    active_from: IntArray
    active_until: IntArray
    joined_days_before: IntArray  # how long before the window start (or after, if < 0) they joined
    since_days_before: IntArray  # (n, MAX_COPS) per CoP membership, same convention
    activity: FloatArray
    stable: BoolArray  # member during the whole window
    consent: BoolArray
    org: IntArray
    region: IntArray
    brokers: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    broker_reach: list[tuple[int, ...]] = field(default_factory=list)
    roles: dict[tuple[int, int], str] = field(default_factory=dict)  # (person, cop) -> role
    moderators: dict[int, int] = field(default_factory=dict)  # cop -> person
    mentor_capacity: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    expertise: dict[int, tuple[str, ...]] = field(default_factory=dict)
    _members: dict[int, IntArray] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return self.window.days

    @property
    def size(self) -> int:
        return int(self.cops.shape[0])

    @property
    def cop_counts(self) -> IntArray:
        counts: IntArray = (self.cops >= 0).sum(axis=1).astype(np.int64)
        return counts

    def members(self, cop: int) -> IntArray:
        """Indices of the people who belong to CoP ``cop`` (cached)."""
        if cop not in self._members:
            self._members[cop] = np.flatnonzero((self.cops == cop).any(axis=1)).astype(np.int64)
        return self._members[cop]

    def share_cop(self, a: IntArray, b: IntArray) -> BoolArray:
        """Element-wise: do people ``a[i]`` and ``b[i]`` belong to a common CoP?"""
        left, right = self.cops[a], self.cops[b]
        shared = np.zeros(len(a), dtype=bool)
        for i in range(MAX_COPS):
            for j in range(MAX_COPS):
                shared |= (left[:, i] == right[:, j]) & (left[:, i] >= 0)
        return shared

    def non_silo_cops(self) -> list[int]:
        return [cop for cop in range(self.cop_count) if cop != self.silo]


def draw_population(
    rng: np.random.Generator, size: int, cop_count: int, window: Window
) -> Population:
    """Draw CoP memberships, tenure, activity, consent, organisation and region.

    Brokers (:func:`plant_brokers`) and roles (:func:`assign_roles`) are added afterwards.
    """
    silo = int(rng.integers(cop_count))
    popularity = _cop_popularity(rng, cop_count, silo, size)
    cops = _draw_cops(rng, size, popularity, silo)
    active_from, active_until, joined, stable = _draw_tenure(rng, size, window.days)
    since = _draw_membership_since(rng, cops, joined)
    sigma = POPULATION_PARAMETERS["activity_lognormal_sigma"]
    activity = rng.lognormal(0.0, sigma, size)
    consent = rng.random(size) >= POPULATION_PARAMETERS["no_consent_share"]
    org = rng.choice(3, size=size, p=[0.45, 0.35, 0.20]).astype(np.int64)
    region = rng.choice(2, size=size, p=[0.55, 0.45]).astype(np.int64)
    return Population(
        window=window,
        cops=cops,
        cop_count=cop_count,
        silo=silo,
        active_from=active_from,
        active_until=active_until,
        joined_days_before=joined,
        since_days_before=since,
        activity=activity,
        stable=stable,
        consent=consent,
        org=org,
        region=region,
        mentor_capacity=np.zeros(size, np.int64),
    )


def _cop_popularity(rng: np.random.Generator, cop_count: int, silo: int, size: int) -> FloatArray:
    """Share of people whose primary CoP is each CoP; the silo is a small, closed group
    (at least ~15 people in small worlds)."""
    popularity = rng.dirichlet(np.full(cop_count, 4.0))
    silo_share = max(0.6 / cop_count, min(0.12, 15 / size))
    popularity[silo] = 0.0
    popularity *= (1.0 - silo_share) / popularity.sum()
    popularity[silo] = silo_share
    return popularity


def _draw_cops(rng: np.random.Generator, size: int, popularity: FloatArray, silo: int) -> IntArray:
    """Primary CoP by popularity; 1–3 CoPs a person; the silo's members have no other CoP."""
    cop_count = len(popularity)
    cops = np.full((size, MAX_COPS), -1, dtype=np.int64)
    cops[:, 0] = rng.choice(cop_count, size=size, p=popularity)
    open_popularity = popularity.copy()
    open_popularity[silo] = 0.0
    open_popularity /= open_popularity.sum()
    second = rng.random(size) < POPULATION_PARAMETERS["second_cop_probability"]
    third = second & (
        rng.random(size) < POPULATION_PARAMETERS["third_cop_given_second_probability"]
    )
    wants = [second & (cops[:, 0] != silo), third & (cops[:, 0] != silo)]
    for column, wanted in enumerate(wants, start=1):
        rows = np.flatnonzero(wanted)
        while len(rows):
            draw = rng.choice(cop_count, size=len(rows), p=open_popularity)
            clash = (cops[rows, :column] == draw[:, None]).any(axis=1)
            cops[rows[~clash], column] = draw[~clash]
            rows = rows[clash]
    return cops


def _draw_tenure(
    rng: np.random.Generator, size: int, days: int
) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """Joiners arrive during the window, leavers go; the rest are members throughout."""
    kind = rng.random(size)
    joiner = kind < POPULATION_PARAMETERS["joiner_share"]
    leaver = ~joiner & (
        kind < POPULATION_PARAMETERS["joiner_share"] + POPULATION_PARAMETERS["leaver_share"]
    )
    active_from = np.zeros(size, dtype=np.int64)
    active_until = np.full(size, days, dtype=np.int64)
    if days >= 3:
        active_from[joiner] = rng.integers(1, max(2, int(days * 0.6)), size=int(joiner.sum()))
        active_until[leaver] = rng.integers(max(1, int(days * 0.4)), days, size=int(leaver.sum()))
    else:
        joiner[:] = False
        leaver[:] = False
    joined = rng.integers(30, 6 * 365, size=size).astype(np.int64)
    joined[joiner] = -active_from[joiner]
    return active_from, active_until, joined, ~(joiner | leaver)


def _draw_membership_since(rng: np.random.Generator, cops: IntArray, joined: IntArray) -> IntArray:
    """Days before the window start each CoP membership began (never before joining)."""
    fraction = rng.random(cops.shape)
    since = np.floor(joined[:, None] * np.where(np.arange(MAX_COPS) == 0, 1.0, fraction))
    since = since.astype(np.int64)
    late = joined < 0
    since[late] = joined[late, None]
    return np.where(cops >= 0, since, 0)


def plant_brokers(rng: np.random.Generator, population: Population, count: int) -> None:
    """Pick ``count`` single-CoP people, make them very active, give each 3–4 CoPs to reach.

    A broker belongs to one home CoP only; their planted ties go to members of other CoPs,
    so under the shared-any rule (METRICS.md §0 M1) every such tie is cross-community.
    """
    open_cops = population.non_silo_cops()
    eligible = (population.cop_counts == 1) & population.stable
    chosen: list[int] = []
    reach: list[tuple[int, ...]] = []
    for _ in range(count):
        eligible[chosen] = False
        homes = [c for c in open_cops if (eligible & (population.cops[:, 0] == c)).any()]
        fresh = [c for c in homes if c not in population.cops[chosen, 0].tolist()]
        home = int(rng.choice(fresh or homes))
        pool = np.flatnonzero(eligible & (population.cops[:, 0] == home))
        weights = population.activity[pool]
        chosen.append(int(rng.choice(pool, p=weights / weights.sum())))
        outside_home = population.stable & ~(population.cops == home).any(axis=1)
        others = [
            cop
            for cop in open_cops
            if cop != home and (outside_home & (population.cops == cop).any(axis=1)).any()
        ]
        width = min(len(others), int(rng.integers(3, 5)))
        reach.append(tuple(sorted(int(c) for c in rng.choice(others, size=width, replace=False))))
    brokers = np.array(chosen, dtype=np.int64)
    population.activity[brokers] = np.quantile(population.activity, 0.97)
    population.consent[brokers] = True
    population.brokers = brokers
    population.broker_reach = reach


def assign_roles(
    rng: np.random.Generator, population: Population, profiles: list[CopProfile]
) -> None:
    """One moderator per CoP, then champions, experts and mentors (capacity 1–3)."""
    taken = np.zeros(population.size, dtype=bool)
    taken[population.brokers] = True
    for cop, profile in enumerate(profiles):
        members = population.members(cop)
        size = len(members)
        wanted = {
            "moderator": 1,
            "champion": max(1, round(size / 80)),
            "expert": max(1, round(size / 40)),
            "mentor": max(2, round(size / 30)),
        }
        for role, count in wanted.items():
            eligible = members[
                population.stable[members] & population.consent[members] & ~taken[members]
            ]
            count = min(count, len(eligible))
            if count == 0:
                continue
            weights = population.activity[eligible]
            picked = rng.choice(eligible, size=count, replace=False, p=weights / weights.sum())
            taken[picked] = True
            for person in picked.tolist():
                population.roles[(person, cop)] = role
                _give_role_attributes(rng, population, person, role, profile)
            if role == "moderator":
                population.moderators[cop] = int(picked[0])


def _give_role_attributes(
    rng: np.random.Generator,
    population: Population,
    person: int,
    role: str,
    profile: CopProfile,
) -> None:
    if role == "mentor":
        population.mentor_capacity[person] = int(rng.integers(1, 4))
    if role in ("mentor", "expert"):
        width = min(len(profile.topics), int(rng.integers(2, 4)))
        picked = rng.choice(len(profile.topics), size=width, replace=False)
        population.expertise[person] = tuple(profile.topics[i] for i in sorted(picked.tolist()))
