"""Rules over whole files ("Deliveries over time") that GX cannot express per row, in SQL over loaded rows.

Versions on trial (etl/load.py) are decided here, in file-name order:
- a copy: its rows (typed) are those of a counted file under another name -> counted once, with a warning;
- a conflict: it repeats keys of a counted file under another name with other content -> held back
  as a whole; the earlier figures stand;
- a file problem: more than drempels.max_afgekeurd of its rows fail the gate -> held back as a whole,
  its earlier version keeps counting, and the source is gated again without it. The hold-back is
  remembered (etl/held_back.py): delivered unchanged, the version is reported again without being read.
What is left is committed. A few failing rows stay a row problem: those rows are quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from etl import held_back
from etl.contract import Drempels
from etl.load import KOPIE, SourceLoad, Versie, check_set, commit_version, hold_back
from etl.reasons import reason
from etl.staging import CONTROLE_BESTANDEN, sql_literal, typed_rows_sql
from core.paths import GEBIEDEN_CSV

Result = TypeVar("Result")
_TOP_RULES = 3  # rules named in the operator detail of a file held back for failing rows

VersionId = tuple[str, str]  # (bestand, sha256)


@dataclass(frozen=True)
class Aanlevering:
    """How a drop is taken: the configured area table, confirmed shrinks and file-level thresholds."""

    gebieden: Path = GEBIEDEN_CSV  # reference data from configuration, never from the drop
    bevestigd: frozenset[str] = frozenset()  # 'bron/bestand' whose shrink the operator confirmed
    drempels: Drempels = Drempels()


def settle_overlaps(con: duckdb.DuckDBPyConnection, run_id: str, load: SourceLoad) -> None:
    """Hold back copies and conflicting versions on trial; leave the check set with the rest."""
    bron = load.bron
    if not load.pending:
        check_set(con, bron, [])
        return
    check_set(con, bron, load.pending, with_old=True)
    pairs = _overlapping_pairs(con, load)
    accepted = con.execute("SELECT bestand, sha256 FROM bestanden WHERE bron = ?", [bron.naam]).fetchall()
    counted: set[VersionId] = {(name, checksum) for name, checksum in accepted}
    admitted: list[Versie] = []
    for versie in sorted(load.pending, key=lambda v: v.bestand):
        me = (versie.bestand, versie.sha256)
        others = sorted(other for other in counted if other[0] != versie.bestand and frozenset((me, other)) in pairs)
        if not others:
            admitted.append(versie)
            counted = {version for version in counted if version[0] != versie.bestand} | {me}
        elif len(others) == 1 and _same_rows(con, load, me, others[0]):
            load.outcomes.append(hold_back(con, run_id, bron, versie, reason("kopie", ander=others[0][0]), KOPIE))
        else:
            load.outcomes.append(hold_back(con, run_id, bron, versie, reason("conflict", ander=others[0][0])))
    load.pending = admitted
    check_set(con, bron, admitted)


def settle_failures(
    con: duckdb.DuckDBPyConnection, run_id: str, load: SourceLoad, gate: Callable[[], Result], drempels: Drempels
) -> Result:
    """Gate the source; hold back versions on trial whose rows mostly fail and gate again without them."""
    while True:
        result = gate()
        failing = [(versie, _failing_rows(con, run_id, load, versie)) for versie in load.pending]
        too_bad = [(versie, rows) for versie, rows in failing if rows > drempels.max_afgekeurd * versie.rijen]
        if not too_bad:
            load.outcomes.extend(load.held_back_before)
            return result
        for versie, rows in too_bad:
            why = reason("te_veel_fouten", _top_rules(con, run_id, load, versie), fout=rows, rijen=versie.rijen,
                         drempel=round(100 * drempels.max_afgekeurd))
            day_bound = _fails_on_a_day_bound_column(con, run_id, load, versie)
            outcome = hold_back(con, run_id, load.bron, versie, why)
            load.outcomes.append(outcome)
            if load.rules is not None and versie.vingerafdruk is not None:
                held_back.remember(con, run_id, load.bron, versie.bestand, versie.sha256, versie.vingerafdruk,
                                   load.rules.vandaag, day_bound,
                                   held_back.Verdict(outcome.uitkomst, versie.grootte, versie.rijen, why))
        load.pending = [versie for versie in load.pending if versie not in {bad for bad, _ in too_bad}]
        check_set(con, load.bron, load.pending)
        for table in ("quarantine", "waarschuwingen"):
            con.execute(f"DELETE FROM {table} WHERE bron = ? AND run_id = ?", [load.bron.naam, run_id])


def commit_pending(con: duckdb.DuckDBPyConnection, run_id: str, load: SourceLoad) -> None:
    """Make every version still on trial the accepted version of its file."""
    for versie in load.pending:
        load.outcomes.append(commit_version(con, run_id, load.bron, versie))
    load.pending = []


def _overlapping_pairs(con: duckdb.DuckDBPyConnection, load: SourceLoad) -> set[frozenset[VersionId]]:
    """Pairs of file versions under check, one of them on trial, that share at least one (typed) key.

    Only a key of a version on trial can pair a version on trial with another, so when accepted
    versions are under check too, only those keys are grouped (a semi-join): a small new file
    costs a scan of the keys, not a grouping of every key of the source. Versions are numbered, so
    the grouping compares numbers; the list of versions is made only for the keys found shared.
    """
    bron = load.bron
    keys = ", ".join(f'"{name}"' for name in bron.sleutel)
    present = " AND ".join(f'"{name}" IS NOT NULL' for name in bron.sleutel)
    versions: list[VersionId] = sorted(con.execute(
        f"SELECT bestand, sha256 FROM {CONTROLE_BESTANDEN} WHERE bron = ?", [bron.naam]).fetchall())
    if not versions:
        return set()
    on_trial = {(versie.bestand, versie.sha256) for versie in load.pending}
    numbered = ", ".join(f"({sql_literal(bestand)}, {sql_literal(sha256)}, {number})"
                         for number, (bestand, sha256) in enumerate(versions))
    trial_numbers = [number for number, version in enumerate(versions) if version in on_trial]
    restricted = (
        f"SEMI JOIN (SELECT {keys} FROM rijen WHERE list_contains({trial_numbers}, nr)) USING ({keys})"
        if len(trial_numbers) < len(versions) else ""
    )
    shared = f"""
        WITH rijen AS NOT MATERIALIZED (
            SELECT {keys}, n.nr FROM ({typed_rows_sql(bron, list(bron.sleutel))}) t
            JOIN (VALUES {numbered}) n(bestand, sha256, nr) ON n.bestand = t._bestand AND n.sha256 = t._sha256
            WHERE {present}
        ), gedeeld AS NOT MATERIALIZED (
            SELECT {keys} FROM rijen {restricted} GROUP BY {keys} HAVING min(nr) < max(nr)
        )
        """
    # When every version is on trial (a first load), nearly always no key is shared: one grouping says so,
    # where the query for the lists groups every key a second time (DuckDB groups before it joins). With a
    # restriction the lists' query reads the rows once for both uses, and asking first would read them twice.
    if not restricted and not con.execute(f"{shared} SELECT count(*) > 0 FROM gedeeld").fetchone()[0]:
        return set()
    rows = con.execute(
        f"{shared} SELECT DISTINCT list(DISTINCT nr ORDER BY nr) FROM rijen SEMI JOIN gedeeld USING ({keys}) "
        f"GROUP BY {keys}"
    ).fetchall()
    pairs: set[frozenset[VersionId]] = set()
    for (numbers,) in rows:
        ids = [versions[number] for number in numbers]
        pairs.update(frozenset((a, b)) for a in ids for b in ids if a < b)
    return pairs


def _same_rows(con: duckdb.DuckDBPyConnection, load: SourceLoad, me: VersionId, other: VersionId) -> bool:
    """True when two versions hold the same rows (typed values, any order, as often)."""
    rows = typed_rows_sql(load.bron, load.bron.kolomnamen)
    columns = ", ".join(f'"{name}"' for name in load.bron.kolomnamen)

    def version(version_id: VersionId) -> str:
        bestand, sha256 = (value.replace("'", "''") for value in version_id)
        return f"SELECT {columns} FROM ({rows}) WHERE _bestand = '{bestand}' AND _sha256 = '{sha256}'"

    differing = con.execute(
        f"SELECT count(*) FROM (({version(me)} EXCEPT ALL {version(other)}) "
        f"UNION ALL ({version(other)} EXCEPT ALL {version(me)}))"
    ).fetchone()[0]
    return differing == 0


def _failing_rows(con: duckdb.DuckDBPyConnection, run_id: str, load: SourceLoad, versie: Versie) -> int:
    """Rows of a version on trial that the gate quarantined in this run."""
    return con.execute(
        "SELECT count(DISTINCT rij) FROM quarantine WHERE bron = ? AND run_id = ? AND bestand = ?",
        [load.bron.naam, run_id, versie.bestand],
    ).fetchone()[0]


def _fails_on_a_day_bound_column(con: duckdb.DuckDBPyConnection, run_id: str, load: SourceLoad, versie: Versie) -> bool:
    """True when a row of the version failed a rule whose bound moves with the day (it may pass another day)."""
    return con.execute(
        "SELECT count(*) > 0 FROM quarantine WHERE bron = ? AND run_id = ? AND bestand = ? "
        "AND list_contains(?::VARCHAR[], kolom)",
        [load.bron.naam, run_id, versie.bestand, held_back.day_bound_columns(load.bron)],
    ).fetchone()[0]


def _top_rules(con: duckdb.DuckDBPyConnection, run_id: str, load: SourceLoad, versie: Versie) -> str:
    """The most broken rules of a version, for the operator: 'kolom: regel (n)'."""
    rows = con.execute(
        "SELECT kolom, regel, count(*) AS n FROM quarantine WHERE bron = ? AND run_id = ? AND bestand = ? "
        "GROUP BY ALL ORDER BY n DESC, kolom, regel LIMIT ?",
        [load.bron.naam, run_id, versie.bestand, _TOP_RULES],
    ).fetchall()
    return "; ".join(f"{kolom}: {regel} ({n})" for kolom, regel, n in rows)
