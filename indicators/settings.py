"""Settings edited in the dashboard (werkwijzen, begroting, taakstelling): a small SQLite store beside
monitor.toml (`instellingen.sqlite`), with the complete history.

The ETL never writes here and the published store is rebuilt without touching it, so edits survive every
run; `indicators.config.load_config` lays the latest version of each edited section over monitor.toml (the
one place that decides the configuration in force). Nothing is ever overwritten: every change is one row
of `instelling_versies` (which section, its whole new content as JSON, who, when, why, and the version it
was made on); UPDATE and DELETE are refused by triggers. Every write is one short IMMEDIATE transaction,
so several dashboard workers can write at once. A change names the section's version it was made on; if
someone changed that section in between, the change is refused instead of silently replacing theirs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import ConfigError, WijkmonitorError
from core.sqlite import connect_wal

SECTIONS = ("werkwijzen", "begroting", "taakstelling")
STORE_NAME = "instellingen.sqlite"
MAX_REASON = 2000

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS instelling_versies (
    versie         INTEGER PRIMARY KEY,  -- the settings version this change made (1, 2, ...; 0 = monitor.toml alone)
    onderdeel      TEXT NOT NULL CHECK (onderdeel IN ({", ".join(f"'{s}'" for s in SECTIONS)})),
    inhoud         TEXT,                 -- the whole section as JSON in monitor.toml's shape; NULL: monitor.toml's again
    gemaakt_op     INTEGER NOT NULL,     -- the section's version the change was made on (0: monitor.toml's)
    reden          TEXT NOT NULL,
    gewijzigd_door TEXT NOT NULL,
    gewijzigd_op   TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS instellingen_vast_bij_wijzigen BEFORE UPDATE ON instelling_versies
    BEGIN SELECT RAISE(ABORT, 'de geschiedenis van de instellingen wordt niet overschreven'); END;
CREATE TRIGGER IF NOT EXISTS instellingen_vast_bij_wissen BEFORE DELETE ON instelling_versies
    BEGIN SELECT RAISE(ABORT, 'de geschiedenis van de instellingen wordt niet gewist'); END;
"""
_COLUMNS = "versie, onderdeel, inhoud, gemaakt_op, reden, gewijzigd_door, gewijzigd_op"


class SettingRejected(WijkmonitorError):
    """A change that cannot be stored as entered (shown to the user as one Dutch line)."""


@dataclass(frozen=True)
class Change:
    """One version: a section set to `inhoud` (None: back to monitor.toml's) by `door` at `op`, because `reden`."""

    versie: int
    onderdeel: str
    inhoud: Any
    gemaakt_op: int
    reden: str
    door: str
    op: datetime


def store_path(config: Path) -> Path:
    """The settings store of the configuration file `config`: instellingen.sqlite beside it."""
    return Path(config).with_name(STORE_NAME)


def _connect(store: Path) -> sqlite3.Connection:
    try:
        con = connect_wal(store)
        con.executescript(SCHEMA)
    except sqlite3.Error as error:
        raise WijkmonitorError(f"instellingen: kan {store} niet openen: {error}") from error
    return con


def _change(row: tuple) -> Change:
    versie, onderdeel, inhoud, gemaakt_op, reden, door, op = row
    return Change(versie, onderdeel, None if inhoud is None else json.loads(inhoud), gemaakt_op, reden, door,
                  datetime.fromisoformat(op))


def history(store: Path, onderdeel: str | None = None) -> list[Change]:
    """Every change (of one section, or of all), oldest first; empty when nothing was ever edited."""
    if not store.exists():  # reading never creates the store (the ETL only reads)
        return []
    con = _connect(store)
    try:
        where, parameters = ("WHERE onderdeel = ?", (onderdeel,)) if onderdeel else ("", ())
        rows = con.execute(f"SELECT {_COLUMNS} FROM instelling_versies {where} ORDER BY versie", parameters).fetchall()
    finally:
        con.close()
    return [_change(row) for row in rows]


def latest(changes: list[Change]) -> dict[str, Change]:
    """The last change of each edited section."""
    return {change.onderdeel: change for change in changes}


def current_version(store: Path) -> Change | None:
    """The newest change of any section: its number is the settings version (None: monitor.toml alone)."""
    changes = history(store)
    return changes[-1] if changes else None


def save(store: Path, onderdeel: str, inhoud: Any, reden: str, door: str, gemaakt_op: int,
         check: Callable[[dict[str, Any]], None]) -> int:
    """Append a change of one section made on its version `gemaakt_op`; return the new settings version.

    `check(sections)` gets the edited sections as they would be after this change ({onderdeel: inhoud},
    None for one back to monitor.toml's) and raises ConfigError when the configuration would be invalid;
    it runs inside the transaction, so it sees every change committed before this one.
    """
    if onderdeel not in SECTIONS:
        raise SettingRejected(f"onbekend onderdeel '{onderdeel}'; kies uit {', '.join(SECTIONS)}")
    reden = reden.strip()
    if not reden:
        raise SettingRejected("vul de reden van de wijziging in")
    if len(reden) > MAX_REASON:
        raise SettingRejected(f"de reden is langer dan {MAX_REASON} tekens")
    if not door:
        raise SettingRejected("onbekende gebruiker")
    text = None if inhoud is None else json.dumps(inhoud, ensure_ascii=False, sort_keys=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(store)
    try:
        con.execute("BEGIN IMMEDIATE")
        rows = con.execute(f"SELECT {_COLUMNS} FROM instelling_versies ORDER BY versie").fetchall()
        edited = latest([_change(row) for row in rows])
        mine = edited.get(onderdeel)
        if (mine.versie if mine else 0) != gemaakt_op:
            raise SettingRejected(f"{mine.door if mine else 'iemand'} heeft de {onderdeel} intussen gewijzigd "
                                  f"(versie {mine.versie if mine else 0}); bekijk de nieuwe stand en probeer het opnieuw")
        sections = {name: change.inhoud for name, change in edited.items()}
        sections[onderdeel] = None if text is None else json.loads(text)
        try:
            check(sections)
        except ConfigError as error:
            raise SettingRejected(str(error)) from None
        versie = (rows[-1][0] if rows else 0) + 1
        con.execute(f"INSERT INTO instelling_versies ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (versie, onderdeel, text, gemaakt_op, reden, door, datetime.now().isoformat(timespec="seconds")))
        con.execute("COMMIT")
        return versie
    except sqlite3.Error as error:
        raise WijkmonitorError(f"instellingen: opslaan in {store} mislukt: {error}") from error
    finally:
        if con.in_transaction:
            con.execute("ROLLBACK")
        con.close()
