"""Werkwijzen vergelijken: groups of wijken that work in a particular way from a start date, against all other
wijken (verschil-in-verschil, indicators.md v2), with a plain-Dutch reading that claims no causality."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Input, Output, callback, html

from dashboard import ids, vergelijken
from dashboard.components import (
    CITY_COLOUR, WERKWIJZE_COLOUR, Column, base_figure, dropdown, graph, guarded, html_table, indicator_options, labelled, message,
    store, url_state, url_store,
)
from dashboard.components import settings_note as components_settings_note
from dashboard.format import change_unit, format_change, format_date

dash.register_page(__name__, path="/werkwijzen", name="Werkwijzen",
                   title="Werkwijzen vergelijken · Wijkmonitor", order=5)

URL_CONTROLS = {"werkwijze": ids.WERKWIJZE_KEUZE, "id": ids.WERKWIJZE_INDICATOR}
COLUMNS = [
    Column("peildatum_tekst", "Peildatum"), Column("groep_tekst", "Verandering wijken met werkwijze"),
    Column("overig_tekst", "Verandering andere wijken"), Column("did_tekst", "Verschil in verschil"),
    Column("interval", "95%-interval"), Column("groep_n", "Wijken met werkwijze", 0),
    Column("overig_n", "Andere wijken", 0), Column("weggelaten", "Weggelaten (geen cijfer)", 0),
]


def chart(meta, werkwijze: str, rows: list[dict]) -> go.Figure:
    """Both groups' mean change since the last peildatum before the start, per peildatum."""
    figure = go.Figure()
    if rows:
        x = [rows[0]["peildatum_start"]] + [r["peildatum"] for r in rows]
        for key, name, colour, dash_style in (("groep_verandering", werkwijze, WERKWIJZE_COLOUR, "solid"),
                                              ("overig_verandering", "Andere wijken", CITY_COLOUR, "dash")):
            y = [0.0] + [r[key] for r in rows]
            figure.add_trace(go.Scatter(
                x=x, y=y, mode="lines+markers", name=name, line={"color": colour, "dash": dash_style, "width": 3},
                hovertext=[f"{name}, {format_date(p)}: {format_change(v, meta.eenheid, meta.decimalen)}" for p, v in zip(x, y)],
                hovertemplate="%{hovertext}<extra></extra>",
            ))
        figure.add_hline(y=0, line={"color": "#595959", "dash": "dot"})
    base_figure(figure, height=360)
    # the heading says "Verandering sinds de start"; the axis only its unit, so it fits on a phone too
    figure.update_layout(yaxis={"title": {"text": change_unit(meta.eenheid)}},
                         legend={"orientation": "h", "y": -0.2})
    return figure


def table_rows(meta, rows: list[dict]) -> list[dict]:
    """The DiD per peildatum as texts."""
    change = lambda v: format_change(v, meta.eenheid, meta.decimalen)  # noqa: E731
    return [{**r, "peildatum_tekst": format_date(r["peildatum"]), "groep_tekst": change(r["groep_verandering"]),
             "overig_tekst": change(r["overig_verandering"]),
             "did_tekst": change(r["did"]) if r["did"] is not None else "onvoldoende gegevens",
             "interval": vergelijken.interval_text(meta, r),
             "weggelaten": r["groep_weggelaten"] + r["overig_weggelaten"]} for r in rows]


def _view(werkwijze: str, indicator: str) -> tuple[go.Figure, html.Div, html.Div, html.Div]:
    data = store()
    meta = data.indicators[indicator]
    info = vergelijken.werkwijzen(data)[werkwijze]
    rows = vergelijken.did_rows(data, werkwijze, indicator)
    groep = html.P([html.Strong(werkwijze), f": {info['omschrijving']} Sinds {format_date(info['startdatum'])} in ",
                    ", ".join(naam for _code, naam in info["wijken"]),
                    f"; vergeleken met alle andere wijken, vanaf de peildatum "
                    f"{format_date(rows[0]['peildatum_start']) if rows else '–'}."])
    if info["onbekend"]:
        groep = html.Div([message(vergelijken.unknown_codes_text(info), "warning"), groep])
    if not rows:
        empty = html.P("Geen peildatum op of vóór de startdatum en erna: nog niets te vergelijken.")
        return chart(meta, werkwijze, rows), groep, empty, html.Div()
    table = html_table(ids.WERKWIJZE_TABEL, COLUMNS, table_rows(meta, rows),
                       f"{meta.naam}: verschil in verschil, {werkwijze} tegenover de andere wijken")
    return chart(meta, werkwijze, rows), groep, html.P(vergelijken.reading(meta, werkwijze, rows[-1])), table


