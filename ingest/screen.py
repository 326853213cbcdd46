"""Screening one source's parsed rows before they are written.

Rows are collected into batches; per batch, duplicate keys are checked against the keys the
run has seen (one query) and references against the known ids. A community whose parent
comes later in its file waits until the parent is accepted. A named source's people are
resolved to graphsvc people (:mod:`ingest.identity`) just before their batch is written,
and the person ids other rows name are translated as the rows arrive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphsvc.errors import ValidationError
from graphsvc.interchange import SPECS, Record
from graphsvc.model import Community
from ingest.checks import (
    REFERENCED,
    KnownIds,
    key_text,
    parent_known,
    reference_checker,
    shown_key,
)

if TYPE_CHECKING:
    from ingest.reader import Source
    from ingest.runner import Lines, Loader, Sink


class Screen:
    """Collects one source's parsed rows into batches: duplicate keys and references are
    checked a batch at a time, communities wait for parents named later in the file."""

    def __init__(self, loader: Loader, source: Source, known: KnownIds, sink: Sink | None):
        self.loader = loader
        self.source = source
        self.known = known
        self.check_references = reference_checker(source.entity, known)
        self.sink = sink
        self.entity = source.entity
        self.key = key_text(source.entity)
        self.batch_size = loader.settings.batch_size
        self.pending: Lines = []
        self.waiting: list[tuple[int, Community]] = []

    def add(self, line: int, record: Record) -> None:
        if self.loader.resolver is not None and self.entity != "people":
            record = self.loader.resolver.translate(record)
        self.pending.append((line, record))
        if len(self.pending) >= self.batch_size:
            self._flush()

    def finish(self) -> None:
        self._flush()
        if self.waiting:
            self._resolve_parents()
        if self.sink is not None:  # the next entity may refer to these: let them commit first
            self.loader.settle(self.loader.writer.drain())

    def _flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        seen = self.loader.seen
        keys = [self.key(record) for _line, record in rows]
        taken = seen.taken(self.entity, keys)
        accepted: Lines = []
        new_keys: list[str] = []
        for (line, record), key in zip(rows, keys, strict=True):
            try:
                if key in taken:
                    raise ValidationError(
                        ", ".join(SPECS[self.entity].key),
                        f"duplicate id ({shown_key(self.entity, key)})",
                    )
                self.check_references(record)
            except ValidationError as exc:
                self.loader.reject(self.source, line, exc)
                continue
            taken.add(key)
            new_keys.append(key)
            if isinstance(record, Community) and not parent_known(record, self.known):
                self.waiting.append((line, record))  # its key is taken: a repeat is a duplicate
                continue
            self._accept(line, record, accepted)
        seen.insert(self.entity, new_keys)
        self._send(accepted)

    def _accept(self, line: int, record: Record, accepted: Lines) -> None:
        if self.entity in REFERENCED and not self._resolving:
            self.known.add(self.entity, [record.id])  # type: ignore[union-attr]
        accepted.append((line, record))

    @property
    def _resolving(self) -> bool:
        return self.loader.resolver is not None and self.entity == "people"

    def _send(self, accepted: Lines) -> None:
        if not accepted:
            return
        extra: dict[str, Any] = {}
        if self._resolving and self.loader.resolver is not None:
            resolved = self.loader.resolver.resolve_people(
                [record for _line, record in accepted]  # type: ignore[misc]
            )
            accepted = [(line, p) for (line, _), p in zip(accepted, resolved.people, strict=True)]
            self.known.add("people", (p.id for p in resolved.people))
            extra = {"aliases": resolved.aliases, "conflicts": resolved.conflicts}
        if self.sink is not None:
            self.sink(self.source, accepted, extra)

    def _resolve_parents(self) -> None:
        """Accept communities whose parent appeared later in the file, parents first."""
        waiting = self.waiting
        while waiting:
            if self.sink is not None:  # parents written in the previous round must commit first
                self.loader.settle(self.loader.writer.drain())
            ready = [(line, c) for line, c in waiting if parent_known(c, self.known)]
            if not ready:
                break
            waiting = [(line, c) for line, c in waiting if not parent_known(c, self.known)]
            accepted: Lines = []
            for line, community in ready:
                self._accept(line, community, accepted)
            for start in range(0, len(accepted), self.batch_size):
                self._send(accepted[start : start + self.batch_size])
        for line, community in waiting:
            error = ValidationError("parent_id", f"unknown community {community.parent_id!r}")
            self.loader.reject(self.source, line, error)
