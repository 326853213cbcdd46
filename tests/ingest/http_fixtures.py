"""A real, scriptable HTTP server of interchange objects for import-source tests.

:class:`InterchangeApi` serves a list of interchange objects (dicts with ``"type"`` and,
usually, ``"updated_at"``) on ``127.0.0.1`` from a background thread, the way an
integrator's REST endpoint would:

* ``mode="next"``: ``{"items": [...], "next": "/objects?offset=…"}`` (relative next URL;
  ``absolute_next=True`` for absolute ones), ``next`` is null on the last page;
* ``mode="link"``: a bare JSON array per page with ``Link: <…>; rel="next"``;
* ``mode="page"``: ``?page=N`` (1-based), an empty page after the last.

Every mode honours ``?updated_since=`` (objects whose ``updated_at`` — ISO 8601 or Unix
seconds — is later; ``inclusive=True`` for "at or later") and ``?per_page=`` (else
``page_size``). With ``token`` set, requests without ``<auth_header>: Bearer <token>`` get
401. Scripted faults: :meth:`fail_next` (5xx/429 for the next *n* requests),
:meth:`script` (any status/body for the next requests), :meth:`delay` (answer late).
Every request is logged in :attr:`requests` (path, query, lower-cased headers).

Use it as a context manager, or start several through :func:`running_apis` (which stops
every server it started; see there for the three-line pytest fixture)::

    with InterchangeApi(objects, page_size=2) as api:
        fetch_http(HttpSourceConfig(api.url), None)
        assert len(api.requests) == 3

:func:`closed_port_url` gives a URL nobody listens on (connection refused).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class LoggedRequest:
    """One request the server received (headers by lower-case name)."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Scripted:
    """A canned response served instead of the data (see :meth:`InterchangeApi.script`)."""

    status: int = 200
    body: bytes | str | object = b""
    headers: dict[str, str] = field(default_factory=dict)


