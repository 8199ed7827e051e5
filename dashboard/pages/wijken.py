"""Wijken vergelijken: map, ranking with intervals and a sortable table for one indicator and peildatum."""

from __future__ import annotations

from datetime import date

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import (
    ALLE_GEBIEDEN,
    CITY_COLOUR,
    SUPPRESSED_GREY,
    Column,
    attribution,
    base_figure,
    data_table,
    download,
    download_buttons,
    graph,
    guarded,
    indicator_options,
    dropdown,
    labelled,
    map_config,
    message,
    parse_date,
    peildatum_options,
    rounded_rows,
    store,
    table_columns,
)
from dashboard.data import Indicator, Published
from dashboard.format import MISSING_TEXT, SUPPRESSED_TEXT, format_date, unit_label

dash.register_page(__name__, path="/wijken", name="Wijken vergelijken", title="Wijken vergelijken · Wijkmonitor", order=1)

# ColorBrewer Blues: light = worse, dark blue = better (reversed for 'lager is beter').
BLUES = "Blues"


def _wijken(data: Published, indicator: str, peildatum: date, gebied: str) -> pl.DataFrame:
    """The wijk rows shown: valid wijken on peildatum, optionally within one gebied, best first."""
    wijken = data.areas("wijk", peildatum).select("gebiedcode", pl.col("bovenliggend").alias("gebied"))
    if gebied != ALLE_GEBIEDEN:
        wijken = wijken.filter(pl.col("gebied") == gebied)
    rows = data.select(indicator=indicator, peildatum=peildatum, niveau="wijk").join(wijken, on="gebiedcode")
    names = data.areas("gebied", peildatum).select(pl.col("gebiedcode").alias("gebied"), pl.col("gebiedsnaam").alias("gebiedsnaam_gebied"))
    descending = not data.indicators[indicator].lager_is_beter
    return rows.join(names, on="gebied", how="left").sort(["onderdrukt", "waarde"], descending=[False, descending], nulls_last=True)


def _city(data: Published, indicator: str, peildatum: date) -> dict | None:
    """The gemeente row for the reference line, or None."""
    code, _naam = data.gemeente()
    frame = data.select(indicator=indicator, peildatum=peildatum, gebiedcode=code)
    return frame.row(0, named=True) if frame.height else None


def _hover(rows: pl.DataFrame) -> list[str]:
    """Hover texts: name, value (or 'onvoldoende waarnemingen'), interval, status."""
    texts = []
    for row in rows.iter_rows(named=True):
        interval = f"<br>95%-interval: {row['interval_tekst']}" if row["interval_tekst"] else ""
        texts.append(f"<b>{row['gebiedsnaam']}</b><br>{row['waarde_tekst']}{interval}<br>Status: {row['status']}")
    return texts


def map_figure(data: Published, meta: Indicator, rows: pl.DataFrame) -> go.Figure:
    """Choropleth of the wijk boundaries (no basemap); suppressed wijken in grey."""
    shown = rows.filter(~pl.col("onderdrukt"))
    hidden = rows.filter(pl.col("onderdrukt"))
    figure = go.Figure()
    if hidden.height:
        figure.add_trace(go.Choropleth(
            geojson=data.wijk_geojson, locations=hidden["gebiedcode"].to_list(), z=[0] * hidden.height,
            colorscale=[[0, SUPPRESSED_GREY], [1, SUPPRESSED_GREY]], showscale=False, name=SUPPRESSED_TEXT,
            text=_hover(hidden), hovertemplate="%{text}<extra></extra>", marker_line={"color": "#ffffff", "width": 1},
        ))
    if shown.height:
        figure.add_trace(go.Choropleth(
            geojson=data.wijk_geojson, locations=shown["gebiedcode"].to_list(), z=shown["waarde"].to_list(),
            colorscale=BLUES, reversescale=meta.lager_is_beter, name=meta.naam,
            text=_hover(shown), hovertemplate="%{text}<extra></extra>", marker_line={"color": "#ffffff", "width": 1},
            colorbar={"title": {"text": unit_label(meta.eenheid), "side": "right"}, "thickness": 14,
                      "tickformat": f",.{meta.decimalen}f"},
        ))
    figure.update_geos(fitbounds="locations", visible=False)
    base_figure(figure, height=460)
    figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, clickmode="event")
    return figure


