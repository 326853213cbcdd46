"""Validation helpers of the domain model (:mod:`graphsvc.model`): ids, enums, UTC
datetimes, list and text fields. Each raises :class:`~graphsvc.errors.ValidationError`
naming the entity, record and field."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from graphsvc.errors import ValidationError


def _require_id(entity: str, field_name: str, value: object, record_id: str | None = None) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            field_name, "must be a non-empty string", entity=entity, record_id=record_id
        )


E = TypeVar("E", bound=StrEnum)


def _enum(entity: str, record_id: str | None, field_name: str, enum: type[E], value: object) -> E:
    if isinstance(value, enum):
        return value
    member = enum._value2member_map_.get(value)  # the fast path
    if member is not None:
        return member  # type: ignore[return-value]
    try:
        return enum(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        allowed = ", ".join(member.value for member in enum)
        raise ValidationError(
            field_name, f"{value!r} is not one of: {allowed}", entity=entity, record_id=record_id
        ) from None


def _utc(
    entity: str, record_id: str | None, field_name: str, value: datetime | None
) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationError(field_name, "must be a datetime", entity=entity, record_id=record_id)
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError(
            field_name, "must be timezone-aware (UTC)", entity=entity, record_id=record_id
        )
    return value.astimezone(UTC)


def _strings(values: object) -> tuple[str, ...]:
    """Normalise a list field: strip, drop blanks and duplicates, keep first-seen order."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    seen: dict[str, None] = {}
    for value in values:  # type: ignore[attr-defined]
        text = str(value).strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def _optional_text(value: object) -> str | None:
    if value is None:
        return None
    text = (value if value.__class__ is str else str(value)).strip()
    return text or None


#: sets a field of a frozen dataclass in __post_init__ (normalising what was given)
_set = object.__setattr__


def _provenance(record: object) -> None:
    """Normalise ``source_system`` / ``external_id`` (where the record came from)."""
    for name in PROVENANCE_FIELDS:
        _set(record, name, _optional_text(getattr(record, name)))


#: the most mentees one person can be said to take (keeps the value a 32-bit integer)
MAX_MENTOR_CAPACITY = 10_000

#: Every entity's provenance: the system it came from and its id there (DESIGN.md §3).
PROVENANCE_FIELDS = ("source_system", "external_id")
