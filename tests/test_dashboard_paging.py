"""Long lists a page at a time: every wijk of the country on Wijken vergelijken, every signal in the PDCA session.

The hand-made store (20 wijken of one gemeente) fits on one page and keeps its look; the same store copied into
several gemeenten (as benchmarks/national_store.py copies a city) has more wijken and signals than one page holds. The callbacks are posted as the Dash renderer posts them, so the buttons' wiring is tested too.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import polars as pl
import pytest
from fixtures.components import component_text as _text
from fixtures.components import registered_page as _page
from fixtures.published_store import build_published_store

from benchmarks.national_store import national, read_store
from core import publication
from dashboard.app import create_app
from dashboard.components import PAGE_SIZE
from dashboard.data import published
from dashboard.signals import signals

PEILDATUM = date(2017, 1, 1)
GEMEENTEN = 4  # 80 wijken: one full page and one of 30


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paging")
    city = build_published_store(folder / "city.duckdb")
    country = folder / "national.duckdb"
    # Written like the hand-made store (publication.ddl()), not through etl.publish: its figures are made by a
    # rule, not by the suppression that publish audits.
    with duckdb.connect(str(country)) as con:
        con.execute(publication.ddl())
        for name, frame in national(read_store(city), GEMEENTEN).items():
            con.register("copy", frame.to_arrow())
            con.execute(f'INSERT INTO "{name}" SELECT * FROM copy')
            con.unregister("copy")
    return city, country


@pytest.fixture(scope="module")
def app(stores, tmp_path_factory):
    return create_app(stores[1], tmp_path_factory.mktemp("paging-state") / "state.sqlite")


@pytest.fixture(scope="module")
def city_app(stores, tmp_path_factory):
    return create_app(stores[0], tmp_path_factory.mktemp("paging-city") / "state.sqlite")


def _find(component, component_id):
    """The component with this id in a layout tree (or None)."""
    if isinstance(component, (list, tuple)):
        return next((hit for child in component if (hit := _find(child, component_id)) is not None), None)
    if not hasattr(component, "to_plotly_json"):
        return None
    if getattr(component, "id", None) == component_id:
        return component
    for name in getattr(component, "_prop_names", ()):
        value = getattr(component, name, None)
        if hasattr(value, "to_plotly_json") or isinstance(value, (list, tuple)):
            hit = _find(value, component_id)
            if hit is not None:
                return hit
    return None


def _post(app, output_id: str, values: dict[str, object], changed: str) -> dict:
    """Call the callback that has output_id ('id', or 'id.property' for one of several callbacks setting that id) among
    its outputs, as the renderer does; its response by output (without Dash's allow_duplicate suffix)."""
    def parts(key: str) -> list[str]:
        return [part.split("@")[0] for part in key.removeprefix("..").removesuffix("..").split("...")]

    key, spec = next((k, s) for k, s in app.callback_map.items() if "callback" in s
                     and any(output_id in (part, part.rsplit(".", 1)[0]) for part in parts(k)))
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in key.removeprefix("..").removesuffix("..").split("...")]

    def items(specs):
        return [{"id": s["id"], "property": s["property"], "value": values.get(f"{s['id']}.{s['property']}")} for s in specs]

    body = {"output": key, "outputs": outputs, "inputs": items(spec["inputs"]), "state": items(spec.get("state", [])),
            "changedPropIds": [changed]}
    response = app.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                             content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return {component: {name.split("@")[0]: value for name, value in props.items()}
            for component, props in json.loads(response.get_data())["response"].items()}


def _own_areas(data, gemeente: str) -> list[str]:
    """The gemeente, its gebieden, its wijken (each level by name): what one gemeente's area list shows (the copies
    carry their gemeente's number in their codes)."""
    return [code for niveau in ("gemeente", "gebied", "wijk") for code in data.areas(niveau)["gebiedcode"]
            if code[2:6] == gemeente[2:6]]


def _table_rows(children) -> list[list[str]]:
    """The body rows of the first table in a rendered component (JSON), as lists of cell texts."""
    rows: list[list[str]] = []

    def texts(node) -> str:
        if isinstance(node, dict):
            return texts(node.get("props", {}).get("children"))
        if isinstance(node, list):
            return " ".join(texts(n) for n in node)
        return "" if node is None else str(node)

    def walk(node) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if node.get("type") == "Tbody":
                rows.extend([texts(cell) for cell in row["props"]["children"]] for row in node["props"]["children"])
                return
            walk(node.get("props", {}).get("children"))

    walk(children)
    return rows


def _json(component):
    return json.loads(json.dumps(component, cls=__import__("plotly").utils.PlotlyJSONEncoder))


def _ranked_wijken(db, indicator: str) -> list[str]:
    """Every wijk's name as the page ranks them: best first, wijken without a figure last, equal figures by name
    (the rule of wijken._wijken written out again)."""
    data = published(db)
    rows = data.values.filter((pl.col("indicator") == indicator) & (pl.col("peildatum") == PEILDATUM)
                              & (pl.col("niveau") == "wijk"))
    descending = not data.indicators[indicator].lager_is_beter
    return rows.sort([pl.col("waarde").is_null(), pl.col("waarde"), pl.col("gebiedsnaam")],
                     descending=[False, descending, False], nulls_last=True)["gebiedsnaam"].to_list()


