"""Interactions of the demo world as columns: the background of everyday ties.

A :class:`TieTable` holds interactions as parallel numpy arrays (times in seconds from the
window start); :func:`make_ties` turns chosen (source, target) pairs into dated, typed,
topical rows that respect both people's membership spans, and :func:`background_ties`
draws the heavy-tailed everyday traffic: mostly inside a shared CoP, a little across.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from graphsvc.demo_catalogue import CopProfile
from graphsvc.demo_population import BoolArray, FloatArray, IntArray, Population
from graphsvc.model import InteractionKind

DAY = 86_400
KINDS: tuple[InteractionKind, ...] = tuple(InteractionKind)
SYSTEMS: tuple[str, ...] = (
    "chat",
    "email",
    "forum",
    "wiki",
    "project-tracker",
    "git",
    "crm",
    "calendar",
    "mentoring-programme",
)
_SYSTEMS_BY_KIND: dict[InteractionKind, tuple[str, ...]] = {
    InteractionKind.COMMUNICATION: ("chat", "email"),
    InteractionKind.KNOWLEDGE_EXCHANGE: ("forum", "wiki"),
    InteractionKind.COLLABORATION: ("project-tracker", "git", "crm"),
    InteractionKind.CO_ATTENDANCE: ("calendar",),
    InteractionKind.MENTORING: ("mentoring-programme",),
    InteractionKind.OTHER: ("crm",),
}
#: Kind mix of everyday ties (mentoring only comes from the mentoring programme).
BACKGROUND_KIND_SHARES: dict[InteractionKind, float] = {
    InteractionKind.COMMUNICATION: 0.38,
    InteractionKind.KNOWLEDGE_EXCHANGE: 0.27,
    InteractionKind.COLLABORATION: 0.20,
    InteractionKind.CO_ATTENDANCE: 0.07,
    InteractionKind.OTHER: 0.08,
}
#: Probability that an everyday tie leaves the CoPs of its source (silo members: far less).
CROSS_PROBABILITY = 0.02
SILO_CROSS_PROBABILITY = 0.004
UNTOPICAL_COMMUNICATION_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class TieTable:
    """Interactions as columns; ``community``/``topic`` are -1 when absent."""

    source: IntArray
    target: IntArray
    at: IntArray  # seconds from the window start
    kind: IntArray  # index into KINDS
    community: IntArray  # CoP index where it happened
    topic: IntArray  # index into TopicIndex.topics
    weight: FloatArray
    system: IntArray  # index into SYSTEMS

    def __len__(self) -> int:
        return int(len(self.source))

    @staticmethod
    def concat(tables: list[TieTable]) -> TieTable:
        columns = {
            f.name: np.concatenate([getattr(t, f.name) for t in tables]) for f in fields(TieTable)
        }
        return TieTable(**columns)


@dataclass(frozen=True, slots=True)
class TopicIndex:
    """All topics (sorted) and each CoP's topics as a padded index matrix."""

    topics: tuple[str, ...]
    by_cop: IntArray  # (cops, max topics), padded with -1
    lengths: IntArray

    @staticmethod
    def build(profiles: list[CopProfile]) -> TopicIndex:
        topics = tuple(sorted({t for p in profiles for t in p.topics}))
        position = {t: i for i, t in enumerate(topics)}
        width = max(len(p.topics) for p in profiles)
        by_cop = np.full((len(profiles), width), -1, dtype=np.int64)
        for row, profile in enumerate(profiles):
            by_cop[row, : len(profile.topics)] = [position[t] for t in profile.topics]
        lengths = np.array([len(p.topics) for p in profiles], dtype=np.int64)
        return TopicIndex(topics, by_cop, lengths)

    def draw(self, rng: np.random.Generator, cops: IntArray) -> IntArray:
        """One topic of each given CoP, uniformly."""
        column = np.floor(rng.random(len(cops)) * self.lengths[cops]).astype(np.int64)
        return self.by_cop[cops, column]


def kind_codes(
    rng: np.random.Generator, count: int, shares: dict[InteractionKind, float]
) -> IntArray:
    """``count`` kind indices drawn with the given shares."""
    codes = np.array([KINDS.index(kind) for kind in shares], dtype=np.int64)
    weights = np.array(list(shares.values()), dtype=float)
    return codes[rng.choice(len(codes), size=count, p=weights / weights.sum())]


def draw_times(
    rng: np.random.Generator, lo_day: IntArray, hi_day: IntArray, start_weekday: int
) -> IntArray:
    """Working-hours moments in ``[lo_day, hi_day)`` (days from the window start), as seconds.

    Most weekend moments move to the nearest weekday inside the span, so the data show the
    weekly rhythm of real working life.
    """
    span = hi_day - lo_day
    day = lo_day + np.floor(rng.random(len(span)) * span).astype(np.int64)
    weekday = (day + start_weekday) % 7
    move = (weekday >= 5) & (rng.random(len(day)) < 0.85)
    back = day - (weekday - 4)
    forward = day + (7 - weekday)
    day = np.where(move & (back >= lo_day), back, day)
    day = np.where(move & (back < lo_day) & (forward < hi_day), forward, day)
    hours = np.clip(rng.normal(13.0, 2.5, len(day)), 7.0, 20.5)
    return day * DAY + (hours * 3600).astype(np.int64)


