"""Load delivered files into the warehouse: raw_<bron> tables and a load log, idempotent by checksum.

A file's accepted version lives in `bestanden` (one row per bron and file name) and its rows in
raw_<bron>, marked with the version's checksum (_sha256). A new or changed file is read in as a
version on trial (`Versie`): its rows sit in raw_<bron> beside the accepted version, the gate
checks it (etl/deliveries.py decides copies, conflicts and files that mostly fail), and only then
is it committed (`commit_version`) or held back (`hold_back`), the earlier version still counting.

The same file again adds nothing; a revision that lost more than a configured share of its rows
waits for the operator's confirmation; a rejected file keeps its earlier accepted version; a file
no longer in a non-empty folder stops counting. A source whose folder is missing or empty keeps its
earlier accepted files: that is a delivery problem, not a withdrawal. Accepted files are also kept
byte-identical in the archive (etl/archive.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from core.transaction import transaction
from etl import held_back
from etl.archive import keep, process_alive
from etl.contract import Bron, Drempels
from etl.read import EXTRA, RIJ, Notatie, is_delivery, read_into
from etl.reasons import GEVOLG_GEEN, GEVOLG_VORIGE, FileRejected, Reason, reason, rejected
from etl.staging import CONTROLE_BESTANDEN, raw_table

GEACCEPTEERD = "geaccepteerd"
AFGEWEZEN = "afgewezen"
VORIGE_VERSIE = "vorige versie behouden"
ONGEWIJZIGD = "ongewijzigd"
VERWIJDERD = "verwijderd"
KOPIE = "kopie, één keer geteld"
GENEGEERD = "genegeerd"
MAP = "(map)"  # the file name of the outcome for a missing source folder
BRONMAP = "(bronmap)"  # the source name of a stray file in the drop itself
# The demo generator's provenance marker beside the source folders (docs/internals.md): read by the
# pipeline for meta.fictieve_demogegevens, never loaded as a source and not a stray file.
HERKOMST = "herkomst.json"

_LOG_SQL = """
CREATE TABLE IF NOT EXISTS load_log (
    run_id      VARCHAR NOT NULL,
    bron        VARCHAR NOT NULL,
    bestand     VARCHAR NOT NULL,
    sha256      VARCHAR,
    grootte     BIGINT,
    rijen       BIGINT,
    geladen_op  TIMESTAMP NOT NULL,
    uitkomst    VARCHAR NOT NULL,   -- geaccepteerd | ongewijzigd | afgewezen | vorige versie behouden | ...
    reden       VARCHAR             -- the published reason, then the operator detail (never published)
);
CREATE TABLE IF NOT EXISTS bestanden (
    bron        VARCHAR NOT NULL,
    bestand     VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    grootte     BIGINT NOT NULL,
    rijen       BIGINT NOT NULL,
    geladen_op  TIMESTAMP NOT NULL,
    PRIMARY KEY (bron, bestand)
);
ALTER TABLE bestanden ADD COLUMN IF NOT EXISTS notatie VARCHAR;
"""
_HASH_CHUNK = 1 << 20
# Checksums of a source's files are computed side by side: hashlib releases the GIL while it hashes a chunk.
_HASH_THREADS = min(4, os.cpu_count() or 1)
_SCRATCH_MARK = ".wijkmonitor-"


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one delivered file in this run (reden: vocabulary text, publishable)."""

    bron: str
    bestand: str
    uitkomst: str
    rijen: int | None
    reden: str | None
    geladen_op: datetime | None
    detail: str | None = None  # operator-only detail (parser message, counts per rule)

    @property
    def is_rejected(self) -> bool:
        """True when the file (or this delivery of it) was not accepted."""
        return self.uitkomst in (AFGEWEZEN, VORIGE_VERSIE, GENEGEERD)

    @property
    def is_warning(self) -> bool:
        """True when the file was not counted on its own but nothing was lost (a copy)."""
        return self.uitkomst == KOPIE


