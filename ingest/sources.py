"""``sources.toml``: the sources and jobs ``graphsvc schedule`` runs, validated up front.

One ``[[source]]`` entry per source system (a folder of CSVs, one file, or an HTTP API) and
one ``[[job]]`` entry per scheduled graphsvc command (``command = ["snapshot"]``), each with
its schedule (``every = "15m"`` or a 5-field ``cron``), plus an optional ``[scheduler]``
table (lock folder, retry policy, time zone of cron expressions). :func:`load_sources`
checks everything before any run and raises one :class:`~graphsvc.errors.ConfigError`
naming the file, the source or job and the key of every problem, e.g.
``sources.toml: source 'forum': every: not an interval like 15m``. Whether a job's command
is a command graphsvc knows is checked by the commands that run it
(:func:`ingest.cli_schedule.load_schedule`), with the real ``graphsvc`` parser.

Paths are relative to the ``sources.toml`` file. A ``mapping`` file and ``[source.http]``
options are configuration: they are checked here (:func:`ingest.mapping_spec.load_mapping`,
:class:`ingest.http_source.HttpSourceConfig`). A ``folder``/``file`` location is data and
may not exist yet (a drop folder another system creates later): a run of such a source
fails and says so, and is retried.
"""

from __future__ import annotations

import difflib
import re
import shlex
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from graphsvc.errors import ConfigError, GraphsvcError

KINDS = ("folder", "file", "http")
#: suffixes a ``kind = "file"`` location may have
FILE_SUFFIXES = (".ndjson", ".jsonl", ".csv", ".graphml", ".gexf")
DEFAULT_LOCK_DIR = ".graphsvc-locks"
SOURCE_KEYS = ("name", "kind", "location", "mapping", "every", "cron", "strict", "http")
JOB_KEYS = ("name", "command", "every", "cron")
SCHEDULER_KEYS = ("lock_dir", "max_retries", "retry_base", "retry_max", "timezone")
_NAME = re.compile(r"[a-z0-9_-]+")
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    """The ``[scheduler]`` table: where the locks live and how failed runs are retried.

    A failed run is retried after ``retry_base * 2**n`` seconds (n = 0, 1, …), capped at
    ``retry_max``, at most ``max_retries`` times. ``timezone`` (an IANA name) is the zone of
    ``cron`` expressions; None means the ``GRAPHSVC_TIMEZONE`` setting.
    """

    lock_dir: Path
    max_retries: int = 3
    retry_base: float = 30.0
    retry_max: float = 3600.0
    timezone: str | None = None

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1``."""
        return float(min(self.retry_base * 2**attempt, self.retry_max))


class Scheduled:
    """What sources and jobs share: a unique name and exactly one of ``every``/``cron``."""

    __slots__ = ()
    name: str
    every: timedelta | None
    cron: str | None

    @property
    def schedule(self) -> str:
        """``every 15m`` or ``cron 0 * * * *``, for logs and listings."""
        if self.every is not None:
            return f"every {format_interval(self.every)}"
        return f"cron {self.cron}"


@dataclass(frozen=True, slots=True)
class SourceConfig(Scheduled):
    """One ``[[source]]`` entry, validated; ``location`` is an absolute path or a URL."""

    name: str
    kind: str
    location: str
    every: timedelta | None = None
    cron: str | None = None
    mapping: Path | None = None
    strict: bool = False
    http: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def path(self) -> Path:
        """The location as a path (``folder`` and ``file`` kinds)."""
        if self.kind == "http":
            raise ValueError(f"source {self.name!r} is an http source: it has a URL, not a path")
        return Path(self.location)


@dataclass(frozen=True, slots=True)
class JobConfig(Scheduled):
    """One ``[[job]]`` entry: a graphsvc command line without the leading ``graphsvc``."""

    name: str
    command: tuple[str, ...]
    every: timedelta | None = None
    cron: str | None = None


#: an entry of ``sources.toml``
Entry = SourceConfig | JobConfig


@dataclass(frozen=True, slots=True)
class SourcesFile:
    """A loaded ``sources.toml``."""

    path: Path
    scheduler: SchedulerConfig
    sources: tuple[SourceConfig, ...]
    jobs: tuple[JobConfig, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The sources, then the jobs (the order of ``graphsvc schedule --once``)."""
        return (*self.sources, *self.jobs)

    def entry(self, name: str) -> Entry:
        """The source or job called ``name`` (a :class:`ConfigError` when there is none)."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        known = ", ".join(entry.name for entry in self.entries)
        raise ConfigError(f"{self.path}: no source or job named {name!r} (known: {known})")

    def get(self, name: str) -> SourceConfig:
        """The source called ``name``; a :class:`ConfigError` listing the names if none is."""
        for source in self.sources:
            if source.name == name:
                return source
        for job in self.jobs:
            if job.name == name:
                raise ConfigError(
                    f"{self.path}: {name!r} is a job, not a source (run its command:"
                    f" graphsvc {shlex.join(job.command)}; or graphsvc schedule --once)"
                )
        known = ", ".join(source.name for source in self.sources)
        raise ConfigError(f"{self.path}: no source named {name!r} (sources: {known})")


def load_sources(path: Path) -> SourcesFile:
    """Read and validate ``path``; every problem found is named in one :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file (give --sources or set GRAPHSVC_SOURCES)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_sources(document, path)


