"""Datakwaliteit: per source the last load, rows accepted and quarantined per rule, rejected files, freshness,
and the figures not computed because their inputs are incomplete (with the reason)."""

from __future__ import annotations

from datetime import datetime

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, callback, dcc, html

from dashboard import ids
from indicators import kosten
from dashboard.components import (
    Column, export_filename, export_metadata, guarded, html_table, status_badge, store, xlsx_bytes,
)
from dashboard.format import format_date, format_datetime

dash.register_page(__name__, path="/datakwaliteit", name="Datakwaliteit", title="Datakwaliteit · Wijkmonitor", order=7)

SOURCE_COLUMNS = [
    Column("bron", "Bron"), Column("lading_tekst", "Laatst geladen"), Column("bestanden", "Bestanden", 0, "–"),
    Column("bestanden_afgewezen", "Bestanden afgewezen", 0, "–"), Column("rijen_geleverd", "Rijen geleverd", 0, "–"),
    Column("rijen_geaccepteerd", "Rijen geaccepteerd", 0, "–"), Column("rijen_quarantaine", "Rijen in quarantaine", 0, "–"),
    Column("waarschuwingen", "Waarschuwingen", 0, "–"), Column("recentste_tekst", "Recentste gegevens"), Column("status", "Status"),
]
RULE_COLUMNS = [Column("bron", "Bron"), Column("kolom", "Kolom"), Column("regel", "Regel"), Column("ernst", "Ernst"),
                Column("aantal", "Aantal rijen", 0, "–")]
FILE_COLUMNS = [Column("bron", "Bron"), Column("bestand", "Bestand"), Column("rijen", "Rijen", 0, "–"), Column("status", "Status"),
                Column("reden", "Reden"), Column("geladen_tekst", "Geladen op")]
ONVOLLEDIG_COLUMNS = [Column("peildatum_tekst", "Peildatum"), Column("bron", "Bron"), Column("gebied", "Wijk"),
                      Column("indicatoren", "Indicatoren"), Column("reden", "Reden")]
ONVOLLEDIG_UITLEG = (
    "Deze cijfers zijn niet berekend omdat een invoer ontbreekt; ze staan overal als \u201convoldoende "
    "gegevens\u201d. Ontbreekt de bevolking van een wijk die wel in de registers voorkomt, dan ontbreken "
    "ook de cijfers per inwoner van haar gebied en van de gemeente. Een ontbrekend cijfer wordt nooit als 0 "
    "getoond."
)
ERNST_UITLEG = "fout: de rij is in quarantaine gezet en telt niet mee; waarschuwing: de rij telt mee."


def dq_tables() -> dict[str, tuple[list[Column], list[dict]]]:
    """The data-quality tables with dates in Dutch."""
    tables = store().tables
    sources = tables["dq_sources"].sort("bron").to_dicts()
    for row in sources:
        row |= {"lading_tekst": format_datetime(row["laatste_lading"]), "recentste_tekst": format_date(row["recentste_datum"])}
    files = tables["dq_files"].sort("bron", "bestand").to_dicts()
    for row in files:
        row["geladen_tekst"] = format_datetime(row["geladen_op"])
    rules = tables["dq_rules"].sort(["bron", "aantal"], descending=[False, True]).to_dicts()
    return {"Bronnen": (SOURCE_COLUMNS, sources), "Regels": (RULE_COLUMNS, rules), "Bestanden": (FILE_COLUMNS, files),
            "Onvoldoende gegevens": (ONVOLLEDIG_COLUMNS, incomplete_rows())}


def incomplete_rows() -> list[dict]:
    """One row per cause of missing figures (peildatum, source, wijk, reason) with the indicators it takes."""
    data = store()
    names = {indicator_id: indicator.naam for indicator_id, indicator in data.indicators.items()} | kosten.FIGUREN
    order = list(data.indicators) + list(kosten.FIGUREN)
    causes: dict[tuple, list[str]] = {}
    for row in data.tables["dq_incomplete"].sort("peildatum", "bron", "wijkcode", nulls_last=False).iter_rows(named=True):
        causes.setdefault((row["peildatum"], row["bron"], row["wijkcode"], row["reden"]), []).append(row["indicator"])
    return [
        {"peildatum_tekst": format_date(peildatum), "bron": bron,
         "gebied": "alle wijken" if wijkcode is None else f"{data.area_name(wijkcode) or wijkcode} ({wijkcode})",
         "indicatoren": ", ".join(names.get(i, i) for i in sorted(indicator_ids, key=lambda i: order.index(i) if i in order else 99)),
         "reden": reden}
        for (peildatum, bron, wijkcode, reden), indicator_ids in causes.items()
    ]


def _published_on(data_meta: pl.DataFrame) -> str:
    """' (gepubliceerd 1 februari 2017 09:30)' from the meta table, or ''."""
    value = data_meta.filter(pl.col("sleutel") == "gepubliceerd_op")["waarde"].to_list()
    try:
        return f" (gepubliceerd {format_datetime(datetime.fromisoformat(value[0]))})" if value else ""
    except ValueError:
        return f" (gepubliceerd {value[0]})"


@guarded
def layout(**_: object) -> html.Div:
    """The page."""
    data = store()
    tables = dq_tables()
    return html.Div([
        html.H1("Datakwaliteit"),
        html.P(f"De kwaliteit van de bronnen bij de verwerking die deze cijfers opleverde{_published_on(data.tables['meta'])}."),
        html.Ul([html.Li([html.Span(f"{row['bron']}: ", className="fw-semibold"), status_badge(row["status"])])
                 for row in tables["Bronnen"][1]], className="list-unstyled"),
        html.H2("Per bron", className="h5 mt-3"),
        html_table(ids.DQ_BRONNEN, *tables["Bronnen"], "Per bron: bestanden, rijen en versheid"),
        html.H2("Regels en aantallen", className="h5 mt-3"),
        html.P(ERNST_UITLEG, className="small"),
        html_table(ids.DQ_REGELS, *tables["Regels"], "Regels en aantallen per bron en kolom"),
        html.H2("Bestanden", className="h5 mt-3"),
        html_table(ids.DQ_BESTANDEN, *tables["Bestanden"], "Geleverde bestanden en wat ermee gebeurde"),
        html.H2("Onvoldoende gegevens", className="h5 mt-3"),
        html.P(ONVOLLEDIG_UITLEG, className="small"),
        html_table(ids.DQ_ONVOLLEDIG, *tables["Onvoldoende gegevens"], "Cijfers die ontbreken en waarom") if tables["Onvoldoende gegevens"][1]
        else html.P("Alle cijfers hebben volledige invoer.", className="small"),
        html.Div([dbc.Button("Download de tabellen (Excel)", id=ids.DQ_DOWNLOAD_XLSX, color="secondary", outline=True, size="sm"),
                  dcc.Download(id=ids.DQ_DOWNLOAD)], className="downloads no-print my-2"),
    ])


@callback(Output(ids.DQ_DOWNLOAD, "data"), Input(ids.DQ_DOWNLOAD_XLSX, "n_clicks"), prevent_initial_call=True)
def download_tables(_clicks: int) -> dict:
    """The data-quality tables as one Excel workbook."""
    info = export_metadata(store(), "datakwaliteit van de verwerking die deze cijfers opleverde",
                           "alle peildata van deze verwerking", indicators=[])
    return dcc.send_bytes(xlsx_bytes(dq_tables(), info), export_filename("datakwaliteit", None, "xlsx"))
