"""Money beside comparing fairly (issues 12 and 13 together): the /geld scatter marks a wijk and its similar
wijken, the Wijkprofiel costs block shows the similar wijken's mean cost per inhabitant (suppressed ones left
out and said so), the links to /instellingen by role, and "wijken zoals" at the national area count.
Fixture: tests/fixtures/published_store.py (WK001400 Centrum; similar: WK001401 Oud-Zuid, WK001413 Meerdorpen,
whose cost cells are suppressed)."""

from __future__ import annotations

from datetime import date

import dash
import duckdb
import flask
import pytest
from fixtures.components import component_text as _text
from fixtures.components import registered_page as _page
from fixtures.published_store import BUREN, VERGELIJK_WIJK, build_published_store

from benchmarks.national_store import national, read_store
from core import publication
from dashboard import ids, vergelijken
from dashboard.app import create_app
from dashboard.components import store
from dashboard.geld import similar_kosten, similar_kosten_left_out, similar_kosten_text
from dashboard.security import User

PEILDATUM = date(2017, 1, 1)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("samenhang")
    return create_app(build_published_store(folder / "monitor.duckdb"), folder / "state.sqlite")


@pytest.fixture()
def context(app):
    with app.server.test_request_context():
        yield app


def _find(node, component_id: str):
    """The component with this id in a layout tree."""
    if getattr(node, "id", None) == component_id:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children] if children is not None else []:
        found = _find(child, component_id)
        if found is not None:
            return found
    return None


def test_similar_wijken_mean_cost_leaves_suppressed_cells_out_and_counts_them(context):
    data = store()
    # wmo on 2017-01-01: Oud-Zuid (k = 1) 200.000 + 2 x 10.000 = 220.000 over 110 inhabitants = 2.000;
    # Meerdorpen's cells are suppressed: left out, never computed from
    wmo = similar_kosten(data, VERGELIJK_WIJK, PEILDATUM, "wmo")
    assert wmo == {"waarde": pytest.approx(2_000.0), "k": 2, "n_buren": 1, "n_onderdrukt": 1, "n_ontbrekend": 0}
    assert similar_kosten_text(wmo) == "€ 2.000"
    assert similar_kosten_left_out(wmo) == "1 van 2 wijken; 1 met onvoldoende waarnemingen weggelaten"
    # totaal: 2 x (100.000 + 200.000 + 300.000) + 3 x 20.000 = 1.260.000 / 110 = 11.454,5
    assert similar_kosten(data, VERGELIJK_WIJK, PEILDATUM)["waarde"] == pytest.approx(1_260_000 / 110)
    assert similar_kosten(data, "WK001402", PEILDATUM) is None  # no similar wijken
    assert similar_kosten_text(None) == "–"


def test_wijkprofiel_costs_block_shows_the_similar_wijken_mean_beside_the_city(context):
    text = _text(_page("wijkprofiel")["layout"](wijk=VERGELIJK_WIJK, peildatum="2017-01-01"))
    assert "Vergelijkbare wijken per inwoner" in text
    # Centrum (k = 0): 100.000 + 2 x 10.000 = 120.000 over 100 inhabitants; the gemeente 21.400.000 / 3.900
    assert "Wmo € 1.200 € 6.000 € 5.487 € 2.000" in text
    assert "van de 2 wijken die het meest op deze wijk lijken" in text
    assert "(Totaal: 1 van 2 wijken; 1 met onvoldoende waarnemingen weggelaten; Wmo: 1 van 2 wijken;" in text
    # a wijk without similar wijken has no such column
    assert "Vergelijkbare wijken per inwoner" not in _text(_page("wijkprofiel")["layout"](wijk="WK001402",
                                                                                         peildatum="2017-01-01"))


