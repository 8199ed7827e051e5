"""Geld per wijk: costs per inhabitant on a map and in a ranking, the breakdown by wet, realisation against
budget and taakstelling, and costs beside an outcome indicator across wijken (dashboard/geld.py)."""

from __future__ import annotations

from datetime import date

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, callback, html

from dashboard import ids, vergelijken
from dashboard.components import (
    CITY_COLOUR,
    SUPPRESSED_GREY,
    Column,
    attribution,
    base_figure,
    dropdown,
    graph,
    guarded,
    html_table,
    indicator_options,
    labelled,
    map_config,
    message,
    peildatum_options,
    settings_note,
    store,
)
from core import eenheid, niveau as niveaus
from dashboard.data import Published
from dashboard.format import INSUFFICIENT_DATA_TEXT, SUPPRESSED_TEXT, format_date
from dashboard.geld import (
    GEEN_KOSTEN, TOTAAL, WET_NAMEN, euro, figure_text, heeft_kosten, kosten, kosten_naast, kosten_peildata, nowrap,
    realisatie, wijk_kosten,
)

dash.register_page(__name__, path="/geld", name="Geld per wijk", title="Geld per wijk · Wijkmonitor", order=6)

# sequential purples (ColorBrewer), colour-blind safe; costs have no 'better' direction. The lightest step stays
# visible against the white page, and grey borders keep light wijken apart.
PURPLES = [[0.0, "#dadaeb"], [0.5, "#9e9ac8"], [1.0, "#3f007d"]]
BORDER = {"color": "#6b6b6b", "width": 0.6}
EURO_TICKS = ",.0f"
BEGROTING_COLOUR = "#e66101"
REALISATIE_COLOUR = "#5e3c99"


def _hover(rows: pl.DataFrame) -> list[str]:
    return [f"<b>{r['gebiedsnaam']}</b><br>Per inwoner: {figure_text(r, 'kosten_per_inwoner')}"
            f"<br>Per cliënt: {figure_text(r, 'kosten_per_client')}" for r in rows.iter_rows(named=True)]


def map_figure(data: Published, rows: pl.DataFrame) -> go.Figure:
    """Choropleth of the cost per inhabitant; wijken without a figure grey."""
    shown = rows.filter(pl.col("kosten_per_inwoner").is_not_null())
    hidden = rows.filter(pl.col("kosten_per_inwoner").is_null())
    figure = go.Figure()
    if hidden.height:
        figure.add_trace(go.Choropleth(
            geojson=data.geojson_of(hidden["gebiedcode"].to_list()), locations=hidden["gebiedcode"].to_list(),
            z=[0] * hidden.height,
            colorscale=[[0, SUPPRESSED_GREY], [1, SUPPRESSED_GREY]], showscale=False, name=SUPPRESSED_TEXT,
            text=_hover(hidden), hovertemplate="%{text}<extra></extra>", marker_line=BORDER))
    if shown.height:
        figure.add_trace(go.Choropleth(
            geojson=data.geojson_of(shown["gebiedcode"].to_list()), locations=shown["gebiedcode"].to_list(),
            z=shown["kosten_per_inwoner"].to_list(),
            colorscale=PURPLES, name="Kosten per inwoner", text=_hover(shown), hovertemplate="%{text}<extra></extra>",
            marker_line=BORDER,
            # a horizontal scale under the map leaves the map the full width on a phone
            colorbar={"title": {"text": "€ per inwoner", "side": "top"}, "thickness": 12, "tickformat": EURO_TICKS,
                      "orientation": "h", "y": -0.02, "yanchor": "top", "len": 0.9}))
    figure.update_geos(fitbounds="locations", visible=False)
    base_figure(figure, height=460)
    figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return figure


def ranking_figure(rows: pl.DataFrame, city: dict | None) -> go.Figure:
    """Horizontal bars, highest cost per inhabitant on top, the gemeente as a dashed line."""
    shown = rows.filter(pl.col("kosten_per_inwoner").is_not_null())
    figure = go.Figure(go.Bar(
        x=shown["kosten_per_inwoner"].to_list(), y=shown["gebiedsnaam"].to_list(), orientation="h",
        marker={"color": REALISATIE_COLOUR}, text=[euro(v) for v in shown["kosten_per_inwoner"]],
        textposition="auto", hovertext=_hover(shown), hovertemplate="%{hovertext}<extra></extra>"))
    if city is not None and city.get("kosten_per_inwoner") is not None:
        figure.add_vline(x=city["kosten_per_inwoner"], line={"color": CITY_COLOUR, "dash": "dash", "width": 2},
                         annotation_text=f"Gemeente: {euro(city['kosten_per_inwoner'])}",
                         annotation_position="top")  # above the bars, never over a label
    base_figure(figure, height=max(300, 28 * shown.height + 80))
    figure.update_layout(showlegend=False, margin={"t": 36}, yaxis={"autorange": "reversed", "automargin": True},
                         xaxis={"title": {"text": "€ per inwoner"}, "tickformat": EURO_TICKS, "rangemode": "tozero"})
    return figure