def parse_sources(document: Mapping[str, Any], path: Path) -> SourcesFile:
    """Validate an already parsed ``sources.toml`` (``path`` locates relative paths)."""
    problems: list[str] = []
    base = path.resolve().parent
    _check_keys(document, ("scheduler", "source", "job"), "", problems)
    scheduler = _parse_scheduler(document.get("scheduler", {}), base, problems)
    if not document.get("source") and not document.get("job"):
        problems.append("no [[source]] or [[job]] entries")
    names: dict[str, str] = {}  # name → "source #1" (names are unique across both tables)
    sources = _parse_entries(
        document.get("source"), "source", partial(_parse_source, base=base), names, problems
    )
    jobs = _parse_entries(document.get("job"), "job", _parse_job, names, problems)
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return SourcesFile(path, scheduler, tuple(sources), tuple(jobs))


def _parse_scheduler(table: object, base: Path, problems: list[str]) -> SchedulerConfig:
    default = SchedulerConfig(lock_dir=base / DEFAULT_LOCK_DIR)
    if not isinstance(table, dict):
        problems.append("scheduler: must be a table ([scheduler])")
        return default
    where = "scheduler: "
    _check_keys(table, SCHEDULER_KEYS, where, problems)
    lock_dir = _string(table, "lock_dir", where, problems)
    max_retries = _number(table, "max_retries", where, problems, integer=True, minimum=0)
    retry_base = _number(table, "retry_base", where, problems, positive=True)
    retry_max = _number(table, "retry_max", where, problems, positive=True)
    timezone = _string(table, "timezone", where, problems)
    if timezone is not None and not _is_zone(timezone):
        problems.append(f"{where}timezone: unknown time zone {timezone!r}")
    return SchedulerConfig(
        lock_dir=base / lock_dir if lock_dir is not None else default.lock_dir,
        max_retries=int(max_retries) if max_retries is not None else default.max_retries,
        retry_base=retry_base if retry_base is not None else default.retry_base,
        retry_max=retry_max if retry_max is not None else default.retry_max,
        timezone=timezone,
    )


_E = TypeVar("_E", SourceConfig, JobConfig)