def test_all_wijken_of_the_country_are_shown_a_page_at_a_time_best_first(app, stores):
    ranked = _ranked_wijken(stores[1], "zelfredzaamheid")
    assert len(ranked) == 20 * GEMEENTEN > PAGE_SIZE
    with app.server.test_request_context():
        layout = _page("wijken")["layout"](id="zelfredzaamheid", peildatum=PEILDATUM.isoformat())
    table = _table_rows(_json(_find(layout, "vergelijk-kaarttabel")))
    assert [row[0] for row in table] == ranked[:PAGE_SIZE]
    nav = _find(layout, "vergelijk-wijken-paginas")
    assert nav.hidden is False and "Wijken 1–50 van 80" in _text(nav)
    assert _find(layout, "vergelijk-wijken-vorige").disabled is True
    assert _find(layout, "vergelijk-wijken-volgende").disabled is False
    figure = _find(layout, "vergelijk-kaart").figure
    assert sum(len(trace.locations) for trace in figure.data) == PAGE_SIZE  # the map shows the same wijken

    answer = _post(app, "vergelijk-kaart", {
        "vergelijk-indicator.value": "zelfredzaamheid", "vergelijk-peildatum.value": PEILDATUM.isoformat(),
        "vergelijk-gebied.value": "alle", "vergelijk-wijken-volgende.n_clicks": 1, "vergelijk-wijken-pagina.data": 0,
    }, "vergelijk-wijken-volgende.n_clicks")
    second = _table_rows(answer["vergelijk-kaarttabel"]["children"])
    assert [row[0] for row in second] == ranked[PAGE_SIZE:]
    assert answer["vergelijk-wijken-positie"]["children"] == "Wijken 51–80 van 80"
    assert answer["vergelijk-wijken-pagina"]["data"] == 1
    assert answer["vergelijk-wijken-volgende"]["disabled"] is True
    assert answer["vergelijk-wijken-vorige"]["disabled"] is False
    assert len(answer["vergelijk-profielen"]["children"]) == 2 * (20 * GEMEENTEN - PAGE_SIZE)  # label + links

    # another choice starts at the first page again
    answer = _post(app, "vergelijk-kaart", {
        "vergelijk-indicator.value": "tevredenheid", "vergelijk-peildatum.value": PEILDATUM.isoformat(),
        "vergelijk-gebied.value": "alle", "vergelijk-wijken-pagina.data": 1,
    }, "vergelijk-indicator.value")
    assert [r[0] for r in _table_rows(answer["vergelijk-kaarttabel"]["children"])] == \
        _ranked_wijken(stores[1], "tevredenheid")[:PAGE_SIZE]
    assert answer["vergelijk-wijken-pagina"]["data"] == 0


def test_a_city_fits_on_one_page_and_looks_as_before(city_app, stores):
    with city_app.server.test_request_context():
        layout = _page("wijken")["layout"](id="zelfredzaamheid", peildatum=PEILDATUM.isoformat())
    table = _table_rows(_json(_find(layout, "vergelijk-kaarttabel")))
    assert [row[0] for row in table] == _ranked_wijken(stores[0], "zelfredzaamheid")
    assert len(table) == 20
    assert _find(layout, "vergelijk-wijken-paginas").hidden is True


def test_pdca_signals_a_page_at_a_time_in_rank_order(app, stores):
    ranked = signals(published(stores[1]), PEILDATUM)
    assert ranked.height > PAGE_SIZE
    expected = [f"{r['rang']} {r['signaal']} {r['naam']}" for r in ranked.iter_rows(named=True)]
    with app.server.test_request_context():
        layout = _page("pdca")["layout"](peildatum=PEILDATUM.isoformat())
    first = _table_rows(_json(_find(layout, "pdca-signalen")))
    assert [" ".join(row[:3]) for row in first] == expected[:PAGE_SIZE]
    assert f"Signalen 1–50 van {ranked.height}" in _text(_find(layout, "pdca-signalen-paginas"))

    values = {"pdca-soorten.value": ["buiten marge", "significant slechter", "grote beweging"],
              "pdca-peildatum.value": PEILDATUM.isoformat(), "pdca-signalen-pagina.data": 0,
              "pdca-signalen-volgende.n_clicks": 1, "pdca-versie.data": 0}
    answer = _post(app, "pdca-signalen", values, "pdca-signalen-volgende.n_clicks")
    second = _table_rows(answer["pdca-signalen"]["children"])
    assert [" ".join(row[:3]) for row in second] == expected[PAGE_SIZE:2 * PAGE_SIZE]
    assert answer["pdca-signalen-pagina"]["data"] == 1

    # a saved action redraws the same page; the previous button goes back
    answer = _post(app, "pdca-signalen", values | {"pdca-signalen-pagina.data": 1, "pdca-versie.data": 1},
                   "pdca-versie.data")
    assert [" ".join(row[:3]) for row in _table_rows(answer["pdca-signalen"]["children"])] == expected[PAGE_SIZE:2 * PAGE_SIZE]
    answer = _post(app, "pdca-signalen", values | {"pdca-signalen-pagina.data": 1, "pdca-signalen-vorige.n_clicks": 1},
                   "pdca-signalen-vorige.n_clicks")
    assert answer["pdca-signalen-pagina"]["data"] == 0
    assert answer["pdca-signalen-vorige"]["disabled"] is True
