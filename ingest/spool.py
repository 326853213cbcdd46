"""Spooling: records of any entity, in any order, into per-entity files (NDJSON and more).

An NDJSON file (and a GraphML/GEXF file, or an HTTP source's pages) lists its records in any
order; the runner loads entities in dependency order. So such a source is split once into
per-entity spool files (``line<TAB>json``) in a temporary folder, and each spool file is
then read as one :class:`SpoolSource`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from graphsvc.errors import InputError, ValidationError
from graphsvc.interchange import ENTITY_OF_TYPE, SPECS
from ingest.reader import Dataset, Row, RowValues, Source, Unit, check_utf8, open_text


@dataclass(frozen=True, slots=True)
class SpoolSource:
    """The records of one ``type`` of an NDJSON file, spooled as ``line<TAB>json``."""

    entity: str
    label: str
    spool: Path

    def rows(self) -> Iterator[Row]:
        with self.spool.open(encoding="utf-8") as handle:
            for text in handle:
                line, _, payload = text.partition("\t")
                obj = json.loads(payload)
                obj.pop("type", None)
                yield int(line), _unicode_checked(obj, payload)


def _unicode_checked(obj: dict[str, object], payload: str) -> RowValues:
    """``obj``, or the error when a ``\\udXXX`` escape left a lone surrogate in it (not
    Unicode text: no store can hold it)."""
    if "\\ud" not in payload.lower():
        return obj
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return ValidationError("(json)", "a \\u escape is a lone surrogate: not Unicode text")
    return obj


def open_ndjson(path: Path) -> Dataset:
    """One NDJSON file as a dataset of one unit (its lines spooled per entity)."""
    check_utf8(path)
    tmp = tempfile.TemporaryDirectory(prefix="graphsvc-import-")
    try:
        unit = _spool_ndjson(path, Path(tmp.name))
    except BaseException:
        tmp.cleanup()
        raise
    return Dataset(path, [unit], _tmp=tmp)


class Spooler:
    """Writes records of any entity, in any order, to per-entity spool files in ``folder``.

    Readers of formats that do not group records by entity (NDJSON, GraphML/GEXF, HTTP pages)
    spool once so that the runner can load in dependency order. ``add(entity, line, obj)``
    stores ``obj`` (interchange field names → values, JSON-serialisable) under the number
    ``line`` that messages will name; :meth:`sources` closes the files and returns one
    :class:`SpoolSource` per entity present, in dependency order.
    """

    def __init__(self, folder: Path, label: str) -> None:
        self.folder = folder
        self.label = label
        self._files: dict[str, IO[str]] = {}

    def add(self, entity: str, line: int, obj: Mapping[str, object]) -> None:
        self.add_text(entity, line, json.dumps(obj, ensure_ascii=False, separators=(",", ":")))

    def add_text(self, entity: str, line: int, text: str) -> None:
        """Like :meth:`add` for a line that already is one JSON object."""
        handle = self._files.get(entity)
        if handle is None:
            handle = (self.folder / f"{entity}.spool").open("w", encoding="utf-8")
            self._files[entity] = handle
        handle.write(f"{line}\t{text}\n")

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()

    def sources(self) -> list[Source]:
        self.close()
        return [
            SpoolSource(entity, self.label, self.folder / f"{entity}.spool")
            for entity in SPECS
            if entity in self._files
        ]


def _spool_ndjson(path: Path, folder: Path) -> Unit:
    problems: list[str] = []
    label = path.name
    saw_content = False
    spooler = Spooler(folder, label)
    try:
        with open_text(path) as handle:
            for line, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                saw_content = True
                entity, reason = _classify(text)
                if reason is not None:
                    problems.append(f"{label}:{line}: {reason}")
                    continue
                assert entity is not None
                spooler.add_text(entity, line, text.strip())
    finally:
        spooler.close()
    if not saw_content:
        raise InputError(label, "empty file (expected one JSON object per line)")
    return Unit(label, spooler.sources(), problems)


def _classify(text: str) -> tuple[str | None, str | None]:
    """``(entity, None)`` for a usable NDJSON line, else ``(None, "field: reason")``."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"(json): not valid JSON: {exc.msg} (column {exc.colno})"
    except (ValueError, RecursionError) as exc:  # e.g. a 5,000-digit number, deep nesting
        return None, f"(json): cannot be read: {type(exc).__name__}"
    if not isinstance(obj, dict):
        return None, "(json): not a JSON object"
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in ENTITY_OF_TYPE:
        known = ", ".join(ENTITY_OF_TYPE)
        return None, f"type: {'missing' if kind is None else repr(kind)}, expected one of {known}"
    return ENTITY_OF_TYPE[kind], None
