"""Wijkprofiel: one wijk, all indicators against its own nulmeting and the city, with statuses."""

from __future__ import annotations

from datetime import date

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import (
    AREA_COLOURS,
    CITY_COLOUR,
    Column,
    base_figure,
    data_table,
    download,
    download_buttons,
    graph,
    guarded,
    dropdown,
    labelled,
    message,
    parse_date,
    peildatum_options,
    rounded_rows,
    status_badge,
    store,
)
from dashboard.data import Published
from dashboard.format import MISSING_TEXT, SUPPRESSED_TEXT, format_date, format_index, unit_label

dash.register_page(__name__, path="/wijkprofiel", name="Wijkprofiel", title="Wijkprofiel · Wijkmonitor", order=3)

COLUMNS = [
    Column("naam", "Indicator"), Column("eenheid", "Eenheid"), Column("wijk_tekst", "Wijk"),
    Column("nulmeting_tekst", "Wijk bij nulmeting"), Column("verschil_tekst", "Verschil t.o.v. nulmeting"),
    Column("index_nulmeting", "Index wijk (nulmeting = 100)", 1, MISSING_TEXT), Column("stad_tekst", "Gemeente"),
    Column("index_stad", "Index gemeente (nulmeting = 100)", 1, "–"), Column("status", "Status wijk"),
]


def profile_rows(data: Published, wijk: str, peildatum: date) -> list[dict]:
    """One row per indicator: the wijk now and at its nulmeting, the city now, status."""
    gemeente, _naam = data.gemeente()
    rows = []
    for indicator, meta in data.indicators.items():
        own = data.select(indicator=indicator, gebiedcode=wijk)
        now = own.filter(pl.col("peildatum") == peildatum)
        nul = own.filter(pl.col("peildatum") == data.nulmeting)
        city = data.select(indicator=indicator, gebiedcode=gemeente, peildatum=peildatum)
        row = {"indicator": indicator, "naam": meta.naam, "eenheid": unit_label(meta.eenheid),
               "wijk_tekst": SUPPRESSED_TEXT, "nulmeting_tekst": "–", "verschil_tekst": "–", "index_nulmeting": None,
               "stad_tekst": "–", "index_stad": None, "status": "onvoldoende gegevens"}
        if now.height:
            r = now.row(0, named=True)
            row |= {"wijk_tekst": r["waarde_tekst"], "verschil_tekst": r["verschil_tekst"], "index_nulmeting": r["index_nulmeting"],
                    "status": r["status"]}
        if nul.height:
            row["nulmeting_tekst"] = nul["waarde_tekst"][0]
        if city.height:
            row |= {"stad_tekst": city["waarde_tekst"][0], "index_stad": city["index_nulmeting"][0]}
        row["gunstiger"] = None if row["index_nulmeting"] is None else (
            row["index_nulmeting"] < 100 if meta.lager_is_beter else row["index_nulmeting"] > 100)
        rows.append(row)
    return rows


