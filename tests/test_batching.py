"""Concurrent batch writing against both real stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.batching import BatchWriter, write_all
from graphsvc.errors import UnknownReference
from graphsvc.model import Interaction, Person
from graphsvc.store import GraphStore

T0 = datetime(2024, 3, 1, tzinfo=UTC)
PEOPLE = [Person(f"p{i:03d}", f"Person {i}") for i in range(60)]


def ring(count: int, prefix: str = "i") -> list[Interaction]:
    return [
        Interaction(
            f"{prefix}{k:04d}",
            "collaboration",
            f"p{k % 60:03d}",
            f"p{(k + 1) % 60:03d}",
            T0 + timedelta(minutes=k),
        )
        for k in range(count)
    ]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_batches_in_flight_write_everything_once(store: GraphStore, workers: int) -> None:
    write_all(store, "people", PEOPLE, batch_size=7)
    with BatchWriter[int](store, workers=workers) as writer:
        outcomes = []
        rows = ring(250)
        for start in range(0, len(rows), 20):
            outcomes += writer.submit("interactions", rows[start : start + 20], start)
        outcomes += writer.drain()
    assert [outcome.tag for outcome in outcomes] == list(range(0, 250, 20))
    assert all(outcome.error is None for outcome in outcomes)
    assert sum(outcome.size for outcome in outcomes) == 250
    assert sum(outcome.written.inserted for outcome in outcomes if outcome.written) == 250
    assert store.counts()["interactions"] == 250
    assert [i.id for i in store.list_interactions()] == [i.id for i in rows]


def test_a_refused_batch_is_reported_and_only_it_is_missing(store: GraphStore) -> None:
    write_all(store, "people", PEOPLE, batch_size=50)
    rows = ring(100)
    bad = Interaction("bad", "collaboration", "p001", "ghost", T0)
    batches = [rows[:40], [*rows[40:60], bad], rows[60:]]
    with BatchWriter[str](store, workers=2) as writer:
        outcomes = []
        for name, batch in zip(("first", "second", "third"), batches, strict=True):
            outcomes += writer.submit("interactions", batch, name)
        outcomes += writer.drain()
    errors = {outcome.tag: outcome.error for outcome in outcomes}
    assert errors["first"] is None and errors["third"] is None
    assert isinstance(errors["second"], UnknownReference)
    assert store.counts()["interactions"] == 80


def test_write_all_raises_the_first_error_after_draining(store: GraphStore) -> None:
    write_all(store, "people", PEOPLE, batch_size=50)
    rows = [*ring(30), Interaction("bad", "collaboration", "ghost", "p001", T0)]
    progress: list[int] = []
    with pytest.raises(UnknownReference, match="ghost"):
        write_all(store, "interactions", rows, batch_size=10, on_progress=progress.append)
    assert store.counts()["interactions"] == 30
    assert progress == [10, 20, 30]


def test_every_entity_has_a_positive_in_flight_limit(store: GraphStore) -> None:
    from graphsvc.model import ENTITIES

    limits = {entity: store.write_workers_for(entity) for entity in ENTITIES}
    assert all(limit >= 1 for limit in limits.values())
    # memberships all lock the same few community nodes: never concurrent
    assert limits["memberships"] == 1
