"""Keeping an HTTP source's secret secret: masked in every text, sent only to its origin.

:class:`Redactor` masks the auth secret wherever it appears, the password of a URL's
user-info and the values of query parameters whose names look secret (``token``,
``api_key``, ``signature`` …). The HTTP client (:mod:`ingest.http_client`) sends every
message and log line through it, including the causes reported by ``requests`` (which quote
URLs), and an HTTP source's label (:mod:`ingest.http_config`) masks its URL with it.

:class:`Auth` is the header that carries the secret, for one origin (:func:`origin_of`); an
:class:`AuthSession` drops it when a redirect leads to another host.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

MASK = "***"
#: query parameter names containing one of these (case-insensitive) have their values masked
SECRET_PARAM_PARTS = ("token", "key", "secret", "passw", "auth", "sig", "credential", "session")


class Redactor:
    """Masks secrets in URLs and free text (see the module docstring)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # longest first, so that a secret containing another is masked whole
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def url(self, url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError:  # not a URL after all: mask what can be masked
            return self.text(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user = userinfo.partition(":")[0]
            netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(_looks_secret(name) for name, _ in pairs):
                masked = [(n, MASK if _looks_secret(n) else v) for n, v in pairs]
                query = urlencode(masked, safe="*")
        return self.text(urlunsplit(parts._replace(netloc=netloc, query=query)))


def _looks_secret(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_PARAM_PARTS)


@dataclass(frozen=True, slots=True)
class Auth:
    """A header sent only to ``origin`` (never to another host a next link points at)."""

    header: str
    value: str
    origin: tuple[str, str, int | None]


class AuthSession(requests.Session):
    """Drops the auth header on a redirect to another host (``requests`` only drops its own
    ``Authorization``, not a custom header such as ``X-Api-Key``)."""

    def __init__(self, auth_header: str | None) -> None:
        super().__init__()
        self.auth_header = auth_header

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]
        old, new = response.request.url or "", prepared_request.url or ""
        if self.auth_header and self.should_strip_auth(old, new):  # type: ignore[no-untyped-call]
            prepared_request.headers.pop(self.auth_header, None)


def origin_of(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the scheme's default port filled in."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port