def _parse_entries(
    entries: object,
    table: str,
    parse: Callable[[Mapping[str, Any], int, list[str]], _E | None],
    names: dict[str, str],
    problems: list[str],
) -> list[_E]:
    """The valid entries of the ``[[table]]`` array; ``names`` collects the names taken."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append(f"{table}: must be an array of tables ([[{table}]], not [{table}])")
        return []
    parsed: list[_E] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"{table} #{number}: must be a table")
            continue
        item = parse(entry, number, problems)
        if item is None:
            continue
        if item.name in names:
            problems.append(
                f"{table} #{number}: name: {item.name!r} is already the name of {names[item.name]}"
            )
            continue
        names[item.name] = f"{table} #{number}"
        parsed.append(item)
    return parsed


def _entry_head(
    entry: Mapping[str, Any], table: str, number: int, keys: tuple[str, ...], problems: list[str]
) -> tuple[str | None, str]:
    """The name of a ``[[table]]`` entry and the ``where`` its problems start with."""
    name = _string(entry, "name", f"{table} #{number}: ", problems, required=True)
    if name is not None and not _NAME.fullmatch(name):
        problems.append(f"{table} #{number}: name: {name!r} may only hold a-z, 0-9, '_' and '-'")
        name = None
    where = f"{table} {name!r}: " if name is not None else f"{table} #{number}: "
    _check_keys(entry, keys, where, problems)
    return name, where


def _parse_job(entry: Mapping[str, Any], number: int, problems: list[str]) -> JobConfig | None:
    before = len(problems)
    name, where = _entry_head(entry, "job", number, JOB_KEYS, problems)
    command = _command(entry, where, problems)
    every, cron = _schedule(entry, where, problems)
    if len(problems) > before or name is None or command is None:
        return None
    return JobConfig(name=name, command=command, every=every, cron=cron)


def _command(entry: Mapping[str, Any], where: str, problems: list[str]) -> tuple[str, ...] | None:
    command = entry.get("command")
    if command is None:
        problems.append(f'{where}command: missing (e.g. command = ["snapshot", "--freq", "month"])')
        return None
    if not isinstance(command, list) or not all(isinstance(word, str) for word in command):
        problems.append(f"{where}command: must be an array of strings")
        return None
    if not command:
        problems.append(f'{where}command: empty (give a graphsvc command, e.g. ["snapshot"])')
        return None
    if command[0] == "graphsvc":
        problems.append(f"{where}command: leave out the leading 'graphsvc' (e.g. [\"snapshot\"])")
        return None
    return tuple(command)


def _parse_source(
    entry: Mapping[str, Any], number: int, problems: list[str], *, base: Path
) -> SourceConfig | None:
    before = len(problems)
    name, where = _entry_head(entry, "source", number, SOURCE_KEYS, problems)
    kind = _string(entry, "kind", where, problems, required=True)
    if kind is not None and kind not in KINDS:
        problems.append(f"{where}kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    location = _location(entry, kind, base, where, problems)
    every, cron = _schedule(entry, where, problems)
    mapping = _mapping(entry, base, where, problems)
    strict = entry.get("strict", False)
    if not isinstance(strict, bool):
        problems.append(f"{where}strict: must be true or false")
    http = entry.get("http", {})
    if not isinstance(http, dict):
        problems.append(f"{where}http: must be a table ([source.http])")
    elif http and kind != "http":
        problems.append(f'{where}http: only for kind = "http"')
    elif kind == "http" and name is not None and location is not None:
        _check_http(http, name, location, where, problems)
    if len(problems) > before or name is None or kind is None or location is None:
        return None
    return SourceConfig(
        name=name,
        kind=kind,
        location=location,
        every=every,
        cron=cron,
        mapping=mapping,
        strict=strict,
        http=MappingProxyType(dict(http)),
    )


def _location(
    entry: Mapping[str, Any], kind: str | None, base: Path, where: str, problems: list[str]
) -> str | None:
    location = _string(entry, "location", where, problems, required=True)
    if location is None or kind not in KINDS:
        return None
    if kind == "http":
        if not re.match(r"https?://[^/\s]+", location):
            problems.append(f"{where}location: not an http:// or https:// URL: {location!r}")
            return None
        return location
    if kind == "file" and Path(location).suffix.lower() not in FILE_SUFFIXES:
        problems.append(
            f"{where}location: a file source must end in {', '.join(FILE_SUFFIXES)}: {location!r}"
        )
        return None
    return str(base / Path(location).expanduser())


def _schedule(
    entry: Mapping[str, Any], where: str, problems: list[str]
) -> tuple[timedelta | None, str | None]:
    every = _string(entry, "every", where, problems)
    cron = _string(entry, "cron", where, problems)
    if "every" in entry and "cron" in entry:
        problems.append(f"{where}every, cron: give one of them, not both")
        return None, None
    if "every" not in entry and "cron" not in entry:
        problems.append(f'{where}every: missing (give every = "15m" or cron = "0 * * * *")')
        return None, None
    if every is not None:
        interval = parse_interval(every)
        if interval is None:
            problems.append(f"{where}every: not an interval like 15m: {every!r}")
        return interval, None
    if cron is not None:
        try:
            CronTrigger.from_crontab(cron, timezone=UTC)
        except ValueError as exc:
            problems.append(f"{where}cron: not a 5-field cron expression: {cron!r} ({exc})")
            return None, None
    return None, cron


def _mapping(entry: Mapping[str, Any], base: Path, where: str, problems: list[str]) -> Path | None:
    mapping = _string(entry, "mapping", where, problems)
    if mapping is None:
        return None
    path = base / Path(mapping).expanduser()
    if not path.is_file():
        problems.append(f"{where}mapping: no such file: {path}")
        return None
    from ingest.mapping_spec import load_mapping  # only sources with a mapping need it

    try:
        load_mapping(path)
    except GraphsvcError as exc:
        problems.append(f"{where}mapping: {exc}")
        return None
    return path


def _check_http(
    options: Mapping[str, Any], name: str, url: str, where: str, problems: list[str]
) -> None:
    """The ``[source.http]`` options, checked as the HTTP reader will read them."""
    from ingest.http_source import HttpSourceConfig  # only http sources need it

    for key in ("url", "name"):
        if key in options:
            problems.append(f"{where}http: {key}: not here (the source's {key} is used)")
            return
    try:
        HttpSourceConfig.from_mapping({**options, "url": url, "name": name})
    except GraphsvcError as exc:
        problems.append(f"{where}http: {exc}")


def parse_interval(text: str) -> timedelta | None:
    """``"30s"``, ``"15m"``, ``"1h"``, ``"1d"`` (decimals allowed: ``"0.5s"``) → timedelta.

    None when ``text`` is not such an interval or is zero.
    """
    match = _INTERVAL.fullmatch(text.strip())
    if match is None:
        return None
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return timedelta(seconds=seconds) if seconds > 0 else None


def format_interval(interval: timedelta) -> str:
    """The shortest ``parse_interval`` spelling of ``interval`` (``15m``, ``1.5s``)."""
    seconds = interval.total_seconds()
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{int(seconds // _UNIT_SECONDS[unit])}{unit}"
    return f"{seconds:g}s"


def _check_keys(
    table: Mapping[str, Any], known: tuple[str, ...], where: str, problems: list[str]
) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
            problems.append(f"{where}{key}: unknown key{hint}")


def _string(
    table: Mapping[str, Any], key: str, where: str, problems: list[str], *, required: bool = False
) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            problems.append(f"{where}{key}: missing")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}{key}: must be a non-empty string")
        return None
    return value.strip()


def _number(
    table: Mapping[str, Any],
    key: str,
    where: str,
    problems: list[str],
    *,
    integer: bool = False,
    minimum: float | None = None,
    positive: bool = False,
) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    allowed = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, allowed):
        problems.append(f"{where}{key}: must be a {'whole ' if integer else ''}number")
        return None
    if (positive and value <= 0) or (minimum is not None and value < minimum):
        problems.append(f"{where}{key}: must be {'> 0' if positive else f'≥ {minimum:g}'}")
        return None
    return float(value)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
