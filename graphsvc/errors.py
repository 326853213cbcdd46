"""The one exception tree of graphsvc.

Every expected failure is a :class:`GraphsvcError`; its message carries the structured
facts (file, line, field, id) so that the CLI can print one line and the API can map it
to ``{"ok": false, "error": str, "status": int}``.
"""

from __future__ import annotations

from functools import partial
from typing import Any


class GraphsvcError(Exception):
    """Base class of every expected graphsvc failure."""

    #: HTTP status the API answers with for this error.
    status = 500
    #: process exit code the CLI uses for this error.
    exit_code = 1


class ConfigError(GraphsvcError):
    """A setting is missing or malformed (e.g. an unknown store URI scheme)."""

    status = 500
    exit_code = 2


class ValidationError(GraphsvcError, ValueError):
    """A value does not satisfy the domain model.

    ``field`` names the offending field, ``entity`` the record kind and ``record_id``
    the record's id when known; ``str(err)`` reads ``entity id: field: reason``.
    """

    status = 400
    exit_code = 3

    def __init__(
        self, field: str, reason: str, *, entity: str | None = None, record_id: str | None = None
    ) -> None:
        self.field = field
        self.reason = reason
        self.entity = entity
        self.record_id = record_id
        where = " ".join(part for part in (entity, record_id) if part)
        super().__init__(f"{where}: {field}: {reason}" if where else f"{field}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable: errors cross process boundaries
        build = partial(type(self), entity=self.entity, record_id=self.record_id)
        return (build, (self.field, self.reason))


class InputError(GraphsvcError):
    """A bad input file or row, located as ``file:line: field: reason``."""

    status = 400
    exit_code = 3

    def __init__(
        self, file: str, reason: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        location = f"{file}:{line}" if line is not None else file
        super().__init__(f"{location}: {field}: {reason}" if field else f"{location}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (partial(type(self), line=self.line, field=self.field), (self.file, self.reason))


class NotFound(GraphsvcError, LookupError):
    """A record named by id does not exist."""

    status = 404
    exit_code = 4

    def __init__(self, entity: str, record_id: str) -> None:
        self.entity = entity
        self.record_id = record_id
        super().__init__(f"{entity} {record_id!r} not found")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.entity, self.record_id))


class UnknownReference(GraphsvcError):
    """A record refers to a person, community or activity the store does not hold.

    Raised by a store's batch upsert; the whole batch is rolled back.
    """

    status = 422
    exit_code = 3

    def __init__(self, entity: str, record_id: str, field: str, missing_id: str) -> None:
        self.entity = entity
        self.record_id = record_id
        self.field = field
        self.missing_id = missing_id
        super().__init__(f"{entity} {record_id}: {field}: unknown id {missing_id!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.entity, self.record_id, self.field, self.missing_id))


class StoreError(GraphsvcError):
    """The store failed in a way that is not the caller's input."""

    status = 500
    exit_code = 5


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened; the message names the redacted URI."""

    status = 503
    exit_code = 5
