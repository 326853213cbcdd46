"""The ``GraphStore`` protocol (DESIGN.md §4) and :func:`open_store`.

A store speaks the domain: batch upserts of the six entities, lookups, memberships as of
a moment, interactions as columns, ego networks, erasure, import-run and cursor records,
recommendation feedback. Its methods never take Cypher or SQL. Two implementations:
:mod:`graphsvc.stores.sqlite` (default) and :mod:`graphsvc.stores.neo4j`.

Contract shared by both (checked by ``tests/test_store_contract.py``):

* ``upsert_*`` write one batch in one transaction; a row with an unknown reference
  raises :class:`~graphsvc.errors.UnknownReference` and the batch writes nothing.
  Upserts are idempotent: the same rows again change no counts and no values. Each
  returns :class:`WriteCounts`: rows inserted, updated (some field differed) and
  unchanged (already stored exactly so: not written again). Of several rows with one key
  in a batch the last wins and the earlier ones count as updated or unchanged.
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

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from graphsvc.config import Settings, redact_uri
from graphsvc.errors import ConfigError
from graphsvc.identity import Alias, AttributeConflict
from graphsvc.model import (
    Activity,
    Community,
    Feedback,
    ImportRun,
    Interaction,
    InteractionArrays,
    InteractionKind,
    Membership,
    MetricValue,
    Objective,
    Participation,
    Person,
    Story,
)


@dataclass(frozen=True, slots=True)
class MetricQuery:
    """Filters of :meth:`GraphStore.metric_values` (None = any); ``start``/``end`` keep the
    periods with ``start ≤ period_start`` and ``period_end ≤ end``."""

    scope_kind: str | None = None
    scope_id: str | None = None
    indicator: str | None = None
    definition: str | None = None
    parameters_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """What one upsert did to its rows: ``inserted + updated + unchanged == len(rows)``."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def classify(
    keys: Sequence[object], existing: dict[Any, object], fresh: Sequence[object]
) -> tuple[WriteCounts, list[int]]:
    """Classify a batch against what is stored; returns the counts and the indexes to write.

    ``keys[i]`` is row ``i``'s key and ``fresh[i]`` its comparable value; ``existing``
    maps stored keys to their comparable values. A later row of the same key is compared
    with the earlier one; only the last row of each key that differs is written.
    """
    current = dict(existing)
    inserted = updated = unchanged = 0
    last_change: dict[object, int] = {}
    for index, (key, value) in enumerate(zip(keys, fresh, strict=True)):
        if key not in current:
            inserted += 1
        elif current[key] == value:
            unchanged += 1
            continue
        else:
            updated += 1
        current[key] = value
        last_change[key] = index
    return WriteCounts(inserted, updated, unchanged), sorted(last_change.values())


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """Detach ``alias`` from its person: store ``new_person`` (the alias's own person now),
    point the alias at it, replace the old person by ``rebuilt`` (the merge of its remaining
    sources) and, when ``move_records``, move the memberships, interactions and
    participations of ``alias.source_system`` that name the old person to the new one."""

    alias: Alias
    new_person: Person
    rebuilt: Person
    move_records: bool


