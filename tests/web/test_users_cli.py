"""graphsvc users … / tokens …: each command on a real accounts file, through its parser.

The commands reach ``graphsvc`` through web/cli.py's entry point, which is not installed
yet, so these tests build the parser with :func:`web.users_cli.register` and run the
handler with a real :class:`CommandContext`, the way ``graphsvc.cli.main`` does.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pytest

from graphsvc.cli import CommandContext
from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError, NotFound, ValidationError
from web.accounts import Accounts
from web.principals import User
from web.users_cli import register

PASSWORD = "a long enough password"


class Run:
    """``run("users", "list")`` → (exit code, stdout, stderr) against one accounts file."""

    def __init__(self, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
        self.settings = settings
        self.monkeypatch = monkeypatch
        parser = argparse.ArgumentParser(prog="graphsvc")
        register(parser.add_subparsers(dest="command", required=True))
        self.parser = parser

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        out, err = io.StringIO(), io.StringIO()
        args = self.parser.parse_args(list(argv))
        code = args.handler(args, CommandContext(self.settings, out, err))
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "graph.accounts.db"


@pytest.fixture
def run(path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    return Run(Settings(store=f"sqlite:///{path.parent / 'graph.db'}"), monkeypatch)


def test_users_add_list_role_remove(run: Run, path: Path) -> None:
    add_root = ("users", "add", "root", "--role", "admin", "--password-stdin")
    assert run(*add_root, stdin=PASSWORD + "\n")[0] == 0
    code, out, err = run(
        "users", "add", "alice", "--role", "weaver", "--password-stdin", stdin=PASSWORD + "\r\n"
    )
    assert (code, out, err) == (0, "user alice added (weaver)\n", "")
    with Accounts.open(path) as accounts:  # the file beside the store, password as typed
        assert accounts.verify_password("alice", PASSWORD) == User.of("alice", "weaver")
    code, out, _ = run("users", "list", "--json")
    alice, root = json.loads(out)
    weaver = ["view_network", "view_person_details", "export_graph"]
    assert alice == {
        "name": "alice", "role": "weaver", "permissions": weaver, "communities": None
    }  # fmt: skip
    assert root["name"] == "root" and root["role"] == "admin" and len(root["permissions"]) == 8
    assert run("users", "role", "alice", "evaluator")[1] == "user alice is now evaluator\n"
    code, out, _ = run("users", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["name", "role", "communities", "permissions"]
    assert lines[1].split()[:2] == ["alice", "evaluator"] and "view_evaluation" in lines[1]
    assert run("users", "remove", "alice")[0] == 0
    assert [line.split()[0] for line in run("users", "list")[1].splitlines()] == ["name", "root"]


def test_passwd_changes_the_password(run: Run, path: Path) -> None:
    run("users", "add", "alice", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    code, out, _ = run("users", "passwd", "alice", "--password-stdin", stdin="another password!")
    assert code == 0 and "alice" in out and "another" not in out
    with Accounts.open(path) as accounts:
        assert accounts.verify_password("alice", "another password!") is not None
        assert accounts.verify_password("alice", PASSWORD) is None


def test_passwords_are_never_taken_from_the_command_line(run: Run, path: Path) -> None:
    with pytest.raises(ValidationError, match="command line"):
        run("users", "add", "alice", "--role", "viewer", "--password", PASSWORD)
    with pytest.raises(ValidationError, match="password-stdin"):
        run("users", "add", "alice", "--role", "viewer")  # stdin is not a terminal
    with pytest.raises(ValidationError, match="at least 10"):
        run("users", "add", "alice", "--role", "viewer", "--password-stdin", stdin="short\n")
    with Accounts.open(path) as accounts:
        assert accounts.users() == []


def test_errors_are_graphsvc_errors_with_exit_codes(run: Run) -> None:
    with pytest.raises(NotFound) as missing:
        run("users", "passwd", "ghost", "--password-stdin", stdin=PASSWORD)
    assert missing.value.exit_code == 4
    for argv in (("users", "remove", "ghost"), ("users", "role", "ghost", "viewer"),
                 ("tokens", "revoke", "99")):  # fmt: skip
        with pytest.raises(NotFound):
            run(*argv)
    run("users", "add", "alice", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    with pytest.raises(ValidationError, match="already taken") as taken:
        run("users", "add", "alice", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    assert isinstance(taken.value, GraphsvcError) and taken.value.exit_code == 3
    with pytest.raises(SystemExit):  # argparse refuses a role that does not exist
        run("users", "add", "bob", "--role", "owner", "--password-stdin", stdin=PASSWORD)


def test_tokens_add_list_revoke(run: Run, path: Path) -> None:
    code, out, err = run("tokens", "add", "nightly-import", "--role", "admin")
    assert code == 0 and "not shown again" in err
    secret = out.split(": ", 1)[1].strip()
    assert out.startswith("token 1 (nightly-import, admin): gst_")
    code, out, _ = run("tokens", "add", "dashboard", "--role", "viewer", "--json")
    second = json.loads(out)
    assert second["id"] == 2 and second["secret"].startswith("gst_") and second["active"]
    listed = run("tokens", "list", "--json")[1]
    assert secret not in listed and second["secret"] not in listed
    assert [t["name"] for t in json.loads(listed)] == ["nightly-import", "dashboard"]
    assert run("tokens", "revoke", "1")[1] == "token 1 revoked\n"
    table = run("tokens", "list")[1].splitlines()
    assert table[0].split()[:3] == ["id", "name", "role"]
    assert "revoked" in table[1] and "active" in table[2] and secret not in "".join(table)
    with Accounts.open(path) as accounts:
        assert accounts.token_user(secret) is None
        assert accounts.token_user(second["secret"]) == User.of(
            "dashboard", "viewer", is_token=True
        )


def test_a_token_can_belong_to_a_user(run: Run) -> None:
    run("users", "add", "carol", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    run("users", "add", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    token = json.loads(run("tokens", "add", "carol-sync", "--role", "weaver", "--user", "carol",
                           "--json")[1])  # fmt: skip
    assert token["user"] == "carol"
    run("users", "remove", "carol")
    assert json.loads(run("tokens", "list", "--json")[1])[0]["active"] is False


def test_a_moderator_acts_for_the_communities_given(run: Run, path: Path) -> None:
    add = ("users", "add", "mo", "--role", "moderator", "--communities", "cop-b, cop-a")
    assert run(*add, "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    with Accounts.open(path) as accounts:
        user = accounts.get_user("mo")
        assert user is not None and user.communities == frozenset({"cop-a", "cop-b"})
        assert user.acts_for(["cop-a"]) and not user.acts_for(["cop-c"])
    assert "cop-a, cop-b" in run("users", "list")[1]
    assert run("users", "scope", "mo")[1] == "user mo acts for every community\n"
    with Accounts.open(path) as accounts:
        user = accounts.get_user("mo")
        assert user is not None and user.communities is None and user.acts_for(["cop-c"])
    assert run("users", "scope", "mo", "--communities", "cop-c")[1] == "user mo acts for cop-c\n"
