"""Parsing interchange cells (CSV strings or NDJSON values) into model objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from graphsvc.errors import ValidationError
from graphsvc.interchange.spec import SPECS, Column, Record
from graphsvc.model import interaction_id

#: separator of list cells (``topics``, ``expertise``)
LIST_SEPARATOR = ";"
_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})
_UNIX_SECONDS = re.compile(r"[+-]?\d+(?:\.\d+)?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_datetime(value: object, zone: ZoneInfo, field: str) -> datetime:
    """An ISO 8601 date/datetime or Unix seconds → aware UTC datetime.

    Naive values (and plain dates, at midnight) are read in ``zone``. A value of digits only
    (with optional sign and fraction) is Unix seconds.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError(field, "must be an ISO 8601 date/datetime or Unix seconds")
    try:
        if isinstance(value, int | float):
            return _EPOCH + timedelta(seconds=value)
        text = value.strip()
        if _UNIX_SECONDS.fullmatch(text):
            return _EPOCH + timedelta(seconds=float(text))
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise ValidationError(
            field, f"not an ISO 8601 date/datetime or Unix seconds: {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _parse_text(value: object, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(field, "must be a string")
    return str(value).strip()


def _parse_list(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_parse_text(item, field) for item in value)
    return tuple(_parse_text(value, field).split(LIST_SEPARATOR))


def _parse_bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _parse_text(value, field).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(field, f"must be yes or no, not {value!r}")


def _parse_int(value: object, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _parse_text(value, field)
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValidationError(field, f"must be a whole number, not {value!r}")
    return int(text)


def _parse_float(value: object, field: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = _parse_text(value, field)
    try:
        return float(text)
    except ValueError:
        raise ValidationError(field, f"must be a number, not {value!r}") from None


def _parse_value(column: Column, value: object, zone: ZoneInfo) -> object:
    if column.kind == "datetime":
        return parse_datetime(value, zone, column.name)
    if column.kind == "list":
        return _parse_list(value, column.name)
    if column.kind == "bool":
        return _parse_bool(value, column.name)
    if column.kind == "int":
        return _parse_int(value, column.name)
    if column.kind == "float":
        return _parse_float(value, column.name)
    return _parse_text(value, column.name)


def parse_record(entity: str, values: Mapping[str, object], zone: ZoneInfo) -> Record:
    """One CSV row (cells as strings) or NDJSON object (without ``type``) → model object.

    Raises :class:`~graphsvc.errors.ValidationError` naming the first bad field.
    """
    spec = SPECS[entity]
    known = set(spec.column_names)
    fields: dict[str, object] = {}
    for column in spec.columns:
        raw = values.get(column.name)
        if _absent(raw):
            if column.required:
                raise ValidationError(column.name, "is required")
            continue
        fields[column.name] = _parse_value(column, raw, zone)
    extra = {name: value for name, value in values.items() if name not in known}
    if spec.extra_columns_are_attrs:
        fields["attrs"] = _attrs(extra)
    elif extra:
        raise ValidationError(sorted(extra)[0], "unknown field")
    if entity in ("people", "communities", "activities"):
        fields.setdefault("name", "")
    if entity == "interactions" and "id" not in fields:
        fields["id"] = _interaction_id(fields)
    return spec.model(**fields)  # type: ignore[no-any-return]


def _attrs(extra: Mapping[str, object]) -> dict[str, str]:
    """Unknown people columns → attrs (blank cells dropped); NDJSON may nest ``attrs``."""
    attrs: dict[str, str] = {}
    for name, value in extra.items():
        if name == "attrs" and isinstance(value, dict):
            attrs.update(_attrs(value))
        elif not _absent(value):
            attrs[name] = _parse_text(value, name) if not isinstance(value, float) else str(value)
    return attrs


def _interaction_id(fields: Mapping[str, object]) -> str:
    at = fields["at"]
    topic = fields.get("topic")
    assert isinstance(at, datetime)
    return interaction_id(
        str(fields["source_id"]),
        str(fields["target_id"]),
        str(fields["kind"]),
        at,
        str(topic).strip() or None if topic is not None else None,
    )