def budget_figure(frame: pl.DataFrame, wet: str) -> go.Figure:
    """Realisation and budget per year for one wet (and the budget minus the taakstelling where one is set)."""
    rows = frame.filter(pl.col("wet") == wet).sort("jaar")
    jaren = rows["jaar"].to_list()
    figure = go.Figure()
    figure.add_trace(go.Bar(x=jaren, y=rows["realisatie"].to_list(), name="Realisatie", marker={"color": REALISATIE_COLOUR}))
    figure.add_trace(go.Scatter(x=jaren, y=rows["begroting"].to_list(), name="Begroting", mode="lines+markers",
                                line={"color": BEGROTING_COLOUR, "width": 3}, marker={"symbol": "diamond", "size": 9}))
    doel = [b - t if b is not None and t is not None else None for b, t in zip(rows["begroting"], rows["taakstelling"])]
    if any(d is not None for d in doel):
        figure.add_trace(go.Scatter(x=jaren, y=doel, name="Begroting min taakstelling", mode="lines+markers",
                                    line={"color": CITY_COLOUR, "dash": "dash", "width": 2}, marker={"symbol": "x", "size": 9}))
    base_figure(figure, height=360)
    figure.update_layout(yaxis={"title": {"text": "euro"}, "tickformat": EURO_TICKS, "rangemode": "tozero"},
                         xaxis={"title": {"text": "jaar"}, "dtick": 1})
    return figure


GEKOZEN, BUUR = "gekozen wijk", "vergelijkbare wijk"
# the roles in the scatter: colour-blind-safe colours (PuOr ends) and, so colour is never the only cue, their own
# marker shape, size and a name label; the other wijken stay light circles
ROLE_STYLE = {
    GEKOZEN: {"color": BEGROTING_COLOUR, "symbol": "star", "size": 18, "line": {"color": "#000000", "width": 1}},
    BUUR: {"color": REALISATIE_COLOUR, "symbol": "diamond", "size": 13, "line": {"color": "#000000", "width": 1}},
}
OTHER_STYLE = {"color": "#b2abd2", "symbol": "circle", "size": 9, "line": {"color": "#6b6b6b", "width": 0.6}}


def scatter_figure(rows: list[dict], y_title: str) -> go.Figure:
    """Cost per inhabitant (x) against the outcome indicator (y), one point per wijk with both figures; a chosen
    wijk (star) and its similar wijken (diamonds) named and in the legend, the other wijken as light circles
    (named too when no wijk is chosen)."""
    both = [r for r in rows if r["kosten_per_inwoner"] is not None and r["uitkomst"] is not None]
    marking = any(r.get("rol") for r in both)
    figure = go.Figure()
    groups = [("Overige wijken" if marking else "Wijken", None, OTHER_STYLE if marking else
               {"color": REALISATIE_COLOUR, "size": 10, "symbol": "circle"}),
              ("Vergelijkbare wijken", BUUR, ROLE_STYLE[BUUR]), ("Gekozen wijk", GEKOZEN, ROLE_STYLE[GEKOZEN])]
    for name, rol, style in groups:  # the marked ones last, so they are drawn on top
        points = [r for r in both if (r.get("rol") or None) == rol]
        if not points:
            continue
        labelled = rol is not None or not marking
        figure.add_trace(go.Scatter(
            x=[r["kosten_per_inwoner"] for r in points], y=[r["uitkomst"] for r in points],
            mode="markers+text" if labelled else "markers", name=name, marker=style,
            text=[r["gebiedsnaam"] for r in points], textposition="top center",
            textfont={"color": "#000000"} if rol else None,
            hovertemplate="%{text}<br>€ %{x:,.0f} per inwoner<br>%{y}<extra></extra>"))
    base_figure(figure, height=420)
    figure.update_layout(xaxis={"title": {"text": "€ per inwoner"}, "tickformat": EURO_TICKS},
                         yaxis={"title": {"text": y_title}}, showlegend=marking)
    return figure


