"""Faults: kept raw files, a damaged warehouse rebuilt from them, full disk and read-only locations, kills.

Every case starts from the tiny clean drop of tests/fixtures/sources.py and the stand-in
computation, so one ETL run takes a few seconds.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

import etl.archive
import etl.publish
from etl.publish import contract_columns
from etl.faults import storage_problem
from etl.repair import MEMORY_LIMIT_VARIABLE, connect_warehouse, memory_limit
from fixtures.sources import CLEAN, CLEAN_ROWS, published_figures, VANDAAG, write_clean_sources
from fixtures.sources import run_fake_etl as _etl
from wijkmonitor.cli import run_etl

pytestmark = pytest.mark.integration  # the whole ETL under storage faults, damage and killed runs

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED_TABLES = set(contract_columns())  # every table of the publication contract
BEVOLKING_1150 = CLEAN["bevolking"].replace("2016-01-01,WK001400,1100", "2016-01-01,WK001400,1150")




def _raw_rows(warehouse: Path) -> dict[str, int]:
    """Rows per raw table of a warehouse, for the sources of the clean drop (the optional kosten is not in it)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: con.execute(f"SELECT count(*) FROM raw_{name}").fetchone()[0] for name in CLEAN_ROWS}


def _sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def _temp_files(folder: Path, small_writes: bool = True) -> list[str]:
    """Names of leftover temp files anywhere under folder (small_writes: also JSON temp files)."""
    marks = (".publiceren-", ".bewaren-", ".wijkmonitor-")
    return sorted(
        path.name for path in folder.rglob("*")
        if any(mark in path.name for mark in marks) or (small_writes and path.name.endswith(".tmp"))
    )


@pytest.fixture()
def drop(tmp_path: Path) -> Path:
    """A folder with the clean drop in bronnen/, loaded and published once."""
    write_clean_sources(tmp_path / "bronnen")
    assert _etl(tmp_path)[:3:2] == (0, "")
    return tmp_path


# --- kept raw files ---------------------------------------------------------------------------------

def test_accepted_files_are_kept_byte_identical_with_the_current_list(drop: Path) -> None:
    archive = drop / "warehouse_bestanden"
    kept = {str(path.relative_to(archive)) for path in archive.rglob("*") if path.is_file()}
    expected = {f"{bron}/{_sha256(text.encode())}__{bron}.csv" for bron, text in CLEAN.items()}
    assert kept == expected | {"huidig.json"}
    for name in expected:
        bron = name.split("/")[0]
        assert (archive / name).read_bytes() == (drop / "bronnen" / bron / f"{bron}.csv").read_bytes()
    manifest = json.loads((archive / "huidig.json").read_text(encoding="utf-8"))
    assert manifest == {bron: {f"{bron}.csv": _sha256(text.encode())} for bron, text in CLEAN.items()}


def test_a_changed_file_is_kept_next_to_its_earlier_version_and_unchanged_ones_are_not_copied(drop: Path) -> None:
    archive = drop / "warehouse_bestanden"
    bijstand_kept = archive / "bijstand" / f"{_sha256(CLEAN['bijstand'].encode())}__bijstand.csv"
    copied_at = bijstand_kept.stat().st_mtime_ns
    (drop / "bronnen" / "bevolking" / "bevolking.csv").write_text(BEVOLKING_1150, encoding="utf-8")
    assert _etl(drop)[0] == 0
    assert sorted(path.name for path in (archive / "bevolking").iterdir()) == sorted(
        f"{_sha256(text.encode())}__bevolking.csv" for text in (CLEAN["bevolking"], BEVOLKING_1150)
    )
    assert bijstand_kept.stat().st_mtime_ns == copied_at
    manifest = json.loads((archive / "huidig.json").read_text(encoding="utf-8"))
    assert manifest["bevolking"] == {"bevolking.csv": _sha256(BEVOLKING_1150.encode())}


