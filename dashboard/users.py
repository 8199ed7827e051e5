"""Dashboard users, roles, server-side sessions and login throttling, kept in the app-state SQLite file.

Passwords are stored only as werkzeug scrypt hashes; they are never logged or returned. Session
tokens are stored only as SHA-256 hashes: a reader of the file can neither sign nor replay a cookie.
The file is created readable by its owner only (0600).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from core.errors import WijkmonitorError
from core.sqlite import connect_wal

ROLES = ("raad", "programmateam", "beheer")
RIGHTS = {
    "raad": frozenset({"lezen"}),
    "programmateam": frozenset({"lezen", "notities"}),
    "beheer": frozenset({"lezen", "notities", "instellingen", "gebruikers"}),
}
MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5  # failed logins per user name and address ...
FAILURE_WINDOW_S = 15 * 60  # ... within this window, before login is refused for a while
SESSION_IDLE_S = 60 * 60  # a session unused this long is gone ...
SESSION_MAX_S = 12 * 60 * 60  # ... and every session ends this long after login
ANONYMOUS_IDLE_S = 10 * 60  # a session before login (the login form's CSRF token) lives shorter
_TOUCH_EVERY_S = 60  # refresh last_seen at most once a minute (no write per request)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username       TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL,
    changed_at     REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    attempt_key  TEXT NOT NULL,
    failed_at    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash  TEXT PRIMARY KEY,
    username    TEXT,
    data        TEXT NOT NULL,
    created_at  REAL NOT NULL,
    last_seen   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username);
-- Earlier versions kept a cookie-signing key here; sessions are server-side now, so it goes.
DROP TABLE IF EXISTS app_secrets;
"""


