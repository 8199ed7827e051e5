"""Overzicht for the wethouder: every indicator for the city (or a gebied) at a chosen peildatum, and what needs attention."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from core import niveau as niveaus
from core.status import ONVOLDOENDE_GEGEVENS
from dashboard import ids
from dashboard.components import (
    ROW_DECIMALS,
    Column,
    area_choice,
    download,
    download_buttons,
    dropdown,
    follow_gemeente,
    guarded,
    html_table,
    labelled,
    merger_note,
    message,
    missing_text,
    sparkline_svg,
    parse_date,
    peildatum_options,
    status_badge,
    store,
    url_state,
    url_store,
    value_text,
)
from dashboard.data import Published
from dashboard.format import format_date, unit_label
from dashboard.signals import attention_points

dash.register_page(__name__, path="/", name="Overzicht", title="Overzicht · Wijkmonitor", order=0)

URL_CONTROLS = {"gebied": ids.OVERZICHT_GEBIED, "peildatum": ids.OVERZICHT_PEILDATUM}
LEVELS = (niveaus.GEMEENTE, niveaus.GEBIED)  # the levels the Gebied choice lists
ATTENTION_SHOWN = 10  # the rest is counted and left to the PDCA session


def _trend_text(trend: pl.DataFrame) -> str:
    """The sparkline in words, for screen readers."""
    points = [f"{p.year}: {value_text(row)}" for p, row in zip(trend["peildatum"], trend.iter_rows(named=True), strict=True)]
    return "Trend sinds de nulmeting, met de corridor als band. " + "; ".join(points)


def _previous(data: Published, peildatum: date) -> date | None:
    """The peildatum before this one, or None."""
    earlier = [p for p in data.peildata if p < peildatum]
    return earlier[-1] if earlier else None


def _card(data: Published, indicator: str, gebiedcode: str, peildatum: date) -> dbc.Card:
    """One indicator: value, change since the nulmeting and the previous measurement, status, sparkline."""
    meta = data.indicators[indicator]
    trend = data.select(indicator=indicator, gebiedcode=gebiedcode).filter(pl.col("peildatum") <= peildatum).sort("peildatum")
    now = trend.filter(pl.col("peildatum") == peildatum)
    href = f"/indicator?id={indicator}&gebied={gebiedcode}"
    title = html.H3(dcc.Link(meta.naam, href=href), className="h6 kaart-titel")
    if now.is_empty():
        return dbc.Card(dbc.CardBody([title, html.P("Geen cijfer op deze peildatum.")]), className="indicator-kaart h-100")
    row = now.row(0, named=True)
    previous = _previous(data, peildatum)
    unit = f" {unit_label(meta.eenheid)}" if meta.eenheid != "%" else ""
    body = [
        title,
        html.P([value_text(row), html.Span(unit if row["waarde"] is not None else "", className="kaart-eenheid")],
               className="kaart-waarde"),
        html.P(missing_text(row), className="small mb-1") if missing_text(row) not in ("", value_text(row)) else None,
        html.Div(status_badge(row["status"]), className="mb-1"),
        html.Dl([
            html.Dt("Sinds nulmeting"), html.Dd(row["verschil_tekst"] if row["waarde"] is not None else "–"),
            html.Dt(f"Sinds {previous.year}" if previous else "Sinds vorige meting"),
            html.Dd(row["vorige_tekst"] if previous and row["waarde"] is not None else "–"),
        ], className="kaart-verschillen small mb-1"),
        html.Img(
            src=sparkline_svg(trend["waarde"].to_list(), [p.year for p in trend["peildatum"]],
                              trend.filter(pl.col("peildatum") == data.nulmeting)["waarde"].first(),
                              trend["marge_grens"].to_list(), row["status"]),
            alt=_trend_text(trend), className="sparkline"),
    ]
    return dbc.Card(dbc.CardBody([part for part in body if part is not None]), className="indicator-kaart h-100")


TABLE_COLUMNS = [
    Column("naam", "Indicator"), Column("eenheid", "Eenheid"), Column("waarde", "Waarde", ROW_DECIMALS),
    Column("nulmeting", "Nulmeting", ROW_DECIMALS), Column("verschil_nulmeting", "Verschil t.o.v. nulmeting", ROW_DECIMALS, "–"),
    Column("verschil_vorige", "Verschil t.o.v. vorige meting", ROW_DECIMALS, "–"),
    Column("index_nulmeting", "Index (nulmeting = 100)", 1, "–"), Column("status", "Status"),
]
TABLE_CELLS = {
    "waarde": lambda r: r["waarde_tekst"], "nulmeting": lambda r: r["nulmeting_tekst"],
    "verschil_nulmeting": lambda r: r["verschil_tekst"], "verschil_vorige": lambda r: r["vorige_tekst"],
    "status": lambda r: status_badge(r["status"]),
}


def _table_rows(data: Published, gebiedcode: str, peildatum: date) -> list[dict]:
    """One row per indicator: numbers rounded to the registry's decimals (for downloads) and their texts."""
    rows = []
    for indicator, meta in data.indicators.items():
        own = data.select(indicator=indicator, gebiedcode=gebiedcode)
        now = own.filter(pl.col("peildatum") == peildatum)
        nul = own.filter(pl.col("peildatum") == data.nulmeting)
        row = {"naam": meta.naam, "eenheid": unit_label(meta.eenheid), "waarde": None, "nulmeting": None,
               "verschil_nulmeting": None, "verschil_vorige": None, "index_nulmeting": None, "status": ONVOLDOENDE_GEGEVENS,
               "waarde_tekst": "–", "nulmeting_tekst": "–", "verschil_tekst": "–", "vorige_tekst": "–"}
        if now.height:
            r = now.row(0, named=True)
            known = r["waarde"] is not None
            row |= {
                "waarde": r["waarde"] if known else None, "status": r["status"], "waarde_tekst": value_text(r),
                "index_nulmeting": r["index_nulmeting"] if known else None,
                "verschil_nulmeting": r["verschil_nulmeting"] if known else None,
                "verschil_vorige": r["verschil_vorige"] if known else None,
                "verschil_tekst": r["verschil_tekst"] if known and r["verschil_nulmeting"] is not None else "–",
                "vorige_tekst": r["vorige_tekst"] if known and r["verschil_vorige"] is not None else "–",
            }
        if nul.height:
            n = nul.row(0, named=True)
            row |= {"nulmeting": n["waarde"], "nulmeting_tekst": value_text(n)}
        for key in ("waarde", "nulmeting", "verschil_nulmeting", "verschil_vorige"):
            row[key] = None if row[key] is None else round(row[key], meta.decimalen)
        rows.append(row)
    return rows


