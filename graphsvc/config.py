"""Settings: one frozen object, read once from ``GRAPHSVC_*`` environment variables.

Nothing reads the environment at import time; call :func:`load_settings` (the CLI and
the web app do, once) and pass the result down. Every field is listed in
:data:`SETTINGS_DOC`, which the README's configuration table mirrors (a test checks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from graphsvc.errors import ConfigError

#: environment variable → (Settings field, default shown in docs, meaning)
SETTINGS_DOC: dict[str, tuple[str, str, str]] = {
    "GRAPHSVC_STORE": (
        "store",
        "sqlite:///graphsvc.db",
        "Where the graph lives: `sqlite:///path/graph.db` (relative or `sqlite:////abs/path`) "
        "or `neo4j://host:7687` / `bolt://host:7687` (credentials may also be given as "
        "`bolt://user:password@host:7687`).",
    ),
    "GRAPHSVC_NEO4J_USER": ("neo4j_user", "neo4j", "Neo4j user name."),
    "GRAPHSVC_NEO4J_PASSWORD": ("neo4j_password", "(none)", "Neo4j password."),
    "GRAPHSVC_NEO4J_DATABASE": ("neo4j_database", "neo4j", "Neo4j database every query names."),
    "GRAPHSVC_BATCH_SIZE": (
        "batch_size",
        "5000",
        "Rows per write transaction when importing or loading the demo.",
    ),
    "GRAPHSVC_TIMEZONE": (
        "timezone",
        "UTC",
        "IANA zone that naive times in imported files are read in (stored as UTC).",
    ),
    "GRAPHSVC_WEB_ACCOUNTS": (
        "web_accounts",
        "(beside the SQLite store, else ./graphsvc-accounts.db)",
        "SQLite file of the web UI's users and API tokens (passwords and tokens hashed).",
    ),
    "GRAPHSVC_SECRET_KEY": (
        "secret_key",
        "(generated once, kept in the accounts file)",
        "Signs the web UI's session cookies; set it when several servers share sessions.",
    ),
    "GRAPHSVC_SECURE_COOKIES": (
        "secure_cookies",
        "false",
        "`true` marks session cookies Secure (send them over HTTPS only): set it behind TLS.",
    ),
    "GRAPHSVC_DECLINE_REST_DAYS": (
        "decline_rest_days",
        "180",
        'Days a declined suggestion is not made again ("already know each other": never).',
    ),
    "GRAPHSVC_MIN_GROUP_SIZE": (
        "min_group_size",
        "5",
        "Smallest group whose aggregates the evaluation pages, API and reports show; values"
        " of smaller groups are suppressed.",
    ),
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration of one graphsvc process (see :data:`SETTINGS_DOC`)."""

    store: str = "sqlite:///graphsvc.db"
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    batch_size: int = 5000
    timezone: str = "UTC"
    web_accounts: str = ""
    secret_key: str | None = None
    secure_cookies: bool = False
    min_group_size: int = 5
    decline_rest_days: int = 180

    def __post_init__(self) -> None:
        if self.decline_rest_days < 0:
            raise ConfigError(
                f"GRAPHSVC_DECLINE_REST_DAYS: must be ≥ 0, got {self.decline_rest_days}"
            )
        if self.min_group_size < 1:
            raise ConfigError(f"GRAPHSVC_MIN_GROUP_SIZE: must be ≥ 1, got {self.min_group_size}")
        if self.batch_size < 1:
            raise ConfigError(f"GRAPHSVC_BATCH_SIZE: must be ≥ 1, got {self.batch_size}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"GRAPHSVC_TIMEZONE: unknown time zone {self.timezone!r}") from None

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the non-None ``changes`` applied (used for command-line flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read :class:`Settings` from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for variable, (name, _default, _meaning) in SETTINGS_DOC.items():
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        values[name] = _PARSERS.get(name, _text)(variable, raw)
    return Settings(**values)


def _text(_variable: str, raw: str) -> str:
    return raw


def _parse_bool(variable: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{variable}: expected true or false, got {raw!r}")


def _parse_int(variable: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{variable}: not a whole number: {raw!r}") from None


_PARSERS = {
    "batch_size": _parse_int,
    "secure_cookies": _parse_bool,
    "min_group_size": _parse_int,
    "decline_rest_days": _parse_int,
}


def redact_uri(uri: str) -> str:
    """``uri`` with any password replaced by ``***`` (safe to print or log)."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else f":***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