def scatter_roles(data: Published, rows: list[dict], wijk: str | None, peildatum: date) -> tuple[list[dict], str]:
    """The scatter rows with their role ('gekozen wijk', 'vergelijkbare wijk' or '') and, in words, which wijken
    are marked and which of them have no point (no published figure)."""
    buren = vergelijken.similar_wijken(data, wijk, peildatum) if wijk else []
    rol = {b["wijkcode"]: BUUR for b in buren} | ({wijk: GEKOZEN} if wijk else {})
    marked = [r | {"rol": rol.get(r["gebiedcode"], "")} for r in rows]
    if not wijk:
        return marked, ""
    naam = data.area_name(wijk) or wijk
    if not buren:
        return marked, f"Voor {naam} zijn op deze peildatum geen vergelijkbare wijken bepaald; alleen {naam} is gemarkeerd (ster)."
    by_code = {r["gebiedcode"]: r for r in rows}
    zonder = [data.area_name(c) or c for c in [wijk, *(b["wijkcode"] for b in buren)]
              if by_code.get(c) is None or by_code[c]["kosten_per_inwoner"] is None or by_code[c]["uitkomst"] is None]
    text = (f"Gemarkeerd: {naam} (ster) en de {len(buren)} wijken die er het meest op lijken (ruit): "
            f"{', '.join(b['naam'] for b in buren)}.")
    if zonder:
        text += f" Zonder punt (geen gepubliceerd cijfer): {', '.join(zonder)}."
    return marked, text


WIJK_COLUMNS = [
    Column("gebiedsnaam", "Wijk"), Column("gebiedsnaam_gebied", "Gebied"),
    Column("kosten_per_inwoner_tekst", "Kosten per inwoner"), Column("kosten_per_client_tekst", "Kosten per cliënt"),
    Column("bedrag_tekst", "Kosten in de 12 maanden voor de peildatum"), Column("clienten", "Cliënten", 0),
    Column("inwoners", "Inwoners", 0),
]
WET_COLUMNS = [Column("wet_naam", "Wet"), Column("bedrag_tekst", "Kosten"), Column("kosten_per_inwoner_tekst", "Per inwoner"),
               Column("kosten_per_client_tekst", "Per cliënt"), Column("clienten", "Cliënten", 0)]
BUDGET_COLUMNS = [Column("jaar_tekst", "Jaar"), Column("realisatie_tekst", "Realisatie"), Column("begroting_tekst", "Begroting"),
                  Column("verschil_tekst", "Begroting min realisatie"), Column("taakstelling_tekst", "Taakstelling"),
                  Column("gehaald_tekst", "Taakstelling gehaald")]


def _texts(row: dict) -> dict:
    """A cost row with its figures as shown."""
    return row | {"kosten_per_inwoner_tekst": figure_text(row, "kosten_per_inwoner"),
                  "kosten_per_client_tekst": figure_text(row, "kosten_per_client"),
                  "bedrag_tekst": figure_text(row, "bedrag"), "wet_naam": WET_NAMEN.get(row["wet"], row["wet"])}


def budget_rows(frame: pl.DataFrame, wet: str) -> list[dict]:
    """The budget table's rows for one wet."""
    rows = []
    for r in frame.filter(pl.col("wet") == wet).sort("jaar").iter_rows(named=True):
        gehaald = "–" if r["gehaald"] is None else "ja" if r["gehaald"] else "nee"
        rows.append({"jaar_tekst": str(r["jaar"]), "realisatie_tekst": euro(r["realisatie"]),
                     "begroting_tekst": euro(r["begroting"]), "verschil_tekst": euro(r["verschil"]),
                     "taakstelling_tekst": euro(r["taakstelling"]), "gehaald_tekst": gehaald})
    return rows


def _summary(data: Published, rows: pl.DataFrame, city: dict | None, peildatum: date, wet: str) -> str:
    """The map and ranking in words."""
    shown = rows.filter(pl.col("kosten_per_inwoner").is_not_null()).to_dicts()
    parts = [f"Kosten per inwoner ({WET_NAMEN[wet]}) in de twaalf maanden voor {format_date(peildatum)}."]
    if city is not None:
        parts.append(f"Gemeente: {figure_text(city, 'kosten_per_inwoner')} per inwoner, "
                     f"{figure_text(city, 'kosten_per_client')} per cliënt.")
    if len(shown) >= 2:
        parts.append(f"Hoogst: {shown[0]['gebiedsnaam']} ({euro(shown[0]['kosten_per_inwoner'])}); laagst: "
                     f"{shown[-1]['gebiedsnaam']} ({euro(shown[-1]['kosten_per_inwoner'])}).")
    missing = [r["gebiedsnaam"] for r in rows.filter(pl.col("kosten_per_inwoner").is_null()).iter_rows(named=True)]
    if missing:
        parts.append(f"Zonder cijfer ({SUPPRESSED_TEXT} of {INSUFFICIENT_DATA_TEXT}): {', '.join(missing)}.")
    return " ".join(parts)


