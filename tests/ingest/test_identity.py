"""Identity resolution across source systems: aliases, merges, conflicts, splits.

Two small hand-made exports of the same people (an HR system and a Q&A forum with their
own ids) are imported as named sources into a real store; every expectation below is
derived by hand from these rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.errors import NotFound, ValidationError
from graphsvc.identity import AliasRule
from graphsvc.store import GraphStore
from ingest.identity import load_id_map, plan_split
from ingest.runner import ImportOptions, run_import

HR = {
    "people.csv": "id,name,email,organisation,consent\n"
    "E1,Ada Lovelace,ada@example.org,Analytical,yes\n"
    "E2,Bo Berg,bo@example.org,Analytical,yes\n"
    "E3,Cy Chan,cy@example.org,Loom,yes\n",
}
FORUM = {
    "people.csv": "id,name,email,location,consent\n"
    "u7,Ada L.,ADA@Example.org,London,yes\n"
    "u8,Bo Berg,bo@example.org,,no\n"
    "E3,Someone Else,else@example.org,,yes\n"
    "u9,Di Dee,di@example.org,,yes\n",
    "interactions.csv": "id,kind,source_id,target_id,at\n"
    "a1,knowledge_exchange,u7,u9,2024-03-01\n"
    "a2,knowledge_exchange,u8,u7,2024-03-02\n"
    "a3,knowledge_exchange,E3,u7,2024-03-03\n",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def load(store: GraphStore, folder: Path, system: str, **options: object):  # type: ignore[no-untyped-def]
    result = run_import(
        store,
        folder,
        Settings(),
        options=ImportOptions(source_system=system, **options),  # type: ignore[arg-type]
    )
    assert result.run.status.value == "succeeded", result.run.errors
    return result


@pytest.fixture
def both(tmp_path: Path, store: GraphStore) -> GraphStore:
    load(store, write(tmp_path / "hr", HR), "hr")
    load(store, write(tmp_path / "forum", FORUM), "forum")
    return store


def test_people_with_the_same_email_become_one_person(both: GraphStore) -> None:
    ids = sorted(both.ids("people"))
    # u7 → E1 and u8 → E2 by e-mail; forum's E3 collides with HR's E3; u9 is new
    assert ids == ["E1", "E2", "E3", "forum:E3", "u9"]
    aliases = {(a.source_system, a.external_id): (a.person_id, a.rule) for a in both.aliases()}
    assert aliases == {
        ("hr", "E1"): ("E1", AliasRule.NEW),
        ("hr", "E2"): ("E2", AliasRule.NEW),
        ("hr", "E3"): ("E3", AliasRule.NEW),
        ("forum", "u7"): ("E1", AliasRule.EMAIL),
        ("forum", "u8"): ("E2", AliasRule.EMAIL),
        ("forum", "E3"): ("forum:E3", AliasRule.NEW),
        ("forum", "u9"): ("u9", AliasRule.NEW),
    }


def test_references_use_the_resolved_people(both: GraphStore) -> None:
    ties = {i.id: (i.source_id, i.target_id) for i in both.list_interactions()}
    assert ties == {"a1": ("E1", "u9"), "a2": ("E2", "E1"), "a3": ("forum:E3", "E1")}
    assert {i.source_system for i in both.list_interactions()} == {"forum"}


def test_the_newest_source_wins_and_the_conflict_is_recorded(both: GraphStore) -> None:
    ada = both.get_person("E1")
    assert ada is not None
    # forum (more recent) renamed her; HR's organisation stays, forum's location is added
    assert (ada.name, ada.email, ada.organisation, ada.location) == (
        "Ada L.",
        "ADA@Example.org",
        "Analytical",
        "London",
    )
    assert (ada.source_system, ada.external_id) == ("forum", "u7")
    recorded = {(c.person_id, c.field, c.kept, c.replaced) for c in both.conflicts()}
    # the e-mail differs only in case: the same address, no conflict
    assert recorded == {("E1", "name", "Ada L.", "Ada Lovelace")}
    assert all(c.kept_source == "forum" and c.replaced_source == "hr" for c in both.conflicts())


def test_an_opt_out_in_any_source_is_respected(both: GraphStore) -> None:
    bo = both.get_person("E2")
    assert bo is not None and bo.consent is False


def test_a_rerun_of_a_source_changes_nothing(tmp_path: Path, both: GraphStore) -> None:
    before = (sorted(both.list_people(), key=lambda p: p.id), both.conflicts(), both.aliases())
    again = load(both, tmp_path / "forum", "forum")
    # 4 people + 3 interactions, all already stored exactly so
    assert again.run.totals()["unchanged"] == 7 and again.run.totals()["inserted"] == 0
    after = (sorted(both.list_people(), key=lambda p: p.id), both.conflicts(), both.aliases())
    assert [a.last_seen for a in after[2]] != [a.last_seen for a in before[2]]
    strip = [(a.key, a.person_id, a.snapshot) for a in after[2]]
    assert strip == [(a.key, a.person_id, a.snapshot) for a in before[2]]
    assert after[:2] == before[:2]


def test_an_id_map_joins_people_without_a_shared_email(tmp_path: Path, store: GraphStore) -> None:
    load(store, write(tmp_path / "hr", HR), "hr")
    id_map = tmp_path / "ids.csv"
    id_map.write_text("source_system,external_id,person_id\nforum,u9,E3\nother,u9,E1\n")
    mapping = load_id_map(id_map, "forum")
    assert mapping == {"u9": "E3"}
    load(store, write(tmp_path / "forum", FORUM), "forum", id_map=mapping, match_email=False)
    aliases = {(a.source_system, a.external_id): a.person_id for a in store.aliases()}
    assert aliases[("forum", "u9")] == "E3"
    assert aliases[("forum", "u7")] == "u7"  # no e-mail matching asked for


def test_split_undoes_a_resolution(both: GraphStore) -> None:
    plan = plan_split(both, "forum", "u7")
    assert plan.new_person.id == "u7" and plan.move_records
    report = both.split_alias(plan)
    assert (report.person_id, report.new_person_id, report.interactions) == ("E1", "u7", 3)
    ada = both.get_person("E1")
    assert ada is not None and (ada.name, ada.location, ada.source_system) == (
        "Ada Lovelace",
        None,
        "hr",
    )
    forum_ada = both.get_person("u7")
    assert forum_ada is not None and forum_ada.name == "Ada L."
    ties = {i.id: (i.source_id, i.target_id) for i in both.list_interactions()}
    assert ties == {"a1": ("u7", "u9"), "a2": ("E2", "u7"), "a3": ("forum:E3", "u7")}
    assert {(a.external_id, a.person_id, a.rule) for a in both.aliases(person_ids=["u7"])} == {
        ("u7", "u7", AliasRule.SPLIT)
    }


def test_split_refuses_unknown_and_single_aliases(both: GraphStore) -> None:
    with pytest.raises(NotFound):
        plan_split(both, "forum", "nobody")
    with pytest.raises(ValidationError, match="only source identity"):
        plan_split(both, "forum", "u9")


def test_erasure_removes_aliases_and_conflicts(both: GraphStore) -> None:
    both.delete_person("E1")
    assert both.aliases(person_ids=["E1"]) == []
    assert both.conflicts("E1") == []


def test_people_commands_list_and_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graphsvc.cli import main

    store = ["--store", f"sqlite:///{tmp_path / 'g.db'}"]
    hr, forum = write(tmp_path / "hr", HR), write(tmp_path / "forum", FORUM)
    assert main([*store, "import", str(hr), "--source-system", "hr"]) == 0
    assert main([*store, "import", str(forum), "--source-system", "forum", "--json"]) == 0
    capsys.readouterr()
    assert main([*store, "people", "aliases", "E1", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["source_system"], a["external_id"], a["rule"]) for a in listed] == [
        ("hr", "E1", "new"),
        ("forum", "u7", "email"),
    ]
    assert main([*store, "people", "conflicts", "E1", "--json"]) == 0
    assert [c["field"] for c in json.loads(capsys.readouterr().out)] == ["name"]
    assert main([*store, "people", "split", "forum", "u7", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["new_person_id"] == "u7" and report["moved"]["interactions"] == 3
    assert main([*store, "people", "split", "forum", "u7"]) == 3  # u7 is alone now: invalid
    assert "nothing to split" in capsys.readouterr().err
