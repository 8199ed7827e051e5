"""Comparing fairly on the pages (issue 12): similar wijken and kenmerken on the Wijkprofiel, "wijken zoals"
in Wijken vergelijken, and the Werkwijzen page with its plain-Dutch reading. Fixture: tests/fixtures/published_store.py."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.components import component_text as _text
from fixtures.components import registered_page as _page, page_module as _import
from fixtures.published_store import BUREN, VERGELIJK_WIJK, WERKWIJZE, build_published_store

from dashboard import vergelijken
from dashboard.app import create_app
from dashboard.data import Indicator
from dashboard.format import SUPPRESSED_TEXT

PEILDATUM = date(2017, 1, 1)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vergelijken")
    return create_app(build_published_store(folder / "monitor.duckdb"), folder / "state.sqlite")


@pytest.fixture()
def context(app):
    with app.server.test_request_context():
        yield app


def test_wijkprofiel_names_the_similar_wijken_with_their_values_and_the_reference(context):
    text = _text(_page("wijkprofiel")["layout"](wijk=VERGELIJK_WIJK, peildatum="2017-01-01"))
    assert "Centrum naast vergelijkbare wijken" in text
    assert "Oud-Zuid (0,50)" in text and "Meerdorpen (1,25)" in text
    # zelfredzaamheid of Oud-Zuid (k=1) on 2017: 60 + 0.5 + 2 * 2 = 64.5; Meerdorpen is suppressed (left out, said so)
    assert "64,5% (1 van 2 wijken; 1 met onvoldoende waarnemingen weggelaten)" in text
    assert SUPPRESSED_TEXT in text
    # register: specialistische_ondersteuning Oud-Zuid 20 + 0.75 + 2 * 3 = 26.75, Meerdorpen (k=13, 13 % 3 = 1: rising)
    # 20 + 9.75 + 6 = 35.75 -> mean 31.25, shown with one decimal as Python rounds the exact binary 31.25: 31,2
    assert "31,2 (gemiddelde van 2 wijken)" in text


def test_context_block_shows_the_kenmerken_with_their_year(context):
    wijkprofiel = _import("wijkprofiel")
    text = _text(wijkprofiel.context_block(wijkprofiel.store(), VERGELIJK_WIJK, PEILDATUM))
    assert "Gemiddeld inkomen per inwoner (× € 1.000) (2016) 27,5" in text
    assert "Huurwoningen (2016) 52,0%" in text


def test_wijkprofiel_without_similar_wijken_says_so(context):
    wijkprofiel = _import("wijkprofiel")
    assert "geen vergelijkbare wijken bepaald" in _text(wijkprofiel.similar_block("WK001402", "2017-01-01"))


def test_wijken_zoals_limits_ranking_map_and_table_to_the_wijk_and_its_similar_wijken(context):
    wijken = _import("wijken")
    data = wijken.store()
    rows = wijken._wijken(data, "zelfredzaamheid", PEILDATUM, vergelijken.ZOALS + VERGELIJK_WIJK)
    assert sorted(rows["gebiedcode"]) == sorted([VERGELIJK_WIJK, *(code for code, _ in BUREN)])
    assert {"label": "Wijken zoals Centrum", "value": vergelijken.ZOALS + VERGELIJK_WIJK} in vergelijken.zoals_options(data)
    text = _text(_page("wijken")["layout"](gebied=vergelijken.ZOALS + VERGELIJK_WIJK))
    assert "is onbekend" not in text
    assert "Ten Post" not in _text(wijken._view("zelfredzaamheid", "2017-01-01", vergelijken.ZOALS + VERGELIJK_WIJK)[2])


def test_werkwijzen_page_shows_chart_table_and_a_reading_without_causality(context):
    text = _text(_page("werkwijzen")["layout"](id="zelfredzaamheid"))
    assert text.startswith("Werkwijzen vergelijken")
    assert "Integraal wijkteam" in text and "Centrum, Oud-Zuid" in text
    assert vergelijken.NO_CAUSALITY in text and "95%-interval" in text
    figure = _import("werkwijzen")._view(WERKWIJZE[0], "zelfredzaamheid")[0]
    assert [trace.name for trace in figure.data] == [WERKWIJZE[0], "Andere wijken"]
    assert figure.data[0].y[0] == 0.0  # both groups start at zero on P_S


def test_werkwijze_difference_in_the_fixture_store_by_hand(context):
    data = _import("werkwijzen").store()
    [row] = vergelijken.did_rows(data, WERKWIJZE[0], "zelfredzaamheid")
    # group Centrum (k=0, flat) 0 and Oud-Zuid (k=1, rising) +2 -> 1; the 16 other wijken with values
    # (Meerdorpen and Ten Post suppressed) change 2 x (4 rising - 6 falling) / 16 = -0.25 -> DiD 1.25
    assert row["peildatum_start"] == date(2016, 1, 1) and row["peildatum"] == PEILDATUM
    assert row["did"] == pytest.approx(1.25)
    assert (row["groep_n"], row["overig_n"], row["groep_weggelaten"], row["overig_weggelaten"]) == (2, 16, 0, 2)
    assert row["ci_laag"] < row["did"] < row["ci_hoog"]


META = Indicator("x", 1, "Zelfredzaamheid", "", "", "hoger_is_beter", "%", 1, "enquete", "", "")
REGISTER = Indicator("y", 2, "Zelfredzaamheid", "", "", "hoger_is_beter", "%", 1, "register", "", "")
ROW = {"peildatum_start": date(2016, 1, 1), "peildatum": date(2017, 1, 1), "groep_verandering": 2.0,
       "overig_verandering": 0.5, "did": 1.5, "groep_n": 3, "overig_n": 15, "groep_weggelaten": 0, "overig_weggelaten": 1}


@pytest.mark.parametrize(("laag", "hoog", "expected"), [
    (-0.5, 3.5, "bevat nul"), (0.2, 2.8, "ligt geheel boven nul"), (None, None, "geen steekproefinterval"),
])
def test_reading_says_in_words_whether_the_interval_crosses_zero(laag, hoog, expected):
    meta = META if laag is not None else REGISTER
    text = vergelijken.reading(meta, "Integraal wijkteam", ROW | {"ci_laag": laag, "ci_hoog": hoog})
    assert expected in text
    assert "+1,5 procentpunt" in text and "gunstige richting" in text and "1 wijk zonder cijfer" in text
    assert text.endswith(vergelijken.NO_CAUSALITY)
    for claim in ("dankzij", "veroorzaakt door", "effect van de werkwijze", "bewijst"):
        assert claim not in text


def test_reading_of_a_survey_figure_without_an_interval_does_not_call_it_a_full_count():
    text = vergelijken.reading(META, "W", ROW | {"ci_laag": None, "ci_hoog": None})
    assert "geen steekproefinterval" not in text and "Het 95%-interval is niet te berekenen" in text


def test_reading_without_a_comparison_says_onvoldoende_gegevens():
    text = vergelijken.reading(META, "W", ROW | {"did": None, "groep_n": 0, "ci_laag": None, "ci_hoog": None})
    assert "geen vergelijking mogelijk" in text and "onvoldoende gegevens" in text


def test_report_has_a_werkwijzen_chapter_with_table_and_readings(app, tmp_path):
    from datetime import datetime

    from dashboard.data import published
    from dashboard.rapport.render import report_html
    from fixtures.published_store import build_published_store

    data = published(build_published_store(tmp_path / "monitor.duckdb"))
    html = report_html(data, PEILDATUM, datetime(2017, 2, 1, 10, 0))
    assert '<a href="#werkwijzen">Werkwijzen vergelijken</a>' in html and '<section class="werkwijzen"' in html
    assert "Integraal wijkteam: verschil in verschil per indicator op 1 januari 2017" in html
    assert html.count("<li>Zelfredzaamheid: van 1 januari 2016 tot 1 januari 2017") == 1
    assert vergelijken.NO_CAUSALITY in html
    assert '<section class="werkwijzen"' not in report_html(data, date(2016, 1, 1), datetime(2017, 2, 1, 10, 0))


def test_report_werkwijzen_chart_has_a_panel_per_indicator_and_says_its_figures_in_words(context):
    from dashboard.rapport import charts
    from dashboard.rapport.werkwijzen import werkwijzen_sections

    [section] = werkwijzen_sections(_import("werkwijzen").store(), PEILDATUM)
    assert [reeks.meta.naam for reeks in section.reeksen] == [row.naam for row in section.rijen]
    svg = charts.werkwijze_svg(section.naam, section.reeksen)
    for reeks in section.reeksen:
        assert f">{reeks.meta.naam}<" in svg  # each panel titled (text stays text in the SVG)
    text = charts.werkwijze_description(section.naam, section.reeksen)
    # zelfredzaamheid by hand (test_werkwijze_difference_in_the_fixture_store_by_hand): group +1, others -0.25
    assert "Zelfredzaamheid, vanaf 1 jan 2016: 1 jan 2017: +1,0 procentpunt tegenover −0,2" in text


def test_kenmerken_left_out_of_the_distance_are_named():
    from types import SimpleNamespace

    import polars as pl

    context = pl.DataFrame({"peildatum": [PEILDATUM] * 3, "kenmerk": ["aandeel_0_17", "aandeel_huurwoningen", "eigen"],
                            "gebruikt": [True, False, False]})
    data = SimpleNamespace(tables={"context": context})
    assert vergelijken.unused_kenmerken(data, PEILDATUM) == ["Huurwoningen", "Eigen"]
    assert vergelijken.unused_kenmerken(data, date(2016, 1, 1)) == []


def test_wijkprofiel_of_the_fixture_uses_every_kenmerk(context):
    assert "Niet meegeteld" not in _text(_import("wijkprofiel").similar_block(VERGELIJK_WIJK, "2017-01-01"))


def test_a_werkwijze_wijkcode_the_area_table_does_not_know_is_named_as_left_out(tmp_path):
    import duckdb

    store = build_published_store(tmp_path / "monitor.duckdb")
    naam, omschrijving, start, _wijken = WERKWIJZE
    with duckdb.connect(str(store)) as con:
        con.execute("INSERT INTO werkwijzen VALUES (?, ?, ?, 'WK009999')", [naam, omschrijving, start])
    app = create_app(store, tmp_path / "state.sqlite")
    with app.server.test_request_context():
        text = _text(_page("werkwijzen")["layout"](id="zelfredzaamheid"))
        info = vergelijken.werkwijzen(_import("werkwijzen").store())[naam]
    assert info["onbekend"] == ["WK009999"]
    assert "Wijkcode WK009999 van deze werkwijze staat niet in de gebiedentabel" in text
    assert "Centrum, Oud-Zuid, WK009999 (onbekende wijkcode)" in text


def test_a_werkwijze_without_unknown_codes_has_no_warning(context):
    info = vergelijken.werkwijzen(_import("werkwijzen").store())[WERKWIJZE[0]]
    assert info["onbekend"] == [] and vergelijken.unknown_codes_text(info) == ""
    assert "gebiedentabel" not in _text(_page("werkwijzen")["layout"](id="zelfredzaamheid"))
