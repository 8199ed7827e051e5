"""Indicator: the trend per area since the nulmeting, with corridor, targets, significance and definition."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import (
    AREA_COLOURS,
    Column,
    area_options,
    base_figure,
    data_table,
    download,
    download_buttons,
    graph,
    guarded,
    indicator_options,
    dropdown,
    labelled,
    message,
    rounded_rows,
    store,
    table_columns,
)
from dashboard.data import Indicator, Published
from dashboard.definitions import explanation
from dashboard.format import MISSING_TEXT, SUPPRESSED_TEXT, format_date, format_date_short, format_value, unit_label

dash.register_page(__name__, path="/indicator", name="Indicator", title="Indicator · Wijkmonitor", order=2)

CORRIDOR_FILL = "rgba(253, 212, 158, 0.55)"


def _significance(value: bool | None) -> str:
    """The survey significance flag in words."""
    return {True: "significant", False: "niet significant"}.get(value, "")


def _rows(data: Published, indicator: str, areas: list[str]) -> pl.DataFrame:
    """The chosen areas' rows for all peildata, in the order chosen."""
    frame = data.select(indicator=indicator).filter(pl.col("gebiedcode").is_in(areas))
    order = pl.DataFrame({"gebiedcode": areas, "volgorde": list(range(len(areas)))},
                         schema={"gebiedcode": pl.String, "volgorde": pl.Int64})
    return frame.join(order, on="gebiedcode").sort("volgorde", "peildatum").with_columns(
        pl.col("peildatum").map_elements(format_date, return_dtype=pl.String).alias("peildatum_tekst"),
        pl.col("significant").map_elements(_significance, return_dtype=pl.String, skip_nulls=True).alias("significantie"),
    )


