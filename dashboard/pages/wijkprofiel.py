"""Wijkprofiel: one wijk, all indicators against its own nulmeting and the city, with statuses."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from core import niveau as niveaus
from core.status import ONVOLDOENDE_GEGEVENS
from dashboard import ids, vergelijken
from dashboard.acties import actions_of, carried_over
from dashboard.components import (
    CITY_COLOUR,
    ROW_DECIMALS,
    Column,
    area_choice,
    base_figure,
    download,
    download_buttons,
    dropdown,
    follow_gemeente,
    graph,
    guarded,
    html_table,
    labelled,
    merger_note,
    message,
    parse_date,
    peildatum_options,
    sparkline_svg,
    state_path,
    status_badge,
    status_colour,
    store,
    url_state,
    url_store,
    value_text,
)
from dashboard.data import Published
from dashboard.geld import kosten_blok
from dashboard.format import MISSING_TEXT, display_number, format_date, format_index, unit_label

dash.register_page(__name__, path="/wijkprofiel", name="Wijkprofiel", title="Wijkprofiel · Wijkmonitor", order=3)

URL_CONTROLS = {"wijk": ids.PROFIEL_WIJK, "peildatum": ids.PROFIEL_PEILDATUM}
WIJK = (niveaus.WIJK,)  # the levels the wijk choice lists
# On screen the figures are texts (with their unit and why one is missing); downloads get the numbers
# (rounded to the indicator's decimals), '–' where there is none (the status column says why).
COLUMNS = [
    Column("naam", "Indicator"), Column("eenheid", "Eenheid"),
    Column("wijk_tekst", "Wijk", download=Column("wijk", "Wijk", ROW_DECIMALS, "–")),
    Column("nulmeting_tekst", "Wijk bij nulmeting", download=Column("nulmeting", "Wijk bij nulmeting", ROW_DECIMALS, "–")),
    Column("verschil_tekst", "Verschil t.o.v. nulmeting",
           download=Column("verschil", "Verschil t.o.v. nulmeting", ROW_DECIMALS, "–")),
    Column("index_nulmeting", "Index wijk (nulmeting = 100)", 1, MISSING_TEXT),
    Column("stad_tekst", "Gemeente", download=Column("stad", "Gemeente", ROW_DECIMALS, "–")),
    Column("index_stad", "Index gemeente (nulmeting = 100)", 1, "–"), Column("status", "Status wijk"),
]


def _rounded(value: float | None, decimals: int) -> float | None:
    """A figure as shown: rounded to the indicator's decimals."""
    return None if value is None else round(value, decimals)
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
               "wijk_tekst": ONVOLDOENDE_GEGEVENS, "nulmeting_tekst": "–", "verschil_tekst": "–", "index_nulmeting": None,
               "stad_tekst": "–", "index_stad": None, "status": ONVOLDOENDE_GEGEVENS,
               "wijk": None, "nulmeting": None, "verschil": None, "stad": None}
        if now.height:
            r = now.row(0, named=True)
            known = r["waarde"] is not None
            row |= {"wijk_tekst": value_text(r), "verschil_tekst": r["verschil_tekst"] if known and r["verschil_nulmeting"] is not None else "–",
                    "index_nulmeting": r["index_nulmeting"] if known else None, "status": r["status"],
                    "wijk": _rounded(r["waarde"], meta.decimalen),
                    "verschil": _rounded(r["verschil_nulmeting"], meta.decimalen) if known else None}
        if nul.height:
            row |= {"nulmeting_tekst": value_text(nul.row(0, named=True)), "nulmeting": _rounded(nul["waarde"][0], meta.decimalen)}
        if city.height:
            row |= {"stad_tekst": value_text(city.row(0, named=True)), "index_stad": city["index_nulmeting"][0],
                    "stad": _rounded(city["waarde"][0], meta.decimalen)}
        rows.append(row)
    return rows