def content(peildatum_iso: str, wet: str, indicator: str, wijk: str | None = None) -> list:
    """Everything below the controls for the chosen peildatum, wet, outcome indicator and marked wijk."""
    data = store()
    peildata = kosten_peildata(data)
    peildatum = next((p for p in peildata if p.isoformat() == peildatum_iso), peildata[-1])
    wet = wet if wet in WET_NAMEN else TOTAAL
    meta = data.indicators.get(indicator) or next(iter(data.indicators.values()))
    rows = wijk_kosten(data, peildatum, wet)
    code, naam = data.gemeente()
    city_frame = kosten(data, peildatum, niveaus.GEMEENTE, wet, code)
    city = city_frame.row(0, named=True) if city_frame.height else None
    per_wet = [_texts(r) for r in data.tables["kosten"].filter(
        (pl.col("peildatum") == peildatum) & (pl.col("gebiedcode") == code)).iter_rows(named=True)]
    per_wet.sort(key=lambda r: list(WET_NAMEN).index(r["wet"]) if r["wet"] in WET_NAMEN else 99)
    budget = realisatie(data)
    wijk = wijk if wijk and data.area_name(wijk) else None
    scatter, marked_text = scatter_roles(
        data, [_texts(r) for r in kosten_naast(data, rows, meta.indicator, peildatum).iter_rows(named=True)],
        wijk, peildatum)
    scatter_columns = [Column("gebiedsnaam", "Wijk"), Column("kosten_per_inwoner_tekst", "Kosten per inwoner"),
                       Column("uitkomst_tekst", meta.naam)] + ([Column("rol", "Gemarkeerd")] if wijk else [])
    if wijk:  # the marked wijken first in the table, in the order of the legend
        scatter.sort(key=lambda r: {GEKOZEN: 0, BUUR: 1}.get(r["rol"], 2))
    budget_block = (
        [graph(ids.GELD_BEGROTING, budget_figure(budget, wet),
               f"Realisatie tegen begroting per jaar ({WET_NAMEN[wet]}); de bedragen staan in de tabel hieronder."),
         html_table(ids.GELD_BEGROTING_TABEL, BUDGET_COLUMNS, budget_rows(budget, wet),
                    f"Realisatie tegen begroting en taakstelling per jaar ({WET_NAMEN[wet]})",
                    cells=nowrap("realisatie_tekst", "begroting_tekst", "verschil_tekst", "taakstelling_tekst")),
         html.P("Realisatie van jaar J: de kosten van de gemeente op peildatum 1 januari J+1 (de twaalf maanden van "
                "jaar J). De taakstelling is gehaald als de begroting min de realisatie minstens de taakstelling is; "
                "voor het totaal tellen daarbij alleen de wetten met een taakstelling.",
                className="small")]
        if budget.height else [html.P("Er is geen begroting ingesteld.")])
    budget_block.append(settings_note("de begroting en de taakstelling", ids.GELD_INSTELLINGEN))
    return [
        html.P(_summary(data, rows, city, peildatum, wet), id=ids.GELD_SAMENVATTING, className="samenvatting mt-2",
               **{"aria-live": "polite"}),
        html.Div([
            html.Div([html.H2("Kaart: kosten per inwoner", className="h5"),
                      graph(ids.GELD_KAART, map_figure(data, rows),
                            "Kaart van de kosten per inwoner per wijk; de bedragen staan in de tabel hieronder.", map_config()),
                      html.P("Donkerder is hogere kosten per inwoner; grijs: geen cijfer.", className="small"),
                      attribution()], className="col-12 col-lg-6"),
            html.Div([html.H2("Ranglijst", className="h5"),
                      graph(ids.GELD_RANGLIJST, ranking_figure(rows, city),
                            "Ranglijst van de wijken naar kosten per inwoner, hoogste bovenaan, met de gemeente als "
                            "stippellijn; de bedragen staan in de tabel hieronder.")], className="col-12 col-lg-6"),
        ], className="row"),
        html_table(ids.GELD_TABEL, WIJK_COLUMNS, [_texts(r) for r in rows.iter_rows(named=True)],
                   f"Kosten per wijk ({WET_NAMEN[wet]}) op {format_date(peildatum)}",
                   cells=nowrap("kosten_per_inwoner_tekst", "kosten_per_client_tekst", "bedrag_tekst")),
        html.H2(f"Naar wet: {naam}", className="h5 mt-3"),
        html_table(ids.GELD_WETTEN, WET_COLUMNS, per_wet, f"Kosten van de gemeente {naam} naar wet op {format_date(peildatum)}",
                   cells=nowrap("bedrag_tekst", "kosten_per_inwoner_tekst", "kosten_per_client_tekst")),
        html.H2("Realisatie tegen begroting", className="h5 mt-3"),
        *budget_block,
        html.H2(f"Kosten naast {meta.naam.lower()}", className="h5 mt-3"),
        html.P(marked_text, className="small", **{"aria-live": "polite"}) if marked_text else None,
        graph(ids.GELD_SPREIDING, scatter_figure(scatter, f"{meta.naam} ({eenheid.label(meta.eenheid)})"),
              f"Spreidingsdiagram: kosten per inwoner tegen {meta.naam.lower()} per wijk"
              + ("; de gekozen wijk als ster en haar vergelijkbare wijken als ruiten, met naam" if wijk else "")
              + "; de cijfers staan in de tabel hieronder."),
        html_table(ids.GELD_SPREIDING_TABEL, scatter_columns, scatter,
                   f"Kosten per inwoner en {meta.naam.lower()} per wijk op {format_date(peildatum)}"),
        html.P("Samenhang is geen oorzaak: wijken verschillen in bevolking en problematiek.", className="small"),
    ]


