"""``graphsvc users …`` and ``graphsvc tokens …``: the web UI's accounts from the command line.

:func:`register` adds both commands (``web/cli.py`` calls it). The accounts file is the one
:func:`web.accounts.accounts_path` names. Passwords are read from a terminal prompt (twice)
or one line of stdin with ``--password-stdin``, never from the command line, where shell
history and ``ps`` would keep them. A token's secret is printed once, at creation.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TypeAlias

from graphsvc.cli import CommandContext
from graphsvc.errors import NotFound, ValidationError
from web.accounts import Accounts, accounts_path
from web.principals import ApiToken
from web.roles import ROLES, ordered

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
AccountsHandler = Callable[[argparse.Namespace, CommandContext, Accounts], int]


def register(subparsers: Subparsers) -> None:
    """Add ``users`` and ``tokens`` to the ``graphsvc`` command."""
    _register_users(subparsers)
    _register_tokens(subparsers)


def _register_users(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("users", help="web UI users: add, list, remove, passwd, role")
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a user (password prompted, or --password-stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    _scope_option(add)
    _password_options(add)
    add.set_defaults(handler=_with_accounts(run_users_add))
    listing = actions.add_parser("list", help="list the users and their roles")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(handler=_with_accounts(run_users_list))
    remove = actions.add_parser("remove", help="remove a user (and revoke their tokens)")
    remove.add_argument("name")
    remove.set_defaults(handler=_with_accounts(run_users_remove))
    passwd = actions.add_parser("passwd", help="set a user's password (ends their sessions)")
    passwd.add_argument("name")
    _password_options(passwd)
    passwd.set_defaults(handler=_with_accounts(run_users_passwd))
    role = actions.add_parser("role", help="give a user another role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(handler=_with_accounts(run_users_role))
    scope = actions.add_parser("scope", help="the communities a moderator acts for")
    scope.add_argument("name")
    _scope_option(scope)
    scope.set_defaults(handler=_with_accounts(run_users_scope))


def _scope_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--communities",
        metavar="IDS",
        help="comma-separated community ids the user acts for (moderators see only their"
        " members' suggestions); omitted or empty: every community",
    )


def _register_tokens(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("tokens", help="API tokens: add, list, revoke")
    actions = parser.add_subparsers(dest="tokens_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a token and print its secret (once)")
    add.add_argument("name", help="what the token is for, e.g. nightly-import")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--user", help="the user who owns it (removing them revokes it)")
    add.add_argument("--json", action="store_true", help="print as JSON")
    add.set_defaults(handler=_with_accounts(run_tokens_add))
    listing = actions.add_parser("list", help="list the tokens (never their secrets)")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(handler=_with_accounts(run_tokens_list))
    revoke = actions.add_parser("revoke", help="refuse a token from now on")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=_with_accounts(run_tokens_revoke))


def _password_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from one line of stdin"
    )
    parser.add_argument("--password", help=argparse.SUPPRESS)  # only to refuse it clearly


def _with_accounts(run: AccountsHandler) -> Callable[[argparse.Namespace, CommandContext], int]:
    """A command handler that opens the accounts file around ``run``."""

    def handler(args: argparse.Namespace, ctx: CommandContext) -> int:
        with Accounts.open(accounts_path(ctx.settings)) as accounts:
            return run(args, ctx, accounts)

    handler.__doc__ = run.__doc__
    return handler


def read_password(args: argparse.Namespace, ctx: CommandContext) -> str:
    """The new password: one stdin line (``--password-stdin``) or typed twice on a terminal."""
    if getattr(args, "password", None) is not None:
        raise ValidationError(
            "--password", "refusing a password on the command line; use --password-stdin"
        )
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValidationError("password", "stdin is not a terminal: use --password-stdin")
    first = getpass.getpass("Password: ", stream=ctx.stderr)
    if getpass.getpass("Repeat it: ", stream=ctx.stderr) != first:
        raise ValidationError("password", "the two entries differ")
    return first


def run_users_add(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc users add NAME --role ROLE``."""
    user = accounts.add_user(args.name, read_password(args, ctx), args.role)
    if args.communities:
        accounts.set_communities(user.name, args.communities.split(","))
    ctx.echo(f"user {user.name} added ({user.role})")
    return 0


def run_users_scope(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc users scope NAME [--communities IDS]``."""
    ids = args.communities.split(",") if args.communities else None
    accounts.set_communities(args.name, ids)
    user = accounts.get_user(args.name)
    scope = (
        "every community"
        if user is None or user.communities is None
        else ", ".join(sorted(user.communities))
    )
    ctx.echo(f"user {args.name} acts for {scope}")
    return 0


def run_users_list(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc users list``."""
    users = accounts.users()
    if args.json:
        ctx.echo_json([user.to_dict() for user in users])
    else:
        rows = [
            (u.name, u.role, ", ".join(sorted(u.communities or ())) or "all",
             ", ".join(ordered(u.permissions)))
            for u in users
        ]  # fmt: skip
        ctx.table(("name", "role", "communities", "permissions"), rows)
    return 0


def run_users_remove(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc users remove NAME``."""
    accounts.remove_user(args.name)
    ctx.echo(f"user {args.name} removed")
    return 0


def run_users_passwd(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc users passwd NAME``."""
    if accounts.get_user(args.name) is None:  # say so before asking for a password
        raise NotFound("user", args.name)
    accounts.set_password(args.name, read_password(args, ctx))
    ctx.echo(f"password of {args.name} changed; their sessions have ended")
    return 0


def run_users_role(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc users role NAME ROLE``."""
    accounts.set_role(args.name, args.role)
    ctx.echo(f"user {args.name} is now {args.role}")
    return 0


def run_tokens_add(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc tokens add NAME --role ROLE``: the secret goes to stdout, once."""
    token, secret = accounts.add_token(args.name, args.role, user=args.user)
    if args.json:
        ctx.echo_json({**_token_dict(token), "secret": secret})
    else:
        ctx.note("store this secret now: it is not shown again")
        ctx.echo(f"token {token.id} ({token.name}, {token.role}): {secret}")
    return 0


def run_tokens_list(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc tokens list``."""
    tokens = accounts.tokens()
    if args.json:
        ctx.echo_json([_token_dict(token) for token in tokens])
        return 0
    header = ("id", "name", "role", "user", "prefix", "created", "last used", "status")
    rows = [
        (
            str(t.id),
            t.name,
            t.role,
            t.user or "",
            t.prefix + "…",
            t.created_at,
            t.last_used or "never",
            "active" if t.active else f"revoked {t.revoked_at}",
        )
        for t in tokens
    ]
    ctx.table(header, rows)
    return 0


def run_tokens_revoke(args: argparse.Namespace, ctx: CommandContext, accounts: Accounts) -> int:
    """``graphsvc tokens revoke ID``."""
    accounts.revoke_token(args.id)
    ctx.echo(f"token {args.id} revoked")
    return 0


def _token_dict(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role,
        "user": token.user,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used": token.last_used,
        "revoked_at": token.revoked_at,
        "active": token.active,
    }
