"""SQLite-only behaviour of the default store: file format, snapshots, erasure, errors.

The cross-backend contract lives in ``tests/test_store_contract.py``; these tests look
underneath, with direct SQL on the database file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphsvc.errors import ConfigError, StoreError, StoreUnavailable, UnknownReference
from graphsvc.model import (
    Activity,
    Community,
    Feedback,
    ImportRun,
    Interaction,
    Membership,
    Participation,
    Person,
)
from graphsvc.store import GraphStore
from graphsvc.stores import sqlite_db
from graphsvc.stores.sqlite import SQLiteStore
from graphsvc.stores.sqlite_schema import SCHEMA_VERSION

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def open_at(path: Path) -> SQLiteStore:
    return SQLiteStore.from_uri(f"sqlite:///{path}")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "graph.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteStore]:
    opened = open_at(db_path)
    yield opened
    opened.close()


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection to the file, outside the store."""
    return sqlite3.connect(path, isolation_level=None)


def people(*ids: str) -> list[Person]:
    return [Person(pid, f"Person {pid}", topics=("soil",)) for pid in ids]


def chain(n: int, prefix: str = "ix") -> list[Interaction]:
    """``n`` interactions among ten people, one hour apart."""
    return [
        Interaction(f"{prefix}{k:06d}", "collaboration", f"p{k % 10}", f"p{(k + 1) % 10}",
                    T0 + timedelta(hours=k))
        for k in range(n)
    ]  # fmt: skip


# --- the file ------------------------------------------------------------------------------


def test_satisfies_the_protocol(store: SQLiteStore, db_path: Path) -> None:
    assert isinstance(store, GraphStore)
    assert store.location == f"sqlite:///{db_path}"


def test_wal_mode_user_version_and_foreign_keys(store: SQLiteStore, db_path: Path) -> None:
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"people", "interactions", "import_runs", "cursors", "feedback"} <= tables
        assert conn.execute("PRAGMA foreign_key_list(interactions)").fetchall()
    with store._db.read() as reader:
        assert reader.execute("PRAGMA query_only").fetchone()[0] == 1
        assert reader.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("DELETE FROM people")


def test_foreign_keys_back_on_after_an_interaction_batch(store: SQLiteStore) -> None:
    store.upsert_people(people("p0", "p1"))
    store.upsert_interactions([Interaction("i", "collaboration", "p0", "p1", T0)])
    with pytest.raises(UnknownReference):
        store.upsert_interactions([Interaction("j", "collaboration", "p0", "ghost", T0)])
    with store._db.autocommit_writer() as writer:
        assert writer.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):
            writer.execute("DELETE FROM people WHERE id = 'p0'")  # still referenced


def test_reopening_keeps_data_and_schema(db_path: Path) -> None:
    first = open_at(db_path)
    first.upsert_people(people("p0", "p1"))
    first.upsert_interactions([Interaction("i", "mentoring", "p0", "p1", at(1))])
    first.set_cursor("crm", "42")
    first.close()
    again = open_at(db_path)
    try:
        assert again.counts()["people"] == 2 and again.counts()["interactions"] == 1
        assert again.get_cursor("crm") == "42"
        assert again.get_person("p1") == people("p1")[0]
    finally:
        again.close()
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_version_1_database_is_migrated_with_its_data(db_path: Path) -> None:
    """Migration 1 → 2 keeps every record and adds provenance, outcomes and alias tables."""
    from graphsvc.stores.sqlite_schema import load_script, split_statements

    conn = sqlite3.connect(db_path, isolation_level=None)
    for statement in split_statements(load_script("schema.sql")):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO people (id, name) VALUES ('p1', 'Ada')")
    conn.execute(
        "INSERT INTO import_runs (id, source, started_at, status, counts) "
        "VALUES ('r1', 'x', 0, 'succeeded', '{\"people\": 1}')"
    )
    conn.close()
    store = SQLiteStore.from_uri(f"sqlite:///{db_path}")
    try:
        assert store.get_person("p1") == Person("p1", "Ada")
        run = store.get_import_run("r1")
        assert run is not None and run.counts == {"people": 1} and run.outcomes == {}
        assert store.upsert_people([Person("p1", "Ada", source_system="hr")]).updated == 1
    finally:
        store.close()
    with sqlite3.connect(db_path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    assert {"person_aliases", "person_conflicts"} <= tables


def test_a_version_2_database_keeps_its_feedback_and_gains_reasons(db_path: Path) -> None:
    """Migration 2 → 3 adds the decline reason, moderator and community to feedback."""
    from graphsvc.stores.sqlite_schema import load_script, split_statements

    conn = sqlite3.connect(db_path, isolation_level=None)
    for script in ("schema.sql", "schema_2.sql"):
        for statement in split_statements(load_script(script)):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO feedback (id, person_id, suggested_id, verdict, at, recommender) "
        "VALUES ('f1', 'p1', 'p2', 'accepted', 0, 'collaborator')"
    )
    conn.close()
    store = SQLiteStore.from_uri(f"sqlite:///{db_path}")
    try:
        (old,) = store.feedback()
        assert (old.id, old.verdict, old.reason, old.moderator) == ("f1", "accepted", None, None)
        declined = Feedback(
            "f2", "p1", "p3", "declined", old.at, reason="overloaded", moderator="mo",
            community_id="c1",
        )  # fmt: skip
        store.add_feedback([declined])
        assert store.feedback()[1] == declined
    finally:
        store.close()


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    open_at(db_path).close()
    with raw(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        open_at(db_path)


def test_relative_uri_is_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = SQLiteStore.from_uri("sqlite:///data/rel.db")
    store.close()
    assert (tmp_path / "data" / "rel.db").is_file()


@pytest.mark.parametrize("uri", ["sqlite:///:memory:", "sqlite:///", "postgres:///x.db"])
def test_unusable_uris_are_config_errors(uri: str) -> None:
    with pytest.raises(ConfigError):
        SQLiteStore.from_uri(uri)


# --- errors --------------------------------------------------------------------------------


def test_unwritable_path_is_store_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable, match="a-file"):
        open_at(blocker / "graph.db")
    (tmp_path / "a-folder.db").mkdir()
    with pytest.raises(StoreUnavailable, match="a-folder.db"):
        open_at(tmp_path / "a-folder.db")


