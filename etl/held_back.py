"""Versions held back on their own merits, remembered so that an unchanged one is not read or validated again.

A revision that lost too many rows (`krimp`) and a version most of whose rows fail the gate's rules
(`te_veel_fouten`) are judged on their own bytes: against the accepted version of their name, the
contract, the gate's per-row rules (area codes, weight bound, gate code), the thresholds, a confirmed
shrink and the day. That verdict is kept in `tegengehouden` (one row per file name) with a fingerprint
of all of it. A later run that finds the same bytes under the same name, with the same fingerprint,
reports the same outcome without reading the file, so without validating it (Great Expectations is not
even imported for it); the earlier accepted version keeps counting, as it did.

Not kept: copies and conflicts depend on the other files (etl/deliveries.py decides them again on each
run, before the gate), and a file that could not be read is read again (reading stops at its first fault).
A verdict that depends on the day (a failing row on a column whose bound moves with it: no future date,
a birth year) holds on that day only. Replacing or removing the file forgets it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from etl.contract import FOUT, Bron, Drempels
from etl.reasons import Reason

KEPT_REASONS = ("krimp", "te_veel_fouten")  # reasons that depend on the version alone
_CODE = tuple(Path(__file__).with_name(name) for name in ("held_back.py", "load.py", "read.py", "deliveries.py"))
_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS tegengehouden (
    bron          VARCHAR NOT NULL,
    bestand       VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    vingerafdruk  VARCHAR NOT NULL,   -- sha256 of what the verdict depends on besides the bytes (fingerprint)
    vandaag       DATE NOT NULL,      -- the day it was decided
    dagafhankelijk BOOLEAN NOT NULL,  -- a failing row broke a rule whose bound moves with the day
    uitkomst      VARCHAR NOT NULL,
    grootte       BIGINT NOT NULL,
    rijen         BIGINT,
    code          VARCHAR NOT NULL,   -- the reason (etl/reasons.py): code, published text, operator detail
    reden         VARCHAR NOT NULL,
    detail        VARCHAR,
    run_id        VARCHAR NOT NULL,   -- the run that decided it
    PRIMARY KEY (bron, bestand)
);
"""


@dataclass(frozen=True)
class Rules:
    """What a run judges versions by, besides the load's thresholds: the gate's per-row rules and the day."""

    fingerprint: str  # expectations.gate.rules_fingerprint: contract, area codes, weight bound, gate code
    vandaag: date


@dataclass(frozen=True)
class Verdict:
    """A held-back version's outcome as it was reported."""

    uitkomst: str
    grootte: int
    rijen: int | None
    reason: Reason


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table of remembered hold-backs (if absent)."""
    con.execute(_TABLE_SQL)


def fingerprint(
    rules: Rules, bron: Bron, bestand: str, accepted: tuple[str, int] | None, drempels: Drempels, confirmed: bool
) -> str:
    """sha256 over what a version's hold-back depends on besides its bytes and the day.

    accepted: (checksum, rows) of the accepted version of its name; confirmed: its shrink is confirmed.
    """
    digest = hashlib.sha256()
    for part in (rules.fingerprint, repr(bron), repr(drempels), json.dumps([bestand, accepted, confirmed]),
                 _code_digest()):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def day_bound_columns(bron: Bron) -> list[str]:
    """Columns whose rule moves with the day (no future date, birth years): a row failing there may pass later."""
    return [kolom.naam for kolom in bron.kolommen if kolom.geen_toekomst or kolom.geboortejaar]


def recall(
    con: duckdb.DuckDBPyConnection, bron: Bron, bestand: str, sha256: str, version_fingerprint: str, vandaag: date
) -> Verdict | None:
    """The remembered hold-back of this version, if it still holds; otherwise forget it (it is read again)."""
    row = con.execute(
        "SELECT uitkomst, grootte, rijen, code, reden, detail FROM tegengehouden WHERE bron = ? AND bestand = ? "
        "AND sha256 = ? AND vingerafdruk = ? AND (vandaag = ? OR (vandaag < ? AND NOT dagafhankelijk))",
        [bron.naam, bestand, sha256, version_fingerprint, vandaag, vandaag],
    ).fetchone()
    if row is None:
        con.execute("DELETE FROM tegengehouden WHERE bron = ? AND bestand = ?", [bron.naam, bestand])
        return None
    uitkomst, grootte, rijen, code, reden, detail = row
    return Verdict(uitkomst, grootte, rijen, Reason(code, reden, detail))


def remember(
    con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, bestand: str, sha256: str, version_fingerprint: str,
    vandaag: date, day_bound: bool, verdict: Verdict,
) -> None:
    """Keep the hold-back of a version (only for KEPT_REASONS: the others depend on more than the version)."""
    if verdict.reason.code not in KEPT_REASONS:
        return
    # A version that reached the gate shares no key with another file (etl/deliveries.py holds that back
    # first), so its failing rows are its own; a rule across rows that is an error could count rows of others.
    if verdict.reason.code == "te_veel_fouten" and any(regel.ernst == FOUT for regel in bron.bronregels):
        return
    con.execute(
        "INSERT OR REPLACE INTO tegengehouden VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [bron.naam, bestand, sha256, version_fingerprint, vandaag, day_bound, verdict.uitkomst, verdict.grootte,
         verdict.rijen, verdict.reason.code, verdict.reason.text, verdict.reason.detail, run_id],
    )


def forget_undelivered(con: duckdb.DuckDBPyConnection, bron: Bron, delivered: dict[str, str]) -> None:
    """Forget the hold-backs of files no longer delivered as they were (replaced, removed); name -> sha256."""
    kept = con.execute("SELECT bestand, sha256 FROM tegengehouden WHERE bron = ?", [bron.naam]).fetchall()
    for bestand, sha256 in kept:
        if delivered.get(bestand) != sha256:
            con.execute("DELETE FROM tegengehouden WHERE bron = ? AND bestand = ?", [bron.naam, bestand])


@functools.cache
def _code_digest() -> str:
    """sha256 of the code that reads a file and decides a hold-back (a change there decides again)."""
    digest = hashlib.sha256()
    for module in _CODE:
        digest.update(module.read_bytes())
    return digest.hexdigest()