def test_a_copy_abandoned_by_a_killed_run_is_cleared(drop: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = drop / "warehouse_bestanden" / "bijstand" / f".bewaren-{int(dead.stdout)}-abc__bijstand.csv"
    abandoned.write_bytes(b"half")
    assert _etl(drop)[0] == 0
    assert not abandoned.exists()


def test_a_rejected_file_is_not_kept(drop: Path) -> None:
    (drop / "bronnen" / "bijstand" / "bijstand_2.csv").write_bytes(b"")
    assert _etl(drop)[0] == 1
    assert [path.name for path in (drop / "warehouse_bestanden" / "bijstand").iterdir()] == [
        f"{_sha256(CLEAN['bijstand'].encode())}__bijstand.csv"
    ]


# --- a missing source folder ------------------------------------------------------------------------

def test_missing_source_folder_keeps_the_earlier_delivery(drop: Path) -> None:
    before = published_figures(drop / "monitor.duckdb")
    shutil.rmtree(drop / "bronnen" / "participatie")
    code, _, err = _etl(drop)
    assert (code, err) == (
        1, "wijkmonitor etl: bron participatie ontbreekt in de aanlevering; vorige aanlevering blijft gelden\n"
    )
    assert _raw_rows(drop / "warehouse.duckdb") == CLEAN_ROWS
    assert published_figures(drop / "monitor.duckdb") == before
    write_clean_sources(drop / "bronnen")
    assert _etl(drop)[:3:2] == (0, "")


# --- a damaged warehouse ----------------------------------------------------------------------------

def _garbage_at_start(path: Path) -> None:
    """Overwrite the header blocks with bytes that are no DuckDB file."""
    with path.open("r+b") as stream:
        stream.write(b"\x00beschadigd\xff" * 1000)


def _truncate_to_half(path: Path) -> None:
    """Cut the file in half, as a full disk or a bad copy would."""
    os.truncate(path, path.stat().st_size // 2)


def _empty(path: Path) -> None:
    """Leave a 0-byte file."""
    os.truncate(path, 0)


@pytest.mark.parametrize("damage", [_garbage_at_start, _truncate_to_half, _empty])
def test_damaged_warehouse_is_moved_aside_and_rebuilt_from_the_kept_files(drop: Path, damage) -> None:
    before = published_figures(drop / "monitor.duckdb")
    warehouse = drop / "warehouse.duckdb"
    damage(warehouse)
    code, out, err = _etl(drop)
    assert code == 0
    aside = [path.name for path in drop.iterdir() if path.name.startswith("warehouse.duckdb.beschadigd-")]
    assert len(aside) == 1
    assert err.startswith(f"wijkmonitor etl: warehouse {warehouse} is beschadigd (")
    assert err.endswith(f"); verplaatst naar {aside[0]} en opnieuw opgebouwd uit de bewaarde bestanden "
                        f"in {drop / 'warehouse_bestanden'}\n")
    assert err.count("\n") == 1
    assert "warehouse herstellen uit 6 bewaarde bestand(en)" in out
    assert published_figures(drop / "monitor.duckdb") == before
    assert _raw_rows(warehouse) == CLEAN_ROWS
    assert _temp_files(drop) == []


def test_rebuilt_warehouse_then_takes_the_new_drop(drop: Path) -> None:
    _garbage_at_start(drop / "warehouse.duckdb")
    (drop / "bronnen" / "bevolking" / "bevolking.csv").write_text(BEVOLKING_1150, encoding="utf-8")
    code, _, err = _etl(drop)
    assert code == 0 and "is beschadigd" in err
    figures = published_figures(drop / "monitor.duckdb")
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1150.0) in figures
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1100.0) not in figures


def test_a_warehouse_locked_by_another_process_is_not_taken_for_damaged(drop: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
                               "time.sleep(60)", str(drop / "warehouse.duckdb")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        code, _, err = _etl(drop)
    finally:
        holder.kill()
        holder.wait()
    assert code == 3
    assert err.startswith("wijkmonitor etl: stap 'warehouse openen' mislukt: IOException: IO Error: Could not set lock")
    assert not [path for path in drop.iterdir() if ".beschadigd-" in path.name]


# --- full disk and read-only locations (in-process, so it works for root too) -------------------------

@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/data/w.duckdb"), "/data/w.duckdb: schijf vol"),
        (OSError(errno.EROFS, "Read-only file system", "/data/m.duckdb"), "/data/m.duckdb: alleen-lezen"),
        (OSError(errno.EACCES, "Permission denied"), "geen schrijfrechten"),
        (duckdb.IOException('IO Error: Could not write file "/data/w.duckdb": No space left on device'),
         "/data/w.duckdb: schijf vol"),
        (duckdb.IOException('IO Error: Cannot open file "/data/w.duckdb": Read-only file system'),
         "/data/w.duckdb: alleen-lezen"),
        (OSError(errno.ENOENT, "No such file or directory", "/data/w.duckdb"), None),
        (ValueError("no space left on device"), None),
    ],
)
def test_storage_faults_are_named_with_file_and_cause(error: BaseException, problem: str | None) -> None:
    assert storage_problem(error) == problem


def test_warehouse_connection_has_no_duckdb_progress_bar(tmp_path: Path) -> None:
    con = connect_warehouse(tmp_path / "warehouse.duckdb")
    try:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0] is False
    finally:
        con.close()


