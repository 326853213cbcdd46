"""Mapping files: foreign CSV exports loaded through a TOML mapping into a real SQLite store."""

from __future__ import annotations

import inspect
import shutil
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

import ingest
from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.interchange import SPECS
from graphsvc.store import GraphStore
from ingest.mapping import load_mapping, open_mapped
from ingest.outcome import ImportResult
from ingest.reader import Dataset
from ingest.runner import ImportOptions, run_dataset

EXAMPLES = Path(ingest.__file__).parent / "examples"
FORUM = EXAMPLES / "forum"
EVENTS = EXAMPLES / "events"
USERS = "user_id,display_name,mail\nu1,Ana,ana@example.org\nu2,Bo,\n"
USERS_MAPPING = """
[[file]]
path = "users.csv"
entity = "people"
[file.columns]
id = "user_id"
name = "display_name"
email = "mail"
"""


def load(
    store: GraphStore, folder: Path, mapping: Path, settings: Settings, *, strict: bool = False
) -> ImportResult:
    """What ``graphsvc import FOLDER --mapping MAPPING`` does (the CLI option is the lead's)."""
    return run_dataset(
        store,
        str(folder),
        lambda: open_mapped(folder, load_mapping(mapping)),
        settings,
        ImportOptions(strict=strict),
    )


def write(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding=encoding)
    return folder


def copy_example(example: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(example, tmp_path / example.name))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def stored_counts(store: GraphStore) -> dict[str, int]:
    return {k: v for k, v in store.counts().items() if k != "import_runs"}


# --- the shipped examples ------------------------------------------------------------------


def test_forum_example_loads_every_row_and_a_rerun_changes_nothing(
    sqlite_store: GraphStore,
) -> None:
    settings = Settings(batch_size=10)
    first = load(sqlite_store, FORUM, FORUM / "mapping.toml", settings)
    assert list(first.run.errors) == []
    expected = {"people": 20, "communities": 6, "memberships": 30, "interactions": 47}
    assert first.run.counts == expected
    before = stored_counts(sqlite_store)
    again = load(sqlite_store, FORUM, FORUM / "mapping.toml", settings)
    assert list(again.run.errors) == [] and again.run.counts == expected
    unchanged = sum(expected.values())
    assert again.run.totals() == {
        "inserted": 0,
        "updated": 0,
        "unchanged": unchanged,
        "rejected": 0,
    }
    assert stored_counts(sqlite_store) == before


def test_forum_answers_become_knowledge_exchange_from_answerer_to_asker(
    sqlite_store: GraphStore,
) -> None:
    load(sqlite_store, FORUM, FORUM / "mapping.toml", Settings())
    by_id = {i.id: i for i in sqlite_store.list_interactions()}
    # a1004: u101 answers q2 (asked by u119 in python, tags testing|pytest), accepted
    accepted = by_id["forum-a1004"]
    assert (accepted.source_id, accepted.target_id) == ("forum-u101", "forum-u119")
    assert accepted.kind == "knowledge_exchange" and accepted.directed is True
    assert accepted.community_id == "forum-python" and accepted.topic == "testing"
    assert accepted.weight == 2.0 and accepted.at == utc("2024-01-15T22:03:15")
    assert (accepted.source_system, accepted.external_id) == ("forum", "a1004")
    # a1001: u106 answers q1 (asked by u114), not accepted
    plain = by_id["forum-a1001"]
    assert (plain.source_id, plain.target_id, plain.weight) == ("forum-u106", "forum-u114", 1.0)
    assert plain.topic == "pandas"
    # a1047: q24 has no tags → no topic; category ml
    untagged = by_id["forum-a1047"]
    assert untagged.topic is None and untagged.community_id == "forum-ml"
    assert untagged.target_id == "forum-u120"
    assert sum(1 for i in by_id.values() if i.target_id == "forum-u114") == 2


