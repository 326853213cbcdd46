"""The ``graphsvc`` command: settings, the store, errors → exit codes, and this layer's commands.

This module knows no upper package (DESIGN.md §8). Other packages add commands through the
entry-point group ``graphsvc.commands``: each entry point is a ``register(subparsers)``
function that adds its sub-parsers and sets ``handler`` on each::

    def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        parser = subparsers.add_parser("analyze", help="...")
        parser.add_argument("--json", action="store_true")
        parser.set_defaults(handler=run_analyze)

    def run_analyze(args: argparse.Namespace, ctx: CommandContext) -> int:
        store = ctx.store()  # opened once, closed by main()
        ...
        return 0

A handler returns the exit code; an expected failure is raised as a
:class:`~graphsvc.errors.GraphsvcError`, which :func:`main` prints as one line
``graphsvc: error: <message>`` (store URIs redacted) and turns into ``err.exit_code``.
Ctrl-C exits 130. Progress goes to stderr only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from graphsvc import __version__
from graphsvc.batching import write_all
from graphsvc.config import Settings, load_settings
from graphsvc.errors import GraphsvcError
from graphsvc.interchange import SPECS, Record, sorted_records, write_csv_folder
from graphsvc.model import CommunityKind
from graphsvc.store import COUNT_KEYS, GraphStore, open_store

ENTRY_POINT_GROUP = "graphsvc.commands"
Handler = Callable[[argparse.Namespace, "CommandContext"], int]
#: the options every command takes (``args`` attribute → option), each overriding a setting
GLOBAL_OPTIONS = {"store": "--store", "batch_size": "--batch-size", "timezone": "--timezone"}
_SWAPPING_STREAMS = threading.Lock()


class Progress:
    """A one-line counter on stderr, drawn only when stderr is a terminal.

    ``label: 120,000/1,000,000 rows · 52,300 rows/s · ETA 0:17`` — the rate is the average
    since the first update, the ETA ``(total - done) / rate`` (shown once a total is known).
    """

    def __init__(self, stream: TextIO, label: str, *, enabled: bool) -> None:
        self.stream = stream
        self.label = label
        self.enabled = enabled
        self._drawn = False
        self._last = 0.0
        self._began: float | None = None
        self._first_done = 0

    def update(self, done: int, total: int | None = None, *, label: str | None = None) -> None:
        now = time.monotonic()
        if self._began is None:
            self._began, self._first_done = now, done
        if not self.enabled or (now - self._last < 0.1 and done != total):
            return
        self._last = now
        shown = describe_progress(done, total, now - self._began, done - self._first_done)
        self.stream.write(f"\r\x1b[K{label or self.label}: {shown}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def describe_progress(done: int, total: int | None, seconds: float, since_start: int) -> str:
    """``done/total rows · rate rows/s · ETA m:ss`` (parts shown when they are known)."""
    parts = [f"{done:,}/{total:,} rows" if total else f"{done:,} rows"]
    if seconds >= 1 and since_start > 0:
        rate = since_start / seconds
        parts.append(f"{rate:,.0f} rows/s")
        if total and total > done:
            remaining = int((total - done) / rate)
            parts.append(f"ETA {remaining // 60}:{remaining % 60:02d}")
    return " · ".join(parts)


@dataclass
class CommandContext:
    """What a command handler gets: settings, output streams and the (lazily opened) store."""

    settings: Settings
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _store: GraphStore | None = None

    def store(self) -> GraphStore:
        """The configured store, opened on first use (closed by :func:`main`)."""
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    @property
    def interactive(self) -> bool:
        isatty = getattr(self.stderr, "isatty", None)
        return bool(isatty and isatty())

    def progress(self, label: str, *, enabled: bool = True) -> Progress:
        """A progress line on stderr: drawn only on a terminal and when ``enabled`` (commands
        pass ``enabled=not args.json``: machine-readable output stays quiet)."""
        return Progress(self.stderr, label, enabled=enabled and self.interactive)

    def echo(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def echo_json(self, obj: Any) -> None:
        print(json.dumps(obj, indent=2, ensure_ascii=False, default=str), file=self.stdout)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Columns padded to their widest cell, two spaces apart, header first."""
        lines = [tuple(header), *(tuple(row) for row in rows)]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            self.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())

    def note(self, text: str) -> None:
        """A remark for the human (stderr), never part of the command's result."""
        print(f"graphsvc: {text}", file=self.stderr)


# --- commands of this layer -------------------------------------------------------------


def _add_demo(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="generate a realistic synthetic dataset and load it (or write it with --out)",
        description="Generate a synthetic CoP dataset with graphsvc.demo and load it into the "
        "store, writing ground_truth.json beside the database (or into --truth).",
    )
    parser.add_argument("--people", type=_positive_int, default=500, help="people (500)")
    parser.add_argument("--months", type=_positive_int, default=12, help="months of history (12)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument(
        "--out", type=Path, help="write interchange CSVs + ground_truth.json here; no store"
    )
    parser.add_argument("--truth", type=Path, help="where to write ground_truth.json")
    parser.add_argument("--clear", action="store_true", help="empty the store before loading")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.set_defaults(handler=run_demo)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {value}")
    return value