@dataclass(frozen=True, slots=True)
class SplitReport:
    """What :meth:`GraphStore.split_alias` moved from ``person_id`` to ``new_person_id``."""

    person_id: str
    new_person_id: str
    memberships: int = 0
    interactions: int = 0
    participations: int = 0


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
    """Counts of the records :meth:`GraphStore.delete_person` removed, and of the import-run
    messages it redacted (``messages``: not records, so not in :meth:`total`)."""

    people: int = 0
    memberships: int = 0
    interactions: int = 0
    participations: int = 0
    feedback: int = 0
    metric_values: int = 0
    messages: int = 0

    def total(self) -> int:
        return (
            self.people + self.memberships + self.interactions + self.participations
            + self.feedback + self.metric_values
        )  # fmt: skip


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
    def upsert_people(
        self,
        rows: Sequence[Person],
        *,
        aliases: Sequence[Alias] = (),
        conflicts: Sequence[AttributeConflict] = (),
    ) -> WriteCounts:
        """Upsert ``rows``; in the same transaction upsert ``aliases`` (by source system and
        external id) and append ``conflicts`` (their people must be stored or in ``rows``)."""
        ...

    def upsert_communities(self, rows: Sequence[Community]) -> WriteCounts: ...
    def upsert_memberships(self, rows: Sequence[Membership]) -> WriteCounts: ...
    def upsert_interactions(self, rows: Sequence[Interaction]) -> WriteCounts: ...
    def upsert_activities(self, rows: Sequence[Activity]) -> WriteCounts: ...
    def upsert_participations(self, rows: Sequence[Participation]) -> WriteCounts: ...

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

    def memberships_of(self, person_id: str) -> list[Membership]:
        """Every membership of ``person_id``, past and present, by community and role
        (empty for an unknown person)."""
        ...

    def members_of(self, community_id: str) -> list[Membership]:
        """Every membership in ``community_id``, past and present, by person and role
        (empty for an unknown community)."""
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

    def ids(self, entity: str) -> Iterator[str]:
        """Every stored id of ``entity`` (``people``, ``communities`` or ``activities``),
        without building the records (reference checks of a large import)."""
        ...

    # -- whole-store iteration, ordered by key (export) --
    def list_people(self) -> Iterator[Person]: ...
    def list_communities(self) -> Iterator[Community]: ...
    def list_memberships(self) -> Iterator[Membership]: ...
    def list_interactions(self) -> Iterator[Interaction]: ...
    def list_activities(self) -> Iterator[Activity]: ...
    def list_participations(self) -> Iterator[Participation]: ...

    # -- identity across source systems (graphsvc.identity) --
    def aliases(
        self,
        *,
        person_ids: Collection[str] | None = None,
        source_system: str | None = None,
        external_ids: Collection[str] | None = None,
    ) -> list[Alias]:
        """Aliases of ``person_ids`` and/or of ``source_system`` (limited to ``external_ids``);
        all when no filter; ordered by person id, last seen, source system, external id."""
        ...

    def get_people(self, person_ids: Collection[str]) -> dict[str, Person]:
        """The stored people among ``person_ids`` by id."""
        ...

    def person_ids_by_email(self, emails: Collection[str]) -> dict[str, str]:
        """Case-folded e-mail → the id of the person with that e-mail (the smallest id when
        several share it), for those of ``emails`` that some person has."""
        ...

    def conflicts(self, person_id: str | None = None, limit: int = 100) -> list[AttributeConflict]:
        """Recorded attribute conflicts (of ``person_id``), oldest first."""
        ...

    def split_alias(self, plan: SplitPlan) -> SplitReport:
        """Carry out ``plan`` in one transaction (see :class:`SplitPlan`)."""
        ...

    # -- erasure --
    def delete_person(self, person_id: str) -> ErasureReport:
        """Erase the person and every membership, interaction, participation and feedback
        naming them, their aliases and conflicts, and their id from import-run messages
        (:func:`redact`); an unknown id returns an all-zero report."""
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

    # -- evaluation: indicator history, objectives, stories --
    def upsert_metric_values(self, rows: Sequence[MetricValue]) -> int:
        """Upsert by :attr:`MetricValue.key` in one transaction; returns ``len(rows)``."""
        ...

    def metric_values(self, query: MetricQuery | None = None) -> list[MetricValue]:
        """Stored values matching ``query`` (all when None), ordered by definition,
        parameters, scope kind, scope id, indicator and period start."""
        ...

    def upsert_objectives(self, rows: Sequence[Objective]) -> int: ...
    def objectives(self, community_id: str | None = None) -> list[Objective]:
        """Objectives of ``community_id`` (all when None), by id."""
        ...

    def delete_objective(self, objective_id: str) -> bool: ...
    def upsert_stories(self, rows: Sequence[Story]) -> int: ...
    def stories(self, community_id: str | None = None) -> list[Story]:
        """Stories of ``community_id`` (all when None), by date, then id."""
        ...

    def delete_story(self, story_id: str) -> bool: ...

    # -- summary and lifecycle --
    def counts(self) -> dict[str, int]:
        """Rows per entity (:data:`COUNT_KEYS`)."""
        ...

    def clear(self) -> None:
        """Delete every record (schema stays)."""
        ...

    def close(self) -> None: ...


#: what an erased person's id becomes in import-run messages
ERASED = "[erased]"


def redact(messages: Sequence[str], person_id: str) -> tuple[list[str], int]:
    """``messages`` with ``person_id`` replaced by :data:`ERASED` wherever it stands as a
    whole id (not inside a longer one: erasing ``p1`` leaves ``p10``); and how many changed.
    """
    pattern = re.compile(rf"(?<![\w.:@-]){re.escape(person_id)}(?![\w.:@-])")
    changed = 0
    redacted = []
    for message in messages:
        new = pattern.sub(ERASED, message) if person_id in message else message
        changed += new != message
        redacted.append(new)
    return redacted, changed


COUNT_KEYS = (
    "people",
    "communities",
    "memberships",
    "interactions",
    "activities",
    "participations",
    "import_runs",
    "feedback",
    "metric_values",
    "objectives",
    "stories",
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
