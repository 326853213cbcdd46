"""Importing interchange folders and NDJSON files: row errors, file errors, strict mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.model import ImportStatus
from graphsvc.store import GraphStore
from ingest.runner import run_import

PEOPLE = "id,name,email\np1,Ana,ana@example.org\np2,Bo,\np3,Cy,cy@example.org\n"
COMMUNITIES = "id,name,kind\nc1,Graphs,cop\n"


def write(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding=encoding)
    return folder


@pytest.fixture
def settings() -> Settings:
    return Settings(batch_size=2)


def test_a_clean_folder_loads_and_a_rerun_changes_nothing(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(
        tmp_path / "data",
        {
            "people.csv": PEOPLE,
            "communities.csv": COMMUNITIES,
            "memberships.csv": "person_id,community_id,role\np1,c1,\np2,c1,moderator\n",
            "interactions.csv": "kind,source_id,target_id,at\ncollaboration,p1,p2,2024-03-01\n"
            "mentoring,p2,p3,2024-03-02T10:00:00\n",
            "activities.csv": "id,name,kind,community_id,start\n"
            "a1,Kick-off,workshop,c1,2024-03-01\n",
            "participations.csv": "activity_id,person_id,role\na1,p1,organiser\na1,p3,\n",
        },
    )
    result = run_import(sqlite_store, data, settings)
    assert result.ok and result.bad_rows == 0
    expected = {
        "people": 3,
        "communities": 1,
        "memberships": 2,
        "interactions": 2,
        "activities": 1,
        "participations": 2,
    }
    assert result.run.counts == expected
    before = sqlite_store.counts()
    again = run_import(sqlite_store, data, settings)
    assert again.ok and again.run.counts == expected
    after = sqlite_store.counts()
    assert {k: v for k, v in after.items() if k != "import_runs"} == {
        k: v for k, v in before.items() if k != "import_runs"
    }
    assert after["import_runs"] == before["import_runs"] + 1
    stored = sqlite_store.get_import_run(again.run.id)
    assert stored is not None and stored.status == ImportStatus.SUCCEEDED


def test_bad_rows_are_quarantined_with_file_line_field_reason(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(
        tmp_path / "data",
        {
            "people.csv": PEOPLE + "p4,Di,not-an-email\np5,Ed,,\np1,Again,\n",
            "communities.csv": COMMUNITIES + "c2,Club,club\n",
            "interactions.csv": "kind,source_id,target_id,at\n"
            "collaboration,p1,p2,2024-03-01\n"
            "collaboration,p1,p9,2024-03-01\n"
            "collaboration,p1,p3,someday\n"
            "collaboration,p4,p1,2024-03-01\n",
        },
    )
    result = run_import(sqlite_store, data, settings)
    assert result.run.status == ImportStatus.PARTIAL
    assert list(result.run.errors) == [
        "people.csv:5: email: not an e-mail address",
        "people.csv:6: (row): 4 fields but the header has 3 columns",
        "people.csv:7: id: duplicate id (p1)",
        "communities.csv:3: kind: 'club' is not one of: cop, department, organisation, sector, "
        "region, team, other",
        "interactions.csv:3: target_id: unknown person 'p9'",
        "interactions.csv:4: at: not an ISO 8601 date/datetime or Unix seconds: 'someday'",
        "interactions.csv:5: source_id: unknown person 'p4'",
    ]
    assert result.bad_rows == 7
    assert result.run.counts == {"people": 3, "communities": 1, "interactions": 1}
    assert sqlite_store.get_person("p4") is None
    assert sqlite_store.get_person("p9") is None
    recorded = sqlite_store.get_import_run(result.run.id)
    assert recorded is not None and recorded.errors == result.run.errors


def test_line_numbers_are_physical_lines(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    text = 'id,name,email\np1,"Ana\non two lines",\n\np2,Bo,bad\n'
    data = write(tmp_path / "data", {"people.csv": text})
    result = run_import(sqlite_store, data, settings)
    assert list(result.run.errors) == ["people.csv:5: email: not an e-mail address"]


def test_strict_mode_loads_nothing_from_a_file_with_an_error(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(
        tmp_path / "data",
        {"people.csv": PEOPLE, "communities.csv": COMMUNITIES + "c2,Club,club\nc3,Ok,team\n"},
    )
    result = run_import(sqlite_store, data, settings, strict=True)
    assert result.run.status == ImportStatus.PARTIAL
    assert result.rejected == ("communities.csv",)
    assert result.run.counts == {"people": 3, "communities": 0}
    assert sqlite_store.counts()["communities"] == 0
    assert sqlite_store.counts()["people"] == 3
    assert result.run.errors[-1] == (
        "communities.csv: rejected (strict): 1 bad row(s), nothing loaded from it"
    )


def test_strict_ndjson_loads_nothing_at_all(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    lines = [
        {"type": "person", "id": "p1", "name": "Ana"},
        {"type": "person", "id": "p2", "name": "Bo"},
        {
            "type": "interaction",
            "kind": "mentoring",
            "source_id": "p1",
            "target_id": "p3",
            "at": "2024-01-01",
        },
    ]
    path = tmp_path / "data.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = run_import(sqlite_store, path, settings, strict=True)
    assert result.run.status == ImportStatus.FAILED
    assert result.run.errors[0] == "data.ndjson:3: target_id: unknown person 'p3'"
    assert sqlite_store.counts()["people"] == 0
    quarantined = run_import(sqlite_store, path, settings)
    assert quarantined.run.counts == {"people": 2, "interactions": 0}


def test_ndjson_records_load_in_dependency_order_whatever_the_file_order(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    path = tmp_path / "data.ndjson"
    path.write_text(
        '{"type":"membership","person_id":"p1","community_id":"c1"}\n'
        "\n"
        "not json\n"
        '{"type":"planet","id":"x"}\n'
        "[1, 2]\n"
        '{"type":"community","id":"c1","name":"Graphs"}\n'
        '{"type":"person","id":"p1","name":"Ana","topics":["a","b"],"extra":"kept"}\n',
        encoding="utf-8",
    )
    result = run_import(sqlite_store, path, settings)
    assert result.run.counts == {"people": 1, "communities": 1, "memberships": 1}
    assert [e.split(":")[1] for e in result.run.errors] == ["3", "4", "5"]
    assert result.run.errors[1].startswith("data.ndjson:4: type: 'planet', expected one of")
    person = sqlite_store.get_person("p1")
    assert person is not None and person.attrs == {"extra": "kept"}


def test_communities_may_name_a_parent_further_down_the_file(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(
        tmp_path / "data",
        {
            "communities.csv": "id,name,parent_id\nc3,Leaf,c2\nc2,Mid,c1\nx,Orphan,nowhere\n"
            "c1,Root,\nc2,Again,\n"
        },
    )
    result = run_import(sqlite_store, data, settings)
    assert sorted(result.run.errors) == [
        "communities.csv:4: parent_id: unknown community 'nowhere'",
        "communities.csv:6: id: duplicate id (c2)",
    ]
    assert {c.community.id for c in sqlite_store.communities()} == {"c1", "c2", "c3"}


def test_references_may_name_records_already_in_the_store(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    run_import(sqlite_store, write(tmp_path / "one", {"people.csv": PEOPLE}), settings)
    two = write(
        tmp_path / "two",
        {"interactions.csv": "kind,source_id,target_id,at\ncommunication,p1,p2,1700000000\n"},
    )
    result = run_import(sqlite_store, two, settings)
    assert result.ok and result.run.counts == {"interactions": 1}


def test_a_utf8_bom_is_accepted(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(tmp_path / "data", {"people.csv": "\ufeff" + PEOPLE.replace("Ana", "Ana Žužek")})
    result = run_import(sqlite_store, data, settings)
    assert result.ok
    person = sqlite_store.get_person("p1")
    assert person is not None and person.name == "Ana Žužek"


def test_latin1_files_are_rejected_naming_the_file(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(tmp_path / "data", {"people.csv": PEOPLE + "p9,Zoë,\n"}, encoding="latin-1")
    with pytest.raises(InputError) as caught:
        run_import(sqlite_store, data, settings)
    assert str(caught.value) == "people.csv:5: not UTF-8 text (byte 0xeb); save the file as UTF-8"
    assert sqlite_store.counts()["people"] == 0
    runs = sqlite_store.import_runs()
    assert runs[0].status == ImportStatus.FAILED and str(caught.value) in runs[0].errors


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n"])
def test_an_empty_file_is_a_clear_error(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings, text: str
) -> None:
    data = write(tmp_path / "data", {"people.csv": PEOPLE, "memberships.csv": text})
    with pytest.raises(InputError, match=r"^memberships.csv: empty file"):
        run_import(sqlite_store, data, settings)
    assert sqlite_store.counts()["people"] == 0


def test_header_problems_reject_the_import_before_anything_is_written(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(
        tmp_path / "data",
        {
            "people.csv": "name,email\nAna,\n",
            "memberships.csv": "person_id,community_id,rol\np1,c1,member\n",
        },
    )
    with pytest.raises(InputError) as caught:
        run_import(sqlite_store, data, settings)
    assert str(caught.value) == (
        "people.csv:1: id: missing required column; also memberships.csv:1: rol: unknown column "
        "(known: person_id, community_id, role, since, until, source_system, external_id)"
    )
    assert sqlite_store.counts()["people"] == 0


def test_a_folder_without_interchange_files_is_an_error(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(tmp_path / "data", {"notes.txt": "hello"})
    with pytest.raises(InputError, match="no interchange files found"):
        run_import(sqlite_store, data, settings)
    with pytest.raises(InputError, match="no such file or folder"):
        run_import(sqlite_store, tmp_path / "missing", settings)


def test_unknown_csv_files_are_reported_as_ignored(
    tmp_path: Path, sqlite_store: GraphStore, settings: Settings
) -> None:
    data = write(tmp_path / "data", {"people.csv": PEOPLE, "peple.csv": PEOPLE})
    result = run_import(sqlite_store, data, settings)
    assert result.ignored == ("peple.csv",)


def test_naive_times_are_read_in_the_configured_zone(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    data = write(tmp_path / "data", {"people.csv": "id,joined_at\np1,2024-07-01T12:00:00\n"})
    run_import(sqlite_store, data, Settings(timezone="Europe/Ljubljana"))
    person = sqlite_store.get_person("p1")
    assert person is not None and person.joined_at is not None
    assert person.joined_at.isoformat() == "2024-07-01T10:00:00+00:00"
