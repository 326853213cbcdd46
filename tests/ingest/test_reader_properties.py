"""Property tests of ``run_import`` against a real SQLite store (a fresh one per example).

* **raw bytes** — arbitrary bytes, and near-valid mutations of a valid dataset, as
  ``people.csv`` / ``interactions.csv`` / an ``.ndjson`` file: the import either returns a
  result or raises a :class:`~graphsvc.errors.GraphsvcError`, never anything else, and
  the store holds exactly what the recorded run says it loaded.
* **generated rows** — every interchange column (from ``SPECS``) drawn valid and invalid:
  each row is loaded (and then equals ``parse_record`` of that row) or reported once as
  ``file:line: field: reason`` with the line it starts on; loaded + bad = rows given; the
  store counts equal the run's counts (no half-written batch); ``--strict`` loads nothing
  from a file with a bad row. The expected outcome of every row comes from
  :func:`row_model.predict`, which applies the documented rules (docs/interchange.md) row
  by row.
* **regressions** — inputs that once crashed the import (:data:`raw_inputs.KNOWN_CRASHES`),
  each a named case that must now give a result or a graphsvc error.

Helpers, next to this file: ``import_harness`` (a fresh store per example, the store/run
consistency check), ``raw_inputs`` (valid files, their damage, the crash cases),
``row_strategies`` (cells, CSV files and NDJSON lines from ``SPECS``) and ``row_model``
(the expected outcome and its check).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from import_harness import fresh_store, store_records, write_files
from raw_inputs import (
    CSV_NAMES,
    FILE_NAMES,
    KNOWN_CRASHES,
    VALID_FILES,
    mutated,
    ndjson_person,
    run_raw,
    valid_records,
)
from row_model import UnitRows, check_import, ndjson_unit, predict
from row_strategies import (
    ATTR_NAMES,
    CsvFile,
    csv_dataset,
    csv_rows,
    ndjson_lines,
    write_csv_file,
)

from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.interchange import SPECS
from graphsvc.store import open_store
from ingest.runner import run_import
from ingest.writer import export_store

PROPERTY = hypothesis_settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- raw bytes ----------------------------------------------------------------------------


@PROPERTY
@given(name=st.sampled_from(["people.csv", "interactions.csv", "data.ndjson"]), raw=st.binary())
def test_arbitrary_bytes_give_a_result_or_a_graphsvc_error(name: str, raw: bytes) -> None:
    files = {n: VALID_FILES[n] for n in CSV_NAMES} if name.endswith(".csv") else {}
    run_raw({**files, name: raw}, None if name.endswith(".csv") else name)


@hypothesis_settings(PROPERTY, max_examples=150)
@given(data=st.data(), name=st.sampled_from(FILE_NAMES))
def test_damaged_valid_files_give_a_result_or_a_graphsvc_error(
    data: st.DataObject, name: str
) -> None:
    damaged = data.draw(mutated(VALID_FILES[name]))
    if name.endswith(".ndjson"):
        run_raw({name: damaged}, name)
    else:
        run_raw({**{n: VALID_FILES[n] for n in CSV_NAMES}, name: damaged}, None)


def test_the_undamaged_files_load_completely() -> None:
    """The seed of the mutations is valid (else the damage tests prove little)."""
    expected = {entity: len(rows) for entity, rows in valid_records().items()}
    for target in (None, "data.ndjson"):
        with fresh_store() as (tmp, store):
            data = write_files(tmp / "data", VALID_FILES)
            result = run_import(store, data if target is None else data / target, Settings())
            assert result.ok and result.run.counts == expected


# --- generated rows -----------------------------------------------------------------------


def import_csv_dataset(
    files: list[CsvFile], settings: Settings, *, strict: bool = False, crlf: bool, bom: bool
) -> None:
    """Write ``files`` as CSV, import them, check the outcome against :func:`predict`."""
    with fresh_store() as (tmp, store):
        folder = tmp / "data"
        folder.mkdir()
        units = []
        for file in files:
            starts = write_csv_file(folder, file, crlf, bom)
            units.append(UnitRows(file.label, [(file.entity, csv_rows(file, starts))]))
        path = folder / files[0].label if len(files) == 1 else folder
        result = run_import(store, path, settings, strict=strict)
        check_import(store, result, predict(units, settings, strict), strict)


ALL_FILES = tuple(SPECS)
batch_sizes = st.integers(1, 4)


@hypothesis_settings(PROPERTY, max_examples=60)
@given(csv_dataset(("people",)), batch_sizes, st.booleans(), st.booleans())
def test_people_rows_are_loaded_as_parsed_or_reported_at_their_line(
    files: list[CsvFile], batch_size: int, crlf: bool, bom: bool
) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), crlf=crlf, bom=bom)


@hypothesis_settings(PROPERTY, max_examples=60)
@given(csv_dataset(("people", "interactions")), batch_sizes, st.booleans())
def test_interaction_rows_are_loaded_as_parsed_or_reported_at_their_line(
    files: list[CsvFile], batch_size: int, crlf: bool
) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), crlf=crlf, bom=False)


@hypothesis_settings(PROPERTY, max_examples=50)
@given(csv_dataset(ALL_FILES), batch_sizes, st.booleans())
def test_every_file_row_by_row(files: list[CsvFile], batch_size: int, crlf: bool) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), crlf=crlf, bom=crlf)


@hypothesis_settings(PROPERTY, max_examples=30)
@given(csv_dataset(ALL_FILES, extremes=False), st.sampled_from(["America/St_Johns", "Asia/Tokyo"]))
def test_naive_times_are_read_in_the_configured_zone(files: list[CsvFile], zone: str) -> None:
    import_csv_dataset(files, Settings(batch_size=3, timezone=zone), crlf=True, bom=False)


@hypothesis_settings(PROPERTY, max_examples=50)
@given(csv_dataset(ALL_FILES), batch_sizes)
def test_strict_loads_nothing_from_a_file_with_a_bad_row(
    files: list[CsvFile], batch_size: int
) -> None:
    import_csv_dataset(files, Settings(batch_size=batch_size), strict=True, crlf=True, bom=False)


@hypothesis_settings(PROPERTY, max_examples=20)
@given(
    st.sampled_from([entity for entity in SPECS if not SPECS[entity].extra_columns_are_attrs]),
    ATTR_NAMES,
)
def test_an_unknown_column_outside_people_is_a_file_error(entity: str, name: str) -> None:
    header = [*SPECS[entity].required, name]
    with fresh_store() as (tmp, store):
        folder = tmp / "data"
        folder.mkdir()
        (folder / SPECS[entity].filename).write_text(",".join(f'"{n}"' for n in header) + "\n")
        with pytest.raises(InputError) as raised:
            run_import(store, folder, Settings())
        if name not in SPECS[entity].column_names:
            assert raised.value.file == SPECS[entity].filename and raised.value.field == name
        assert sum(store.counts()[e] for e in SPECS) == 0


# --- generated NDJSON ---------------------------------------------------------------------


@hypothesis_settings(PROPERTY, max_examples=60)
@given(ndjson_lines(), batch_sizes, st.booleans(), st.sampled_from(["\n", "\r\n"]))
def test_ndjson_records_are_loaded_as_parsed_or_reported_at_their_line(
    lines: list[str], batch_size: int, strict: bool, newline: str
) -> None:
    with fresh_store() as (tmp, store):
        path = tmp / "data.ndjson"
        path.write_text(newline.join(lines) + newline, encoding="utf-8", newline="")
        if not any(text.strip() for text in lines):
            with pytest.raises(InputError):
                run_import(store, path, Settings())
            return
        settings = Settings(batch_size=batch_size)
        unit = ndjson_unit(path.name, lines)
        result = run_import(store, path, settings, strict=strict)
        check_import(store, result, predict([unit], settings, strict), strict)


# --- export and import again --------------------------------------------------------------


@hypothesis_settings(PROPERTY, max_examples=30)
@given(csv_dataset(ALL_FILES))
def test_what_was_loaded_survives_export_and_a_second_import(files: list[CsvFile]) -> None:
    with fresh_store() as (tmp, first):
        folder = tmp / "data"
        folder.mkdir()
        for file in files:
            write_csv_file(folder, file, crlf=True, bom=False)
        run_import(first, folder, Settings(batch_size=3))
        loaded = {entity: store_records(first, entity) for entity in SPECS}
        export_store(first, tmp / "first")
        second = open_store(Settings(store=f"sqlite:///{tmp / 'second.db'}"))
        try:
            assert run_import(second, tmp / "first", Settings()).ok
            assert {entity: store_records(second, entity) for entity in SPECS} == loaded
            export_store(second, tmp / "second")
        finally:
            second.close()
        for name in sorted(p.name for p in (tmp / "first").iterdir()):
            assert (tmp / "first" / name).read_bytes() == (tmp / "second" / name).read_bytes()


# --- file errors and known bugs ----------------------------------------------------------


def test_a_header_longer_than_the_csv_field_limit_is_a_file_error() -> None:
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"people.csv": b"id,n" + b"x" * 140_000 + b"\np1\n"})
        with pytest.raises(InputError) as raised:
            run_import(store, data, Settings())
        assert (raised.value.file, raised.value.line) == ("people.csv", 1)


@pytest.mark.parametrize(("files", "target", "settings"), KNOWN_CRASHES)
def test_known_crashes_give_a_graphsvc_error_or_a_result(
    files: dict[str, bytes], target: str | None, settings: Settings
) -> None:
    run_raw(files, target, settings)


def test_a_record_csv_cannot_read_mid_file_is_quarantined_and_the_rest_loads() -> None:
    """A cell longer than csv's field limit on line 7 (found only while loading): that row
    is reported at its line like any bad row, the rows around it load."""
    rows = "".join(f"p{i},name\n" for i in range(5)) + "p9," + "x" * 140_000 + "\np10,after\n"
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"people.csv": f"id,name\n{rows}".encode()})
        result = run_import(store, data, Settings(batch_size=2))
        assert result.run.status.value == "partial" and result.bad_rows == 1
        assert result.run.errors[0].startswith("people.csv:7: (csv): malformed CSV")
        assert store.counts()["people"] == 6


def test_a_carriage_return_survives_export_and_import() -> None:
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"d.ndjson": ndjson_person(name="A\rB").encode()})
        run_import(store, data / "d.ndjson", Settings())
        export_store(store, tmp / "out")
        second = open_store(Settings(store=f"sqlite:///{tmp / 'second.db'}"))
        try:
            result = run_import(second, tmp / "out", Settings())
            assert result.ok and [p.name for p in second.list_people()] == ["A\rB"]
        finally:
            second.close()


def test_an_attr_without_a_name_does_not_break_export_and_import() -> None:
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", {"d.ndjson": ndjson_person(**{"": "v"}).encode()})
        run_import(store, data / "d.ndjson", Settings())
        export_store(store, tmp / "out")
        second = open_store(Settings(store=f"sqlite:///{tmp / 'second.db'}"))
        try:
            assert run_import(second, tmp / "out", Settings()).ok
        finally:
            second.close()
