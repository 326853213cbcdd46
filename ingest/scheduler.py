"""Run the sources of a ``sources.toml`` on their schedules (APScheduler 3, one job per source).

Each source is one job (an :class:`~apscheduler.triggers.interval.IntervalTrigger` that also
fires once at start, or a :class:`~apscheduler.triggers.cron.CronTrigger`) with
``max_instances=1`` and ``coalesce=True``; runs that were missed (a suspended machine, a busy
pool) are caught up once, however late. Every run takes the source's file lock
(:mod:`ingest.locks`), so two processes never import one source at once: a run that finds
the lock taken is skipped and logged. A failing source never stops the others; a failed run
(an exception, or a run recorded as ``failed``) is retried by a one-off job after
``retry_base * 2**n`` seconds, capped at ``retry_max``, up to ``max_retries`` times per
scheduled run. Each run logs one line when it starts and one when it ends.

The import itself is injected as ``run_one(source, should_stop)`` (production:
:func:`ingest.source_run.run_source`): it records its import run in the store and polls
``should_stop()`` between batches, so :meth:`ImportScheduler.shutdown` lets a running
import finish its current batch and stop.
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
from ingest.sources import SourceConfig, SourcesFile

log = logging.getLogger(__name__)

StopCheck = Callable[[], bool]
RunOne = Callable[[SourceConfig, StopCheck], ImportResult]
"""``run_one(source, should_stop) -> ImportResult``: import ``source`` once, record the run."""

SUCCEEDED, FAILED, SKIPPED = "succeeded", "failed", "skipped"
#: at most this many sources import at the same time in one process
MAX_WORKERS = 4
_BUSY_ELSEWHERE = "an import of it is running in another process"
_BUSY_HERE = "a run of it is still in progress"


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What one run of a source came to, as logged (the store holds the full run record).

    ``status`` is the import run's status (``succeeded``, ``partial``, ``failed``, …),
    ``failed`` for an exception, or ``skipped`` when the source was busy. ``attempt`` is 0
    for a scheduled or manual run and n for the n-th retry.
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

    @classmethod
    def of_run(cls, source: str, attempt: int, started: datetime, run: ImportRun) -> RunOutcome:
        """The outcome of a run ``run_one`` returned (the first error only when it failed)."""
        status = str(run.status.value)
        error = run.errors[0] if status == FAILED and run.errors else None
        counts, changes, ended = dict(run.counts), run.totals(), datetime.now(UTC)
        return cls(
            source, status, attempt, started, ended, run.id, counts, changes, len(run.errors), error
        )

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
        }


class ImportScheduler:
    """The sources of one ``sources.toml`` on their schedules, run by ``run_one``."""

    def __init__(
        self,
        config: SourcesFile,
        run_one: RunOne,
        *,
        timezone: tzinfo = UTC,
        max_workers: int | None = None,
    ) -> None:
        self.config = config
        self.timezone = timezone
        self._run_one = run_one
        self._stop_reason: str | None = None  # a plain attribute: signal handlers set it
        self._in_progress = {source.name: threading.Lock() for source in config.sources}
        self._outcomes: list[RunOutcome] = []
        self._outcomes_lock = threading.Lock()
        workers = max_workers or max(1, min(len(config.sources), MAX_WORKERS))
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
        """Take no new runs, let running imports stop after their batch, wait for them."""
        busy = sum(lock.locked() for lock in self._in_progress.values())
        if self.should_stop() and not self._scheduler.running:
            return  # stopped already
        log.info(
            "%s: no new runs; waiting for %d running import(s) to stop after their current batch",
            *(reason, busy),
            extra=_event("stopping", reason=reason, busy=busy),
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
        """Run every source once, one after the other, without retries (``--once``)."""
        outcomes = []
        for source in self.config.sources:
            if self.should_stop():
                break
            outcomes.append(self.run_now(source))
        return outcomes

    def run_now(self, source: SourceConfig, *, attempt: int = 0) -> RunOutcome:
        """Import ``source`` once in this thread under its locks; log and return the outcome."""
        in_progress = self._in_progress.setdefault(source.name, threading.Lock())
        if not in_progress.acquire(blocking=False):
            return self._skip(source, attempt, _BUSY_HERE)
        try:
            with source_lock(self.config.scheduler.lock_dir, source.name) as locked:
                if not locked:
                    return self._skip(source, attempt, _BUSY_ELSEWHERE)
                return self._run_locked(source, attempt)
        except OSError as exc:  # the lock folder cannot be created or the lock not taken
            now = datetime.now(UTC)
            error = f"lock {self.config.scheduler.lock_dir}: {exc.strerror or exc}"
            return self._finish(RunOutcome(source.name, FAILED, attempt, now, now, error=error))
        finally:
            in_progress.release()

    def _run_locked(self, source: SourceConfig, attempt: int) -> RunOutcome:
        what = f" (retry {attempt}/{self.config.scheduler.max_retries})" if attempt else ""
        event = _event("started", source=source.name, attempt=attempt)
        log.info("%s: import started%s", source.name, what, extra=event)
        started = datetime.now(UTC)
        try:
            result = self._run_one(source, self.should_stop)
        except Exception as exc:  # one failing source must not stop the others
            if not isinstance(exc, GraphsvcError):
                log.exception("%s: unexpected error", source.name)
            error = str(exc) if isinstance(exc, GraphsvcError) else f"{type(exc).__name__}: {exc}"
            ended = datetime.now(UTC)
            outcome = RunOutcome(source.name, FAILED, attempt, started, ended, error=error)
            return self._finish(outcome)
        return self._finish(RunOutcome.of_run(source.name, attempt, started, result.run))

    def _skip(self, source: SourceConfig, attempt: int, why: str) -> RunOutcome:
        now = datetime.now(UTC)
        return self._finish(RunOutcome(source.name, SKIPPED, attempt, now, now, error=why))

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
        """Add one job per source and start the scheduler's threads (returns at once)."""
        now = datetime.now(self.timezone)
        for source in self.config.sources:
            first = {"next_run_time": now} if source.every is not None else {}
            self._scheduler.add_job(
                self._scheduled_run,
                self._trigger(source),
                args=(source.name, 0),
                id=source.name,
                name=f"import {source.name}",
                **first,
            )
        self._scheduler.start()
        log.info(
            "scheduler started: %d source(s) from %s; locks in %s",
            *(len(self.config.sources), self.config.path, self.config.scheduler.lock_dir),
            extra=_event("scheduler_started"),
        )
        for source in self.config.sources:
            shown = _shown(self.next_run(source))
            log.info("%s: %s, next run at %s", source.name, source.schedule, shown)
            if source.kind != "http" and not source.path.exists():
                log.warning(
                    "%s: %s does not exist (yet); its runs fail until it does",
                    *(source.name, source.location),
                )

    def next_run(self, source: SourceConfig) -> datetime | None:
        """When the scheduled job of ``source`` fires next (None when not scheduled)."""
        job = self._scheduler.get_job(source.name)
        return None if job is None else job.next_run_time

    def _trigger(self, source: SourceConfig) -> BaseTrigger:
        if source.every is not None:
            return IntervalTrigger(seconds=source.every.total_seconds(), timezone=self.timezone)
        assert source.cron is not None  # sources.py guarantees exactly one of every/cron
        return CronTrigger.from_crontab(source.cron, timezone=self.timezone)

    def _scheduled_run(self, name: str, attempt: int) -> None:
        """The job body: run, then plan a retry when the run failed. Never raises."""
        try:
            source = self.config.get(name)
            if attempt == 0:
                self._cancel_retry(name)  # a scheduled run supersedes a pending retry
            outcome = self.run_now(source, attempt=attempt)
            if outcome.status == FAILED and not self.should_stop():
                self._plan_retry(source, attempt)
        except Exception:
            log.exception("%s: the scheduled run itself failed", name)

    def _plan_retry(self, source: SourceConfig, attempt: int) -> None:
        policy = self.config.scheduler
        if attempt >= policy.max_retries:
            if policy.max_retries:
                log.error(
                    "%s: giving up after %d retries; next scheduled run at %s",
                    *(source.name, attempt, _shown(self.next_run(source))),
                    extra=_event("gave_up", source=source.name),
                )
            return
        delay = policy.retry_delay(attempt)
        when = datetime.now(self.timezone) + timedelta(seconds=delay)
        self._scheduler.add_job(
            self._scheduled_run,
            DateTrigger(run_date=when, timezone=self.timezone),
            args=(source.name, attempt + 1),
            id=_retry_id(source.name),
            name=f"retry {source.name}",
            replace_existing=True,
        )
        log.warning(
            "%s: retry %d/%d scheduled at %s (in %gs)",
            *(source.name, attempt + 1, policy.max_retries, _shown(when), delay),
            extra=_event("retry_scheduled", source=source.name, attempt=attempt + 1, delay=delay),
        )

    def _cancel_retry(self, name: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(_retry_id(name))


def describe(outcome: RunOutcome) -> str:
    """``forum: succeeded in 1.2s (run import-…): people 3, interactions 2 (5 new, 0 updated)``."""
    run = f" (run {outcome.run_id})" if outcome.run_id else ""
    head = f"{outcome.source}: {outcome.status} in {outcome.seconds:.1f}s{run}"
    parts = [summarize_counts(outcome.counts)] if outcome.counts else []
    if parts and outcome.changes:
        changes = outcome.changes
        parts[0] += f" ({changes.get('inserted', 0)} new, {changes.get('updated', 0)} updated)"
    if outcome.error_count:
        parts.append(f"{outcome.error_count} error message(s)")
    if outcome.error:
        parts.append(outcome.error)
    return f"{head}: {'; '.join(parts)}" if parts else head


def summarize_counts(counts: dict[str, int]) -> str:
    """``people 3, interactions 2`` (entities with rows only; ``nothing loaded`` if none)."""
    shown = [f"{entity} {count}" for entity, count in counts.items() if count]
    return ", ".join(shown) if shown else "nothing loaded"


def _retry_id(name: str) -> str:
    return f"{name}:retry"


def _shown(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "—"


def _event(name: str, **fields: object) -> dict[str, Any]:
    """``extra=`` of a log call: the structured facts ``--json`` logs carry."""
    return {"details": {"event": name, **fields}}