def _in_area(data: Published, frame: pl.DataFrame, gebiedcode: str, peildatum: date) -> pl.DataFrame:
    """Attention points in the chosen area: a gemeente's own, its gebieden's and its wijken's (in a store of one
    gemeente: all); a gebied's own and its wijken's."""
    if data.areas(niveaus.GEMEENTE)["gebiedcode"].to_list() == [gebiedcode]:
        return frame
    gebieden = data.areas("gebied", peildatum).filter(pl.col("bovenliggend") == gebiedcode)["gebiedcode"].to_list()
    parents = [gebiedcode, *gebieden]
    wijken = data.areas("wijk", peildatum).filter(pl.col("bovenliggend").is_in(parents))["gebiedcode"].to_list()
    return frame.filter(pl.col("gebiedcode").is_in([*parents, *wijken]))


def attention_block(data: Published, gebiedcode: str, peildatum: date) -> html.Section:
    """The ranked attention points: figures outside the corridor or significantly worse than the nulmeting."""
    points = _in_area(data, attention_points(data, peildatum), gebiedcode, peildatum)
    heading = html.H2("Aandachtspunten", className="h5", id="aandachtspunten-kop")
    uitleg = html.P("Cijfers buiten de corridor (slechter dan de afgesproken tijdelijke verslechtering toestaat) of, bij "
                    "enquêtes, significant slechter dan de nulmeting; het ernstigste eerst.", className="small mb-2")
    if points.is_empty():
        return html.Section([heading, uitleg, html.P("Geen aandachtspunten op deze peildatum.")],
                            id=ids.OVERZICHT_AANDACHT, className="aandacht", **{"aria-labelledby": "aandachtspunten-kop"})
    items = []
    for row in points.head(ATTENTION_SHOWN).iter_rows(named=True):
        niveau = "" if row["niveau"] == "gemeente" else f" ({row['niveau']})"
        note = merger_note(data, row["gebiedcode"], peildatum)
        items.append(html.Li([
            status_badge(row["status"]), " ",
            dcc.Link(f"{row['naam']} — {row['gebiedsnaam']}{niveau}", href=f"/indicator?id={row['indicator']}&gebied={row['gebiedcode']}"),
            f": {row['waarde_tekst']}, {row['verschil_tekst']} t.o.v. nulmeting",
            f" ({row['signaal']})" if row["signaal"] != row["status"] else "",
            f"; {note}" if note else "",
        ]))
    rest = points.height - len(items)
    more = [html.P([f"En nog {rest} aandachtspunt{'en' if rest > 1 else ''}; alle signalen staan op de ",
                    dcc.Link("PDCA-sessie", href=f"/pdca?peildatum={peildatum.isoformat()}"), "."],
                   className="small mb-0")] if rest > 0 else []
    return html.Section([heading, uitleg, html.Ol(items, className="aandacht-lijst"), *more],
                        id=ids.OVERZICHT_AANDACHT, className="aandacht", **{"aria-labelledby": "aandachtspunten-kop"})


