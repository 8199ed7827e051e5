"""Load delivered files into the warehouse: raw_<bron> tables and a load log, idempotent by checksum.

A file's accepted version lives in `bestanden` (one row per bron and file name) and its rows in
raw_<bron>. The same file again adds nothing; a changed file replaces its earlier rows; a rejected
file keeps its earlier accepted version; a file no longer in the folder stops counting. A source
whose whole folder is missing keeps its earlier accepted files: that is a delivery problem, not a
withdrawal. Accepted files are also kept byte-identical in the archive (etl/archive.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from etl.archive import keep, process_alive
from etl.contract import Bron
from etl.read import EXTRA, RIJ, is_delivery, read_to_parquet
from wijkmonitor.errors import InputRejected

GEACCEPTEERD = "geaccepteerd"
AFGEWEZEN = "afgewezen"
VORIGE_VERSIE = "vorige versie behouden"
ONGEWIJZIGD = "ongewijzigd"
VERWIJDERD = "verwijderd"
MAP = "(map)"  # the file name of the outcome for a missing source folder

_LOG_SQL = """
CREATE TABLE IF NOT EXISTS load_log (
    run_id      VARCHAR NOT NULL,
    bron        VARCHAR NOT NULL,
    bestand     VARCHAR NOT NULL,
    sha256      VARCHAR,
    grootte     BIGINT,
    rijen       BIGINT,
    geladen_op  TIMESTAMP NOT NULL,
    uitkomst    VARCHAR NOT NULL,   -- geaccepteerd | ongewijzigd | afgewezen | vorige versie behouden | verwijderd
    reden       VARCHAR
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
"""
_HASH_CHUNK = 1 << 20
_SCRATCH_MARK = ".wijkmonitor-"


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one delivered file in this run."""

    bron: str
    bestand: str
    uitkomst: str
    rijen: int | None
    reden: str | None
    geladen_op: datetime | None

    @property
    def is_rejected(self) -> bool:
        """True when the file (or this delivery of it) was not accepted."""
        return self.uitkomst in (AFGEWEZEN, VORIGE_VERSIE)


def raw_table(bron: Bron) -> str:
    """Name of the raw table of a source."""
    return f"raw_{bron.naam}"


def create_warehouse_tables(con: duckdb.DuckDBPyConnection, bronnen: list[Bron]) -> None:
    """Create the load log, the accepted-files table and one raw table per source (if absent)."""
    con.execute(_LOG_SQL)
    for bron in bronnen:
        columns = ", ".join(f'"{name}" VARCHAR' for name in bron.kolomnamen)
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {raw_table(bron)} "
            f"(_bestand VARCHAR NOT NULL, {RIJ} BIGINT NOT NULL, {columns}, {EXTRA} VARCHAR)"
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
    archive: Path | None = None,
) -> list[FileOutcome]:
    """Bring raw_<bron> in line with the files now in folder; one outcome per file.

    With an archive, every accepted file (new or unchanged) is kept there as delivered.
    """
    accepted = _accepted_files(con, bron)
    if not folder.is_dir():
        kept = VORIGE_VERSIE if accepted else AFGEWEZEN
        reden = f"bron {bron.naam} ontbreekt in de aanlevering; " + (
            "vorige aanlevering blijft gelden" if accepted else "er is geen vorige aanlevering"
        )
        return [_record(con, run_id, bron, MAP, None, None, kept, None, reden)]
    delivered = _delivered_files(folder)
    outcomes: list[FileOutcome] = []
    checksums = {path.name: sha256_of(path) for path in delivered}
    # Unchanged files first, so a renamed copy of one of them is seen as a duplicate.
    content_owner = {
        checksums[name]: name for name in sorted(checksums) if accepted.get(name) == checksums[name]
    }
    for path in delivered:
        name, checksum = path.name, checksums[path.name]
        if accepted.get(name) == checksum:
            # Kept again if missing (a run killed between loading and keeping, or a new archive).
            if archive is not None:
                keep(archive, bron.naam, path, checksum)
            outcomes.append(_unchanged(con, run_id, bron, path, checksum))
            continue
        owner = content_owner.get(checksum)
        try:
            if not is_delivery(path):
                raise InputRejected(f"{name}: geen CSV- of Parquet-bestand")
            if owner is not None and owner != name:
                raise InputRejected(f"{name}: dubbel aangeleverd, zelfde inhoud als {owner}")
            outcomes.append(_replace_file(con, run_id, bron, path, checksum, scratch, archive))
            content_owner[checksum] = name
        except InputRejected as rejection:
            kept = VORIGE_VERSIE if name in accepted else AFGEWEZEN
            outcomes.append(_record(con, run_id, bron, name, checksum, path.stat().st_size, kept,
                                    None, str(rejection)))
    present = {path.name for path in delivered}
    for name in sorted(set(accepted) - present):
        outcomes.append(_remove_file(con, run_id, bron, name))
    return outcomes


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


