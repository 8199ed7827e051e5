"""PDCA actions in a small SQLite store (WAL) outside the published store, so they survive every ETL run.

An action belongs to the session (peildatum) in which it was made, for one indicator in one area, and
usually starts from a signal. Nothing is ever overwritten: `acties` holds what an action is about and who
made it, `actie_versies` one row per change (status, owner, due date, description, decision, who and when).
Both tables refuse UPDATE and DELETE (triggers), so the history is complete; an action's current state is its
highest version (view `actie_stand`).

Every write is one short IMMEDIATE transaction on its own connection, so several web workers (threads or
processes) can write at once; SQLite serialises them and busy_timeout makes a writer wait instead of
failing. A change names the version it was made on; if someone else changed the action in between, the
change is refused instead of silently replacing theirs.

An older state file with the `notities` table (the PDCA notes before actions existed) is migrated on open:
every note becomes an action with its text, decision, owner and due date; the old table is kept renamed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from core.errors import WijkmonitorError
from core.sqlite import connect_wal

STATUSSEN = ("open", "lopend", "afgerond", "vervallen")
OPEN_STATUSSEN = ("open", "lopend")
MAX_TEXT = 4000
MAX_OWNER = 200  # the form's limit for eigenaar
BEHEER = "beheer"  # the role that may change every action
MIGRATED_AUTHOR = "onbekend (notitie van vóór de actielijst)"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS acties (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    sessie        TEXT NOT NULL,            -- peildatum (ISO) of the session the action was made in
    indicator     TEXT NOT NULL,
    gebiedcode    TEXT NOT NULL,
    signaal       TEXT NOT NULL DEFAULT '', -- the signal the action started from, as shown then
    auteur        TEXT NOT NULL,
    aangemaakt_op TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS acties_sessie ON acties (sessie);
CREATE TABLE IF NOT EXISTS actie_versies (
    actie_id      INTEGER NOT NULL REFERENCES acties (id),
    versie        INTEGER NOT NULL,
    sessie        TEXT NOT NULL,            -- the session the change was made in
    status        TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSSEN)})),
    omschrijving  TEXT NOT NULL,
    besluit       TEXT NOT NULL DEFAULT '',
    eigenaar      TEXT NOT NULL DEFAULT '',
    deadline      TEXT,                     -- ISO date or NULL
    gewijzigd_door TEXT NOT NULL,
    gewijzigd_op  TEXT NOT NULL,
    PRIMARY KEY (actie_id, versie)
);
CREATE VIEW IF NOT EXISTS actie_stand AS
    SELECT a.id, a.sessie, a.indicator, a.gebiedcode, a.signaal, a.auteur, a.aangemaakt_op,
           v.versie, v.status, v.omschrijving, v.besluit, v.eigenaar, v.deadline, v.gewijzigd_door, v.gewijzigd_op
    FROM acties a JOIN actie_versies v ON v.actie_id = a.id
    WHERE v.versie = (SELECT max(versie) FROM actie_versies w WHERE w.actie_id = a.id);
CREATE TRIGGER IF NOT EXISTS acties_vast_bij_wijzigen BEFORE UPDATE ON acties
    BEGIN SELECT RAISE(ABORT, 'acties worden niet overschreven'); END;
CREATE TRIGGER IF NOT EXISTS acties_vast_bij_wissen BEFORE DELETE ON acties
    BEGIN SELECT RAISE(ABORT, 'acties worden niet gewist'); END;
CREATE TRIGGER IF NOT EXISTS versies_vast_bij_wijzigen BEFORE UPDATE ON actie_versies
    BEGIN SELECT RAISE(ABORT, 'de geschiedenis wordt niet overschreven'); END;
CREATE TRIGGER IF NOT EXISTS versies_vast_bij_wissen BEFORE DELETE ON actie_versies
    BEGIN SELECT RAISE(ABORT, 'de geschiedenis wordt niet gewist'); END;
"""
_STAND_COLUMNS = ("id, sessie, indicator, gebiedcode, signaal, auteur, aangemaakt_op, versie, status, omschrijving,"
                  " besluit, eigenaar, deadline, gewijzigd_door, gewijzigd_op")


class ActionRejected(WijkmonitorError):
    """An action or change that cannot be stored as entered (shown to the user, in Dutch)."""


@dataclass(frozen=True)
class Invoer:
    """What the form enters for an action: new or changed."""

    omschrijving: str
    status: str = "open"
    eigenaar: str = ""
    deadline: date | None = None
    besluit: str = ""


@dataclass(frozen=True)
class Actie:
    """An action in its current state (its highest version)."""

    id: int
    sessie: date
    indicator: str
    gebiedcode: str
    signaal: str
    auteur: str
    aangemaakt_op: datetime
    versie: int
    status: str
    omschrijving: str
    besluit: str
    eigenaar: str
    deadline: date | None
    gewijzigd_door: str
    gewijzigd_op: datetime

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSSEN

    def te_laat(self, vandaag: date) -> bool:
        """Still open or lopend after its due date."""
        return self.is_open and self.deadline is not None and self.deadline < vandaag


