"""Scheduled jobs (``[[job]]``): graphsvc commands run by the scheduler beside the imports.

Real folder sources, a real SQLite store, the production runners of the commands
(:func:`ingest.cli_schedule.production_runner` and :func:`~ingest.cli_schedule.
production_job_runner`: a job runs its real ``graphsvc`` command in this process), a lock
held by another holder, and the real ``graphsvc`` command in a subprocess.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from filelock import FileLock
from test_scheduler import run_cli, wait_until, write_dataset

from graphsvc.cli import main, run_command
from graphsvc.config import Settings
from graphsvc.store import GraphStore, MetricQuery, open_store
from ingest.cli_schedule import job_result, load_schedule, production_job_runner, production_runner
from ingest.locks import lock_path
from ingest.scheduler import (
    FAILED,
    SKIPPED,
    SUCCEEDED,
    ImportScheduler,
    JobResult,
    RunOutcome,
    describe,
)
from ingest.sources import SourcesFile

COMMUNITIES = "id,name\nc1,One\nc2,Two\n"
#: p1 and p2 share c1, p3 is in c2: of the two interactions (p1–p2, p2–p3) one crosses
MEMBERSHIPS = "person_id,community_id\np1,c1\np2,c1\np3,c2\n"
SNAPSHOT = ["snapshot", "--replicates", "5"]
FAILING = ["evaluate", "intervention", "no-such-activity"]
NOT_FOUND = "activity 'no-such-activity' not found (exit 4)"


def write_drop(folder: Path) -> Path:
    """An interchange folder: 3 people in 2 communities, 2 interactions in March 2024."""
    write_dataset(folder)
    (folder / "communities.csv").write_text(COMMUNITIES, encoding="utf-8")
    (folder / "memberships.csv").write_text(MEMBERSHIPS, encoding="utf-8")
    return folder


def write_config(
    folder: Path,
    jobs: dict[str, tuple[list[str], str]],
    sources: tuple[str, ...] = ("forum",),
    scheduler: str = "",
) -> SourcesFile:
    """A sources.toml with the jobs (``name → (command, 'every = …' or 'cron = …')``) written
    before the folder sources (run hourly), locks in ``folder/locks``."""
    lines = ["[scheduler]", 'lock_dir = "locks"', scheduler]
    for name, (command, when) in jobs.items():
        lines += ["[[job]]", f'name = "{name}"', f"command = {json.dumps(command)}", when]
    for name in sources:
        lines += ["[[source]]", f'name = "{name}"', 'kind = "folder"', f'location = "{name}"']
        lines.append('every = "1h"')
    path = folder / "sources.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_schedule(path)


def scheduler_of(config: SourcesFile, store: GraphStore, settings: Settings) -> ImportScheduler:
    run_one, run_job = production_runner(store, settings), production_job_runner(settings)
    return ImportScheduler(config, run_one, run_job)


def of(scheduler: ImportScheduler, name: str) -> list[RunOutcome]:
    return [outcome for outcome in scheduler.outcomes() if outcome.source == name]


def network_values(store: GraphStore, indicator: str) -> list[tuple[datetime, float | None, int]]:
    query = MetricQuery(scope_kind="network", indicator=indicator)
    return [(m.period_start, m.value, m.n_interactions) for m in store.metric_values(query)]


MARCH = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The settings of ``sqlite_store`` (tests/conftest.py), in small batches."""
    return Settings(store=f"sqlite:///{tmp_path / 'graph.db'}", batch_size=2)


