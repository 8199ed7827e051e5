"""Write the published store atomically: a new file next to the old one, checked, then renamed onto it.

Until os.replace, the previous published file is never touched, so a crash or kill at any moment
leaves it intact; after os.replace readers that open the path see the complete new file.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from etl.contract import PERSOONSKOLOMMEN
from etl.faults import storage_problem
from wijkmonitor.errors import WijkmonitorError

PUBLISHED_SCHEMA = Path(__file__).with_name("published_schema.sql")
_TEMP_MARK = ".publiceren-"


def temp_path(db: Path) -> Path:
    """The new file this process writes before swapping it in (same folder, so rename is atomic)."""
    return db.with_name(f".{db.name}{_TEMP_MARK}{os.getpid()}")


def publish(db: Path, tables: dict[str, pa.Table | pl.DataFrame]) -> None:
    """Create the published schema in a new file, insert tables, check, fsync and rename onto db.

    A full disk or read-only folder raises WijkmonitorError naming db and the cause; the previous
    published file is untouched and the new file is removed.
    """
    target = temp_path(db)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_temp_files(db)
        _remove(target)
        _write_store(target, tables)
        _fsync(target)
        os.replace(target, db)
        _fsync_directory(db.parent)
    except BaseException as error:
        _remove_quietly(target)
        problem = storage_problem(error, db)
        if problem is not None:
            raise WijkmonitorError(f"{problem}; de vorige publicatie blijft staan") from None
        raise


def person_level_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """'table.column' for every person-level key column present in the store."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns ORDER BY ALL"
    ).fetchall()
    return [f"{table}.{column}" for table, column in rows if column.lower() in PERSOONSKOLOMMEN]


def _write_store(target: Path, tables: dict[str, pa.Table | pl.DataFrame]) -> None:
    """Fill a fresh DuckDB file with the published schema and tables; refuse person-level columns."""
    con = duckdb.connect(str(target))
    try:
        con.execute(PUBLISHED_SCHEMA.read_text(encoding="utf-8"))
        known = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for name, table in tables.items():
            if name not in known:
                raise WijkmonitorError(f"publiceren: tabel '{name}' hoort niet bij de gepubliceerde opslag")
            _insert(con, name, table)
        leaked = person_level_columns(con)
        if leaked:
            raise WijkmonitorError(f"publiceren geweigerd: persoonsgegevens in kolom {', '.join(leaked)}")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        raise WijkmonitorError(f"publiceren: {wal.name} niet verwerkt")


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table | pl.DataFrame) -> None:
    """Insert one table by column name; a column the schema lacks is an error, not dropped."""
    arrow = table.to_arrow() if isinstance(table, pl.DataFrame) else table
    leaked = [column for column in arrow.column_names if column.lower() in PERSOONSKOLOMMEN]
    if leaked:
        raise WijkmonitorError(f"publiceren geweigerd: persoonsgegevens in {name}.{', '.join(leaked)}")
    con.register("te_publiceren", arrow)
    try:
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM te_publiceren")
    except duckdb.Error as error:
        reason = str(error).splitlines()[0]
        raise WijkmonitorError(f"publiceren: tabel {name} past niet in het schema ({reason})") from None
    finally:
        con.unregister("te_publiceren")


def _remove_abandoned_temp_files(db: Path) -> None:
    """Delete temp files of earlier publishing processes that no longer run (killed mid-publish)."""
    for path in db.parent.glob(f".{db.name}{_TEMP_MARK}*"):
        pid_text = path.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _process_alive(int(pid_text)):
            _remove(path)


def _process_alive(pid: int) -> bool:
    """True when a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    """Delete a file and its DuckDB WAL, if present."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def _remove_quietly(path: Path) -> None:
    """_remove while already handling an error: a second failure must not replace the first."""
    try:
        _remove(path)
    except OSError:
        pass


def _fsync(path: Path) -> None:
    """Flush a file's contents to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_directory(folder: Path) -> None:
    """Flush a directory entry (the rename) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
