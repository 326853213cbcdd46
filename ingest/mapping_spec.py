"""Mapping files: the TOML that says how a foreign CSV export becomes graphsvc records.

An integrator with a folder of CSVs from another system (a Q&A forum, an event tool, an HR
system) writes a small mapping file instead of a script: which foreign file feeds which
entity, which foreign column feeds which interchange column, value maps, list separators,
defaults, joins (``lookup``), row filters (``where``) and the ``source_system`` to stamp.
The format is documented in ``docs/mapping.md``.

:func:`load_mapping` parses and validates the file without reading any data: unknown keys,
unknown entities and columns (driven by :data:`graphsvc.interchange.SPECS`, so columns added
there are picked up without change), required columns without a source or default. Every
problem is reported at once in one :class:`~graphsvc.errors.InputError` naming the mapping
file and the key (``mapping.toml: file #2 (answers.csv) columns.knd: …``). The result is a
:class:`~ingest.mapping_rules.Mapping` (its types are re-exported here); checks of single
values are in :mod:`ingest.mapping_checks`. Applying a mapping to a data folder is
:func:`ingest.mapping.open_mapped`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from graphsvc.errors import InputError
from graphsvc.interchange import FileSpec
from ingest.mapping_checks import (
    Problems,
    check_keys,
    delimiter_value,
    entity_spec,
    flag_value,
    relative_path,
    scalar_text,
    text_value,
)
from ingest.mapping_rules import Default, FileRule, Lookup, Mapping, is_glob

__all__ = ["Default", "FileRule", "Lookup", "Mapping", "load_mapping"]

_TOP_KEYS = ("source_system", "id_prefix", "delimiter", "file")
_FILE_KEYS: tuple[str, ...] = (
    "path",
    "entity",
    "delimiter",
    "columns",
    "lookup",
    "split",
    "values",
)
_FILE_KEYS += ("strict_values", "defaults", "where", "attrs")
_LOOKUP_KEYS = ("file", "key", "match", "column", "delimiter")


def load_mapping(path: Path) -> Mapping:
    """Read and validate the mapping file at ``path`` (TOML, UTF-8).

    Raises :class:`~graphsvc.errors.InputError` naming the file and every bad key.
    """
    label = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the mapping file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(label, "not UTF-8 text; save the mapping file as UTF-8") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(label, f"not valid TOML: {exc}") from None
    problems = Problems(label)
    mapping = _parse_mapping(path, document, problems)
    problems.raise_if_any()
    return mapping


def _parse_mapping(path: Path, document: dict[str, object], problems: Problems) -> Mapping:
    check_keys(document, _TOP_KEYS, "", problems)
    source_system = text_value(document.get("source_system"), "source_system", problems)
    id_prefix = document.get("id_prefix", "")
    if not isinstance(id_prefix, str):
        problems.add("id_prefix", "must be a string")
        id_prefix = ""
    delimiter = delimiter_value(document.get("delimiter", ","), "delimiter", problems)
    tables = document.get("file")
    if not isinstance(tables, list) or not tables:
        problems.add("file", "no [[file]] tables (each says which foreign file feeds an entity)")
        tables = []
    rules = [
        _parse_file(number, table, delimiter, source_system, problems)
        for number, table in enumerate(tables, start=1)
    ]
    return Mapping(path, source_system, id_prefix, tuple(rule for rule in rules if rule))


def _parse_file(
    number: int, table: object, delimiter: str, source_system: str | None, problems: Problems
) -> FileRule | None:
    where = f"file #{number}"
    if not isinstance(table, dict):
        problems.add(where, "must be a [[file]] table")
        return None
    path = relative_path(table.get("path"), f"{where} path", problems)
    where = f"{where} ({path})" if path else where
    check_keys(table, _FILE_KEYS, where, problems)
    spec = entity_spec(table.get("entity"), f"{where} entity", problems)
    if path is None or spec is None:
        return None
    own_delimiter = delimiter_value(
        table.get("delimiter", delimiter), f"{where} delimiter", problems
    )
    parser = _FileParser(table, spec, where, own_delimiter, problems)
    rule = FileRule(
        number=number,
        path=path,
        entity=spec.entity,
        delimiter=own_delimiter,
        columns=parser.each("columns", parser.foreign_column),
        lookups=parser.each("lookup", parser.lookup),
        split=parser.each("split", parser.separator),
        values=parser.each("values", parser.value_map),
        strict_values=flag_value(
            table.get("strict_values", False), f"{where} strict_values", problems
        ),
        defaults=parser.each("defaults", parser.default),
        where=parser.where(),
        attrs=parser.attrs(),
    )
    _check_sources(rule, spec, where, problems)
    if source_system and "source_system" in spec.column_names:
        rule.defaults.setdefault("source_system", source_system)
    return rule


def _check_sources(rule: FileRule, spec: FileSpec, where: str, problems: Problems) -> None:
    """Each column has at most one source; split/values need one; required ones need one."""
    sourced = set(rule.columns) | set(rule.lookups)
    for column in sorted(set(rule.columns) & set(rule.lookups)):
        problems.add(f"{where} lookup.{column}", f"{column} is also in columns (give one source)")
    for table, columns in (("split", rule.split), ("values", rule.values)):
        for column in columns:
            if column not in sourced:
                reason = f"{column} has no source (map it under columns or lookup)"
                problems.add(f"{where} {table}.{column}", reason)
    for column in spec.required:
        if column not in sourced and column not in rule.defaults:
            reason = f"{column} is required for {spec.entity} but has no source or default"
            problems.add(where, reason + " (add it under columns, lookup or defaults)")


T = TypeVar("T")


class _FileParser:
    """Reads the tables of one ``[[file]]``; most are keyed by the entity's columns."""

    def __init__(
        self,
        table: dict[str, object],
        spec: FileSpec,
        where: str,
        delimiter: str,
        problems: Problems,
    ) -> None:
        self.table, self.spec, self.place = table, spec, where
        self.delimiter, self.problems = delimiter, problems

    def _subtable(self, name: str) -> dict[str, object]:
        value = self.table.get(name, {})
        if isinstance(value, dict):
            return value
        self.problems.add(f"{self.place} {name}", f"must be a table ([file.{name}])")
        return {}

    def each(self, name: str, parse: Callable[[str, object, str], T | None]) -> dict[str, T]:
        """``[file.NAME]``: interchange column → ``parse(column, value, key)``."""
        result: dict[str, T] = {}
        for column, value in self._subtable(name).items():
            key = f"{self.place} {name}.{column}"
            if column not in self.spec.column_names:
                known = ", ".join(self.spec.column_names)
                reason = f"{column!r} is not a column of {self.spec.entity} (known: {known})"
                self.problems.add(key, reason)
            elif (parsed := parse(column, value, key)) is not None:
                result[column] = parsed
        return result

    def foreign_column(self, _column: str, value: object, key: str) -> str | None:
        return text_value(value, key, self.problems)

    def separator(self, _column: str, value: object, key: str) -> str | None:
        if isinstance(value, str) and value:
            return value
        self.problems.add(key, "must be a non-empty string (the separator of the items)")
        return None

    def lookup(self, _column: str, value: object, key: str) -> Lookup | None:
        if not isinstance(value, dict):
            self.problems.add(key, "must be a table with file, key, match and column")
            return None
        check_keys(value, _LOOKUP_KEYS, key, self.problems)
        file = relative_path(value.get("file"), f"{key}.file", self.problems)
        parts = [
            text_value(value.get(part), f"{key}.{part}", self.problems, required=True)
            for part in ("key", "match", "column")
        ]
        delimiter = delimiter_value(
            value.get("delimiter", self.delimiter), f"{key}.delimiter", self.problems
        )
        if file is not None and is_glob(file):
            self.problems.add(f"{key}.file", "a lookup reads one file, not a pattern")
            return None
        if file is None or parts[0] is None or parts[1] is None or parts[2] is None:
            return None
        return Lookup(file, parts[0], parts[1], parts[2], delimiter)

    def value_map(self, _column: str, value: object, key: str) -> dict[str, str] | None:
        if not isinstance(value, dict):
            self.problems.add(key, "must be a table of foreign value = graphsvc value")
            return None
        result: dict[str, str] = {}
        for foreign, ours in value.items():
            text = scalar_text(ours)
            if text is None:
                self.problems.add(f"{key}.{foreign}", "must be a string, number or boolean")
            else:
                result[foreign.strip()] = text
        return result

    def default(self, column: str, value: object, key: str) -> Default | None:
        is_list = next(c.kind for c in self.spec.columns if c.name == column) == "list"
        if isinstance(value, list) and is_list and all(isinstance(v, str) for v in value):
            return tuple(str(item) for item in value)
        text = scalar_text(value)
        if text is None:
            expected = "a list of strings" if is_list else "a string, number, boolean or date"
            self.problems.add(key, f"must be {expected}")
        return text

    def where(self) -> dict[str, frozenset[str]]:
        """``[file.where]``: foreign column → the values that keep a row."""
        result: dict[str, frozenset[str]] = {}
        for foreign, accepted in self._subtable("where").items():
            items = [accepted] if isinstance(accepted, str) else accepted
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                reason = "must be a string or a list of strings"
                self.problems.add(f"{self.place} where.{foreign}", reason)
                continue
            result[foreign.strip()] = frozenset(str(v).strip() for v in items)
        return result

    def attrs(self) -> tuple[str, ...]:
        value, key = self.table.get("attrs", []), f"{self.place} attrs"
        if value and not self.spec.extra_columns_are_attrs:
            self.problems.add(key, f"only people have attrs, not {self.spec.entity}")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problems.add(key, "must be a list of foreign column names")
            return ()
        names = tuple(str(v).strip() for v in value)
        for name in names:
            if name in self.spec.column_names:
                reason = f"{name!r} is a {self.spec.entity} column; map it under columns instead"
                self.problems.add(key, reason)
        return names