@dataclass(frozen=True)
class Versie:
    """A new or changed file read into raw_<bron> and on trial until the gate has seen it."""

    bron: str
    bestand: str
    sha256: str
    notatie: Notatie
    rijen: int
    grootte: int
    vorige: bool  # an earlier version of this file name is accepted
    vingerafdruk: str | None = None  # what a hold-back of it depends on besides its bytes (etl/held_back.py)


@dataclass
class SourceLoad:
    """The outcome of loading one source folder: decided files, and versions on trial."""

    bron: Bron
    outcomes: list[FileOutcome] = field(default_factory=list)
    pending: list[Versie] = field(default_factory=list)
    rules: held_back.Rules | None = None  # with rules, hold-backs are remembered and unchanged ones not read again
    # Versions held back earlier for failing rows and delivered unchanged: reported where the gate's hold-backs are.
    held_back_before: list[FileOutcome] = field(default_factory=list)

    @property
    def niet_geleverd(self) -> bool:
        """An optional source that was never delivered: normal, so not reported (its stg_ table stays empty)."""
        return self.bron.optioneel and not self.outcomes and not self.pending


def create_warehouse_tables(con: duckdb.DuckDBPyConnection, bronnen: list[Bron]) -> None:
    """Create the load log, the accepted-files table and one raw table per source (if absent)."""
    con.execute(_LOG_SQL)
    held_back.create_table(con)
    for bron in bronnen:
        columns = ", ".join(f'"{name}" VARCHAR' for name in bron.kolomnamen)
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {raw_table(bron)} "
            f"(_bestand VARCHAR NOT NULL, {RIJ} BIGINT NOT NULL, {columns}, {EXTRA} VARCHAR, _sha256 VARCHAR)"
        )
        # Warehouses of before the version column: their rows are the accepted versions.
        con.execute(f"ALTER TABLE {raw_table(bron)} ADD COLUMN IF NOT EXISTS _sha256 VARCHAR")
        con.execute(
            f"UPDATE {raw_table(bron)} r SET _sha256 = b.sha256 FROM bestanden b "
            f"WHERE r._sha256 IS NULL AND b.bron = ? AND b.bestand = r._bestand", [bron.naam]
        )
    create_check_table(con)


