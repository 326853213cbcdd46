"""Run the sources and jobs of a ``sources.toml`` on their schedules (APScheduler 3).

Each entry (a ``[[source]]`` or a ``[[job]]``) is one APScheduler job (an
:class:`~apscheduler.triggers.interval.IntervalTrigger` that also fires once at start, or a
:class:`~apscheduler.triggers.cron.CronTrigger`) with ``max_instances=1`` and
``coalesce=True``; runs that were missed (a suspended machine, a busy pool) are caught up
once, however late. Every run takes the entry's file lock (:mod:`ingest.locks`), so two
processes never run one source or job at once: a run that finds the lock taken is skipped
and logged. A failing entry never stops the others; a failed run (an exception, a run
recorded as ``failed``, a job's command exiting non-zero) is retried by a one-off job after
``retry_base * 2**n`` seconds, capped at ``retry_max``, up to ``max_retries`` times per
scheduled run. Each run logs one line when it starts and one when it ends.

The work itself is injected. An import is ``run_one(source, should_stop)`` (production:
:func:`ingest.source_run.run_source`): it records its import run in the store and polls
``should_stop()`` between batches, so :meth:`ImportScheduler.shutdown` lets a running
import finish its current batch and stop. A job is ``run_job(job, should_stop)``
(production: the job's graphsvc command run in this process,
:func:`ingest.cli_schedule.production_job_runner`); shutdown waits for a running job.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from graphsvc.errors import GraphsvcError
from graphsvc.model import ImportRun
from ingest.locks import source_lock
from ingest.runner import ImportResult
from ingest.sources import Entry, JobConfig, Scheduled, SourceConfig, SourcesFile

log = logging.getLogger(__name__)

StopCheck = Callable[[], bool]
RunOne = Callable[[SourceConfig, StopCheck], ImportResult]
"""``run_one(source, should_stop) -> ImportResult``: import ``source`` once, record the run."""

SUCCEEDED, FAILED, SKIPPED = "succeeded", "failed", "skipped"
#: at most this many sources and jobs run at the same time in one process
MAX_WORKERS = 4
_BUSY_ELSEWHERE = "{} of it is running in another process"
_BUSY_HERE = "a run of it is still in progress"


@dataclass(frozen=True, slots=True)
class JobResult:
    """What one run of a job's command came to.

    ``exit_code`` 0 is success; ``summary`` is the last line it printed, ``error`` (when it
    failed) what it said about the failure.
    """

    exit_code: int
    summary: str | None = None
    error: str | None = None


RunJob = Callable[[JobConfig, StopCheck], JobResult]
"""``run_job(job, should_stop) -> JobResult``: run the command of ``job`` once."""


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What one run of a source or job came to, as logged (the store holds an import's record).

    ``source`` is the name of the source or job. ``status`` is the import run's status
    (``succeeded``, ``partial``, ``failed``, …) or the job's (``succeeded`` or ``failed``),
    ``failed`` for an exception, or ``skipped`` when the entry was busy. ``attempt`` is 0
    for a scheduled or manual run and n for the n-th retry. ``summary`` is the last line a
    job's command printed.
    """

    source: str
    status: str
    attempt: int
    started_at: datetime
    finished_at: datetime
    run_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    #: rows per outcome (``inserted``, ``updated``, ``unchanged``, ``rejected``)
    changes: dict[str, int] = field(default_factory=dict)
    error_count: int = 0
    error: str | None = None
    summary: str | None = None

    @classmethod
    def of_run(cls, source: str, attempt: int, started: datetime, run: ImportRun) -> RunOutcome:
        """The outcome of a run ``run_one`` returned (the first error only when it failed)."""
        status = str(run.status.value)
        error = run.errors[0] if status == FAILED and run.errors else None
        counts, changes, ended = dict(run.counts), run.totals(), datetime.now(UTC)
        return cls(
            source, status, attempt, started, ended, run.id, counts, changes, len(run.errors), error
        )

    @classmethod
    def of_job(cls, name: str, attempt: int, started: datetime, result: JobResult) -> RunOutcome:
        """The outcome of a job's run: succeeded when its command exited 0, else failed."""
        ended, summary = datetime.now(UTC), result.summary
        if result.exit_code == 0:
            return cls(name, SUCCEEDED, attempt, started, ended, summary=summary)
        error = result.error or f"exit code {result.exit_code}"
        return cls(name, FAILED, attempt, started, ended, error=error, summary=summary)

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "attempt": self.attempt,
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "counts": self.counts,
            "changes": self.changes,
            "error_count": self.error_count,
            "error": self.error,
            "summary": self.summary,
        }