def moment(value: object) -> datetime:
    """``updated_at`` / ``updated_since`` value → aware UTC datetime (ISO 8601 or Unix s)."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value)
    if text.replace(".", "", 1).isdigit():
        return datetime.fromtimestamp(float(text), UTC)
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


class InterchangeApi:
    """A paginated REST endpoint of interchange objects (see the module docstring)."""

    def __init__(
        self,
        objects: Iterable[JsonObject] = (),
        *,
        page_size: int = 2,
        mode: str = "next",
        token: str | None = None,
        auth_header: str = "Authorization",
        path: str = "/objects",
        items_key: str = "items",
        absolute_next: bool = False,
        inclusive: bool = False,
    ) -> None:
        assert mode in ("next", "link", "page"), mode
        self.objects: list[JsonObject] = list(objects)
        self.page_size = page_size
        self.mode = mode
        self.token = token
        self.auth_header = auth_header.lower()
        self.path = path
        self.items_key = items_key
        self.absolute_next = absolute_next
        self.inclusive = inclusive
        self.requests: list[LoggedRequest] = []
        #: exceptions raised while answering (other than the client hanging up)
        self.errors: list[BaseException] = []
        self._scripted: list[Scripted] = []
        self._delay = 0.0
        self._delayed = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> InterchangeApi:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = False  # stop() joins the handlers
        server.block_on_close = True
        server.handle_error = self._handle_error  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> InterchangeApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        return self.base + self.path

    # -- scripting ------------------------------------------------------------------------

    def add(self, objects: Iterable[JsonObject]) -> None:
        """Append objects (e.g. new or changed records since the last fetch)."""
        with self._lock:
            self.objects.extend(objects)

    def script(
        self,
        status: int = 200,
        body: object = b"",
        headers: Mapping[str, str] | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests with this response (queued after earlier ones).

        ``body`` bytes/str are sent as they are; anything else as JSON.
        """
        with self._lock:
            self._scripted.extend(Scripted(status, body, dict(headers or {})) for _ in range(times))

    def fail_next(self, n: int, status: int = 503, retry_after: str | None = None) -> None:
        """The next ``n`` requests fail with ``status`` (optionally with ``Retry-After``)."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.script(status, {"error": "try again"}, headers, times=n)

    def delay(self, seconds: float, times: int = 1_000_000) -> None:
        """Wait ``seconds`` before answering each of the next ``times`` requests."""
        with self._lock:
            self._delay, self._delayed = seconds, times

    # -- answering ------------------------------------------------------------------------

    def _handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.errors.append(error)

    def answer(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Scripted:
        """The response to one GET (called on the server's handler thread)."""
        with self._lock:
            self.requests.append(LoggedRequest(path, query, headers))
            wait = self._delay if self._delayed > 0 else 0.0
            self._delayed -= 1
            scripted = self._scripted.pop(0) if self._scripted else None
        if wait and self._stopping.wait(wait):
            return Scripted(503, {"error": "stopping"})
        if scripted is not None:
            return scripted
        if self.token is not None and headers.get(self.auth_header) != f"Bearer {self.token}":
            return Scripted(401, {"error": "missing or wrong token"})
        if path != self.path:
            return Scripted(404, {"error": f"no such path {path}"})
        try:
            matching = self._matching(query)
        except ValueError as exc:
            return Scripted(400, {"error": str(exc)})
        size = int(query.get("per_page", self.page_size))
        return self._page(matching, query, size)

    def _matching(self, query: dict[str, str]) -> list[JsonObject]:
        with self._lock:
            objects = list(self.objects)
        since = query.get("updated_since")
        if since is None:
            return objects
        limit = moment(since)
        return [
            obj
            for obj in objects
            if "updated_at" in obj
            and (
                moment(obj["updated_at"]) >= limit
                if self.inclusive
                else moment(obj["updated_at"]) > limit
            )
        ]

    def _page(self, matching: list[JsonObject], query: dict[str, str], size: int) -> Scripted:
        if self.mode == "page":
            start = (int(query.get("page", "1")) - 1) * size
            return Scripted(200, {self.items_key: matching[start : start + size]})
        start = int(query.get("offset", "0"))
        items = matching[start : start + size]
        more = start + size < len(matching)
        next_url = None
        if more:
            next_url = f"{self.path}?{urlencode({**query, 'offset': str(start + size)})}"
            if self.absolute_next:
                next_url = self.base + next_url
        if self.mode == "link":
            headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
            return Scripted(200, items, headers)
        return Scripted(200, {self.items_key: items, "next": next_url})


def _handler_for(api: InterchangeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            headers = {name.lower(): value for name, value in self.headers.items()}
            response = api.answer(parts.path, query, headers)
            body = response.body
            if not isinstance(body, bytes | str):
                body = json.dumps(body)
            payload = body.encode() if isinstance(body, str) else body
            self.send_response(response.status)
            response.headers.setdefault("Content-Type", "application/json")
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: the test reads :attr:`InterchangeApi.requests` instead."""

    return Handler


def closed_port_url(path: str = "/objects") -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def sample_objects(updated_at: str = "2024-03-01T10:00:00Z") -> list[JsonObject]:
    """A small consistent graph (3 people, 1 community, 2 memberships, 2 interactions, an
    activity with 2 participations), every object stamped ``updated_at``."""
    objects: list[JsonObject] = [
        {"type": "person", "id": "p1", "name": "Ana", "email": "ana@example.org"},
        {"type": "person", "id": "p2", "name": "Bo"},
        {"type": "person", "id": "p3", "name": "Cy", "topics": ["graphs", "python"]},
        {"type": "community", "id": "c1", "name": "Graphs", "kind": "cop"},
        {"type": "membership", "person_id": "p1", "community_id": "c1"},
        {"type": "membership", "person_id": "p2", "community_id": "c1", "role": "moderator"},
        {
            "type": "interaction",
            "id": "i1",
            "kind": "collaboration",
            "source_id": "p1",
            "target_id": "p2",
            "at": "2024-02-01T09:00:00Z",
        },
        {
            "type": "interaction",
            "id": "i2",
            "kind": "mentoring",
            "source_id": "p2",
            "target_id": "p3",
            "at": "2024-02-02T09:00:00Z",
        },
        {
            "type": "activity",
            "id": "a1",
            "name": "Kick-off",
            "kind": "workshop",
            "community_id": "c1",
            "start": "2024-02-05",
        },
        {"type": "participation", "activity_id": "a1", "person_id": "p1", "role": "organiser"},
        {"type": "participation", "activity_id": "a1", "person_id": "p3"},
    ]
    return [{**obj, "updated_at": updated_at} for obj in objects]


@contextmanager
def running_apis() -> Iterator[Callable[..., InterchangeApi]]:
    """``with running_apis() as start:`` — ``start(objects, **options)`` starts an
    :class:`InterchangeApi`; every server started is stopped on exit, and an exception a
    server raised while answering fails the test. A test module's
    fixture is three lines (pytest finds fixtures by name, so import this, not a fixture)::

        @pytest.fixture
        def interchange_api() -> Iterator[Callable[..., InterchangeApi]]:
            with running_apis() as start:
                yield start
    """
    started: list[InterchangeApi] = []

    def start(objects: Iterable[JsonObject] = (), **options: Any) -> InterchangeApi:
        api = InterchangeApi(objects, **options).start()
        started.append(api)
        return api

    try:
        yield start
    finally:
        for api in started:
            api.stop()
    failures = [error for api in started for error in api.errors]
    if failures:
        raise AssertionError(f"the test server failed while answering: {failures!r}")
