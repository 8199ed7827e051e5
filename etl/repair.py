"""Opening the warehouse, and rebuilding it from the archive when the file itself is damaged.

Every accepted delivery is kept byte-identical next to the warehouse (etl/archive.py). A warehouse
that DuckDB cannot open or read is moved aside (never deleted: it is evidence) and a new one is
built by loading and gating the kept files as a normal run would. A locked or unreachable file is
no damage: that error goes to the operator unchanged.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from core.errors import UsageError, WarehouseDamaged
from etl.archive import read_manifest, restore_drop
from etl.load import scratch_prefix

# DuckDB would take up to 80% of RAM; a ceiling keeps a national-scale run bounded (it spills to disk
# beyond it). An operator sets another with the environment variable below (docs/configuration.md).
WAREHOUSE_MEMORY_LIMIT = "3GB"
MEMORY_LIMIT_VARIABLE = "WIJKMONITOR_GEHEUGEN"
# DuckDB's memory_limit covers its buffer manager only; some operators allocate beside it (measured at
# national scale: 100-170 MiB past the limit in the cost cells' INSERTs and the suppression's UPDATEs). The
# setting is what DuckDB may take in all, so its buffer manager gets the setting minus this headroom
# (and at least half the setting).
UNCOUNTED_HEADROOM = 200 * 1000**2  # bytes
# the units DuckDB reads in a memory setting (decimal and binary), in bytes
_UNITS = {"b": 1, "byte": 1, "bytes": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2,
          "g": 1000**3, "gb": 1000**3, "t": 1000**4, "tb": 1000**4,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
# No merging of row groups at checkpoints. A parallel INSERT leaves a short row group after every
# batch of the source (a Parquet row group of 127,555 rows: one of 122,880 and one of 4,675), and every
# checkpoint then rewrote (decompressed, recompressed) up to 100 runs of them, whichever table had
# changed: at national scale about a fifth of the load's CPU, and more at every later checkpoint.
# Row groups whose rows are all deleted are still dropped (a replaced file's rows are its own row groups).
WAREHOUSE_VACUUM_TASKS = 0
# What DuckDB says when a database file itself is damaged (as opposed to locked or unreachable).
DAMAGE_MARKERS = (
    "not a valid duckdb database file", "could not read enough bytes", "checksum", "corrupt",
    "failure while replaying wal",
)

# Loads the restored drop into the given empty warehouse; the second argument is the restored folder,
# the third the "bron/bestand" names whose shrink needs no new confirmation (they were accepted once).
Reload = Callable[[duckdb.DuckDBPyConnection, Path, frozenset[str]], None]


def memory_limit() -> str:
    """DuckDB's memory_limit for the warehouse: the budget (WIJKMONITOR_GEHEUGEN, e.g. 1.5GB, or
    WAREHOUSE_MEMORY_LIMIT) minus UNCOUNTED_HEADROOM, in bytes."""
    return f"{buffer_manager_bytes(memory_budget())}B"


def memory_budget() -> int:
    """The memory DuckDB may take for the warehouse in bytes: WIJKMONITOR_GEHEUGEN or WAREHOUSE_MEMORY_LIMIT."""
    setting = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip() or WAREHOUSE_MEMORY_LIMIT
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)", setting.lower())
    if not match or match.group(2) not in _UNITS or float(match.group(1)) <= 0:
        raise UsageError(f"{MEMORY_LIMIT_VARIABLE}={setting}: geen geheugengrens die DuckDB kent "
                         f"(bijvoorbeeld 1.5GB of 800MB)")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def buffer_manager_bytes(budget: int) -> int:
    """The part of a memory budget DuckDB's buffer manager gets: the rest is for what DuckDB does not count."""
    return max(budget - UNCOUNTED_HEADROOM, budget // 2)


def connect_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write warehouse connection with bounded memory (memory_limit()) and without DuckDB's progress bar."""
    con = duckdb.connect(str(path), config={"memory_limit": memory_limit(),
                                            "max_vacuum_tasks": WAREHOUSE_VACUUM_TASKS})
    # DuckDB's own progress bar would mix with our progress lines on the terminal.
    con.execute("SET enable_progress_bar = false")
    return con


@contextmanager
def damage_raised(warehouse: Path) -> Iterator[None]:
    """Turn a DuckDB error that says the warehouse file is damaged into WarehouseDamaged; others pass as they are."""
    try:
        yield
    except duckdb.Error as error:
        if not is_damage(error):
            raise
        raise WarehouseDamaged(warehouse, first_line(error)) from error


def is_damage(error: duckdb.Error) -> bool:
    """True when DuckDB's message says the file is damaged (a lock or access problem is not)."""
    text = str(error).lower()
    return any(marker in text for marker in DAMAGE_MARKERS)


def open_checked(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Connect and read every table once, so a damaged file fails here (WarehouseDamaged) and not halfway the run."""
    with damage_raised(warehouse):
        con = connect_warehouse(warehouse)
        try:
            tables = con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            ).fetchall()
            for (table,) in tables:
                con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        except BaseException:
            close_quietly(con)
            raise
    return con


def rebuild(
    damaged: WarehouseDamaged, archive: Path, reload: Reload, notify: Callable[[str], None],
    progress: Callable[[str], None],
) -> duckdb.DuckDBPyConnection:
    """Move the damaged warehouse aside, say so in one line, and rebuild it from the kept files; return it open."""
    warehouse = Path(damaged.path)
    aside = move_aside(warehouse)
    notify(f"{damaged}; verplaatst naar {aside.name} en opnieuw opgebouwd uit de bewaarde bestanden in {archive}")
    con = connect_warehouse(warehouse)
    try:
        current = read_manifest(archive)
        progress(f"warehouse herstellen uit {sum(len(files) for files in current.values())} bewaarde bestand(en)")
        with tempfile.TemporaryDirectory(prefix=scratch_prefix("herstel"), dir=warehouse.parent) as folder:
            drop = Path(folder)
            for name in restore_drop(archive, current, drop):
                notify(f"bewaard bestand {name} ontbreekt in {archive}; niet hersteld")
            reload(con, drop, frozenset(f"{bron}/{name}" for bron, files in current.items() for name in files))
    except BaseException:
        close_quietly(con)
        raise
    return con


def move_aside(warehouse: Path) -> Path:
    """Rename a damaged warehouse (and its WAL) to <name>.beschadigd-<timestamp>; return the new path."""
    aside = warehouse.with_name(f"{warehouse.name}.beschadigd-{datetime.now():%Y%m%dT%H%M%S}")
    os.replace(warehouse, aside)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        os.replace(wal, aside.with_name(aside.name + ".wal"))
    return aside


def close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection; a failure while closing must not hide the error that is being reported."""
    try:
        con.close()
    except duckdb.Error:
        pass


def first_line(error: BaseException) -> str:
    """First line of an exception, for an operator."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
