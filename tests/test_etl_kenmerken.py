"""The optional source kenmerken (data-contracts.md v2) through the gate: a Dutch-locale CBS export is read
with its decimal comma, bad rows are quarantined by their rule, and a drop without kenmerken is accepted."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from fixtures.sources import run_fake_etl, write_clean_sources

pytestmark = pytest.mark.integration  # through run_etl and the GX gate


@pytest.fixture()
def drop(tmp_path: Path) -> Path:
    write_clean_sources(tmp_path / "bronnen")
    return tmp_path


def test_a_drop_without_kenmerken_is_accepted(drop: Path) -> None:
    code, out, err = run_fake_etl(drop)
    assert code == 0, out + err
    with duckdb.connect(str(drop / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from stg_kenmerken").fetchone() == (0,)


def test_a_dutch_locale_export_is_read_and_bad_rows_are_quarantined_by_their_rule(drop: Path) -> None:
    (drop / "bronnen" / "kenmerken").mkdir()
    (drop / "bronnen" / "kenmerken" / "kerncijfers.csv").write_text(
        "peildatum;wijkcode;kenmerk;waarde\n"
        "2015-01-01;WK001400;gemiddeld_inkomen;31,5\n"     # decimal comma: 31.5
        "01-01-2015;WK001401;gemiddeld_inkomen;-2,25\n"    # DD-MM-YYYY; a negative figure is a figure
        "2015-01-01;WK001400;aandeel_65_plus;.\n"          # CBS's '.' (secret/unknown) is no number: never 0
        "2015-01-01;WK001400;aandeel_huurwoningen;\n"      # empty: no figure
        "2015-01-01;WK999999;gemiddeld_inkomen;30\n"       # unknown wijk
        "2030-01-01;WK001400;gemiddeld_inkomen;30\n"       # in the future
        "2015-01-01;WK001400;bevolkingsdichtheid;2000000000\n"  # implausible
        "2015-01-01;WK001401;aandeel_65_plus;12,5\n"
        "2015-01-01;WK001401;aandeel_65_plus;13,5\n"       # the same key again
        # enough good rows that the file is not held back as mostly failing
        + "".join(f"2015-01-01;WK001401;kenmerk_{i};{i},5\n" for i in range(10)),
        encoding="utf-8",
    )
    code, out, err = run_fake_etl(drop)
    assert code == 1, out + err
    with duckdb.connect(str(drop / "warehouse.duckdb"), read_only=True) as con:
        regels = con.execute(
            "select rij, kolom, regel from quarantine where bron = 'kenmerken' order by rij, regel").fetchall()
        staging = dict(((w, k), v) for w, k, v in con.execute(
            "select wijkcode, kenmerk, waarde from stg_kenmerken where not kenmerk like 'kenmerk_%'").fetchall())
    assert staging == {("WK001400", "gemiddeld_inkomen"): 31.5, ("WK001401", "gemiddeld_inkomen"): -2.25}
    assert regels == [
        (3, "waarde", "geen getal"),
        (4, "waarde", "verplichte waarde ontbreekt"),
        (5, "wijkcode", "onbekende wijkcode"),
        (6, "peildatum", "datum ligt in de toekomst"),
        (7, "waarde", "waarde buiten bereik -1000000000..1000000000"),
        (8, "peildatum,wijkcode,kenmerk", "sleutel (peildatum,wijkcode,kenmerk) komt vaker voor"),
        (9, "peildatum,wijkcode,kenmerk", "sleutel (peildatum,wijkcode,kenmerk) komt vaker voor"),
    ]
