"""`wijkmonitor export`: the publication contract as CSV, Excel and Parquet from a published store."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime

import duckdb

import openpyxl
import pyarrow.parquet as pq
import pytest
from fixtures.indicators import NOORD_A, NOORD_B, P1, ZUID_A, insert, responses, staging, traject

from etl.publish import publish
from indicators import registry
from indicators.compute import compute_publication
from indicators.config import MonitorConfig
from indicators.export import CONTRACT_COLUMNS, FICTIEF_TEXT, export, sheet_name, sidecar_path
from wijkmonitor.cli import main
from core.errors import WijkmonitorError

HEADER = (
    "indicator,peildatum,niveau,gebiedcode,gebiedsnaam,waarde,teller,noemer,n,ci_laag,ci_hoog,"
    "onderdrukt,verschil_nulmeting,index_nulmeting,status"
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A published store: Noord-A 7 persons in support (shown), Noord-B and Zuid-A 3 (suppressed), a survey in Noord-A.

    Two suppressed wijken protect each other, so Noord-A needs no complementary suppression.
    """
    con = staging()
    insert(con, "stg_ondersteuning", [traject(f"A{i}", f"A{i}", NOORD_A, date(2014, 1, 1)) for i in range(7)])
    insert(con, "stg_ondersteuning", [traject(f"B{i}", f"B{i}", NOORD_B, date(2014, 1, 1)) for i in range(3)])
    insert(con, "stg_ondersteuning", [traject(f"Z{i}", f"Z{i}", ZUID_A, date(2014, 1, 1)) for i in range(3)])
    insert(con, "stg_clientervaring", responses("r", NOORD_A, date(2015, 6, 1), 30, tevreden=4))
    db = tmp_path_factory.mktemp("export") / "monitor.duckdb"
    publish(db, compute_publication(con, MonitorConfig()))
    return db


def _csv_rows(path):
    """The exported CSV as dicts keyed by (indicator, peildatum, gebiedcode)."""
    with path.open(encoding="utf-8", newline="") as file:
        return {(r["indicator"], r["peildatum"], r["gebiedcode"]): r for r in csv.DictReader(file)}