def test_once_runs_the_sources_then_the_jobs_on_the_fresh_data(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ingest.scheduler")
    write_drop(tmp_path / "forum")
    config = write_config(tmp_path, {"snap": (SNAPSHOT, 'cron = "0 2 1 * *"')})
    outcomes = scheduler_of(config, sqlite_store, settings).run_all_once()

    assert [(o.source, o.status) for o in outcomes] == [("forum", SUCCEEDED), ("snap", SUCCEEDED)]
    snap = outcomes[1]
    assert (snap.run_id, snap.counts, snap.error) == (None, {}, None)
    assert snap.summary is not None and re.match(r"snapshot temporal-\d+: ", snap.summary)
    assert " values over 1 periods stored in " in snap.summary
    assert describe(snap).startswith("snap: succeeded in ")
    assert describe(snap).endswith(f": {snap.summary}")
    assert snap.as_json()["summary"] == snap.summary
    # computed from the interactions the source imported just before: one of two crosses
    assert network_values(sqlite_store, "cross_share") == [(MARCH, 0.5, 2)]
    stored = len(sqlite_store.metric_values())
    assert f": {stored} values over 1 periods" in snap.summary
    assert "forum: import started" in caplog.text and "snap: job started" in caplog.text
    assert caplog.text.index("forum: succeeded") < caplog.text.index("snap: job started")


def test_a_failing_job_fails_with_its_message_and_does_not_stop_the_others(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    write_drop(tmp_path / "forum")
    jobs = {"bad": (FAILING, 'every = "1h"'), "snap": (SNAPSHOT, 'every = "1h"')}
    outcomes = scheduler_of(write_config(tmp_path, jobs), sqlite_store, settings).run_all_once()

    assert [(o.source, o.status) for o in outcomes] == [
        ("forum", SUCCEEDED),
        ("bad", FAILED),
        ("snap", SUCCEEDED),
    ]
    bad = outcomes[1]
    assert (bad.error, bad.summary) == (NOT_FOUND, None)
    assert describe(bad).startswith("bad: failed in ") and describe(bad).endswith(NOT_FOUND)
    assert network_values(sqlite_store, "cross_share") == [(MARCH, 0.5, 2)]


@pytest.mark.parametrize(
    ("code", "stdout", "stderr", "expected"),
    [
        (0, "a\nsnapshot done\n\n", "graphsvc: note\n", JobResult(0, "snapshot done")),
        (0, "", "", JobResult(0)),
        (
            4,
            "half\n",
            "warning\ngraphsvc: error: x not found\n",
            JobResult(4, "half", "x not found (exit 4)"),
        ),  # fmt: skip
        (1, "partial\nthe reason\n", "", JobResult(1, None, "the reason (exit 1)")),
        (3, "", "", JobResult(3, None, "no output (exit 3)")),
    ],
)
def test_a_jobs_result_is_its_exit_code_and_last_lines(
    code: int, stdout: str, stderr: str, expected: JobResult
) -> None:
    assert job_result(code, stdout, stderr) == expected


def test_a_job_runs_its_command_with_the_schedulers_settings_and_streams(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    out, err = io.StringIO(), io.StringIO()
    assert run_command(["info"], out, err, settings=settings) == 0
    assert out.getvalue().startswith(f"store: {settings.store}\n") and err.getvalue() == ""
    out = io.StringIO()
    assert run_command(["info", "--store", f"sqlite:///{elsewhere}"], out, err, settings) == 0
    assert out.getvalue().startswith(f"store: sqlite:///{elsewhere}\n")  # argv still overrides
    assert run_command(["infoo"], out, err, settings=settings) == 2
    assert "argument COMMAND: invalid choice: 'infoo'" in err.getvalue()
    assert capsys.readouterr() == ("", "")  # nothing reached this process's stdout or stderr


def test_a_job_whose_lock_is_held_elsewhere_is_skipped(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    write_drop(tmp_path / "forum")
    config = write_config(tmp_path, {"snap": (SNAPSHOT, 'every = "1h"')})
    scheduler = scheduler_of(config, sqlite_store, settings)
    path = lock_path(config.scheduler.lock_dir, "snap")
    path.parent.mkdir()
    with FileLock(path, timeout=0):  # another holder (test_scheduler.py: another process)
        forum, snap = scheduler.run_all_once()
    assert forum.status == SUCCEEDED
    assert (snap.status, snap.error) == (SKIPPED, "a run of it is running in another process")
    assert sqlite_store.metric_values() == []
    again = scheduler.run_now(config.entry("snap"))  # the holder is gone: the lock is free
    assert again.status == SUCCEEDED and sqlite_store.metric_values() != []


def test_scheduled_jobs_run_on_their_schedules_and_failures_are_retried(
    tmp_path: Path,
    sqlite_store: GraphStore,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ingest.scheduler")
    jobs = {
        "ticks": (["imports", "--limit", "1"], 'every = "0.3s"'),
        "bad": (FAILING, 'every = "1h"'),
        "monthly": (SNAPSHOT, 'cron = "0 2 1 * *"'),
    }
    retries = "max_retries = 2\nretry_base = 0.1"
    config = write_config(tmp_path, jobs, sources=(), scheduler=retries)  # jobs only
    streams = (sys.stdout, sys.stderr)
    scheduler = scheduler_of(config, sqlite_store, settings)
    started = time.monotonic()
    scheduler.start()
    try:
        wait_until(lambda: "bad: giving up after 2 retries" in caplog.text)
        wait_until(lambda: len(of(scheduler, "ticks")) >= 3)
        upcoming = scheduler.next_run(config.entry("monthly"))
    finally:
        scheduler.shutdown()

    assert time.monotonic() - started >= 0.6  # at start, then every 0.3 s
    ticks = of(scheduler, "ticks")
    assert {(t.status, t.attempt, t.summary) for t in ticks} == {
        (SUCCEEDED, 0, "no import runs recorded")
    }
    failures = of(scheduler, "bad")
    assert [(f.status, f.attempt, f.error) for f in failures] == [
        (FAILED, 0, NOT_FOUND),
        (FAILED, 1, NOT_FOUND),
        (FAILED, 2, NOT_FOUND),
    ]
    for before, after, delay in zip(failures, failures[1:], (0.1, 0.2), strict=False):
        assert (after.started_at - before.finished_at).total_seconds() >= delay - 0.02
    for attempt in (1, 2):
        assert f"bad: retry {attempt}/2 scheduled at" in caplog.text
        assert f"bad: job started (retry {attempt}/2)" in caplog.text
    assert upcoming is not None and (upcoming.day, upcoming.hour, upcoming.minute) == (1, 2, 0)
    assert timedelta(0) < upcoming - datetime.now(UTC) <= timedelta(days=31)
    assert of(scheduler, "monthly") == []  # a cron job runs at its times only
    assert (sys.stdout, sys.stderr) == streams  # the jobs' parsing put them back
    assert "job(s) to finish" in caplog.text


def test_schedule_once_on_the_command_line_runs_the_source_then_the_job(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write_drop(tmp_path / "forum")
    path = write_config(tmp_path, {"snap": (SNAPSHOT, 'cron = "0 2 1 * *"')}).path
    decoy = tmp_path / "decoy.db"  # the environment's store: --store must win, for the job too
    argv = ["schedule", "--once", "--sources", str(path), "--store", settings.store]
    env = {"GRAPHSVC_STORE": f"sqlite:///{decoy}"}
    once = run_cli(*argv, env=env)
    assert once.returncode == 0, once.stderr
    forum, snap = once.stdout.splitlines()
    assert forum.startswith("forum: succeeded in ") and "interactions 2 (10 new" in forum
    assert snap.startswith("snap: succeeded in ")
    assert re.search(r": snapshot temporal-\d+: \d+ values over 1 periods stored in ", snap)
    assert "snap: job started" in once.stderr
    again = run_cli(*argv, "--json", env=env)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["ok"] is True and report["not_run"] == []
    assert [(o["source"], o["status"]) for o in report["outcomes"]] == [
        ("forum", SUCCEEDED),
        ("snap", SUCCEEDED),
    ]
    assert re.match(r"snapshot temporal-\d+: ", report["outcomes"][1]["summary"])
    assert not decoy.exists()
    store = open_store(settings)
    assert network_values(store, "cross_share") == [(MARCH, 0.5, 2)]  # rerun: nothing new
    store.close()

    assert main(["import-now", "snap", "--sources", str(path), "--store", settings.store]) == 2
    assert "'snap' is a job, not a source (run its command: graphsvc snapshot" in (
        capsys.readouterr().err
    )


def test_a_bad_job_command_stops_the_command_before_any_run(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write_drop(tmp_path / "forum")
    path = write_config(tmp_path, {"snap": (SNAPSHOT, 'every = "1h"')}).path
    path.write_text(path.read_text().replace('"snapshot"', '"snapshto"'), encoding="utf-8")
    assert main(["schedule", "--once", "--sources", str(path), "--store", settings.store]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{path}: job 'snap': command: argument COMMAND: invalid choice: 'snapshto'" in err
    store = open_store(settings)
    assert store.import_runs() == []
    store.close()