def test_warehouse_memory_limit_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "700MB")
    con = connect_warehouse(tmp_path / "warehouse.duckdb")
    try:
        # the budget less 200 MB for what DuckDB does not count: 500,000,000 bytes, shown by DuckDB in MiB
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "476.8 MiB"
    finally:
        con.close()


@pytest.mark.parametrize("setting, buffer_manager", [
    ("3GB", 2_800_000_000),  # the default: 3,000,000,000 less 200,000,000
    ("1.5GB", 1_300_000_000),
    ("1 GB", 800_000_000),
    ("1GiB", 1_073_741_824 - 200_000_000),
    ("300MB", 150_000_000),  # 300 MB less 200 MB would leave less than half: half
    ("400mb", 200_000_000),  # exactly half either way
])
def test_duckdb_gets_the_memory_budget_less_what_it_does_not_count(
    setting: str, buffer_manager: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, setting)
    assert memory_limit() == f"{buffer_manager}B"
    con = duckdb.connect(config={"memory_limit": memory_limit()})
    try:  # DuckDB reads the limit as those bytes
        assert con.execute("SELECT current_setting('memory_limit') = format_bytes($b)", {"b": buffer_manager}).fetchone()[0]
    finally:
        con.close()


def test_checkpoints_leave_row_groups_as_inserted_and_drop_those_of_deleted_files(tmp_path: Path) -> None:
    """A parallel INSERT from Parquet row groups just over DuckDB's row-group size leaves a short row group
    after each; merging them at checkpoints rewrote a fifth of the load. Deleted files still give their space back."""
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    rows = 3 * 130_000  # three Parquet row groups, each one DuckDB row group of 122,880 and a short one
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"v": [f"waarde {i}" for i in range(rows)]}), path, row_group_size=130_000)
    con = connect_warehouse(tmp_path / "warehouse.duckdb")
    try:
        con.execute("SET threads = 2")
        con.execute("CREATE TABLE t (bestand VARCHAR, v VARCHAR)")
        con.execute("CREATE TABLE andere (x INTEGER)")
        for name in ("a", "b"):
            con.execute(f"INSERT INTO t SELECT '{name}', v FROM read_parquet('{path}')")
        con.execute("CHECKPOINT")

        def row_groups() -> list[int]:
            return [count for (count,) in con.execute(
                "SELECT sum(count) FROM pragma_storage_info('t') WHERE column_name = 'v' AND segment_type = 'VARCHAR' "
                "GROUP BY row_group_id ORDER BY row_group_id").fetchall()]

        inserted = row_groups()
        assert sum(inserted) == 2 * rows and len(inserted) > 2 * rows // 122_880 + 1  # short ones among them
        con.execute("INSERT INTO andere VALUES (1)")
        con.execute("CHECKPOINT")
        assert row_groups() == inserted  # a checkpoint for another table's change rewrote nothing here
        con.execute("DELETE FROM t WHERE bestand = 'a'")
        con.execute("CHECKPOINT")
        assert sum(row_groups()) == rows and len(row_groups()) == len(inserted) // 2
    finally:
        con.close()


def test_an_unknown_memory_limit_is_a_usage_error_before_the_warehouse_opens(
    drop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_VARIABLE, "veel")
    warehouse = drop / "warehouse.duckdb"
    before = warehouse.read_bytes()
    err = io.StringIO()
    code = run_etl(drop / "bronnen", warehouse, drop / "monitor.duckdb", vandaag=VANDAAG, out=io.StringIO(), err=err)
    assert code == 2 and "WIJKMONITOR_GEHEUGEN=veel" in err.getvalue()
    assert warehouse.read_bytes() == before


def _fail_while_writing(error_number: int):
    """A stand-in for publish's file writer that writes half a file and then meets error_number."""

    def write_store(target: Path, tables: dict, previous: Path | None = None) -> None:
        target.write_bytes(b"half")
        raise OSError(error_number, os.strerror(error_number), str(target))

    return write_store


@pytest.mark.parametrize(("error_number", "cause"), [(errno.ENOSPC, "schijf vol"), (errno.EROFS, "alleen-lezen")])
def test_full_or_read_only_publish_target_leaves_the_published_file_alone(
    drop: Path, monkeypatch: pytest.MonkeyPatch, error_number: int, cause: str
) -> None:
    db = drop / "monitor.duckdb"
    before = db.read_bytes()
    monkeypatch.setattr(etl.publish, "_write_store", _fail_while_writing(error_number))
    code, _, err = _etl(drop)
    assert (code, err) == (3, f"wijkmonitor etl: {db}: {cause}; de vorige publicatie blijft staan\n")
    assert db.read_bytes() == before
    assert _temp_files(drop) == []


