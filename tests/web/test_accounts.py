"""web.accounts and web.roles: hashing at rest, users, tokens, the session key, the demo admin."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.errors import NotFound, ValidationError
from web.accounts import Accounts, accounts_path
from web.principals import User
from web.roles import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    ROLES,
    permission_table_markdown,
    permissions_of,
)

PASSWORD = "correct horse battery"

#: the table of web-contract.md, verbatim
CONTRACT_TABLE = """\
| permission | viewer | weaver | moderator | evaluator | admin |
|---|---|---|---|---|---|
| view_network | ✓ | ✓ | ✓ | ✓ | ✓ |
| view_person_details |  | ✓ | ✓ | ✓ | ✓ |
| export_graph |  | ✓ | ✓ | ✓ | ✓ |
| view_recommendations |  |  | ✓ |  | ✓ |
| view_evaluation |  |  |  | ✓ | ✓ |
| view_imports |  |  |  |  | ✓ |
| run_imports |  |  |  |  | ✓ |
| manage_users |  |  |  |  | ✓ |
"""


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[Accounts]:
    with Accounts.open(tmp_path / "accounts.db") as opened:
        yield opened


def file_bytes(path: Path) -> bytes:
    """The database and its WAL: everything a thief of the folder would get."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


# -- roles -------------------------------------------------------------------------------


def test_the_permission_table_is_the_contracts() -> None:
    assert permission_table_markdown() == CONTRACT_TABLE
    assert ROLES == ("viewer", "weaver", "moderator", "evaluator", "admin")
    assert len(PERMISSIONS) == 8 and all(PERMISSIONS.values())
    assert ROLE_PERMISSIONS["admin"] == frozenset(PERMISSIONS)
    assert ROLE_PERMISSIONS["viewer"] < ROLE_PERMISSIONS["weaver"] < ROLE_PERMISSIONS["moderator"]
    assert ROLE_PERMISSIONS["evaluator"] - ROLE_PERMISSIONS["weaver"] == {"view_evaluation"}


def test_an_unknown_role_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        permissions_of("root")
    assert caught.value.field == "role"


# -- where the file lives ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (Settings(web_accounts="/srv/acc.db"), Path("/srv/acc.db")),
        (Settings(store="sqlite:///data/graph.db"), Path("data/graph.accounts.db")),
        (Settings(store="sqlite:////var/lib/g/graph.db"), Path("/var/lib/g/graph.accounts.db")),
        (Settings(store="sqlite:///:memory:"), Path("graphsvc-accounts.db")),
        (Settings(store="bolt://db:7687"), Path("graphsvc-accounts.db")),
    ],
)
def test_accounts_path(settings: Settings, expected: Path) -> None:
    assert accounts_path(settings) == expected


def test_the_file_is_owner_only_with_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "accounts.db"
    Accounts.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    Accounts.open(path).close()  # reopening migrates nothing and fails nothing


# -- users -------------------------------------------------------------------------------