class UserStore:
    """Users and login throttling in the app-state SQLite (WAL: several workers at once)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        make_private(self.path)
        with closing(self._connect()) as con, con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return connect_wal(self.path)

    def _write(self, sql: str, params: tuple) -> int:
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            changed = con.execute(sql, params).rowcount
            con.execute("COMMIT")
            return changed

    def add(self, username: str, password: str, role: str) -> None:
        """Create a user; refuses an existing name, an unknown role or a short password."""
        _check_username(username)
        _check_role(role)
        _check_password(password)
        try:
            self._write(
                "INSERT INTO users VALUES (?, ?, ?, ?)",
                (username, generate_password_hash(password), role, time.time()),
            )
        except sqlite3.IntegrityError:
            raise WijkmonitorError(f"gebruiker '{username}' bestaat al") from None

    def remove(self, username: str) -> None:
        """Delete a user."""
        if not self._write("DELETE FROM users WHERE username = ?", (username,)):
            raise WijkmonitorError(f"gebruiker '{username}' bestaat niet")
        self.revoke_sessions(username)

    def set_password(self, username: str, password: str) -> None:
        """Replace a user's password."""
        _check_password(password)
        changed = self._write(
            "UPDATE users SET password_hash = ?, changed_at = ? WHERE username = ?",
            (generate_password_hash(password), time.time(), username),
        )
        if not changed:
            raise WijkmonitorError(f"gebruiker '{username}' bestaat niet")
        self.revoke_sessions(username)  # a new password ends every session of the old one

    def list(self) -> list[tuple[str, str]]:
        """(username, role) of every user, by name."""
        with closing(self._connect()) as con:
            return con.execute("SELECT username, role FROM users ORDER BY username").fetchall()

    def role_of(self, username: str) -> str | None:
        """The user's role, or None for an unknown user."""
        with closing(self._connect()) as con:
            row = con.execute("SELECT role FROM users WHERE username = ?", (username,)).fetchone()
        return row[0] if row else None

    def verify(self, username: str, password: str) -> str | None:
        """The user's role when the password is right, else None (same cost either way)."""
        with closing(self._connect()) as con:
            row = con.execute(
                "SELECT password_hash, role FROM users WHERE username = ?", (username,)
            ).fetchone()
        # Hash even for unknown users so response time does not reveal which names exist.
        stored = row[0] if row else _DUMMY_HASH
        ok = check_password_hash(stored, password)
        return row[1] if row and ok else None

    def is_throttled(self, attempt_key: str) -> bool:
        """True when this key had MAX_FAILURES failed logins within the window."""
        since = time.time() - FAILURE_WINDOW_S
        with closing(self._connect()) as con:
            (count,) = con.execute(
                "SELECT count(*) FROM login_failures WHERE attempt_key = ? AND failed_at > ?",
                (attempt_key, since),
            ).fetchone()
        return count >= MAX_FAILURES

    def record_failure(self, attempt_key: str) -> None:
        """Remember one failed login (old ones are pruned)."""
        now = time.time()
        self._write("DELETE FROM login_failures WHERE failed_at < ?", (now - FAILURE_WINDOW_S,))
        self._write("INSERT INTO login_failures VALUES (?, ?)", (attempt_key, now))

    def clear_failures(self, attempt_key: str) -> None:
        """Forget failed logins after a successful one."""
        self._write("DELETE FROM login_failures WHERE attempt_key = ?", (attempt_key,))

    def has_users(self) -> bool:
        """True when at least one user is configured."""
        with closing(self._connect()) as con:
            return con.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def create_session(self, data: dict, username: str | None) -> str:
        """Store a new session; returns its random token (only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            con.execute("DELETE FROM sessions WHERE last_seen < ? OR created_at < ? "
                        "OR (username IS NULL AND last_seen < ?)",
                        (now - SESSION_IDLE_S, now - SESSION_MAX_S, now - ANONYMOUS_IDLE_S))
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                        (_token_hash(token), username, json.dumps(data), now, now))
            con.execute("COMMIT")
        return token

    def load_session(self, token: str) -> dict | None:
        """The data of a live session, or None when the token is unknown, revoked or expired."""
        now = time.time()
        with closing(self._connect()) as con:
            row = con.execute("SELECT data, username, created_at, last_seen FROM sessions WHERE token_hash = ?",
                              (_token_hash(token),)).fetchone()
        if row is None:
            return None
        data, username, created_at, last_seen = row
        idle_limit = SESSION_IDLE_S if username else ANONYMOUS_IDLE_S
        if now - last_seen > idle_limit or now - created_at > SESSION_MAX_S:
            self.delete_session(token)
            return None
        if now - last_seen > _TOUCH_EVERY_S:
            self._write("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, _token_hash(token)))
        return json.loads(data)

    def save_session(self, token: str, data: dict, username: str | None) -> None:
        """Replace the data of an existing session."""
        self._write("UPDATE sessions SET data = ?, username = ?, last_seen = ? WHERE token_hash = ?",
                    (json.dumps(data), username, time.time(), _token_hash(token)))

    def delete_session(self, token: str) -> None:
        """Revoke one session (logout): its cookie stops working at once."""
        self._write("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))

    def revoke_sessions(self, username: str) -> None:
        """Revoke every session of a user (removed, or a new password)."""
        self._write("DELETE FROM sessions WHERE username = ?", (username,))


def make_private(path: Path) -> None:
    """Create path readable and writable by its owner only (0600), or make an existing file so.

    SQLite creates its -wal and -shm files with the database file's mode, so they follow.
    """
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            try:
                os.chmod(file, 0o600)
            except PermissionError:  # another account's file: its owner decides
                pass


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def _check_username(username: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", username):
        raise WijkmonitorError(
            "gebruikersnaam: 1 tot 64 tekens, letters, cijfers, punt, streepje of liggend streepje"
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise WijkmonitorError(f"onbekende rol '{role}'; kies uit {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WijkmonitorError(f"wachtwoord te kort: minstens {MIN_PASSWORD_LENGTH} tekens")
