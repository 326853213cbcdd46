"""Row checks that need the run's context: known ids (references) and record keys (duplicates).

A row naming a person, community or activity that is neither in the store nor accepted
earlier in the same import is an error, never a silently created record. Stored ids are
read once per import through :meth:`GraphStore.ids` (ids only, no records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, Record, singular
from graphsvc.model import Community
from graphsvc.store import GraphStore

#: entities whose ids other records refer to
REFERENCED = ("people", "communities", "activities")
#: separator of the parts of a composite key in its text form
KEY_SEPARATOR = "\x1f"


class KnownIds:
    """Ids a reference may name: in the store (listed once, lazily) or accepted in this run.

    One set per entity holds both, so that a check is one set look-up.
    """

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._ids: dict[str, set[str]] = {}

    def ids(self, entity: str) -> set[str]:
        """The known ids of ``entity`` (a live set: :meth:`add` extends it)."""
        if entity not in self._ids:
            self._ids[entity] = set(self._store.ids(entity))
        return self._ids[entity]

    def has(self, entity: str, record_id: str) -> bool:
        return record_id in self.ids(entity)

    def add(self, entity: str, record_ids: Iterable[str]) -> None:
        self.ids(entity).update(record_ids)

    def fork(self) -> KnownIds:
        """A copy whose additions do not reach this one (a strict-mode trial pass)."""
        copy = KnownIds(self._store)
        copy._ids = {entity: set(ids) for entity, ids in self._ids.items()}
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


def reference_checker(entity: str, known: KnownIds) -> Callable[[Record], None]:
    """A function raising :class:`ValidationError` for the first reference of a record of
    ``entity`` that names an unknown record (a community's parent is checked elsewhere: it
    may come later in its file)."""
    if entity == "communities":
        return lambda record: None
    checks = [
        (column, known.ids(target), singular(target)) for column, target in SPECS[entity].references
    ]

    def check(record: Record) -> None:
        for column, ids, target in checks:
            value = getattr(record, column)
            if value is not None and value not in ids:
                raise ValidationError(column, f"unknown {target} {value!r}")

    return check


def parent_known(community: Community, known: KnownIds) -> bool:
    """True when the community has no parent or its parent is known."""
    parent = community.parent_id
    return parent is None or known.has("communities", parent)