def create_check_table(con: duckdb.DuckDBPyConnection) -> None:
    """The (temporary, per connection) list of file versions the gate checks; see check_set."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {CONTROLE_BESTANDEN} "
        "(bron VARCHAR, bestand VARCHAR, sha256 VARCHAR, notatie VARCHAR)"
    )


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def load_source(
    con: duckdb.DuckDBPyConnection, folder: Path, bron: Bron, run_id: str, scratch: Path,
    archive: Path | None = None, drempels: Drempels = Drempels(), bevestigd: frozenset[str] = frozenset(),
    rules: held_back.Rules | None = None,
) -> SourceLoad:
    """Read the new and changed files of a source folder in as versions on trial; decide the rest.

    With an archive, every file read in (and every unchanged accepted file) is kept there as
    delivered. bevestigd: 'bron/bestand' names whose shrink the operator confirmed. With rules, a
    version held back before on its own merits and unchanged since is reported again, not read
    (etl/held_back.py).
    """
    accepted = _accepted_files(con, bron)
    _remove_orphans(con, bron)
    load = SourceLoad(bron, rules=rules)
    delivered = _delivered_files(folder)
    if not any(is_delivery(path) for path in delivered):
        load.outcomes.extend(_missing_folder(con, run_id, bron, folder, delivered, accepted))
        return load
    checksums = _checksums(delivered)
    held_back.forget_undelivered(con, bron, checksums)
    # Unchanged files first, so a renamed byte-identical copy of one of them is seen as a copy.
    content_owner = {
        checksums[name]: name for name in sorted(checksums) if accepted.get(name, (None,))[0] == checksums[name]
    }
    unchanged: list[FileOutcome] = []
    for path in delivered:
        name = path.name
        checksum = checksums[name]
        if accepted.get(name, (None,))[0] == checksum:
            # Kept again if missing (a run killed between loading and keeping, or a new archive).
            if archive is not None:
                keep(archive, bron.naam, path, checksum)
            unchanged.append(FileOutcome(bron.naam, name, ONGEWIJZIGD, accepted[name][1], None, accepted[name][2]))
            load.outcomes.append(unchanged[-1])
            continue
        owner = content_owner.get(checksum, name)
        fingerprint = None
        try:
            if not is_delivery(path):
                raise rejected(name, "geen_soort")
            if owner != name:
                load.outcomes.append(_record(con, run_id, bron, name, checksum, path.stat().st_size, KOPIE, None,
                                             reason("kopie", ander=owner)))
                continue
            earlier = accepted[name][:2] if name in accepted else None  # (checksum, rows)
            if rules is not None:
                fingerprint = held_back.fingerprint(rules, bron, name, earlier, drempels,
                                                    f"{bron.naam}/{name}" in bevestigd)
                known = held_back.recall(con, bron, name, checksum, fingerprint, rules.vandaag)
                if known is not None:
                    outcome = _record(con, run_id, bron, name, checksum, known.grootte, known.uitkomst, known.rijen,
                                      known.reason)
                    # A shrink was reported while reading, failing rows after the gate: each in its place, as before.
                    (load.outcomes if known.reason.code == "krimp" else load.held_back_before).append(outcome)
                    content_owner[checksum] = name
                    continue
            load.pending.append(_read_version(con, bron, path, checksum, scratch, archive, earlier,
                                              drempels, bevestigd, fingerprint))
            content_owner[checksum] = name
        except FileRejected as rejection:
            outcome = _not_loaded(con, run_id, bron, path, checksum, accepted, rejection)
            load.outcomes.append(outcome)
            if rules is not None and fingerprint is not None:
                held_back.remember(con, run_id, bron, name, checksum, fingerprint, rules.vandaag, False,
                                   held_back.Verdict(outcome.uitkomst, path.stat().st_size, None, rejection.reason))
    for name in sorted(set(accepted) - set(checksums)):
        load.outcomes.append(_remove_file(con, run_id, bron, name))
    _log_unchanged(con, run_id, unchanged, {path.name: path for path in delivered}, checksums)
    return load


def _missing_folder(
    con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, folder: Path, delivered: list[Path],
    accepted: dict[str, tuple[str, int, datetime]],
) -> list[FileOutcome]:
    """A folder that is missing or holds no delivery: the earlier delivery keeps counting (said so)."""
    if bron.optioneel and not accepted and not delivered:
        return []  # an optional source never delivered: nothing to report
    code = "map_leeg" if folder.is_dir() else "map_ontbreekt"
    why = reason(code, bron=bron.naam, gevolg=GEVOLG_VORIGE if accepted else GEVOLG_GEEN)
    outcomes = [_record(con, run_id, bron, MAP, None, None, VORIGE_VERSIE if accepted else AFGEWEZEN, None, why)]
    for path in delivered:  # litter such as a note: reported, never read
        outcomes.append(_not_loaded(con, run_id, bron, path, sha256_of(path), accepted,
                                    rejected(path.name, "geen_soort")))
    return outcomes


def check_set(con: duckdb.DuckDBPyConnection, bron: Bron, versions: list[Versie], with_old: bool = False) -> None:
    """List the file versions the gate checks: the accepted ones, with versions on trial replacing theirs.

    with_old keeps the accepted version of a file on trial too (to compare the two).
    """
    replaced = {versie.bestand for versie in versions}
    con.execute(f"DELETE FROM {CONTROLE_BESTANDEN} WHERE bron = ?", [bron.naam])
    con.execute(
        f"INSERT INTO {CONTROLE_BESTANDEN} SELECT bron, bestand, sha256, coalesce(notatie, 'csv') "
        "FROM bestanden WHERE bron = ? AND (? OR NOT list_contains(?::VARCHAR[], bestand))",
        [bron.naam, with_old, sorted(replaced)],
    )
    if versions:
        con.executemany(
            f"INSERT INTO {CONTROLE_BESTANDEN} VALUES (?, ?, ?, ?)",
            [[versie.bron, versie.bestand, versie.sha256, versie.notatie] for versie in versions],
        )


def commit_version(con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, versie: Versie) -> FileOutcome:
    """Make a version on trial the accepted one: its earlier rows go, the accepted-files row is replaced."""
    now = datetime.now()
    with transaction(con):
        con.execute(f"DELETE FROM {raw_table(bron)} WHERE _bestand = ? AND _sha256 <> ?",
                    [versie.bestand, versie.sha256])
        con.execute("DELETE FROM bestanden WHERE bron = ? AND bestand = ?", [bron.naam, versie.bestand])
        con.execute(
            "INSERT INTO bestanden (bron, bestand, sha256, grootte, rijen, geladen_op, notatie) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [bron.naam, versie.bestand, versie.sha256, versie.grootte, versie.rijen, now, versie.notatie],
        )
        _log(con, run_id, bron, versie.bestand, versie.sha256, versie.grootte, versie.rijen, GEACCEPTEERD, None,
             now)
    return FileOutcome(bron.naam, versie.bestand, GEACCEPTEERD, versie.rijen, None, now)


def hold_back(
    con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, versie: Versie, why: Reason, uitkomst: str | None = None
) -> FileOutcome:
    """Drop a version on trial; its earlier accepted version (if any) keeps counting."""
    uitkomst = uitkomst or (VORIGE_VERSIE if versie.vorige else AFGEWEZEN)
    con.execute(f"DELETE FROM {raw_table(bron)} WHERE _bestand = ? AND _sha256 = ?", [versie.bestand, versie.sha256])
    return _record(con, run_id, bron, versie.bestand, versie.sha256, versie.grootte, uitkomst, versie.rijen, why)


def stray_entries(sources: Path, bronnen: Iterable[str], gebieden: Path) -> list[Path]:
    """Non-hidden entries of the drop that are no source folder (the configured area table and the demo
    generator's provenance marker lying there aside)."""
    folders, configured = set(bronnen), gebieden.resolve()
    return sorted(
        path for path in sources.iterdir()
        if not path.name.startswith(".") and not (path.is_dir() and path.name in folders)
        and path.resolve() != configured and not (path.is_file() and path.name == HERKOMST)
    )


def stray_outcome(con: duckdb.DuckDBPyConnection, run_id: str, path: Path) -> FileOutcome:
    """Log a file or folder in the drop that is no source folder: ignored, never read."""
    why = reason("geen_bronmap")
    _log_row(con, run_id, BRONMAP, path.name, None, None, None, GENEGEERD, why)
    return FileOutcome(BRONMAP, path.name, GENEGEERD, None, f"{path.name}: {why.text}", datetime.now())


def _delivered_files(folder: Path) -> list[Path]:
    """Regular, non-hidden files of a source folder in name order (hidden files are editor litter)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))


def scratch_prefix(purpose: str) -> str:
    """Name prefix of a scratch folder of this process, so a later run can clear it if we are killed."""
    return f"{_SCRATCH_MARK}{purpose}-{os.getpid()}-"


def remove_abandoned_scratch(folder: Path) -> None:
    """Delete scratch folders in folder left by runs that were killed (their process is gone)."""
    for path in folder.glob(f"{_SCRATCH_MARK}*"):
        pid_text = path.name.removeprefix(_SCRATCH_MARK).split("-")[1:2]
        if path.is_dir() and pid_text and pid_text[0].isdigit() and not process_alive(int(pid_text[0])):
            shutil.rmtree(path, ignore_errors=True)


def current_files(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Per source, file name -> checksum of the accepted versions (what the archive must hold)."""
    current: dict[str, dict[str, str]] = {}
    for bron, name, checksum in con.execute("SELECT bron, bestand, sha256 FROM bestanden ORDER BY ALL").fetchall():
        current.setdefault(bron, {})[name] = checksum
    return current


def _checksums(paths: list[Path]) -> dict[str, str]:
    """File name -> SHA-256 of each file, several files at a time."""
    if len(paths) < 2:
        return {path.name: sha256_of(path) for path in paths}
    with ThreadPoolExecutor(max_workers=_HASH_THREADS, thread_name_prefix="sha256") as pool:
        return dict(zip((path.name for path in paths), pool.map(sha256_of, paths)))


def _accepted_files(con: duckdb.DuckDBPyConnection, bron: Bron) -> dict[str, tuple[str, int, datetime]]:
    """File name -> (checksum, rows, loaded at) of the accepted versions of a source."""
    rows = con.execute("SELECT bestand, sha256, rijen, geladen_op FROM bestanden WHERE bron = ?",
                       [bron.naam]).fetchall()
    return {name: (checksum, rijen, geladen_op) for name, checksum, rijen, geladen_op in rows}


def _remove_orphans(con: duckdb.DuckDBPyConnection, bron: Bron) -> None:
    """Drop raw rows of versions that were never committed (a run killed while they were on trial)."""
    if not _may_hold_orphans(con, bron):
        return  # spares a scan of the whole raw table on every run
    con.execute(
        f"DELETE FROM {raw_table(bron)} r WHERE NOT EXISTS (SELECT 1 FROM bestanden b WHERE b.bron = ? "
        "AND b.bestand = r._bestand AND b.sha256 = r._sha256)",
        [bron.naam],
    )


def _may_hold_orphans(con: duckdb.DuckDBPyConnection, bron: Bron) -> bool:
    """False when raw_<bron> provably holds only rows of accepted versions.

    Each accepted version has exactly bestanden.rijen rows in raw_<bron>: the count of the INSERT that
    wrote them, and its rows only go in the transaction that replaces or removes its bestanden row. So a
    raw table holding as many rows as the accepted versions together holds no other rows (metadata
    counts, no scan of the table).
    """
    held, accepted = con.execute(
        f"SELECT (SELECT count(*) FROM {raw_table(bron)}), "
        "(SELECT coalesce(sum(rijen), 0) FROM bestanden WHERE bron = ?)", [bron.naam]
    ).fetchone()
    return held != accepted


def _log_unchanged(
    con: duckdb.DuckDBPyConnection, run_id: str, unchanged: list[FileOutcome], paths: dict[str, Path],
    checksums: dict[str, str],
) -> None:
    """Log the unchanged files of a source (their rows are already in raw) in one transaction."""
    if not unchanged:
        return
    now = datetime.now()
    with transaction(con):
        con.executemany(
            "INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            [[run_id, outcome.bron, outcome.bestand, checksums[outcome.bestand],
              paths[outcome.bestand].stat().st_size, outcome.rijen, now, ONGEWIJZIGD] for outcome in unchanged],
        )


