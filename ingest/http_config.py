"""What an HTTP import source is: :class:`HttpSourceConfig`, checked when it is built.

Every field is described in docs/http-sources.md. The config is built from parsed
configuration (TOML/JSON, :meth:`HttpSourceConfig.from_mapping`) and checked at once, so a
bad type, URL, parameter name or limit is reported before anything is fetched, in one
:class:`~graphsvc.errors.ConfigError` naming every bad field. The fetching itself is
:func:`ingest.http_source.fetch_http`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from graphsvc.errors import ConfigError
from ingest.http_secrets import Redactor

__all__ = ["HttpSourceConfig"]

#: query parameter / header names: RFC 7230 tokens
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class HttpSourceConfig:
    """One REST endpoint to import from; every field is described in docs/http-sources.md.

    Pagination follows ``next_key`` in the body or the ``Link`` header, unless ``page_param``
    is set (numbered pages from ``first_page`` until an empty page). The secret is read from
    the environment variable ``auth_env`` at fetch time, never stored here. Invalid values
    raise :class:`~graphsvc.errors.ConfigError` naming every bad field.
    """

    url: str
    name: str | None = None
    items_key: str = "items"
    next_key: str | None = "next"
    page_param: str | None = None
    first_page: int = 1
    page_size_param: str | None = None
    page_size: int | None = None
    auth_env: str | None = None
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    cursor_param: str | None = "updated_since"
    cursor_field: str | None = "updated_at"
    timeout: float = 30.0
    max_retries: int = 5
    backoff: float = 0.5
    max_backoff: float = 60.0
    max_pages: int = 10_000
    max_page_bytes: int = 64 << 20

    def __post_init__(self) -> None:
        problems = _type_problems(self) or _value_problems(self)
        if problems:
            raise ConfigError(f"HTTP source {self.label}: " + "; ".join(problems))

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> HttpSourceConfig:
        """Build from parsed configuration (TOML/JSON); unknown keys are a ConfigError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown or "url" not in values:
            where = values.get("name") or values.get("url") or "(unnamed)"
            reason = f"unknown key(s) {', '.join(unknown)}" if unknown else "url: is required"
            raise ConfigError(f"HTTP source {where}: {reason} (known: {', '.join(sorted(known))})")
        return cls(**values)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        """The source's name, else its URL with secrets masked (messages, run records)."""
        if isinstance(self.name, str) and self.name.strip():
            return self.name.strip()
        return Redactor().url(self.url) if isinstance(self.url, str) else "(no url)"


def _type_problems(config: HttpSourceConfig) -> list[str]:
    expected = {"str": (str,), "int": (int,), "float": (int, float)}
    problems = []
    for spec in fields(config):
        value = getattr(config, spec.name)
        kind, _, optional = str(spec.type).partition(" | ")
        if value is None and optional:
            continue
        if isinstance(value, bool) or not isinstance(value, expected[kind]):
            noun = {"str": "text", "int": "a whole number", "float": "a number"}[kind]
            problems.append(f"{spec.name}: must be {noun}, not {value!r}")
    return problems


def _value_problems(config: HttpSourceConfig) -> list[str]:
    problems = []
    if not _is_web_url(config.url):
        problems.append("url: must be an http:// or https:// URL with a host")
    for name in ("items_key", "next_key", "cursor_field"):
        if getattr(config, name) == "":
            problems.append(f"{name}: must not be empty (leave it unset instead)")
    for name in ("page_param", "page_size_param", "cursor_param", "auth_header"):
        value = getattr(config, name)
        if value is not None and not _TOKEN.fullmatch(value):
            problems.append(f"{name}: not a valid name: {value!r}")
    if (config.page_size_param is None) != (config.page_size is None):
        problems.append("page_size_param and page_size: set both or neither")
    if config.auth_env is not None and not _ENV_NAME.fullmatch(config.auth_env):
        problems.append(f"auth_env: not an environment variable name: {config.auth_env!r}")
    minimums = {"first_page": 0, "page_size": 1, "max_retries": 0, "max_pages": 1}
    for name, least in {**minimums, "max_page_bytes": 1}.items():
        value = getattr(config, name)
        if value is not None and value < least:
            problems.append(f"{name}: must be ≥ {least}, not {value}")
    for name, bound in (("timeout", "> 0"), ("backoff", "≥ 0"), ("max_backoff", "≥ 0")):
        value = getattr(config, name)
        if not (0 <= value < float("inf")) or (bound == "> 0" and value == 0):
            problems.append(f"{name}: must be a finite number of seconds {bound}, not {value}")
    return problems


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
