"""Import from a paginated REST endpoint that returns interchange objects (docs/http-sources.md).

Each page is a JSON array, or an object whose ``items`` key holds the array; each item is an
NDJSON interchange object (DESIGN.md §3: ``"type"`` plus the interchange fields) that may also
carry a last-change time (``updated_at``). :func:`fetch_http` follows the pages — the body's
``next`` URL or the ``Link: <…>; rel="next"`` header, or numbered pages — and spools every
object through :class:`~ingest.spool.Spooler` page by page, so memory holds one page at a
time. The result is a :class:`~ingest.reader.Dataset` for the runner's ``Loader`` and the
cursor to send next time: the greatest ``updated_at`` seen. The caller stores that cursor
only after every batch has committed, so a failed load is fetched again.

A source is described by :class:`~ingest.http_config.HttpSourceConfig` (re-exported here).
Its secret is read from the environment variable ``auth_env`` when fetching; it is never
stored on the config, and never appears in a message, log line or exception.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from graphsvc.errors import ConfigError, ValidationError
from graphsvc.interchange import ENTITY_OF_TYPE, SPECS, format_datetime, parse_datetime
from ingest.http_client import JsonClient, JsonObject, JsonPage, RetryPolicy, with_params
from ingest.http_config import HttpSourceConfig
from ingest.http_secrets import Auth, Redactor, origin_of
from ingest.reader import Dataset, Unit
from ingest.spool import Spooler

__all__ = ["HttpFetch", "HttpSourceConfig", "fetch_http"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]
"""Called as ``progress(label, items_so_far)`` after each page (like the runner's)."""

Sleep = Callable[[float], object]
_UTC = ZoneInfo("UTC")
_KNOWN_TYPES = ", ".join(ENTITY_OF_TYPE)


@dataclass(frozen=True, slots=True)
class HttpFetch:
    """What one :func:`fetch_http` got. Close ``dataset`` (a context manager) when loaded.

    ``next_cursor`` is the value to pass next time, ``pages``/``items`` what was read,
    ``requests`` the HTTP requests made (retries included) and ``retries`` how many of them
    repeated a failed one.
    """

    dataset: Dataset
    next_cursor: str | None
    pages: int
    items: int
    requests: int
    retries: int

    def __enter__(self) -> HttpFetch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dataset.close()


def fetch_http(
    config: HttpSourceConfig,
    cursor: str | None,
    *,
    environ: Mapping[str, str] = os.environ,
    progress: Progress | None = None,
    sleep: Sleep = time.sleep,
) -> HttpFetch:
    """Fetch every page of ``config``'s endpoint changed since ``cursor`` into a Dataset.

    Raises :class:`~ingest.http_client.SourceError` (an ``InputError``) when a page cannot be
    fetched or is not the expected JSON, and :class:`~graphsvc.errors.ConfigError` when the
    secret's environment variable is unset. Items with a missing or unknown ``type`` or an
    unreadable ``cursor_field`` become the unit's problems (``label:item: field: reason``).
    """
    secret = _read_secret(config, environ)
    tmp = tempfile.TemporaryDirectory(prefix="graphsvc-http-")
    try:
        fetch = _fetch_into(tmp, config, cursor, secret, sleep, progress)
    except BaseException:
        tmp.cleanup()
        raise
    counts = (fetch.items, fetch.pages, fetch.requests)
    log.info("%s: %d item(s), %d page(s), %d request(s)", config.label, *counts)
    return fetch


def _fetch_into(
    tmp: tempfile.TemporaryDirectory[str],
    config: HttpSourceConfig,
    cursor: str | None,
    secret: str | None,
    sleep: Sleep,
    progress: Progress | None,
) -> HttpFetch:
    redactor = Redactor([secret] if secret else [])
    spooler = Spooler(Path(tmp.name), config.label)
    collector = _Collector(config, spooler, redactor, cursor)
    with _client_for(config, secret, redactor, sleep) as client:
        try:
            _walk(config, client, cursor, collector, progress)
        finally:
            spooler.close()
    unit = Unit(config.label, spooler.sources(), collector.problems)
    dataset = Dataset(Path(tmp.name), [unit], _tmp=tmp)
    pages, items, next_cursor = collector.pages, collector.items, collector.next_cursor()
    return HttpFetch(dataset, next_cursor, pages, items, client.requests, client.retries)


def _client_for(
    config: HttpSourceConfig, secret: str | None, redactor: Redactor, sleep: Sleep
) -> JsonClient:
    auth = None
    if secret is not None:
        value = f"{config.auth_scheme} {secret}" if config.auth_scheme else secret
        auth = Auth(config.auth_header, value, origin_of(config.url))
    policy = RetryPolicy(config.timeout, config.max_retries, config.backoff, config.max_backoff)
    return JsonClient(policy, redactor, auth=auth, max_bytes=config.max_page_bytes, sleep=sleep)


def _read_secret(config: HttpSourceConfig, environ: Mapping[str, str]) -> str | None:
    if config.auth_env is None:
        return None
    secret = environ.get(config.auth_env, "").strip()
    if not secret:
        raise ConfigError(
            f"HTTP source {config.label}: environment variable {config.auth_env} is not set"
            " (it must hold the API secret)"
        )
    return secret


# --- pages -------------------------------------------------------------------------------


def _walk(
    config: HttpSourceConfig,
    client: JsonClient,
    cursor: str | None,
    collector: _Collector,
    progress: Progress | None,
) -> None:
    """Fetch page after page, handing each to ``collector`` before fetching the next."""
    pages = _numbered_pages if config.page_param else _linked_pages
    for page, items in pages(config, client, cursor):
        collector.take(page, items)
        del page, items  # one page in memory at a time
        if progress is not None:
            progress(config.label, collector.items)


Pages = Iterator[tuple[JsonPage, list[JsonObject]]]


def _linked_pages(config: HttpSourceConfig, client: JsonClient, cursor: str | None) -> Pages:
    """Follow ``next`` links (body key, else ``Link`` header) until there is none."""
    url: str | None = with_params(config.url, _first_params(config, cursor))
    seen: set[str] = set()
    while url is not None:
        if url in seen:
            raise client.error(url, "pagination loop: this next link was already fetched")
        _check_page_limit(config, client, url, len(seen))
        seen.add(url)
        page = client.get(url)
        url = client.next_url(page, config.next_key)
        yield page, client.items(page, config.items_key)
        del page


def _numbered_pages(config: HttpSourceConfig, client: JsonClient, cursor: str | None) -> Pages:
    """Request ``page_param=first_page, first_page+1, …`` until a page has no items.

    A short page does not end the walk: servers may cap the page size below the one asked.
    """
    assert config.page_param is not None
    params = _first_params(config, cursor)
    for done in itertools.count():
        url = with_params(config.url, {**params, config.page_param: str(config.first_page + done)})
        _check_page_limit(config, client, url, done)
        page = client.get(url)
        items = client.items(page, config.items_key)
        if not items:
            return
        yield page, items
        del page, items


def _check_page_limit(config: HttpSourceConfig, client: JsonClient, url: str, done: int) -> None:
    if done >= config.max_pages:
        raise client.error(
            url, f"more than max_pages ({config.max_pages}) pages; nothing was imported"
        )


def _first_params(config: HttpSourceConfig, cursor: str | None) -> dict[str, str]:
    params: dict[str, str] = {}
    if cursor is not None and config.cursor_param:
        params[config.cursor_param] = cursor
    if config.page_size_param and config.page_size is not None:
        params[config.page_size_param] = str(config.page_size)
    return params


# --- items -------------------------------------------------------------------------------


class _Collector:
    """Spools the items of each page and tracks the greatest ``cursor_field`` value."""

    def __init__(
        self, config: HttpSourceConfig, spooler: Spooler, redactor: Redactor, cursor: str | None
    ) -> None:
        self.config = config
        self.spooler = spooler
        self.redactor = redactor
        self.problems: list[str] = []
        self.pages = 0
        self.items = 0
        self.old_cursor = cursor
        self.latest: datetime | None = _parse_cursor(cursor)
        self.started = datetime.now(UTC)

    def take(self, page: JsonPage, items: list[JsonObject]) -> None:
        """Spool the page's usable items; note a problem for each unusable one."""
        self.pages += 1
        for index, item in enumerate(items, start=1):
            self.items += 1
            try:
                self._note_change(item)  # first: a bad item still says it was seen
                entity = _entity(item)
            except ValidationError as exc:
                where = f"(item {index} of page {self.redactor.url(page.url)})"
                self.problems.append(f"{self.config.label}:{self.items}: {exc} {where}")
                continue
            self.spooler.add(entity, self.items, self._interchange_fields(entity, item))

    def _note_change(self, item: dict[str, object]) -> None:
        name = self.config.cursor_field
        if name and item.get(name) not in (None, ""):
            moment = parse_datetime(item[name], _UTC, name)
            if self.latest is None or moment > self.latest:
                self.latest = moment

    def _interchange_fields(self, entity: str, item: dict[str, object]) -> dict[str, object]:
        """The item without ``cursor_field``, unless that is an interchange column."""
        name = self.config.cursor_field
        if not name or name not in item or name in SPECS[entity].column_names:
            return item
        return {key: value for key, value in item.items() if key != name}

    def next_cursor(self) -> str | None:
        """The greatest change time seen (UTC, ``Z``), never earlier than the old cursor.

        Nor later than when the fetch started: a change time in the future (a bad clock or
        bad data) would otherwise hide every real change until that time comes.
        """
        latest, old = self.latest, _parse_cursor(self.old_cursor)
        if latest is not None and latest > self.started:
            log.warning(
                "%s: %s in the future: %s",
                self.config.label,
                self.config.cursor_field,
                format_datetime(latest),
            )
            latest = self.started
        if latest is None or (old is not None and latest <= old):
            return self.old_cursor
        return format_datetime(latest)


def _entity(item: dict[str, object]) -> str:
    """The entity of an item's ``type`` (as the NDJSON reader classifies its lines)."""
    kind = item.get("type")
    entity = ENTITY_OF_TYPE.get(kind) if isinstance(kind, str) else None
    if entity is None:
        shown = "missing" if kind is None else repr(kind)
        raise ValidationError("type", f"{shown}, expected one of {_KNOWN_TYPES}")
    return entity


def _parse_cursor(cursor: str | None) -> datetime | None:
    if cursor is None:
        return None
    try:
        return parse_datetime(cursor, _UTC, "cursor")
    except ValidationError:
        return None
