"""The optional source kosten through the gate: its GX suite from the contract, and a missing folder is harmless."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from fixtures.sources import run_fake_etl, write_clean_sources

pytestmark = pytest.mark.integration  # through run_etl and the GX gate

HEADER = "kosten_id,persoon_id,wijkcode,wet,voorziening,periode_begin,periode_eind,bedrag\n"


@pytest.fixture()
def drop(tmp_path: Path) -> Path:
    write_clean_sources(tmp_path / "bronnen")
    return tmp_path


def test_a_drop_without_kosten_is_accepted(drop: Path) -> None:
    code, out, err = run_fake_etl(drop)
    assert code == 0, out + err
    with duckdb.connect(str(drop / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from load_log where bron = 'kosten'").fetchone() == (0,)
        assert con.execute("select count(*) from stg_kosten").fetchone() == (0,)


def test_bad_kosten_rows_are_quarantined_by_their_rule(drop: Path) -> None:
    (drop / "bronnen" / "kosten").mkdir()
    (drop / "bronnen" / "kosten" / "kosten.csv").write_text(
        HEADER
        + "K1,P1,WK001400,wmo,begeleiding,2015-01-01,2015-03-31,1200.50\n"      # good
        + "K2,P1,WK001400,wmo,begeleiding,2015-04-01,2015-06-30,-300\n"         # good: a correction
        + "K3,P2,WK001400,wmo,begeleiding,2015-04-01,2015-03-31,10\n"           # period reversed
        + "K4,P2,WK001400,wlz,begeleiding,2015-01-01,2015-03-31,10\n"           # unknown wet
        + "K5,P2,WK001400,wmo,begeleiding,2026-01-01,2026-03-31,10\n"           # in the future
        + "K6,P2,WK001400,jeugdwet,ots,2015-01-01,2015-03-31,10000000\n"        # 10 million: implausible
        + "K7,P2,WK001400,jeugdwet,ots,2015-01-01,2015-03-31,inf\n"             # not finite
        + "K1,P3,WK001401,participatiewet,algemene_bijstand,2015-01-01,2015-03-31,10\n"  # kosten_id again
        # enough good rows that the file is not held back as mostly failing
        + "".join(f"G{i},P9,WK001401,jeugdwet,ots,2015-01-01,2015-03-31,100\n" for i in range(8))
    )
    code, out, err = run_fake_etl(drop)
    assert code == 1
    with duckdb.connect(str(drop / "warehouse.duckdb"), read_only=True) as con:
        regels = con.execute("select rij, kolom, regel from quarantine where bron = 'kosten' order by rij, regel").fetchall()
        staging = con.execute("select kosten_id, bedrag from stg_kosten order by kosten_id").fetchall()
    assert regels == [
        (1, "kosten_id", "sleutel (kosten_id) komt vaker voor"),
        (3, "periode_eind", "periode_eind ligt voor periode_begin"),
        (4, "wet", "waarde niet toegestaan (toegestaan: wmo, jeugdwet, participatiewet)"),
        (5, "periode_begin", "datum ligt in de toekomst"),
        (5, "periode_eind", "datum ligt in de toekomst"),
        (6, "bedrag", "waarde buiten bereik -1e+07..1e+07"),
        (7, "bedrag", "geen getal"),
        (8, "kosten_id", "sleutel (kosten_id) komt vaker voor"),
    ]
    assert staging[0] == ("G0", 100.0) and ("K2", -300.0) in staging and len(staging) == 9