def _read_version(
    con: duckdb.DuckDBPyConnection, bron: Bron, path: Path, checksum: str, scratch: Path, archive: Path | None,
    earlier: tuple[str, int] | None, drempels: Drempels, bevestigd: frozenset[str], fingerprint: str | None = None,
) -> Versie:
    """Read a new or changed file straight into raw as a version on trial, and keep it in the archive.

    Its rows are removed again when reading, the shrink check or keeping fails (a killed run's rows
    go at the next load: _remove_orphans).
    """
    columns = ", ".join(f'"{name}"' for name in bron.kolomnamen)

    def insert(rows: str) -> int:
        return con.execute(
            f"INSERT INTO {raw_table(bron)} (_bestand, {RIJ}, {columns}, {EXTRA}, _sha256) "
            f"SELECT ?, {RIJ}, {columns}, {EXTRA}, ? FROM {rows}",
            [path.name, checksum],
        ).fetchall()[0][0]

    try:
        with tempfile.TemporaryDirectory(prefix=scratch_prefix("laden"), dir=scratch) as workdir:
            gelezen = read_into(con, path, bron, Path(workdir), insert)
        if earlier is not None:
            _check_shrink(bron, path.name, earlier[1], gelezen.rijen, drempels, bevestigd)
        # Kept before the version can be committed, so a committed file is never missing from the archive.
        if archive is not None:
            keep(archive, bron.naam, path, checksum)
    except BaseException:
        con.execute(f"DELETE FROM {raw_table(bron)} WHERE _bestand = ? AND _sha256 = ?", [path.name, checksum])
        raise
    return Versie(bron.naam, path.name, checksum, gelezen.notatie, gelezen.rijen, path.stat().st_size,
                  earlier is not None, fingerprint)


