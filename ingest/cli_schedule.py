"""``graphsvc schedule``, ``import-now`` and ``imports``: scheduled imports, jobs, records.

``schedule`` runs the sources and jobs of a ``sources.toml`` (``--sources``, else
``$GRAPHSVC_SOURCES``, else ``./sources.toml``) until SIGTERM/SIGINT, or each once with
``--once`` (sources first, then jobs); ``import-now`` runs one source in the foreground;
``imports`` lists the recorded import runs and ``imports show RUN`` prints one with all its
error messages. The run log goes to stderr (one JSON object per line with ``--json``);
results go to stdout.

A job is a graphsvc command line (``[[job]] command = ["snapshot"]``), run in this process by
:func:`graphsvc.cli.run_command` with the scheduler's settings; :func:`load_schedule` checks
every job's command with the real ``graphsvc`` parser before anything runs.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from graphsvc.cli import (
    CommandContext,
    build_parser,
    global_options_given,
    parse_command,
    run_command,
)
from graphsvc.config import Settings
from graphsvc.errors import ConfigError, NotFound
from graphsvc.model import ImportRun
from graphsvc.store import GraphStore

if TYPE_CHECKING:  # the scheduler (APScheduler) is imported only by the commands that run it
    from ingest.runner import ImportResult
    from ingest.scheduler import ImportScheduler, JobResult, RunJob, RunOne, RunOutcome, StopCheck
    from ingest.sources import JobConfig, SourceConfig, SourcesFile

#: the logger of the run log (ingest.scheduler's)
SCHEDULER_LOGGER = "ingest.scheduler"
#: exit code of ``import-now`` when another process is importing the source (EX_TEMPFAIL)
EXIT_BUSY = 75
#: exit code when a source did not succeed (as ``graphsvc import``)
EXIT_NOT_ALL_SUCCEEDED = 3
#: commands that cannot be jobs, and why
NOT_JOBS = {
    "schedule": "the scheduler cannot schedule itself",
    "import-now": "schedule the source itself",
    "serve": "it never ends",
}


def register_schedule(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``schedule``, ``import-now`` and ``imports`` to the ``graphsvc`` command."""
    schedule = subparsers.add_parser(
        "schedule",
        help="keep the store in sync: run the sources and jobs of sources.toml on their schedules",
        description="Run every source and job of sources.toml on its schedule until"
        " SIGTERM/SIGINT (the running import stops after its current batch, a running job"
        " finishes; exit 0). With --once, run each source one time, then each job, and exit:"
        " 0 when all succeeded, else 3. See docs/scheduler.md.",
    )
    _add_sources_option(schedule)
    schedule.add_argument(
        "--once", action="store_true", help="run every source, then every job, once and exit"
    )
    schedule.add_argument(
        "--json", action="store_true", help="log as JSON lines; with --once print the outcomes"
    )
    schedule.set_defaults(handler=run_schedule_command)

    now = subparsers.add_parser(
        "import-now",
        help="run one source of sources.toml now",
        description="Run one source now in the foreground. Exit 0 when it succeeded, 3 when"
        f" not, {EXIT_BUSY} when another process is importing it.",
    )
    now.add_argument("name", metavar="NAME", help="the source's name in sources.toml")
    _add_sources_option(now)
    now.add_argument("--json", action="store_true", help="print the outcome as JSON")
    now.set_defaults(handler=run_import_now_command)

    imports = subparsers.add_parser(
        "imports",
        help="list the recorded import runs (or show one: imports show RUN)",
        description="List import runs, most recent first; `imports show RUN` prints one run"
        " with all its recorded error messages.",
    )
    imports.add_argument("action", nargs="?", choices=["show"], help="show one run")
    imports.add_argument("run", nargs="?", metavar="RUN", help="the run id (with show)")
    imports.add_argument("--limit", type=_positive_int, default=20, help="runs listed (20)")
    imports.add_argument("--source", metavar="NAME", help="only the runs of this source")
    imports.add_argument("--json", action="store_true", help="print as JSON")
    imports.set_defaults(handler=run_imports_command)


def _add_sources_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sources",
        type=Path,
        metavar="FILE",
        help="the sources file (default: $GRAPHSVC_SOURCES, else ./sources.toml)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {value}")
    return value


def production_runner(store: GraphStore, settings: Settings) -> RunOne:
    """``run_one`` for the commands: :func:`ingest.source_run.run_source` on ``store``."""
    from ingest.source_run import run_source  # imported only by the commands that run imports

    def run_one(source: SourceConfig, should_stop: StopCheck) -> ImportResult:
        result: ImportResult = run_source(store, source, settings, should_stop=should_stop)
        return result

    return run_one


