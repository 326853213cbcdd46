"""Identity resolution during an import from a named source system.

Each person record a source sends (its id ``X`` is the source's own id) is resolved to a
graphsvc person ``P``, first rule that applies:

1. an alias ``(source, X)`` stored by an earlier run;
2. the id-mapping file (``source_system,external_id,person_id`` rows);
3. a person with the same e-mail address, case-insensitive (``match_email``), unless that
   person already has another id in this source (a system's own ids stay distinct);
4. a person whose id is ``X`` and who no other source claims;
5. otherwise a new person ``X`` — or ``source:X`` when another source's person holds ``X``.

Then the person is stored merged (:func:`graphsvc.identity.merge`: the most recent source
wins field by field; differing values are recorded as conflicts) and the alias is kept with
its snapshot. Memberships, interactions and participations of the same run name people by
the source's ids; :meth:`IdentityResolver.translate` maps them to the resolved ids.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from graphsvc.errors import InputError, NotFound, ValidationError
from graphsvc.identity import (
    Alias,
    AliasRule,
    AttributeConflict,
    conflicts_between,
    merge,
    merge_all,
)
from graphsvc.interchange import Record
from graphsvc.model import Interaction, InteractionRow, Membership, Participation, Person
from graphsvc.store import GraphStore, SplitPlan

#: the columns of an id-mapping file
ID_MAP_COLUMNS = ("source_system", "external_id", "person_id")


def load_id_map(path: Path, source_system: str) -> dict[str, str]:
    """The ``external_id → person_id`` rows of ``source_system`` in an id-mapping CSV."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ID_MAP_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise InputError(path.name, f"missing column(s): {', '.join(missing)}", line=1)
            mapping: dict[str, str] = {}
            for row in reader:
                system, external, person = (row[c].strip() for c in ID_MAP_COLUMNS)
                if not (system and external and person):
                    raise InputError(path.name, "empty cell", line=reader.line_num)
                if system == source_system:
                    mapping[external] = person
            return mapping
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the id-mapping file: {exc}") from None


@dataclass
class PeopleBatch:
    """A resolved batch: people to upsert, their aliases and the conflicts found."""

    people: list[Person] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    conflicts: list[AttributeConflict] = field(default_factory=list)