def profile_figure(rows: list[dict], wijknaam: str) -> go.Figure:
    """Bars from the nulmeting (index 100) to the wijk's index per indicator, blue when that is better and
    orange when worse (given the direction), the city as a black mark; suppressed indicators get the words."""
    names = [r["naam"] for r in rows]
    figure = go.Figure()
    for label, colour, wanted in ((f"{wijknaam}: gunstiger dan nulmeting", AREA_COLOURS[0], True),
                                  (f"{wijknaam}: ongunstiger dan nulmeting", AREA_COLOURS[1], False)):
        figure.add_trace(go.Bar(
            y=names, x=[r["index_nulmeting"] - 100 if r["gunstiger"] is wanted else None for r in rows], base=100,
            orientation="h", name=label, marker_color=colour,
            hovertext=[f"{r['naam']}<br>{wijknaam}: {r['wijk_tekst']} (index {format_index(r['index_nulmeting'])})<br>Status: {r['status']}"
                       for r in rows], hovertemplate="%{hovertext}<extra></extra>",
        ))
    figure.add_trace(go.Scatter(
        y=names, x=[r["index_stad"] for r in rows], mode="markers", name="Gemeente",
        marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": CITY_COLOUR}},
        hovertext=[f"Gemeente: {r['stad_tekst']} (index {format_index(r['index_stad'])})" for r in rows],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    for r in rows:
        if r["index_nulmeting"] is None:
            figure.add_annotation(x=100, y=r["naam"], text=SUPPRESSED_TEXT, showarrow=False, xanchor="left",
                                  font={"size": 12, "color": "#333333"})
    figure.add_vline(x=100, line={"color": "#a63603", "dash": "dot"})
    base_figure(figure, height=80 + 45 * len(rows))
    figure.update_layout(
        barmode="overlay", yaxis={"autorange": "reversed"},
        xaxis={"title": {"text": "Index (nulmeting = 100)"}, "tickformat": ",.0f"},
        margin={"l": 10, "r": 20, "t": 40, "b": 10},
    )
    return figure


def _status_table(rows: list[dict]) -> html.Table:
    """Status per indicator as a compact table (word and colour)."""
    return html.Table(
        [html.Thead(html.Tr([html.Th("Indicator", scope="col"), html.Th("Status", scope="col")])),
         html.Tbody([html.Tr([html.Td(r["naam"]), html.Td(status_badge(r["status"]))]) for r in rows])],
        className="table table-sm statustabel",
    )


def _view(wijk: str, peildatum_iso: str) -> tuple[str, go.Figure, list[dict], html.Table]:
    """Title, figure, rows and status list for one wijk."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    naam = data.area_name(wijk) or wijk
    rows = profile_rows(data, wijk, peildatum)
    return f"{naam} op {format_date(peildatum)}", profile_figure(rows, naam), rows, _status_table(rows)


@guarded
def layout(wijk: str | None = None, peildatum: str | None = None, **_: object) -> html.Div:
    """The page; ?wijk=WK001401 selects the wijk."""
    data = store()
    wijken = data.areas("wijk")
    options = [{"label": row["gebiedsnaam"], "value": row["gebiedcode"]} for row in wijken.iter_rows(named=True)]
    known = {o["value"] for o in options}
    notices = []
    if wijk is not None and wijk not in known:
        notices.append(message(f"Wijk '{wijk}' bestaat niet. Kies hieronder een wijk."))
    selected = wijk if wijk in known else options[0]["value"]
    chosen = (parse_date(peildatum, data) or data.latest).isoformat()
    titel, figure, rows, statuses = _view(selected, chosen)
    return html.Div([
        html.H1("Wijkprofiel"),
        *notices,
        html.Div([
            labelled("Wijk", dropdown(ids.PROFIEL_WIJK, options, selected), ids.PROFIEL_WIJK),
            labelled("Peildatum", dropdown(ids.PROFIEL_PEILDATUM, peildatum_options(data.peildata), chosen), ids.PROFIEL_PEILDATUM),
        ], className="controls no-print"),
        html.H2(titel, id=ids.PROFIEL_TITEL, className="h4 mt-2"),
        html.Div([
            html.Div([graph(ids.PROFIEL_GRAFIEK, figure,
                            "Index per indicator ten opzichte van de eigen nulmeting (100) voor de wijk en de gemeente; "
                            "de cijfers staan in de tabel hieronder."),
                      html.P("Staaf: de wijk, blauw als die gunstiger is dan bij de nulmeting, oranje als ongunstiger. Zwart "
                             "streepje: de gemeente. Stippellijn: nulmeting (100). Bij indicatoren waar lager beter is, "
                             "is een index onder 100 gunstig.", className="small")],
                     className="col-12 col-xl-8"),
            html.Div([html.H3("Status per indicator", className="h5"), html.Div(statuses, id=ids.PROFIEL_STATUSSEN)],
                     className="col-12 col-xl-4"),
        ], className="row"),
        html.H2("Tabel", className="h5 mt-3"),
        data_table(ids.PROFIEL_TABEL, COLUMNS, rows),
        download_buttons(ids.PROFIEL_DOWNLOAD_CSV, ids.PROFIEL_DOWNLOAD_XLSX, ids.PROFIEL_DOWNLOAD, "tabel"),
    ])


@callback(
    Output(ids.PROFIEL_TITEL, "children"),
    Output(ids.PROFIEL_GRAFIEK, "figure"),
    Output(ids.PROFIEL_TABEL, "data"),
    Output(ids.PROFIEL_STATUSSEN, "children"),
    Input(ids.PROFIEL_WIJK, "value"),
    Input(ids.PROFIEL_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def update_view(wijk: str, peildatum: str) -> tuple:
    """Redraw for the chosen wijk and peildatum."""
    titel, figure, rows, statuses = _view(wijk, peildatum)
    return titel, figure, rounded_rows(COLUMNS, rows), statuses


@callback(
    Output(ids.PROFIEL_DOWNLOAD, "data"),
    Input(ids.PROFIEL_DOWNLOAD_CSV, "n_clicks"),
    Input(ids.PROFIEL_DOWNLOAD_XLSX, "n_clicks"),
    State(ids.PROFIEL_WIJK, "value"),
    State(ids.PROFIEL_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def download_table(_csv: int | None, _xlsx: int | None, wijk: str, peildatum_iso: str) -> dict:
    """The profile's figures as CSV or Excel."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    fmt = "xlsx" if dash.ctx.triggered_id == ids.PROFIEL_DOWNLOAD_XLSX else "csv"
    return download(COLUMNS, profile_rows(data, wijk, peildatum), f"wijkprofiel_{wijk}_{peildatum.isoformat()}", fmt)
