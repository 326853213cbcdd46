"""Row checks that need the run's context: known ids (references) and record keys (duplicates).

A row naming a person, community or activity that is neither in the store nor accepted
earlier in the same import is an error, never a silently created record. Stored ids are
read once per import through :meth:`GraphStore.ids` (ids only, no records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, Record, singular
from graphsvc.model import INTERACTION_FIELDS, Community
from graphsvc.model_batch import InteractionBatch
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


@dataclass(frozen=True)
class Layout:
    """How the screen reads one source's records: model objects, or the interaction rows
    of the columnar fast path (:data:`~graphsvc.model.InteractionRow` tuples).

    ``references`` are ``(column, getter, target entity)``: what a record names; ``pack``
    turns a batch of records into what the store's upsert takes.
    """

    key: Callable[[Any], str]
    references: tuple[tuple[str, Callable[[Any], Any], str], ...]
    pack: Callable[[list[Any]], Sequence[Any]]


def record_layout(entity: str) -> Layout:
    """Model objects of ``entity`` (a community's parent is not among its references: it
    may come later in its file, and is checked elsewhere)."""
    references = () if entity == "communities" else SPECS[entity].references
    return Layout(
        key_text(entity),
        tuple((column, attrgetter(column), target) for column, target in references),
        list,
    )


#: interaction rows (graphsvc.interchange.interaction_rows_parser), written as one batch
INTERACTION_ROWS = Layout(
    itemgetter(0),
    tuple(
        (column, itemgetter(INTERACTION_FIELDS.index(column)), target)
        for column, target in SPECS["interactions"].references
    ),
    InteractionBatch,
)


def reference_checker(layout: Layout, known: KnownIds) -> Callable[[Any], None]:
    """A function raising :class:`ValidationError` for the first reference of a record
    that names an unknown record."""
    checks = [(column, get, known.ids(target), singular(target)) for column, get, target in
              layout.references]  # fmt: skip

    def check(record: Any) -> None:
        for column, get, ids, target in checks:
            value = get(record)
            if value is not None and value not in ids:
                raise ValidationError(column, f"unknown {target} {value!r}")

    return check


def all_references_known(layout: Layout, known: KnownIds, records: list[Any]) -> bool:
    """True when every reference of every record names a known record (a set operation
    per column: the common case of a batch, checked without a loop per record)."""
    for _column, get, target in layout.references:
        named = set(map(get, records))
        named.discard(None)
        if not named <= known.ids(target):
            return False
    return True


def parent_known(community: Community, known: KnownIds) -> bool:
    """True when the community has no parent or its parent is known."""
    parent = community.parent_id
    return parent is None or known.has("communities", parent)