class IdentityResolver:
    """Resolves one run's people from ``source_system`` (see the module docstring)."""

    def __init__(
        self,
        store: GraphStore,
        source_system: str,
        *,
        run_id: str,
        match_email: bool = True,
        id_map: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.source = source_system
        self.run_id = run_id
        self.match_email = match_email
        self.id_map = dict(id_map or {})
        self.now = datetime.now(UTC)
        known = store.aliases(source_system=source_system)
        #: the source's id → graphsvc person id (stored aliases, then this run's)
        self.resolved = {a.external_id: a.person_id for a in known}
        self._first_seen = {a.external_id: a.first_seen for a in known}
        #: people written in this run, by id (later batches merge onto them)
        self._written: dict[str, Person] = {}
        self._emails: dict[str, str] = {}

    # -- people ------------------------------------------------------------------------

    def resolve_people(self, incoming: Sequence[Person]) -> PeopleBatch:
        """Resolve a batch of the source's people (their ids are the source's ids)."""
        targets = [self._target(person, incoming) for person in incoming]
        stored = self.store.get_people({p for p, _rule in targets} - self._written.keys())
        others = self._other_aliases({p for p, _rule in targets})
        batch = PeopleBatch()
        for person, (person_id, rule) in zip(incoming, targets, strict=True):
            external = person.external_id or person.id
            snapshot = replace(person, source_system=self.source, external_id=external)
            base = self._written.get(person_id) or stored.get(person_id)
            final = self._combine(person_id, base, snapshot, others.get(person_id, []), batch)
            self._remember(person.id, final)
            batch.people.append(final)
            first = self._first_seen.setdefault(person.id, self.now)
            alias = Alias(self.source, person.id, person_id, rule, first, self.now, snapshot)
            batch.aliases.append(alias)
        return batch

    def _target(self, person: Person, batch: Sequence[Person]) -> tuple[str, AliasRule]:
        external = person.id
        if external in self.resolved:
            return self.resolved[external], AliasRule.NEW
        if external in self.id_map:
            return self.id_map[external], AliasRule.MAPPING
        if self.match_email and person.email:
            match = self._email_match(person.email.lower())
            if match is not None:
                return match, AliasRule.EMAIL
        if not self._claimed(external):
            return external, AliasRule.ID if self._exists(external) else AliasRule.NEW
        return f"{self.source}:{external}", AliasRule.NEW

    def _email_match(self, email: str) -> str | None:
        if email in self._emails:
            return self._emails[email]
        found = self.store.person_ids_by_email([email]).get(email)
        if found is None or self._has_other_id_here(found):
            return None
        return found

    def _has_other_id_here(self, person_id: str) -> bool:
        return person_id in self.resolved.values()

    def _exists(self, person_id: str) -> bool:
        return person_id in self._written or bool(self.store.get_people([person_id]))

    def _claimed(self, person_id: str) -> bool:
        """True when person ``person_id`` exists and belongs to another source."""
        if person_id in self._written:
            return self._written[person_id].source_system not in (None, self.source)
        stored = self.store.get_people([person_id]).get(person_id)
        return stored is not None and stored.source_system not in (None, self.source)

    def _other_aliases(self, person_ids: Iterable[str]) -> dict[str, list[Alias]]:
        found: dict[str, list[Alias]] = {}
        for alias in self.store.aliases(person_ids=list(person_ids)):
            if alias.source_system != self.source:
                found.setdefault(alias.person_id, []).append(alias)
        return found

    def _combine(
        self,
        person_id: str,
        base: Person | None,
        snapshot: Person,
        others: list[Alias],
        batch: PeopleBatch,
    ) -> Person:
        """The person to store: the snapshot alone, or merged onto what other sources said."""
        own = replace(snapshot, id=person_id)
        if base is None or (not others and base.source_system in (None, self.source)):
            return own
        batch.conflicts += conflicts_between(base, own, run_id=self.run_id, at=self.now)
        merged = merge(base, own)
        consent = own.consent and all(alias.snapshot.consent for alias in others)
        return replace(merged, consent=consent)

    def _remember(self, external: str, person: Person) -> None:
        self.resolved[external] = person.id
        self._written[person.id] = person
        if person.email:
            self._emails.setdefault(person.email.lower(), person.id)

    # -- references --------------------------------------------------------------------

    def translate_row(self, row: InteractionRow) -> InteractionRow:
        """An interaction row (:data:`~graphsvc.model.InteractionRow`) with its source
        and target mapped to the resolved people."""
        source = self.resolved.get(row[2], row[2])
        target = self.resolved.get(row[3], row[3])
        if (source, target) == (row[2], row[3]):
            return row
        return (*row[:2], source, target, *row[4:])

    def translate(self, record: Record) -> Record:
        """``record`` with the person ids it names mapped to the resolved people."""
        if isinstance(record, Interaction):
            source = self.resolved.get(record.source_id, record.source_id)
            target = self.resolved.get(record.target_id, record.target_id)
            if (source, target) != (record.source_id, record.target_id):
                return replace(record, source_id=source, target_id=target)
        elif isinstance(record, Membership | Participation):
            person = self.resolved.get(record.person_id, record.person_id)
            if person != record.person_id:
                return replace(record, person_id=person)
        return record


def plan_split(store: GraphStore, source_system: str, external_id: str) -> SplitPlan:
    """How to undo the resolution of ``(source_system, external_id)`` (see ``people split``).

    The alias gets a person of its own, built from its snapshot, with the source's id (or
    ``source:id`` when that id is taken); the person it leaves is rebuilt from the
    snapshots of its remaining aliases, oldest first. Its records from that source move
    along only when the person keeps no other id in that source (otherwise nothing tells
    which of the ids a record came through: they stay, and the report says so).
    Raises :class:`NotFound` for an unknown alias, :class:`ValidationError` for an alias
    that is its person's only one.
    """
    found = store.aliases(source_system=source_system, external_ids=[external_id])
    if not found:
        raise NotFound("alias", f"{source_system}:{external_id}")
    alias = found[0]
    siblings = [a for a in store.aliases(person_ids=[alias.person_id]) if a.key != alias.key]
    if not siblings:
        raise ValidationError(
            "alias",
            f"{source_system}:{external_id} is the only source identity of person "
            f"{alias.person_id!r}: nothing to split",
        )
    new_id = external_id
    if new_id == alias.person_id or store.get_people([new_id]):
        new_id = f"{source_system}:{external_id}"
    new_person = replace(alias.snapshot, id=new_id)
    rebuilt = merge_all(alias.person_id, [a.snapshot for a in siblings])
    same_source = any(a.source_system == source_system for a in siblings)
    return SplitPlan(alias, new_person, rebuilt, move_records=not same_source)
