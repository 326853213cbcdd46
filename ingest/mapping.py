"""Applying a mapping file: foreign CSV exports read as interchange rows, without a script.

:func:`open_mapped` checks every foreign file the mapping names before anything is written
(it exists, is UTF-8 with or without BOM, and its header has every column the mapping
reads) and returns a :class:`~ingest.reader.Dataset` with one unit per foreign file, in
dependency order. Each unit's source streams ``(line, values)`` with ``values`` in
interchange column names, so the runner's ``parse_record`` validates them and its messages
name the foreign file and line (``answers.csv:17: kind: …``).

Rows are mapped on the fly (:mod:`ingest.mapping_rows`), never a whole file in memory. A
``lookup`` (a join) holds only ``match value → looked-up value`` of the file it reads, while
the file that needs it is being loaded. The format is documented in ``docs/mapping.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graphsvc.errors import InputError, ValidationError
from graphsvc.interchange import SPECS
from ingest.mapping_rows import RowMapper, load_lookups, open_text, read_header
from ingest.mapping_rules import FileRule, Mapping
from ingest.mapping_spec import load_mapping
from ingest.reader import Dataset, Row, Unit, check_utf8, csv_records

__all__ = ["MappedSource", "Mapping", "load_mapping", "open_mapped"]

_ENTITY_ORDER = {entity: position for position, entity in enumerate(SPECS)}


@dataclass(frozen=True, slots=True)
class MappedSource:
    """A foreign CSV file read through one ``[[file]]`` rule of a mapping: a reader ``Source``.

    ``path`` is the foreign file (in ``folder``; its first line is its header) and ``entity``
    the one its rule feeds; :meth:`rows` yields interchange rows and may be called again for a
    second pass (``--strict``).
    """

    path: Path
    folder: Path
    rule: FileRule
    mapping: Mapping

    @property
    def entity(self) -> str:
        return self.rule.entity

    @property
    def label(self) -> str:
        return self.path.relative_to(self.folder).as_posix()

    def rows(self) -> Iterator[Row]:
        tables = load_lookups(self.folder, self.rule.lookups.values())
        with open_text(self.path) as handle:
            reader = csv.reader(handle, delimiter=self.rule.delimiter)
            header = read_header(reader, self.label)
            mapper = RowMapper(self.rule, header, tables, self.mapping)
            for line, cells in csv_records(reader, self.label):
                if isinstance(cells, ValidationError):
                    yield line, cells
                    continue
                values = mapper.map(cells)
                if values is not None:
                    yield line, values


# --- opening a folder ----------------------------------------------------------------------


def open_mapped(folder: Path, mapping: Mapping) -> Dataset:
    """Open the foreign CSV files in ``folder`` as ``mapping`` describes.

    Raises one :class:`~graphsvc.errors.InputError` naming every file-level problem: a
    missing file, a file that is not UTF-8, or a header without a column the mapping reads
    (``users.csv: column 'mail' (mapped to email) not in header (found: …)``).
    """
    if not folder.is_dir():
        raise InputError(str(folder), "not a folder (a mapping reads a folder of CSV files)")
    checker = _HeaderChecker(folder, mapping)
    planned: list[tuple[FileRule, Path]] = []
    for rule in mapping.files:
        for path in checker.files_of(rule):
            if checker.check(path, rule.delimiter, rule.foreign_columns(), named_by=rule):
                planned.append((rule, path))
        for column, lookup in rule.lookups.items():
            used = {lookup.match: f"match of lookup.{column}", lookup.column: f"lookup.{column}"}
            checker.check(folder / lookup.file, lookup.delimiter, used, named_by=rule)
    checker.raise_if_any()
    planned.sort(key=lambda item: _ENTITY_ORDER[item[0].entity])
    units = [_unit(folder, rule, path, mapping) for rule, path in planned]
    return Dataset(folder, units, checker.unused())


def _unit(folder: Path, rule: FileRule, path: Path, mapping: Mapping) -> Unit:
    source = MappedSource(path, folder, rule, mapping)
    return Unit(f"{source.label} (as {rule.entity})", [source])


class _HeaderChecker:
    """Collects file-level problems of the foreign files (each file read once)."""

    def __init__(self, folder: Path, mapping: Mapping) -> None:
        self.folder = folder
        self.mapping = mapping
        self.problems: list[InputError] = []
        self.used: set[Path] = set()
        self._utf8: dict[Path, bool] = {}

    def files_of(self, rule: FileRule) -> list[Path]:
        if not rule.is_pattern:
            return [self.folder / rule.path]
        paths = sorted(p for p in self.folder.glob(rule.path) if p.is_file())
        if not paths:
            self._missing(rule.path, rule, "no file matches")
        return paths

    def check(
        self, path: Path, delimiter: str, used: dict[str, str], named_by: FileRule | None = None
    ) -> bool:
        label = path.relative_to(self.folder).as_posix()
        self.used.add(path)
        if not path.is_file():
            self._missing(label, named_by, "no such file")
            return False
        if not self._readable(path):
            return False
        with open_text(path) as handle:
            try:
                header = read_header(csv.reader(handle, delimiter=delimiter), label)
            except (InputError, csv.Error) as exc:
                self.problems.append(_as_input_error(exc, label))
                return False
        before = len(self.problems)
        for foreign, purpose in used.items():
            if foreign not in header:
                found = ", ".join(header) + _delimiter_hint(header, delimiter)
                reason = f"column {foreign!r} ({purpose}) not in header (found: {found})"
                self.problems.append(InputError(label, reason))
            elif header.count(foreign) > 1:
                self.problems.append(InputError(label, f"column {foreign!r} appears twice"))
        return len(self.problems) == before

    def _readable(self, path: Path) -> bool:
        if path not in self._utf8:
            try:
                check_utf8(path)
                self._utf8[path] = True
            except InputError as exc:
                self.problems.append(exc)
                self._utf8[path] = False
        return self._utf8[path]

    def _missing(self, label: str, rule: FileRule | None, what: str) -> None:
        by = f" (named by {self.mapping.label}{' ' + rule.name if rule else ''})"
        self.problems.append(InputError(label, f"{what} in {self.folder}{by}"))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        first, rest = self.problems[0], self.problems[1:]
        reason = first.reason + ("; also " + "; ".join(map(str, rest)) if rest else "")
        raise InputError(first.file, reason, line=first.line, field=first.field)

    def unused(self) -> list[str]:
        """CSV files of the folder that the mapping neither feeds nor looks up."""
        return sorted(
            p.name
            for p in self.folder.iterdir()
            if p.is_file() and p.suffix.lower() == ".csv" and p not in self.used
        )


def _as_input_error(exc: InputError | csv.Error, label: str) -> InputError:
    return exc if isinstance(exc, InputError) else InputError(label, f"malformed CSV: {exc}")


def _delimiter_hint(header: list[str], delimiter: str) -> str:
    if len(header) == 1 and any(sep in header[0] for sep in ",;\t|" if sep != delimiter):
        return f"; is the delimiter right? the mapping says {delimiter!r}"
    return ""
