"""sources.toml: what a valid file gives, and the message every kind of mistake gets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from graphsvc.errors import ConfigError
from ingest.cli_schedule import load_schedule
from ingest.sources import JobConfig, format_interval, load_sources, parse_interval

FULL = """
[scheduler]
lock_dir = "locks"
max_retries = 5
retry_base = 0.5
retry_max = 60
timezone = "Europe/Ljubljana"

[[source]]
name = "forum"
kind = "folder"
location = "drops/forum"
mapping = "forum-mapping.toml"
every = "15m"
strict = true

[[source]]
name = "wiki_export-2"
kind = "file"
location = "/data/wiki.ndjson"
cron = "0 * * * *"

[[source]]
name = "crm"
kind = "http"
location = "https://crm.example.org/api/people"
every = "1d"
[source.http]
auth_env = "CRM_TOKEN"
"""

MINIMAL = """
[[source]]
name = "forum"
kind = "folder"
location = "drop"
every = "30s"
"""


MAPPING = '[[file]]\npath = "users.csv"\nentity = "people"\n[file.columns]\nid = "user_id"\n'


def write(folder: Path, text: str) -> Path:
    path = folder / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_file_is_read_with_paths_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "forum-mapping.toml").write_text(MAPPING, encoding="utf-8")
    config = load_sources(write(tmp_path, FULL))
    policy = config.scheduler
    assert policy.lock_dir == tmp_path / "locks"
    assert (policy.max_retries, policy.retry_base, policy.retry_max) == (5, 0.5, 60)
    assert policy.timezone == "Europe/Ljubljana"
    forum, wiki, crm = config.sources
    assert forum.name == "forum" and forum.kind == "folder" and forum.strict
    assert forum.path == tmp_path / "drops" / "forum"  # need not exist yet
    assert forum.mapping == tmp_path / "forum-mapping.toml"
    assert forum.every == timedelta(minutes=15) and forum.cron is None
    assert forum.schedule == "every 15m"
    assert wiki.location == "/data/wiki.ndjson" and wiki.cron == "0 * * * *"
    assert wiki.schedule == "cron 0 * * * *" and wiki.every is None and not wiki.strict
    assert crm.location == "https://crm.example.org/api/people"
    assert dict(crm.http) == {"auth_env": "CRM_TOKEN"}
    assert config.get("crm") is crm
    with pytest.raises(ValueError, match="http source"):
        _ = crm.path


def test_defaults(tmp_path: Path) -> None:
    config = load_sources(write(tmp_path, MINIMAL))
    policy = config.scheduler
    assert policy.lock_dir == tmp_path / ".graphsvc-locks"
    assert (policy.max_retries, policy.retry_base, policy.retry_max) == (3, 30, 3600)
    assert policy.timezone is None
    assert [policy.retry_delay(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    (source,) = config.sources
    assert source.mapping is None and not source.strict and dict(source.http) == {}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("1h", 3600), ("1d", 86400), ("0.5s", 0.5), (" 2 h ", 7200)],
)
def test_intervals(text: str, seconds: float) -> None:
    interval = parse_interval(text)
    assert interval == timedelta(seconds=seconds)
    assert parse_interval(format_interval(interval)) == interval


@pytest.mark.parametrize("text", ["15", "m", "0s", "1w", "-1s", "15 minutes", "1h30m", ""])
def test_not_intervals(text: str) -> None:
    assert parse_interval(text) is None


BASE = {"name": '"forum"', "kind": '"folder"', "location": '"drop"', "every": '"15m"'}
SOURCE = 'name = "forum"\nkind = "folder"\nlocation = "drop"\nevery = "15m"\n'
WEB = {"kind": '"http"', "location": '"https://x.org/a"'}


def entry(*drop: str, **values: str) -> str:
    """One ``[[source]]`` table: BASE with ``values`` changed and the ``drop`` keys left out."""
    fields = {key: value for key, value in {**BASE, **values}.items() if key not in drop}
    return "[[source]]\n" + "".join(f"{key} = {value}\n" for key, value in fields.items())


JOB = {"name": '"snap"', "command": '["snapshot"]', "every": '"1d"'}


def job(*drop: str, **values: str) -> str:
    """One ``[[job]]`` table: JOB with ``values`` changed and the ``drop`` keys left out."""
    fields = {key: value for key, value in {**JOB, **values}.items() if key not in drop}
    return "[[job]]\n" + "".join(f"{key} = {value}\n" for key, value in fields.items())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry(every='"15"'), "source 'forum': every: not an interval like 15m: '15'"),
        (entry(every="15"), "source 'forum': every: must be a non-empty string"),
        (entry(cron='"0 * * * *"'), "source 'forum': every, cron: give one of them, not both"),
        (entry("every"), "source 'forum': every: missing"),
        (
            entry("every", cron='"61 * * * *"'),
            "source 'forum': cron: not a 5-field cron expression: '61 * * * *'",
        ),
        (entry("every", cron='"* * *"'), "source 'forum': cron: not a 5-field cron expression"),
        (entry(evry="3"), "source 'forum': evry: unknown key (did you mean 'every'?)"),
        (entry(colour="3"), "source 'forum': colour: unknown key (known: name, kind"),
        (entry("name"), "source #1: name: missing"),
        (entry(name='"Forum!"'), "source #1: name: 'Forum!' may only hold a-z, 0-9, '_' and '-'"),
        (entry() + entry(), "source #2: name: 'forum' is already the name of source #1"),
        (entry("kind"), "source 'forum': kind: missing"),
        (entry(kind='"ftp"'), "source 'forum': kind: must be one of folder, file, http, got 'ftp'"),
        (entry("location"), "source 'forum': location: missing"),
        (entry(location='""'), "source 'forum': location: must be a non-empty string"),
        (entry(kind='"file"'), "source 'forum': location: a file source must end in .ndjson"),
        (entry(kind='"http"'), "source 'forum': location: not an http:// or https:// URL: 'drop'"),
        (entry(mapping='"nowhere.toml"'), "source 'forum': mapping: no such file: "),
        (entry(strict='"yes"'), "source 'forum': strict: must be true or false"),
        (entry(http="{ auth_env = 'X' }"), "source 'forum': http: only for kind = \"http\""),
        (entry(**WEB, http="3"), "source 'forum': http: must be a table"),
        (
            entry(**WEB, http="{ auth_envv = 'X' }"),
            "source 'forum': http: HTTP source forum: unknown key(s) auth_envv",
        ),
        (
            entry(**WEB, http="{ timeout = 'soon' }"),
            "source 'forum': http: HTTP source forum: timeout: must be a number",
        ),
        (
            entry(**WEB, http="{ url = 'https://y.org' }"),
            "source 'forum': http: url: not here (the source's url is used)",
        ),
        ("[scheduler]\nmax_retries = -1\n" + entry(), "scheduler: max_retries: must be ≥ 0"),
        ("[scheduler]\nmax_retries = 1.5\n" + entry(), "scheduler: max_retries: must be a whole"),
        ("[scheduler]\nmax_retries = true\n" + entry(), "scheduler: max_retries: must be a whole"),
        ("[scheduler]\nretry_base = 0\n" + entry(), "scheduler: retry_base: must be > 0"),
        ("[scheduler]\nretry_max = 'soon'\n" + entry(), "scheduler: retry_max: must be a number"),
        ("[scheduler]\nlock_dir = 7\n" + entry(), "scheduler: lock_dir: must be a non-empty"),
        (
            "[scheduler]\ntimezone = 'Mars/Olympus'\n" + entry(),
            "scheduler: timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            "[scheduler]\nlockdir = 'x'\n" + entry(),
            "scheduler: lockdir: unknown key (did you mean 'lock_dir'?)",
        ),
        ("scheduler = 3\n" + entry(), "scheduler: must be a table"),
        ("[sources]\n" + SOURCE, "sources: unknown key (did you mean 'source'?)"),
        ("[source]\n" + SOURCE, "source: must be an array of tables ([[source]], not [source])"),
        ("source = [1]\n", "source #1: must be a table"),
        ("", "no [[source]] or [[job]] entries"),
        ("source = []\n", "no [[source]] or [[job]] entries"),
        ("[[source]\nname = 1", "not valid TOML: "),
        (job("command"), "job 'snap': command: missing (e.g. command = [\"snapshot\""),
        (job(command='"snapshot --freq month"'), "job 'snap': command: must be an array of str"),
        (job(command='["snapshot", 3]'), "job 'snap': command: must be an array of strings"),
        (job(command="[]"), "job 'snap': command: empty (give a graphsvc command"),
        (job(command='["graphsvc", "info"]'), "job 'snap': command: leave out the leading"),
        (job(cron='"0 2 1 * *"'), "job 'snap': every, cron: give one of them, not both"),
        (job("every"), "job 'snap': every: missing"),
        (job(every='"daily"'), "job 'snap': every: not an interval like 15m: 'daily'"),
        (job(comand="[]"), "job 'snap': comand: unknown key (did you mean 'command'?)"),
        (job("name"), "job #1: name: missing"),
        (job(name='"Snap!"'), "job #1: name: 'Snap!' may only hold a-z, 0-9, '_' and '-'"),
        (entry() + job(name='"forum"'), "job #1: name: 'forum' is already the name of source #1"),
        (job() + job(), "job #2: name: 'snap' is already the name of job #1"),
        ("[job]\n" + 'name = "snap"\n', "job: must be an array of tables ([[job]], not [job])"),
        ("job = [1]\n", "job #1: must be a table"),
    ],
)
def test_every_mistake_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_all_mistakes_are_named_at_once(tmp_path: Path) -> None:
    text = entry(every='"soon"') + "[[source]]\nname = 'b'\n"
    with pytest.raises(ConfigError) as caught:
        load_sources(write(tmp_path, text))
    message = str(caught.value)
    assert "source 'forum': every: not an interval like 15m: 'soon'" in message
    assert "source 'b': kind: missing" in message
    assert "source 'b': location: missing" in message
    assert "source 'b': every: missing" in message


def test_a_mapping_file_is_checked_when_the_sources_are_loaded(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(MAPPING.replace("entity", "entty"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(write(tmp_path, entry(mapping='"m.toml"')))
    assert "source 'forum': mapping: m.toml: file #1 (users.csv) entty: unknown key" in str(
        caught.value
    )


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\.toml: no such file \(give --sources"):
        load_sources(tmp_path / "sources.toml")
    path = tmp_path / "sources.toml"
    path.write_bytes(b"\xff\xfe[[source]]")
    with pytest.raises(ConfigError, match="cannot read"):
        load_sources(path)


def test_an_unknown_source_name_lists_the_known_ones(tmp_path: Path) -> None:
    config = load_sources(write(tmp_path, MINIMAL))
    with pytest.raises(ConfigError, match=r"no source named 'wiki' \(sources: forum\)"):
        config.get("wiki")


JOBS = """
[[job]]
name = "monthly"
command = ["snapshot", "--freq", "month"]
cron = "0 2 1 * *"

