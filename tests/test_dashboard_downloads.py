"""Page downloads (dashboard/components.py): numbers stay numbers, metadata present, readable file names."""

from __future__ import annotations

import base64
import io
from datetime import date, datetime

import duckdb
import openpyxl
import pytest
from fixtures.published_store import build_published_store

from dashboard.app import create_app
from dashboard.components import Column, csv_bytes, download, export_filename, xlsx_bytes
from indicators.export import FICTIEF_TEXT

COLUMNS = [
    Column("naam", "Gebied"),
    Column("waarde_tekst", "Waarde", download=Column("waarde", "Waarde (%)", 1)),
    Column("verschil", "Verschil t.o.v. nulmeting", 1, "–"),
    Column("n", "Aantal respondenten"),  # a text column that holds an int
    Column("peildatum", "Peildatum"),
]
ROWS = [
    {"naam": "Oud-West", "waarde_tekst": "64,5%", "waarde": 64.54, "verschil": -1.25, "n": 160, "peildatum": date(2017, 1, 1)},
    {"naam": "Meerdorpen", "waarde_tekst": "onvoldoende waarnemingen", "waarde": None, "verschil": None, "n": 20,
     "peildatum": date(2017, 1, 1)},
]
META = [("Wijkmonitor Sociaal Domein", "test"), ("Peildatum", "01-01-2017")]


@pytest.mark.parametrize(("name", "peildatum", "expected"), [
    ("overzicht_GM0014", date(2026, 1, 1), "wijkmonitor_overzicht_GM0014_2026-01-01.xlsx"),
    ("wijken_zelfredzaamheid_2017-01-01", date(2017, 1, 1), "wijkmonitor_wijken_zelfredzaamheid_2017-01-01.xlsx"),
    ("indicator zelf/redzaam", None, "wijkmonitor_indicator_zelf_redzaam.xlsx"),
    ("wijkmonitor_besluitenlijst", None, "wijkmonitor_besluitenlijst.xlsx"),
])
def test_file_names_are_readable(name, peildatum, expected):
    assert export_filename(name, peildatum, "xlsx") == expected


def test_xlsx_holds_numbers_as_numbers_and_the_metadata_first():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Cijfers": (
        [c.download or c for c in COLUMNS], ROWS)}, META)))
    assert workbook.sheetnames == ["Toelichting", "Cijfers"]
    assert dict(workbook["Toelichting"].iter_rows(values_only=True)) == dict(META)
    header, shown, hidden = workbook["Cijfers"].iter_rows(values_only=True)
    assert header == ("Gebied", "Waarde (%)", "Verschil t.o.v. nulmeting", "Aantal respondenten", "Peildatum")
    assert shown[:4] == ("Oud-West", 64.5, -1.2, 160)  # rounded as shown; negative stays a negative number
    assert shown[4] == datetime(2017, 1, 1)
    assert hidden[:4] == ("Meerdorpen", "onvoldoende waarnemingen", "–", 20)
    cell = workbook["Cijfers"]["C2"]
    assert cell.data_type == "n" and cell.number_format == "0.0"


def test_csv_has_a_metadata_block_then_dutch_numbers():
    text = csv_bytes([c.download or c for c in COLUMNS], ROWS, META).decode("utf-8")
    assert text.startswith("\ufeff# Wijkmonitor Sociaal Domein;test\r\n# Peildatum;01-01-2017\r\n\r\n")
    table = text.split("\r\n\r\n", 1)[1].splitlines()
    assert table[0] == "Gebied;Waarde (%);Verschil t.o.v. nulmeting;Aantal respondenten;Peildatum"
    assert table[1] == "Oud-West;64,5;-1,2;160;2017-01-01"  # ASCII minus: spreadsheets read it as a number
    assert table[2] == "Meerdorpen;onvoldoende waarnemingen;–;20;2017-01-01"


@pytest.fixture(scope="module", params=[False, True], ids=["echt", "demo"])
def app(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    db = build_published_store(folder / "monitor.duckdb")
    if request.param:
        with duckdb.connect(str(db)) as con:
            con.execute("insert into meta values ('fictieve_demogegevens', 'ja')")
    return create_app(db, folder / "state.sqlite"), request.param


def test_page_download_names_the_peildatum_definition_source_and_demo_flag(app):
    dash_app, fictief = app
    rows = [dict(r, indicator="zelfredzaamheid") for r in ROWS]
    with dash_app.server.test_request_context():
        payload = download(COLUMNS, rows, "wijken_zelfredzaamheid", "xlsx")
    assert payload["filename"] == "wijkmonitor_wijken_zelfredzaamheid_2017-01-01.xlsx"  # peildatum taken from the rows
    workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload["content"])))
    meta = dict(workbook["Toelichting"].iter_rows(values_only=True))
    assert meta["Peildatum"] == "01-01-2017" and meta["Gemeente"] == "Groningen"
    assert "Definitie: Zelfredzaamheid" in meta and "Definitie: Tevredenheid over de ondersteuning" not in meta
    assert "onvoldoende waarnemingen" in meta["Onderdrukking"]
    assert datetime.strptime(meta["Gedownload op"], "%d-%m-%Y %H:%M").date() == date.today()
    assert (meta.get("Let op") == FICTIEF_TEXT) is fictief
    assert [r[1] for r in workbook["Cijfers"].iter_rows(values_only=True)][1:] == [64.5, "onvoldoende waarnemingen"]


def test_wijkprofiel_download_holds_numbers_not_texts(app):
    dash_app, _fictief = app
    wijkprofiel = __import__("pages.wijkprofiel", fromlist=["_"])
    with dash_app.server.test_request_context():
        rows = wijkprofiel.profile_rows(wijkprofiel.store(), "WK001402", date(2017, 1, 1))
        payload = download(wijkprofiel.COLUMNS, rows, "wijkprofiel_WK001402", "xlsx")
    sheet = list(openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload["content"])))["Cijfers"].iter_rows(
        values_only=True))
    header, figures = sheet[0], {row[0]: row for row in sheet[1:]}
    assert header[2:5] == ("Wijk", "Wijk bij nulmeting", "Verschil t.o.v. nulmeting")
    # zelfredzaamheid of WK001402 (k=2, falling): 60 + 0,5 * 2 - 2 * 2 = 57,0 now, 61,0 at the nulmeting
    assert figures["Zelfredzaamheid"][2:5] == (57.0, 61.0, -4.0)
    assert all(isinstance(v, (int, float)) or v == "–" for row in figures.values() for v in row[2:5])
