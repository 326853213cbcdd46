"""The ``graphsvc`` command: demo, info, import/export round trips, errors and exit codes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import graphsvc.cli
from graphsvc.cli import main
from graphsvc.interchange import SPECS

CSV_FILES = sorted(spec.filename for spec in SPECS.values())
DEMO = ["demo", "--people", "120", "--months", "3", "--seed", "11"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's GRAPHSVC_* variables must not leak into these tests."""
    for name in list(os.environ):
        if name.startswith("GRAPHSVC_"):
            monkeypatch.delenv(name)


def store_uri(path: Path) -> str:
    return f"sqlite:///{path}"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def read_folder(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in CSV_FILES}


def test_demo_out_writes_the_six_files_and_the_ground_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    code, stdout, stderr = run(capsys, *DEMO, "--out", str(out), "--json")
    assert code == 0, stderr
    assert stderr == ""
    assert sorted(p.name for p in out.iterdir()) == sorted([*CSV_FILES, "ground_truth.json"])
    result = json.loads(stdout)
    assert set(result["counts"]) == set(SPECS)
    with (out / "people.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == result["counts"]["people"] + 1 == 121
    assert json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    assert not (tmp_path / "graphsvc.db").exists()


def test_demo_loads_the_store_and_info_shows_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = store_uri(tmp_path / "db" / "graph.db")
    (tmp_path / "db").mkdir()
    code, stdout, _ = run(capsys, "--store", uri, "--batch-size", "100", *DEMO, "--json")
    assert code == 0
    loaded = json.loads(stdout)
    assert (tmp_path / "db" / "ground_truth.json").exists()
    code, stdout, _ = run(capsys, "--store", uri, "info", "--json")
    assert code == 0
    info = json.loads(stdout)
    assert info["store"] == uri
    assert {k: info["counts"][k] for k in SPECS} == loaded["counts"]
    code, stdout, _ = run(capsys, "--store", uri, "info")
    assert stdout.splitlines()[0] == f"store: {uri}"
    assert re.search(rf"^people +{loaded['counts']['people']}$", stdout, flags=re.MULTILINE)


def test_export_import_export_is_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = store_uri(tmp_path / "first.db"), store_uri(tmp_path / "second.db")
    assert run(capsys, "--store", first, *DEMO, "--no-serve")[0] == 0
    assert run(capsys, "--store", first, "export", str(tmp_path / "one"))[0] == 0
    code, stdout, _ = run(capsys, "--store", second, "import", str(tmp_path / "one"), "--json")
    assert code == 0
    assert json.loads(stdout)["status"] == "succeeded"
    assert run(capsys, "--store", second, "export", str(tmp_path / "two"))[0] == 0
    assert read_folder(tmp_path / "one") == read_folder(tmp_path / "two")
    demo_out = tmp_path / "demo"
    assert run(capsys, *DEMO, "--out", str(demo_out))[0] == 0
    assert read_folder(demo_out) == read_folder(tmp_path / "one")
    counts = [
        json.loads(run(capsys, "--store", uri, "info", "--json")[1])["counts"]
        for uri in (first, second)
    ]
    assert {k: counts[0][k] for k in SPECS} == {k: counts[1][k] for k in SPECS}


def test_ndjson_round_trips_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = store_uri(tmp_path / "first.db"), store_uri(tmp_path / "second.db")
    assert run(capsys, *DEMO, "--out", str(tmp_path / "csv"))[0] == 0
    assert run(capsys, "--store", first, "import", str(tmp_path / "csv"))[0] == 0
    one, two = tmp_path / "one.ndjson", tmp_path / "two.ndjson"
    assert run(capsys, "--store", first, "export", str(one))[0] == 0
    assert run(capsys, "--store", second, "import", str(one))[0] == 0
    assert run(capsys, "--store", second, "export", str(two), "--format", "ndjson")[0] == 0
    assert one.read_bytes() == two.read_bytes()
    first_line = json.loads(one.read_text(encoding="utf-8").splitlines()[0])
    assert first_line["type"] == "person"
    assert run(capsys, "--store", second, "export", str(tmp_path / "back"))[0] == 0
    assert read_folder(tmp_path / "back") == read_folder(tmp_path / "csv")


def test_import_reports_bad_rows_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.csv").write_text("id,name,email\np1,Ana,\np2,Bo,bo@\n", encoding="utf-8")
    (data / "interactions.csv").write_text(
        "kind,source_id,target_id,at\ncollaboration,p1,p2,2024-01-01\n", encoding="utf-8"
    )
    uri = store_uri(tmp_path / "graph.db")
    code, stdout, stderr = run(capsys, "--store", uri, "import", str(data))
    assert code == 3
    assert "people.csv:3: email: not an e-mail address" in stdout
    assert "interactions.csv:2: target_id: unknown person 'p2'" in stdout
    assert "2 bad row(s) not loaded" in stdout
    assert stderr == ""  # no progress line when stderr is not a terminal
    code, stdout, _ = run(capsys, "--store", uri, "import", str(data), "--strict", "--json")
    result = json.loads(stdout)
    assert code == 3
    assert result["rejected_files"] == ["people.csv", "interactions.csv"]
    assert result["counts"] == {"people": 0, "interactions": 0}


def test_a_file_level_problem_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "people.csv").write_bytes("id,name\np1,Zoë\n".encode("latin-1"))
    code, stdout, stderr = run(capsys, "--store", store_uri(tmp_path / "g.db"), "import", str(data))
    assert code == 3
    assert stdout == ""
    assert stderr == (
        "graphsvc: error: people.csv:2: not UTF-8 text (byte 0xeb); save the file as UTF-8\n"
    )


