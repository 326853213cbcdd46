"""Parsing ``interactions.csv`` a column at a time: the fast path of large imports.

The per-row parser (:func:`~graphsvc.interchange.record_parser`) builds and validates one
:class:`~graphsvc.model.Interaction` per row, about 10 µs each. Here a chunk of rows is
turned into columns and each column is converted at once, into
:data:`~graphsvc.model.InteractionRow` tuples (what a store writes; see
:class:`~graphsvc.model_batch.InteractionBatch`):

* a column with few distinct values (``kind``, ``at``, ``weight``, ``directed``) is
  converted one distinct value at a time, by the very cell parsers of :mod:`.parse`;
* text columns are stripped, blank meaning absent;
* the model's rules follow: ``kind`` one of its values, ``weight`` finite and ≥ 0,
  ``directed`` by kind when absent, a missing id made by :func:`~graphsvc.model.interaction_id`.

A row any of whose cells this refuses (or whose shape is not the header's) comes back as
``None``: the caller hands it to the per-row parser, which loads it or reports the field
and reason. So every row ends as the per-row parser would have it, only sooner; the tests
check this on generated rows (``tests/ingest/test_columns.py``).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from graphsvc.errors import ValidationError
from graphsvc.interchange.parse import _parse_bool, _parse_float, parse_datetime
from graphsvc.interchange.spec import SPECS
from graphsvc.model import DIRECTED_BY_DEFAULT, InteractionKind, InteractionRow, interaction_id

#: a cell the fast path refuses: its row goes to the per-row parser
REFUSED = object()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
fromisoformat = datetime.fromisoformat
_KINDS = {kind.value: kind.value for kind in InteractionKind}
_DIRECTED_BY_KIND = {kind.value: kind in DIRECTED_BY_DEFAULT for kind in InteractionKind}
_TEXT = ("topic", "community_id", "source_system", "external_id")

RowsParser = Callable[[Sequence[object]], list[InteractionRow | None]]


def interaction_rows_parser(
    header: Sequence[str], zone: ZoneInfo, source_system: str | None = None
) -> RowsParser:
    """A function turning a chunk of CSV records (lists of cells under ``header``) into
    interaction rows, ``None`` for each record left to the per-row parser.

    Naive times are read in ``zone``. With ``source_system``, a row that names none gets
    it, and its own id as ``external_id`` unless it names one (as the import runner
    stamps rows for the per-row parser).
    """
    names = list(header)
    spec = SPECS["interactions"]
    fits = (
        len(set(names)) == len(names)
        and set(names) <= set(spec.column_names)
        and set(spec.required) <= set(names)
    )
    if not fits:  # unknown or repeated columns, or a required one missing: every row fails
        return lambda records: [None] * len(records)
    converters = _converters(zone)

    def parse(records: Sequence[object]) -> list[InteractionRow | None]:
        shaped = _shaped(records, len(names))
        out: list[InteractionRow | None] = [None] * len(records)
        if shaped:
            chunk = [records[i] for i in shaped] if len(shaped) < len(records) else records
            columns = dict(zip(names, zip(*chunk, strict=True), strict=True))
            rows = _rows(columns, len(chunk), converters, source_system)
            for i, row in zip(shaped, rows, strict=True):
                out[i] = row
        return out

    return parse


def _shaped(records: Sequence[object], width: int) -> list[int]:
    """Indexes of the records that are lists of ``width`` cells (usually all of them)."""
    try:
        if set(map(len, records)) == {width}:  # type: ignore[arg-type]
            return list(range(len(records)))
    except TypeError:  # an error object among them
        pass
    return [i for i, cells in enumerate(records) if isinstance(cells, list) and len(cells) == width]


def _rows(
    columns: dict[str, tuple[str, ...]],
    size: int,
    converters: dict[str, Callable[[str], object]],
    source_system: str | None,
) -> list[InteractionRow | None]:
    refused: set[int] = set()
    converted: dict[str, list[object]] = {}
    for name, convert in converters.items():
        if name in columns:
            converted[name] = _by_distinct(columns[name], convert, refused)
    kinds = converted["kind"]
    ats = converted["at"]
    weights = converted.get("weight") or [1.0] * size
    directed = _directed(converted.get("directed"), kinds, size)
    sources = _required_text(columns["source_id"], refused)
    targets = _required_text(columns["target_id"], refused)
    topic, community, system, external = (_optional_text(columns.get(n), size) for n in _TEXT)
    ids = [cell.strip() for cell in columns["id"]] if "id" in columns else [""] * size
    if source_system is not None:
        system, external = _stamped(system, external, ids, source_system)
    if "" in ids:
        _make_missing_ids(ids, sources, targets, kinds, ats, topic, refused)
    rows: list[InteractionRow | None] = list(
        zip(ids, kinds, sources, targets, ats, weights, directed, topic, community, system,
            external, strict=True)
    )  # fmt: skip
    for index in refused:
        rows[index] = None
    return rows


def _by_distinct(
    column: tuple[str, ...], convert: Callable[[str], object], refused: set[int]
) -> list[object]:
    """``convert`` applied to each distinct cell once; rows of refused cells go to ``refused``."""
    table: dict[str, object] = {}
    for cell in set(column):
        try:
            table[cell] = convert(cell)
        except ValidationError:
            table[cell] = REFUSED
    values = list(map(table.__getitem__, column))
    if REFUSED in table.values():
        refused.update(i for i, value in enumerate(values) if value is REFUSED)
    return values


def _converters(zone: ZoneInfo) -> dict[str, Callable[[str], object]]:
    def kind(cell: str) -> str:
        value = _KINDS.get(cell.strip())
        if value is None:
            raise ValidationError("kind", "refused")
        return value

    def at(cell: str) -> int:
        moment = None
        if "-" in cell[1:]:  # an ISO date (what parse_datetime reads with fromisoformat)
            with contextlib.suppress(ValueError):
                moment = fromisoformat(cell)  # blanks around it: left to parse_datetime
        if moment is None or moment.tzinfo is not UTC:
            if not cell.strip():
                raise ValidationError("at", "is required")
            moment = parse_datetime(cell, zone, "at")
        delta = moment - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

    def weight(cell: str) -> float:
        if not cell.strip():
            return 1.0
        value = _parse_float(cell, "weight")
        if not math.isfinite(value) or value < 0:
            raise ValidationError("weight", "must be finite and ≥ 0")
        return value

    def directed(cell: str) -> bool | None:
        return _parse_bool(cell, "directed") if cell.strip() else None

    return {"kind": kind, "at": at, "weight": weight, "directed": directed}


def _directed(column: list[object] | None, kinds: list[object], size: int) -> list[object]:
    """``directed`` as given, else by kind (DESIGN.md §3)."""
    if column is None:
        return [_DIRECTED_BY_KIND.get(kind, False) for kind in kinds]  # type: ignore[call-overload]
    if None not in column:
        return column
    return [
        _DIRECTED_BY_KIND.get(kind, False) if given is None else given  # type: ignore[call-overload]
        for given, kind in zip(column, kinds, strict=True)
    ]


def _required_text(column: tuple[str, ...], refused: set[int]) -> list[str]:
    values = [cell.strip() for cell in column]
    if "" in values:
        refused.update(i for i, value in enumerate(values) if not value)
    return values


def _optional_text(column: tuple[str, ...] | None, size: int) -> list[str | None]:
    if column is None:
        return [None] * size
    return [cell.strip() or None for cell in column]


def _stamped(
    system: list[str | None], external: list[str | None], ids: list[str], source_system: str
) -> tuple[list[str | None], list[str | None]]:
    """A row naming no source system gets ``source_system``, and its id as ``external_id``
    when it names none."""
    stamped_external = [
        (own_id or None) if own_system is None and own is None else own
        for own_system, own, own_id in zip(system, external, ids, strict=True)
    ]
    return [own or source_system for own in system], stamped_external


def _make_missing_ids(
    ids: list[str],
    sources: list[str],
    targets: list[str],
    kinds: list[object],
    ats: list[object],
    topics: list[str | None],
    refused: set[int],
) -> None:
    """Rows without an id get :func:`~graphsvc.model.interaction_id` of their values."""
    for index, own in enumerate(ids):
        if own or index in refused:
            continue
        moment = _EPOCH + timedelta(microseconds=ats[index])  # type: ignore[arg-type]
        ids[index] = interaction_id(
            sources[index], targets[index], str(kinds[index]), moment, topics[index]
        )