def run_demo(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``graphsvc demo``: generate, then load into the store or write to ``--out``."""
    from graphsvc import demo  # the generator is only needed by this command

    world = demo.generate(people=args.people, months=args.months, seed=args.seed)
    records: dict[str, list[Record]] = {entity: list(getattr(world, entity)) for entity in SPECS}
    counts = {entity: len(rows) for entity, rows in records.items()}
    result: dict[str, Any] = {"counts": counts}
    if args.out is not None:
        write_csv_folder(args.out, {e: _sorted_source(rows) for e, rows in records.items()})
        truth = args.truth or args.out / "ground_truth.json"
        result["out"] = str(args.out)
    else:
        store = ctx.store()
        if args.clear:
            store.clear()
        _load_records(store, records, ctx, quiet=args.json)
        truth = args.truth or _default_truth_path(ctx.settings.store)
        result["store"] = store.location
    demo.write_ground_truth(world, truth)
    result["ground_truth"] = str(truth)
    if args.json:
        ctx.echo_json(result)
    else:
        _print_counts(ctx, counts)
        where = result.get("out") or result.get("store")
        ctx.echo(f"written to {where}; ground truth in {truth}")
    return 0


def _sorted_source(rows: list[Record]) -> Callable[[], Any]:
    return lambda: sorted_records(rows)


def _load_records(
    store: GraphStore, records: dict[str, list[Record]], ctx: CommandContext, *, quiet: bool
) -> None:
    """Upsert in dependency order, ``batch_size`` rows per transaction (graphsvc.batching)."""
    total = sum(len(rows) for rows in records.values())
    done = 0
    with ctx.progress("loading", enabled=not quiet) as progress:
        for entity in SPECS:

            def report(rows_done: int, entity: str = entity, before: int = done) -> None:
                progress.update(before + rows_done, total, label=f"loading {entity}")

            done += write_all(store, entity, records[entity], ctx.settings.batch_size, report)


def _default_truth_path(store_uri: str) -> Path:
    """Beside the SQLite file; the current folder for any other store."""
    parts = urlsplit(store_uri)
    if parts.scheme.lower() == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if path and path != ":memory:":
            return Path(path).parent / "ground_truth.json"
    return Path("ground_truth.json")


def _add_info(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("info", help="show the store location and counts per entity")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.set_defaults(handler=run_info)


def run_info(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``graphsvc info``: where the store is (password redacted) and its counts."""
    store = ctx.store()
    counts = store.counts()
    if args.json:
        ctx.echo_json({"store": store.location, "counts": counts})
        return 0
    ctx.echo(f"store: {store.location}")
    _print_counts(ctx, counts)
    return 0


def _print_counts(ctx: CommandContext, counts: dict[str, int]) -> None:
    order = [key for key in COUNT_KEYS if key in counts] + sorted(set(counts) - set(COUNT_KEYS))
    width = max((len(key) for key in order), default=0)
    for key in order:
        ctx.echo(f"{key:<{width}}  {counts[key]:>9}")


# --- parser and main --------------------------------------------------------------------


def build_parser(stderr: TextIO | None = None) -> argparse.ArgumentParser:
    """The full parser: this layer's commands plus every ``graphsvc.commands`` entry point.

    The global options (``--store``, ``--batch-size``, ``--timezone``) are accepted before
    or after the command: ``graphsvc --store X info`` and ``graphsvc info --store X``.
    """
    parser = argparse.ArgumentParser(
        prog="graphsvc",
        description="Network and relationship analysis for Communities of Practice.",
    )
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    _add_global_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_demo(subparsers)
    _add_info(subparsers)
    _register_extensions(subparsers, stderr or sys.stderr)
    for command in _all_commands(subparsers):
        _add_global_options(command, default=argparse.SUPPRESS)  # keeps a value given before
    return parser


def _all_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> list[argparse.ArgumentParser]:
    """Every command's parser, those inside groups (``graphsvc evaluate recommend``) too."""
    found = []
    for command in subparsers.choices.values():
        group = command.get_default("command_group")
        found.extend(_all_commands(group) if group is not None else [command])
    return found


def _add_global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--store", metavar="URI", default=default, help="store URI (overrides GRAPHSVC_STORE)"
    )
    group.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        default=default,
        help="rows per write transaction",
    )
    group.add_argument(
        "--timezone",
        metavar="ZONE",
        default=default,
        help="IANA zone naive imported times are read in",
    )


def add_boundary_option(parser: argparse.ArgumentParser) -> None:
    """``--boundary KIND``: the kind of community whose boundaries count (default: cop)."""
    parser.add_argument(
        "--boundary",
        default=CommunityKind.COP.value,
        choices=[kind.value for kind in CommunityKind],
        help="the kind of community whose boundaries count (default: cop)",
    )


