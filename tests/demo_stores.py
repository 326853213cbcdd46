"""Demo worlds in real SQLite stores, for the tests of commands, pages and recommenders."""

from __future__ import annotations

from pathlib import Path

from graphsvc.batching import write_all
from graphsvc.config import Settings
from graphsvc.demo import DemoWorld
from graphsvc.interchange import SPECS
from graphsvc.store import open_store


def sqlite_with(world: DemoWorld, path: Path, batch_size: int = 5000) -> str:
    """Write ``world`` into a new SQLite file at ``path``; its store URI."""
    location = f"sqlite:///{path}"
    store = open_store(Settings(store=location))
    for entity in SPECS:
        write_all(store, entity, list(getattr(world, entity)), batch_size)
    store.close()
    return location