[[source]]
name = "forum"
kind = "folder"
location = "drop"
every = "15m"

[[job]]
name = "hourly_info"
command = ["info"]
every = "1h"
"""


def test_jobs_are_read_and_listed_after_the_sources(tmp_path: Path) -> None:
    config = load_schedule(write(tmp_path, JOBS))
    (forum,) = config.sources
    monthly, hourly = config.jobs
    assert monthly == JobConfig("monthly", ("snapshot", "--freq", "month"), cron="0 2 1 * *")
    assert monthly.schedule == "cron 0 2 1 * *" and monthly.every is None
    assert hourly.command == ("info",) and hourly.every == timedelta(hours=1)
    assert hourly.schedule == "every 1h"
    assert config.entries == (forum, monthly, hourly)  # sources first, whatever the file's order
    assert config.entry("monthly") is monthly and config.entry("forum") is forum
    with pytest.raises(ConfigError, match=r"no source or job named 'x' \(known: forum, monthly"):
        config.entry("x")
    with pytest.raises(ConfigError, match="'monthly' is a job, not a source"):
        config.get("monthly")


def test_a_file_may_hold_jobs_only(tmp_path: Path) -> None:
    config = load_schedule(write(tmp_path, JOBS.split("[[source]]")[0]))
    assert config.sources == () and [job.name for job in config.jobs] == ["monthly"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ('["snapshto"]', "command: argument COMMAND: invalid choice: 'snapshto' (choose from"),
        ('["snapshot", "--freq", "week"]', "command: argument --freq: invalid choice: 'week'"),
        ('["snapshot", "--every", "1d"]', "command: unrecognized arguments: --every 1d"),
        ('["evaluate"]', "command: the following arguments are required: WHAT"),
        ('["snapshot", "--store", "sqlite:///x.db"]', "command: --store: not allowed in a job"),
        ('["--batch-size", "9", "snapshot"]', "command: --batch-size: not allowed in a job"),
        ('["snapshot", "--timezone=UTC"]', "command: --timezone: not allowed in a job"),
        ('["snapshot", "--stor", "x.db"]', "command: --store: not allowed in a job"),
        ('["schedule", "--once"]', "command: graphsvc schedule cannot be a job"),
        ('["import-now", "forum"]', "command: graphsvc import-now cannot be a job"),
        ('["snapshot", "--help"]', "command: prints help or the version and exits: not a job"),
    ],
)
def test_a_job_command_is_checked_with_the_graphsvc_parser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, message: str
) -> None:
    path = write(tmp_path, job(command=command))
    load_sources(path)  # the shape is right: only the parser knows what is wrong
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    assert str(caught.value).startswith(f"{path}: job 'snap': ")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2
    assert capsys.readouterr() == ("", "")  # argparse's own output was captured, not printed


def test_every_bad_job_command_is_named_at_once(tmp_path: Path) -> None:
    text = job(command='["snapshto"]') + job(name='"ok"') + job(name='"b"', command='["serve"]')
    with pytest.raises(ConfigError) as caught:
        load_schedule(write(tmp_path, text))
    message = str(caught.value)
    assert "job 'snap': command: argument COMMAND: invalid choice" in message
    assert "job 'b': command: graphsvc serve cannot be a job (it never ends)" in message
    assert "job 'ok'" not in message
