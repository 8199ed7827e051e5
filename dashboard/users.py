"""Dashboard users, roles and login throttling, kept in the app-state SQLite file.

Passwords are stored only as werkzeug scrypt hashes; they are never logged or returned.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from wijkmonitor.errors import WijkmonitorError

ROLES = ("raad", "programmateam", "beheer")
RIGHTS = {
    "raad": frozenset({"lezen"}),
    "programmateam": frozenset({"lezen", "notities"}),
    "beheer": frozenset({"lezen", "notities", "instellingen", "gebruikers"}),
}
MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5  # failed logins per user name and address ...
FAILURE_WINDOW_S = 15 * 60  # ... within this window, before login is refused for a while

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
CREATE TABLE IF NOT EXISTS app_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
"""


class UserStore:
    """Users and login throttling in the app-state SQLite (WAL: several workers at once)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con, con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=30000")
        return con

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

    def set_password(self, username: str, password: str) -> None:
        """Replace a user's password."""
        _check_password(password)
        changed = self._write(
            "UPDATE users SET password_hash = ?, changed_at = ? WHERE username = ?",
            (generate_password_hash(password), time.time(), username),
        )
        if not changed:
            raise WijkmonitorError(f"gebruiker '{username}' bestaat niet")

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

    def secret_key(self) -> str:
        """The session-signing key, created once and shared by every worker process."""
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            con.execute(
                "INSERT OR IGNORE INTO app_secrets VALUES ('session_key', ?)",
                (secrets.token_urlsafe(48),),
            )
            (value,) = con.execute(
                "SELECT value FROM app_secrets WHERE name = 'session_key'"
            ).fetchone()
            con.execute("COMMIT")
        return value


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
