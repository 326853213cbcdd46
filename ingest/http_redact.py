"""Masking secrets in URLs and free text, so no message or log line of a source shows one.

:class:`Redactor` masks the auth secret wherever it appears, the password of a URL's
user-info and the values of query parameters whose names look secret (``token``,
``api_key``, ``signature`` …). The HTTP client (:mod:`ingest.http_client`) sends every
message and log line through it, including the causes reported by ``requests`` (which quote
URLs), and an HTTP source's label (:mod:`ingest.http_config`) masks its URL with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
