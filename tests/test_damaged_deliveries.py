"""The damaged-delivery library (tests/fixtures/damaged_deliveries.py), run through the real ETL.

One clean ETL per session gives the reference figures; every case copies its warehouse (or starts a
new one), puts the damage on top of the clean drop and runs the ETL again. Each case asserts the
exit code, a stderr fragment, the quarantined rows and held-back files, that no person key reached
the published store, and that every published figure equals the clean drop's or is absent.
"""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from fixtures.damaged_deliveries import CASES, KEY_PREFIXES, Case, write_clean_drop
from wijkmonitor.cli import run_etl

pytestmark = pytest.mark.integration  # the whole ETL once per damaged drop

VANDAAG = date(2025, 6, 30)
FIGURE_KEY = "indicator, peildatum, niveau, gebiedcode"


def _run(folder: Path) -> tuple[int, str]:
    """The ETL over folder/bronnen into folder's warehouse and store; (exit code, stderr)."""
    err = io.StringIO()
    code = run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb", vandaag=VANDAAG,
                   out=io.StringIO(), err=err)
    return code, err.getvalue()


def _figures(db: Path) -> dict[tuple, tuple]:
    """(indicator, peildatum, niveau, gebiedcode) -> (waarde, absent) of a published store."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            f"SELECT {FIGURE_KEY}, waarde, waarde IS NULL OR onderdrukt OR status = 'onvoldoende gegevens' "
            "FROM indicator_values"
        ).fetchall()
    return {tuple(row[:4]): (row[4], row[5]) for row in rows}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean drop, its warehouse and its published store."""
    folder = tmp_path_factory.mktemp("schoon")
    write_clean_drop(folder / "bronnen")
    code, err = _run(folder)
    assert (code, err) == (0, "")
    return folder


def test_the_clean_drop_publishes_most_figures(clean: Path) -> None:
    """Otherwise "equal or absent" would hold trivially."""
    figures = _figures(clean / "monitor.duckdb")
    with duckdb.connect(str(clean / "monitor.duckdb"), read_only=True) as con:
        indicators = {row[0] for row in con.execute("SELECT DISTINCT indicator FROM indicator_values").fetchall()}
    for indicator in indicators:
        shown = [value for key, (value, absent) in figures.items() if key[0] == indicator and not absent]
        assert len(shown) >= 3, indicator
    assert sum(not absent for _, absent in figures.values()) >= 150


def test_library_is_large_and_varied() -> None:
    assert len(CASES) >= 40
    assert sum(case.fresh for case in CASES.values()) >= 2
    assert len({status for case in CASES.values() for _, _, status in case.held_back}) >= 4


@pytest.mark.parametrize("name", list(CASES))
def test_damaged_delivery(clean: Path, tmp_path: Path, name: str) -> None:
    case: Case = CASES[name]
    folder = tmp_path / "run"
    if case.fresh:
        folder.mkdir()
        shutil.copytree(clean / "bronnen", folder / "bronnen")
    else:
        shutil.copytree(clean, folder)
    case.damage(folder / "bronnen")
    code, err = _run(folder)

    assert code == case.exit_code, err
    assert case.message in err
    assert len(err) < 10_000, "a delivered value is never printed whole"
    _check_quarantine_and_files(folder, case)
    _check_nothing_delivered_is_published(folder / "monitor.duckdb")
    _check_figures_equal_or_absent(clean / "monitor.duckdb", folder / "monitor.duckdb", case)


def _check_quarantine_and_files(folder: Path, case: Case) -> None:
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        run_id = con.execute("SELECT max(run_id) FROM load_log").fetchone()[0]
        quarantined = dict(con.execute(
            "SELECT bron, count(DISTINCT (bestand, rij)) FROM quarantine WHERE run_id = ? GROUP BY bron", [run_id]
        ).fetchall())
        longest = con.execute("SELECT max(length(waarde)) FROM quarantine WHERE run_id = ?", [run_id]).fetchone()[0]
    assert quarantined == case.quarantined
    assert (longest or 0) <= 101
    with duckdb.connect(str(folder / "monitor.duckdb"), read_only=True) as con:
        held_back = set(con.execute(
            "SELECT bron, bestand, status FROM dq_files WHERE status <> 'geaccepteerd'"
        ).fetchall())
    assert held_back == case.held_back


def _check_nothing_delivered_is_published(db: Path) -> None:
    """No person key of the drop in any text of the published data-quality tables."""
    with duckdb.connect(str(db), read_only=True) as con:
        for table in ("dq_files", "dq_rules", "dq_sources"):
            columns = [row[0] for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND data_type = 'VARCHAR'",
                [table],
            ).fetchall()]
            for column in columns:
                for (text,) in con.execute(f'SELECT DISTINCT "{column}" FROM {table}').fetchall():
                    assert not any(prefix in (text or "") for prefix in KEY_PREFIXES), (table, column, text)


def _check_figures_equal_or_absent(clean_db: Path, db: Path, case: Case) -> None:
    reference, damaged = _figures(clean_db), _figures(db)
    differing = [
        (key, reference.get(key), value)
        for key, (value, absent) in damaged.items()
        if not absent and (key not in reference or reference[key][1] or reference[key][0] != value)
    ]
    assert differing == [], "a published figure differs from the clean drop's"
    for indicator in case.must_be_absent:
        shown = [key for key, (_, absent) in damaged.items() if key[0] == indicator and not absent]
        assert shown == [], f"{indicator} published without its source"
