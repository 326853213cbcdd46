"""The import scheduler with real folders, a real SQLite store and real processes.

The scheduler objects run the real runner (:func:`ingest.runner.run_import`) on ``folder``
sources; the command-line tests run the real ``graphsvc`` command in a subprocess (with its
production runner, :func:`ingest.source_run.run_source`).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from filelock import FileLock

from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.model import ImportStatus
from graphsvc.store import GraphStore, open_store
from ingest.locks import lock_path
from ingest.runner import ImportResult, run_import
from ingest.scheduler import FAILED, SKIPPED, SUCCEEDED, ImportScheduler, RunOne, RunOutcome
from ingest.sources import SourceConfig, SourcesFile, load_sources

PEOPLE = "id,name\np1,Ana\np2,Bo\np3,Cy\n"
INTERACTIONS = (
    "id,kind,source_id,target_id,at\n"
    "i1,collaboration,p1,p2,2024-03-01\ni2,mentoring,p2,p3,2024-03-02\n"
)
ROWS = 5  # people + interactions above
EXAMPLES = Path(__file__).resolve().parents[2] / "ingest" / "examples"

HOLD_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def write_dataset(folder: Path, people: str = PEOPLE, interactions: str = INTERACTIONS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.csv").write_text(people, encoding="utf-8")
    (folder / "interactions.csv").write_text(interactions, encoding="utf-8")
    return folder


def write_sources(folder: Path, sources: dict[str, str], scheduler: str = "") -> SourcesFile:
    """A sources.toml of folder sources ``name → every``, locks in ``folder/locks``."""
    lines = ["[scheduler]", 'lock_dir = "locks"', scheduler]
    for name, every in sources.items():
        lines += ["[[source]]", f'name = "{name}"', 'kind = "folder"', f'location = "{name}"']
        lines.append(f'every = "{every}"')
    path = folder / "sources.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_sources(path)


def real_runner(store: GraphStore, settings: Settings) -> RunOne:
    def run_one(source: SourceConfig, should_stop: Callable[[], bool]) -> ImportResult:
        return run_import(
            store,
            source.path,
            settings,
            strict=source.strict,
            source_system=source.name,
            should_stop=should_stop,
        )

    return run_one


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        time.sleep(0.02)


def of(scheduler: ImportScheduler, name: str) -> list[RunOutcome]:
    return [outcome for outcome in scheduler.outcomes() if outcome.source == name]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=f"sqlite:///{tmp_path / 'graph.db'}", batch_size=2)


@pytest.fixture
def store(settings: Settings) -> Iterator[GraphStore]:
    store = open_store(settings)
    yield store
    store.close()


@pytest.fixture
def running() -> Iterator[list[ImportScheduler]]:
    """Schedulers a test started; shut down even when the test fails."""
    started: list[ImportScheduler] = []
    yield started
    for scheduler in started:
        scheduler.shutdown()


def test_a_source_runs_on_its_schedule_and_a_rerun_changes_nothing(
    tmp_path: Path,
    store: GraphStore,
    settings: Settings,
    running: list[ImportScheduler],
) -> None:
    forum = write_dataset(tmp_path / "forum")
    scheduler = ImportScheduler(
        write_sources(tmp_path, {"forum": "0.3s"}), real_runner(store, settings)
    )
    running.append(scheduler)
    started = time.monotonic()
    scheduler.start()
    wait_until(lambda: len(of(scheduler, "forum")) >= 3)
    scheduler.shutdown()
    assert time.monotonic() - started >= 0.6  # the first run at start, then every 0.3 s
    outcomes = of(scheduler, "forum")
    assert {outcome.status for outcome in outcomes} == {SUCCEEDED}
    runs = [run for run in store.import_runs(100) if run.source == str(forum)]
    assert len(runs) == len(outcomes)
    assert {run.status for run in runs} == {ImportStatus.SUCCEEDED}
    first, *reruns = sorted(runs, key=lambda run: run.started_at)
    assert first.totals()["inserted"] == ROWS
    for rerun in reruns:
        assert rerun.totals() == {"inserted": 0, "updated": 0, "unchanged": ROWS, "rejected": 0}
    assert store.counts()["people"] == 3 and store.counts()["interactions"] == 2
    assert {person.source_system for person in store.list_people()} == {"forum"}


def test_a_failing_source_is_retried_with_backoff_and_never_stops_the_others(
    tmp_path: Path,
    store: GraphStore,
    settings: Settings,
    running: list[ImportScheduler],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ingest.scheduler")
    write_dataset(tmp_path / "good")
    bad = write_dataset(tmp_path / "bad", people="name\nAna\n")  # no id column
    config = write_sources(
        tmp_path, {"good": "0.3s", "bad": "1h"}, "max_retries = 3\nretry_base = 0.1"
    )
    scheduler = ImportScheduler(config, real_runner(store, settings))
    running.append(scheduler)
    scheduler.start()
    wait_until(lambda: "bad: giving up after 3 retries" in caplog.text)
    wait_until(lambda: len(of(scheduler, "good")) >= 3)
    scheduler.shutdown()

    failures = of(scheduler, "bad")
    assert [(outcome.status, outcome.attempt) for outcome in failures] == [
        (FAILED, 0),
        (FAILED, 1),
        (FAILED, 2),
        (FAILED, 3),
    ]
    assert all("people.csv" in (outcome.error or "") for outcome in failures)
    for before, after, delay in zip(failures, failures[1:], (0.1, 0.2, 0.4), strict=False):
        assert (after.started_at - before.finished_at).total_seconds() >= delay - 0.02
    assert {outcome.status for outcome in of(scheduler, "good")} == {SUCCEEDED}
    for attempt in (1, 2, 3):
        assert f"bad: retry {attempt}/3 scheduled at" in caplog.text
        assert f"bad: import started (retry {attempt}/3)" in caplog.text
    failed_runs = [run for run in store.import_runs(100) if run.source == str(bad)]
    assert len(failed_runs) == 4
    assert {run.status for run in failed_runs} == {ImportStatus.FAILED}
    assert all(any("people.csv" in error for error in run.errors) for run in failed_runs)


def test_a_drop_folder_that_appears_later_is_picked_up_by_a_retry(
    tmp_path: Path, store: GraphStore, settings: Settings, running: list[ImportScheduler]
) -> None:
    config = write_sources(tmp_path, {"forum": "1h"}, "max_retries = 5\nretry_base = 0.2")
    scheduler = ImportScheduler(config, real_runner(store, settings))
    running.append(scheduler)
    scheduler.start()
    wait_until(lambda: len(of(scheduler, "forum")) >= 1)
    first = of(scheduler, "forum")[0]
    assert first.status == FAILED and "no such file or folder" in (first.error or "")
    staging = write_dataset(tmp_path / "staging")
    staging.rename(tmp_path / "forum")  # a drop lands whole, never half-written
    wait_until(lambda: of(scheduler, "forum")[-1].status == SUCCEEDED)
    time.sleep(0.5)  # no retry is left pending after the success
    scheduler.shutdown()
    outcomes = of(scheduler, "forum")
    assert outcomes[-1].status == SUCCEEDED and outcomes[-1].attempt >= 1
    assert [outcome.attempt for outcome in outcomes] == list(range(len(outcomes)))
    assert store.counts()["people"] == 3


def test_a_cron_source_waits_for_its_time_in_the_configured_zone(
    tmp_path: Path, store: GraphStore, settings: Settings, running: list[ImportScheduler]
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[scheduler]\ntimezone = "Europe/Ljubljana"\n[[source]]\nname = "nightly"\n'
        'kind = "folder"\nlocation = "nightly"\ncron = "30 3 * * *"\n',
        encoding="utf-8",
    )
    zone = ZoneInfo("Europe/Ljubljana")
    scheduler = ImportScheduler(load_sources(path), real_runner(store, settings), timezone=zone)
    running.append(scheduler)
    scheduler.start()
    upcoming = scheduler.next_run(scheduler.config.get("nightly"))
    assert upcoming is not None
    local = upcoming.astimezone(zone)
    assert (local.hour, local.minute) == (3, 30)
    assert timedelta(0) < upcoming - datetime.now(UTC) <= timedelta(days=1)
    time.sleep(0.3)
    assert scheduler.outcomes() == []  # no run at start: a cron source runs at its times only


def launch(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``graphsvc ARGS`` in a subprocess, with ``env`` added to this environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "graphsvc.cli", *args],
        env={**os.environ, **env},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    process = launch(*args, env=env)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_the_lock_keeps_other_processes_out_until_its_holder_dies(
    tmp_path: Path, store: GraphStore, settings: Settings, running: list[ImportScheduler]
) -> None:
    write_dataset(tmp_path / "forum")
    config = write_sources(tmp_path, {"forum": "0.2s"})
    path = lock_path(config.scheduler.lock_dir, "forum")
    path.parent.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        refused = run_cli(
            "import-now",
            "forum",
            "--sources",
            str(config.path),
            env={"GRAPHSVC_STORE": settings.store},
        )
        assert refused.returncode == 75, refused.stderr
        assert "forum: skipped, an import of it is running in another process" in refused.stderr
        assert "try again later" in refused.stderr and str(path) in refused.stderr

        scheduler = ImportScheduler(config, real_runner(store, settings))
        running.append(scheduler)
        scheduler.start()
        wait_until(lambda: len(of(scheduler, "forum")) >= 2)
        assert {outcome.status for outcome in of(scheduler, "forum")} == {SKIPPED}
        assert store.import_runs() == []
    finally:
        holder.send_signal(signal.SIGKILL)  # kill -9: the kernel drops its flock
        holder.wait(timeout=10)
        holder.stdout.close()  # type: ignore[union-attr]
    wait_until(lambda: of(scheduler, "forum")[-1].status == SUCCEEDED)
    scheduler.shutdown()
    assert store.counts()["people"] == 3
    free = FileLock(path, timeout=0)
    free.acquire()
    free.release()


def test_an_unusable_lock_dir_stops_the_command_before_any_run(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write_dataset(tmp_path / "forum")
    config = write_sources(tmp_path, {"forum": "15m"}).path
    config.write_text(config.read_text().replace('"locks"', '"sources.toml/locks"'))
    for command in (["import-now", "forum"], ["schedule", "--once"]):
        assert main([*command, "--sources", str(config), "--store", settings.store]) == 2
        assert f"lock_dir {config}/locks: Not a directory" in capsys.readouterr().err
    store = open_store(settings)
    assert store.import_runs() == []
    store.close()


def test_import_now_runs_one_source_in_the_foreground(tmp_path: Path, settings: Settings) -> None:
    write_dataset(tmp_path / "forum")
    config = write_sources(tmp_path, {"forum": "15m", "wiki": "1h"})
    env = {"GRAPHSVC_STORE": settings.store, "GRAPHSVC_SOURCES": str(config.path)}
    done = run_cli("import-now", "forum", "--json", env=env)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert (outcome["source"], outcome["status"], outcome["attempt"]) == ("forum", SUCCEEDED, 0)
    assert outcome["counts"] == {"people": 3, "interactions": 2}
    assert "forum: import started" in done.stderr and "forum: succeeded in" in done.stderr
    unknown = run_cli("import-now", "blog", env=env)
    assert unknown.returncode == 2
    assert "no source named 'blog' (sources: forum, wiki)" in unknown.stderr
    missing = run_cli("import-now", "wiki", env=env)  # its folder does not exist
    assert missing.returncode == 3 and "wiki: failed" in missing.stdout


def test_schedule_once_runs_every_source_and_reports(tmp_path: Path, settings: Settings) -> None:
    write_dataset(tmp_path / "good")
    write_dataset(tmp_path / "bad", interactions="kind,source_id\n")  # required columns missing
    config = write_sources(tmp_path, {"good": "15m", "bad": "15m"})
    env = {"GRAPHSVC_STORE": settings.store}
    once = run_cli("schedule", "--once", "--json", "--sources", str(config.path), env=env)
    assert once.returncode == 3, once.stderr
    report = json.loads(once.stdout)
    assert report["ok"] is False and report["not_run"] == []
    statuses = {outcome["source"]: outcome["status"] for outcome in report["outcomes"]}
    assert statuses == {"good": SUCCEEDED, "bad": FAILED}
    log = [json.loads(line) for line in once.stderr.splitlines()]
    assert {(entry["event"], entry.get("source")) for entry in log} >= {
        ("started", "good"),
        ("finished", "good"),
        ("finished", "bad"),
    }
    assert not any(entry["event"] == "retry_scheduled" for entry in log)  # --once never retries
    good_only = write_sources(tmp_path, {"good": "15m"})
    again = run_cli("schedule", "--once", "--sources", str(good_only.path), env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("good: succeeded in")


def test_a_foreign_export_a_mapping_and_one_entry_keep_the_store_in_sync(
    tmp_path: Path, settings: Settings
) -> None:
    """The goal: a folder of CSVs from another system + a mapping + one sources.toml entry."""
    shutil.copytree(EXAMPLES / "forum", tmp_path / "forum-drop")
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "forum"\nkind = "folder"\nlocation = "forum-drop"\n'
        'mapping = "forum-drop/mapping.toml"\nevery = "15m"\n',
        encoding="utf-8",
    )
    argv = ["schedule", "--once", "--json", "--sources", str(tmp_path / "sources.toml")]
    env = {"GRAPHSVC_STORE": settings.store}
    first, again = run_cli(*argv, env=env), run_cli(*argv, env=env)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    (loaded,) = json.loads(first.stdout)["outcomes"]
    (rerun,) = json.loads(again.stdout)["outcomes"]
    assert loaded["status"] == rerun["status"] == SUCCEEDED
    assert loaded["counts"]["people"] > 0 and loaded["counts"]["interactions"] > 0
    assert loaded["changes"]["inserted"] == sum(loaded["counts"].values())
    assert rerun["counts"] == loaded["counts"]
    assert (rerun["changes"]["inserted"], rerun["changes"]["updated"]) == (0, 0)
    store = open_store(settings)
    people = list(store.list_people())
    runs = store.import_runs()
    store.close()
    assert {person.source_system for person in people} == {"forum"}
    assert [run.source for run in runs] == ["forum", "forum"]


def read_lines(stream: object) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def drain(lines: queue.Queue[str]) -> Iterator[str]:
    while not lines.empty():
        yield lines.get()


def wait_for_line(lines: queue.Queue[str], text: str, seen: list[str], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in line for line in seen):
        seen.append(lines.get(timeout=max(0.01, deadline - time.monotonic())))


def test_sigterm_stops_a_running_import_after_its_batch_and_exits_0(
    tmp_path: Path, settings: Settings
) -> None:
    people = "id,name\n" + "".join(f"p{i},P{i}\n" for i in range(100))
    interactions = "id,kind,source_id,target_id,at\n" + "".join(
        f"i{i},collaboration,p{i % 100},p{(i * 7 + 1) % 100},2024-01-{1 + i % 28:02d}\n"
        for i in range(20_000)
    )
    write_dataset(tmp_path / "forum", people, interactions)
    config = write_sources(tmp_path, {"forum": "1h"})
    env = {"GRAPHSVC_STORE": settings.store, "GRAPHSVC_BATCH_SIZE": "20"}
    process = launch("schedule", "--sources", str(config.path), env=env)
    seen: list[str] = []
    try:
        lines = read_lines(process.stderr)
        wait_for_line(lines, "forum: import started", seen)
        time.sleep(0.5)  # some batches commit
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        stopped_after = time.monotonic() - sent
        time.sleep(0.1)  # let the reader thread take the last lines
        log = "".join(seen) + "".join(drain(lines))
    finally:
        process.kill()
        process.communicate()
    assert stopped_after < 5, log
    assert "received SIGTERM: no new runs; waiting for 1 running import(s)" in log
    assert "forum: interrupted in" in log
    assert log.rstrip().endswith("scheduler stopped cleanly")
    store = open_store(settings)
    (run,) = store.import_runs()
    store.close()
    assert run.status == ImportStatus.INTERRUPTED
    assert 0 < run.counts["interactions"] < 20_000


def test_imports_lists_and_shows_the_runs(
    tmp_path: Path, store: GraphStore, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_dataset(tmp_path / "good")
    ok = run_import(store, good, settings)
    bad = write_dataset(tmp_path / "bad", interactions="kind,source_id,target_id\n")
    with pytest.raises(InputError):
        run_import(store, bad, settings)
    (failed,) = [run for run in store.import_runs() if run.source == str(bad)]
    uri = ["--store", settings.store]

    assert main(["imports", *uri]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "ID",
        "SOURCE",
        "STATUS",
        "STARTED",
        "DURATION",
        "ROWS",
        "CHANGES",
        "ERRORS",
    ]
    assert failed.id in table[1] and "failed" in table[1] and table[1].rstrip().endswith("1")
    assert ok.run.id in table[2] and "people 3, interactions 2" in table[2]
    assert "5 new, 0 updated" in table[2]

    assert main(["imports", "--json", "--source", str(good), *uri]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["id"], listed["status"], listed["error_count"]) == (ok.run.id, "succeeded", 0)
    assert listed["counts"] == {"people": 3, "interactions": 2}
    assert main(["imports", "--limit", "1", "--json", *uri]) == 0
    assert [run["id"] for run in json.loads(capsys.readouterr().out)] == [failed.id]

    assert main(["imports", "show", failed.id, *uri]) == 0
    shown = capsys.readouterr().out
    assert f"run       {failed.id}" in shown and "status    failed" in shown
    assert "interactions.csv" in shown and "at" in shown
    assert main(["imports", "show", failed.id, "--json", *uri]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["errors"] == list(failed.errors) and detail["error_count"] == 1

    assert main(["imports", "show", "import-nope", *uri]) == 4
    assert "import run 'import-nope' not found" in capsys.readouterr().err
    assert main(["imports", "show", *uri]) == 2
    assert "give the run id" in capsys.readouterr().err