def test_csv_follows_the_contract(store, tmp_path):
    out = tmp_path / "monitor.csv"
    export(store, out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER
    rows = _csv_rows(out)
    # every indicator x 2 peildata x (3 wijken + 2 gebieden + 1 gemeente)
    assert len(rows) == len(registry.INDICATORS) * 2 * 6
    shown = rows[("professionele_ondersteuning", "2016-01-01", NOORD_A)]
    assert {k: shown[k] for k in ("niveau", "gebiedsnaam", "teller", "noemer", "n", "onderdrukt", "status")} == {
        "niveau": "wijk", "gebiedsnaam": "Noord-A", "teller": "7.0", "noemer": "1000.0", "n": "",
        "onderdrukt": "false", "status": "gelijk gebleven",
    }
    assert float(shown["waarde"]) == pytest.approx(7.0)
    assert (shown["verschil_nulmeting"], shown["index_nulmeting"]) == ("0.0", "100.0")
    survey = rows[("tevredenheid", "2016-01-01", NOORD_A)]
    assert (survey["n"], survey["waarde"], survey["onderdrukt"]) == ("30", "100.0", "false")
    assert float(survey["ci_laag"]) == pytest.approx(88.64866068260312)


def test_csv_suppressed_rows_have_empty_fields(store, tmp_path):
    out = tmp_path / "monitor.csv"
    export(store, out)
    rows = _csv_rows(out)
    hidden = rows[("professionele_ondersteuning", "2016-01-01", ZUID_A)]
    assert hidden["onderdrukt"] == "true"
    assert hidden["status"] == "onvoldoende gegevens"
    blank = ("waarde", "teller", "noemer", "ci_laag", "ci_hoog", "verschil_nulmeting", "index_nulmeting")
    assert {k: hidden[k] for k in blank} == dict.fromkeys(blank, "")
    no_responses = rows[("tevredenheid", "2016-01-01", NOORD_B)]
    assert (no_responses["onderdrukt"], no_responses["n"], no_responses["waarde"]) == ("true", "0", "")


def test_parquet_has_the_contract_columns(store, tmp_path):
    out = tmp_path / "monitor.parquet"
    export(store, out)
    table = pq.read_table(out)
    assert tuple(table.column_names) == CONTRACT_COLUMNS
    records = {(r["indicator"], r["peildatum"], r["gebiedcode"]): r for r in table.to_pylist()}
    hidden = records[("professionele_ondersteuning", P1, ZUID_A)]
    assert (hidden["onderdrukt"], hidden["waarde"], hidden["teller"], hidden["noemer"]) == (True, None, None, None)
    assert records[("professionele_ondersteuning", P1, NOORD_A)]["teller"] == 7.0


def test_xlsx_one_sheet_per_indicator_and_definitions(store, tmp_path):
    out = tmp_path / "monitor.xlsx"
    export(store, out)
    workbook = openpyxl.load_workbook(out, read_only=True)
    # one sheet per indicator in registry order, named by sheet_name (tested below)
    used = {"toelichting", "definities"}
    assert workbook.sheetnames == [
        "Toelichting", *(sheet_name(i.naam, used) for i in registry.INDICATORS), "Definities",
    ]
    assert "Tevredenheid over de ondersteun" in workbook.sheetnames  # Dutch names truncated to Excel's 31
    rows = list(workbook["Beroep op professionele onderst"].iter_rows(values_only=True))
    assert rows[0][:6] == ("Indicator", "Peildatum", "Niveau", "Gebiedscode", "Gebiedsnaam", "Waarde")
    assert len(rows) == 1 + 2 * 6
    by_area = {(r[1].date(), r[3]): r for r in rows[1:]}
    shown = by_area[(P1, NOORD_A)]
    assert (shown[5], shown[6], shown[7], shown[11], shown[14]) == (pytest.approx(7.0), 7.0, 1000.0, "nee", "gelijk gebleven")
    hidden = by_area[(P1, ZUID_A)]
    assert hidden[5] == "onvoldoende waarnemingen"  # never a number
    assert hidden[6:11] == (None, None, None, None, None)
    assert (hidden[11], hidden[12], hidden[13]) == ("ja", None, None)
    definitions = list(workbook["Definities"].iter_rows(values_only=True))
    assert definitions[0] == (
        "Indicator", "Naam", "Omschrijving", "Definitie", "Eenheid", "Richting", "Soort", "Bronnen", "Onderdrukking",
    )
    jeugd = next(r for r in definitions if r[0] == "jeugd_gedwongen_kader")
    assert jeugd[4:6] == ("per 1.000 jeugdigen (0-17)", "lager is beter")
    assert jeugd[7] == "ondersteuning, bevolking"
    assert jeugd[8].startswith("Onderdrukt wanneer noemer < 10 of 0 < teller < 5. Aanvullend onderdrukt")
    assert "geboortejaar >= jaar(P) − 17" in jeugd[3]


def test_unknown_extension_and_missing_store_are_clear_errors(store, tmp_path):
    with pytest.raises(WijkmonitorError, match="onbekend exportformaat '.json'"):
        export(store, tmp_path / "monitor.json")
    with pytest.raises(WijkmonitorError, match="gepubliceerde monitor niet gevonden"):
        export(tmp_path / "geen.duckdb", tmp_path / "monitor.csv")
    assert not list(tmp_path.iterdir())
    (tmp_path / "bezet.csv").mkdir()
    with pytest.raises(WijkmonitorError, match="bezet.csv: kan niet schrijven"):
        export(store, tmp_path / "bezet.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["bezet.csv"]  # no partial file left behind


def test_cli_export(store, tmp_path, capsys):
    assert main(["export", "--db", str(store), "--out", str(tmp_path / "m.csv")]) == 0
    assert (tmp_path / "m.csv").read_text(encoding="utf-8").startswith(HEADER)
    assert main(["export", "--db", str(store), "--out", str(tmp_path / "m.txt")]) == 3
    assert "onbekend exportformaat" in capsys.readouterr().err


def _metadata_csv(path):
    with path.open(encoding="utf-8", newline="") as file:
        return {row["veld"]: row["waarde"] for row in csv.DictReader(file)}


@pytest.mark.parametrize("name", ["monitor.csv", "monitor.parquet"])
def test_csv_and_parquet_get_their_metadata_beside_them(store, tmp_path, name):
    out = tmp_path / name
    before = datetime.now().replace(second=0, microsecond=0)
    export(store, out)
    assert sidecar_path(out) == tmp_path / "monitor_toelichting.csv"
    meta = _metadata_csv(sidecar_path(out))
    assert meta["Peildatum"] == "01-01-2015 tot en met 01-01-2016 (2 peildata)"
    assert datetime.strptime(meta["Gedownload op"], "%d-%m-%Y %H:%M") >= before
    assert meta["Bron"].startswith("gepubliceerde cijfers van de Wijkmonitor Sociaal Domein")
    assert "onvoldoende waarnemingen" in meta["Onderdrukking"] and "onvoldoende gegevens" in meta["Onderdrukking"]
    assert "Definitie: Zelfredzaamheid" in meta and "Let op" not in meta  # no demo flag in this store
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "monitor_toelichting.csv"])


