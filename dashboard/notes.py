"""PDCA notes in a small SQLite store (WAL) outside the published store, so they survive every ETL run.

Every write is one short IMMEDIATE transaction on its own connection, so several web workers
(threads or processes) can write at once; SQLite serialises them and busy_timeout makes a writer
wait instead of failing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from wijkmonitor.errors import WijkmonitorError

FASES = ("Plan", "Do", "Check", "Act")
MAX_TEXT = 4000
MAX_OWNER = 200  # the form's limit for eigenaar
BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS notities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    peildatum     TEXT NOT NULL,            -- the session's reference date (ISO)
    indicator     TEXT NOT NULL,
    gebiedcode    TEXT NOT NULL,
    fase          TEXT NOT NULL CHECK (fase IN ('Plan', 'Do', 'Check', 'Act')),
    notitie       TEXT NOT NULL,
    besluit       TEXT NOT NULL DEFAULT '',
    eigenaar      TEXT NOT NULL DEFAULT '',
    deadline      TEXT,                     -- ISO date or NULL
    aangemaakt_op TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notities_peildatum ON notities (peildatum);
"""


class NoteRejected(WijkmonitorError):
    """A note that cannot be stored as entered (shown to the user, in Dutch)."""


@dataclass(frozen=True)
class Note:
    """One PDCA note about an indicator in an area, for the session of one peildatum."""

    peildatum: date
    indicator: str
    gebiedcode: str
    fase: str
    notitie: str
    besluit: str = ""
    eigenaar: str = ""
    deadline: date | None = None
    id: int | None = None
    aangemaakt_op: datetime | None = None


@dataclass(frozen=True)
class Session:
    """A summary of the notes of one earlier session."""

    peildatum: date
    notities: int
    laatst_gewijzigd: datetime


def default_state_path(db: Path) -> Path:
    """The app-state file next to the published store: <db dir>/<db stem>_state.sqlite."""
    return db.with_name(f"{db.stem}_state.sqlite")


def _connect(state: Path) -> sqlite3.Connection:
    """A connection in WAL mode with the schema in place; autocommit so we control transactions."""
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(state, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA journal_mode = WAL")
        con.executescript(SCHEMA)
    except sqlite3.Error as error:
        raise WijkmonitorError(f"notities: kan {state} niet openen: {error}") from error
    return con


def _validated(note: Note) -> Note:
    """The note with trimmed text, or NoteRejected with a Dutch reason."""
    if note.fase not in FASES:
        raise NoteRejected(f"fase moet Plan, Do, Check of Act zijn, niet {note.fase!r}")
    notitie = note.notitie.strip()
    if not notitie:
        raise NoteRejected("de notitie is leeg")
    for label, text, limit in (("notitie", notitie, MAX_TEXT), ("besluit", note.besluit, MAX_TEXT),
                               ("eigenaar", note.eigenaar, MAX_OWNER)):
        if len(text) > limit:
            raise NoteRejected(f"{label} is langer dan {limit} tekens")
    if not note.indicator or not note.gebiedcode:
        raise NoteRejected("kies een indicator en een gebied")
    return Note(note.peildatum, note.indicator, note.gebiedcode, note.fase, notitie,
                note.besluit.strip(), note.eigenaar.strip(), note.deadline)


def add_note(state: Path, note: Note) -> int:
    """Store a note in one transaction and return its id."""
    note = _validated(note)
    con = _connect(state)
    try:
        con.execute("BEGIN IMMEDIATE")
        cursor = con.execute(
            "INSERT INTO notities (peildatum, indicator, gebiedcode, fase, notitie, besluit, eigenaar,"
            " deadline, aangemaakt_op) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (note.peildatum.isoformat(), note.indicator, note.gebiedcode, note.fase, note.notitie,
             note.besluit, note.eigenaar, note.deadline.isoformat() if note.deadline else None,
             datetime.now().isoformat(timespec="seconds")),
        )
        con.execute("COMMIT")
        return int(cursor.lastrowid)
    except sqlite3.Error as error:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise WijkmonitorError(f"notities: opslaan in {state} mislukt: {error}") from error
    finally:
        con.close()


def _note(row: tuple) -> Note:
    """A Note from a notities row."""
    id_, peildatum, indicator, gebiedcode, fase, notitie, besluit, eigenaar, deadline, aangemaakt = row
    return Note(date.fromisoformat(peildatum), indicator, gebiedcode, fase, notitie, besluit, eigenaar,
                date.fromisoformat(deadline) if deadline else None, id_, datetime.fromisoformat(aangemaakt))


def notes_for(state: Path, peildatum: date) -> list[Note]:
    """All notes of the session for peildatum, oldest first."""
    con = _connect(state)
    try:
        rows = con.execute(
            "SELECT id, peildatum, indicator, gebiedcode, fase, notitie, besluit, eigenaar, deadline,"
            " aangemaakt_op FROM notities WHERE peildatum = ? ORDER BY id",
            (peildatum.isoformat(),),
        ).fetchall()
    finally:
        con.close()
    return [_note(row) for row in rows]


def sessions(state: Path) -> list[Session]:
    """Every session that has notes, newest peildatum first."""
    con = _connect(state)
    try:
        rows = con.execute(
            "SELECT peildatum, count(*), max(aangemaakt_op) FROM notities GROUP BY peildatum ORDER BY peildatum DESC"
        ).fetchall()
    finally:
        con.close()
    return [Session(date.fromisoformat(p), n, datetime.fromisoformat(last)) for p, n, last in rows]
