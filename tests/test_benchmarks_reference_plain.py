"""The plain-Python reference (from the files) gives the figures of the pandas reference (from staging).

Both are written from indicators.md; benchmarks/reference.py is the one the tests hold the product to. A
generated drop (every notation the generator writes: `;` and `,`, Windows-1252 and UTF-8 with BOM, Dutch dates
and decimal commas, a hand-typed header) goes through the real ETL into staging; the plain reference reads the
same files. To exercise the incomplete inputs, one wijk loses its bevolking row of a peildatum and participatie
loses its early file, so indicator 4 has no data on the early peildata.
"""

from __future__ import annotations

import io
import math
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import reference, reference_plain  # noqa: E402

KEY = ["indicator", "peildatum", "niveau", "gebiedcode"]
FIGURES = ["teller", "noemer", "n", "waarde"]
WIJK, ZONDER_BEVOLKING = "WK001405", "2016-01-01"


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sources, warehouse): a generated drop with two gaps, through `wijkmonitor etl`."""
    from wijkmonitor.cli import run_etl
    from wijkmonitor.generate import generate

    folder = tmp_path_factory.mktemp("referentie")
    sources = folder / "bronnen"
    generate(sources, seed=2015, scale=0.1)
    bevolking = sources / "bevolking" / "bevolking_2015-2020.csv"
    lines = bevolking.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{ZONDER_BEVOLKING},{WIJK},")]
    assert len(kept) == len(lines) - 1
    bevolking.write_text("".join(kept), encoding="utf-8")
    (sources / "participatie" / "participatie_tm2017.csv").unlink()
    err = io.StringIO()
    code = run_etl(sources, folder / "warehouse.duckdb", folder / "monitor.duckdb", out=io.StringIO(), err=err)
    assert code == 0, err.getvalue()
    return sources, folder / "warehouse.duckdb"


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.slow
@pytest.mark.integration  # the generator and the whole ETL
def test_plain_reference_from_the_files_equals_the_pandas_reference_from_staging(drop) -> None:
    sources, warehouse = drop
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = reference.compute(reference.read_staging(con))
    rows = reference_plain.compute(reference_plain.read_sources(sources),
                                   reference_plain.read_csv(reference_plain.area_table_for(sources),
                                                            reference_plain.AREA_COLUMNS))
    plain = pd.DataFrame(rows, columns=list(reference_plain.OUTPUT))
    plain["peildatum"] = pd.to_datetime(plain["peildatum"])
    assert sorted(plain.columns) == sorted(expected.columns)
    merged = expected.merge(plain, on=KEY, how="outer", suffixes=("_pandas", "_plain"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", KEY]
    assert len(merged) == len(expected) == len(plain)  # row for row
    for column in FIGURES:
        differ = [key for key, a, b in zip(merged[KEY].itertuples(index=False), merged[f"{column}_pandas"],
                                           merged[f"{column}_plain"]) if not _same(float(a), float(b))]
        assert differ == [], column
    for column in ("ontbreekt", "onderdrukt"):
        assert merged[f"{column}_pandas"].astype(bool).tolist() == merged[f"{column}_plain"].tolist(), column
    # the comparison means something: figures, suppressed cells and both kinds of incomplete inputs
    ontbreekt = merged[merged["ontbreekt_plain"]]
    assert set(ontbreekt.loc[ontbreekt["indicator"] == "specialistische_ondersteuning", "niveau"]) == {
        "wijk", "gebied", "gemeente"}
    assert (ontbreekt["peildatum"] == pd.Timestamp(2015, 1, 1)).any()  # participatie: no data on the nulmeting
    assert merged["onderdrukt_plain"].any() and (~merged["onderdrukt_plain"] & ~merged["ontbreekt_plain"]).any()
    assert set(merged["indicator"]) == set(reference.DEFINITIES) == set(reference_plain.DEFINITIES)


def test_reads_every_notation_the_contract_allows(tmp_path: Path) -> None:
    """`;` with Windows-1252, a Dutch date, a decimal comma and a thousands dot; `,` with a BOM and a spaced header."""
    dutch = tmp_path / "nl.csv"
    dutch.write_bytes("Peildatum ; WijkCode;inwoners;inwoners_0_17;gewicht;naam\r\n"
                      "01-01-2016;WK001405;1.234;200;1,250;Café\r\n".encode("cp1252"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(" PEILDATUM,wijkcode ,inwoners,inwoners_0_17,gewicht,naam\n2016-01-01,WK001406,87,,0.5,x\n"
                    .encode("utf-8-sig"))
    columns = {"peildatum": "d", "wijkcode": "t", "inwoners": "i", "inwoners_0_17": "i", "gewicht": "f", "naam": "t"}
    assert reference_plain.read_csv(dutch, columns) == [{
        "peildatum": date(2016, 1, 1), "wijkcode": "WK001405", "inwoners": 1234, "inwoners_0_17": 200,
        "gewicht": 1.25, "naam": "Café"}]
    assert reference_plain.read_csv(bom, columns) == [{
        "peildatum": date(2016, 1, 1), "wijkcode": "WK001406", "inwoners": 87, "inwoners_0_17": None,
        "gewicht": 0.5, "naam": "x"}]
    with pytest.raises(reference_plain.NotReadable, match="alleen CSV"):
        reference_plain.read_csv(tmp_path / "x.parquet", columns)


def test_window_and_residence_follow_indicators_md() -> None:
    """W(2016-01-01) starts 2015-01-01; residence: the latest begindatum, on a tie the largest id in text order."""
    p = reference_plain.Peildatum(date(2016, 1, 1))
    assert p.venster_begin == date(2015, 1, 1)
    assert reference_plain.Peildatum(date(2016, 2, 29)).venster_begin == date(2015, 2, 28)
    trajecten = [
        {"traject_id": "T2", "persoon_id": "P1", "wijkcode": "WK1", "begindatum": date(2015, 3, 1), "einddatum": None},
        {"traject_id": "T10", "persoon_id": "P1", "wijkcode": "WK2", "begindatum": date(2015, 3, 1),
         "einddatum": date(2016, 1, 1)},  # active on P (einddatum >= P); "T2" > "T10" in text order
        {"traject_id": "T9", "persoon_id": "P1", "wijkcode": "WK3", "begindatum": date(2015, 6, 1),
         "einddatum": date(2015, 12, 31)},  # ended before P: not active, though later
        {"traject_id": "T1", "persoon_id": "P2", "wijkcode": "WK3", "begindatum": date(2016, 1, 1), "einddatum": None},
    ]
    on = reference_plain.OnP({"ondersteuning": trajecten}, p)
    assert on.residence("ondersteuning", "persoon_id", "traject_id") == {"P1": "WK1", "P2": "WK3"}
