"""etl/publish.py: atomic replacement of the published store, and no person-level column ever in it.

Includes killing a real ETL process (SIGKILL) while it publishes; kills at random moments are in
tests/test_faults.py.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from etl.publish import publish, temp_path
from fixtures.sources import CLEAN, fake_compute, published_figures, write_clean_sources
from wijkmonitor.errors import WijkmonitorError
from wijkmonitor.pipeline import run_etl

ROOT = Path(__file__).resolve().parents[1]
META = pa.table({"sleutel": ["versie"], "waarde": ["1"]})


def _meta(db: Path) -> list[tuple]:
    """The meta rows of a published store."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT sleutel, waarde FROM meta ORDER BY ALL").fetchall()


def test_publish_writes_a_readable_store_and_leaves_no_temp_file(tmp_path: Path) -> None:
    db = tmp_path / "monitor.duckdb"
    publish(db, {"meta": META})
    assert _meta(db) == [("versie", "1")]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["monitor.duckdb"]


def test_publish_replaces_the_previous_store(tmp_path: Path) -> None:
    db = tmp_path / "monitor.duckdb"
    publish(db, {"meta": META})
    publish(db, {"meta": pa.table({"sleutel": ["versie"], "waarde": ["2"]})})
    assert _meta(db) == [("versie", "2")]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"areas": pa.table({"persoon_id": ["P1"]})}, "publiceren geweigerd: persoonsgegevens in areas.persoon_id"),
        ({"personen": META}, "publiceren: tabel 'personen' hoort niet bij de gepubliceerde opslag"),
        ({"meta": pa.table({"sleutel": ["a"], "waarde": [None]}, schema=pa.schema([("sleutel", pa.string()),
                                                                                   ("waarde", pa.string())]))},
         "publiceren: tabel meta past niet in het schema"),
    ],
)
def test_failed_publish_leaves_previous_file_intact(tmp_path: Path, tables: dict, message: str) -> None:
    db = tmp_path / "monitor.duckdb"
    publish(db, {"meta": META})
    before = db.read_bytes()
    with pytest.raises(WijkmonitorError) as raised:
        publish(db, tables)
    assert str(raised.value).startswith(message)
    assert db.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["monitor.duckdb"]


def test_abandoned_temp_file_of_a_dead_process_is_removed(tmp_path: Path) -> None:
    db = tmp_path / "monitor.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = db.with_name(f".{db.name}.publiceren-{int(dead.stdout)}")
    abandoned.write_bytes(b"half geschreven")
    publish(db, {"meta": META})
    assert not abandoned.exists()


_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path[:0] = [{root!r}, {tests!r}]
    import etl.publish
    if {pause_in_publish!r}:
        def _pause(path):
            print("PUBLICEREN", flush=True)
            time.sleep(120)
        etl.publish._fsync = _pause
    from fixtures.sources import fake_compute
    from wijkmonitor.pipeline import run_etl
    print("GESTART", flush=True)
    run_etl(Path({sources!r}), Path({warehouse!r}), Path({db!r}), compute=fake_compute, config=object())
    """
)


def _spawn(folder: Path, pause_in_publish: bool) -> subprocess.Popen:
    """Start the ETL over folder in a child process."""
    code = _CHILD.format(
        root=str(ROOT), tests=str(ROOT / "tests"), pause_in_publish=pause_in_publish,
        sources=str(folder / "bronnen"), warehouse=str(folder / "warehouse.duckdb"), db=str(folder / "monitor.duckdb"),
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def _baseline_and_change(folder: Path) -> list[tuple]:
    """Publish the clean drop, then change one figure in the drop; return the published figures."""
    write_clean_sources(folder / "bronnen")
    assert run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb", compute=fake_compute,
                   config=object(), vandaag=date(2025, 6, 30), out=io.StringIO(), err=io.StringIO()) == 0
    (folder / "bronnen" / "bevolking" / "bevolking.csv").write_text(
        CLEAN["bevolking"].replace("2016-01-01,WK001400,1100", "2016-01-01,WK001400,1150")
    )
    return published_figures(folder / "monitor.duckdb")


def _run_to_end(folder: Path) -> list[tuple]:
    """Run the ETL in-process to the end and return the published figures."""
    assert run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb", compute=fake_compute,
                   config=object(), vandaag=date(2025, 6, 30), out=io.StringIO(), err=io.StringIO()) == 0
    return published_figures(folder / "monitor.duckdb")


@pytest.mark.slow
def test_sigkill_during_publish_leaves_last_published_file_intact(tmp_path: Path) -> None:
    old_figures = _baseline_and_change(tmp_path)
    child = _spawn(tmp_path, pause_in_publish=True)
    for line in child.stdout:
        if line.strip() == "PUBLICEREN":
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert temp_path(tmp_path / "monitor.duckdb").name != "monitor.duckdb"
    assert published_figures(tmp_path / "monitor.duckdb") == old_figures
    leftovers = [path for path in tmp_path.iterdir() if ".publiceren-" in path.name]
    assert leftovers, "the kill should have left the half-published temp file"

    new_figures = _run_to_end(tmp_path)
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1150.0) in new_figures
    assert not [path for path in tmp_path.iterdir() if ".publiceren-" in path.name]