def test_read_only_rename_leaves_the_published_file_alone(drop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = drop / "monitor.duckdb"
    before = db.read_bytes()

    class ReadOnlyRename:
        """os as etl.publish sees it, with a rename that meets a read-only file system."""

        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        @staticmethod
        def replace(source: object, target: object) -> None:
            raise OSError(errno.EROFS, "Read-only file system", str(source))

    monkeypatch.setattr(etl.publish, "os", ReadOnlyRename())
    code, _, err = _etl(drop)
    monkeypatch.undo()
    assert (code, err) == (3, f"wijkmonitor etl: {db}: alleen-lezen; de vorige publicatie blijft staan\n")
    assert db.read_bytes() == before
    assert _temp_files(drop) == []


def test_full_disk_at_the_warehouse_stops_the_run_without_damage(drop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (drop / "monitor.duckdb").read_bytes()
    (drop / "bronnen" / "bevolking" / "bevolking.csv").write_text(BEVOLKING_1150, encoding="utf-8")

    def full_disk_copy(source: Path, target: Path) -> None:
        Path(target).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(etl.archive.shutil, "copyfile", full_disk_copy)
    code, _, err = _etl(drop)
    monkeypatch.undo()
    assert code == 3
    assert err.startswith("wijkmonitor etl: stap 'laden en controleren' mislukt: ")
    assert err.endswith("__bevolking.csv: schijf vol\n")
    assert (drop / "monitor.duckdb").read_bytes() == before
    assert _temp_files(drop) == []
    assert _raw_rows(drop / "warehouse.duckdb") == CLEAN_ROWS
    assert _etl(drop)[:3:2] == (0, "")
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1150.0) in published_figures(drop / "monitor.duckdb")


# --- the same on a real small or read-only file system, where mounting is allowed ---------------------

@pytest.fixture()
def tmpfs(tmp_path: Path):
    """Mount a 32 MiB tmpfs at tmp_path/mnt (skip where mounting is not permitted); yield its path."""
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mountpoint)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def _remount(mountpoint: Path, options: str) -> None:
    """Remount the test tmpfs with other options."""
    subprocess.run(["mount", "-o", f"remount,{options}", str(mountpoint)], check=True)


def test_real_read_only_file_system_for_publication_and_warehouse(drop: Path, tmpfs: Path) -> None:
    db, warehouse = tmpfs / "monitor.duckdb", tmpfs / "warehouse.duckdb"
    assert _etl(drop, warehouse, db)[0] == 0
    _remount(tmpfs, "ro")
    before = db.read_bytes()
    code, _, err = _etl(drop, warehouse, db)
    assert code == 3
    assert err == f"wijkmonitor etl: stap 'warehouse openen' mislukt: {warehouse}: alleen-lezen\n"
    code, _, err = _etl(drop, drop / "warehouse.duckdb", db)
    assert (code, err) == (3, f"wijkmonitor etl: {db}: alleen-lezen; de vorige publicatie blijft staan\n")
    assert db.read_bytes() == before
    _remount(tmpfs, "rw")
    assert _temp_files(tmpfs) == []
    assert published_figures(db) == published_figures(drop / "monitor.duckdb")


def test_real_full_disk_for_publication(drop: Path, tmpfs: Path) -> None:
    db = tmpfs / "monitor.duckdb"
    assert _etl(drop, db=db)[0] == 0
    before = db.read_bytes()
    # Leave less room than one more published file needs next to the current one.
    filler = tmpfs / "vulling"
    room = shutil.disk_usage(tmpfs).free - len(before) // 2
    filler.write_bytes(b"\0" * max(room, 0))
    code, _, err = _etl(drop, db=db)
    assert (code, err) == (3, f"wijkmonitor etl: {db}: schijf vol; de vorige publicatie blijft staan\n")
    assert db.read_bytes() == before
    assert _temp_files(tmpfs) == []


def test_real_full_disk_for_the_warehouse_does_no_damage(drop: Path, tmpfs: Path) -> None:
    warehouse = tmpfs / "warehouse.duckdb"
    assert _etl(drop, warehouse)[0] == 0
    before = (drop / "monitor.duckdb").read_bytes()
    filler = tmpfs / "vulling"
    filler.write_bytes(b"\0" * max(shutil.disk_usage(tmpfs).free - 64 * 1024, 0))
    (drop / "bronnen" / "bevolking" / "bevolking.csv").write_text(BEVOLKING_1150, encoding="utf-8")
    code, _, err = _etl(drop, warehouse)
    assert code == 3
    assert err.startswith("wijkmonitor etl: stap '") and err.endswith(": schijf vol\n") and err.count("\n") == 1
    assert (drop / "monitor.duckdb").read_bytes() == before
    filler.unlink()
    assert _etl(drop, warehouse)[:3:2] == (0, "")
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1150.0) in published_figures(drop / "monitor.duckdb")
    assert _temp_files(tmpfs) == []


