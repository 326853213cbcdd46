"""Batches written by a child process (``graphsvc.process_writer``) into a real SQLite file."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest

from graphsvc.config import Settings
from graphsvc.errors import InputError, NotFound, UnknownReference, ValidationError
from graphsvc.model import Interaction, Person
from graphsvc.process_writer import ProcessWriter
from graphsvc.store import WriteCounts, open_store

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PEOPLE = [Person(f"p{k}", f"Person {k}") for k in range(10)]


def ring(count: int, start: int = 0) -> list[Interaction]:
    return [
        Interaction(
            f"i{k:05d}", "collaboration", f"p{k % 10}", f"p{(k + 1) % 10}", T0 + timedelta(k)
        )
        for k in range(start, start + count)
    ]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=f"sqlite:///{tmp_path / 'g.db'}")


def test_batches_are_written_in_order_by_the_child(settings: Settings) -> None:
    store = open_store(settings)
    store.upsert_people(PEOPLE)
    rows = ring(100)
    with ProcessWriter[int](settings) as writer:
        outcomes = [*writer.submit("interactions", rows[:50], 0)]
        outcomes += writer.submit("interactions", rows[50:], 1)
        outcomes += writer.submit("interactions", rows[:10], 2)  # already written
        outcomes += writer.drain()
    assert [(o.tag, o.size, o.written, o.error) for o in outcomes] == [
        (0, 50, WriteCounts(inserted=50), None),
        (1, 50, WriteCounts(inserted=50), None),
        (2, 10, WriteCounts(unchanged=10), None),
    ]
    assert list(store.list_interactions()) == rows
    store.close()


def test_a_refused_batch_comes_back_as_its_error(settings: Settings) -> None:
    store = open_store(settings)
    store.upsert_people(PEOPLE)
    bad = Interaction("bad", "collaboration", "p1", "ghost", T0)
    with ProcessWriter[str](settings) as writer:
        writer.submit("interactions", [*ring(5), bad], "bad batch")
        writer.submit("interactions", ring(5, start=5), "good batch")
        outcomes = writer.drain()
    error = outcomes[0].error
    assert isinstance(error, UnknownReference) and error.missing_id == "ghost"
    assert outcomes[1].written == WriteCounts(inserted=5)
    assert store.counts()["interactions"] == 5  # the refused batch wrote nothing
    store.close()


def test_interactions_and_errors_survive_pickling_exactly() -> None:
    precise = Interaction(
        "i", "mentoring", "a", "b", datetime(1901, 2, 3, 4, 5, 6, 7, UTC), weight=2.5,
        directed=False, topic="soil", community_id="c", source_system="s", external_id="x",
    )  # fmt: skip
    assert pickle.loads(pickle.dumps(precise)) == precise
    for error in (
        ValidationError("email", "not an e-mail address", entity="person", record_id="p1"),
        InputError("people.csv", "empty file", line=1, field="id"),
        NotFound("person", "p9"),
        UnknownReference("interaction", "i1", "source_id", "ghost"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), str(copy), vars(copy)) == (type(error), str(error), vars(error))


CHILD = """
import sys, time
from graphsvc.config import Settings
from graphsvc.process_writer import ProcessWriter
writer = ProcessWriter(Settings(store=sys.argv[1]))
print(writer.pid, flush=True)
time.sleep(60)
"""


def test_the_writer_exits_when_its_parent_is_killed(settings: Settings) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, settings.store], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        writer_pid = int(parent.stdout.readline())
        assert psutil.pid_exists(writer_pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not psutil.pid_exists(writer_pid) or psutil.Process(writer_pid).status() == "zombie":
            return
        time.sleep(0.1)
    pytest.fail("the writer process outlived its parent")


SCRIPT = """
from datetime import UTC, datetime
from graphsvc.config import Settings
from graphsvc.model import Interaction, Person
from graphsvc.process_writer import ProcessWriter
from graphsvc.store import open_store
import sys
settings = Settings(store=sys.argv[1])
open_store(settings).upsert_people([Person("a", "A"), Person("b", "B")])
with ProcessWriter(settings) as writer:
    writer.submit("interactions", [Interaction("i", "other", "a", "b", datetime.now(UTC))], 0)
    print(writer.drain()[0].written)
"""


def test_a_plain_script_without_a_main_guard_can_use_it(tmp_path: Path, settings: Settings) -> None:
    """The writer is a fresh ``python -m graphsvc.process_writer``: it never re-runs the
    caller's main module (multiprocessing's spawn would, and fail in such a script)."""
    script = tmp_path / "load.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), settings.store], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "WriteCounts(inserted=1, updated=0, unchanged=0)"