def _accepted_files(con: duckdb.DuckDBPyConnection, bron: Bron) -> dict[str, str]:
    """File name -> checksum of the accepted versions of a source."""
    rows = con.execute("SELECT bestand, sha256 FROM bestanden WHERE bron = ?", [bron.naam]).fetchall()
    return dict(rows)


def _unchanged(
    con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, path: Path, checksum: str
) -> FileOutcome:
    """Log an unchanged file; its rows are already in raw."""
    rijen, geladen_op = con.execute(
        "SELECT rijen, geladen_op FROM bestanden WHERE bron = ? AND bestand = ?", [bron.naam, path.name]
    ).fetchone()
    _log(con, run_id, bron, path.name, checksum, path.stat().st_size, rijen, ONGEWIJZIGD, None)
    return FileOutcome(bron.naam, path.name, ONGEWIJZIGD, rijen, None, geladen_op)


def _replace_file(
    con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, path: Path, checksum: str, scratch: Path,
    archive: Path | None,
) -> FileOutcome:
    """Read a new or changed file, keep it in the archive, and swap its rows into raw in one transaction."""
    with tempfile.TemporaryDirectory(prefix=scratch_prefix("laden"), dir=scratch) as workdir:
        parquet = Path(workdir) / "raw.parquet"
        rijen = read_to_parquet(path, bron, parquet)
        # Kept before the commit, so an accepted file is never missing from the archive.
        if archive is not None:
            keep(archive, bron.naam, path, checksum)
        columns = ", ".join(f'"{name}"' for name in bron.kolomnamen)
        now = datetime.now()
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DELETE FROM {raw_table(bron)} WHERE _bestand = ?", [path.name])
            con.execute(
                f"INSERT INTO {raw_table(bron)} SELECT ? AS _bestand, {RIJ}, {columns}, {EXTRA} "
                f"FROM read_parquet({_sql_text(str(parquet))})",
                [path.name],
            )
            con.execute("DELETE FROM bestanden WHERE bron = ? AND bestand = ?", [bron.naam, path.name])
            con.execute(
                "INSERT INTO bestanden VALUES (?, ?, ?, ?, ?, ?)",
                [bron.naam, path.name, checksum, path.stat().st_size, rijen, now],
            )
            _log(con, run_id, bron, path.name, checksum, path.stat().st_size, rijen, GEACCEPTEERD, None, now)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return FileOutcome(bron.naam, path.name, GEACCEPTEERD, rijen, None, now)


def _remove_file(con: duckdb.DuckDBPyConnection, run_id: str, bron: Bron, name: str) -> FileOutcome:
    """Drop the rows of a file that is no longer delivered."""
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {raw_table(bron)} WHERE _bestand = ?", [name])
    con.execute("DELETE FROM bestanden WHERE bron = ? AND bestand = ?", [bron.naam, name])
    _log(con, run_id, bron, name, None, None, None, VERWIJDERD, "bestand niet meer aangeleverd")
    con.execute("COMMIT")
    return FileOutcome(bron.naam, name, VERWIJDERD, None, "bestand niet meer aangeleverd", datetime.now())


def _record(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    bron: Bron,
    name: str,
    checksum: str | None,
    size: int | None,
    uitkomst: str,
    rijen: int | None,
    reden: str | None,
) -> FileOutcome:
    """Log a file that was not loaded and return its outcome."""
    _log(con, run_id, bron, name, checksum, size, rijen, uitkomst, reden)
    return FileOutcome(bron.naam, name, uitkomst, rijen, reden, datetime.now())


def _log(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    bron: Bron,
    name: str,
    checksum: str | None,
    size: int | None,
    rijen: int | None,
    uitkomst: str,
    reden: str | None,
    when: datetime | None = None,
) -> None:
    """Append one row to the load log."""
    con.execute(
        "INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, bron.naam, name, checksum, size, rijen, when or datetime.now(), uitkomst, reden],
    )


def _sql_text(value: str) -> str:
    """A SQL string literal (file paths in table functions)."""
    return "'" + value.replace("'", "''") + "'"
