"""Geld per wijk and dashboard/geld.py on the fixture store (tests/fixtures/published_store.py, _kosten_rows)."""

from __future__ import annotations


import dash
import pytest

from dashboard.app import create_app
from dashboard.data import published
from dashboard.geld import euro, realisatie
from fixtures.components import component_text as _text
from fixtures.published_store import build_published_store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_published_store(tmp_path_factory.mktemp("geld") / "monitor.duckdb")


@pytest.fixture(scope="module")
def app(store_path, tmp_path_factory):
    return create_app(store_path, tmp_path_factory.mktemp("state") / "state.sqlite")


@pytest.fixture()
def context(app):
    with app.server.test_request_context():
        yield app


def _layout(**params):
    page = next(p for p in dash.page_registry.values() if p["module"].endswith(".geld"))
    return page["layout"](**params)


def test_euro_format():
    assert (euro(1234.4), euro(-5.0), euro(None)) == ("€ 1.234", "€ −5", "–")


def test_page_shows_wijk_figures_suppression_and_the_breakdown(context):
    text = _text(_layout(peildatum="2017-01-01", wet="wmo"))
    assert text.startswith("Geld per wijk")
    # WK001401 (Oud-Zuid, k = 1): 220.000 over 110 inhabitants and 21 clients
    assert "Oud-Zuid" in text and "€ 2.000" in text and "€ 10.476" in text and "€ 220.000" in text
    assert "onvoldoende waarnemingen" in text  # WK001413 and WK001414
    assert "Naar wet: Groningen" in text and "Participatiewet" in text


def test_unknown_peildatum_gives_a_dutch_message(context):
    assert "Peildatum '2030-01-01' komt niet voor" in _text(_layout(peildatum="2030-01-01"))


def test_realisation_against_budget_and_taakstelling(store_path):
    frame = realisatie(published(store_path))
    wmo_2016 = frame.filter((frame["wet"] == "wmo") & (frame["jaar"] == 2016)).row(0, named=True)
    # gemeente wmo on 2017-01-01: sum over k = 0..19 of (k + 1) x 100.000 + 20 x 20.000 = 21.000.000 + 400.000
    assert wmo_2016["realisatie"] == pytest.approx(21_400_000)
    assert wmo_2016["verschil"] == pytest.approx(30_000_000 - 21_400_000)
    assert wmo_2016["gehaald"] is True  # 8.600.000 >= 1.000.000
    totaal_2015 = frame.filter((frame["wet"] == "totaal") & (frame["jaar"] == 2015)).row(0, named=True)
    # 2016-01-01: 21.000.000 x (1 + 2 + 3) + 3 x 20 x 10.000
    assert totaal_2015["realisatie"] == pytest.approx(126_600_000)
    assert totaal_2015["begroting"] == 150_000_000 and totaal_2015["gehaald"] is None


def test_store_without_costs_reads_them_as_empty_and_the_page_says_so(tmp_path, context):
    import duckdb
    path = build_published_store(tmp_path / "oud.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("drop table kosten")
        con.execute("drop table begroting")
    data = published(path)
    assert data.tables["kosten"].height == 0 and realisatie(data).height == 0


def test_wijkprofiel_shows_the_wijk_costs_beside_its_outcomes(context):
    page = next(p for p in dash.page_registry.values() if p["module"].endswith(".wijkprofiel"))
    text = _text(page["layout"](wijk="WK001401", peildatum="2017-01-01"))
    # wmo 220.000 / 110 inhabitants; the gemeente: 21.400.000 / 3.900 inhabitants = 5.487,2
    assert "Kosten" in text and "€ 2.000" in text and "€ 5.487" in text
    suppressed = _text(page["layout"](wijk="WK001413", peildatum="2017-01-01"))
    assert "onvoldoende waarnemingen" in suppressed


def test_the_total_meets_a_care_target_only_by_the_margins_of_the_wetten_with_a_target(tmp_path):
    import duckdb
    path = build_published_store(tmp_path / "taak.duckdb")
    with duckdb.connect(str(path)) as con:
        # wmo 2016: budget 21.900.000 for a realisation of 21.400.000 (margin 500.000) against a target of 1.000.000;
        # jeugdwet and participatiewet are far under budget (50 and 70 million for 42,4 and 63,4 million)
        con.execute("update begroting set begroting = 21_900_000 where jaar = 2016 and wet = 'wmo'")
    frame = realisatie(published(path))
    wmo = frame.filter((frame["wet"] == "wmo") & (frame["jaar"] == 2016)).row(0, named=True)
    totaal = frame.filter((frame["wet"] == "totaal") & (frame["jaar"] == 2016)).row(0, named=True)
    assert wmo["verschil"] == pytest.approx(500_000) and wmo["gehaald"] is False
    # total margin 141.900.000 − 127.200.000 = 14.700.000, but only wmo's 500.000 counts for its target
    assert totaal["verschil"] == pytest.approx(14_700_000) and totaal["taakstelling"] == 1_000_000
    assert totaal["gehaald"] is False


def test_data_quality_page_names_the_cost_figure_and_its_reason(tmp_path):
    import duckdb
    path = build_published_store(tmp_path / "dq.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("insert into dq_incomplete values ('kosten_per_client', '2017-01-01', 'kosten', null, "
                    "'geen geaccepteerde gegevens van bron kosten in de periode'), ('kosten_per_inwoner', "
                    "'2017-01-01', 'kosten', null, 'geen geaccepteerde gegevens van bron kosten in de periode')")
    app = create_app(path, tmp_path / "state.sqlite")
    page = next(p for p in dash.page_registry.values() if p["module"].endswith(".datakwaliteit"))
    with app.server.test_request_context():
        text = _text(page["layout"]())
    assert ("1 januari 2017 kosten alle wijken Kosten per inwoner, Kosten per cliënt "
            "geen geaccepteerde gegevens van bron kosten in de periode") in text
