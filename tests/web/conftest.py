"""Fixtures of the web tests: a real SQLite store holding a small demo world, real accounts
with a user of every role, and the real app (Flask's test client)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from demo_stores import sqlite_with
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import Settings
from graphsvc.demo import DemoWorld, generate
from graphsvc.store import GraphStore, open_store
from web import create_app
from web.accounts import Accounts
from web.roles import ROLES

PASSWORD = "a long enough password"
#: the demo command's defaults: what a first-time user sees
DEMO_PEOPLE = 500
DEMO_MONTHS = 12


@pytest.fixture(scope="session")
def demo_world() -> DemoWorld:
    return generate(people=DEMO_PEOPLE, months=DEMO_MONTHS, seed=7)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, demo_world: DemoWorld) -> Path:
    """A SQLite file holding the demo world (built once; tests copy it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    sqlite_with(demo_world, path)
    return path


@pytest.fixture
def store(demo_db: Path, tmp_path: Path) -> Iterator[GraphStore]:
    copy = tmp_path / "graph.db"
    shutil.copy(demo_db, copy)
    opened = open_store(Settings(store=f"sqlite:///{copy}"))
    yield opened
    opened.close()


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    """Accounts with one user per role, named after it, and password :data:`PASSWORD`."""
    path = tmp_path / "accounts.db"
    accounts = Accounts.open(path)
    for role in ROLES:
        accounts.add_user(role, PASSWORD, role)
    accounts.close()
    return path


@pytest.fixture
def app(store: GraphStore, accounts_file: Path) -> Iterator[Flask]:
    created = create_app(Settings(store=store.location), store=store, accounts_path=accounts_file)
    created.config["TESTING"] = True
    created.extensions["graphsvc"].background = lambda work: work()
    yield created
    created.extensions["graphsvc.accounts"].close()


@pytest.fixture
def client_as(app: Flask) -> Callable[[str | None], FlaskClient]:
    """A test client logged in as the user of ``role`` (None: anonymous)."""

    def login(role: str | None) -> FlaskClient:
        client = app.test_client()
        if role is None:
            return client
        page = client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        response = client.post(
            "/login", data={"name": role, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login


def csrf_from(html: str) -> str:
    """The CSRF token of a page (its ``<meta name="csrf-token">`` or a form field)."""
    import re

    found = re.search(r'name="csrf[-_]token"\s+(?:content|value)="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
