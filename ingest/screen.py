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
from graphsvc.interchange import SPECS
from graphsvc.model import Community
from ingest.checks import (
    INTERACTION_ROWS,
    REFERENCED,
    KnownIds,
    Layout,
    all_references_known,
    parent_known,
    record_layout,
    reference_checker,
    shown_key,
)

if TYPE_CHECKING:
    from ingest.reader import Source
    from ingest.runner import Lines, Loader, Sink


class Screen:
    """Collects one source's parsed rows into batches: duplicate keys and references are
    checked a batch at a time, communities wait for parents named later in the file.

    Records are model objects, or with ``rows=True`` interaction rows (the columnar fast
    path: :data:`~ingest.checks.INTERACTION_ROWS`).
    """

    def __init__(
        self,
        loader: Loader,
        source: Source,
        known: KnownIds,
        sink: Sink | None,
        *,
        rows: bool = False,
    ) -> None:
        self.loader = loader
        self.source = source
        self.known = known
        self.layout: Layout = INTERACTION_ROWS if rows else record_layout(source.entity)
        self.check_references = reference_checker(self.layout, known)
        self.sink = sink
        self.entity = source.entity
        self.key = self.layout.key
        self.translate = None
        if loader.resolver is not None and self.entity != "people":
            self.translate = loader.resolver.translate_row if rows else loader.resolver.translate
        self.batch_size = loader.settings.batch_size
        self.pending: Lines = []
        self.waiting: list[tuple[int, Community]] = []

    def add(self, line: int, record: Any) -> None:
        if self.translate is not None:
            record = self.translate(record)
        self.pending.append((line, record))
        if len(self.pending) >= self.batch_size:
            self._flush()

    def add_all(self, lines: Lines) -> None:
        """:meth:`add` of each ``(line, record)``, a batch at a time."""
        if self.translate is not None:
            translate = self.translate
            lines = [(line, translate(record)) for line, record in lines]
        self.pending += lines
        while len(self.pending) >= self.batch_size:
            rest = self.pending[self.batch_size :]
            del self.pending[self.batch_size :]
            self._flush()
            self.pending = rest

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
        records = [record for _line, record in rows]
        keys = list(map(self.key, records))
        taken = seen.taken(self.entity, keys)
        if not taken and self._all_clear(keys, records):  # the common case, in one step
            if self.entity in REFERENCED and not self._resolving:
                self.known.add(self.entity, keys)  # their keys are their ids
            seen.insert(self.entity, keys)
            self._send(rows)
            return
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

    def _all_clear(self, keys: list[str], records: list[Any]) -> bool:
        """No key twice, every reference known, and no community (parents may come later)."""
        return (
            self.entity != "communities"
            and len(set(keys)) == len(keys)
            and all_references_known(self.layout, self.known, records)
        )

    def _accept(self, line: int, record: Any, accepted: Lines) -> None:
        if self.entity in REFERENCED and not self._resolving:
            self.known.add(self.entity, [record.id])
        accepted.append((line, record))

    @property
    def _resolving(self) -> bool:
        return self.loader.resolver is not None and self.entity == "people"

    def _send(self, accepted: Lines) -> None:
        if not accepted:
            return
        extra: dict[str, Any] = {}
        if self._resolving and self.loader.resolver is not None:
            resolved = self.loader.resolver.resolve_people([record for _line, record in accepted])
            accepted = [(line, p) for (line, _), p in zip(accepted, resolved.people, strict=True)]
            self.known.add("people", (p.id for p in resolved.people))
            extra = {"aliases": resolved.aliases, "conflicts": resolved.conflicts}
        if self.sink is not None:
            records = self.layout.pack([record for _line, record in accepted])
            self.sink(self.source, (accepted[0][0], accepted[-1][0]), records, extra)

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