def make_ties(
    rng: np.random.Generator,
    population: Population,
    topics: TopicIndex,
    pairs: tuple[IntArray, IntArray],
    kind: IntArray,
    *,
    days: tuple[IntArray, IntArray],
    community: IntArray,
    topic_cop: IntArray,
) -> TieTable:
    """Date, weigh and label (source, target) pairs; drop those whose people never overlap.

    ``days`` bounds each tie to ``[lo, hi)`` days; it is further narrowed to the span in
    which both people are members.
    """
    source, target = pairs
    lo = np.maximum.reduce(
        [days[0], population.active_from[source], population.active_from[target]]
    )
    hi = np.minimum.reduce(
        [days[1], population.active_until[source], population.active_until[target]]
    )
    keep = (hi > lo) & (source != target)
    source, target, kind = source[keep], target[keep], kind[keep]
    community, topic_cop = community[keep], topic_cop[keep]
    at = draw_times(rng, lo[keep], hi[keep], population.window.start_weekday)
    return decorate(rng, topics, source, target, at, kind, community, topic_cop)


def decorate(
    rng: np.random.Generator,
    topics: TopicIndex,
    source: IntArray,
    target: IntArray,
    at: IntArray,
    kind: IntArray,
    community: IntArray,
    topic_cop: IntArray,
) -> TieTable:
    """Add topic, weight and source system to dated ties."""
    topic = topics.draw(rng, topic_cop)
    communication = kind == KINDS.index(InteractionKind.COMMUNICATION)
    topic[communication & (rng.random(len(kind)) < UNTOPICAL_COMMUNICATION_SHARE)] = -1
    weight = np.ones(len(kind))
    collaboration = kind == KINDS.index(InteractionKind.COLLABORATION)
    hours = np.round(np.maximum(0.5, rng.lognormal(0.4, 0.6, len(kind))), 1)
    weight[collaboration] = hours[collaboration]
    system = np.zeros(len(kind), dtype=np.int64)
    pick = rng.random(len(kind))
    for code, value in enumerate(KINDS):
        names = _SYSTEMS_BY_KIND[value]
        rows = kind == code
        chosen = np.floor(pick[rows] * len(names)).astype(np.int64)
        system[rows] = np.array([SYSTEMS.index(n) for n in names])[chosen]
    return TieTable(source, target, at, kind, community, topic, weight, system)


def background_ties(
    rng: np.random.Generator, population: Population, topics: TopicIndex, count: int
) -> TieTable:
    """``count`` everyday ties (a few are lost to self-pairs or non-overlapping tenures).

    Sources are drawn in proportion to a lognormal activity (heavy-tailed degrees); an
    internal tie picks one of the source's CoPs and a co-member (again by activity); a cross
    tie picks someone outside every CoP of the source, never from the silo. Brokers keep their
    everyday ties inside their home CoP (their crossing ties are planted separately).
    """
    span = (population.active_until - population.active_from) / max(1, population.days)
    weights = population.activity * span
    source = rng.choice(population.size, size=count, p=weights / weights.sum())
    in_silo = population.cops[:, 0] == population.silo
    cross_probability = np.where(in_silo, SILO_CROSS_PROBABILITY, CROSS_PROBABILITY)
    cross_probability[population.brokers] = 0.0
    cross = rng.random(count) < cross_probability[source]
    context = _context_cop(rng, population, source)
    target = np.where(cross, -1, _co_members(rng, population, context, source))
    target[cross] = cross_targets(rng, population, source[cross])
    keep = target >= 0
    source, target, context, cross = source[keep], target[keep], context[keep], cross[keep]
    kind = kind_codes(rng, len(source), BACKGROUND_KIND_SHARES)
    everything = (np.zeros(len(source), np.int64), np.full(len(source), population.days))
    community = np.where(cross, -1, context)
    return make_ties(
        rng,
        population,
        topics,
        (source, target),
        kind,
        days=everything,
        community=community,
        topic_cop=context,
    )


def _context_cop(rng: np.random.Generator, population: Population, source: IntArray) -> IntArray:
    """The CoP a tie happens in: the primary CoP 60% of the time, else another of theirs."""
    held = population.cop_counts[source]
    other = 1 + np.floor(rng.random(len(source)) * np.maximum(held - 1, 1)).astype(np.int64)
    column = np.where((held > 1) & (rng.random(len(source)) >= 0.6), other, 0)
    return population.cops[source, column]


def _co_members(
    rng: np.random.Generator, population: Population, context: IntArray, source: IntArray
) -> IntArray:
    """A member of each tie's context CoP, by activity, never the source (else -1)."""
    target = np.full(len(source), -1, dtype=np.int64)
    for cop in range(population.cop_count):
        rows = np.flatnonzero(context == cop)
        members = population.members(cop)
        if len(rows) == 0 or len(members) < 2:
            continue
        target[rows] = _weighted_pick(rng, members, population.activity[members], len(rows))
    for _ in range(5):
        again = np.flatnonzero(target == source)
        for cop in np.unique(context[again]).tolist():
            rows = again[context[again] == cop]
            members = population.members(cop)
            target[rows] = _weighted_pick(rng, members, population.activity[members], len(rows))
    target[target == source] = -1
    return target


def _weighted_pick(
    rng: np.random.Generator, items: IntArray, weights: FloatArray, count: int
) -> IntArray:
    cumulative = np.cumsum(weights)
    position = np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")
    picked: IntArray = items[np.minimum(position, len(items) - 1)]
    return picked


def cross_targets(
    rng: np.random.Generator, population: Population, source: IntArray, attempts: int = 10
) -> IntArray:
    """For each source, someone sharing no CoP with them and not in the silo (else -1)."""
    open_people = np.flatnonzero(population.cops[:, 0] != population.silo).astype(np.int64)
    target = np.full(len(source), -1, dtype=np.int64)
    pending = np.arange(len(source))
    weights = population.activity[open_people]
    for _ in range(attempts):
        if len(pending) == 0:
            break
        draw = _weighted_pick(rng, open_people, weights, len(pending))
        bad: BoolArray = population.share_cop(source[pending], draw) | (draw == source[pending])
        target[pending[~bad]] = draw[~bad]
        pending = pending[bad]
    return target