def production_job_runner(settings: Settings) -> RunJob:
    """``run_job`` for the commands: the job's command run in this process
    (:func:`graphsvc.cli.run_command`) with ``settings``, its output kept in memory."""

    def run_job(job: JobConfig, _should_stop: StopCheck) -> JobResult:
        stdout, stderr = io.StringIO(), io.StringIO()
        code = run_command(job.command, stdout, stderr, settings=settings)
        return job_result(code, stdout.getvalue(), stderr.getvalue())

    return run_job


def job_result(exit_code: int, stdout: str, stderr: str) -> JobResult:
    """Exit code 0: succeeded, with the last line printed as the summary. Else failed, with
    the last line of stderr (else of stdout) as the error, e.g. ``activity 'x' not found
    (exit 4)``."""
    from ingest.scheduler import JobResult

    summary, said = _last_line(stdout), _last_line(stderr)
    if exit_code == 0:
        return JobResult(0, summary)
    if said is None:  # the last line it printed is what it said about the failure
        said, summary = summary or "no output", None
    error = said.removeprefix("graphsvc: error: ")
    return JobResult(exit_code, summary, f"{error} (exit {exit_code})")


def _last_line(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else None


def load_schedule(path: Path) -> SourcesFile:
    """:func:`ingest.sources.load_sources`, and every job's command checked against the
    ``graphsvc`` parser: one :class:`ConfigError` naming the file, the job and the problem."""
    from ingest.sources import load_sources

    config = load_sources(path)
    if config.jobs:
        parser = build_parser(io.StringIO())  # a broken plug-in: its commands are unknown
        problems = [
            f"job {job.name!r}: command: {problem}"
            for job in config.jobs
            if (problem := _command_problem(parser, job.command))
        ]
        if problems:
            raise ConfigError(f"{config.path}: " + "; ".join(problems))
    return config


def _command_problem(parser: argparse.ArgumentParser, command: tuple[str, ...]) -> str | None:
    """What is wrong with ``graphsvc COMMAND`` as a job (None: nothing)."""
    said = io.StringIO()
    try:
        args = parse_command(parser, command, said, said)
    except SystemExit as exc:
        if exc.code in (0, None):
            return "prints help or the version and exits: not a job"
        message = _last_line(said.getvalue()) or f"not a graphsvc command line (exit {exc.code})"
        return message.partition(" error: ")[2] or message
    given = global_options_given(args)
    if given:
        return (
            f"{', '.join(given)}: not allowed in a job"
            " (jobs use the scheduler's store, batch size and time zone)"
        )
    if args.command in NOT_JOBS:
        return f"graphsvc {args.command} cannot be a job ({NOT_JOBS[args.command]})"
    return None


# --- schedule and import-now -------------------------------------------------------------


def run_schedule_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run the schedule until a signal (exit 0), or every source and job once (``--once``)."""
    config = load_schedule(_sources_path(args))
    scheduler = _scheduler(config, ctx)
    with run_log(ctx.stderr, json_lines=args.json):
        if args.once:
            with stop_on_signals(scheduler.request_stop) as received:
                outcomes = scheduler.run_all_once()
            if received:
                ctx.note(f"stopped by {received[0]}")
            return _report_once(ctx, config, outcomes, as_json=args.json)
        with stop_on_signals() as received:
            scheduler.start()
            while not received:
                time.sleep(0.1)
            scheduler.shutdown(f"received {received[0]}")
    return 0


def _report_once(
    ctx: CommandContext, config: SourcesFile, outcomes: list[RunOutcome], *, as_json: bool
) -> int:
    from ingest.scheduler import SUCCEEDED, describe

    ran = {outcome.source for outcome in outcomes}
    not_run = [entry.name for entry in config.entries if entry.name not in ran]
    ok = not not_run and all(outcome.status == SUCCEEDED for outcome in outcomes)
    if as_json:
        ctx.echo_json({"ok": ok, "outcomes": [o.as_json() for o in outcomes], "not_run": not_run})
    else:
        for outcome in outcomes:
            ctx.echo(describe(outcome))
        for name in not_run:
            ctx.echo(f"{name}: not run (stopped)")
    return 0 if ok else EXIT_NOT_ALL_SUCCEEDED


def run_import_now_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run one source now; refuse (exit 75) when another process is importing it."""
    from ingest.locks import lock_path
    from ingest.scheduler import SKIPPED, SUCCEEDED, describe

    config = load_schedule(_sources_path(args))
    source = config.get(args.name)
    scheduler = _scheduler(config, ctx)
    with run_log(ctx.stderr, json_lines=False), stop_on_signals(scheduler.request_stop):
        outcome = scheduler.run_now(source)
    if args.json:
        ctx.echo_json(outcome.as_json())
    elif outcome.status != SKIPPED:
        ctx.echo(describe(outcome))
    if outcome.status == SKIPPED:
        lock = lock_path(config.scheduler.lock_dir, source.name)
        ctx.note(f"{source.name}: not run: {outcome.error} (lock {lock}); try again later")
        return EXIT_BUSY
    return 0 if outcome.status == SUCCEEDED else EXIT_NOT_ALL_SUCCEEDED


def _sources_path(args: argparse.Namespace) -> Path:
    if args.sources is not None:
        return Path(args.sources)
    return Path(os.environ.get("GRAPHSVC_SOURCES") or "sources.toml")


def _scheduler(config: SourcesFile, ctx: CommandContext) -> ImportScheduler:
    from zoneinfo import ZoneInfo

    from ingest.locks import prepare_lock_dir
    from ingest.scheduler import ImportScheduler

    prepare_lock_dir(config.scheduler.lock_dir)
    zone = ZoneInfo(config.scheduler.timezone or ctx.settings.timezone)
    run_one = production_runner(ctx.store(), ctx.settings)
    run_job = production_job_runner(ctx.settings)
    return ImportScheduler(config, run_one, run_job, timezone=zone)


@contextmanager
def stop_on_signals(on_signal: Callable[[str], None] | None = None) -> Iterator[list[str]]:
    """Collect SIGTERM/SIGINT (by name) in the yielded list for the block.

    ``on_signal(reason)`` is called on the first one (it must only set flags: it runs
    between two bytecodes of the main thread); a second one exits at once with code 130.
    """
    received: list[str] = []

    def handle(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if received:
            os.write(2, f"graphsvc: second {name}: exiting without waiting\n".encode())
            os._exit(130)
        received.append(name)
        if on_signal is not None:
            on_signal(f"received {name}")

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _JsonLines(logging.Formatter):
    """One JSON object per record: time, level, message and the record's ``details``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "details", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


@contextmanager
def run_log(stream: TextIO, *, json_lines: bool) -> Iterator[None]:
    """Send the scheduler's log (and APScheduler's warnings) to ``stream`` for the block."""
    handler = logging.StreamHandler(stream)
    if json_lines:
        handler.setFormatter(_JsonLines())
    else:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    loggers = [
        (logging.getLogger(SCHEDULER_LOGGER), logging.INFO),
        (logging.getLogger("apscheduler"), logging.WARNING),
    ]
    levels = [logger.level for logger, _level in loggers]
    for logger, level in loggers:
        logger.addHandler(handler)
        logger.setLevel(level)
    try:
        yield
    finally:
        for (logger, _level), before in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(before)


# --- imports -----------------------------------------------------------------------------


def run_imports_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """List the import runs, or show one (``imports show RUN``)."""
    if args.action == "show":
        if not args.run:
            ctx.note("imports show: give the run id (graphsvc imports lists them)")
            return 2
        return _show_run(ctx, args.run, as_json=args.json)
    runs = _runs_of(ctx.store(), args.source, args.limit)
    if args.json:
        ctx.echo_json([run.to_json() for run in runs])
        return 0
    if not runs:
        ctx.echo("no import runs recorded" + (f" for {args.source}" if args.source else ""))
        return 0
    header = ("ID", "SOURCE", "STATUS", "STARTED", "DURATION", "ROWS", "CHANGES", "ERRORS")
    ctx.table(header, [_run_row(run) for run in runs])
    return 0


def _runs_of(store: GraphStore, source: str | None, limit: int) -> list[ImportRun]:
    """The ``limit`` most recent runs, of ``source`` only when given."""
    asked = limit
    while True:
        runs = store.import_runs(asked)
        matching = [run for run in runs if source is None or run.source == source]
        if len(matching) >= limit or len(runs) < asked:
            return matching[:limit]
        asked *= 4


def _show_run(ctx: CommandContext, run_id: str, *, as_json: bool) -> int:
    from ingest.scheduler import summarize_counts

    run = ctx.store().get_import_run(run_id)
    if run is None:
        raise NotFound("import run", run_id)
    if as_json:
        ctx.echo_json({**run.to_json(), "errors": list(run.errors)})
        return 0
    totals = ", ".join(f"{outcome} {count}" for outcome, count in run.totals().items())
    for label, value in (
        ("run", run.id),
        ("source", run.source),
        ("status", run.status.value),
        ("started", _when(run.started_at)),
        ("finished", _when(run.finished_at) if run.finished_at else "—"),
        ("duration", _duration(run)),
        ("rows", summarize_counts(run.counts)),
        ("changes", totals),
        ("errors", str(len(run.errors))),
    ):
        ctx.echo(f"{label:<9} {value}")
    for message in run.errors:
        ctx.echo(f"  {message}")
    return 0


def _run_row(run: ImportRun) -> tuple[str, ...]:
    from ingest.scheduler import summarize_counts

    totals = run.totals()
    changes = f"{totals['inserted']} new, {totals['updated']} updated"
    started, duration, errors = _when(run.started_at), _duration(run), str(len(run.errors))
    rows = summarize_counts(run.counts)
    return (run.id, run.source, run.status.value, started, duration, rows, changes, errors)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _duration(run: ImportRun) -> str:
    if run.finished_at is None:
        return "—"
    seconds = (run.finished_at - run.started_at).total_seconds()
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"