def profile_figure(rows: list[dict], wijknaam: str) -> go.Figure:
    """Bars from the nulmeting (index 100) to the wijk's index per indicator in the colour of its status (the same
    colour as its badge), the city as a black mark; indicators without an index get the words.

    Each indicator's name stands above its bar, at the left edge, so no label is cut on a phone."""
    indices = [v for r in rows for v in (r["index_nulmeting"], r["index_stad"]) if v is not None] + [100.0]
    low, high = min(indices) - 5, max(indices) + 5
    y = list(range(len(rows)))
    figure = go.Figure()
    figure.add_trace(go.Bar(
        y=[i + 0.18 for i in y], x=[None if r["index_nulmeting"] is None else r["index_nulmeting"] - 100 for r in rows],
        base=100, width=0.5, orientation="h", name=wijknaam,
        marker={"color": [status_colour(r["status"]) for r in rows], "line": {"color": "#595959", "width": 1}},
        hovertext=[f"{r['naam']}<br>{wijknaam}: {r['wijk_tekst']} (index {format_index(r['index_nulmeting'])})<br>Status: {r['status']}"
                   for r in rows], hovertemplate="%{hovertext}<extra></extra>",
    ))
    figure.add_trace(go.Scatter(
        y=[i + 0.18 for i in y], x=[r["index_stad"] for r in rows], mode="markers", name="Gemeente",
        marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": CITY_COLOUR}},
        hovertext=[f"Gemeente: {r['stad_tekst']} (index {format_index(r['index_stad'])})" for r in rows],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    # One text trace for the names (and the words where the wijk has no index): annotations are slow in plotly.
    figure.add_trace(go.Scatter(
        y=[i - (0.3 if r["index_nulmeting"] is not None else 0.05) for i, r in zip(y, rows, strict=True)], x=[low] * len(rows), mode="text", hoverinfo="skip", textposition="middle right",
        text=[r["naam"] + ("" if r["index_nulmeting"] is not None else f"<br>{r['wijk_tekst']}") for r in rows],
        textfont={"size": 12, "color": "#1a1a1a"},
    ))
    figure.add_vline(x=100, line={"color": "#a63603", "dash": "dot"})
    base_figure(figure, height=70 + 44 * len(rows))
    figure.update_layout(
        barmode="overlay", showlegend=False,
        yaxis={"autorange": "reversed", "showticklabels": False, "showgrid": False, "zeroline": False},
        xaxis={"title": {"text": "Index (nulmeting = 100)"}, "tickformat": ",.0f", "range": [low, high]},
        margin={"l": 4, "r": 12, "t": 20, "b": 10},
    )
    return figure


def context_block(data: Published, wijk: str, peildatum: date) -> html.Div:
    """Inhabitants, young people and households of the wijk on peildatum (published bevolking)."""
    row = data.tables["bevolking"].filter((pl.col("gebiedcode") == wijk) & (pl.col("peildatum") == peildatum))
    figures = row.row(0, named=True) if row.height else {}

    def count(column: str) -> str:
        value = figures.get(column)
        return display_number(value, 0) if value is not None else f"{ONVOLDOENDE_GEGEVENS} (geen bevolkingscijfer)"

    items = [("Inwoners", count("inwoners")), ("Jeugdigen (0-17 jaar)", count("inwoners_0_17")),
             ("Huishoudens", count("huishoudens"))]
    if figures.get("inwoners") and figures.get("inwoners_0_17") is not None:
        items.append(("Aandeel jeugdigen", display_number(100 * figures["inwoners_0_17"] / figures["inwoners"], 1) + "%"))
    if figures.get("huishoudens") and figures.get("inwoners") is not None:
        items.append(("Personen per huishouden", display_number(figures["inwoners"] / figures["huishoudens"], 2)))
    items += vergelijken.context_items(data, wijk, peildatum)  # kenmerken (issue 12)
    note = merger_note(data, wijk, peildatum)
    return html.Div([
        html.H3("De wijk in cijfers", className="h6"),
        html.Dl([part for label, text in items for part in (html.Dt(label), html.Dd(text))], className="kaart-verschillen small"),
        html.P(f"{data.area_name(wijk)} {note}.", className="small") if note else None,
    ], className="context")


def actions_block(data: Published, wijk: str, peildatum: date) -> html.Div:
    """The PDCA actions about this wijk in the session of peildatum and those still open from earlier
    sessions, read-only (they are written on the PDCA page)."""
    state = state_path()
    own = [actie for actie in actions_of(state, peildatum) + carried_over(state, peildatum) if actie.gebiedcode == wijk]
    pdca = dcc.Link("PDCA-sessie", href=f"/pdca?peildatum={peildatum.isoformat()}")
    if not own:
        return html.P(["Geen acties over deze wijk in de ", pdca, " van deze peildatum."], className="small")
    items = []
    for actie in own:
        meta = data.indicator(actie.indicator)
        parts = [html.Span(f"{meta.naam if meta else actie.indicator}: ", className="fw-semibold"), actie.omschrijving,
                 html.Br(), f"Status: {actie.status}"]
        if actie.eigenaar:
            parts += [f" · eigenaar: {actie.eigenaar}"]
        if actie.deadline:
            parts += [f" · deadline: {format_date(actie.deadline)}"]
        if actie.besluit:
            parts += [html.Br(), f"Besluit: {actie.besluit}"]
        items.append(html.Li(parts, className="notitie-tekst"))
    return html.Div([html.Ul(items, className="small"), html.P(["Naar de ", pdca], className="small")])


def trend_cards(data: Published, wijk: str, peildatum: date) -> dbc.Row:
    """Small multiples: per indicator the wijk's trend to peildatum with its corridor band and nulmeting."""
    cards = []
    for indicator, meta in data.indicators.items():
        trend = data.select(indicator=indicator, gebiedcode=wijk).filter(pl.col("peildatum") <= peildatum).sort("peildatum")
        last = trend.filter(pl.col("peildatum") == peildatum)
        status = last["status"][0] if last.height else ONVOLDOENDE_GEGEVENS
        text = "; ".join(f"{p.year}: {value_text(r)}" for p, r in zip(trend["peildatum"], trend.iter_rows(named=True), strict=True))
        cards.append(dbc.Col(html.Div([
            html.H4(meta.naam, className="h6 mb-1"),
            html.Div([status_badge(status), " ", value_text(last.row(0, named=True)) if last.height else MISSING_TEXT],
                     className="small"),
            html.Img(src=sparkline_svg(trend["waarde"].to_list(), [p.year for p in trend["peildatum"]],
                                       trend.filter(pl.col("peildatum") == data.nulmeting)["waarde"].first(),
                                       trend["marge_grens"].to_list(), status),
                     alt=f"Trend van {meta.naam}: {text}", className="sparkline"),
        ], className="kleine-trend"), xs=12, sm=6, xl=3, className="mb-3"))
    return dbc.Row(cards)


def _view(wijk: str, peildatum_iso: str) -> tuple[str, go.Figure, list[dict], html.Div, dbc.Row, html.Div]:
    """Title, figure, rows, table, trends and context (with the wijk's PDCA notes) for one wijk."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    naam = data.area_name(wijk) or wijk
    rows = profile_rows(data, wijk, peildatum)
    table = html_table(ids.PROFIEL_TABEL, COLUMNS, rows, f"{naam} op {format_date(peildatum)}",
                       cells={"status": lambda r: status_badge(r["status"])})
    return (f"{naam} op {format_date(peildatum)}", profile_figure(rows, naam), rows, table,
            trend_cards(data, wijk, peildatum),
            html.Div([context_block(data, wijk, peildatum), html.H3("Acties uit de PDCA-sessie", className="h6 mt-3"),
                      actions_block(data, wijk, peildatum), kosten_blok(data, wijk, peildatum)]))


@guarded
def layout(wijk: str | None = None, peildatum: str | None = None, **_: object) -> html.Div:
    """The page; ?wijk=WK001401&peildatum=2016-01-01 select wijk and peildatum."""
    data = store()
    notices = []
    wijk_gemeente = data.gemeente_of(wijk or "", WIJK)
    if wijk is not None and wijk_gemeente is None:
        notices.append(message(f"Wijk '{wijk}' bestaat niet. Kies hieronder een wijk."))
    if peildatum is not None and parse_date(peildatum, data) is None:
        notices.append(message(f"Peildatum '{peildatum}' komt niet voor; de laatste peildatum wordt getoond."))
    per_gemeente = data.areas_per_gemeente(WIJK)
    own = data.gemeente()[0]
    gemeente = wijk_gemeente or (own if own in per_gemeente else next(iter(per_gemeente)))
    selected = wijk if wijk_gemeente else per_gemeente[gemeente][0]["value"]
    chosen = (parse_date(peildatum, data) or data.latest).isoformat()
    titel, figure, _rows, table, trends, context = _view(selected, chosen)
    return html.Div([
        html.H1("Wijkprofiel"),
        *notices,
        html.Div([
            *area_choice(data, ids.PROFIEL_GEMEENTE, ids.PROFIEL_WIJK, "Wijk", gemeente, selected, WIJK),
            labelled("Peildatum", dropdown(ids.PROFIEL_PEILDATUM, peildatum_options(data.peildata), chosen), ids.PROFIEL_PEILDATUM),
        ], className="controls no-print"),
        html.H2(titel, id=ids.PROFIEL_TITEL, className="h4 mt-2"),
        html.Div([
            html.Div([graph(ids.PROFIEL_GRAFIEK, figure,
                            "Index per indicator ten opzichte van de eigen nulmeting (100) voor de wijk en de gemeente; "
                            "de cijfers staan in de tabel hieronder."),
                      html.P("Staaf: de wijk, van de nulmeting (100, stippellijn) tot de index nu, in de kleur van haar "
                             "status. Zwart streepje: de gemeente. Bij indicatoren waar lager beter is, is een index onder "
                             "100 gunstig.", className="small")],
                     className="col-12 col-xl-8"),
            html.Div(html.Div(context, id=ids.PROFIEL_CONTEXT), className="col-12 col-xl-4"),
        ], className="row"),
        html.H2("Trend per indicator", className="h5 mt-3"),
        html.P("Lijntje: de wijk tot deze peildatum; band: de corridor vanaf de stippellijn van de nulmeting; het laatste "
               "punt heeft de kleur van de status.", className="small"),
        html.Div(trends, id=ids.PROFIEL_TRENDS),
        html.H2("Tabel", className="h5 mt-3"),
        html.Div(table, id=ids.PROFIEL_TABEL_BLOK),
        download_buttons(ids.PROFIEL_DOWNLOAD_CSV, ids.PROFIEL_DOWNLOAD_XLSX, ids.PROFIEL_DOWNLOAD, "tabel"),
        html.Div(similar_block(selected, chosen), id=ids.PROFIEL_VERGELIJKBAAR),
        url_store(ids.PROFIEL_URL, URL_CONTROLS),
    ])


url_state(ids.PROFIEL_URL, URL_CONTROLS)


follow_gemeente(ids.PROFIEL_GEMEENTE, ids.PROFIEL_WIJK, WIJK)


@callback(
    Output(ids.PROFIEL_TITEL, "children"),
    Output(ids.PROFIEL_GRAFIEK, "figure"),
    Output(ids.PROFIEL_TABEL_BLOK, "children"),
    Output(ids.PROFIEL_TRENDS, "children"),
    Output(ids.PROFIEL_CONTEXT, "children"),
    Input(ids.PROFIEL_WIJK, "value"),
    Input(ids.PROFIEL_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def update_view(wijk: str, peildatum: str) -> tuple:
    """Redraw for the chosen wijk and peildatum."""
    titel, figure, _rows, table, trends, context = _view(wijk, peildatum)
    return titel, figure, table, trends, context


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


# ---- Vergelijkbare wijken (issue 12): the wijk against wijken like it, beside the city and its nulmeting ----

def similar_block(wijk: str, peildatum_iso: str) -> html.Div:
    """The wijk's similar wijken (named, with distance) and per indicator the wijk, its nulmeting, the city, the
    reference value of the similar wijken and each similar wijk's own value."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    naam = data.area_name(wijk) or wijk
    buren = vergelijken.similar_wijken(data, wijk, peildatum)
    kop = html.H2(f"{naam} naast vergelijkbare wijken", className="h5 mt-3")
    if not buren:
        return html.Div([kop, html.P("Voor deze wijk en peildatum zijn geen vergelijkbare wijken bepaald (onvoldoende "
                                     "gegevens over bevolking of kenmerken).", className="small")])
    gebruikt = ", ".join(vergelijken.kenmerk_label(k).lower() for k in buren[0]["kenmerken"].split(", "))
    columns = [Column("naam", "Indicator"), Column("wijk", naam), Column("nulmeting", "Wijk bij nulmeting"),
               Column("gemeente", "Gemeente"), Column("referentie", "Vergelijkbare wijken (gemiddelde)")]
    columns += [Column(b["wijkcode"], b["naam"]) for b in buren]
    rows = vergelijken.reference_rows(data, wijk, peildatum)
    unused = vergelijken.unused_kenmerken(data, peildatum)
    return html.Div([
        kop,
        html.P([f"De {len(buren)} wijken die het meest op {naam} lijken naar {gebruikt} (afstand tussen haakjes; "
                "kleiner is meer gelijk): ",
                ", ".join(f"{b['naam']} ({display_number(b['afstand'], 2)})" for b in buren), ". ",
                dcc.Link("Vergelijk op Wijken vergelijken",
                         href=f"/wijken?gebied={vergelijken.ZOALS}{wijk}&peildatum={peildatum.isoformat()}")],
               className="small"),
        html_table(ids.PROFIEL_VERGELIJKBAAR_TABEL, columns, rows,
                   f"{naam}, de gemeente en vergelijkbare wijken op {format_date(peildatum)}"),
        html.P("Het gemiddelde van de vergelijkbare wijken is ongewogen; een wijk met onvoldoende waarnemingen telt niet "
               "mee, en dat staat erbij.", className="small"),
        html.P("Niet meegeteld in de gelijkenis (niet voor elke wijk bekend, of overal gelijk): "
               + ", ".join(label.lower() for label in unused) + ".", className="small") if unused else None,
    ])


@callback(
    Output(ids.PROFIEL_VERGELIJKBAAR, "children"),
    Input(ids.PROFIEL_WIJK, "value"),
    Input(ids.PROFIEL_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def update_similar(wijk: str, peildatum: str) -> html.Div:
    """Redraw the similar wijken for the chosen wijk and peildatum."""
    return similar_block(wijk, peildatum)