def overview(werkwijze: str) -> html.Div:
    """Every indicator on the latest peildatum: the difference and its interval, in one table."""
    data = store()
    columns = [Column("naam", "Indicator"), Column("did_tekst", "Verschil in verschil"), Column("interval", "95%-interval"),
               Column("peildatum_tekst", "Peildatum")]
    rows = []
    for indicator, meta in data.indicators.items():
        found = vergelijken.did_rows(data, werkwijze, indicator)
        if found:
            rows.append({"naam": meta.naam, **table_rows(meta, found[-1:])[0]})
    return html_table(ids.WERKWIJZE_OVERZICHT, columns, rows, f"{werkwijze}: alle indicatoren op de laatste peildatum")


def settings_note() -> html.P:
    """Where the werkwijzen come from: the configuration, edited by beheer on the Instellingen page."""
    return components_settings_note("de werkwijzen (welke wijken, vanaf wanneer)")


@guarded
def layout(werkwijze: str | None = None, id: str | None = None, **_: object) -> html.Div:
    """The page; ?werkwijze=<naam>&id=<indicator> preselect the controls."""
    data = store()
    known = vergelijken.werkwijzen(data)
    if not known:
        return html.Div([html.H1("Werkwijzen vergelijken"),
                         message("Er zijn geen werkwijzen ingesteld (monitor.toml, [[werkwijzen]]).", "info"),
                         settings_note()])
    notices = []
    if werkwijze is not None and werkwijze not in known:
        notices.append(message(f"Werkwijze '{werkwijze}' is onbekend; de eerste wordt getoond."))
    if id is not None and data.indicator(id) is None:
        notices.append(message(f"Indicator '{id}' bestaat niet; de eerste indicator wordt getoond."))
    chosen = werkwijze if werkwijze in known else next(iter(known))
    indicator = id if data.indicator(id or "") else next(iter(data.indicators))
    figure, groep, lezing, table = _view(chosen, indicator)
    return html.Div([
        html.H1("Werkwijzen vergelijken"),
        *notices,
        html.P("Wijken die op een bepaalde manier werken, vergeleken met alle andere wijken: hoeveel veranderde een "
               "indicator sinds de start in beide groepen, en hoe groot is het verschil daartussen (verschil in "
               "verschil). Dat zegt niet dat de werkwijze de oorzaak is.", className="small"),
        html.Div([
            labelled("Werkwijze", dropdown(ids.WERKWIJZE_KEUZE, [{"label": k, "value": k} for k in known], chosen),
                     ids.WERKWIJZE_KEUZE),
            labelled("Indicator", dropdown(ids.WERKWIJZE_INDICATOR, indicator_options(data), indicator),
                     ids.WERKWIJZE_INDICATOR),
        ], className="controls no-print"),
        html.Div(groep, id=ids.WERKWIJZE_GROEP, className="small mt-2"),
        html.H2("Lezing", className="h5 mt-3"),
        html.Div(lezing, id=ids.WERKWIJZE_LEZING, **{"aria-live": "polite"}),
        html.H2("Verandering sinds de start", className="h5 mt-3"),
        graph(ids.WERKWIJZE_GRAFIEK, figure,
              "Gemiddelde verandering sinds de start in de wijken met de werkwijze (blauw, doorgetrokken) en in de "
              "andere wijken (zwart, gestreept); de cijfers staan in de tabel hieronder."),
        html.H2("Tabel", className="h5 mt-3"),
        html.Div(table, id=ids.WERKWIJZE_TABEL_BLOK),
        html.H2("Alle indicatoren", className="h5 mt-3"),
        html.Div(overview(chosen), id=ids.WERKWIJZE_OVERZICHT_BLOK),
        html.P(vergelijken.NO_CAUSALITY, className="small"),
        settings_note(),
        url_store(ids.WERKWIJZE_URL, URL_CONTROLS),
    ])


url_state(ids.WERKWIJZE_URL, URL_CONTROLS)


@callback(
    Output(ids.WERKWIJZE_GRAFIEK, "figure"),
    Output(ids.WERKWIJZE_GROEP, "children"),
    Output(ids.WERKWIJZE_LEZING, "children"),
    Output(ids.WERKWIJZE_TABEL_BLOK, "children"),
    Output(ids.WERKWIJZE_OVERZICHT_BLOK, "children"),
    Input(ids.WERKWIJZE_KEUZE, "value"),
    Input(ids.WERKWIJZE_INDICATOR, "value"),
    prevent_initial_call=True,
)
def update_view(werkwijze: str, indicator: str) -> tuple:
    """Redraw for the chosen werkwijze and indicator."""
    return (*_view(werkwijze, indicator), overview(werkwijze))
