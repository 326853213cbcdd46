"""A small JSON-over-HTTP client for import sources: retries, backoff, redaction.

:class:`JsonClient` GETs one URL and returns its parsed JSON body (:class:`JsonPage`);
its :meth:`~JsonClient.items` and :meth:`~JsonClient.next_url` read a page's array of
objects and the link to the next page (body key or RFC 8288 ``Link`` header). It retries
connection errors, timeouts, HTTP 5xx and 429 (honouring ``Retry-After``) with capped
exponential backoff and jitter, and never retries any other 4xx: those are the caller's
mistake (a bad token, a wrong URL) and repeating them only delays the error. Every failure
is a :class:`SourceError` (an :class:`~graphsvc.errors.InputError`, so the CLI exits with the
input-error code) naming the URL, and — after retries — the attempts and the last cause.

Secrets never leave this module in text: every message and log line goes through a
:class:`~ingest.http_secrets.Redactor`, including the causes reported by ``requests`` (which
quote URLs); the auth header is sent only to the source's origin (:mod:`ingest.http_secrets`).
"""

from __future__ import annotations

import codecs
import json
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from graphsvc import __version__
from graphsvc.errors import InputError
from ingest.http_secrets import (
    MASK,
    SECRET_PARAM_PARTS,
    Auth,
    AuthSession,
    Redactor,
    origin_of,
)

__all__ = [
    "MASK",
    "SECRET_PARAM_PARTS",
    "Auth",
    "JsonClient",
    "JsonObject",
    "JsonPage",
    "Redactor",
    "RetryPolicy",
    "SourceError",
    "origin_of",
    "with_params",
]

log = logging.getLogger(__name__)

JsonObject = dict[str, object]
_CHUNK = 1 << 16


