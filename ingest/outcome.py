"""What an import run reports: row outcomes per entity, error messages, progress.

Every row ends in exactly one outcome (:data:`graphsvc.model.ROW_OUTCOMES`): ``inserted``,
``updated`` and ``unchanged`` come from the store's :class:`~graphsvc.store.WriteCounts`
of the committed batches, ``rejected`` from validation, checks and refused batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphsvc.model import ROW_OUTCOMES, ImportRun, ImportStatus
from graphsvc.store import WriteCounts

#: at most this many messages are kept in the import-run record (the count is always exact)
MAX_RECORDED_ERRORS = 10_000
#: the outcome key of rows whose entity could not be told (e.g. an NDJSON line without type)
UNKNOWN_ENTITY = "unknown"


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """Rows processed so far out of an estimate of the whole import (None when unknown)."""

    label: str
    done: int
    total: int | None


Progress = Callable[[ProgressReport], None]


@dataclass
class Tally:
    """Row outcomes per entity and the first :data:`MAX_RECORDED_ERRORS` messages."""

    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    #: rows found bad (a strict-rejected file's good rows are rejected but not bad)
    bad_rows: int = 0

    def entity(self, entity: str) -> dict[str, int]:
        return self.outcomes.setdefault(entity, dict.fromkeys(ROW_OUTCOMES, 0))

    def written(self, entity: str, counts: WriteCounts) -> None:
        per = self.entity(entity)
        per["inserted"] += counts.inserted
        per["updated"] += counts.updated
        per["unchanged"] += counts.unchanged

    def reject(self, entity: str, message: str, rows: int = 1) -> None:
        """Count ``rows`` rejected rows of ``entity`` and keep the message."""
        self.entity(entity)["rejected"] += rows
        self.bad_rows += rows
        self.note(message)

    def note(self, message: str) -> None:
        """Keep a message that rejects no row by itself (file-level remarks)."""
        if len(self.messages) < MAX_RECORDED_ERRORS:
            self.messages.append(message)
        elif len(self.messages) == MAX_RECORDED_ERRORS:
            self.messages.append("… further messages not recorded")

    def accepted(self) -> dict[str, int]:
        """Rows committed per entity (inserted + updated + unchanged)."""
        return {
            entity: per["inserted"] + per["updated"] + per["unchanged"]
            for entity, per in self.outcomes.items()
            if entity != UNKNOWN_ENTITY
        }

    def processed(self) -> int:
        return sum(sum(per.values()) for per in self.outcomes.values())


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The outcome of an import: the recorded run plus what the CLI reports."""

    run: ImportRun
    bad_rows: int
    rejected: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.run.status == ImportStatus.SUCCEEDED


def final_status(tally: Tally, *, interrupted: bool) -> ImportStatus:
    """``succeeded`` without messages, else ``partial`` when anything loaded, else ``failed``."""
    if interrupted:
        return ImportStatus.INTERRUPTED
    if not tally.messages:
        return ImportStatus.SUCCEEDED
    return ImportStatus.PARTIAL if any(tally.accepted().values()) else ImportStatus.FAILED
