"""Pages without a browser: layouts, unknown ids, suppression, downloads, map click (PDCA: test_dashboard_pdca.py)."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest
from fixtures.components import component_text as _text
from fixtures.components import registered_page as _page, page_module as _import
from fixtures.published_store import build_published_store

import dash
from dashboard.app import create_app
from dashboard.format import SUPPRESSED_TEXT

PEILDATUM = date(2017, 1, 1)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    return create_app(build_published_store(folder / "monitor.duckdb"), folder / "state.sqlite")


@pytest.fixture()
def context(app):
    with app.server.test_request_context():
        yield app


@pytest.mark.parametrize(("module", "title"), [
    ("overzicht", "Overzicht Gebied Peildatum Raadsrapportage (PDF) Groningen op 1 januari 2017"), ("wijken", "Wijken vergelijken"),
    ("indicator", "Indicator: Tevredenheid over de ondersteuning"), ("wijkprofiel", "Wijkprofiel"),
    ("pdca", "PDCA-sessie"), ("datakwaliteit", "Datakwaliteit"), ("over", "Over de cijfers"),
])
def test_every_page_renders_in_dutch(context, module, title):
    assert _text(_page(module)["layout"]()).startswith(title)


@pytest.mark.parametrize(("module", "params", "expected"), [
    ("indicator", {"id": "bestaatniet"}, "Indicator 'bestaatniet' bestaat niet"),
    ("wijkprofiel", {"wijk": "WK999999"}, "Wijk 'WK999999' bestaat niet"),
    ("wijken", {"id": "x", "peildatum": "2030-01-01"}, "Peildatum '2030-01-01' komt niet voor"),
    ("overzicht", {"gebied": "GB999"}, "Gebied 'GB999' is onbekend"),
    ("pdca", {"peildatum": "gisteren"}, "Peildatum 'gisteren' komt niet voor"),
])
def test_unknown_url_ids_give_a_dutch_message(context, module, params, expected):
    assert expected in _text(_page(module)["layout"](**params))


def test_missing_store_shows_a_message_not_an_error(tmp_path):
    app = create_app(tmp_path / "absent.duckdb", tmp_path / "state.sqlite")
    with app.server.test_request_context():
        text = _text(_page("overzicht")["layout"]())
    assert "Cijfers niet beschikbaar" in text and "ontbreekt" in text


def test_wijkprofiel_of_a_suppressed_wijk_shows_words_not_numbers(context):
    # Meerdorpen (k=13) would have zelfredzaamheid 60 + 6.5 + 4 = 70.5 and tevredenheid 80.5.
    text = _text(_page("wijkprofiel")["layout"](wijk="WK001413"))
    assert SUPPRESSED_TEXT in text
    assert "70,5" not in text and "80,5" not in text


def test_map_and_ranking_for_one_gebied(context):
    wijken = _import("wijken")
    map_fig, rank_fig, table, rows, summary = wijken._view("zelfredzaamheid", "2017-01-01", "GB001405")
    grey, coloured = map_fig.data
    assert list(grey.locations) == ["WK001413"] and grey.name == SUPPRESSED_TEXT
    assert list(coloured.locations) == ["WK001412", "WK001414", "WK001411"]
    assert list(coloured.z) == [66.0, 63.0, 61.5]
    assert not coloured.reversescale
    bars, names = rank_fig.data
    assert list(bars.x) == [66.0, 63.0, 61.5]
    assert list(names.text) == ["Noorddijk e.o.", "Meerstad e.o.", "Noordoost", f"Meerdorpen: {SUPPRESSED_TEXT}"]
    assert "Onvoldoende waarnemingen: Meerdorpen." in summary
    lower_is_better, _rank, *_ = wijken._view("jeugd_gedwongen_kader", "2017-01-01", "GB001405")
    assert lower_is_better.data[-1].reversescale


def test_download_has_the_shown_figures_and_words_for_suppressed(context):
    wijken = _import("wijken")
    meta = wijken.store().indicators["zelfredzaamheid"]
    rows = wijken._wijken(wijken.store(), "zelfredzaamheid", PEILDATUM, "GB001405").to_dicts()
    payload = wijken.download(wijken.table_spec(meta), rows, "test", "csv", peildatum=PEILDATUM)
    lines = base64.b64decode(payload["content"]).decode("utf-8-sig").splitlines()
    lines = lines[lines.index("") + 1:]  # after the metadata block (tests/test_dashboard_downloads.py)
    assert lines[0] == ("Wijk;Gebied;Waarde (%);Interval ondergrens;Interval bovengrens;Aantal respondenten;"
                        "Verschil t.o.v. nulmeting;Index (nulmeting = 100);Status")
    assert lines[1] == "Noorddijk e.o.;Noordoost;66,0;63,3;68,7;160;0,0;100,0;gelijk gebleven"
    assert lines[-1] == ("Meerdorpen;Noordoost;onvoldoende waarnemingen;onvoldoende waarnemingen;onvoldoende waarnemingen;"
                         "20;–;–;onvoldoende gegevens")
    xlsx = wijken.download(wijken.table_spec(meta), rows, "test", "xlsx", peildatum=PEILDATUM)
    assert xlsx["filename"] == "wijkmonitor_test_2017-01-01.xlsx" and base64.b64decode(xlsx["content"])[:2] == b"PK"


def test_clicking_a_wijk_opens_its_profile(context):
    wijken = _import("wijken")
    assert wijken.open_profile({"points": [{"location": "WK001401"}]}) == "/wijkprofiel?wijk=WK001401"


def test_overview_table_has_one_row_per_indicator_with_trailing_zeros(context):
    overzicht = _import("overzicht")
    data = overzicht.store()
    rows = overzicht._table_rows(data, "GM0014", PEILDATUM)
    assert [r["naam"] for r in rows] == [m.naam for m in data.indicators.values()]
    # professionals_per_huishouden (2 decimals): the city is the mean of 20 wijken, 1.0 + 0.0625 * k at the
    # nulmeting = 1.59375 -> '1,59'; the text keeps the registry's decimals, so a round value shows '1,30', not '1,3'.
    beroeps = next(r for r in rows if r["naam"] == "Beroepskrachten per huishouden")
    assert beroeps["nulmeting_tekst"] == "1,59"
    assert all(len(r["waarde_tekst"].split(",")[1].rstrip("%")) == data.indicators[k].decimalen
               for r, k in zip(rows, data.indicators, strict=True) if "," in r["waarde_tekst"])


def test_assets_are_local(app):
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page and 'href="#inhoud"' in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert client.get("/assets/bootstrap.min.css").status_code == 200
    assert client.get("/assets/world_110m.json").status_code == 200
    assert Path(dash.__file__).parent.joinpath("dcc").exists()


def test_sparkline_breaks_at_a_suppressed_value_and_draws_corridor_nulmeting_and_years(context):
    from dashboard.components import sparkline_svg

    svg = base64.b64decode(sparkline_svg([1.0, 2.0, None, 4.0], [2015, 2016, 2017, 2018], nulmeting=1.0,
                                         grens=[0.0, 0.0, 1.0, 1.0], last_status="verbeterd").split(",", 1)[1]).decode()
    assert svg.count("<polyline") == 2 and svg.count('r="2.5"') == 3
    # y runs from 5 (highest, 4.0) to 64 - 18 = 46 (lowest, 0.0 of the corridor); x from 8 to 232 in steps of 74.67
    assert 'cx="8.0" cy="35.8"' in svg and 'cx="232.0" cy="5.0"' in svg
    assert "<polygon" in svg and 'stroke-dasharray="3 3"' in svg  # corridor band and nulmeting line
    assert ">2015</text>" in svg and ">2018</text>" in svg
    assert 'r="5" fill="#08519c"' in svg  # the last point in the colour of 'verbeterd'


def test_indicator_breakdown_by_wet_with_suppression(context):
    text = _text(_page("indicator")["layout"](id="tevredenheid", gebied="WK001413"))
    assert "Uitsplitsing op 1 januari 2017" in text
    # gemeente first row set: jeugdwet 68.0 then wmo 72.0; Meerdorpen's wmo row is suppressed (words, no number)
    assert "Groningen wet jeugdwet 68,0 60,2 74,9 150" in text and "Groningen wet wmo 72,0 66,2 77,1 250" in text
    assert f"Meerdorpen wet wmo {SUPPRESSED_TEXT} – – 12" in text


def test_indicator_page_with_no_area_chosen(context):
    indicator = _import("indicator")
    figure, *_ = indicator._view("zelfredzaamheid", [])
    assert len(figure.data) == 0


def test_overview_at_an_earlier_peildatum_has_its_attention_points_and_report_link(context):
    text = _text(_page("overzicht")["layout"](peildatum="2016-01-01"))
    assert "Groningen op 1 januari 2016" in text and "vorige meting van 1 januari 2015" in text
    overzicht = _import("overzicht")
    block = _text(overzicht.attention_block(overzicht.store(), "GM0014", date(2016, 1, 1)))
    # 2016: WK001402 (Oud-West, falling) tevredenheid 70.5 -> 68.5, significant and within the corridor of 3,0.
    assert "Tevredenheid over de ondersteuning — Oud-West (wijk)" in block and "significant slechter" in block
    assert "Geen aandachtspunten" in _text(overzicht.attention_block(overzicht.store(), "GM0014", date(2015, 1, 1)))
    assert overzicht.report_href(PEILDATUM) == "/rapport.pdf?peildatum=2017-01-01"


def test_attention_points_of_a_gebied_are_its_own_and_its_wijken(context):
    overzicht = _import("overzicht")
    data = overzicht.store()
    block = _text(overzicht.attention_block(data, "GB001405", PEILDATUM))  # Noordoost: WK001411-WK001414
    assert "Oud-West" not in block and "Noordoost" in block


def test_indicator_draws_a_corridor_per_area_and_explains_only_what_is_drawn(context):
    indicator = _import("indicator")
    figure, _table, _note, legend, *_ = indicator._view("tevredenheid", ["GM0014", "WK001402"])
    bands = [t for t in figure.data if t.fill == "tonexty"]
    assert len(bands) == 2  # one corridor per area
    assert {t.xaxis for t in bands} == {"x", "x2"}
    points = [t for t in figure.data if t.mode == "lines+markers"]
    assert list(points[1].marker.symbol) == ["circle", "diamond", "triangle-down"]  # gelijk, binnen marge, buiten marge
    assert "Open ruit (bij de gemeente): streefwaarde." in legend and "95%-interval" in legend
    # without the gemeente there are no targets drawn, so the legend does not mention them
    *_, legend_wijk, _text_, _naam, _split = indicator._view("participatie_bijstand", ["WK001402"])
    assert "streefwaarde" not in legend_wijk and "95%-interval" not in legend_wijk


def test_indicator_columns_are_distinct_and_differences_are_procentpunt(context):
    indicator = _import("indicator")
    meta = indicator.store().indicators["tevredenheid"]
    headers = [c.header for c in indicator.table_spec(meta)]
    assert len(headers) == len(set(headers))
    assert "Verschil t.o.v. nulmeting (procentpunt)" in headers and "Index (nulmeting = 100)" in headers
    from dashboard.definitions import corridor_text

    assert corridor_text(indicator.store(), meta).startswith("Maximaal 3,0 procentpunt slechter dan de nulmeting")


def test_best_wijk_is_named_only_when_its_interval_overlaps_no_other(context):
    extremes_text = _import("wijken").extremes_text
    meta = _import("wijken").store().indicators["tevredenheid"]
    row = lambda naam, w, lo, hi: {"gebiedsnaam": naam, "waarde_tekst": f"{w}%", "ci_laag": lo, "ci_hoog": hi,
                                   "interval_tekst": f"{lo} – {hi}"}
    overlapping = [row("A", 91.8, 80.1, 96.9), row("B", 85.0, 75.0, 90.0), row("C", 71.5, 65.1, 77.1)]
    text = extremes_text(meta, overlapping)
    assert text.startswith("Geen wijk is significant de gunstigste") and "A, 80.1 – 96.9" in text
    apart = [row("A", 95.0, 93.0, 97.0), row("B", 85.0, 80.0, 90.0), row("C", 84.0, 79.0, 89.0)]
    text = extremes_text(meta, apart)
    assert "A (95.0%) is significant het gunstigst" in text and "minst gunstig" not in text
    register = _import("wijken").store().indicators["participatie_bijstand"]
    assert extremes_text(register, apart).startswith("Gunstigste wijk: A (95.0%); minst gunstige: C (84.0%)")


def test_map_colour_scale_does_not_change_with_the_gebied_filter(context):
    wijken = _import("wijken")
    whole, *_ = wijken._view("zelfredzaamheid", "2017-01-01", "alle")
    one, *_ = wijken._view("zelfredzaamheid", "2017-01-01", "GB001405")
    # 2017 zelfredzaamheid over all wijken: highest k=19 (rising: 60 + 9.5 + 4 = 73.5), lowest k=2 (falling: 61 - 4 = 57.0),
    # both outside gebied Noordoost.
    assert (whole.data[-1].zmin, whole.data[-1].zmax) == (one.data[-1].zmin, one.data[-1].zmax)
    assert (one.data[-1].zmin, one.data[-1].zmax) == (57.0, 73.5)  # the scale is the city's, not the gebied's


def test_missing_figures_say_why():
    from dashboard.components import missing_text, value_text

    assert missing_text({"onderdrukt": True}) == SUPPRESSED_TEXT
    assert missing_text({"onderdrukt": True, "onderdrukking": "aanvullend"}) == (
        f"{SUPPRESSED_TEXT} (onderdrukt om te voorkomen dat een klein aantal kan worden teruggerekend)")
    assert missing_text({"onderdrukt": False, "waarde": None, "reden": "bron bijstand ontbreekt"}) == (
        "onvoldoende gegevens: bron bijstand ontbreekt")
    assert value_text({"onderdrukt": False, "waarde": None}) == "onvoldoende gegevens"
    assert missing_text({"onderdrukt": False, "waarde": 1.0, "waarde_tekst": "1,0"}) == ""


def test_merger_note_for_areas_that_joined_later(context):
    from dashboard.components import merger_note

    data = _import("overzicht").store()
    # The fixture store has the reference table's in_gemeente_sinds: the Haren wijken joined on 2019-01-01.
    assert merger_note(data, "WK001419", PEILDATUM) == "hoort sinds 2019 bij de gemeente Groningen"
    assert merger_note(data, "GB001407", PEILDATUM) == "hoort sinds 2019 bij de gemeente Groningen"
    assert merger_note(data, "WK001419", date(2019, 1, 1)) == ""
    assert merger_note(data, "WK001401", PEILDATUM) == ""  # always part of the city
    assert merger_note(data, "GM0014", PEILDATUM) == ""  # the gemeente is what they joined


def test_complementary_rule_is_split_from_each_indicators_own_rule(context):
    import dataclasses

    from dashboard.definitions import complementary_rule, primary_rule

    data = _import("over").store()
    meta = dataclasses.replace(data.indicators["tevredenheid"], onderdrukking="Onderdrukt bij n < 30. Aanvullend onderdrukt, zodat x.")
    assert primary_rule(meta) == "Onderdrukt bij n < 30."
    assert complementary_rule(dataclasses.replace(data, indicators={"t": meta})) == "Aanvullend onderdrukt, zodat x."
    assert complementary_rule(data) == ""  # the fixture publishes primary rules only


def test_wijkprofiel_bars_have_the_colour_of_their_status_and_context(context):
    wijkprofiel = _import("wijkprofiel")
    from dashboard.components import status_colour

    titel, figure, rows, _table, trends, context_div = wijkprofiel._view("WK001402", "2017-01-01")
    assert list(figure.data[0].marker.color) == [status_colour(r["status"]) for r in rows]
    text = _text(context_div)
    # the fixture's bevolking of WK001402 (k=2): 100 + 10 * 2 = 120 inwoners, 24 aged 0-17, 60 households
    assert "Inwoners 120" in text and "Jeugdigen (0-17 jaar) 24" in text and "Huishoudens 60" in text
    assert "Aandeel jeugdigen 20,0%" in text and "Personen per huishouden 2,00" in text
    assert "Inwoners onvoldoende gegevens" in _text(wijkprofiel.context_block(wijkprofiel.store(), "WK001402",
                                                                             date(2030, 1, 1)))
    assert len(trends.children) == len(rows)


def test_pages_read_their_state_from_the_url(context):
    assert "Noordoost op 1 januari 2016" in _text(_page("overzicht")["layout"](gebied="GB001405", peildatum="2016-01-01"))
    assert "Oud-West op 1 januari 2015" in _text(_page("wijkprofiel")["layout"](wijk="WK001402", peildatum="2015-01-01"))
    text = _text(_page("indicator")["layout"](id="zelfredzaamheid", gebied="GB001405", vergelijk="WK001402"))
    assert "Zelfredzaamheid per gebied en peildatum" in text and "Oud-West" in text and "Noordoost" in text


def test_complementary_suppression_is_explained_where_it_appears(context):
    wijken = _import("wijken")
    rows = [{"gebiedsnaam": "A", "onderdrukt": True, "n": 48}, {"gebiedsnaam": "B", "onderdrukt": False, "n": 200}]
    text = _text(wijken.suppression_note(rows))  # a store without the onderdrukking column: the rule in words
    assert "onderdrukt om te voorkomen dat een klein aantal kan worden teruggerekend" in text
    named = [row | {"onderdrukking": kind} for row, kind in zip(rows, ["aanvullend", None], strict=True)]
    assert _text(wijken.suppression_note(named)).startswith("A: onderdrukt om te voorkomen")
    primary_only = [row | {"onderdrukking": kind} for row, kind in zip(rows, ["primair", None], strict=True)]
    assert wijken.suppression_note(primary_only) is None


def test_wijkprofiel_shows_the_actions_about_that_wijk(context):
    from dashboard.acties import Invoer, add_action
    from dashboard.components import state_path

    add_action(state_path(), PEILDATUM, "zelfredzaamheid", "WK001402",
               Invoer("Extra inzet wijkteam", "lopend", "J. de Vries", date(2017, 3, 31), "Doorgaan"), "anna")
    add_action(state_path(), PEILDATUM, "zelfredzaamheid", "WK001403", Invoer("Andere wijk"), "anna")
    wijkprofiel = _import("wijkprofiel")
    text = _text(wijkprofiel.actions_block(wijkprofiel.store(), "WK001402", PEILDATUM))
    assert "Zelfredzaamheid: Extra inzet wijkteam" in text and "Status: lopend" in text
    assert "eigenaar: J. de Vries" in text and "deadline: 31 maart 2017" in text and "Besluit: Doorgaan" in text
    assert "Andere wijk" not in text
    assert "Geen acties" in _text(wijkprofiel.actions_block(wijkprofiel.store(), "WK001402", date(2016, 1, 1)))
