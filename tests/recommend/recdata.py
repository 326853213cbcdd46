"""Histories for the recommender tests: tiny hand-made ones, email-Eu-core, Lazega, demo.

* :func:`history_of` — ``(u, v, day)`` rows (collaboration, weight 1) plus optional groups,
  topics and consent, for hand-made cases;
* :func:`email_history` — the temporal email-Eu-core release, departments as boundary
  groups (joined through the derived node map, never by raw id), times as seconds;
* :func:`lazega_history` — the Lazega firm as a staged history (see its docstring);
* :func:`demo_history` — a :func:`graphsvc.demo.generate` world.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from datasets import email_eu_core, email_eu_core_events, lazega

from graphsvc.demo import DemoWorld
from graphsvc.model import (
    DIRECTED_BY_DEFAULT,
    CommunityKind,
    Interaction,
    InteractionArrays,
    InteractionKind,
    Membership,
    Person,
)
from recommend.history import TieHistory

DAY = 86_400
KINDS = tuple(kind.value for kind in InteractionKind)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def arrays(
    person_ids: Sequence[str],
    source: np.ndarray,
    target: np.ndarray,
    at: np.ndarray,
    kind: np.ndarray | str = "collaboration",
    topic: np.ndarray | None = None,
    topics: Sequence[str] = (),
) -> InteractionArrays:
    """Interaction columns over ``person_ids`` (sorted) with rows sorted by time."""
    count = len(source)
    codes = (
        np.full(count, KINDS.index(kind), dtype=np.int8)
        if isinstance(kind, str)
        else np.asarray(kind, dtype=np.int8)
    )
    order = np.argsort(np.asarray(at), kind="stable")
    return InteractionArrays(
        person_ids=tuple(person_ids),
        source=np.asarray(source, dtype=np.int32)[order],
        target=np.asarray(target, dtype=np.int32)[order],
        at=np.asarray(at, dtype=np.int64)[order],
        weight=np.ones(count),
        directed=np.array([InteractionKind(KINDS[c]) in DIRECTED_BY_DEFAULT for c in codes])[order],
        kind=codes[order],
        community=np.full(count, -1, dtype=np.int32),
        topic=(np.full(count, -1, np.int32) if topic is None else np.asarray(topic, np.int32))[
            order
        ],
        topics=tuple(topics),
    )


def history_of(
    rows: Iterable[tuple[str, str, float]],
    groups: Mapping[str, Sequence[str]] | None = None,
    topics: Mapping[str, Sequence[str]] | None = None,
    consent: Mapping[str, bool] | None = None,
    people: Sequence[str] = (),
    **options: object,
) -> TieHistory:
    """A history of collaborations ``(u, v, day)``; ``groups`` maps person → group ids."""
    rows = list(rows)
    names = sorted({p for u, v, _ in rows for p in (u, v)} | set(people))
    index = {p: i for i, p in enumerate(names)}
    columns = arrays(
        names,
        np.array([index[u] for u, _, _ in rows], dtype=np.int64),
        np.array([index[v] for _, v, _ in rows], dtype=np.int64),
        np.array([round(day * DAY) for _, _, day in rows], dtype=np.int64),
    )
    members = [Membership(p, g) for p, gs in (groups or {}).items() for g in gs]
    records = [
        Person(p, p, topics=tuple((topics or {}).get(p, ())), consent=(consent or {}).get(p, True))
        for p in names
    ]
    return TieHistory.build(columns, members, records, **options)  # type: ignore[arg-type]


def email_history() -> TieHistory:
    """email-Eu-core: 1,005 people, 332,334 e-mails (communication), 42 departments."""
    static = email_eu_core()
    source, target, seconds = email_eu_core_events()
    names = [f"{i:04d}" for i in range(static.n)]  # zero-padded: sorted order = static id
    columns = arrays(names, source, target, seconds, kind="communication")
    department = static.labels.primary
    members = [Membership(names[i], f"dept-{int(g):02d}") for i, g in enumerate(department)]
    kinds = {f"dept-{g:02d}": CommunityKind.DEPARTMENT for g in range(static.labels.n_groups)}
    return TieHistory.build(
        columns, members, [Person(p, p) for p in names], kinds, boundary="department"
    )


#: the staged Lazega history: advice and co-work at day 0, a seeded half of the friendships
#: at day 100 (the model's training labels), the other half at day 300 (the test);
#: evaluate with split_at = day 200
LAZEGA_DAYS = {"observed": 0, "train": 100, "test": 300}
LAZEGA_SPLIT_DAY = 200


def lazega_history(seed: int = 0, groups: str = "office") -> TieHistory:
    """Lazega's firm staged in time so that friendship is predicted from advice and
    co-work (see :data:`LAZEGA_DAYS`).

    Friendship pairs (undirected, either nomination) are shuffled with ``seed`` and cut in
    halves. Advice is knowledge exchange, co-work collaboration, friendship ``other``; a
    held-out friendship between two people already tied by advice or co-work is not a new
    tie, so the task is to find friends among pairs not yet linked.
    """
    advice, cowork, friends = (
        lazega("advice", groups),
        lazega("cowork", groups),
        lazega("friendship", groups),
    )
    pairs = np.unique(np.sort(np.column_stack([friends.source, friends.target]), axis=1), axis=0)
    order = np.random.default_rng(seed).permutation(len(pairs))
    pairs = pairs[order]
    day = np.full(len(pairs), float(LAZEGA_DAYS["train"]))
    day[len(pairs) // 2 :] = LAZEGA_DAYS["test"]
    source = np.concatenate([advice.source, cowork.source, pairs[:, 0]])
    target = np.concatenate([advice.target, cowork.target, pairs[:, 1]])
    at = np.concatenate([np.zeros(len(advice.source) + len(cowork.source)), day]) * DAY
    kind = np.concatenate([
        np.full(len(advice.source), KINDS.index("knowledge_exchange")),
        np.full(len(cowork.source), KINDS.index("collaboration")),
        np.full(len(pairs), KINDS.index("other")),
    ])  # fmt: skip
    names = [f"L{i + 1:02d}" for i in range(advice.n)]
    columns = arrays(names, source, target, at, kind=kind)
    labels = advice.labels
    members = [Membership(names[i], f"{groups}-{labels.groups[g]}") for i, g in
               enumerate(labels.primary.tolist())]  # fmt: skip
    return TieHistory.build(columns, members, [Person(p, p) for p in names])


def interaction_columns(interactions: Sequence[Interaction]) -> InteractionArrays:
    """Model interactions as the store's columns (rows sorted by time)."""
    names = sorted({p for i in interactions for p in (i.source_id, i.target_id)})
    index = {p: k for k, p in enumerate(names)}
    topics = sorted({i.topic for i in interactions if i.topic})
    topic_index = {t: k for k, t in enumerate(topics)}
    count = len(interactions)
    seconds = np.fromiter(
        ((i.at - EPOCH) // timedelta(seconds=1) for i in interactions), np.int64, count
    )
    columns = arrays(
        names,
        np.fromiter((index[i.source_id] for i in interactions), np.int64, count),
        np.fromiter((index[i.target_id] for i in interactions), np.int64, count),
        seconds,
        kind=np.fromiter((KINDS.index(i.kind.value) for i in interactions), np.int8, count),
        topic=np.fromiter(
            (topic_index.get(i.topic or "", -1) for i in interactions), np.int32, count
        ),  # fmt: skip
        topics=topics,
    )
    weight = np.fromiter((i.weight for i in interactions), np.float64, count)
    order = np.argsort(seconds, kind="stable")
    return dataclasses.replace(columns, weight=weight[order])


def demo_history(world: DemoWorld, boundary: str = "cop") -> TieHistory:
    """A generated world's interactions, memberships, people and community kinds."""
    return TieHistory.build(
        interaction_columns(world.interactions),
        world.memberships,
        world.people,
        world.communities,
        boundary=boundary,
    )


def closure_history(
    n: int = 60, days: int = 200, seed: int = 0, opted_out: float = 0.0
) -> TieHistory:
    """A small world that grows by triadic closure: a random start graph, then each day a
    random person meets a friend of a random friend (most days; so a pair with more common
    neighbours meets sooner) or a stranger; ``opted_out`` of the people have
    ``consent=False``."""
    rng = np.random.default_rng(seed)
    people = [f"p{i:03d}" for i in range(n)]
    tied: set[tuple[int, int]] = set()
    rows: list[tuple[str, str, float]] = []

    def meet(u: int, v: int, day: float) -> None:
        tied.add((min(u, v), max(u, v)))
        rows.append((people[u], people[v], day))

    for _ in range(2 * n):
        u, v = rng.choice(n, 2, replace=False)
        meet(int(u), int(v), float(rng.uniform(0, 10)))
    for day in range(10, days):
        for _ in range(2):
            u = int(rng.integers(n))
            friends = sorted(b if a == u else a for a, b in tied if u in (a, b))
            v = int(rng.integers(n))
            if friends and rng.random() < 0.9:
                f = friends[int(rng.integers(len(friends)))]
                theirs = sorted({b if a == f else a for a, b in tied if f in (a, b)} - {u})
                v = theirs[int(rng.integers(len(theirs)))] if theirs else v
            if v != u:
                meet(u, v, day + float(rng.random()))
        a, b = sorted(tied)[int(rng.integers(len(tied)))]  # an old tie, used again
        rows.append((people[a], people[b], day + 0.5))
    consent = {p: bool(rng.random() >= opted_out) for p in people}
    return history_of(rows, consent=consent, people=people)