def test_forum_people_communities_and_roles(sqlite_store: GraphStore) -> None:
    load(sqlite_store, FORUM, FORUM / "mapping.toml", Settings())
    ana = sqlite_store.get_person("forum-u101")
    assert ana is not None and ana.name == "Ana Kovač" and ana.email == "ana.kovac@example.org"
    assert ana.topics == ("python", "pandas", "data-quality")
    assert ana.attrs == {"reputation": "1840"}
    assert ana.joined_at == utc("2021-09-14T08:12:00")
    assert (ana.source_system, ana.external_id) == ("forum", "u101")  # the id before the prefix
    bram = sqlite_store.get_person("forum-u102")
    assert bram is not None and bram.email is None
    communities = {c.id: c for c in sqlite_store.list_communities()}
    assert communities["forum-python"].parent_id == "forum-data"
    assert {c.kind for c in communities.values()} == {"cop"}
    roles = {(m.person_id, m.community_id): m.role for m in sqlite_store.list_memberships()}
    assert roles[("forum-u101", "forum-python")] == "moderator"
    assert roles[("forum-u109", "forum-python")] == "expert"
    assert roles[("forum-u106", "forum-python")] == "member"
    assert sorted(roles.values()).count("moderator") == 5


def test_events_example_loads_with_roles_kinds_lookups_and_local_times(
    sqlite_store: GraphStore,
) -> None:
    settings = Settings(timezone="Europe/Ljubljana", batch_size=7)
    result = load(sqlite_store, EVENTS, EVENTS / "mapping.toml", settings)
    assert list(result.run.errors) == []
    expected = {
        "people": 22,
        "communities": 6,
        "memberships": 22,
        "activities": 12,
        "participations": 42,
    }
    assert result.run.counts == expected
    activities = {a.id: a for a in sqlite_store.list_activities()}
    assert activities["EV-101"].start == utc("2024-02-06T09:00:00")  # CET, +01:00
    assert activities["EV-107"].start == utc("2024-04-04T08:00:00")  # CEST, +02:00
    assert activities["EV-105"].end == utc("2024-03-13T15:00:00")
    assert activities["EV-102"].kind == "workshop" and activities["EV-101"].kind == "seminar"
    assert activities["EV-105"].kind == "training" and activities["EV-104"].kind == "meeting"
    assert activities["EV-107"].community_id is None
    assert activities["EV-102"].community_id == "g-python"
    roles = {(p.activity_id, p.person_id): p.role for p in sqlite_store.list_participations()}
    assert roles[("EV-112", "A0014")] == "organiser"  # Host, by e-mail → attendee id
    assert roles[("EV-105", "A0011")] == "speaker"
    assert roles[("EV-111", "A0003")] == "participant"
    assert ("EV-101", "A0009") not in roles  # No-show: skipped by where
    assert roles[("EV-106", "A0005")] == "participant"  # cancelled, then attended
    assert sorted(roles.values()).count("organiser") == 12
    communities = {c.id: c for c in sqlite_store.list_communities()}
    assert communities["bu-it"].kind == "department"
    assert communities["g-python"].parent_id == "g-data"
    memberships = {(m.person_id, m.community_id) for m in sqlite_store.list_memberships()}
    assert ("A0002", "g-python") in memberships and ("A0006", "bu-ops") in memberships
    marta = sqlite_store.get_person("A0001")  # attendees.csv starts with a BOM
    assert marta is not None and marta.attrs == {"job_title": "Data engineer"}
    before = stored_counts(sqlite_store)
    again = load(sqlite_store, EVENTS, EVENTS / "mapping.toml", settings)
    assert again.ok and again.run.totals()["unchanged"] == sum(expected.values())
    assert stored_counts(sqlite_store) == before


def test_units_come_in_dependency_order_named_by_foreign_file_and_entity() -> None:
    with open_mapped(EVENTS, load_mapping(EVENTS / "mapping.toml")) as dataset:
        assert [unit.label for unit in dataset.units] == [
            "attendees.csv (as people)",
            "groups.csv (as communities)",
            "attendees.csv (as memberships)",
            "events.csv (as activities)",
            "registrations.csv (as participations)",
        ]
        assert dataset.ignored == []


# --- row problems name the foreign file and line -------------------------------------------


