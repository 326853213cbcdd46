"""Connecting to Neo4j: URI and credentials, a verified driver, driver errors → ours.

Credentials come from ``bolt://user:password@host:7687`` when the URI carries them,
otherwise from ``Settings.neo4j_user`` / ``neo4j_password``. Every message names the
store by its redacted URI and never contains the password.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graphsvc.config import Settings, redact_uri
from graphsvc.errors import ConfigError, StoreError, StoreUnavailable

#: seconds to keep retrying a refused connection when opening the store
CONNECT_RETRY_SECONDS = 3.0
#: seconds one connection attempt may take (a silent host fails after this)
CONNECT_TIMEOUT_SECONDS = 3.0
_RETRY_PAUSE_SECONDS = 0.25
_SCHEMES = {"neo4j", "bolt", "neo4j+s", "bolt+s", "neo4j+ssc", "bolt+ssc"}


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    """Where and as whom to connect; ``repr`` hides the password."""

    driver_uri: str
    location: str
    database: str
    user: str
    password: str | None

    def __repr__(self) -> str:
        return f"Neo4jTarget({self.location!r}, database={self.database!r}, user={self.user!r})"

    def scrub(self, text: str) -> str:
        """``text`` with the password (if any) replaced by ``***``."""
        return text.replace(self.password, "***") if self.password else text


def parse_target(settings: Settings) -> Neo4jTarget:
    """The connection target ``settings`` describe (URI credentials win over settings)."""
    location = redact_uri(settings.store)
    parts = urlsplit(settings.store)
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise ConfigError(f"GRAPHSVC_STORE: not a Neo4j URI: {location!r}")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"GRAPHSVC_STORE: bad port in {location!r}") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port is None else f"{host}:{port}"
    user = unquote(parts.username) if parts.username else settings.neo4j_user
    password = unquote(parts.password) if parts.password is not None else settings.neo4j_password
    return Neo4jTarget(
        driver_uri=urlunsplit((parts.scheme.lower(), netloc, "", parts.query, "")),
        location=location,
        database=settings.neo4j_database,
        user=user,
        password=password,
    )


def open_driver(target: Neo4jTarget) -> neo4j.Driver:
    """A driver whose connectivity is verified (refused connections retried briefly).

    Raises :class:`StoreUnavailable` naming the redacted URI and the reason.
    """
    auth = None if target.password is None else neo4j.basic_auth(target.user, target.password)
    try:
        driver = neo4j.GraphDatabase.driver(
            target.driver_uri,
            auth=auth,
            connection_timeout=CONNECT_TIMEOUT_SECONDS,
            notifications_min_severity="OFF",
            user_agent="graphsvc",
        )
    except (DriverError, ValueError) as exc:
        raise StoreUnavailable(f"Neo4j store {target.location}: {target.scrub(str(exc))}") from None
    try:
        _verify(driver, target)
    except BaseException:
        driver.close()
        raise
    return driver


def _verify(driver: neo4j.Driver, target: Neo4jTarget) -> None:
    deadline = time.monotonic() + CONNECT_RETRY_SECONDS
    while True:
        try:
            driver.verify_connectivity()
            return
        except AuthError:
            raise StoreUnavailable(
                f"Neo4j store {target.location}: authentication failed for user "
                f"{target.user!r} (wrong user or password; see GRAPHSVC_NEO4J_PASSWORD)"
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            if time.monotonic() + _RETRY_PAUSE_SECONDS > deadline:
                raise StoreUnavailable(
                    f"Neo4j store {target.location}: cannot connect ({target.scrub(_reason(exc))})"
                ) from None
            time.sleep(_RETRY_PAUSE_SECONDS)


def _reason(exc: BaseException) -> str:
    """The root cause of an exception chain in a few words (e.g. 'Connection refused')."""
    root = exc
    while (cause := root.__cause__ or root.__context__) is not None and cause is not root:
        root = cause
    if isinstance(root, OSError) and root.strerror:
        return root.strerror
    text = str(root).strip() or str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def translated_errors(target: Neo4jTarget) -> Iterator[None]:
    """Turn driver failures into :class:`StoreUnavailable` / :class:`StoreError`.

    Our own exceptions (e.g. ``UnknownReference`` raised inside a transaction) pass.
    """
    try:
        yield
    except (ServiceUnavailable, SessionExpired, AuthError) as exc:
        raise StoreUnavailable(
            f"Neo4j store {target.location}: unavailable: {target.scrub(_reason(exc))}"
        ) from None
    except Neo4jError as exc:
        if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
            raise StoreUnavailable(
                f"Neo4j store {target.location}: database {target.database!r} does not exist"
            ) from None
        raise StoreError(
            f"Neo4j store {target.location}: {exc.code}: {target.scrub(exc.message or '')}"
        ) from None
    except DriverError as exc:
        raise StoreError(f"Neo4j store {target.location}: {target.scrub(_reason(exc))}") from None


def session_config(target: Neo4jTarget, *, read: bool) -> dict[str, Any]:
    """Keyword arguments of ``driver.session`` (always naming the database)."""
    mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS
    return {"database": target.database, "default_access_mode": mode}
