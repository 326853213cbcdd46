"""The SQLite store reads a window's interactions in chunks: the columns do not depend on
the chunk size (ids coded on first appearance, renumbered to sorted order at the end)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from graphsvc.config import Settings
from graphsvc.demo import generate
from graphsvc.store import open_store
from graphsvc.stores import sqlite_arrays


def columns(arrays: object) -> dict[str, object]:
    """Every field of an InteractionArrays, arrays as lists."""
    values = {field.name: getattr(arrays, field.name) for field in dataclasses.fields(arrays)}  # type: ignore[arg-type]
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in values.items()}


def test_chunked_reading_gives_the_same_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = generate(people=150, months=3, seed=5)
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'g.db'}"))
    try:
        store.upsert_people(world.people)
        store.upsert_communities(world.communities)
        store.upsert_interactions(world.interactions)
        start = datetime(2025, 1, 15, tzinfo=UTC)
        whole = columns(store.interactions(start, start + timedelta(days=40)))
        monkeypatch.setattr(sqlite_arrays, "CHUNK_ROWS", 7)
        chunked = columns(store.interactions(start, start + timedelta(days=40)))
    finally:
        store.close()
    assert chunked == whole and len(whole["source"]) > 7 * 3  # type: ignore[arg-type]
    ids = whole["person_ids"]
    assert list(ids) == sorted(ids)  # type: ignore[call-overload]
    assert any(c == -1 for c in whole["community"]) and any(c >= 0 for c in whole["community"])  # type: ignore[union-attr]
