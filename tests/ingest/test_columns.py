"""The columnar fast path of interaction CSVs agrees with the per-row parser.

:func:`graphsvc.interchange.interaction_rows_parser` either gives exactly the row the
per-row parser (``record_parser`` → :func:`graphsvc.model.interaction_row`) gives, or
leaves the row to it (``None``). Generated rows check this cell kind by cell kind; hand
cases pin each rule (defaults, derived ids, zones, provenance stamps, refusals); whole
imports with the fast path on and off must end the same (messages, counts, store).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from import_harness import fresh_store, store_records
from row_strategies import POOLS, CsvFile, csv_dataset, csv_file, write_csv_file

from graphsvc.config import Settings
from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, interaction_rows_parser, record_parser
from graphsvc.model import interaction_id, interaction_row
from ingest.row_parser import stamper
from ingest.runner import ImportOptions, run_import

UTC_ZONE = ZoneInfo("UTC")
PROPERTY = hypothesis_settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEADER = ["id", "kind", "source_id", "target_id", "at", "weight", "directed", "topic",
          "community_id", "source_system", "external_id"]  # fmt: skip


def per_row(
    header: list[str], cells: list[str], zone: ZoneInfo, system: str | None
) -> tuple[object, ...] | None:
    """What the per-row path makes of a row (None: it reports the row as bad)."""
    values: Mapping[str, object] = dict(zip(header, cells, strict=False))
    try:
        record = record_parser("interactions", zone)(stamper("interactions", system)(values))
    except ValidationError:
        return None
    return interaction_row(record)  # type: ignore[arg-type]


ZONES = st.sampled_from(["UTC", "Europe/Paris", "America/St_Johns", "Asia/Kolkata"])
SYSTEMS = st.none() | st.sampled_from(["hr", "forum"])


@hypothesis_settings(PROPERTY, max_examples=400)
@given(csv_file("interactions"), ZONES, SYSTEMS)
def test_every_fast_row_is_the_per_row_parse(file: CsvFile, zone: str, system: str | None) -> None:
    tz = ZoneInfo(zone)
    fast = interaction_rows_parser(file.header, tz, system)(file.rows)
    assert len(fast) == len(file.rows)
    for cells, row in zip(file.rows, fast, strict=True):
        if row is not None:
            assert row == per_row(file.header, cells, tz, system), cells


@hypothesis_settings(PROPERTY, max_examples=200)
@given(csv_file("interactions", extremes=False), ZONES, SYSTEMS)
def test_valid_rows_of_full_width_take_the_fast_path(
    file: CsvFile, zone: str, system: str | None
) -> None:
    """The fast path is not vacuous: it leaves to the per-row parser only rows that
    parser rejects (or whose shape is not the header's)."""
    tz = ZoneInfo(zone)
    fast = interaction_rows_parser(file.header, tz, system)(file.rows)
    for cells, row in zip(file.rows, fast, strict=True):
        if len(cells) == len(file.header) and row is None:
            assert per_row(file.header, cells, tz, system) is None, cells


def parse(rows: list[list[str]], zone: str = "UTC", system: str | None = None) -> list[object]:
    return interaction_rows_parser(HEADER, ZoneInfo(zone), system)(rows)  # type: ignore[arg-type]


def row(**cells: str) -> list[str]:
    base = {"kind": "collaboration", "source_id": "p1", "target_id": "p2", "at": "2024-03-01"}
    return [{**base, **cells}.get(name, "") for name in HEADER]


def micros(moment: datetime) -> int:
    return round((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)


def test_defaults_derived_id_and_times_by_hand() -> None:
    at = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris (UTC+1 in March)
    [made, given_id, unix] = parse(
        [
            row(kind=" knowledge_exchange ", at="2024-03-01T10:00", topic=" soil "),
            row(id=" x1 ", weight="2.5", directed="no", at="2024-03-01T09:00:00Z"),
            row(id="x2", at="1709283600", kind="mentoring", directed="YES"),
        ],
        zone="Europe/Paris",
    )
    derived = interaction_id("p1", "p2", "knowledge_exchange", at, "soil")
    assert made == (derived, "knowledge_exchange", "p1", "p2", micros(at), 1.0, True, "soil",
                    None, None, None)  # fmt: skip
    assert given_id == ("x1", "collaboration", "p1", "p2", micros(at), 2.5, False, None,
                        None, None, None)  # fmt: skip
    assert unix == ("x2", "mentoring", "p1", "p2", micros(at), 1.0, True, None, None, None, None)


def test_a_named_source_stamps_rows_that_name_none() -> None:
    rows = parse(
        [row(id="x1"), row(id="x2", source_system="crm"), row(id="x3", external_id="E3"), row()],
        system="hr",
    )
    assert [r[-2:] for r in rows] == [  # type: ignore[index]
        ("hr", "x1"), ("crm", None), ("hr", "E3"), ("hr", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "cells",
    [
        {"kind": "Collaboration"},
        {"kind": ""},
        {"source_id": "  "},
        {"target_id": ""},
        {"at": "yesterday"},
        {"at": ""},
        {"at": "2024-02-30"},
        {"weight": "-1"},
        {"weight": "nan"},
        {"weight": "1e309"},
        {"directed": "maybe"},
    ],
)
def test_a_bad_cell_leaves_only_its_row_to_the_per_row_parser(cells: dict[str, str]) -> None:
    rows = parse([row(id="ok1"), row(id="bad", **cells), row(id="ok2")])
    assert rows[1] is None and per_row(HEADER, row(id="bad", **cells), UTC_ZONE, None) is None
    assert [r[0] for r in (rows[0], rows[2])] == ["ok1", "ok2"]  # type: ignore[index]


def test_rows_of_another_shape_and_unreadable_records_are_left() -> None:
    short, long = row(id="s")[:-1], [*row(id="l"), "extra"]
    error = ValidationError("(csv)", "malformed CSV")
    rows = parse([short, row(id="ok"), long, error])  # type: ignore[list-item]
    assert [r is None for r in rows] == [True, False, True, True]


def test_a_header_it_does_not_know_leaves_every_row() -> None:
    header = [*HEADER, "note"]
    parser = interaction_rows_parser(header, UTC_ZONE)
    assert parser([[*row(id="a"), "x"], [*row(id="b"), "y"]]) == [None, None]


# --- whole imports ----------------------------------------------------------------------


def import_both_ways(
    files: list[CsvFile], settings: Settings, source_system: str | None, strict: bool
) -> None:
    """Import ``files`` with the fast path on and off: the same run and the same store."""
    outcomes = []
    for columnar in (True, False):
        with fresh_store() as (tmp, store):
            folder = tmp / "data"
            folder.mkdir()
            for file in files:
                write_csv_file(folder, file, crlf=False, bom=False)
            options = ImportOptions(strict=strict, source_system=source_system, columnar=columnar)
            result = run_import(store, folder, settings, options=options)
            stored = {entity: store_records(store, entity) for entity in SPECS}
            run = result.run
            outcomes.append((run.status, run.counts, run.outcomes, run.errors, stored))
    assert outcomes[0] == outcomes[1]


#: every person and community the generated interactions may name (so most of them load)
NAMED = [
    CsvFile("people", ["id", "name"], [[pid, pid.upper()] for pid in POOLS["people"]]),
    CsvFile("communities", ["id", "name"], [[cid, cid.upper()] for cid in POOLS["communities"]]),
]
MIXED_HEADER = ["id", "kind", "source_id", "target_id", "at", "weight", "directed", "topic",
                "community_id", "source_system"]  # fmt: skip
#: one of every case: good rows (with and without ids and provenance), bad cells, a
#: duplicate, unknown references, rows too short and too long, a malformed record
MIXED_ROWS = [
    ["x1", "collaboration", "p1", "p2", "2024-01-01", "", "", "", "c1", ""],
    ["", "knowledge_exchange", "p2", "p3", "2024-01-02T10:00", "2", "", "soil", "", ""],
    ["x3", "mentoring", "p3", "p1", "1709283600", "0.5", "no", "", "", "crm"],
    ["x4", "Collaboration", "p1", "p2", "2024-01-01", "", "", "", "", ""],
    ["x5", "other", "p1", "ghost", "2024-01-01", "", "", "", "", ""],
    ["x1", "other", "p1", "p2", "2024-01-03", "", "", "", "", ""],
    ["x6", "other", "p1", "p2", "2024-01-03", "-1", "", "", "", ""],
    ["x7", "other", "p1", "p2", "soon", "", "", "", "", ""],
    ["x8", "communication", "p4", "p5", "2024-01-04T08:00:00+02:00", "", "yes", "", "c9", ""],
    ["x9", "co_attendance", "p5", "p6", "2024-01-05"],
    ["x10", "other", "p6", "p1", "2024-01-05", "", "", "", "", "", "extra"],
    ["", "collaboration", "p1", "p2", "2024-01-02T10:00", "", "", "", "", ""],
    ["", "collaboration", "p1", "p2", "2024-01-02T10:00", "", "", "", "", ""],
    ["x11", "other", " p2 ", "p3", " 2024-01-06 ", " 1.5 ", " Y ", " t ", " c2 ", " hr "],
    ["x12", "other", "", "p3", "2024-01-06", "", "", "", "", ""],
    ['x13 "quoted"', "other", "p2", "p3", "2024-01-06", "", "maybe", "", "", ""],
]


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
@pytest.mark.parametrize("source_system", [None, "forum"])
@pytest.mark.parametrize("strict", [False, True])
def test_a_file_of_every_case_ends_the_same_both_ways(
    batch_size: int, source_system: str | None, strict: bool
) -> None:
    mixed = CsvFile("interactions", MIXED_HEADER, MIXED_ROWS)
    import_both_ways([*NAMED, mixed], Settings(batch_size=batch_size), source_system, strict)


@hypothesis_settings(PROPERTY, max_examples=60)
@given(csv_file("interactions"), st.integers(1, 4), SYSTEMS, st.booleans())
def test_imports_end_the_same_with_the_fast_path_on_or_off(
    file: CsvFile, batch_size: int, source_system: str | None, strict: bool
) -> None:
    import_both_ways([*NAMED, file], Settings(batch_size=batch_size), source_system, strict)


@hypothesis_settings(PROPERTY, max_examples=30)
@given(csv_dataset(("people", "interactions")), st.integers(1, 4), SYSTEMS)
def test_generated_people_and_interactions_end_the_same_both_ways(
    files: list[CsvFile], batch_size: int, source_system: str | None
) -> None:
    import_both_ways(files, Settings(batch_size=batch_size), source_system, strict=False)
