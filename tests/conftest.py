"""Shared fixtures: real stores only (a SQLite file in tmp_path, the Neo4j test server).

The Neo4j leg reads ``GRAPHSVC_TEST_NEO4J_URI`` (+ ``GRAPHSVC_NEO4J_USER`` /
``GRAPHSVC_NEO4J_PASSWORD``), which ``make neo4j`` / ``.ci/run`` export. Without it the
Neo4j tests skip locally; with ``CI=true`` a missing or unreachable server fails them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.store import GraphStore, open_store

NEO4J_HOWTO = (
    "Neo4j test server not configured: run `make neo4j` (builds and starts it from Maven "
    "Central) and then `source .neo4j-test/env`"
)


def neo4j_test_settings() -> Settings | None:
    """Settings for the Neo4j test server, or None when it is not configured."""
    uri = os.environ.get("GRAPHSVC_TEST_NEO4J_URI")
    if not uri:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but GRAPHSVC_TEST_NEO4J_URI is not set: the Neo4j leg must run")
        return None
    return Settings(
        store=uri,
        neo4j_user=os.environ.get("GRAPHSVC_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("GRAPHSVC_NEO4J_PASSWORD") or None,
    )


@pytest.fixture(scope="session")
def neo4j_settings() -> Settings:
    settings = neo4j_test_settings()
    if settings is None:
        pytest.skip(NEO4J_HOWTO)
    return settings


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'graph.db'}"))
    yield store
    store.close()


@pytest.fixture
def neo4j_store(neo4j_settings: Settings) -> Iterator[GraphStore]:
    store = open_store(neo4j_settings)
    store.clear()
    yield store
    store.clear()
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The contract fixture: every test using it runs against both backends."""
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]
