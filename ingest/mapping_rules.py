"""What a mapping file says, once parsed: :class:`Mapping`, its :class:`FileRule` tables and
their :class:`Lookup` joins.

These are plain frozen values. :func:`ingest.mapping_spec.load_mapping` builds them from a
mapping file (checking every key), :func:`ingest.mapping.open_mapped` applies them to a
data folder. The format is documented in ``docs/mapping.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Default", "FileRule", "Lookup", "Mapping", "is_glob"]

#: a default value: text, or items for a list column
Default = str | tuple[str, ...]
_GLOB_CHARS = frozenset("*?[")


def is_glob(path: str) -> bool:
    """Whether a mapping's ``path`` is a pattern (``exports/*.csv``) rather than one file."""
    return any(char in _GLOB_CHARS for char in path)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A join: the value of ``column`` in the row of ``file`` whose ``match`` equals ``key``.

    ``key`` is a column of the file being mapped; ``match`` and ``column`` are columns of
    ``file`` (a path relative to the data folder, read with ``delimiter``).
    """

    file: str
    key: str
    match: str
    column: str
    delimiter: str


@dataclass(frozen=True, slots=True)
class FileRule:
    """One ``[[file]]`` table: how one foreign file (or glob) feeds one entity.

    Dict keys are interchange column names except in ``where`` (foreign column → accepted
    values); ``columns`` values are foreign column names.
    """

    number: int
    path: str
    entity: str
    delimiter: str
    columns: dict[str, str]
    lookups: dict[str, Lookup]
    split: dict[str, str]
    values: dict[str, dict[str, str]]
    strict_values: bool
    defaults: dict[str, Default]
    where: dict[str, frozenset[str]]
    attrs: tuple[str, ...]

    @property
    def name(self) -> str:
        """``file #2 (answers.csv)``: how messages name this table."""
        return f"file #{self.number} ({self.path})"

    @property
    def is_pattern(self) -> bool:
        return is_glob(self.path)

    def foreign_columns(self) -> dict[str, str]:
        """Every foreign column this rule reads → what it is used for (for messages)."""
        used: dict[str, str] = {}
        for column, foreign in self.columns.items():
            used.setdefault(foreign, f"mapped to {column}")
        for column, lookup in self.lookups.items():
            used.setdefault(lookup.key, f"key of lookup.{column}")
        for foreign in self.where:
            used.setdefault(foreign, "used by where")
        for foreign in self.attrs:
            used.setdefault(foreign, "kept as attr")
        return used


@dataclass(frozen=True, slots=True)
class Mapping:
    """A parsed, validated mapping file (:func:`ingest.mapping_spec.load_mapping`)."""

    path: Path
    source_system: str | None
    id_prefix: str
    files: tuple[FileRule, ...]

    @property
    def label(self) -> str:
        return self.path.name