def command_group(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The sub-commands of ``graphsvc NAME``, created on first use, so that several
    packages can add to one group (``graphsvc evaluate recommend``, ``… indicators``)."""
    parser = subparsers.choices.get(name)
    if parser is None:
        parser = subparsers.add_parser(name, help=help_text, description=help_text)
        group = parser.add_subparsers(dest=f"{name}_command", metavar="WHAT", required=True)
        parser.set_defaults(command_group=group)
    group = parser.get_default("command_group")
    if group is None:
        raise ValueError(f"graphsvc {name} is a command, not a group of commands")
    return group  # type: ignore[no-any-return]


def evaluate_group(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The sub-commands of ``graphsvc evaluate`` (recommenders, indicators, objectives, …)."""
    return command_group(subparsers, "evaluate", "evaluate recommenders and indicators")


def _register_extensions(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], stderr: TextIO
) -> None:
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        try:
            register = entry_point.load()
            register(subparsers)
        except Exception as exc:  # a broken plug-in must not take the other commands down
            print(
                f"graphsvc: warning: commands {entry_point.name!r} not available: {exc}",
                file=stderr,
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: :func:`run_command` on this process's stdout and stderr."""
    return run_command(argv, sys.stdout, sys.stderr)


def run_command(
    argv: Sequence[str] | None,
    stdout: TextIO,
    stderr: TextIO,
    settings: Settings | None = None,
) -> int:
    """Run one command line (``argv`` without ``graphsvc``; None: ``sys.argv[1:]``).

    Parse it, run the command's handler with ``stdout``/``stderr`` and map errors to exit
    codes, as the ``graphsvc`` command does. ``settings`` replaces :func:`load_settings`
    (the scheduler passes its own); the global options of ``argv`` still override them.
    """
    parser = build_parser(stderr)
    try:
        args = parse_command(parser, argv, stdout, stderr)
    except SystemExit as exc:  # --help, --version or a usage error (argparse printed it)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    secrets = _secrets_of(args.store)
    ctx: CommandContext | None = None
    try:
        base = settings if settings is not None else load_settings()
        overrides = {dest: getattr(args, dest) for dest in GLOBAL_OPTIONS}
        ctx = CommandContext(base.with_overrides(**overrides), stdout, stderr)
        secrets += _secrets_of(ctx.settings.store) + [ctx.settings.neo4j_password or ""]
        handler: Handler = args.handler
        return handler(args, ctx)
    except GraphsvcError as err:
        _print_error(stderr, str(err), secrets)
        return err.exit_code
    except BrokenPipeError:  # the reader went away (`graphsvc info | head -1`): stop quietly
        _silence(stdout)
        return 141
    except OSError as err:
        _print_error(stderr, _describe_os_error(err), secrets)
        return 1
    except KeyboardInterrupt:
        stderr.write("\ngraphsvc: interrupted\n")
        return 130
    finally:
        if ctx is not None:
            _close_quietly(ctx, stderr, secrets)


def parse_command(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    stdout: TextIO,
    stderr: TextIO,
) -> argparse.Namespace:
    """``parser.parse_args(argv)`` with argparse's own output (usage errors, ``--help``,
    ``--version``) sent to ``stdout``/``stderr``; raises SystemExit as ``parse_args`` does.

    argparse writes to ``sys.stdout``/``sys.stderr``, so they are swapped while parsing,
    under a lock: commands parsed in several threads at once (scheduled jobs) restore them.
    """
    with _SWAPPING_STREAMS, redirect_stdout(stdout), redirect_stderr(stderr):
        return parser.parse_args(argv)


def global_options_given(args: argparse.Namespace) -> list[str]:
    """The global options (``--store`` …) a parsed command line sets, as spelled in --help."""
    given = GLOBAL_OPTIONS.items()
    return [option for dest, option in given if getattr(args, dest, None) is not None]


def _close_quietly(ctx: CommandContext, stderr: TextIO, secrets: list[str]) -> None:
    try:
        ctx.close()
    except GraphsvcError as err:
        _print_error(stderr, f"while closing the store: {err}", secrets)


def _silence(stdout: TextIO) -> None:
    """Point ``stdout`` at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        fileno = stdout.fileno()
    except (OSError, ValueError):  # not a file (an in-memory buffer): nothing to silence
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _describe_os_error(err: OSError) -> str:
    if err.filename is not None:
        return f"{err.filename}: {err.strerror or err}"
    return str(err)


def _secrets_of(uri: str | None) -> list[str]:
    if not uri:
        return []
    try:
        password = urlsplit(uri).password
    except ValueError:
        return []
    return [password] if password else []


def _print_error(stderr: TextIO, message: str, secrets: list[str]) -> None:
    """``graphsvc: error: <message>`` on one line, with every known secret masked."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        message = message.replace(secret, "***")
    first_line = " ".join(message.split())
    print(f"graphsvc: error: {first_line}", file=stderr)


__all__ = [
    "GLOBAL_OPTIONS",
    "CommandContext",
    "Handler",
    "Progress",
    "build_parser",
    "global_options_given",
    "main",
    "parse_command",
    "run_command",
]


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