@dataclass(frozen=True)
class Wijziging:
    """One version of an action: what it was set to, by whom, when, in which session."""

    versie: int
    sessie: date
    status: str
    omschrijving: str
    besluit: str
    eigenaar: str
    deadline: date | None
    door: str
    op: datetime


@dataclass(frozen=True)
class Session:
    """A summary of one session: the actions made in it and the last change made in it."""

    peildatum: date
    acties: int
    laatst_gewijzigd: datetime


def default_state_path(db: Path) -> Path:
    """The app-state file next to the published store: <db dir>/<db stem>_state.sqlite."""
    return db.with_name(f"{db.stem}_state.sqlite")


def may_edit(actie: Actie, user: str | None, role: str | None) -> bool:
    """The author may change an action, and so may the role beheer."""
    return role == BEHEER or (user is not None and user == actie.auteur)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _connect(state: Path) -> sqlite3.Connection:
    """A connection in WAL mode with the schema in place (and old notes migrated); autocommit mode."""
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        con = connect_wal(state)
        con.execute("PRAGMA foreign_keys = ON")
        con.executescript(SCHEMA)
        if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notities'").fetchone():
            _migrate_notes(con)
    except sqlite3.Error as error:
        raise WijkmonitorError(f"acties: kan {state} niet openen: {error}") from error
    return con


def _migrate_notes(con: sqlite3.Connection) -> None:
    """Turn every old PDCA note into an open action (fase kept in the text); keep the old table as notities_oud."""
    con.execute("BEGIN IMMEDIATE")
    try:
        # another process may have migrated while we waited for the lock
        if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notities'").fetchone():
            notes = con.execute("SELECT peildatum, indicator, gebiedcode, fase, notitie, besluit, eigenaar, deadline,"
                                " aangemaakt_op FROM notities ORDER BY id").fetchall()
            for peildatum, indicator, gebiedcode, fase, notitie, besluit, eigenaar, deadline, op in notes:
                actie_id = con.execute(
                    "INSERT INTO acties (sessie, indicator, gebiedcode, signaal, auteur, aangemaakt_op)"
                    " VALUES (?, ?, ?, '', ?, ?)", (peildatum, indicator, gebiedcode, MIGRATED_AUTHOR, op)).lastrowid
                con.execute(
                    "INSERT INTO actie_versies VALUES (?, 1, ?, 'open', ?, ?, ?, ?, ?, ?)",
                    (actie_id, peildatum, f"[{fase}] {notitie}", besluit, eigenaar, deadline, MIGRATED_AUTHOR, op))
            con.execute("ALTER TABLE notities RENAME TO notities_oud")
        con.execute("COMMIT")
    except sqlite3.Error:
        con.execute("ROLLBACK")
        raise


def _validated(invoer: Invoer) -> Invoer:
    """The entry with trimmed text, or ActionRejected with a Dutch reason."""
    if invoer.status not in STATUSSEN:
        raise ActionRejected(f"status moet open, lopend, afgerond of vervallen zijn, niet {invoer.status!r}")
    omschrijving = invoer.omschrijving.strip()
    if not omschrijving:
        raise ActionRejected("de omschrijving is leeg")
    for label, text, limit in (("omschrijving", omschrijving, MAX_TEXT), ("besluit", invoer.besluit, MAX_TEXT),
                               ("eigenaar", invoer.eigenaar, MAX_OWNER)):
        if len(text) > limit:
            raise ActionRejected(f"{label} is langer dan {limit} tekens")
    return Invoer(omschrijving, invoer.status, invoer.eigenaar.strip(), invoer.deadline, invoer.besluit.strip())


def _version_row(actie_id: int, versie: int, sessie: date, invoer: Invoer, door: str) -> tuple:
    return (actie_id, versie, sessie.isoformat(), invoer.status, invoer.omschrijving, invoer.besluit, invoer.eigenaar,
            invoer.deadline.isoformat() if invoer.deadline else None, door, _now())


def _write(state: Path, work) -> int:
    """Run work(con) in one IMMEDIATE transaction; roll back on any error."""
    con = _connect(state)
    try:
        con.execute("BEGIN IMMEDIATE")
        result = work(con)
        con.execute("COMMIT")
        return result
    except sqlite3.Error as error:
        raise WijkmonitorError(f"acties: opslaan in {state} mislukt: {error}") from error
    finally:
        if con.in_transaction:
            con.execute("ROLLBACK")
        con.close()