@guarded
def layout(peildatum: str | None = None, wet: str | None = None, id: str | None = None, wijk: str | None = None,
           **_: object) -> html.Div:
    """The page; ?peildatum=YYYY-MM-DD&wet=<wet>&id=<indicator>&wijk=<wijkcode> preselect the controls."""
    data = store()
    if not heeft_kosten(data):
        return html.Div([html.H1("Geld per wijk"), message(GEEN_KOSTEN, "info")])
    peildata = kosten_peildata(data)
    notices = []
    if peildatum is not None and peildatum not in {p.isoformat() for p in peildata}:
        notices.append(message(f"Peildatum '{peildatum}' komt niet voor; de laatste peildatum wordt getoond."))
        peildatum = None
    chosen = peildatum or peildata[-1].isoformat()
    wet = wet if wet in WET_NAMEN else TOTAAL
    indicator = id if data.indicator(id or "") else next(iter(data.indicators))
    wijken = vergelijken.zoals_candidates(data, wijk)
    if wijk is not None and wijk not in dict(wijken):
        notices.append(message(f"Wijk '{wijk}' heeft geen vergelijkbare wijken of is onbekend; er is geen wijk gemarkeerd."))
        wijk = None
    controls = html.Div([
        labelled("Peildatum", dropdown(ids.GELD_PEILDATUM, peildatum_options(peildata), chosen), ids.GELD_PEILDATUM),
        labelled("Wet", dropdown(ids.GELD_WET, [{"label": v, "value": k} for k, v in WET_NAMEN.items()], wet), ids.GELD_WET),
        labelled("Uitkomst naast de kosten", dropdown(ids.GELD_UITKOMST, indicator_options(data), indicator),
                 ids.GELD_UITKOMST),
        labelled("Wijk en vergelijkbare wijken markeren",
                 dropdown(ids.GELD_MARKEER, [{"label": "Geen", "value": ""}]
                          + [{"label": naam, "value": code} for code, naam in wijken], wijk or ""), ids.GELD_MARKEER),
    ], className="controls no-print")
    return html.Div([
        html.H1("Geld per wijk"), *notices, controls,
        html.P("Kosten van ondersteuning (Wmo, Jeugdwet) en bijstand (Participatiewet) in de twaalf maanden voor de "
               "peildatum, naar rato van de dagen van elke kostenregel in die periode. Een bedrag van minder dan vijf "
               "cliënten, of waarvan twee cliënten samen meer dan 85% uitmaken, wordt niet getoond (dominantieregel), "
               "net als een cijfer waaruit zo'n bedrag terug te rekenen is.", className="small"),
        html.Div(content(chosen, wet, indicator, wijk), id=ids.GELD_INHOUD),
    ])


@callback(Output(ids.GELD_INHOUD, "children"), Input(ids.GELD_PEILDATUM, "value"), Input(ids.GELD_WET, "value"),
          Input(ids.GELD_UITKOMST, "value"), Input(ids.GELD_MARKEER, "value"), prevent_initial_call=True)
def update(peildatum: str, wet: str, indicator: str, wijk: str | None) -> list:
    """Redraw everything for the new choice."""
    return content(peildatum, wet, indicator, wijk or None)
