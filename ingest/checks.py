"""Row checks that need the run's context: known ids (references) and record keys (duplicates).

A row naming a person, community or activity that is neither in the store nor accepted
earlier in the same import is an error, never a silently created record. Stored ids are
read once per import through :meth:`GraphStore.ids` (ids only, no records).
"""

from __future__ import annotations

from collections.abc import Callable

from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, Record
from graphsvc.interchange import singular as _singular
from graphsvc.model import Community
from graphsvc.store import GraphStore

#: entities whose ids other records refer to
REFERENCED = ("people", "communities", "activities")
#: separator of the parts of a composite key in its text form
KEY_SEPARATOR = "\x1f"


class KnownIds:
    """Ids a reference may name: in the store (listed once, lazily) or accepted in this run."""

    def __init__(self, store: GraphStore, stored: dict[str, set[str]] | None = None) -> None:
        self._store = store
        self._stored = {} if stored is None else stored
        self.added: dict[str, set[str]] = {entity: set() for entity in REFERENCED}

    def has(self, entity: str, record_id: str) -> bool:
        return record_id in self.added[entity] or record_id in self._stored_ids(entity)

    def _stored_ids(self, entity: str) -> set[str]:
        if entity not in self._stored:
            self._stored[entity] = set(self._store.ids(entity))
        return self._stored[entity]

    def fork(self) -> KnownIds:
        """A copy whose additions do not reach this one (a strict-mode trial pass)."""
        copy = KnownIds(self._store, self._stored)
        copy.added = {entity: set(ids) for entity, ids in self.added.items()}
        return copy


def key_text(entity: str) -> Callable[[Record], str]:
    """The upsert key of a record of ``entity`` as one string (parts joined by ``\\x1f``)."""
    fields = SPECS[entity].key
    if fields == ("id",):
        return lambda record: record.id  # type: ignore[union-attr]

    def composite(record: Record) -> str:
        return KEY_SEPARATOR.join(_text(getattr(record, name)) for name in fields)

    return composite


def _text(value: object) -> str:
    return str(getattr(value, "value", value))


def shown_key(entity: str, key: str) -> str:
    """A key as messages show it: ``p1, c1, member``."""
    return ", ".join(key.split(KEY_SEPARATOR)) if len(SPECS[entity].key) > 1 else key


def check_references(entity: str, record: Record, known: KnownIds) -> None:
    """Raise :class:`ValidationError` for the first reference naming an unknown record.

    A community's parent is not checked here: it may come later in its file.
    """
    for column, target in SPECS[entity].references:
        if entity == "communities":
            continue
        value = getattr(record, column)
        if value is not None and not known.has(target, value):
            raise ValidationError(column, f"unknown {_singular(target)} {value!r}")


def parent_known(community: Community, known: KnownIds) -> bool:
    """True when the community has no parent or its parent is known."""
    parent = community.parent_id
    return parent is None or known.has("communities", parent)