def add_action(state: Path, sessie: date, indicator: str, gebiedcode: str, invoer: Invoer, door: str,
               signaal: str = "") -> int:
    """Store a new action (version 1) in one transaction and return its id."""
    invoer = _validated(invoer)
    if not indicator or not gebiedcode:
        raise ActionRejected("kies een indicator en een gebied")
    if not door:
        raise ActionRejected("onbekende gebruiker")
    signaal = signaal.strip()[:MAX_TEXT]

    def work(con: sqlite3.Connection) -> int:
        actie_id = con.execute(
            "INSERT INTO acties (sessie, indicator, gebiedcode, signaal, auteur, aangemaakt_op) VALUES (?, ?, ?, ?, ?, ?)",
            (sessie.isoformat(), indicator, gebiedcode, signaal, door, _now())).lastrowid
        con.execute("INSERT INTO actie_versies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _version_row(actie_id, 1, sessie, invoer, door))
        return int(actie_id)

    return _write(state, work)


def update_action(state: Path, actie_id: int, invoer: Invoer, door: str, role: str | None, sessie: date,
                  versie: int) -> int:
    """Append a new version made on `versie` by `door` in session `sessie`; return the new version number.

    Refused when `door` may not edit the action, or when it changed since `versie` (someone else was first).
    """
    invoer = _validated(invoer)

    def work(con: sqlite3.Connection) -> int:
        row = con.execute(f"SELECT {_STAND_COLUMNS} FROM actie_stand WHERE id = ?", (actie_id,)).fetchone()
        if row is None:
            raise ActionRejected(f"actie {actie_id} bestaat niet")
        current = _actie(row)
        if not may_edit(current, door, role):
            raise ActionRejected(f"alleen {current.auteur} (de auteur) of beheer mag deze actie wijzigen")
        if current.versie != versie:
            raise ActionRejected(f"{current.gewijzigd_door} heeft deze actie intussen gewijzigd; "
                                 "bekijk de nieuwe stand en probeer het opnieuw")
        con.execute("INSERT INTO actie_versies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _version_row(actie_id, versie + 1, sessie, invoer, door))
        return versie + 1

    return _write(state, work)


def _actie(row: tuple) -> Actie:
    (id_, sessie, indicator, gebiedcode, signaal, auteur, aangemaakt, versie, status, omschrijving, besluit, eigenaar,
     deadline, door, op) = row
    return Actie(id_, date.fromisoformat(sessie), indicator, gebiedcode, signaal, auteur,
                 datetime.fromisoformat(aangemaakt), versie, status, omschrijving, besluit, eigenaar,
                 date.fromisoformat(deadline) if deadline else None, door, datetime.fromisoformat(op))


def _read(state: Path, sql: str, parameters: tuple = ()) -> list[tuple]:
    con = _connect(state)
    try:
        return con.execute(sql, parameters).fetchall()
    finally:
        con.close()


def action(state: Path, actie_id: int) -> Actie | None:
    """One action in its current state."""
    rows = _read(state, f"SELECT {_STAND_COLUMNS} FROM actie_stand WHERE id = ?", (actie_id,))
    return _actie(rows[0]) if rows else None


def actions_of(state: Path, sessie: date) -> list[Actie]:
    """The actions made in the session of `sessie`, oldest first."""
    rows = _read(state, f"SELECT {_STAND_COLUMNS} FROM actie_stand WHERE sessie = ? ORDER BY id", (sessie.isoformat(),))
    return [_actie(row) for row in rows]


def carried_over(state: Path, sessie: date) -> list[Actie]:
    """Actions of earlier sessions that come back in this session: those still open or lopend, and those
    changed in this session (so one closed during the session stays in its view and minutes).

    Earliest due date first (no due date last), then oldest.
    """
    rows = _read(
        state,
        f"SELECT {_STAND_COLUMNS} FROM actie_stand s WHERE s.sessie < ? AND (s.status IN ('open', 'lopend')"
        " OR EXISTS (SELECT 1 FROM actie_versies w WHERE w.actie_id = s.id AND w.sessie = ?))"
        " ORDER BY s.deadline IS NULL, s.deadline, s.id",
        (sessie.isoformat(), sessie.isoformat()),
    )
    return [_actie(row) for row in rows]


def history(state: Path, actie_id: int) -> list[Wijziging]:
    """Every version of an action, oldest first."""
    rows = _read(state, "SELECT versie, sessie, status, omschrijving, besluit, eigenaar, deadline, gewijzigd_door,"
                        " gewijzigd_op FROM actie_versies WHERE actie_id = ? ORDER BY versie", (actie_id,))
    return [Wijziging(versie, date.fromisoformat(sessie), status, omschrijving, besluit, eigenaar,
                      date.fromisoformat(deadline) if deadline else None, door, datetime.fromisoformat(op))
            for versie, sessie, status, omschrijving, besluit, eigenaar, deadline, door, op in rows]


def sessions(state: Path) -> list[Session]:
    """Every session with actions made or changed in it, newest peildatum first."""
    rows = _read(
        state,
        "SELECT v.sessie, (SELECT count(*) FROM acties a WHERE a.sessie = v.sessie), max(v.gewijzigd_op)"
        " FROM actie_versies v GROUP BY v.sessie ORDER BY v.sessie DESC",
    )
    return [Session(date.fromisoformat(p), n, datetime.fromisoformat(last)) for p, n, last in rows]


def earlier_sessions(state: Path, sessie: date) -> list[Session]:
    """The sessions before `sessie`, newest first."""
    return [s for s in sessions(state) if s.peildatum < sessie]