# --- kills at random moments ---------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    sys.path[:0] = [{root!r}, {tests!r}]
    from fixtures.sources import fake_compute
    from etl.repair import connect_warehouse
    from wijkmonitor.cli import run_etl
    print("GESTART", flush=True)
    sys.exit(run_etl(Path({sources!r}), Path({warehouse!r}), Path({db!r}), compute=fake_compute, config=object(),
                     vandaag=date.fromisoformat({vandaag!r})))
    """
)


def _spawn(folder: Path) -> subprocess.Popen:
    """Start the ETL over folder in a child process; its first line says the imports are done."""
    code = _CHILD.format(
        root=str(ROOT), tests=str(ROOT / "tests"), sources=str(folder / "bronnen"),
        warehouse=str(folder / "warehouse.duckdb"), db=str(folder / "monitor.duckdb"), vandaag=VANDAAG.isoformat(),
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
    assert child.stdout.readline().strip() == "GESTART"
    return child


def _complete_figures(db: Path) -> list[tuple]:
    """The published figures, after checking that every table of the published store is there and readable."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert tables == PUBLISHED_TABLES
        for table in tables:
            con.execute(f"SELECT * FROM {table}").fetchall()
        assert con.execute("SELECT count(*) FROM meta WHERE sleutel = 'run_id'").fetchone()[0] == 1
    return published_figures(db)


def _deliver(folder: Path, bevolking: str) -> None:
    """Put one version of the bevolking file in the drop."""
    (folder / "bronnen" / "bevolking" / "bevolking.csv").write_text(bevolking, encoding="utf-8")


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_the_old_or_the_new_store(drop: Path) -> None:
    drops = {"oud": CLEAN["bevolking"], "nieuw": BEVOLKING_1150}
    figures = {"oud": _complete_figures(drop / "monitor.duckdb")}
    durations = []  # whole runs after the imports, to spread the kills over; the first one has cold caches
    for version in ("nieuw", "oud"):
        _deliver(drop, drops[version])
        child = _spawn(drop)
        started = time.monotonic()
        assert child.wait() == 0
        durations.append(time.monotonic() - started)
        figures[version] = _complete_figures(drop / "monitor.duckdb")
    assert figures["oud"] != figures["nieuw"]
    duration = min(durations)
    rng = random.Random(20261122)
    published, landed = "oud", []
    for _ in range(10):
        target = "oud" if published == "nieuw" else "nieuw"
        _deliver(drop, drops[target])
        child = _spawn(drop)
        delay = rng.uniform(0.0, duration)
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        after_kill = _complete_figures(drop / "monitor.duckdb")
        assert after_kill in (figures[published], figures[target])
        landed.append(f"{delay:.1f}/{duration:.1f} s: {'nieuw' if after_kill == figures[target] else 'oud'}")
        assert _etl(drop)[:3:2] == (0, "")  # the next normal run succeeds and publishes the drop
        assert _complete_figures(drop / "monitor.duckdb") == figures[target]
        # Kills leave scratch, copies and half-published files behind; the next run clears them.
        assert _temp_files(drop, small_writes=False) == []
        published = target
    print("kills (delay / run duration: store found):", "; ".join(landed))  # shown with pytest -rP


def test_full_disk_without_a_file_in_the_message_names_the_file_of_the_step(drop: Path) -> None:
    def full_disk(con, config):
        raise duckdb.IOException("IO Error: No space left on device")

    err = io.StringIO()
    code = run_etl(drop / "bronnen", drop / "warehouse.duckdb", drop / "monitor.duckdb", compute=full_disk,
                   config=object(), vandaag=VANDAAG, out=io.StringIO(), err=err)
    assert (code, err.getvalue()) == (
        3, f"wijkmonitor etl: stap 'berekenen' mislukt: {drop / 'warehouse.duckdb'}: schijf vol\n"
    )


def test_storage_fault_falls_back_to_the_step_file() -> None:
    assert storage_problem(OSError(errno.ENOSPC, "No space left on device"), fallback="/data/m.duckdb") == (
        "/data/m.duckdb: schijf vol"
    )