def ranking_figure(meta: Indicator, rows: pl.DataFrame, city: dict | None) -> go.Figure:
    """Horizontal bars best-to-worst, survey intervals as error bars, the city as a reference line."""
    shown = rows.filter(~pl.col("onderdrukt"))
    figure = go.Figure()
    error = None
    if meta.is_survey and shown.height:
        error = {"type": "data", "symmetric": False, "color": "#4d4d4d",
                 "array": (shown["ci_hoog"] - shown["waarde"]).to_list(),
                 "arrayminus": (shown["waarde"] - shown["ci_laag"]).to_list()}
    suppressed = rows.filter(pl.col("onderdrukt"))["gebiedsnaam"].to_list()
    names = shown["gebiedsnaam"].to_list() + suppressed
    figure.add_trace(go.Bar(
        x=shown["waarde"].to_list(), y=shown["gebiedsnaam"].to_list(), orientation="h", error_x=error,
        marker_color="#2171b5", text=shown["waarde_tekst"].to_list(), textposition="inside", insidetextanchor="start",
        textfont={"color": "#ffffff"}, hovertext=_hover(shown), hovertemplate="%{hovertext}<extra></extra>", name=meta.naam,
    ))
    if suppressed:
        # One text trace, not an annotation per wijk: plotly revalidates all annotations on every addition.
        figure.add_trace(go.Scatter(
            x=[0] * len(suppressed), y=suppressed, mode="text", text=[SUPPRESSED_TEXT] * len(suppressed),
            textposition="middle right", textfont={"color": "#333333", "size": 12}, hoverinfo="skip",
        ))
    if city is not None and city["waarde"] is not None:
        figure.update_layout(
            shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": city["waarde"], "x1": city["waarde"],
                     "y0": 0, "y1": 1, "line": {"color": CITY_COLOUR, "dash": "dash", "width": 2}}],
            annotations=[{"x": city["waarde"], "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
                          "text": f"Gemeente: {city['waarde_tekst']}", "font": {"size": 12}}],
        )
    base_figure(figure, height=max(300, 26 * len(names) + 60))
    figure.update_layout(
        showlegend=False, margin={"l": 10, "r": 20, "t": 30, "b": 30},
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(names)), "automargin": True},
        xaxis={"title": {"text": unit_label(meta.eenheid)}, "tickformat": f",.{meta.decimalen}f", "rangemode": "tozero"},
    )
    return figure


COLUMNS_BASE = [Column("gebiedsnaam", "Wijk"), Column("gebiedsnaam_gebied", "Gebied")]


def table_spec(meta: Indicator) -> list[Column]:
    """The table and download columns for one indicator."""
    columns = COLUMNS_BASE + [Column("waarde", f"Waarde ({unit_label(meta.eenheid)})", meta.decimalen)]
    if meta.is_survey:
        columns += [Column("ci_laag", "Interval ondergrens", meta.decimalen), Column("ci_hoog", "Interval bovengrens", meta.decimalen),
                    Column("n", "Aantal respondenten", 0, "–")]
    columns += [Column("verschil_nulmeting", "Verschil t.o.v. nulmeting", meta.decimalen, MISSING_TEXT),
                Column("index_nulmeting", "Index (nulmeting = 100)", 1, MISSING_TEXT), Column("status", "Status")]
    return columns


