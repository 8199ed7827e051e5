"""The PDCA page without a browser: Dutch dates, permissions, the form filled from a signal, the besluitenlijst."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime

import dash
import flask
import openpyxl
import pytest
from fixtures.published_store import build_published_store

from dashboard import besluitenlijst
from dashboard.security import User
from dashboard.acties import Invoer, action, actions_of, add_action, update_action
from dashboard.app import create_app
from dashboard.data import published

PEILDATUM = date(2017, 1, 1)
VORIGE = date(2016, 1, 1)
HOSTILE = "<script>alert('x')</script> & co"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdca")
    db = build_published_store(folder / "monitor.duckdb")
    state = folder / "state.sqlite"
    return create_app(db, state), db, state


@pytest.fixture()
def pdca(site):
    """The page module as Dash imported it for the app."""
    return __import__("pages.pdca", fromlist=["_"])


def _as(app, user: str, role: str):
    context = app.server.test_request_context()
    context.push()
    flask.g.wijkmonitor_user = User(user, role)
    return context


def _save(pdca, omschrijving="Huisbezoeken", deadline="31-03-2017", bewerkt=None, status="open",
          indicator="zelfredzaamheid", gebied="WK001402"):
    """(versie, melding) of a save; the form is emptied after a save and kept as typed when it is refused."""
    versie, melding, *form = pdca.save_action(1, PEILDATUM.isoformat(), bewerkt, "buiten marge: test", indicator,
                                              gebied, omschrijving, "Besloten", "J. de Vries", deadline, status, 0)
    saved = versie is not dash.no_update
    assert form == (list(pdca.empty_form(indicator, gebied)) if saved else [dash.no_update] * len(pdca.FORM_FIELDS))
    return versie, melding


@pytest.mark.parametrize(("text", "expected"), [
    ("31-03-2026", date(2026, 3, 31)), ("1-3-2026", date(2026, 3, 1)), ("", None), (None, None),
])
def test_dutch_dates_are_read_day_first(pdca, text, expected):
    assert pdca.parse_dutch_date(text) == expected


@pytest.mark.parametrize("text", ["2026-03-31", "03/31/2026", "30-02-2026", "morgen"])
def test_other_date_forms_are_refused(pdca, text):
    with pytest.raises(ValueError):
        pdca.parse_dutch_date(text)


def test_save_creates_edits_and_refuses_by_role_and_author(site, pdca):
    app, _db, state = site
    context = _as(app, "raadslid", "raad")
    try:
        versie, melding = _save(pdca)
        assert versie is dash.no_update and "niet vastleggen" in str(melding)
        assert "Nieuwe actie" not in str(pdca.layout())
    finally:
        context.pop()
    context = _as(app, "anna", "programmateam")
    try:
        assert _save(pdca, deadline="2017-03-31")[0] is dash.no_update  # not dd-mm-jjjj
        versie, melding = _save(pdca)
        assert versie == 1 and pdca.SAVED in str(melding)
    finally:
        context.pop()
    [actie] = actions_of(state, PEILDATUM)
    assert (actie.auteur, actie.deadline, actie.signaal, actie.eigenaar) == (
        "anna", date(2017, 3, 31), "buiten marge: test", "J. de Vries")
    bewerkt = {"id": actie.id, "versie": 1}
    context = _as(app, "bram", "programmateam")
    try:
        versie, melding = _save(pdca, "Overgenomen", bewerkt=bewerkt, status="afgerond")
        assert versie is dash.no_update and "alleen anna" in str(melding)
        assert "Actie 1 wijzigen" not in str(pdca.layout())  # no change button for someone else's action
    finally:
        context.pop()
    context = _as(app, "beheerder", "beheer")
    try:
        assert _save(pdca, "Afgerond door beheer", bewerkt=bewerkt, status="afgerond")[0] == 1
        assert "Actie 1 wijzigen" in str(pdca.layout())
    finally:
        context.pop()
    assert (action(state, actie.id).status, action(state, actie.id).gewijzigd_door) == ("afgerond", "beheerder")


def test_a_signal_fills_the_form_and_a_save_clears_it(site, pdca):
    app, db, _state = site
    data = published(db)
    first = pdca.signals(data, PEILDATUM).row(0, named=True)
    key = f"{first['indicator']}|{first['gebiedcode']}"
    context = _as(app, "anna", "programmateam")
    try:
        filled = pdca.form_values({"type": "pdca-signaal-knop", "index": key}, PEILDATUM.isoformat(), None, None)
    finally:
        context.pop()
    form = {f"{o.component_id}.{o.component_property}": value for o, value in zip(pdca.FORM_FIELDS, filled, strict=False)}
    assert (form["pdca-indicator.value"], form["pdca-gebied.value"], form["pdca-bewerkt.data"], form["pdca-gebied.disabled"]) \
        == (first["indicator"], first["gebiedcode"], None, False)
    assert form["pdca-gemeente.value"] == data.gemeente()[0]  # the signal's gemeente lists its areas in the form
    title, signaal = form["pdca-formulier-titel.children"], form["pdca-signaal.data"]
    assert title == "Nieuwe actie bij signaal 1" and signaal == pdca.signal_text(first)
    assert signaal.startswith(first["signaal"]) and first["gebiedsnaam"] in signaal
    assert [form[f"pdca-{name}"] for name in ("omschrijving.value", "besluit.value", "eigenaar.value", "deadline.value",
                                              "status.value")] == ["", "", "", "", "open"]


@pytest.fixture()
def minutes_state(tmp_path):
    state = tmp_path / "state.sqlite"
    late = add_action(state, VORIGE, "tevredenheid", "GM0014", Invoer("Onderzoek wachttijden", "lopend", "Piet",
                      date(2016, 6, 1)), "anna", "buiten marge: Tevredenheid, Groningen")
    add_action(state, VORIGE, "tevredenheid", "GM0014", Invoer("Klaar in 2016", "afgerond"), "anna")
    now = add_action(state, PEILDATUM, "zelfredzaamheid", "WK001402", Invoer(HOSTILE, eigenaar="J. de Vries",
                     deadline=date(2017, 3, 31), besluit="Extra wijkcoach"), "bram", "buiten marge: Zelfredzaamheid, Oud-Zuid")
    update_action(state, now, Invoer(HOSTILE, "lopend", "J. de Vries", date(2017, 3, 31), "Extra wijkcoach"),
                  "bram", "programmateam", PEILDATUM, 1)
    return state, late


@pytest.mark.integration  # WeasyPrint renders a PDF
def test_besluitenlijst_pdf_holds_signals_decisions_and_actions(site, minutes_state, tmp_path):
    _app, db, _state = site
    state, _late = minutes_state
    minutes = besluitenlijst.build(published(db), state, PEILDATUM, datetime(2017, 2, 1, 10, 0))
    page = besluitenlijst.minutes_html(minutes)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    pdf = tmp_path / besluitenlijst.filename(PEILDATUM, "pdf")
    pdf.write_bytes(besluitenlijst.pdf_bytes(minutes))
    assert pdf.name == "wijkmonitor_besluitenlijst_2017-01-01.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    text = " ".join(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for expected in ("Besluitenlijst PDCA-sessie peildatum 1 januari 2017", "Besproken signalen",
                     "buiten marge: Zelfredzaamheid, Oud-Zuid", "Extra wijkcoach", "J. de Vries", "31-03-2017",
                     "lopend", "Onderzoek wachttijden", "lopend – te laat", "pagina 1 van", "01-02-2017 10:00"):
        assert expected in text, expected
    assert "Klaar in 2016" not in text  # closed actions of earlier sessions are not carried over
    assert "fictieve demogegevens" not in text


def test_besluitenlijst_xlsx_types_its_cells(site, minutes_state):
    _app, db, _state = site
    state, late = minutes_state
    minutes = besluitenlijst.build(published(db), state, PEILDATUM, datetime(2017, 2, 1, 10, 0))
    workbook = openpyxl.load_workbook(io.BytesIO(besluitenlijst.xlsx_bytes(minutes)))
    assert workbook.sheetnames == ["Toelichting", "Acties", "Eerdere acties", "Besproken signalen"]
    header, row = workbook["Acties"].iter_rows(values_only=True)
    assert header[:3] == ("Nr.", "Indicator", "Gebied")
    assert isinstance(row[0], int) and row[4] == HOSTILE and row[7] == datetime(2017, 3, 31) and row[8] == "lopend"
    assert workbook["Acties"]["H2"].number_format == "dd-mm-yyyy"
    [carried] = list(workbook["Eerdere acties"].iter_rows(values_only=True))[1:]
    assert (carried[0], carried[1], carried[9]) == (datetime(2016, 1, 1), late, "lopend – te laat")


def test_minutes_of_generated_data_say_so(site, minutes_state, tmp_path):
    import shutil

    import duckdb

    _app, db, _state = site
    state, _late = minutes_state
    flagged = tmp_path / "demo.duckdb"
    shutil.copy(db, flagged)
    with duckdb.connect(str(flagged)) as con:
        con.execute("insert into meta values ('fictieve_demogegevens', 'ja')")
    minutes = besluitenlijst.build(published(flagged), state, PEILDATUM)
    assert minutes.fictief and "fictieve demogegevens" in besluitenlijst.minutes_html(minutes)
    about = dict(openpyxl.load_workbook(io.BytesIO(besluitenlijst.xlsx_bytes(minutes)))["Toelichting"].iter_rows(values_only=True))
    assert about["Let op"] == "fictieve demogegevens"
