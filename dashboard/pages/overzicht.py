"""Overzicht: the indicators for the city (or a gebied) at the latest peildatum."""

from __future__ import annotations

import base64

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import (
    AREA_COLOURS,
    ROW_DECIMALS,
    Column,
    area_options,
    data_table,
    download,
    download_buttons,
    guarded,
    dropdown,
    labelled,
    message,
    status_badge,
    store,
)
from dashboard.data import Published
from dashboard.format import format_date, unit_label

dash.register_page(__name__, path="/", name="Overzicht", title="Overzicht · Wijkmonitor", order=0)



def sparkline_svg(values: list[float | None], width: int = 240, height: int = 50) -> str:
    """A small SVG trend line; a suppressed (None) value breaks the line.

    Drawn on the server as an image so the overview needs no plotly.js: the first page view stays fast."""
    known = [v for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    span = (high - low) or 1.0
    step = (width - 10) / max(len(values) - 1, 1)
    points = [None if v is None else (5 + i * step, height - 5 - (v - low) / span * (height - 10)) for i, v in enumerate(values)]
    segments, current = [], []
    for point in points + [None]:
        if point is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(point)
    lines = "".join(
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in segment)}" fill="none" stroke="{AREA_COLOURS[0]}" stroke-width="2"/>'
        for segment in segments
    )
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{AREA_COLOURS[0]}"/>' for x, y in (p for p in points if p))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{lines}{dots}</svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _trend_text(frame: pl.DataFrame) -> str:
    """The sparkline in words, for screen readers."""
    points = [f"{format_date(p)}: {t}" for p, t in frame.select("peildatum", "waarde_tekst").iter_rows()]
    return "Trend sinds de nulmeting. " + "; ".join(points)


def _card(data: Published, indicator: str, gebiedcode: str) -> dbc.Card:
    """One indicator: value, change against the nulmeting, sparkline and status."""
    meta = data.indicators[indicator]
    trend = data.select(indicator=indicator, gebiedcode=gebiedcode).sort("peildatum")
    latest = trend.filter(pl.col("peildatum") == data.latest)
    if latest.is_empty():
        body = [html.P("Geen cijfer op deze peildatum.")]
    else:
        row = latest.row(0, named=True)
        body = [
            html.P([row["waarde_tekst"], html.Span(f" {unit_label(meta.eenheid)}" if meta.eenheid != "%" else "",
                                                   className="kaart-eenheid")], className="kaart-waarde"),
            html.P([f"Sinds nulmeting: {row['verschil_tekst']}", html.Br(), f"Index (nulmeting = 100): {row['index_tekst']}"],
                   className="small mb-0"),
            html.Img(src=sparkline_svg(trend["waarde"].to_list()), alt=_trend_text(trend), className="sparkline"),
            html.Div(status_badge(row["status"]), className="mt-1"),
        ]
    href = f"/indicator?id={indicator}&gebied={gebiedcode}"
    return dbc.Card(
        dbc.CardBody([html.H2(dcc.Link(meta.naam, href=href), className="h6 kaart-titel")] + body),
        className="indicator-kaart h-100",
    )


def _table(data: Published, gebiedcode: str) -> tuple[list[Column], list[dict]]:
    """The figures behind the cards: one row per indicator, one column per peildatum."""
    columns = [Column("naam", "Indicator"), Column("eenheid", "Eenheid")]
    columns += [Column(p.isoformat(), format_date(p), ROW_DECIMALS) for p in data.peildata]
    columns += [Column("verschil", "Verschil t.o.v. nulmeting"), Column("index", "Index (nulmeting = 100)"),
                Column("status", "Status")]
    rows = []
    for indicator, meta in data.indicators.items():
        trend = data.select(indicator=indicator, gebiedcode=gebiedcode)
        row: dict = {"naam": meta.naam, "eenheid": unit_label(meta.eenheid)}
        for peildatum, waarde in trend.select("peildatum", "waarde").iter_rows():
            row[peildatum.isoformat()] = None if waarde is None else round(waarde, meta.decimalen)
        latest = trend.filter(pl.col("peildatum") == data.latest)
        if latest.height:
            last = latest.row(0, named=True)
            row |= {"verschil": last["verschil_tekst"], "index": last["index_tekst"], "status": last["status"]}
        rows.append(row)
    return columns, rows


def _content(data: Published, gebiedcode: str) -> list:
    """Title, cards and table for one area."""
    naam = data.area_name(gebiedcode)
    columns, rows = _table(data, gebiedcode)
    cards = dbc.Row([dbc.Col(_card(data, key, gebiedcode), xs=12, md=6, xl=3, className="mb-3") for key in data.indicators])
    return [
        html.H2(f"{naam} op {format_date(data.latest)}", className="h4"),
        html.P(f"Vergeleken met de nulmeting van {format_date(data.nulmeting)}. Klik op een indicator voor de details.",
               className="text-muted"),
        cards,
        html.H2("De cijfers in een tabel", className="h5 mt-3"),
        data_table(ids.OVERZICHT_TABEL, columns, rows),
    ]


@guarded
def layout(gebied: str | None = None, **_: object) -> html.Div:
    """The page; ?gebied=GB001402 selects a gebied."""
    data = store()
    gemeente, _naam = data.gemeente()
    options = area_options(data, ("gemeente", "gebied"))
    known = {o["value"] for o in options}
    notice = [message(f"Gebied '{gebied}' is onbekend; de hele gemeente wordt getoond.")] if gebied and gebied not in known else []
    selected = gebied if gebied in known else gemeente
    return html.Div([
        html.H1("Overzicht"),
        *notice,
        html.Div(labelled("Gebied", dropdown(ids.OVERZICHT_GEBIED, options, selected), ids.OVERZICHT_GEBIED),
                 className="controls no-print", style={"maxWidth": "420px"}),
        html.Div(_content(data, selected), id=ids.OVERZICHT_KAARTEN),
        download_buttons(ids.OVERZICHT_DOWNLOAD_CSV, ids.OVERZICHT_DOWNLOAD_XLSX, ids.OVERZICHT_DOWNLOAD, "tabel"),
    ])


@callback(Output(ids.OVERZICHT_KAARTEN, "children"), Input(ids.OVERZICHT_GEBIED, "value"), prevent_initial_call=True)
def show_area(gebiedcode: str) -> list:
    """Redraw the cards for the chosen area."""
    return _content(store(), gebiedcode)


@callback(
    Output(ids.OVERZICHT_DOWNLOAD, "data"),
    Input(ids.OVERZICHT_DOWNLOAD_CSV, "n_clicks"),
    Input(ids.OVERZICHT_DOWNLOAD_XLSX, "n_clicks"),
    State(ids.OVERZICHT_GEBIED, "value"),
    prevent_initial_call=True,
)
def download_table(_csv: int | None, _xlsx: int | None, gebiedcode: str) -> dict:
    """The table's figures as CSV or Excel."""
    columns, rows = _table(store(), gebiedcode)
    fmt = "xlsx" if dash.ctx.triggered_id == ids.OVERZICHT_DOWNLOAD_XLSX else "csv"
    return download(columns, rows, f"overzicht_{gebiedcode}", fmt)