def test_an_unreachable_store_is_one_line_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, stdout, stderr = run(capsys, "--store", "bolt://u:secret@127.0.0.1:1", "info")
    assert code == 5
    assert stdout == ""
    assert stderr.startswith("graphsvc: error: ")
    assert stderr.count("\n") == 1
    assert "secret" not in stderr
    assert "Traceback" not in stderr


def test_configuration_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(capsys, "--store", "mongodb://x", "info")
    assert (code, stderr.count("\n")) == (2, 1)
    assert "unknown store" in stderr
    code, _, stderr = run(capsys, "--timezone", "Mars/Olympus", "info")
    assert code == 2 and "Mars/Olympus" in stderr


def test_usage_errors_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "frobnicate")[0] == 2
    code, stdout, _ = run(capsys, "--help")
    assert code == 0
    for command in ("demo", "info", "import", "export"):
        assert command in stdout


def test_export_format_follows_the_suffix_and_refuses_a_file_as_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = store_uri(tmp_path / "g.db")
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    code, _, stderr = run(capsys, "--store", uri, "export", str(target))
    assert code == 3
    assert (
        stderr == f"graphsvc: error: {target}: exists and is not a folder (csv export "
        "writes a folder)\n"
    )


def test_the_installed_console_script_works(tmp_path: Path) -> None:
    script = shutil.which("graphsvc", path=str(Path(sys.executable).parent))
    assert script is not None, "graphsvc console script not installed (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env["GRAPHSVC_STORE"] = store_uri(tmp_path / "graph.db")
    result = subprocess.run(
        [script, "demo", "--people", "120", "--months", "2", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["people"] == 120
    assert result.stderr == ""
    result = subprocess.run(
        [script, "export", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == CSV_FILES


def test_ctrl_c_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(graphsvc.cli, "run_info", interrupted)
    code, _, stderr = run(capsys, "--store", store_uri(tmp_path / "g.db"), "info")
    assert code == 130
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sqlite:///data/graph.db", Path("data/ground_truth.json")),
        ("sqlite:////srv/graph.db", Path("/srv/ground_truth.json")),
        ("bolt://neo4j:pw@db:7687", Path("ground_truth.json")),
    ],
)
def test_ground_truth_goes_beside_the_sqlite_file_else_here(uri: str, expected: Path) -> None:
    assert graphsvc.cli._default_truth_path(uri) == expected


def test_global_options_work_before_or_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = store_uri(tmp_path / "a.db"), store_uri(tmp_path / "b.db")
    assert run(capsys, "--store", first, "info", "--json")[0] == 0
    code, out, _err = run(capsys, "info", "--store", first, "--json")
    assert code == 0 and json.loads(out)["store"] == first
    code, out, _err = run(capsys, "--store", first, "info", "--store", second, "--json")
    assert code == 0 and json.loads(out)["store"] == second  # the later one wins


def test_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """``graphsvc info | head -n 0``: no traceback, no error line, exit 141 like SIGPIPE."""
    script = shutil.which("graphsvc", path=str(Path(sys.executable).parent))
    assert script is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env["GRAPHSVC_STORE"] = store_uri(tmp_path / "graph.db")
    with subprocess.Popen(
        [script, "info"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader is gone before the command writes a byte
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 141
    assert stderr == ""
