"""The ``GraphStore`` protocol (DESIGN.md §4) and :func:`open_store`.

A store speaks the domain: batch upserts of the six entities, lookups, memberships as of
a moment, interactions as columns, ego networks, erasure, import-run and cursor records,
recommendation feedback. Its methods never take Cypher or SQL. Two implementations:
:mod:`graphsvc.stores.sqlite` (default) and :mod:`graphsvc.stores.neo4j`.

Contract shared by both (checked by ``tests/test_store_contract.py``):

* ``upsert_*`` write one batch in one transaction; a row with an unknown reference
  raises :class:`~graphsvc.errors.UnknownReference` and the batch writes nothing.
  Upserts are idempotent: the same rows again change no counts and no values.
  Upsert keys: ``id`` (people, communities, interactions, activities),
  ``(person_id, community_id, role)`` (memberships), ``(activity_id, person_id)``
  (participations). An upsert replaces every field of the record.
* references checked: membership → person, community; interaction → source, target,
  community (if set); activity → community (if set); participation → activity, person;
  community → parent (if set; may arrive in the same batch).
* windows are half-open ``[start, end)``; ``None`` means unbounded.
* ``list_*`` iterate every record ordered by its key (used by export).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from graphsvc.config import Settings, redact_uri
from graphsvc.errors import ConfigError
from graphsvc.model import (
    Activity,
    Community,
    Feedback,
    ImportRun,
    Interaction,
    InteractionArrays,
    InteractionKind,
    Membership,
    Participation,
    Person,
)


@dataclass(frozen=True, slots=True)
class CommunitySummary:
    """A community with the number of distinct people who are members now or were."""

    community: Community
    member_count: int


@dataclass(frozen=True, slots=True)
class EgoNetwork:
    """People within ``hops`` of ``center`` over the window's interactions (any direction).

    ``distance`` maps person id → hops from the centre (centre = 0); ``interactions``
    are every interaction in the window between two people of the ego network.
    """

    center: str
    people: tuple[Person, ...]
    distance: dict[str, int] = field(hash=False)
    interactions: tuple[Interaction, ...] = ()


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """Counts of the records :meth:`GraphStore.delete_person` removed."""

    people: int = 0
    memberships: int = 0
    interactions: int = 0
    participations: int = 0
    feedback: int = 0

    def total(self) -> int:
        return (
            self.people + self.memberships + self.interactions + self.participations + self.feedback
        )


@runtime_checkable
class GraphStore(Protocol):
    """What every backend offers; see the module docstring for the shared contract."""

    #: the store's location with any password redacted (safe to print)
    location: str

    def write_workers_for(self, entity: str) -> int:
        """Batches of ``entity`` (a ``upsert_<entity>`` name) worth keeping in flight at once.

        At least 1; 1 where concurrent batches would only contend for the same locks (e.g.
        memberships, which all touch the few community nodes) or the store has one writer.
        Used by :mod:`graphsvc.batching`.
        """
        ...

    # -- batch upserts (one transaction each; return the number of rows given) --
    def upsert_people(self, rows: Sequence[Person]) -> int: ...
    def upsert_communities(self, rows: Sequence[Community]) -> int: ...
    def upsert_memberships(self, rows: Sequence[Membership]) -> int: ...
    def upsert_interactions(self, rows: Sequence[Interaction]) -> int: ...
    def upsert_activities(self, rows: Sequence[Activity]) -> int: ...
    def upsert_participations(self, rows: Sequence[Participation]) -> int: ...

    # -- lookups --
    def get_person(self, person_id: str) -> Person | None: ...
    def search_people(
        self, *, text: str | None = None, topic: str | None = None, limit: int = 50
    ) -> list[Person]:
        """People whose id equals ``text`` or whose name contains it (case-insensitive),
        and/or who list ``topic`` among topics or expertise (case-insensitive); by name, id."""
        ...

    def communities(self, kind: str | None = None) -> list[CommunitySummary]: ...
    def memberships(
        self, as_of: datetime | None = None, kind: str | None = None
    ) -> list[Membership]:
        """Memberships active at ``as_of`` (all when None), of communities of ``kind``."""
        ...

    def interactions(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        kinds: Iterable[InteractionKind | str] | None = None,
    ) -> InteractionArrays: ...
    def ego_network(
        self,
        person_id: str,
        hops: int = 1,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> EgoNetwork:
        """Raises :class:`~graphsvc.errors.NotFound` for an unknown person."""
        ...

    # -- whole-store iteration, ordered by key (export) --
    def list_people(self) -> Iterator[Person]: ...
    def list_communities(self) -> Iterator[Community]: ...
    def list_memberships(self) -> Iterator[Membership]: ...
    def list_interactions(self) -> Iterator[Interaction]: ...
    def list_activities(self) -> Iterator[Activity]: ...
    def list_participations(self) -> Iterator[Participation]: ...

    # -- erasure --
    def delete_person(self, person_id: str) -> ErasureReport:
        """Erase the person and every membership, interaction, participation and feedback
        naming them; an unknown id returns an all-zero report."""
        ...

    # -- records --
    def record_import_run(self, run: ImportRun) -> None: ...
    def get_import_run(self, run_id: str) -> ImportRun | None: ...
    def import_runs(self, limit: int = 20) -> list[ImportRun]:
        """Most recent first (by started_at, then id)."""
        ...

    def get_cursor(self, source: str) -> str | None: ...
    def set_cursor(self, source: str, value: str) -> None: ...
    def add_feedback(self, rows: Sequence[Feedback]) -> int:
        """Upsert by id; person and suggested person must exist (UnknownReference)."""
        ...

    def feedback(self, person_id: str | None = None) -> list[Feedback]:
        """Feedback given by ``person_id`` (all when None), ordered by id."""
        ...

    # -- summary and lifecycle --
    def counts(self) -> dict[str, int]:
        """Rows per entity: people, communities, memberships, interactions, activities,
        participations, import_runs, feedback."""
        ...

    def clear(self) -> None:
        """Delete every record (schema stays)."""
        ...

    def close(self) -> None: ...


COUNT_KEYS = (
    "people",
    "communities",
    "memberships",
    "interactions",
    "activities",
    "participations",
    "import_runs",
    "feedback",
)


def open_store(settings: Settings) -> GraphStore:
    """Open (creating or migrating the schema) the store ``settings.store`` names."""
    scheme = urlsplit(settings.store).scheme.lower()
    if scheme == "sqlite":
        from graphsvc.stores.sqlite import SQLiteStore

        return SQLiteStore.from_uri(settings.store)
    if scheme in {"neo4j", "bolt", "neo4j+s", "bolt+s", "neo4j+ssc", "bolt+ssc"}:
        from graphsvc.stores.neo4j import Neo4jStore

        return Neo4jStore.from_settings(settings)
    raise ConfigError(
        f"GRAPHSVC_STORE: unknown store {redact_uri(settings.store)!r}; "
        "use sqlite:///path/graph.db or bolt://host:7687"
    )
