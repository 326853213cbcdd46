"""Parsing interchange cells (CSV strings or NDJSON values) into model objects."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from graphsvc.errors import ValidationError
from graphsvc.interchange.spec import SPECS, Column, FileSpec, Record
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
        # an ISO date has a "-" after its first character: skip the regex for it
        if "-" not in text[1:] and _UNIX_SECONDS.fullmatch(text):
            return _EPOCH + timedelta(seconds=float(text))
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise ValidationError(
            field, f"not an ISO 8601 date/datetime or Unix seconds: {value!r}"
        ) from None
    if moment.tzinfo is UTC:
        return moment
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 lies after year 9999 in UTC
        raise ValidationError(field, f"out of range in UTC: {value!r}") from None


def _parse_text(value: object, field: str) -> str:
    if value.__class__ is str:  # the common case (every CSV cell): no further checks
        return value.strip()
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
    if not re.fullmatch(r"[+-]?\d{1,18}", text):
        raise ValidationError(field, f"must be a whole number (at most 18 digits), not {text!r}")
    return int(text)


def _parse_float(value: object, field: str) -> float:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return float(_parse_text(value, field))
    except (ValueError, OverflowError):
        raise ValidationError(field, f"must be a number, not {value!r}") from None


_PARSERS: dict[str, Callable[[object, str], object]] = {
    "list": _parse_list,
    "bool": _parse_bool,
    "int": _parse_int,
    "float": _parse_float,
    "text": _parse_text,
}

RecordParser = Callable[[Mapping[str, object]], Record]


def record_parser(entity: str, zone: ZoneInfo) -> RecordParser:
    """A function parsing one row of ``entity`` (see :func:`parse_record`), built once.

    The column table is resolved up front, so that the per-row work is only the cells.
    """
    return _record_parser(entity, zone)


@functools.lru_cache(maxsize=64)
def _record_parser(entity: str, zone: ZoneInfo) -> RecordParser:
    spec = SPECS[entity]
    layouts: dict[tuple[str, ...], RecordParser] = {}

    def parse(values: Mapping[str, object]) -> Record:
        names = tuple(values)
        parse_layout = layouts.get(names)
        if parse_layout is None:
            parse_layout = layouts[names] = _compile_layout(spec, names, zone)
        return parse_layout(values)

    return parse


def _compile_layout(spec: FileSpec, names: tuple[str, ...], zone: ZoneInfo) -> RecordParser:
    """The parser of rows with exactly the field names ``names``, generated as straight-line
    Python (one block per column, no loop or table look-up per cell: the hot path of a large
    import). Columns are checked in the spec's order, so the first bad one is reported."""
    present = set(names)
    known = set(spec.column_names)
    extra = tuple(name for name in names if name not in known)
    namespace: dict[str, object] = {
        "ValidationError": ValidationError,
        "model": spec.model,
        "attrs_of": _attrs,
        "interaction_id_of": _interaction_id,
        "extra": extra,
    }
    lines = ["def parse(values):", "    fields = {}"]
    namespace["parse_datetime"], namespace["zone"] = parse_datetime, zone
    for number, column in enumerate(spec.columns):
        if column.name in present:
            namespace[f"cell{number}"] = _cell_parser(column, zone)
            call = "parse_datetime(raw, zone, {name})" if column.kind == "datetime" else None
            lines += _column_code(column, f"cell{number}", call)
        elif column.required:
            lines.append(f"    raise ValidationError({column.name!r}, 'is required')")
    if spec.extra_columns_are_attrs:
        lines.append("    fields['attrs'] = attrs_of({name: values[name] for name in extra})")
    elif extra:
        lines.append(f"    raise ValidationError({sorted(extra)[0]!r}, 'unknown field')")
    if spec.entity in ("people", "communities", "activities"):
        lines.append("    fields.setdefault('name', '')")
    if spec.entity == "interactions":
        lines.append("    if 'id' not in fields: fields['id'] = interaction_id_of(fields)")
    lines.append("    return model(**fields)")
    exec("\n".join(lines), namespace)  # noqa: S102 - code built from the constant column table
    return namespace["parse"]  # type: ignore[return-value]


def _column_code(column: Column, parser: str, call: str | None = None) -> list[str]:
    """Lines parsing one present column: blank → absent (or 'is required'), else parsed
    (by ``call`` when given, else ``parser(raw, name)``); a text cell that is a string is
    only stripped."""
    name = repr(column.name)
    parsed = call.format(name=name) if call else f"{parser}(raw, {name})"
    missing = f"raise ValidationError({name}, 'is required')" if column.required else "pass"
    if column.kind == "text":
        return [
            f"    raw = values[{name}]",
            "    if raw.__class__ is str:",
            "        raw = raw.strip()",
            "        if raw:",
            f"            fields[{name}] = raw",
            "        else:",
            f"            {missing}",
            "    elif raw is None:",
            f"        {missing}",
            "    else:",
            f"        fields[{name}] = {parser}(raw, {name})",
        ]
    return [
        f"    raw = values[{name}]",
        "    if raw is None or (raw.__class__ is str and not raw.strip()):",
        f"        {missing}",
        "    else:",
        f"        fields[{name}] = {parsed}",
    ]


def _cell_parser(column: Column, zone: ZoneInfo) -> Callable[[object, str], object]:
    if column.kind == "datetime":
        return lambda value, field: parse_datetime(value, zone, field)
    return _PARSERS[column.kind]


def parse_record(entity: str, values: Mapping[str, object], zone: ZoneInfo) -> Record:
    """One CSV row (cells as strings) or NDJSON object (without ``type``) → model object.

    Raises :class:`~graphsvc.errors.ValidationError` naming the first bad field. For many
    rows, build the parser once with :func:`record_parser`.
    """
    return _record_parser(entity, zone)(values)


def _attrs(extra: Mapping[str, object]) -> dict[str, str]:
    """Unknown people columns → attrs (blank cells dropped); NDJSON may nest ``attrs``."""
    attrs: dict[str, str] = {}
    for name, value in extra.items():
        if name == "attrs" and isinstance(value, dict):
            attrs.update(_attrs(value))
        elif not _absent(value):
            if not name.strip():
                raise ValidationError("attrs", "an attribute needs a name")
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
