"""The files of the interchange format: columns, required columns, keys and references.

:data:`SPECS` is the table every reader and writer is driven by (docs/interchange.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphsvc.model import (
    REFERENCES,
    Activity,
    Community,
    Interaction,
    Membership,
    Participation,
    Person,
)

Record = Person | Community | Membership | Interaction | Activity | Participation
RecordKey = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name (= the model field), how cells parse/format, and if required."""

    name: str
    kind: str = "text"  # text | datetime | list | int | float | bool
    required: bool = False


@dataclass(frozen=True, slots=True)
class FileSpec:
    """One file of the format: the entity it holds, its columns and its upsert key."""

    entity: str  # "people" (also the store's count key)
    record_type: str  # "person" (the NDJSON "type")
    model: type[Any]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: (column, entity it must name) checked against known ids by the reader
    references: tuple[tuple[str, str], ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.entity}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    @property
    def extra_columns_are_attrs(self) -> bool:
        return self.entity == "people"


def _columns(text: str) -> tuple[Column, ...]:
    """``"id! name joined_at:datetime"`` → columns (``!`` = required, ``:kind`` = cell kind)."""
    columns = []
    for word in text.split():
        name, _, kind = word.partition(":")
        columns.append(Column(name.rstrip("!"), kind or "text", name.endswith("!")))
    return tuple(columns)


#: every file's last columns: the system a record came from and its id there
_PROVENANCE = " source_system external_id"

#: Every file of the format, in dependency order (a later file may name an earlier one's ids).
SPECS: dict[str, FileSpec] = {
    spec.entity: spec
    for spec in (
        FileSpec(
            "people",
            "person",
            Person,
            _columns(
                "id! name email organisation location joined_at:datetime topics:list"
                " expertise:list mentor_capacity:int consent:bool" + _PROVENANCE
            ),
            key=("id",),
        ),
        FileSpec(
            "communities",
            "community",
            Community,
            _columns("id! name kind parent_id description objectives" + _PROVENANCE),
            key=("id",),
            references=REFERENCES["communities"],
        ),
        FileSpec(
            "memberships",
            "membership",
            Membership,
            _columns("person_id! community_id! role since:datetime until:datetime" + _PROVENANCE),
            key=("person_id", "community_id", "role"),
            references=REFERENCES["memberships"],
        ),
        FileSpec(
            "interactions",
            "interaction",
            Interaction,
            _columns(
                "id kind! source_id! target_id! at!:datetime weight:float directed:bool topic"
                " community_id" + _PROVENANCE
            ),
            key=("id",),
            references=REFERENCES["interactions"],
        ),
        FileSpec(
            "activities",
            "activity",
            Activity,
            _columns("id! name kind community_id start!:datetime end:datetime" + _PROVENANCE),
            key=("id",),
            references=REFERENCES["activities"],
        ),
        FileSpec(
            "participations",
            "participation",
            Participation,
            _columns("activity_id! person_id! role at:datetime" + _PROVENANCE),
            key=("activity_id", "person_id"),
            references=REFERENCES["participations"],
        ),
    )
}

#: NDJSON ``"type"`` → entity name
ENTITY_OF_TYPE: dict[str, str] = {spec.record_type: spec.entity for spec in SPECS.values()}
#: entity name → what one of its records is called in messages ("unknown person 'p9'")
_SINGULAR = {spec.entity: spec.record_type for spec in SPECS.values()}


def singular(entity: str) -> str:
    """``"people"`` → ``"person"`` (for messages)."""
    return _SINGULAR[entity]


def spec_for(record: Record) -> FileSpec:
    """The :class:`FileSpec` of a model object."""
    for spec in SPECS.values():
        if isinstance(record, spec.model):
            return spec
    raise TypeError(f"not an interchange record: {type(record).__name__}")


def record_key(record: Record) -> RecordKey:
    """The upsert key: the id, or the tuple of key fields for memberships/participations."""
    spec = spec_for(record)
    values = tuple(_key_text(getattr(record, name)) for name in spec.key)
    return values[0] if len(values) == 1 else values


def _key_text(value: object) -> str:
    return value.value if isinstance(value, Enum) else str(value)


# --- header ------------------------------------------------------------------------------


def check_header(entity: str, header: Iterable[str]) -> list[tuple[str, str]]:
    """``(column, reason)`` for every problem of a CSV header (empty when it is fine).

    Missing required columns and duplicated or empty names are problems everywhere; a column
    the format does not know is a problem except in ``people.csv`` (where it is an attr).
    """
    spec = SPECS[entity]
    names = [name.strip() for name in header]
    problems: list[tuple[str, str]] = []
    problems += [(name, "missing required column") for name in spec.required if name not in names]
    seen: set[str] = set()
    for name in names:
        if not name:
            problems.append(("(empty)", "column without a name"))
        elif name in seen:
            problems.append((name, "duplicate column"))
        elif name not in spec.column_names and not spec.extra_columns_are_attrs:
            expected = ", ".join(spec.column_names)
            problems.append((name, f"unknown column (known: {expected})"))
        seen.add(name)
    return problems
