"""Pages without a browser: layouts, unknown ids, suppression, downloads, map click (PDCA: test_dashboard_pdca.py)."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest
from fixtures.published_store import build_published_store

import dash
from dashboard.app import create_app
from dashboard.format import SUPPRESSED_TEXT

PEILDATUM = date(2017, 1, 1)
# DataTable is the table the brief asks for; its future deprecation in Dash is known.
pytestmark = pytest.mark.filterwarnings("ignore:.*dash_table.DataTable will be removed:DeprecationWarning")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    return create_app(build_published_store(folder / "monitor.duckdb"), folder / "state.sqlite")


@pytest.fixture()
def context(app):
    with app.server.test_request_context():
        yield app


def _page(module: str):
    """The page module Dash imported for this app."""
    return next(p for p in dash.page_registry.values() if p["module"].endswith(f".{module}"))


def _text(component) -> str:
    """All text in a component tree, including DataTable cells, as one string."""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            props = node.get("props", node)
            walk(props.get("children"))
            for row in props.get("data") or [] if isinstance(props.get("data"), list) else []:
                parts.extend(str(v) for v in row.values())
        elif isinstance(node, (str, int, float)):
            parts.append(str(node))
        elif hasattr(node, "to_plotly_json"):
            walk(node.to_plotly_json())

    walk(component)
    return " ".join(" ".join(parts).split())


def _import(module: str):
    return __import__(f"pages.{module}", fromlist=["_"])


@pytest.mark.parametrize(("module", "title"), [
    ("overzicht", "Overzicht Gebied Groningen op 1 januari 2017"), ("wijken", "Wijken vergelijken"),
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
    map_fig, rank_fig, columns, rows, summary = wijken._view("zelfredzaamheid", "2017-01-01", "GB001405")
    grey, coloured = map_fig.data
    assert list(grey.locations) == ["WK001413"] and grey.name == SUPPRESSED_TEXT
    assert list(coloured.locations) == ["WK001412", "WK001414", "WK001411"]
    assert list(coloured.z) == [66.0, 63.0, 61.5]
    assert not coloured.reversescale
    assert list(rank_fig.data[0].y) == ["Noorddijk e.o.", "Meerstad e.o.", "Noordoost"]
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


def test_overview_table_has_one_row_per_indicator(context):
    overzicht = _import("overzicht")
    columns, rows = overzicht._table(overzicht.store(), "GM0014")
    assert [c.header for c in columns][2:5] == ["1 januari 2015", "1 januari 2016", "1 januari 2017"]
    assert len(rows) == 8 and rows[0]["naam"] == "Tevredenheid over de ondersteuning"


def test_assets_are_local(app):
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page and 'href="#inhoud"' in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert client.get("/assets/bootstrap.min.css").status_code == 200
    assert client.get("/assets/world_110m.json").status_code == 200
    assert Path(dash.__file__).parent.joinpath("dcc").exists()


def test_sparkline_breaks_at_a_suppressed_value(context):
    overzicht = _import("overzicht")
    svg = base64.b64decode(overzicht.sparkline_svg([1.0, 2.0, None, 4.0]).split(",", 1)[1]).decode()
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 3
    # lowest value at the bottom (y = 50 - 5), highest at the top (y = 5)
    assert 'cx="5.0" cy="45.0"' in svg and 'cx="235.0" cy="5.0"' in svg


def test_indicator_breakdown_by_wet_with_suppression(context):
    text = _text(_page("indicator")["layout"](id="tevredenheid", gebied="WK001413"))
    assert "Uitsplitsing op 1 januari 2017" in text
    # gemeente first row set: jeugdwet 68.0 then wmo 72.0; Meerdorpen's wmo row is suppressed (None -> words in the table)
    assert "Groningen wet jeugdwet 68.0" in text and "Groningen wet wmo 72.0" in text
    assert "Meerdorpen wet wmo None" in text  # DataTable shows None as its nully text 'onvoldoende waarnemingen'


def test_indicator_page_with_no_area_chosen(context):
    indicator = _import("indicator")
    figure, columns, rows, note, *_ = indicator._view("zelfredzaamheid", [])
    assert rows == [] and len(figure.data) == 1  # only the streefwaarde markers