def test_bad_rows_are_reported_with_the_foreign_file_and_line(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    folder = copy_example(FORUM, tmp_path)
    with (folder / "answers.csv").open("a", encoding="utf-8") as handle:
        handle.write("a2001,q1,u101,yesterday,false\n")  # line 49
        handle.write("a2002,q99,u101,2024-04-01 10:00:00,false\n")  # line 50
        handle.write("a2003,q1,u101,2024-04-01 10:00:00,maybe\n")  # line 51
    with (folder / "subscriptions.csv").open("a", encoding="utf-8") as handle:
        handle.write("u101,ml,Lurker,2023-01-01\n")  # line 32, strict_values
    result = load(sqlite_store, folder, folder / "mapping.toml", Settings())
    assert list(result.run.errors) == [
        "subscriptions.csv:32: role: 'Lurker' has no entry in values.role"
        " (mapped: Moderator, Subscriber, Top contributor)",
        "answers.csv:49: at: not an ISO 8601 date/datetime or Unix seconds: 'yesterday'",
        "answers.csv:50: target_id: no row of questions.csv has id 'q99' (from question_id)",
        "answers.csv:51: weight: must be a number, not 'maybe'",
    ]
    assert result.run.counts["interactions"] == 47


def test_strict_mode_rejects_a_foreign_file_as_a_whole(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    folder = copy_example(FORUM, tmp_path)
    with (folder / "subscriptions.csv").open("a", encoding="utf-8") as handle:
        handle.write("u101,ml,Lurker,2023-01-01\n")
    result = load(sqlite_store, folder, folder / "mapping.toml", Settings(), strict=True)
    assert list(result.rejected) == ["subscriptions.csv (as memberships)"]
    assert result.run.counts["memberships"] == 0 and result.run.counts["interactions"] == 47


def test_a_lookup_key_with_disagreeing_rows_is_a_row_error(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    folder = write(
        tmp_path / "d",
        {
            "users.csv": "id,name\nu1,Ana\nu2,Bo\nu3,Cy\n",
            "questions.csv": "id,author\nq1,u1\nq2,u2\nq2,u3\nq3,u2\nq3,u2\n",
            "answers.csv": "author,question,when\nu3,q1,2024-01-01\nu1,q2,2024-01-02\n"
            "u1,q3,2024-01-03\n,q1,2024-01-04\n",
        },
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[[file]]\npath = "users.csv"\nentity = "people"\n[file.columns]\nid = "id"\n'
        '[[file]]\npath = "answers.csv"\nentity = "interactions"\n'
        '[file.columns]\nsource_id = "author"\nat = "when"\n'
        '[file.lookup.target_id]\nfile = "questions.csv"\nkey = "question"\nmatch = "id"\n'
        'column = "author"\n[file.defaults]\nkind = "knowledge_exchange"\n',
        encoding="utf-8",
    )
    result = load(sqlite_store, folder, mapping, Settings())
    assert list(result.run.errors) == [
        "answers.csv:3: target_id: several rows of questions.csv have id 'q2'"
        " with different author",
        "answers.csv:5: source_id: is required",
    ]
    pairs = sorted((i.source_id, i.target_id) for i in sqlite_store.list_interactions())
    assert pairs == [("u1", "u2"), ("u3", "u1")]  # identical duplicate rows (q3) are fine


# --- mapping file problems -----------------------------------------------------------------


def known(entity: str) -> str:
    return ", ".join(SPECS[entity].column_names)


def mapping_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_mapping(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'source_sytem = "x"\n' + USERS_MAPPING,
            "mapping.toml: source_sytem: unknown key (known: source_system, id_prefix,"
            " delimiter, file)",
        ),
        (
            USERS_MAPPING + "[file.colums]\n",
            "mapping.toml: file #1 (users.csv) colums: unknown key (known: path, entity,"
            " delimiter, columns, lookup, split, values, strict_values, defaults, where, attrs)",
        ),
        (
            USERS_MAPPING.replace('"people"', '"persons"'),
            "mapping.toml: file #1 (users.csv) entity: 'persons' is not one of: "
            + ", ".join(SPECS),
        ),
        (
            USERS_MAPPING + 'mail = "mail"\n',
            "mapping.toml: file #1 (users.csv) columns.mail: 'mail' is not a column of people"
            f" (known: {known('people')})",
        ),
        (
            USERS_MAPPING.replace('id = "user_id"\n', ""),
            "mapping.toml: file #1 (users.csv): id is required for people but has no source"
            " or default (add it under columns, lookup or defaults)",
        ),
        (
            '[[file]]\nentity = "people"\n',
            "mapping.toml: file #1 path: is required",
        ),
        (
            USERS_MAPPING.replace('"users.csv"', '"../users.csv"'),
            "mapping.toml: file #1 path: '../users.csv' must be relative to the data folder"
            " and stay inside it",
        ),
        (
            USERS_MAPPING + '[file.values.role]\nModerator = "moderator"\n',
            "mapping.toml: file #1 (users.csv) values.role: 'role' is not a column of people"
            f" (known: {known('people')})",
        ),
        (
            USERS_MAPPING + '[file.split]\ntopics = "|"\n',
            "mapping.toml: file #1 (users.csv) split.topics: topics has no source"
            " (map it under columns or lookup)",
        ),
        (
            'delimiter = ";;"\n' + USERS_MAPPING,
            "mapping.toml: delimiter: must be one character (not a quote or newline), not ';;'",
        ),
        (
            USERS_MAPPING.replace('"people"', '"memberships"').replace(
                '[file.columns]\nid = "user_id"\nname = "display_name"\nemail = "mail"\n',
                'attrs = ["team"]\n[file.columns]\nperson_id = "user_id"\ncommunity_id = "team"\n',
            ),
            "mapping.toml: file #1 (users.csv) attrs: only people have attrs, not memberships",
        ),
        (
            USERS_MAPPING + 'attrs = ["email"]\n',
            "mapping.toml: file #1 (users.csv) columns.attrs: 'attrs' is not a column of people"
            f" (known: {known('people')})",
        ),
        (
            USERS_MAPPING.replace("[file.columns]", 'attrs = ["email"]\n[file.columns]'),
            "mapping.toml: file #1 (users.csv) attrs: 'email' is a people column;"
            " map it under columns instead",
        ),
        (
            USERS_MAPPING + '[file.lookup.name]\nfile = "names.csv"\nkey = "user_id"\n'
            'column = "name"\n',
            "mapping.toml: file #1 (users.csv) lookup.name.match: is required",
        ),
        (
            "",
            "mapping.toml: file: no [[file]] tables (each says which foreign file feeds an entity)",
        ),
    ],
)
def test_mapping_file_problems_name_the_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert mapping_error(tmp_path, text) == expected


def test_invalid_toml_is_an_input_error(tmp_path: Path) -> None:
    message = mapping_error(tmp_path, '[[file]]\npath = "users.csv\n')
    assert message.startswith("mapping.toml: not valid TOML: ") and "line 2" in message


def data_error(tmp_path: Path, files: dict[str, str], mapping_text: str) -> str:
    folder = write(tmp_path / "data", files)
    path = tmp_path / "mapping.toml"
    path.write_text(mapping_text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        open_mapped(folder, load_mapping(path))
    return str(caught.value)


def test_a_mapped_column_missing_from_the_header_names_file_column_and_header(
    tmp_path: Path,
) -> None:
    message = data_error(
        tmp_path, {"users.csv": USERS}, USERS_MAPPING.replace('"mail"', '"email_address"')
    )
    assert message == (
        "users.csv: column 'email_address' (mapped to email) not in header"
        " (found: user_id, display_name, mail)"
    )


def test_every_file_problem_is_named_at_once(tmp_path: Path) -> None:
    mapping_text = USERS_MAPPING + (
        '[[file]]\npath = "answers.csv"\nentity = "interactions"\n'
        '[file.columns]\nsource_id = "author"\nat = "created"\n'
        '[file.lookup.target_id]\nfile = "questions.csv"\nkey = "question_id"\nmatch = "id"\n'
        'column = "author_id"\n[file.defaults]\nkind = "knowledge_exchange"\n'
    )
    files = {
        "users.csv": USERS,
        "answers.csv": "id,question_id,author,created\n",
        "questions.csv": "id,author\n",
    }
    message = data_error(tmp_path, files, mapping_text)
    assert message == (
        "questions.csv: column 'author_id' (lookup.target_id) not in header (found: id, author)"
    )
    del files["answers.csv"]
    (tmp_path / "data" / "answers.csv").unlink()
    message = data_error(tmp_path, files, mapping_text)
    folder = tmp_path / "data"
    assert message == (
        f"answers.csv: no such file in {folder} (named by mapping.toml file #2 (answers.csv));"
        " also questions.csv: column 'author_id' (lookup.target_id) not in header"
        " (found: id, author)"
    )


def test_a_file_that_is_not_utf8_or_empty_is_a_file_error(tmp_path: Path) -> None:
    folder = write(tmp_path / "data", {})
    (folder / "users.csv").write_bytes(b"user_id,display_name,mail\nu1,Bj\xf6rn,\n")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(USERS_MAPPING, encoding="utf-8")
    with pytest.raises(InputError, match=r"users.csv:2: not UTF-8 text \(byte 0xf6\)"):
        open_mapped(folder, load_mapping(mapping))
    (folder / "users.csv").write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^users.csv: empty file \(expected a header row\)$"):
        open_mapped(folder, load_mapping(mapping))


def test_a_wrong_delimiter_gets_a_hint(tmp_path: Path) -> None:
    message = data_error(tmp_path, {"users.csv": USERS.replace(",", ";")}, USERS_MAPPING)
    assert message.endswith(
        "(found: user_id;display_name;mail; is the delimiter right? the mapping says ',')"
    )


# --- options -------------------------------------------------------------------------------


def test_tab_delimiter_and_bom(tmp_path: Path, sqlite_store: GraphStore) -> None:
    folder = write(tmp_path / "data", {"users.tsv": USERS.replace(",", "\t")}, "utf-8-sig")
    assert (folder / "users.tsv").read_bytes().startswith(b"\xef\xbb\xbf")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'delimiter = "\\t"\n' + USERS_MAPPING.replace("users.csv", "users.tsv"), encoding="utf-8"
    )
    result = load(sqlite_store, folder, mapping, Settings())
    assert list(result.run.errors) == [] and result.run.counts == {"people": 2}
    ana = sqlite_store.get_person("u1")
    assert ana is not None and ana.email == "ana@example.org"


def test_split_value_maps_defaults_prefix_where_and_glob(
    tmp_path: Path, sqlite_store: GraphStore
) -> None:
    folder = write(
        tmp_path / "data",
        {
            "staff-2023.csv": "no;who;skills;state\n1;Ana;Py / SQL;active\n2;Bo;;left\n",
            "staff-2024.csv": "no;who;skills;state\n3;Cy;sql/R/ r ;active\n",
            "teams.csv": "code,title\nt1,Analytics\n",
            "notes.csv": "x\n1\n",
        },
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'source_system = "hr"\nid_prefix = "hr:"\n'
        '[[file]]\npath = "teams.csv"\nentity = "communities"\n'
        '[file.columns]\nid = "code"\nname = "title"\n[file.defaults]\nkind = "team"\n'
        '[[file]]\npath = "staff-*.csv"\nentity = "people"\ndelimiter = ";"\n'
        'where.state = "active"\n'
        '[file.columns]\nid = "no"\nname = "who"\nexpertise = "skills"\n'
        '[file.split]\nexpertise = "/"\n'
        '[file.values.expertise]\nPy = "python"\nsql = "SQL"\n'
        '[file.defaults]\ntopics = ["general", "onboarding"]\n'
        '[[file]]\npath = "staff-*.csv"\nentity = "memberships"\ndelimiter = ";"\n'
        'where.state = "active"\n[file.columns]\nperson_id = "no"\n'
        '[file.defaults]\ncommunity_id = "t1"\n',
        encoding="utf-8",
    )
    with open_mapped(folder, load_mapping(mapping)) as dataset:
        assert [unit.label for unit in dataset.units] == [
            "staff-2023.csv (as people)",
            "staff-2024.csv (as people)",
            "teams.csv (as communities)",
            "staff-2023.csv (as memberships)",
            "staff-2024.csv (as memberships)",
        ]
        assert dataset.ignored == ["notes.csv"]
    result = load(sqlite_store, folder, mapping, Settings())
    assert list(result.run.errors) == []
    assert result.run.counts == {"people": 2, "communities": 1, "memberships": 2}
    people = {p.id: p for p in sqlite_store.list_people()}
    assert set(people) == {"hr:1", "hr:3"}  # Bo has left: skipped by where
    assert people["hr:1"].expertise == ("python", "SQL")
    assert people["hr:3"].expertise == ("SQL", "R", "r")
    assert people["hr:1"].topics == ("general", "onboarding")
    members = sorted((m.person_id, m.community_id) for m in sqlite_store.list_memberships())
    assert members == [("hr:1", "hr:t1"), ("hr:3", "hr:t1")]


def test_source_system_and_the_foreign_id_are_stamped_on_each_row(
    tmp_path: Path,
) -> None:
    folder = write(
        tmp_path / "data",
        {"users.csv": USERS, "msgs.csv": "from,to,sent\nu1,u2,2024-01-01\n"},
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'source_system = "chat"\nid_prefix = "c-"\n' + USERS_MAPPING + "[[file]]\n"
        'path = "msgs.csv"\nentity = "interactions"\n[file.columns]\nsource_id = "from"\n'
        'target_id = "to"\nat = "sent"\n[file.defaults]\nkind = "communication"\n',
        encoding="utf-8",
    )
    with open_mapped(folder, load_mapping(mapping)) as dataset:
        people, messages = (list(unit.sources[0].rows()) for unit in dataset.units)
    assert messages == [
        (
            2,
            {
                "kind": "communication",
                "source_id": "c-u1",
                "target_id": "c-u2",
                "at": "2024-01-01",
                "source_system": "chat",
            },
        ),
    ]
    first = people[0][1]
    assert not isinstance(first, Exception) and first["id"] == "c-u1"
    assert first["source_system"] == "chat" and first["external_id"] == "u1"


# --- streaming -----------------------------------------------------------------------------


def peak_while_consuming(dataset: Dataset) -> tuple[int, int]:
    """(rows seen, peak traced bytes) while every row of every unit is read and dropped."""
    rows = 0
    tracemalloc.start()
    try:
        for unit in dataset.units:
            for source in unit.sources:
                for _row in source.rows():
                    rows += 1
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rows_are_mapped_on_the_fly_with_bounded_memory(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with (folder / "users.csv").open("w", encoding="utf-8") as handle:
        handle.write("user_id,display_name,mail,bio\n")
        for n in range(30_000):
            handle.write(f"u{n},Person number {n},p{n}@example.org,{'lorem ipsum ' * 8}\n")
    size = (folder / "users.csv").stat().st_size
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(USERS_MAPPING, encoding="utf-8")
    with open_mapped(folder, load_mapping(mapping)) as dataset:
        assert inspect.isgenerator(dataset.units[0].sources[0].rows())
        rows, peak = peak_while_consuming(dataset)
    assert rows == 30_000
    assert size > 3_000_000 and peak < 300_000, (size, peak)


def test_a_lookup_keeps_only_the_key_and_the_looked_up_column(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with (folder / "questions.csv").open("w", encoding="utf-8") as handle:
        handle.write("id,author,body\n")
        for n in range(4_000):
            handle.write(f"q{n},u{n % 50},{'a long question body ' * 100}\n")
    (folder / "users.csv").write_text(
        "id\n" + "".join(f"u{n}\n" for n in range(50)), encoding="utf-8"
    )
    with (folder / "answers.csv").open("w", encoding="utf-8") as handle:
        handle.write("question,author,at\n")
        for n in range(4_000):
            handle.write(f"q{n},u{(n + 1) % 50},2024-01-01\n")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[[file]]\npath = "answers.csv"\nentity = "interactions"\n'
        '[file.columns]\nsource_id = "author"\nat = "at"\n[file.defaults]\nkind = "other"\n'
        '[file.lookup.target_id]\nfile = "questions.csv"\nkey = "question"\nmatch = "id"\n'
        'column = "author"\n',
        encoding="utf-8",
    )
    size = (folder / "questions.csv").stat().st_size
    with open_mapped(folder, load_mapping(mapping)) as dataset:
        rows, peak = peak_while_consuming(dataset)
    assert rows == 4_000
    assert size > 8_000_000 and peak < 2_000_000, (size, peak)
