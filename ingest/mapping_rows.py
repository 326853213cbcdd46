"""Mapping one foreign CSV row to interchange values, and the lookup tables it joins against.

:class:`RowMapper` turns the cells of one row into values by interchange column name, in this
order: take the foreign cell (or the looked-up value), ``split`` it, apply the value map, fill
a blank with the default, prepend ``id_prefix`` to ids and references; a row that ``where``
rejects maps to None, a bad one to its :class:`~graphsvc.errors.ValidationError`.
:func:`load_lookups` reads each file a ``lookup`` joins once, keeping only ``match value →
looked-up value``. The source that streams a file through both is
:class:`ingest.mapping.MappedSource`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from graphsvc.errors import InputError, ValidationError
from graphsvc.interchange import SPECS
from ingest.mapping_rules import FileRule, Lookup, Mapping
from ingest.reader import RowValues

__all__ = ["RowMapper", "Table", "load_lookups", "open_text", "read_header"]

#: a lookup's table: match value → looked-up value, or None when rows disagree
Table = dict[str, str | None]


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


def load_lookups(folder: Path, lookups: Iterable[Lookup]) -> dict[Lookup, Table]:
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
    with open_text(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = read_header(reader, label)
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


# --- foreign CSV files ---------------------------------------------------------------------


def read_header(reader: Iterator[list[str]], label: str) -> list[str]:
    """The first non-empty row of a foreign CSV, names stripped; an empty file is an error."""
    for cells in reader:
        if cells:
            return [name.strip() for name in cells]
    raise InputError(label, "empty file (expected a header row)")


def open_text(path: Path) -> IO[str]:
    """A foreign CSV file opened for :mod:`csv` (UTF-8, a BOM skipped)."""
    return path.open(encoding="utf-8-sig", newline="")