def trend_figure(data: Published, meta: Indicator, rows: pl.DataFrame, areas: list[str]) -> go.Figure:
    """Lines per area; the corridor of the first area as a band; targets as diamonds; open markers = not significant."""
    figure = go.Figure()
    first = rows.filter(pl.col("gebiedcode") == areas[0]) if areas else rows.clear()
    nul = first.filter(pl.col("peildatum") == data.nulmeting)
    if first.height and nul.height and nul["waarde"][0] is not None:
        x = first["peildatum"].to_list()
        figure.add_trace(go.Scatter(x=x, y=[nul["waarde"][0]] * len(x), mode="lines", line={"color": "#a63603", "dash": "dot", "width": 1},
                                    name=f"Nulmeting {first['gebiedsnaam'][0]}", hoverinfo="skip"))
        figure.add_trace(go.Scatter(x=x, y=first["marge_grens"].to_list(), mode="lines", fill="tonexty", fillcolor=CORRIDOR_FILL,
                                    line={"color": "#a63603", "width": 1}, name="Grens toegestane verslechtering (corridor)",
                                    hoverinfo="skip"))
    for i, code in enumerate(areas):
        area = rows.filter(pl.col("gebiedcode") == code)
        if area.is_empty():
            continue
        colour = AREA_COLOURS[i % len(AREA_COLOURS)]
        symbols = ["circle-open" if s is False and p != data.nulmeting else "circle"
                   for p, s in area.select("peildatum", "significant").iter_rows()]
        error = None
        if meta.is_survey:
            error = {"type": "data", "symmetric": False, "color": colour, "thickness": 1,
                     "array": (area["ci_hoog"] - area["waarde"]).to_list(), "arrayminus": (area["waarde"] - area["ci_laag"]).to_list()}
        hover = [
            f"<b>{naam}</b><br>{format_date(p)}: {tekst}" + (f"<br>95%-interval: {iv}" if iv else "") +
            (f"<br>{sig}" if sig else "") + f"<br>Status: {status}"
            for naam, p, tekst, iv, sig, status in area.select("gebiedsnaam", "peildatum", "waarde_tekst", "interval_tekst",
                                                               "significantie", "status").iter_rows()
        ]
        figure.add_trace(go.Scatter(
            x=area["peildatum"].to_list(), y=area["waarde"].to_list(), mode="lines+markers", name=area["gebiedsnaam"][0],
            line={"color": colour, "width": 3 if i == 0 else 2}, marker={"size": 10, "symbol": symbols, "line": {"width": 2, "color": colour}},
            error_y=error, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", connectgaps=False,
        ))
    targets = data.tables["streefwaarden"].filter(pl.col("indicator") == meta.indicator).sort("peildatum")
    if targets.height:
        figure.add_trace(go.Scatter(
            x=targets["peildatum"].to_list(), y=targets["streefwaarde"].to_list(), mode="markers", name="Streefwaarde",
            marker={"symbol": "diamond", "size": 13, "color": "#1a1a1a"},
            hovertext=[f"Streefwaarde {format_date(p)}: {format_value(v, meta.eenheid, meta.decimalen)}"
                       for p, v in targets.select("peildatum", "streefwaarde").iter_rows()],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    base_figure(figure, height=440)
    figure.update_layout(
        xaxis={"tickvals": data.peildata, "ticktext": ["<br>".join(format_date_short(p).rsplit(" ", 1)) for p in data.peildata], "title": {"text": "Peildatum"}},
        yaxis={"title": {"text": unit_label(meta.eenheid)}, "tickformat": f",.{meta.decimalen}f"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return figure


def table_spec(meta: Indicator) -> list[Column]:
    """Columns of the trend table and its download."""
    columns = [Column("gebiedsnaam", "Gebied"), Column("peildatum_tekst", "Peildatum"),
               Column("waarde", f"Waarde ({unit_label(meta.eenheid)})", meta.decimalen)]
    if meta.is_survey:
        columns += [Column("ci_laag", "Interval ondergrens", meta.decimalen), Column("ci_hoog", "Interval bovengrens", meta.decimalen),
                    Column("significantie", "Verschil met nulmeting")]
    columns += [Column("verschil_nulmeting", "Verschil t.o.v. nulmeting", meta.decimalen, MISSING_TEXT),
                Column("index_nulmeting", "Index (nulmeting = 100)", 1, MISSING_TEXT), Column("status", "Status"),
                Column("marge_grens", "Grens corridor", meta.decimalen, "–"), Column("streefwaarde", "Streefwaarde", meta.decimalen, "–")]
    return columns


def _suppression_note(rows: pl.DataFrame) -> str:
    """Which areas and peildata are suppressed in the chart."""
    hidden = rows.filter(pl.col("onderdrukt"))
    if hidden.is_empty():
        return "Alle getoonde cijfers zijn gebaseerd op voldoende waarnemingen."
    items = [f"{naam} ({format_date(p)})" for naam, p in hidden.select("gebiedsnaam", "peildatum").iter_rows()]
    return f"{SUPPRESSED_TEXT.capitalize()} (niet getoond): {'; '.join(items)}."


def breakdown(data: Published, meta: Indicator, areas: list[str]) -> html.Div:
    """The breakdown (e.g. by wet) of the chosen areas at the latest peildatum, if the store has one."""
    rows = data.tables["indicator_breakdown"].filter(
        (pl.col("indicator") == meta.indicator) & (pl.col("peildatum") == data.latest) & pl.col("gebiedcode").is_in(areas)
    )
    if rows.is_empty():
        return html.Div()
    names = {code: data.area_name(code) or code for code in areas}
    rows = rows.with_columns(pl.col("gebiedcode").replace_strict(names, default=None).alias("gebiedsnaam")).sort("gebiedsnaam", "categorie")
    columns = [Column("gebiedsnaam", "Gebied"), Column("uitsplitsing", "Uitsplitsing"), Column("categorie", "Categorie"),
               Column("waarde", f"Waarde ({unit_label(meta.eenheid)})", meta.decimalen)]
    if meta.is_survey:
        columns += [Column("ci_laag", "Interval ondergrens", meta.decimalen), Column("ci_hoog", "Interval bovengrens", meta.decimalen),
                    Column("n", "Aantal respondenten", 0, "–")]
    return html.Div([html.H2(f"Uitsplitsing op {format_date(data.latest)}", className="h5 mt-3"),
                     data_table(ids.INDICATOR_UITSPLITSING, columns, rows.to_dicts())])


def _view(indicator: str, areas: list[str]) -> tuple[go.Figure, list[Column], list[dict], str, html.Dl, str, html.Div]:
    """Figure, table, notes, explanation and breakdown for one indicator and the chosen areas."""
    data = store()
    meta = data.indicators[indicator]
    rows = _rows(data, indicator, areas)
    return (trend_figure(data, meta, rows, areas), table_spec(meta), rows.to_dicts(), _suppression_note(rows),
            explanation(data, meta), meta.naam, breakdown(data, meta, areas))


@guarded
def layout(id: str | None = None, gebied: str | None = None, **_: object) -> html.Div:
    """The page; ?id=<indicator>&gebied=<code> preselect indicator and area."""
    data = store()
    notices = []
    if id is not None and data.indicator(id) is None:
        notices.append(message(f"Indicator '{id}' bestaat niet. Kies hieronder een indicator."))
    options = area_options(data)
    known = {o["value"] for o in options}
    gemeente, _naam = data.gemeente()
    if gebied is not None and gebied not in known:
        notices.append(message(f"Gebied '{gebied}' is onbekend; de gemeente wordt getoond."))
    areas = [gemeente] + ([gebied] if gebied in known and gebied != gemeente else [])
    indicator = id if data.indicator(id or "") else next(iter(data.indicators))
    figure, columns, rows, note, text, naam, split = _view(indicator, areas)
    return html.Div([
        html.H1(["Indicator: ", html.Span(naam, id=ids.INDICATOR_NAAM)]),
        *notices,
        html.Div([
            labelled("Indicator", dropdown(ids.INDICATOR_KEUZE, indicator_options(data), indicator), ids.INDICATOR_KEUZE),
            labelled("Gebieden (de eerste krijgt de corridor)",
                     dropdown(ids.INDICATOR_GEBIEDEN, options, areas, multi=True), ids.INDICATOR_GEBIEDEN),
        ], className="controls no-print"),
        html.Div([
            html.Div([
                graph(ids.INDICATOR_TREND, figure,
                      "Trend per gebied sinds de nulmeting met de corridor als band; de cijfers staan in de tabel hieronder."),
                html.P("Open rondje: verschil met de nulmeting niet significant. Ruit: streefwaarde. Band: toegestane "
                       "tijdelijke verslechtering (corridor) van het eerste gebied.", className="small"),
                html.P(note, id=ids.INDICATOR_ONDERDRUKT, className="small"),
            ], className="col-12 col-xl-8"),
            html.Div([html.H2("Over deze indicator", className="h5"), html.Div(text, id=ids.INDICATOR_TOELICHTING)],
                     className="col-12 col-xl-4"),
        ], className="row"),
        html.H2("Tabel", className="h5 mt-3"),
        data_table(ids.INDICATOR_TABEL, columns, rows),
        download_buttons(ids.INDICATOR_DOWNLOAD_CSV, ids.INDICATOR_DOWNLOAD_XLSX, ids.INDICATOR_DOWNLOAD, "tabel"),
        html.Div(split, id=ids.INDICATOR_UITSPLITSING_BLOK),
    ])


@callback(
    Output(ids.INDICATOR_TREND, "figure"),
    Output(ids.INDICATOR_TABEL, "columns"),
    Output(ids.INDICATOR_TABEL, "data"),
    Output(ids.INDICATOR_ONDERDRUKT, "children"),
    Output(ids.INDICATOR_TOELICHTING, "children"),
    Output(ids.INDICATOR_NAAM, "children"),
    Output(ids.INDICATOR_UITSPLITSING_BLOK, "children"),
    Input(ids.INDICATOR_KEUZE, "value"),
    Input(ids.INDICATOR_GEBIEDEN, "value"),
    prevent_initial_call=True,
)
def update_view(indicator: str, areas: list[str] | None) -> tuple:
    """Redraw for the chosen indicator and areas."""
    figure, columns, rows, note, text, naam, split = _view(indicator, list(areas or []))
    return figure, table_columns(columns), rounded_rows(columns, rows), note, text, naam, split


@callback(
    Output(ids.INDICATOR_DOWNLOAD, "data"),
    Input(ids.INDICATOR_DOWNLOAD_CSV, "n_clicks"),
    Input(ids.INDICATOR_DOWNLOAD_XLSX, "n_clicks"),
    State(ids.INDICATOR_KEUZE, "value"),
    State(ids.INDICATOR_GEBIEDEN, "value"),
    prevent_initial_call=True,
)
def download_table(_csv: int | None, _xlsx: int | None, indicator: str, areas: list[str] | None) -> dict:
    """The chart's figures as CSV or Excel."""
    data = store()
    rows = _rows(data, indicator, list(areas or [])).to_dicts()
    fmt = "xlsx" if dash.ctx.triggered_id == ids.INDICATOR_DOWNLOAD_XLSX else "csv"
    return download(table_spec(data.indicators[indicator]), rows, f"indicator_{indicator}", fmt)