class SourceError(InputError):
    """An import source could not be read: unreachable, refused, or not the expected JSON.

    ``file`` is the URL with its secrets masked; ``http_status`` the HTTP status when there was
    one (``status`` stays the API status of every input error); ``attempts`` how many
    requests were made for this URL.
    """

    def __init__(
        self, url: str, reason: str, *, http_status: int | None = None, attempts: int = 1
    ) -> None:
        super().__init__(url, reason)
        self.url = url
        self.http_status = http_status
        self.attempts = attempts


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait for a server and how often to try again.

    ``timeout`` applies to connecting and to each read; the wait before retry *n* (1-based)
    is drawn from ``[d/2, d]`` with ``d = min(max_backoff, backoff * 2**(n-1))``; a
    ``Retry-After`` longer than ``max_backoff`` ends the retries at once.
    """

    timeout: float = 30.0
    max_retries: int = 5
    backoff: float = 0.5
    max_backoff: float = 60.0

    def delay(self, retry: int, jitter: float) -> float:
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** min(retry - 1, 64))
        return ceiling / 2 + jitter * ceiling / 2


@dataclass(frozen=True, slots=True)
class JsonPage:
    """One fetched page: its URL, parsed JSON body and the ``Link: rel="next"`` URL, if any."""

    url: str
    body: object
    link_next: str | None


class _Retryable(Exception):
    """A failure worth another attempt; ``cause`` is already redacted."""

    def __init__(self, cause: str, retry_after: float | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry_after = retry_after


class JsonClient:
    """GETs JSON documents with retries; counts ``requests`` and ``retries`` made."""

    def __init__(
        self,
        policy: RetryPolicy,
        redactor: Redactor,
        *,
        auth: Auth | None = None,
        max_bytes: int = 64 << 20,
        sleep: Callable[[float], object],
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self.redactor = redactor
        self.auth = auth
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.jitter = jitter
        self.requests = 0
        self.retries = 0
        self.session = AuthSession(auth.header if auth else None)
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": f"graphsvc/{__version__}"}
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> JsonClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def error(
        self, url: str, reason: str, *, http_status: int | None = None, attempts: int = 1
    ) -> SourceError:
        """A :class:`SourceError` about ``url`` with every secret masked."""
        return SourceError(
            self.redactor.url(url),
            self.redactor.text(reason),
            http_status=http_status,
            attempts=attempts,
        )

    def get(self, url: str) -> JsonPage:
        """The JSON document at ``url``; raises :class:`SourceError` when it cannot be had."""
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                return self._attempt(url, attempt)
            except _Retryable as failure:
                wait = self._wait_before_retry(url, attempt, failure)
                cause = failure.cause
            self.retries += 1
            shown = self.redactor.url(url)
            retries = self.policy.max_retries
            log.warning("%s: %s; retry %d of %d in %.1f s", shown, cause, attempt, retries, wait)
            self.sleep(wait)

    def _wait_before_retry(self, url: str, attempt: int, failure: _Retryable) -> float:
        attempts = self.policy.max_retries + 1
        if attempt >= attempts:
            raise self.error(
                url, f"gave up after {attempts} attempt(s): {failure.cause}", attempts=attempts
            )
        wait = self.policy.delay(attempt, self.jitter())
        if failure.retry_after is not None:
            if failure.retry_after > self.policy.max_backoff:
                raise self.error(
                    url,
                    f"{failure.cause}; the server asks to retry after {failure.retry_after:g} s,"
                    f" more than max_backoff ({self.policy.max_backoff:g} s)",
                    attempts=attempt,
                )
            wait = max(wait, failure.retry_after)
        return wait

    def next_url(self, page: JsonPage, next_key: str | None) -> str | None:
        """The absolute URL of the next page: the body's ``next_key``, else the Link header."""
        link: object = None
        if next_key and isinstance(page.body, dict):
            link = page.body.get(next_key)
        if link is None or link == "":
            link = page.link_next
        if link is None or link == "":
            return None
        if not isinstance(link, str):
            raise self.error(page.url, f"{next_key!r} must be a URL string or null")
        url = urljoin(page.url, link.strip())
        if urlsplit(url).scheme not in ("http", "https"):
            raise self.error(page.url, f"next link is not an http(s) URL: {url}")
        return url

    def items(self, page: JsonPage, items_key: str) -> list[JsonObject]:
        """The page's objects: a bare array, or the array under ``items_key``."""
        body = page.body
        if isinstance(body, dict):
            if items_key not in body:
                keys = ", ".join(repr(k) for k in list(body)[:10]) or "none"
                raise self.error(
                    page.url, f"JSON object without an {items_key!r} key (keys: {keys})"
                )
            body = body[items_key]
            if not isinstance(body, list):
                raise self.error(page.url, f"{items_key!r} is {_kind(body)}, not an array")
        elif not isinstance(body, list):
            raise self.error(
                page.url,
                f"expected a JSON array or an object with an {items_key!r} array,"
                f" got {_kind(body)}",
            )
        for index, item in enumerate(body, start=1):
            if not isinstance(item, dict):
                raise self.error(
                    page.url, f"item {index} of the page is {_kind(item)}, not an object"
                )
        return body

    def _attempt(self, url: str, attempt: int) -> JsonPage:
        timeout = self.policy.timeout
        try:
            with self.session.get(
                url, headers=self._headers(url), timeout=(timeout, timeout), stream=True
            ) as response:
                self._check_status(url, response, attempt)
                final_url = response.url or url  # after redirects: relative links resolve here
                raw = self._read(final_url, response)
                link_next = _link_next(response)
        except requests.ConnectTimeout:
            raise _Retryable(f"could not connect within {timeout:g} s (timeout)") from None
        except requests.Timeout:
            raise _Retryable(f"no response within {timeout:g} s (timeout)") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Retryable(f"connection failed: {self._cause(exc)}") from None
        except requests.RequestException as exc:
            raise self.error(url, f"request failed: {self._cause(exc)}", attempts=attempt) from None
        return JsonPage(final_url, self._decode(final_url, raw), link_next)

    def _headers(self, url: str) -> dict[str, str]:
        if self.auth is None or origin_of(url) != self.auth.origin:
            return {}
        return {self.auth.header: self.auth.value}

    def _check_status(self, url: str, response: requests.Response, attempt: int) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        described = f"HTTP {status} {response.reason or ''}".strip()
        if status == 429 or status >= 500:
            raise _Retryable(described, _retry_after(response.headers.get("Retry-After")))
        hint = _excerpt(response)
        raise self.error(
            url, f"{described}{f': {hint}' if hint else ''}", http_status=status, attempts=attempt
        )

    def _read(self, url: str, response: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise self.error(url, f"response larger than {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _decode(self, url: str, raw: bytes) -> object:
        if not raw.strip():
            raise self.error(url, "empty response body (expected JSON)")
        try:
            return json.loads(raw.removeprefix(codecs.BOM_UTF8))
        except UnicodeDecodeError:
            raise self.error(url, "response is not UTF-8 text (expected JSON)") from None
        except json.JSONDecodeError as exc:
            raise self.error(
                url, f"response is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None

    def _cause(self, exc: BaseException) -> str:
        """A short, redacted description of what went wrong below ``requests``."""
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            if isinstance(current, OSError) and current.strerror:
                return self.redactor.text(current.strerror)
            nested = [a for a in current.args if isinstance(a, BaseException)]
            reason = getattr(current, "reason", None)
            current = (
                reason
                if isinstance(reason, BaseException)
                else (nested[0] if nested else current.__cause__ or current.__context__)
            )
        return type(exc).__name__


def with_params(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` set in its query string (replacing same-named ones)."""
    if not params:
        return url
    parts = urlsplit(url)
    kept = [(n, v) for n, v in parse_qsl(parts.query, keep_blank_values=True) if n not in params]
    return urlunsplit(parts._replace(query=urlencode([*kept, *params.items()])))


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def _link_next(response: requests.Response) -> str | None:
    """The URL of the RFC 8288 ``Link`` with relation ``next`` (``rel`` may list several)."""
    for link in response.links.values():
        if "next" in str(link.get("rel", "")).lower().split():
            url = link.get("url")
            return str(url) if url else None
    return None


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _excerpt(response: requests.Response, limit: int = 200) -> str:
    """The start of an error body on one line (redacted by the caller's :meth:`error`)."""
    try:
        text = next(response.iter_content(limit * 4), b"").decode("utf-8", "replace")
    except requests.RequestException:
        return ""
    flat = " ".join(text.split())
    return flat[:limit] + ("…" if len(flat) > limit else "")
