"""One import of any kind of location, through the CLI and ``ingest.source_run``.

Real parts only: files in ``tmp_path``, a real HTTP server on 127.0.0.1
(``http_fixtures.InterchangeApi``), a real SQLite store (and Neo4j in the contract runs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from http_fixtures import InterchangeApi, sample_objects

from graphsvc.cli import main
from graphsvc.config import Settings
from graphsvc.model import ImportRun, ImportStatus
from graphsvc.store import GraphStore
from ingest.runner import ImportOptions
from ingest.source_run import ImportSpec, close_stale_runs, import_location, run_source
from ingest.sources import SourceConfig

PEOPLE = "id,name,email\np1,Ana,ana@example.org\np2,Bo,bo@example.org\n"


@pytest.fixture
def api() -> Iterator[InterchangeApi]:
    with InterchangeApi(sample_objects(), page_size=2, token="s3cret") as server:
        yield server


def test_http_import_advances_the_cursor_only_after_success(
    store: GraphStore, api: InterchangeApi
) -> None:
    spec = ImportSpec(api.url, name="crm", http={"auth_env": "CRM_TOKEN"})
    env = {"CRM_TOKEN": "s3cret"}
    first = import_location(store, spec, Settings(batch_size=2), ImportOptions(), environ=env)
    assert first.ok and sum(first.run.counts.values()) == len(sample_objects())
    cursor = store.get_cursor("crm")
    assert cursor is not None
    api.fail_next(100, status=503)  # the next run fails: the cursor must stay
    failing = ImportSpec(api.url, name="crm", http={"auth_env": "CRM_TOKEN", "max_retries": 1,
                                                     "backoff": 0.01})  # fmt: skip
    with pytest.raises(Exception, match="503"):
        import_location(store, failing, Settings(), ImportOptions(), environ=env)
    assert store.get_cursor("crm") == cursor
    assert store.import_runs(limit=1)[0].status == ImportStatus.FAILED


def test_a_rerun_with_the_cursor_asks_only_for_changes(
    store: GraphStore, api: InterchangeApi
) -> None:
    spec = ImportSpec(api.url, name="crm", http={"auth_env": "CRM_TOKEN"})
    env = {"CRM_TOKEN": "s3cret"}
    import_location(store, spec, Settings(), ImportOptions(), environ=env)
    before = store.counts()
    again = import_location(store, spec, Settings(), ImportOptions(), environ=env)
    assert again.ok and sum(again.run.counts.values()) == 0
    assert api.requests[-1].query.get("updated_since") == store.get_cursor("crm")
    assert {k: v for k, v in store.counts().items() if k != "import_runs"} == {
        k: v for k, v in before.items() if k != "import_runs"
    }


def test_a_killed_run_is_closed_when_its_source_runs_again(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "people.csv").write_text(PEOPLE)
    stale = ImportRun("import-stale", "drop", datetime(2024, 1, 1, tzinfo=UTC))
    other = ImportRun("import-other", "elsewhere", datetime(2024, 1, 1, tzinfo=UTC))
    sqlite_store.record_import_run(stale)
    sqlite_store.record_import_run(other)
    source = SourceConfig(name="drop", kind="folder", location=str(drop))
    result = run_source(sqlite_store, source, Settings())
    assert result.ok
    closed = sqlite_store.get_import_run("import-stale")
    assert closed is not None and closed.status == ImportStatus.INTERRUPTED
    assert "killed" in closed.errors[-1]
    untouched = sqlite_store.get_import_run("import-other")
    assert untouched is not None and untouched.status == ImportStatus.RUNNING
    assert close_stale_runs(sqlite_store, "drop") == []
    person = sqlite_store.get_person("p1")
    assert person is not None and person.source_system == "drop"  # the source's name


def test_cli_imports_graph_files_and_exports_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ["--store", f"sqlite:///{tmp_path / 'a.db'}"]
    second = ["--store", f"sqlite:///{tmp_path / 'b.db'}"]
    assert main([*first, "demo", "--people", "120", "--months", "2", "--no-serve"]) == 0
    for suffix in ("graphml", "gexf"):
        assert main([*first, "export", str(tmp_path / f"g.{suffix}")]) == 0
        assert main([*second, "import", str(tmp_path / f"g.{suffix}"), "--json"]) == 0
    capsys.readouterr()
    assert main([*first, "export", str(tmp_path / "a"), "--json"]) == 0
    assert main([*second, "export", str(tmp_path / "b"), "--json"]) == 0
    capsys.readouterr()
    for name in ("people.csv", "interactions.csv", "memberships.csv", "participations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_cli_http_options_and_json_outcomes(
    tmp_path: Path,
    api: InterchangeApi,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_TOKEN", "s3cret")
    store = ["--store", f"sqlite:///{tmp_path / 'g.db'}"]
    argv = [*store, "import", api.url, "--name", "crm", "--auth-env", "CRM_TOKEN"]
    assert main([*argv, "--http-option", "max_retries=2", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["source"] == "crm" and outcome["totals"]["inserted"] == len(sample_objects())
    assert main([*argv, "--http-option", "nonsense"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
