"""Browser-test harness: a real app on 127.0.0.1 driven by Debian's Chromium via Playwright.

- ``site`` (session): a 300-person, 6-month demo world in a SQLite file with its indicator
  history (``graphsvc snapshot``), one user per role
  (password :data:`PASSWORD`), the app served by waitress on a free port in a daemon thread.
- ``browser`` (session): Debian's ``chromium`` started headless, quiet and local (no
  background networking, no component updates); skipped only when no ``chromium`` is
  installed (CI installs it: Playwright's own browser download does not work here).
- ``browsing`` (per test): fresh browser contexts (optionally signed in as a role) whose
  every request to a host other than 127.0.0.1/localhost fails the test, whose console
  errors and page errors fail the test at teardown, and whose pages are screenshotted into
  ``tmp_path``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from demo_stores import sqlite_with
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    ViewportSize,
    sync_playwright,
)
from waitress import create_server

from graphsvc import demo
from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.store import open_store
from web import create_app
from web.accounts import Accounts

PASSWORD = "browser-test-password"
ROLES = ("viewer", "weaver", "moderator", "evaluator", "admin")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
#: how long a page may take to answer (the first analysis of a window included)
TIMEOUT_MS = 20_000


@dataclass(frozen=True)
class Site:
    """The served app: its base URL."""

    url: str

    def at(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    world = demo.generate(people=300, months=6, seed=7)
    settings = Settings(store=sqlite_with(world, folder / "graph.db"))
    graph_store = open_store(settings)
    # the evaluator's history, as `graphsvc snapshot` stores it
    assert main(["--store", settings.store, "snapshot", "--replicates", "20"]) == 0
    accounts_file = folder / "accounts.db"
    with Accounts.open(accounts_file) as accounts:
        for role in ROLES:
            accounts.add_user(role, PASSWORD, role)
    app = create_app(settings, store=graph_store, accounts_path=accounts_file)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.effective_port}")
    server.close()
    thread.join(timeout=5)
    graph_store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI") == "true":  # a skipped browser suite in CI counts as a failure
            pytest.fail("CI=true but chromium is not installed: .ci/run installs it")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def signed_in_states(
    browser: Browser, site: Site, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    """role → a storage-state file of a session signed in through the form (made once)."""
    folder = tmp_path_factory.mktemp("sessions")
    made: dict[str, Path] = {}

    def state_of(role: str) -> Path:
        if role not in made:
            context = browser.new_context()
            page = context.new_page()
            page.goto(site.at("/login"))
            sign_in(page, role, PASSWORD)
            page.wait_for_url(site.at("/"))
            made[role] = folder / f"{role}.json"
            context.storage_state(path=str(made[role]))
            context.close()
        return made[role]

    return state_of


def sign_in(page: Page, name: str, password: str) -> None:
    """Fill and send the sign-in form of the current page."""
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@dataclass
class Browsing:
    """Fresh contexts for one test, with the request guard and the console collected."""

    browser: Browser
    site: Site
    folder: Path
    states: Callable[[str], Path]
    problems: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def page(self, role: str | None = None) -> Page:
        """A page in a new context, signed in as ``role`` (None: not signed in)."""
        state = str(self.states(role)) if role else None
        context = self.browser.new_context(
            storage_state=state, viewport=VIEWPORT, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._guard)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.pages.append(page)
        return page

    password = PASSWORD

    def sign_in(self, page: Page, name: str, password: str) -> None:
        sign_in(page, name, password)

    def loads(self, page: Page) -> int:
        """How many graphs the explorer of ``page`` has drawn so far."""
        count: Any = page.evaluate(
            "() => (window.graphsvcExplorer && window.graphsvcExplorer.loads) || 0"
        )
        return int(count)

    def wait_for_draw(self, page: Page, after: int) -> None:
        """Wait until the explorer has drawn more than ``after`` graphs and is idle."""
        page.wait_for_function(
            "n => window.graphsvcExplorer && window.graphsvcExplorer.loads > n"
            " && document.getElementById('map').getAttribute('aria-busy') === 'false'",
            arg=after,
        )

    def allow(self, fragment: str) -> None:
        """Console errors containing ``fragment`` are expected (e.g. a 403 page's status)."""
        self.allowed.append(fragment)

    def _guard(self, route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.problems.append(f"request outside 127.0.0.1: {route.request.url}")
            route.abort()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if not any(fragment in message.text for fragment in self.allowed):
            self.problems.append(f"console error: {message.text} ({message.location})")

    def close(self) -> list[Path]:
        """Screenshot every open page into the test's folder, close the contexts."""
        shots = []
        for number, page in enumerate(self.pages):
            if not page.is_closed():
                shot = self.folder / f"page-{number}.png"
                page.screenshot(path=str(shot), full_page=True)
                shots.append(shot)
        for context in self.contexts:
            context.close()
        return shots


@pytest.fixture
def browsing(
    browser: Browser, site: Site, tmp_path: Path, signed_in_states: Callable[[str], Path]
) -> Iterator[Browsing]:
    session = Browsing(browser, site, tmp_path, signed_in_states)
    yield session
    session.close()
    assert not session.problems, "\n".join(session.problems)