def _content(data: Published, gebiedcode: str, peildatum: date) -> list:
    """Title, attention points, cards and table for one area and peildatum."""
    naam = data.area_name(gebiedcode)
    note = merger_note(data, gebiedcode, peildatum)
    cards = dbc.Row([dbc.Col(_card(data, key, gebiedcode, peildatum), xs=12, sm=6, xl=3, className="mb-3")
                     for key in data.indicators])
    return [
        html.H2(f"{naam} op {format_date(peildatum)}", className="h4", id=ids.OVERZICHT_TITEL),
        html.P([f"Vergeleken met de nulmeting van {format_date(data.nulmeting)}"
                + (f" en de vorige meting van {format_date(_previous(data, peildatum))}" if _previous(data, peildatum) else "")
                + ". Klik op een indicator voor de details.", f" {naam} {note}." if note else ""], className="text-muted"),
        attention_block(data, gebiedcode, peildatum),
        html.H2("Indicatoren", className="h5 mt-3"),
        html.P("Lijntje: de trend tot deze peildatum. Band: de corridor (toegestane tijdelijke verslechtering) vanaf de "
               "stippellijn van de nulmeting; het laatste punt heeft de kleur van de status.", className="small"),
        cards,
        html_table(ids.OVERZICHT_TABEL, TABLE_COLUMNS, _table_rows(data, gebiedcode, peildatum),
                   f"De cijfers van {naam} op {format_date(peildatum)}", cells=TABLE_CELLS),
    ]


def report_href(peildatum: date) -> str:
    """The council report of a peildatum (route served by the report module)."""
    return f"/rapport.pdf?peildatum={peildatum.isoformat()}"


@guarded
def layout(gebied: str | None = None, peildatum: str | None = None, **_: object) -> html.Div:
    """The page; ?gebied=GB001402&peildatum=2016-01-01 select area and peildatum."""
    data = store()
    gemeente, _naam = data.gemeente()
    known = data.gemeente_of(gebied or "", LEVELS) is not None
    notices = []
    if gebied and not known:
        notices.append(message(f"Gebied '{gebied}' is onbekend; de hele gemeente wordt getoond."))
    if peildatum is not None and parse_date(peildatum, data) is None:
        notices.append(message(f"Peildatum '{peildatum}' komt niet voor; de laatste peildatum wordt getoond."))
    selected = gebied if known else gemeente
    chosen = parse_date(peildatum, data) or data.latest
    return html.Div([
        html.H1("Overzicht"),
        *notices,
        html.Div([
            *area_choice(data, ids.OVERZICHT_GEMEENTE, ids.OVERZICHT_GEBIED, "Gebied", data.gemeente_of(selected),
                         selected, LEVELS),
            labelled("Peildatum", dropdown(ids.OVERZICHT_PEILDATUM, peildatum_options(data.peildata), chosen.isoformat()),
                     ids.OVERZICHT_PEILDATUM),
            html.Div(html.A("Raadsrapportage (PDF)", href=report_href(chosen), id=ids.OVERZICHT_RAPPORT,
                            className="btn btn-primary"),
                     className="control-knop mb-2"),
        ], className="controls no-print"),
        html.Div(_content(data, selected, chosen), id=ids.OVERZICHT_KAARTEN, **{"aria-live": "polite"}),
        download_buttons(ids.OVERZICHT_DOWNLOAD_CSV, ids.OVERZICHT_DOWNLOAD_XLSX, ids.OVERZICHT_DOWNLOAD, "tabel"),
        url_store(ids.OVERZICHT_URL, URL_CONTROLS),
    ])


url_state(ids.OVERZICHT_URL, URL_CONTROLS)
follow_gemeente(ids.OVERZICHT_GEMEENTE, ids.OVERZICHT_GEBIED, LEVELS)


@callback(
    Output(ids.OVERZICHT_KAARTEN, "children"),
    Output(ids.OVERZICHT_RAPPORT, "href"),
    Input(ids.OVERZICHT_GEBIED, "value"),
    Input(ids.OVERZICHT_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def show_area(gebiedcode: str, peildatum_iso: str) -> tuple[list, str]:
    """Redraw for the chosen area and peildatum."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    return _content(data, gebiedcode, peildatum), report_href(peildatum)


@callback(
    Output(ids.OVERZICHT_DOWNLOAD, "data"),
    Input(ids.OVERZICHT_DOWNLOAD_CSV, "n_clicks"),
    Input(ids.OVERZICHT_DOWNLOAD_XLSX, "n_clicks"),
    State(ids.OVERZICHT_GEBIED, "value"),
    State(ids.OVERZICHT_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def download_table(_csv: int | None, _xlsx: int | None, gebiedcode: str, peildatum_iso: str) -> dict:
    """The table's figures as CSV or Excel."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    fmt = "xlsx" if dash.ctx.triggered_id == ids.OVERZICHT_DOWNLOAD_XLSX else "csv"
    return download(TABLE_COLUMNS, _table_rows(data, gebiedcode, peildatum),
                    f"overzicht_{gebiedcode}_{peildatum.isoformat()}", fmt)