def test_a_file_that_is_no_database_is_store_unavailable(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not an SQLite database file, not at all" * 100)
    with pytest.raises(StoreUnavailable, match="junk.db"):
        open_at(junk)


def test_a_database_locked_by_another_process_is_store_unavailable(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_db, "BUSY_TIMEOUT_MS", 50)
    store = open_at(db_path)
    other = raw(db_path)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailable, match="locked"):
            store.set_cursor("crm", "1")
        assert store.get_cursor("crm") is None  # readers are not blocked
        other.execute("ROLLBACK")
        store.set_cursor("crm", "1")
        assert store.get_cursor("crm") == "1"
    finally:
        other.close()
        store.close()


def test_a_closed_store_says_so(db_path: Path) -> None:
    store = open_at(db_path)
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        store.counts()


# --- transactions and snapshots --------------------------------------------------------------


def test_reader_sees_a_consistent_snapshot_while_a_writer_runs(store: SQLiteStore) -> None:
    store.upsert_people(people(*(f"p{k}" for k in range(10))))
    store.upsert_interactions(chain(100))
    inserted = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with store._db.write() as conn:
                conn.executemany(
                    "INSERT INTO cursors (source, value) VALUES (?, ?)",
                    [(f"s{k}", "v") for k in range(50)],
                )
                conn.execute("DELETE FROM interactions WHERE id < 'ix000050'")
                inserted.set()
                assert release.wait(10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert inserted.wait(10)
        # the writer's transaction is open and uncommitted: readers neither wait nor see it
        assert store.counts()["interactions"] == 100
        assert store.get_cursor("s1") is None
        assert len(store.interactions()) == 100
        with store._db.read() as snapshot:
            before = snapshot.execute("SELECT count(*) FROM interactions").fetchone()[0]
            release.set()
            thread.join(10)
            # committed meanwhile, but this read transaction keeps its snapshot
            after = snapshot.execute("SELECT count(*) FROM interactions").fetchone()[0]
            assert before == after == 100
    finally:
        release.set()
        thread.join(10)
    assert not errors
    assert store.counts()["interactions"] == 50
    assert store.get_cursor("s1") == "v"


def test_a_failing_transaction_rolls_back_its_earlier_statements(store: SQLiteStore) -> None:
    with store._db.write() as conn:
        conn.execute("INSERT INTO cursors (source, value) VALUES ('x', '1')")
    with pytest.raises(sqlite3.IntegrityError), store._db.write() as conn:
        conn.execute("INSERT INTO cursors (source, value) VALUES ('y', '1')")
        conn.execute("INSERT INTO cursors (source, value) VALUES ('x', '2')")
    assert store.get_cursor("y") is None and store.get_cursor("x") == "1"


def test_threads_share_one_store(store: SQLiteStore) -> None:
    store.upsert_people(people(*(f"p{k}" for k in range(10))))
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for batch in range(5):
                store.upsert_interactions(chain(200, prefix=f"w{worker}b{batch}-"))
                assert len(store.interactions()) >= 200
                store.search_people(topic="soil")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert store.counts()["interactions"] == 4 * 5 * 200


def test_an_abandoned_export_does_not_block_writes(store: SQLiteStore) -> None:
    store.upsert_people(people("p0", "p1", "p2"))
    listing = store.list_people()
    assert next(listing).id == "p0"
    store.upsert_people(people("p3"))
    assert [p.id for p in listing] == ["p1", "p2"]  # the export's snapshot
    assert store.counts()["people"] == 4


# --- values --------------------------------------------------------------------------------


def test_datetimes_are_exact_microseconds_even_before_1970(
    store: SQLiteStore, db_path: Path
) -> None:
    store.upsert_people(people("p0", "p1"))
    early = datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    row = Interaction("old", "collaboration", "p0", "p1", early)
    store.upsert_interactions([row])
    assert list(store.list_interactions()) == [row]
    assert list(store.interactions().at) == [-1]
    with raw(db_path) as conn:
        assert conn.execute("SELECT at FROM interactions").fetchone()[0] == -1


def test_topic_search_follows_upserts(store: SQLiteStore) -> None:
    store.upsert_people([Person("p", "P", topics=("Soil", "Water"), expertise=("Ærø",))])
    assert [p.id for p in store.search_people(topic="ærø")] == ["p"]
    store.upsert_people([Person("p", "P", topics=("Water",))])
    assert store.search_people(topic="soil") == []
    assert store.search_people(topic="ærø") == []
    assert [p.id for p in store.search_people(topic="WATER")] == ["p"]
    assert store.get_person("p") == Person("p", "P", topics=("Water",))


def test_topic_order_and_attrs_round_trip(store: SQLiteStore) -> None:
    person = Person("p", "P", topics=("z", "a", "m"), expertise=("b", "a"),
                    attrs={"zeta": "1", "alpha": "ü"})  # fmt: skip
    store.upsert_people([person])
    stored = store.get_person("p")
    assert stored == person and stored is not None
    assert stored.topics == ("z", "a", "m") and list(stored.attrs) == ["zeta", "alpha"]


# --- erasure ---------------------------------------------------------------------------------


def test_erasure_leaves_no_trace_in_any_table(store: SQLiteStore, db_path: Path) -> None:
    victim = "erase-me-7f3a"
    store.upsert_people([Person(victim, "Victim", email="v@example.org", topics=("soil",)),
                         *people("p1", "p2")])  # fmt: skip
    store.upsert_communities([Community("c", "C")])
    store.upsert_memberships([Membership(victim, "c"), Membership("p1", "c", "mentor")])
    store.upsert_interactions([
        Interaction("i1", "mentoring", victim, "p1", T0),
        Interaction("i2", "collaboration", "p2", victim, T0),
        Interaction("i3", "collaboration", "p1", "p2", T0),
    ])  # fmt: skip
    store.upsert_activities([Activity("a", "A", T0, community_id="c")])
    store.upsert_participations([Participation("a", victim), Participation("a", "p2")])
    store.add_feedback([
        Feedback("f1", victim, "p1", "accepted", T0),
        Feedback("f2", "p2", victim, "dismissed", T0),
        Feedback("f3", "p2", "p1", "dismissed", T0),
    ])  # fmt: skip
    store.record_import_run(ImportRun("r", "data", T0))
    report = store.delete_person(victim)
    assert (report.people, report.memberships, report.interactions, report.participations,
            report.feedback) == (1, 1, 2, 1, 2)  # fmt: skip
    with raw(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                hits = conn.execute(
                    f'SELECT count(*) FROM "{table}" WHERE instr(CAST("{column}" AS TEXT), ?) > 0',
                    (victim,),
                ).fetchone()[0]
                assert hits == 0, f"{table}.{column} still names the erased person"
        assert conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


# --- volume ----------------------------------------------------------------------------------


def test_a_batch_of_twenty_thousand_interactions_loads(store: SQLiteStore) -> None:
    store.upsert_people(people(*(f"p{k}" for k in range(10))))
    rows = chain(20_000)
    assert store.upsert_interactions(rows).inserted == 20_000
    assert store.counts()["interactions"] == 20_000
    arrays = store.interactions()
    assert len(arrays) == 20_000 and arrays.person_ids == tuple(f"p{k}" for k in range(10))
    assert store.upsert_interactions(rows).unchanged == 20_000  # idempotent: nothing written
    assert store.counts()["interactions"] == 20_000