def _check_shrink(
    bron: Bron, name: str, before: int, after: int, drempels: Drempels, bevestigd: frozenset[str]
) -> None:
    """Hold back a revision that lost more than drempels.max_krimp of its rows, unless confirmed."""
    if after >= before * (1 - drempels.max_krimp) or f"{bron.naam}/{name}" in bevestigd:
        return
    raise rejected(name, "krimp", procent=round(100 * (before - after) / before), oud=before, nieuw=after,
                   bron=bron.naam, bestand=name)


def _not_loaded(
    con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, path: Path, checksum: str,
    accepted: dict[str, tuple[str, int, datetime]], rejection: FileRejected,
) -> FileOutcome:
    """Log a file that could not be read in; its earlier accepted version (if any) keeps counting."""
    kept = VORIGE_VERSIE if path.name in accepted else AFGEWEZEN
    return _record(con, run_id, bron, path.name, checksum, path.stat().st_size, kept, None, rejection.reason)


def _remove_file(con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, name: str) -> FileOutcome:
    """Drop the rows of a file that is no longer delivered."""
    why = reason("niet_meer_aangeleverd")
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {raw_table(bron)} WHERE _bestand = ?", [name])
    con.execute("DELETE FROM bestanden WHERE bron = ? AND bestand = ?", [bron.naam, name])
    _log(con, run_id, bron, name, None, None, None, VERWIJDERD, why)
    con.execute("COMMIT")
    return FileOutcome(bron.naam, name, VERWIJDERD, None, why.text, datetime.now())


