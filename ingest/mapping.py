"""Applying a mapping file: foreign CSV exports read as interchange rows, without a script.

:func:`open_mapped` checks every foreign file the mapping names before anything is written
(it exists, is UTF-8 with or without BOM, and its header has every column the mapping
reads) and returns a :class:`~ingest.reader.Dataset` with one unit per foreign file, in
dependency order. Each unit's source streams ``(line, values)`` with ``values`` in
interchange column names, so the runner's ``parse_record`` validates them and its messages
name the foreign file and line (``answers.csv:17: kind: …``).

Rows are mapped on the fly, never a whole file in memory. A ``lookup`` (a join) holds only
``match value → looked-up value`` of the file it reads, while the file that needs it is
being loaded. A row is mapped in this order: take the foreign cell (or the looked-up value),
``split`` it, apply the value map, fill a blank with the default, prepend ``id_prefix`` to
ids and references. The format is documented in ``docs/mapping.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from graphsvc.errors import InputError, ValidationError
from graphsvc.interchange import SPECS
from ingest.mapping_spec import FileRule, Lookup, Mapping, load_mapping
from ingest.reader import CsvSource, Dataset, Row, RowValues, Unit, check_utf8

__all__ = ["MappedSource", "Mapping", "load_mapping", "open_mapped"]

#: a lookup's table: match value → looked-up value, or None when rows disagree
Table = dict[str, str | None]
_ENTITY_ORDER = {entity: position for position, entity in enumerate(SPECS)}


@dataclass(frozen=True, slots=True)
class MappedSource(CsvSource):
    """A foreign CSV file read through one ``[[file]]`` rule of a mapping.

    ``path`` is the foreign file and ``entity`` the one it feeds; :meth:`rows` yields
    interchange rows and may be called again for a second pass (``--strict``).
    """

    folder: Path
    rule: FileRule
    mapping: Mapping

    @property
    def label(self) -> str:
        return self.path.relative_to(self.folder).as_posix()

    def rows(self) -> Iterator[Row]:
        tables = _load_lookups(self.folder, self.rule.lookups.values())
        with _open_text(self.path) as handle:
            reader = csv.reader(handle, delimiter=self.rule.delimiter)
            header = _header(reader, self.label)
            mapper = RowMapper(self.rule, header, tables, self.mapping)
            while True:
                line = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise InputError(self.label, f"malformed CSV: {exc}", line=line) from None
                if any(cell.strip() for cell in cells):
                    values = mapper.map(cells)
                    if values is not None:
                        yield line, values


class RowMapper:
    """Turns the cells of one foreign row into interchange values (see the module doc)."""

    def __init__(
        self, rule: FileRule, header: list[str], tables: dict[Lookup, Table], mapping: Mapping
    ) -> None:
        self.rule = rule
        self.width = len(header)
        self.index: dict[str, int] = {}
        for position, name in enumerate(header):
            self.index.setdefault(name, position)
        self.tables = tables
        spec = SPECS[rule.entity]
        self.list_columns = {c.name for c in spec.columns if c.kind == "list"}
        self.id_prefix = mapping.id_prefix
        self.id_columns = {"id"} & set(spec.column_names) | {c for c, _ in spec.references}
        wanted = set(rule.columns) | set(rule.lookups) | set(rule.defaults)
        self.targets = [name for name in spec.column_names if name in wanted]
        #: keep the foreign id (before the prefix) as the record's id in its source system
        self.keep_external_id = (
            mapping.source_system is not None
            and "external_id" in spec.column_names
            and "external_id" not in wanted
            and spec.key == ("id",)
        )

    def map(self, cells: list[str]) -> RowValues | None:
        """The row's values, a :class:`ValidationError`, or None when ``where`` skips it."""
        if len(cells) > self.width:
            return ValidationError(
                "(row)", f"{len(cells)} fields but the header has {self.width} columns"
            )
        for foreign, accepted in self.rule.where.items():
            if self._cell(cells, foreign) not in accepted:
                return None
        values: dict[str, object] = {}
        try:
            for column in self.targets:
                value = self._value(column, cells)
                if isinstance(value, tuple):
                    values[column] = list(value)
                elif value and column in self.id_columns:
                    values[column] = self.id_prefix + value
                elif value:
                    values[column] = value
        except ValidationError as exc:
            return exc
        if self.keep_external_id and "id" in values:
            values["external_id"] = str(values["id"])[len(self.id_prefix) :]
        for name in self.rule.attrs:
            if text := self._cell(cells, name):
                values[name] = text
        return values

    def _cell(self, cells: list[str], foreign: str) -> str:
        position = self.index[foreign]
        return cells[position].strip() if position < len(cells) else ""

    def _value(self, column: str, cells: list[str]) -> str | tuple[str, ...]:
        text = self._source(column, cells)
        value = self._split(column, text) if column in self.rule.split else text
        if column in self.rule.values:
            value = self._translate(column, value)
        return value or self.rule.defaults.get(column, "")

    def _source(self, column: str, cells: list[str]) -> str:
        if column in self.rule.columns:
            return self._cell(cells, self.rule.columns[column])
        lookup = self.rule.lookups.get(column)
        if lookup is None:
            return ""
        key = self._cell(cells, lookup.key)
        if not key:
            return ""
        table = self.tables[lookup]
        if key not in table:
            raise ValidationError(
                column, f"no row of {lookup.file} has {lookup.match} {key!r} (from {lookup.key})"
            )
        found = table[key]
        if found is None:
            raise ValidationError(
                column,
                f"several rows of {lookup.file} have {lookup.match} {key!r}"
                f" with different {lookup.column}",
            )
        return found

    def _split(self, column: str, text: str) -> str | tuple[str, ...]:
        """A list column gets every item; any other column the first one (e.g. first tag)."""
        items = tuple(item.strip() for item in text.split(self.rule.split[column]))
        items = tuple(item for item in items if item)
        if column in self.list_columns:
            return items
        return items[0] if items else ""

    def _translate(self, column: str, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        if isinstance(value, tuple):
            return tuple(self._translate_one(column, item) for item in value)
        return self._translate_one(column, value) if value else value

    def _translate_one(self, column: str, value: str) -> str:
        table = self.rule.values[column]
        if value in table:
            return table[value]
        if self.rule.strict_values:
            mapped = ", ".join(sorted(table))
            raise ValidationError(
                column, f"{value!r} has no entry in values.{column} (mapped: {mapped})"
            )
        return value


# --- lookups -------------------------------------------------------------------------------


def _load_lookups(folder: Path, lookups: Iterable[Lookup]) -> dict[Lookup, Table]:
    """Read each looked-up file once, keeping only the match and looked-up columns."""
    groups: dict[tuple[str, str, str], list[Lookup]] = {}
    for lookup in lookups:
        groups.setdefault((lookup.file, lookup.delimiter, lookup.match), []).append(lookup)
    tables: dict[Lookup, Table] = {}
    for (file, delimiter, match), members in groups.items():
        columns = sorted({lookup.column for lookup in members})
        by_column = _read_table(folder / file, file, delimiter, match, columns)
        for lookup in members:
            tables[lookup] = by_column[lookup.column]
    return tables


def _read_table(
    path: Path, label: str, delimiter: str, match: str, columns: list[str]
) -> dict[str, Table]:
    tables: dict[str, Table] = {column: {} for column in columns}
    with _open_text(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = _header(reader, label)
        key_at = header.index(match)
        value_at = {column: header.index(column) for column in columns}
        try:
            for cells in reader:
                key = cells[key_at].strip() if key_at < len(cells) else ""
                if not key:
                    continue
                for column, position in value_at.items():
                    value = cells[position].strip() if position < len(cells) else ""
                    table = tables[column]
                    if key in table and table[key] != value:
                        table[key] = None  # ambiguous: rows disagree
                    else:
                        table[key] = value
        except csv.Error as exc:
            raise InputError(label, f"malformed CSV: {exc}", line=reader.line_num) from None
    return tables


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
    source = MappedSource(rule.entity, path, folder, rule, mapping)
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
        with _open_text(path) as handle:
            try:
                header = _header(csv.reader(handle, delimiter=delimiter), label)
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


def _header(reader: Iterator[list[str]], label: str) -> list[str]:
    for cells in reader:
        if cells:
            return [name.strip() for name in cells]
    raise InputError(label, "empty file (expected a header row)")


def _open_text(path: Path) -> IO[str]:
    return path.open(encoding="utf-8-sig", newline="")
