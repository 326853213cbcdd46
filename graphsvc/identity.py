"""Identity of people across source systems: aliases, merged attributes, recorded conflicts.

A person arriving from a source system keeps an :class:`Alias`: ``(source_system,
external_id)`` → the graphsvc person it was resolved to, by which :class:`AliasRule`, and a
snapshot of the person as that source last gave it. The stored person is the merge of what
its sources said, the most recent source winning field by field (:func:`merge`); a value a
newer source replaced with a different one is kept as an :class:`AttributeConflict`
(:func:`conflicts_between`). Splitting an alias off rebuilds both people from snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from graphsvc.errors import ValidationError
from graphsvc.model import Person


class AliasRule(StrEnum):
    """Why an alias points at its person."""

    #: the source's record created the person
    NEW = "new"
    #: the source's id is the id of a person no other source claims
    ID = "id"
    #: same e-mail address (case-insensitive) as a person from another source
    EMAIL = "email"
    #: an explicit id-mapping file said so
    MAPPING = "mapping"
    #: split off by hand (``graphsvc people split``)
    SPLIT = "split"


@dataclass(frozen=True, slots=True)
class Alias:
    """``(source_system, external_id)`` is ``person_id``; ``snapshot`` is the person as that
    source last gave it (its ``id`` is the source's own id)."""

    source_system: str
    external_id: str
    person_id: str
    rule: AliasRule
    first_seen: datetime
    last_seen: datetime
    snapshot: Person

    def __post_init__(self) -> None:
        for name in ("source_system", "external_id", "person_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(name, "must be a non-empty string", entity="alias")
        object.__setattr__(self, "rule", AliasRule(self.rule))

    @property
    def key(self) -> tuple[str, str]:
        return (self.source_system, self.external_id)


@dataclass(frozen=True, slots=True)
class AttributeConflict:
    """``field`` of ``person_id``: ``kept`` (from ``kept_source``, the more recent) replaced
    ``replaced`` (from ``replaced_source``) in import run ``run_id`` at ``at``."""

    person_id: str
    field: str
    kept: str | None
    replaced: str | None
    kept_source: str | None
    replaced_source: str | None
    run_id: str | None
    at: datetime


#: Person fields merged across sources (identity and provenance are not attributes)
MERGED_FIELDS = tuple(
    f.name for f in fields(Person) if f.name not in ("id", "source_system", "external_id")
)


def _empty(value: object) -> bool:
    return value is None or value == "" or value == () or value == {}


def merge(base: Person, newer: Person) -> Person:
    """``base`` with every non-empty attribute of ``newer`` (``attrs`` merged key by key,
    ``mentor_capacity`` 0 counting as empty); the id stays ``base``'s, the provenance
    becomes ``newer``'s. ``consent`` is False when either says so: an opt-out given to
    any source is respected (:func:`merge_all` rebuilds it from the current snapshots).
    """
    changes: dict[str, Any] = {}
    for name in MERGED_FIELDS:
        value = getattr(newer, name)
        if name == "attrs":
            changes[name] = {**base.attrs, **newer.attrs}
        elif name == "consent":
            changes[name] = base.consent and newer.consent
        elif not _empty(value) and value != 0:
            changes[name] = value
    changes["source_system"] = newer.source_system
    changes["external_id"] = newer.external_id
    return replace(base, **changes)


def merge_all(person_id: str, snapshots: Iterable[Person]) -> Person:
    """The person ``person_id`` as the merge of ``snapshots``, oldest first."""
    merged: Person | None = None
    for snapshot in snapshots:
        merged = replace(snapshot, id=person_id) if merged is None else merge(merged, snapshot)
    if merged is None:
        raise ValueError(f"no snapshot to rebuild person {person_id!r} from")
    return merged


def conflicts_between(
    stored: Person, incoming: Person, *, run_id: str | None, at: datetime
) -> list[AttributeConflict]:
    """Fields where ``stored`` (from another source) and ``incoming`` both have a value and
    the values differ: what :func:`merge` replaces. Empty when both come from one source."""
    if stored.source_system == incoming.source_system:
        return []
    found = []
    for name in MERGED_FIELDS:
        old, new = getattr(stored, name), getattr(incoming, name)
        if name == "attrs":
            pairs = [(f"attrs.{k}", old[k], new[k]) for k in sorted(old.keys() & new.keys())]
        else:
            pairs = [(name, old, new)]
        for field_name, before, after in pairs:
            if name == "consent" or _empty(before) or _empty(after) or after == 0:
                continue
            if before != after and not _same_email(field_name, before, after):
                found.append(
                    AttributeConflict(
                        stored.id,
                        field_name,
                        _text(after),
                        _text(before),
                        incoming.source_system,
                        stored.source_system,
                        run_id,
                        at,
                    )
                )
    return found


def _same_email(field_name: str, before: object, after: object) -> bool:
    """E-mail addresses differing only in case are the same address."""
    return field_name == "email" and str(before).casefold() == str(after).casefold()


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