def _record(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    bron: Bron,
    name: str,
    checksum: str | None,
    size: int | None,
    uitkomst: str,
    rijen: int | None,
    why: Reason,
) -> FileOutcome:
    """Log a file that was not loaded and return its outcome ('<file>: <reason>' unless a folder)."""
    _log(con, run_id, bron, name, checksum, size, rijen, uitkomst, why)
    text = why.text if name == MAP else f"{name}: {why.text}"
    return FileOutcome(bron.naam, name, uitkomst, rijen, text, datetime.now(), why.detail)


def _log(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    bron: Bron,
    name: str,
    checksum: str | None,
    size: int | None,
    rijen: int | None,
    uitkomst: str,
    why: Reason | None,
    when: datetime | None = None,
) -> None:
    """Append one row to the load log."""
    _log_row(con, run_id, bron.naam, name, checksum, size, rijen, uitkomst, why, when)


def _log_row(
    con: duckdb.DuckDBPyConnection, run_id: str, bron: str, name: str, checksum: str | None, size: int | None,
    rijen: int | None, uitkomst: str, why: Reason | None, when: datetime | None = None,
) -> None:
    """Append one row to the load log; the reason with its operator detail (the warehouse keeps both)."""
    text = None if why is None else why.text + (f" ({why.detail})" if why.detail else "")
    con.execute(
        "INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, bron, name, checksum, size, rijen, when or datetime.now(), uitkomst, text],
    )