def test_passwords_are_hashed_at_rest(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    with Accounts.open(path) as accounts:
        accounts.add_user("alice", PASSWORD, "weaver")
        accounts.set_password("alice", "an even better one")
        stored = accounts._read("SELECT password_hash FROM users")[0][0]
    assert stored.startswith("scrypt:")
    data = file_bytes(path)
    assert b"alice" in data  # the file is readable as such: the absence below means something
    assert PASSWORD.encode() not in data and b"an even better one" not in data


def test_verify_password(accounts: Accounts) -> None:
    added = accounts.add_user("alice", PASSWORD, "moderator")
    assert added == User("alice", "moderator", ROLE_PERMISSIONS["moderator"], False)
    assert accounts.verify_password("alice", PASSWORD) == added
    assert accounts.verify_password("ALICE", PASSWORD) == added  # names ignore case
    assert accounts.verify_password("alice", PASSWORD + "!") is None
    assert accounts.verify_password("bob", PASSWORD) is None
    assert accounts.verify_password("alice", "x" * 5000) is None


@pytest.mark.parametrize(
    ("name", "password", "role", "field"),
    [
        ("", PASSWORD, "viewer", "name"),
        ("a" * 65, PASSWORD, "viewer", "name"),
        ("alice smith", PASSWORD, "viewer", "name"),
        ("<script>", PASSWORD, "viewer", "name"),
        ("alice", "short", "viewer", "password"),
        ("alice", PASSWORD, "superuser", "role"),
    ],
)
def test_add_user_validates(
    accounts: Accounts, name: str, password: str, role: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        accounts.add_user(name, password, role)
    assert caught.value.field == field
    assert accounts.users() == []


def test_user_changes_and_errors(accounts: Accounts) -> None:
    accounts.add_user("admin", PASSWORD, "admin")
    accounts.add_user("a.b-c_d@example.org", PASSWORD, "viewer")
    with pytest.raises(ValidationError, match="already taken"):
        accounts.add_user("Admin", PASSWORD, "viewer")
    accounts.set_role("a.b-c_d@example.org", "evaluator")
    assert accounts.get_user("a.b-c_d@example.org") == User.of("a.b-c_d@example.org", "evaluator")
    with pytest.raises(ValidationError):
        accounts.set_role("a.b-c_d@example.org", "boss")
    for call in (
        lambda: accounts.set_role("nobody", "viewer"),
        lambda: accounts.set_password("nobody", PASSWORD),
        lambda: accounts.remove_user("nobody"),
    ):
        with pytest.raises(NotFound):
            call()
    accounts.remove_user("a.b-c_d@example.org")
    assert [u.name for u in accounts.users()] == ["admin"]
    assert accounts.get_user("a.b-c_d@example.org") is None


def test_the_last_admin_stays(accounts: Accounts) -> None:
    accounts.add_user("root", PASSWORD, "admin")
    with pytest.raises(ValidationError, match="last admin"):
        accounts.set_role("root", "viewer")
    with pytest.raises(ValidationError, match="last admin"):
        accounts.remove_user("root")
    accounts.add_user("second", PASSWORD, "admin")
    accounts.set_role("root", "viewer")
    assert accounts.get_user("root") == User.of("root", "viewer")


def test_a_password_change_changes_the_session_stamp(accounts: Accounts) -> None:
    accounts.add_user("alice", PASSWORD, "viewer")
    stamp = accounts.session_stamp("alice")
    assert stamp and accounts.session_user("alice", stamp) == User.of("alice", "viewer")
    accounts.set_password("alice", PASSWORD)  # same password, new salt: old sessions end
    assert accounts.session_user("alice", stamp) is None
    assert accounts.session_stamp("bob") is None


# -- tokens ------------------------------------------------------------------------------


def test_token_lifecycle(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    with Accounts.open(path) as accounts:
        token, secret = accounts.add_token("nightly-import", "admin")
        assert secret.startswith("gst_") and len(secret) >= 40
        assert secret.startswith(token.prefix) and len(token.prefix) < 12
        assert token.active and token.last_used is None
        assert accounts.tokens() == [token]  # listed, never with the secret
        principal = accounts.token_user(secret)
        assert principal == User("nightly-import", "admin", ROLE_PERMISSIONS["admin"], True)
        assert accounts.tokens()[0].last_used is not None
        assert accounts.token_user(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
        assert accounts.token_user("not-a-token") is None
        accounts.revoke_token(token.id)
        assert accounts.token_user(secret) is None
        assert not accounts.tokens()[0].active
        accounts.revoke_token(token.id)  # twice is fine
        with pytest.raises(NotFound):
            accounts.revoke_token(token.id + 1)
    data = file_bytes(path)
    assert b"nightly-import" in data
    assert secret.encode() not in data and secret[len(token.prefix) :].encode() not in data


def test_tokens_validate_and_die_with_their_user(accounts: Accounts) -> None:
    with pytest.raises(ValidationError):
        accounts.add_token("import", "god")
    with pytest.raises(NotFound):
        accounts.add_token("import", "viewer", user="ghost")
    accounts.add_user("root", PASSWORD, "admin")
    accounts.add_user("carol", PASSWORD, "admin")
    _, secret = accounts.add_token("carol-script", "weaver", user="carol")
    assert accounts.token_user(secret) == User.of("carol-script", "weaver", is_token=True)
    accounts.remove_user("carol")
    assert accounts.token_user(secret) is None


# -- the session key and the demo admin --------------------------------------------------


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    with Accounts.open(path) as accounts:
        key = accounts.secret_key(Settings())
    assert len(key) == 64
    with Accounts.open(path) as accounts:
        assert accounts.secret_key(Settings()) == key
        assert accounts.secret_key(Settings(secret_key="from-settings")) == "from-settings"
    with Accounts.open(tmp_path / "other.db") as accounts:
        assert accounts.secret_key(Settings()) != key


def test_the_demo_admin_is_created_once(accounts: Accounts) -> None:
    created = accounts.ensure_demo_admin()
    assert created is not None
    name, password = created
    assert name == "admin" and len(password) >= 10
    assert accounts.verify_password(name, password) == User.of("admin", "admin")
    assert accounts.ensure_demo_admin() is None
    assert accounts.verify_password(name, password) is not None  # unchanged


def test_no_demo_admin_when_someone_exists(accounts: Accounts) -> None:
    accounts.add_user("alice", PASSWORD, "viewer")
    assert accounts.ensure_demo_admin() is None
    assert [u.name for u in accounts.users()] == ["alice"]


def test_a_version_1_accounts_file_gains_scopes_and_keeps_its_users(tmp_path: Path) -> None:
    import sqlite3

    from web.accounts import MIGRATIONS

    path = tmp_path / "old.accounts.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO users VALUES ('ann', 'x', 'moderator', '2025-01-01', '2025-01-01')")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Accounts.open(path) as accounts:
        user = accounts.get_user("ann")
        assert user is not None and user.role == "moderator" and user.communities is None
        accounts.set_communities("ann", ["cop-a"])
        assert accounts.get_user("ann") == User.of(
            "ann", "moderator", communities=frozenset({"cop-a"})
        )