def _summary(meta: Indicator, rows: pl.DataFrame, city: dict | None, peildatum: date) -> str:
    """The charts in words: best, worst, city value, suppressed wijken."""
    shown = rows.filter(~pl.col("onderdrukt"))
    parts = [f"{meta.naam} op {format_date(peildatum)}."]
    if shown.height:
        best, worst = shown.row(0, named=True), shown.row(-1, named=True)
        parts.append(f"Beste wijk: {best['gebiedsnaam']} ({best['waarde_tekst']}); minst goede: {worst['gebiedsnaam']} ({worst['waarde_tekst']}).")
    if city is not None:
        parts.append(f"Gemeente: {city['waarde_tekst']}.")
    suppressed = rows.filter(pl.col("onderdrukt"))["gebiedsnaam"].to_list()
    if suppressed:
        listing = ", ".join(suppressed)
        parts.append(f"{SUPPRESSED_TEXT.capitalize()}: {listing}{'' if listing.endswith('.') else '.'}")
    return " ".join(parts)


def profile_links(rows: list[dict]) -> list:
    """Real links to the profiles of the wijken shown: the keyboard twin of clicking the map."""
    links: list = ["Naar het wijkprofiel: "] if rows else []
    for i, row in enumerate(sorted(rows, key=lambda r: r["gebiedsnaam"])):
        code, naam = row["gebiedcode"], row["gebiedsnaam"]
        links += [" · "] if i else []
        links.append(dcc.Link(naam, href=f"/wijkprofiel?wijk={code}"))
    return links


def _view(indicator: str, peildatum_iso: str, gebied: str) -> tuple[go.Figure, go.Figure, list[Column], list[dict], str]:
    """Everything the page shows for the chosen indicator, peildatum and gebied."""
    data = store()
    meta = data.indicators[indicator]
    peildatum = parse_date(peildatum_iso, data) or data.latest
    rows = _wijken(data, indicator, peildatum, gebied)
    city = _city(data, indicator, peildatum)
    return (map_figure(data, meta, rows), ranking_figure(meta, rows, city), table_spec(meta), rows.to_dicts(),
            _summary(meta, rows, city, peildatum))


@guarded
def layout(id: str | None = None, peildatum: str | None = None, gebied: str | None = None, **_: object) -> html.Div:
    """The page; ?id=<indicator>&peildatum=YYYY-MM-DD&gebied=<code> preselect the controls."""
    data = store()
    notices = []
    if id is not None and data.indicator(id) is None:
        notices.append(message(f"Indicator '{id}' bestaat niet; de eerste indicator wordt getoond."))
    if peildatum is not None and parse_date(peildatum, data) is None:
        notices.append(message(f"Peildatum '{peildatum}' komt niet voor; de laatste peildatum wordt getoond."))
    gebieden = [{"label": "Alle gebieden", "value": ALLE_GEBIEDEN}] + [
        {"label": row["gebiedsnaam"], "value": row["gebiedcode"]} for row in data.areas("gebied").iter_rows(named=True)]
    if gebied is not None and gebied not in {g["value"] for g in gebieden}:
        notices.append(message(f"Gebied '{gebied}' is onbekend; alle gebieden worden getoond."))
        gebied = None
    indicator = id if data.indicator(id or "") else next(iter(data.indicators))
    chosen = (parse_date(peildatum, data) or data.latest).isoformat()
    gebied = gebied or ALLE_GEBIEDEN
    map_fig, rank_fig, columns, rows, summary = _view(indicator, chosen, gebied)
    controls = html.Div([
        labelled("Indicator", dropdown(ids.VERGELIJK_INDICATOR, indicator_options(data), indicator), ids.VERGELIJK_INDICATOR),
        labelled("Peildatum", dropdown(ids.VERGELIJK_PEILDATUM, peildatum_options(data.peildata), chosen),
                 ids.VERGELIJK_PEILDATUM),
        labelled("Gebied", dropdown(ids.VERGELIJK_GEBIED, gebieden, gebied), ids.VERGELIJK_GEBIED),
    ], className="controls no-print")
    return html.Div([
        html.H1("Wijken vergelijken"),
        *notices,
        controls,
        html.P(summary, id=ids.VERGELIJK_SAMENVATTING, className="samenvatting mt-2", **{"aria-live": "polite"}),
        html.Div([
            html.Div([
                html.H2("Kaart", className="h5"),
                graph(ids.VERGELIJK_KAART, map_fig, "Kaart van de wijken; de cijfers staan in de tabel hieronder.",
                      map_config()),
                html.P(["Grijs: ", SUPPRESSED_TEXT, ". Donkerblauw is gunstiger. Klik op een wijk voor het wijkprofiel."],
                       className="small"),
                attribution(),
                html.Nav(profile_links(rows), id=ids.VERGELIJK_PROFIELEN, className="small no-print",
                         **{"aria-label": "Wijkprofielen"}),
            ], className="col-12 col-lg-6"),
            html.Div([
                html.H2("Ranglijst", className="h5"),
                graph(ids.VERGELIJK_RANGLIJST, rank_fig,
                      "Ranglijst van de wijken, gunstigste bovenaan, met 95%-intervallen bij enquêtecijfers en de "
                      "gemeente als stippellijn; de cijfers staan in de tabel hieronder."),
            ], className="col-12 col-lg-6"),
        ], className="row"),
        html.H2("Tabel", className="h5 mt-3"),
        data_table(ids.VERGELIJK_TABEL, columns, rows),
        download_buttons(ids.VERGELIJK_DOWNLOAD_CSV, ids.VERGELIJK_DOWNLOAD_XLSX, ids.VERGELIJK_DOWNLOAD, "tabel"),
        dcc.Location(id=ids.VERGELIJK_NAVIGATIE, refresh="callback-nav"),
    ])


