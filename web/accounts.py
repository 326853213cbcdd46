"""Users and API tokens of the web UI, in their own SQLite file (never in the graph store).

Passwords are hashed with Werkzeug's ``generate_password_hash`` (scrypt, salted, slow on
purpose: passwords are low-entropy). API tokens are 256-bit random secrets shown once; they
are stored as their SHA-256 only — a fast hash is right for a high-entropy secret, since
nobody can guess one to test against the hash, and it lets a request find its token with
one indexed lookup. The file also keeps the generated session secret key.

One connection guarded by a lock serves every thread; the file is in WAL mode and written in
``BEGIN IMMEDIATE`` transactions, so the CLI can add a user while the server runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from werkzeug.security import check_password_hash, generate_password_hash

from graphsvc.config import Settings
from graphsvc.errors import ConfigError, NotFound, StoreError, StoreUnavailable, ValidationError
from graphsvc.stores.sqlite_db import path_from_uri
from web.principals import ApiToken, User, scope_of, scope_text
from web.roles import check_role

DEFAULT_ACCOUNTS_FILE = Path("graphsvc-accounts.db")
TOKEN_PREFIX = "gst_"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # scrypt over megabytes of "password" is a cheap denial of service
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
#: a token's last_used is rewritten at most this often (a write per API call is wasteful)
LAST_USED_RESOLUTION = timedelta(minutes=1)

#: schema migrations; ``PRAGMA user_version`` counts the ones applied
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE users (name TEXT PRIMARY KEY COLLATE NOCASE, password_hash TEXT NOT NULL,"
        " role TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE TABLE tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
        " role TEXT NOT NULL, user_name TEXT COLLATE NOCASE, secret_sha256 TEXT NOT NULL UNIQUE,"
        " display_prefix TEXT NOT NULL, created_at TEXT NOT NULL, last_used TEXT,"
        " revoked_at TEXT)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    # the communities a user (a moderator) acts for: NULL = every community
    ("ALTER TABLE users ADD COLUMN communities TEXT",),
)


def accounts_path(settings: Settings) -> Path:
    """Where the accounts live: ``web_accounts``, else beside a SQLite store, else ./…"""
    if settings.web_accounts:
        return Path(settings.web_accounts)
    if urlsplit(settings.store).scheme.lower() == "sqlite":
        try:
            store_file = path_from_uri(settings.store)
        except ConfigError:  # e.g. in-memory: nothing to sit beside
            return DEFAULT_ACCOUNTS_FILE
        return store_file.with_name(f"{store_file.stem}.accounts.db")
    return DEFAULT_ACCOUNTS_FILE


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _now() -> str:
    return _iso(datetime.now(UTC))


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str, field_name: str = "name") -> str:
    if not _NAME.fullmatch(name):
        raise ValidationError(field_name, "1–64 characters of letters, digits and _ . @ -")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError("password", f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValidationError("password", f"at most {MAX_PASSWORD} characters")
    return password


class Accounts:
    """The accounts file (see the module docstring); open with :meth:`open`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None

    # -- opening and transactions ---------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Accounts:
        """Open the file (created owner-only with the schema when missing, else migrated)."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():  # owner-only: it holds hashes and the session key
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"accounts {path}: cannot open: {exc}") from exc
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            _migrate(conn, path)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreUnavailable(f"accounts {path}: cannot prepare: {exc}") from exc
        return cls(path, conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- users ----------------------------------------------------------------------------

    def add_user(self, name: str, password: str, role: str) -> User:
        """A new user; a :class:`ValidationError` for a bad or taken name, password or role."""
        check_name(name)
        check_role(role)
        hashed = generate_password_hash(check_password(password))
        now = _now()
        try:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO users (name, password_hash, role, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (name, hashed, role, now, now),
                )
        except sqlite3.IntegrityError:
            raise ValidationError("name", "already taken", entity="user", record_id=name) from None
        return User.of(name, role)

    def set_password(self, name: str, password: str) -> None:
        """Replace ``name``'s password (this also ends their sessions: see :meth:`session_user`)."""
        hashed = generate_password_hash(check_password(password))
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?",
                (hashed, _now(), name),
            ).rowcount
        if not changed:
            raise NotFound("user", name)

    def set_role(self, name: str, role: str) -> None:
        """Give ``name`` another role (the last admin cannot be demoted)."""
        check_role(role)
        with self._write() as conn:
            self._check_change(conn, name, role)
            conn.execute(
                "UPDATE users SET role = ?, updated_at = ? WHERE name = ?", (role, _now(), name)
            )

    def remove_user(self, name: str) -> None:
        """Delete ``name`` and revoke the API tokens they own (never the last admin)."""
        with self._write() as conn:
            self._check_change(conn, name, None)
            conn.execute("DELETE FROM users WHERE name = ?", (name,))
            conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL",
                (_now(), name),
            )

    @staticmethod
    def _check_change(conn: sqlite3.Connection, name: str, new_role: str | None) -> None:
        """NotFound for an unknown user; a ValidationError when giving ``name`` the role
        ``new_role`` (None: removing them) would leave no admin."""
        row = conn.execute(
            "SELECT role, (SELECT count(*) FROM users WHERE role = 'admin') FROM users"
            " WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            raise NotFound("user", name)
        role, admins = row
        if role == "admin" and new_role != "admin" and admins == 1:
            raise ValidationError("role", "the last admin must stay admin", record_id=name)

    def _user_row(self, name: str) -> tuple[str, str, str, str | None] | None:
        """``(name as stored, role, password hash, communities)`` of ``name`` (any case)."""
        rows = self._read(
            "SELECT name, role, password_hash, communities FROM users WHERE name = ?", (name,)
        )
        return (str(rows[0][0]), str(rows[0][1]), str(rows[0][2]), rows[0][3]) if rows else None

    def get_user(self, name: str) -> User | None:
        row = self._user_row(name)
        return _user_of(row) if row else None

    def users(self) -> list[User]:
        rows = self._read("SELECT name, role, communities FROM users ORDER BY name")
        return [User.of(name, role, communities=scope_of(text)) for name, role, text in rows]

    def set_communities(self, name: str, community_ids: Iterable[str] | None) -> None:
        """The communities ``name`` acts for (None: every community)."""
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE users SET communities = ?, updated_at = ? WHERE name = ?",
                (scope_text(community_ids), _now(), name),
            ).rowcount
        if not changed:
            raise NotFound("user", name)

    def verify_password(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None (the time taken does not tell
        whether the user exists: an unknown name is checked against a dummy hash)."""
        row = self._user_row(name)
        if row is None or len(password) > MAX_PASSWORD:
            check_password_hash(self._dummy(), password[:MAX_PASSWORD])
            return None
        return _user_of(row) if check_password_hash(row[2], password) else None

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = generate_password_hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def session_stamp(self, name: str) -> str | None:
        """A short digest of ``name``'s password hash: kept in the session, so that a
        password change ends every session opened with the old password."""
        row = self._user_row(name)
        return _sha256(row[2])[:16] if row else None

    def session_user(self, name: str, stamp: str) -> User | None:
        """The user a session names, if they still exist and the password is unchanged."""
        row = self._user_row(name)
        if row is None or not secrets.compare_digest(_sha256(row[2])[:16], stamp):
            return None
        return _user_of(row)

    def ensure_demo_admin(self) -> tuple[str, str] | None:
        """When no user exists, create ``admin`` with a random password and return
        ``(name, password)`` (the demo prints it once); else None."""
        password = secrets.token_urlsafe(12)
        hashed = generate_password_hash(password)
        now = _now()
        with self._write() as conn:
            created = conn.execute(
                "INSERT INTO users (name, password_hash, role, created_at, updated_at)"
                " SELECT 'admin', ?, 'admin', ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)",
                (hashed, now, now),
            ).rowcount
        return ("admin", password) if created else None

    # -- API tokens -----------------------------------------------------------------------

    def add_token(self, name: str, role: str, *, user: str | None = None) -> tuple[ApiToken, str]:
        """A new token and its secret (``gst_…``): the only time the secret is available."""
        check_name(name)
        check_role(role)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        prefix, now = secret[: len(TOKEN_PREFIX) + 6], _now()
        with self._write() as conn:
            owner = conn.execute("SELECT name FROM users WHERE name = ?", (user,)).fetchone()
            if user is not None and owner is None:
                raise NotFound("user", user)
            user = owner[0] if owner else None  # as stored
            cursor = conn.execute(
                "INSERT INTO tokens (name, role, user_name, secret_sha256, display_prefix,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (name, role, user, _sha256(secret), prefix, now),
            )
        token_id = int(cursor.lastrowid or 0)
        return ApiToken(token_id, name, role, user, prefix, now, None, None), secret

    def tokens(self) -> list[ApiToken]:
        rows = self._read(
            "SELECT id, name, role, user_name, display_prefix, created_at, last_used, revoked_at"
            " FROM tokens ORDER BY id"
        )
        return [ApiToken(*row) for row in rows]

    def revoke_token(self, token_id: int) -> None:
        """Refuse the token from now on (revoking twice keeps the first time)."""
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM tokens WHERE id = ?", (token_id,)).fetchone() is None:
                raise NotFound("token", str(token_id))
            conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (_now(), token_id),
            )

    def token_user(self, secret: str) -> User | None:
        """The principal of an active token's secret (recording when it was last used)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
            return None
        rows = self._read(
            "SELECT t.id, t.name, t.role, t.last_used, u.communities FROM tokens AS t"
            " LEFT JOIN users AS u ON u.name = t.user_name"
            " WHERE t.secret_sha256 = ? AND t.revoked_at IS NULL",
            (_sha256(secret),),
        )
        if not rows:
            return None
        token_id, name, role, last_used, scope = rows[0]
        now = datetime.now(UTC)
        if last_used is None or last_used < _iso(now - LAST_USED_RESOLUTION):
            with self._write() as conn:
                conn.execute("UPDATE tokens SET last_used = ? WHERE id = ?", (_iso(now), token_id))
        # a user's token acts for the user's communities
        return User.of(name, role, is_token=True, communities=scope_of(scope))

    # -- the session key ------------------------------------------------------------------

    def secret_key(self, settings: Settings) -> str:
        """``settings.secret_key``, else a key generated once and kept in this file (so
        sessions survive restarts and every worker of one server signs alike)."""
        if settings.secret_key:
            return settings.secret_key
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret_key', ?)",
                (secrets.token_hex(32),),
            )
            (key,) = conn.execute("SELECT value FROM meta WHERE key = 'secret_key'").fetchone()
        return str(key)


def _user_of(row: tuple[str, str, str, str | None]) -> User:
    return User.of(row[0], row[1], communities=scope_of(row[3]))


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the migrations not yet applied, each with its ``user_version`` bump."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > len(MIGRATIONS):
            raise StoreError(
                f"accounts {path}: schema version {version} is newer than this graphsvc "
                f"understands ({len(MIGRATIONS)})"
            )
        for number in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1:d}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