class ImportScheduler:
    """The sources and jobs of one ``sources.toml`` on their schedules, run by ``run_one``
    and ``run_job`` (needed when the file has jobs)."""

    def __init__(
        self,
        config: SourcesFile,
        run_one: RunOne,
        run_job: RunJob | None = None,
        *,
        timezone: tzinfo = UTC,
        max_workers: int | None = None,
    ) -> None:
        if config.jobs and run_job is None:
            raise ValueError(f"{config.path} has jobs: give run_job")
        self.config = config
        self.timezone = timezone
        self._run_one = run_one
        self._run_job = run_job
        self._stop_reason: str | None = None  # a plain attribute: signal handlers set it
        self._in_progress = {entry.name: threading.Lock() for entry in config.entries}
        self._outcomes: list[RunOutcome] = []
        self._outcomes_lock = threading.Lock()
        workers = max_workers or max(1, min(len(config.entries), MAX_WORKERS))
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
            timezone=timezone,
        )

    # -- stopping -------------------------------------------------------------------------

    def should_stop(self) -> bool:
        """True once a stop was requested: running imports stop after their current batch."""
        return self._stop_reason is not None

    def request_stop(self, reason: str = "stop requested") -> None:
        """Ask for a stop (safe from a signal handler: it only sets an attribute)."""
        if self._stop_reason is None:
            self._stop_reason = reason

    def shutdown(self, reason: str = "stopping") -> None:
        """Take no new runs, let running imports stop after their batch, wait for them
        (and for running jobs to finish)."""
        busy = [entry for entry in self.config.entries if self._in_progress[entry.name].locked()]
        if self.should_stop() and not self._scheduler.running:
            return  # stopped already
        jobs = sum(isinstance(entry, JobConfig) for entry in busy)
        finishing = f" and {jobs} job(s) to finish" if self.config.jobs else ""
        log.info(
            "%s: no new runs; waiting for %d running import(s) to stop after their current batch%s",
            *(reason, len(busy) - jobs, finishing),
            extra=_event("stopping", reason=reason, busy=len(busy)),
        )
        self.request_stop(reason)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        log.info("scheduler stopped cleanly", extra=_event("stopped"))

    # -- running --------------------------------------------------------------------------

    def outcomes(self) -> list[RunOutcome]:
        """Every run so far, oldest first."""
        with self._outcomes_lock:
            return list(self._outcomes)

    def run_all_once(self) -> list[RunOutcome]:
        """Run every source once, then every job (a snapshot sees the fresh imports), one
        after the other, without retries (``--once``)."""
        outcomes = []
        for entry in self.config.entries:
            if self.should_stop():
                break
            outcomes.append(self.run_now(entry))
        return outcomes

    def run_now(self, entry: Entry, *, attempt: int = 0) -> RunOutcome:
        """Run a source or job once in this thread under its locks; log and return the
        outcome."""
        in_progress = self._in_progress.setdefault(entry.name, threading.Lock())
        if not in_progress.acquire(blocking=False):
            return self._skip(entry, attempt, _BUSY_HERE)
        try:
            with source_lock(self.config.scheduler.lock_dir, entry.name) as locked:
                if not locked:
                    busy = "a run" if isinstance(entry, JobConfig) else "an import"
                    return self._skip(entry, attempt, _BUSY_ELSEWHERE.format(busy))
                return self._run_locked(entry, attempt)
        except OSError as exc:  # the lock folder cannot be created or the lock not taken
            now = datetime.now(UTC)
            error = f"lock {self.config.scheduler.lock_dir}: {exc.strerror or exc}"
            return self._finish(RunOutcome(entry.name, FAILED, attempt, now, now, error=error))
        finally:
            in_progress.release()

    def _run_locked(self, entry: Entry, attempt: int) -> RunOutcome:
        what = f" (retry {attempt}/{self.config.scheduler.max_retries})" if attempt else ""
        event = _event("started", source=entry.name, attempt=attempt)
        log.info("%s: %s started%s", entry.name, _noun(entry), what, extra=event)
        started = datetime.now(UTC)
        try:
            outcome = self._run_entry(entry, attempt, started)
        except Exception as exc:  # one failing source or job must not stop the others
            if not isinstance(exc, GraphsvcError):
                log.exception("%s: unexpected error", entry.name)
            error = str(exc) if isinstance(exc, GraphsvcError) else f"{type(exc).__name__}: {exc}"
            ended = datetime.now(UTC)
            outcome = RunOutcome(entry.name, FAILED, attempt, started, ended, error=error)
        return self._finish(outcome)

    def _run_entry(self, entry: Entry, attempt: int, started: datetime) -> RunOutcome:
        if isinstance(entry, JobConfig):
            assert self._run_job is not None  # __init__ requires it when there are jobs
            result = self._run_job(entry, self.should_stop)
            return RunOutcome.of_job(entry.name, attempt, started, result)
        run = self._run_one(entry, self.should_stop).run
        return RunOutcome.of_run(entry.name, attempt, started, run)

    def _skip(self, entry: Entry, attempt: int, why: str) -> RunOutcome:
        now = datetime.now(UTC)
        return self._finish(RunOutcome(entry.name, SKIPPED, attempt, now, now, error=why))

    def _finish(self, outcome: RunOutcome) -> RunOutcome:
        with self._outcomes_lock:
            self._outcomes.append(outcome)
        event = _event("finished", **outcome.as_json())
        if outcome.status == SKIPPED:
            log.warning("%s: skipped, %s", outcome.source, outcome.error, extra=event)
        else:
            level = {SUCCEEDED: logging.INFO, FAILED: logging.ERROR}.get(outcome.status)
            log.log(level or logging.WARNING, "%s", describe(outcome), extra=event)
        return outcome

    # -- the schedule ---------------------------------------------------------------------

    def start(self) -> None:
        """Add one APScheduler job per source and job and start the scheduler's threads
        (returns at once)."""
        now = datetime.now(self.timezone)
        for entry in self.config.entries:
            first = {"next_run_time": now} if entry.every is not None else {}
            self._scheduler.add_job(
                self._scheduled_run,
                self._trigger(entry),
                args=(entry.name, 0),
                id=entry.name,
                name=f"{_noun(entry)} {entry.name}",
                **first,
            )
        self._scheduler.start()
        config = self.config
        log.info(
            "scheduler started: %d source(s), %d job(s) from %s; locks in %s",
            *(len(config.sources), len(config.jobs), config.path, config.scheduler.lock_dir),
            extra=_event("scheduler_started"),
        )
        for entry in config.entries:
            log.info(
                "%s: %s, next run at %s", entry.name, entry.schedule, _shown(self.next_run(entry))
            )
        for source in config.sources:
            if source.kind != "http" and not source.path.exists():
                log.warning(
                    "%s: %s does not exist (yet); its runs fail until it does",
                    *(source.name, source.location),
                )

    def next_run(self, entry: Scheduled) -> datetime | None:
        """When the scheduled run of a source or job fires next (None when not scheduled)."""
        job = self._scheduler.get_job(entry.name)
        return None if job is None else job.next_run_time

    def _trigger(self, entry: Scheduled) -> BaseTrigger:
        if entry.every is not None:
            return IntervalTrigger(seconds=entry.every.total_seconds(), timezone=self.timezone)
        assert entry.cron is not None  # sources.py guarantees exactly one of every/cron
        return CronTrigger.from_crontab(entry.cron, timezone=self.timezone)

    def _scheduled_run(self, name: str, attempt: int) -> None:
        """The job body: run, then plan a retry when the run failed. Never raises."""
        try:
            entry = self.config.entry(name)
            if attempt == 0:
                self._cancel_retry(name)  # a scheduled run supersedes a pending retry
            outcome = self.run_now(entry, attempt=attempt)
            if outcome.status == FAILED and not self.should_stop():
                self._plan_retry(entry, attempt)
        except Exception:
            log.exception("%s: the scheduled run itself failed", name)

    def _plan_retry(self, entry: Scheduled, attempt: int) -> None:
        policy = self.config.scheduler
        if attempt >= policy.max_retries:
            if policy.max_retries:
                log.error(
                    "%s: giving up after %d retries; next scheduled run at %s",
                    *(entry.name, attempt, _shown(self.next_run(entry))),
                    extra=_event("gave_up", source=entry.name),
                )
            return
        delay = policy.retry_delay(attempt)
        when = datetime.now(self.timezone) + timedelta(seconds=delay)
        self._scheduler.add_job(
            self._scheduled_run,
            DateTrigger(run_date=when, timezone=self.timezone),
            args=(entry.name, attempt + 1),
            id=_retry_id(entry.name),
            name=f"retry {entry.name}",
            replace_existing=True,
        )
        log.warning(
            "%s: retry %d/%d scheduled at %s (in %gs)",
            *(entry.name, attempt + 1, policy.max_retries, _shown(when), delay),
            extra=_event("retry_scheduled", source=entry.name, attempt=attempt + 1, delay=delay),
        )

    def _cancel_retry(self, name: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(_retry_id(name))


def describe(outcome: RunOutcome) -> str:
    """``forum: succeeded in 1.2s (run import-…): people 3, interactions 2 (5 new, 0 updated)``;
    a job's: ``monthly: succeeded in 3.1s: snapshot temporal-2: 1,234 values …``."""
    run = f" (run {outcome.run_id})" if outcome.run_id else ""
    head = f"{outcome.source}: {outcome.status} in {outcome.seconds:.1f}s{run}"
    parts = [summarize_counts(outcome.counts)] if outcome.counts else []
    if parts and outcome.changes:
        changes = outcome.changes
        parts[0] += f" ({changes.get('inserted', 0)} new, {changes.get('updated', 0)} updated)"
    if outcome.error_count:
        parts.append(f"{outcome.error_count} error message(s)")
    if outcome.summary:
        parts.append(outcome.summary)
    if outcome.error:
        parts.append(outcome.error)
    return f"{head}: {'; '.join(parts)}" if parts else head


def summarize_counts(counts: dict[str, int]) -> str:
    """``people 3, interactions 2`` (entities with rows only; ``nothing loaded`` if none)."""
    shown = [f"{entity} {count}" for entity, count in counts.items() if count]
    return ", ".join(shown) if shown else "nothing loaded"


def _noun(entry: Entry) -> str:
    """What a run of ``entry`` is called in the log: ``import`` or ``job``."""
    return "job" if isinstance(entry, JobConfig) else "import"


def _retry_id(name: str) -> str:
    return f"{name}:retry"


def _shown(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "—"


def _event(name: str, **fields: object) -> dict[str, Any]:
    """``extra=`` of a log call: the structured facts ``--json`` logs carry."""
    return {"details": {"event": name, **fields}}