def test_geld_scatter_marks_the_chosen_wijk_and_its_similar_wijken_by_shape_and_name(context):
    layout = _page("geld")["layout"](peildatum="2017-01-01", wet="wmo", wijk=VERGELIJK_WIJK)
    text = _text(layout)
    assert "Gemarkeerd: Centrum (ster) en de 2 wijken die er het meest op lijken (ruit): Oud-Zuid, Meerdorpen." in text
    assert "Zonder punt (geen gepubliceerd cijfer): Meerdorpen." in text
    figure = _find(layout, ids.GELD_SPREIDING).figure
    traces = {trace.name: trace for trace in figure.data}
    assert set(traces) == {"Overige wijken", "Vergelijkbare wijken", "Gekozen wijk"}
    assert list(traces["Gekozen wijk"].text) == ["Centrum"] and traces["Gekozen wijk"].marker.symbol == "star"
    assert list(traces["Vergelijkbare wijken"].text) == ["Oud-Zuid"] and traces["Vergelijkbare wijken"].marker.symbol == "diamond"
    assert traces["Overige wijken"].mode == "markers" and figure.layout.showlegend is True
    table = _text(_find(layout, ids.GELD_SPREIDING_TABEL))
    assert "Gemarkeerd" in table and table.index("gekozen wijk") < table.index("vergelijkbare wijk")
    # without a wijk: one trace, every point named, no legend (as before)
    plain = _page("geld")["layout"](peildatum="2017-01-01", wet="wmo")
    figure = _find(plain, ids.GELD_SPREIDING).figure
    assert [t.name for t in figure.data] == ["Wijken"] and figure.data[0].mode == "markers+text"
    assert "Gemarkeerd" not in _text(_find(plain, ids.GELD_SPREIDING_TABEL))


def test_geld_with_an_unknown_wijk_says_so_and_marks_none(context):
    text = _text(_page("geld")["layout"](wijk="WK999999"))
    assert "Wijk 'WK999999' heeft geen vergelijkbare wijken of is onbekend" in text and "Gemarkeerd:" not in text


@pytest.mark.parametrize(("role", "link"), [("beheer", True), ("raad", False), ("programmateam", False)])
def test_geld_and_werkwijzen_link_to_instellingen_for_beheer_only(app, role, link):
    with app.server.test_request_context():
        flask.g.wijkmonitor_user = User("iemand", role)
        for module in ("geld", "werkwijzen"):
            shown = str(_page(module)["layout"]())
            text = _text(_page(module)["layout"]())
            assert ("href='/instellingen'" in shown) is link, module
            assert ("De beheerder past" in text) is not link, module


def test_instellingen_link_reaches_the_page(app):
    assert [p["module"].rsplit(".", 1)[-1] for p in dash.page_registry.values() if p["path"] == "/instellingen"] == [
        "instellingen"]


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    """The fixture store copied into 4 gemeenten (as benchmarks/national_store.py copies a city)."""
    folder = tmp_path_factory.mktemp("samenhang-land")
    city = build_published_store(folder / "city.duckdb")
    path = folder / "national.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(publication.ddl())
        for name, frame in national(read_store(city), 4).items():
            con.register("copy", frame.to_arrow())
            con.execute(f'INSERT INTO "{name}" SELECT * FROM copy')
            con.unregister("copy")
    return path


def test_wijken_zoals_lists_only_the_gemeentes_wijken_beyond_the_limit(country, monkeypatch, tmp_path):
    from dashboard.data import published

    data = published(country)
    everyone = vergelijken.zoals_candidates(data)
    assert len(everyone) == 4 and not vergelijken.zoals_limited(data)  # under the limit: every wijk, as in a city
    monkeypatch.setattr(vergelijken, "ZOALS_MAX", 3)
    code, _naam = data.gemeente()
    own = vergelijken.zoals_candidates(data)
    assert vergelijken.zoals_limited(data) and len(own) == 1
    wijk = own[0][0]
    assert data.tables["areas"].filter(data.tables["areas"]["gebiedcode"] == wijk)["bovenliggend"].item() \
        in set(data.areas("gebied").filter(data.areas("gebied")["bovenliggend"] == code)["gebiedcode"]) | {code}
    other = next(c for c, _ in everyone if c != wijk)
    assert other in dict(vergelijken.zoals_candidates(data, other))  # a chosen wijk (from its Wijkprofiel link) stays
    values = [o["value"] for o in vergelijken.zoals_options(data, vergelijken.ZOALS + other)]
    assert sorted(values) == sorted([vergelijken.ZOALS + wijk, vergelijken.ZOALS + other])
    app = create_app(country, tmp_path / "state.sqlite")
    with app.server.test_request_context():
        text = _text(_page("wijken")["layout"](gebied=vergelijken.ZOALS + other))
    assert "is onbekend" not in text and "‘Wijken zoals …’ staat hier voor de wijken van" in text


def test_wijkprofiel_links_to_wijken_zoals(context):
    shown = str(_page("wijkprofiel")["layout"](wijk=VERGELIJK_WIJK, peildatum="2017-01-01"))
    assert f"/wijken?gebied={vergelijken.ZOALS}{VERGELIJK_WIJK}&peildatum=2017-01-01" in shown
    assert len(BUREN) == 2  # the fixture's similar wijken, named above