@pytest.fixture(scope="module")
def flagged_store(store, tmp_path_factory):
    """The same store marked as demo data, with primary suppression and one missing figure."""
    db = tmp_path_factory.mktemp("flagged") / "monitor.duckdb"
    shutil.copy(store, db)
    with duckdb.connect(str(db)) as con:
        con.execute("insert into meta values ('fictieve_demogegevens', 'ja')")
        con.execute("update indicator_values set onderdrukking = 'primair' where onderdrukt")
        con.execute("update indicator_values set waarde = null, onderdrukt = false, status = 'onvoldoende gegevens', "
                    "reden = 'levering ontbreekt' where indicator = 'zelfredzaamheid' and gebiedcode = ?", [NOORD_A])
    return db


def test_demo_flag_and_missing_figures_keep_the_contract_shape(flagged_store, tmp_path):
    out = tmp_path / "monitor.csv"
    export(flagged_store, out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER
    missing = _csv_rows(out)[("zelfredzaamheid", "2016-01-01", NOORD_A)]
    assert (missing["waarde"], missing["onderdrukt"], missing["status"]) == ("", "false", "onvoldoende gegevens")
    assert _metadata_csv(sidecar_path(out))["Let op"] == FICTIEF_TEXT


def test_xlsx_metadata_sheet_numbers_and_missing_figures(flagged_store, tmp_path):
    out = tmp_path / "monitor.xlsx"
    export(flagged_store, out)
    workbook = openpyxl.load_workbook(out, read_only=True)
    meta = dict(workbook["Toelichting"].iter_rows(values_only=True))
    assert meta["Let op"] == FICTIEF_TEXT and meta["Peildatum"].startswith("01-01-2015")
    rows = list(workbook["Zelfredzaamheid"].iter_rows(values_only=True))
    assert rows[0][-2:] == ("Soort onderdrukking", "Reden ontbrekend cijfer")
    missing = next(r for r in rows[1:] if r[3] == NOORD_A and r[1].date() == P1)
    assert (missing[5], missing[11], missing[-1]) == ("onvoldoende gegevens", "nee", "levering ontbreekt")
    support = list(workbook["Beroep op professionele onderst"].iter_rows(values_only=True))[1:]
    numbers = [r[5] for r in support if not isinstance(r[5], str)]
    assert numbers and all(isinstance(v, (int, float)) for v in numbers)  # figures are numbers, not text


def test_sheet_names_are_valid_and_unique():
    used = {"toelichting", "definities"}
    assert sheet_name("Tevredenheid over de ondersteuning", used) == "Tevredenheid over de ondersteun"
    assert sheet_name("Tevredenheid over de ondersteuning (wmo)", used) == "Tevredenheid over de onders (2)"
    assert sheet_name("Kosten: wmo/jeugd [euro]?", used) == "Kosten- wmo-jeugd -euro--"
    assert sheet_name("Definities", used) == "Definities (2)"


# ---- the cost figures (indicators/kosten.py) in the same contract ----

def _cost_line(i: int, wijk: str, bedrag: float) -> dict:
    return {"kosten_id": f"k{wijk}{i}", "persoon_id": f"p{wijk}{i}", "wijkcode": wijk, "wet": "wmo",
            "voorziening": "begeleiding", "periode_begin": date(2014, 1, 1), "periode_eind": date(2014, 12, 31),
            "bedrag": bedrag}


@pytest.fixture(scope="module")
def cost_store(tmp_path_factory):
    """Costs in 2014 only (W(2015-01-01)): Noord-A 6 x 1.000, Noord-B 2 x 1.000 (fewer than 5 clients:
    suppressed, so Noord-A is suppressed too, or Noord minus Noord-A gives it away), Zuid-A 6 x 1.500.
    1.000 inhabitants per wijk. On 2016-01-01 no cost line covers the window: 'onvoldoende gegevens'."""
    con = staging()
    insert(con, "stg_kosten", [_cost_line(i, NOORD_A, 1000.0) for i in range(6)]
           + [_cost_line(i, NOORD_B, 1000.0) for i in range(2)] + [_cost_line(i, ZUID_A, 1500.0) for i in range(6)])
    db = tmp_path_factory.mktemp("export-kosten") / "monitor.duckdb"
    publish(db, compute_publication(con, MonitorConfig()))
    return db


def test_costs_in_csv_and_parquet_keep_the_contract_columns(cost_store, tmp_path):
    out = tmp_path / "monitor.csv"
    export(cost_store, out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER
    rows = _csv_rows(out)
    zuid = rows[("kosten_per_inwoner", "2015-01-01", ZUID_A)]
    assert {k: zuid[k] for k in ("waarde", "teller", "noemer", "n", "onderdrukt", "status")} == {
        "waarde": "9.0", "teller": "9000.0", "noemer": "1000.0", "n": "", "onderdrukt": "false", "status": ""}
    assert rows[("kosten_per_client", "2015-01-01", ZUID_A)]["waarde"] == "1500.0"
    assert rows[("kosten_per_client", "2015-01-01", ZUID_A)]["noemer"] == "6.0"
    # the gemeente: 17.000 over 3.000 inhabitants and 14 clients
    assert float(rows[("kosten_per_inwoner", "2015-01-01", "GM0014")]["waarde"]) == pytest.approx(17000 / 3000)
    for wijk in (NOORD_A, NOORD_B):  # primary and complementary: no figure at all
        row = rows[("kosten_per_client", "2015-01-01", wijk)]
        assert row["onderdrukt"] == "true" and row["waarde"] == row["teller"] == row["noemer"] == ""
    later = rows[("kosten_per_inwoner", "2016-01-01", ZUID_A)]
    assert later["onderdrukt"] == "false" and later["waarde"] == later["teller"] == ""
    parquet = tmp_path / "monitor.parquet"
    export(cost_store, parquet)
    table = pq.read_table(parquet)
    assert table.column_names == list(CONTRACT_COLUMNS)
    assert {"kosten_per_inwoner", "kosten_per_client"} <= set(table.column("indicator").to_pylist())


def test_costs_in_excel_with_suppression_kind_and_reason(cost_store, tmp_path):
    out = tmp_path / "monitor.xlsx"
    export(cost_store, out)
    book = openpyxl.load_workbook(out)
    assert {"Kosten per inwoner", "Kosten per cliënt"} <= set(book.sheetnames)
    sheet = book["Kosten per inwoner"]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["Soort onderdrukking", "Reden ontbrekend cijfer"]
    rows = {(r[1].date().isoformat() if r[1] else None, r[3]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("2015-01-01", NOORD_B)][5] == "onvoldoende waarnemingen" and rows[("2015-01-01", NOORD_B)][-2] == "primair"
    assert rows[("2015-01-01", NOORD_A)][-2] == "aanvullend"
    assert rows[("2016-01-01", ZUID_A)][5] == "onvoldoende gegevens"
    assert rows[("2016-01-01", ZUID_A)][-1] == "geen geaccepteerde gegevens van bron kosten in de periode"
    definitions = [r[0] for r in book["Definities"].iter_rows(min_row=2, values_only=True)]
    assert definitions[-2:] == ["kosten_per_inwoner", "kosten_per_client"]