@callback(
    Output(ids.VERGELIJK_KAART, "figure"),
    Output(ids.VERGELIJK_RANGLIJST, "figure"),
    Output(ids.VERGELIJK_TABEL, "columns"),
    Output(ids.VERGELIJK_TABEL, "data"),
    Output(ids.VERGELIJK_SAMENVATTING, "children"),
    Output(ids.VERGELIJK_PROFIELEN, "children"),
    Input(ids.VERGELIJK_INDICATOR, "value"),
    Input(ids.VERGELIJK_PEILDATUM, "value"),
    Input(ids.VERGELIJK_GEBIED, "value"),
    prevent_initial_call=True,
)
def update_view(indicator: str, peildatum: str, gebied: str) -> tuple:
    """Redraw map, ranking, table and summary."""
    map_fig, rank_fig, columns, rows, summary = _view(indicator, peildatum, gebied)
    return map_fig, rank_fig, table_columns(columns), rounded_rows(columns, rows), summary, profile_links(rows)


@callback(Output(ids.VERGELIJK_NAVIGATIE, "href"), Input(ids.VERGELIJK_KAART, "clickData"), prevent_initial_call=True)
def open_profile(click: dict | None) -> str:
    """Clicking a wijk opens its Wijkprofiel."""
    if not click or not click.get("points"):
        return dash.no_update
    return f"/wijkprofiel?wijk={click['points'][0]['location']}"


@callback(
    Output(ids.VERGELIJK_DOWNLOAD, "data"),
    Input(ids.VERGELIJK_DOWNLOAD_CSV, "n_clicks"),
    Input(ids.VERGELIJK_DOWNLOAD_XLSX, "n_clicks"),
    State(ids.VERGELIJK_INDICATOR, "value"),
    State(ids.VERGELIJK_PEILDATUM, "value"),
    State(ids.VERGELIJK_GEBIED, "value"),
    prevent_initial_call=True,
)
def download_table(_csv: int | None, _xlsx: int | None, indicator: str, peildatum_iso: str, gebied: str) -> dict:
    """The table's figures (the same as map and ranking) as CSV or Excel."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    rows = _wijken(data, indicator, peildatum, gebied).to_dicts()
    fmt = "xlsx" if dash.ctx.triggered_id == ids.VERGELIJK_DOWNLOAD_XLSX else "csv"
    return download(table_spec(data.indicators[indicator]), rows, f"wijken_{indicator}_{peildatum.isoformat()}", fmt)
