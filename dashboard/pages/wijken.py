"""Wijken vergelijken: map, ranking with intervals and a sortable table for one indicator and peildatum."""

from __future__ import annotations

from datetime import date

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from core.status import AANVULLEND, ONVOLDOENDE_GEGEVENS
from dashboard import ids, vergelijken
from dashboard.components import (
    ALLE_GEBIEDEN,
    CITY_COLOUR,
    SUPPRESSED_GREY,
    Column,
    PAGE_SIZE,
    Pager,
    page_bounds,
    pager,
    pager_state,
    attribution,
    base_figure,
    download,
    download_buttons,
    dropdown,
    graph,
    guarded,
    html_table,
    indicator_options,
    labelled,
    map_config,
    merger_note,
    message,
    missing_text,
    parse_date,
    peildatum_options,
    status_badge,
    status_colour,
    status_style,
    store,
    url_state,
    url_store,
    value_text,
)
from dashboard.data import Indicator, Published
from dashboard.format import COMPLEMENTARY_TEXT, MISSING_TEXT, change_unit, display_number, format_signed, SUPPRESSED_TEXT, format_date, unit_label

dash.register_page(__name__, path="/wijken", name="Wijken vergelijken", title="Wijken vergelijken · Wijkmonitor", order=1)

# ColorBrewer Blues: light = worse, dark blue = better (reversed for 'lager is beter').
BLUES = "Blues"
URL_CONTROLS = {"id": ids.VERGELIJK_INDICATOR, "peildatum": ids.VERGELIJK_PEILDATUM, "gebied": ids.VERGELIJK_GEBIED}


def _wijken(data: Published, indicator: str, peildatum: date, gebied: str) -> pl.DataFrame:
    """The wijk rows shown: valid wijken on peildatum, optionally within one gebied, best first."""
    wijken = data.areas("wijk", peildatum).select("gebiedcode", pl.col("bovenliggend").alias("gebied"))
    if gebied.startswith(vergelijken.ZOALS):  # "wijken zoals <wijk>" (issue 12)
        wijken = wijken.filter(pl.col("gebiedcode").is_in(vergelijken.zoals_wijken(data, gebied, peildatum)))
    elif gebied != ALLE_GEBIEDEN:
        wijken = wijken.filter(pl.col("gebied") == gebied)
    rows = data.select(indicator=indicator, peildatum=peildatum, niveau="wijk").join(wijken, on="gebiedcode")
    names = data.areas("gebied", peildatum).select(pl.col("gebiedcode").alias("gebied"), pl.col("gebiedsnaam").alias("gebiedsnaam_gebied"))
    descending = not data.indicators[indicator].lager_is_beter
    # Ties by name and code: a page of the ranking must be the same slice on every request.
    return rows.join(names, on="gebied", how="left").sort(
        [pl.col("waarde").is_null(), pl.col("waarde"), pl.col("gebiedsnaam"), pl.col("gebiedcode")],
        descending=[False, descending, False, False], nulls_last=True)


def _city(data: Published, indicator: str, peildatum: date) -> dict | None:
    """The gemeente row for the reference line, or None."""
    code, _naam = data.gemeente()
    frame = data.select(indicator=indicator, peildatum=peildatum, gebiedcode=code)
    return frame.row(0, named=True) if frame.height else None


def _hover(rows: pl.DataFrame) -> list[str]:
    """Hover texts: name, value (or why it is missing), interval, status."""
    texts = []
    for row in rows.iter_rows(named=True):
        interval = f"<br>95%-interval: {row['interval_tekst']}" if row["interval_tekst"] else ""
        texts.append(f"<b>{row['gebiedsnaam']}</b><br>{missing_text(row) or row['waarde_tekst']}{interval}<br>Status: {row['status']}")
    return texts


def colour_range(data: Published, indicator: str, peildatum: date) -> tuple[float, float] | None:
    """The map's colour scale: every wijk of the gemeente on this peildatum, so a gebied filter keeps the colours."""
    values = data.select(indicator=indicator, peildatum=peildatum, niveau="wijk")["waarde"].drop_nulls()
    return (values.min(), values.max()) if values.len() else None


def map_figure(data: Published, meta: Indicator, rows: pl.DataFrame, scale: tuple[float, float] | None = None) -> go.Figure:
    """Choropleth of the wijk boundaries (no basemap) on a fixed colour scale; wijken without a figure in grey.

    The names are in the table and the profile links beside the map: labels on 20+ small wijken overlap."""
    shown = rows.filter(pl.col("waarde").is_not_null())
    hidden = rows.filter(pl.col("waarde").is_null())
    figure = go.Figure()
    if hidden.height:
        figure.add_trace(go.Choropleth(
            geojson=data.geojson_of(hidden["gebiedcode"].to_list()), locations=hidden["gebiedcode"].to_list(), z=[0] * hidden.height,
            colorscale=[[0, SUPPRESSED_GREY], [1, SUPPRESSED_GREY]], showscale=False, name=SUPPRESSED_TEXT,
            text=_hover(hidden), hovertemplate="%{text}<extra></extra>", marker_line={"color": "#ffffff", "width": 1},
        ))
    if shown.height:
        figure.add_trace(go.Choropleth(
            geojson=data.geojson_of(shown["gebiedcode"].to_list()), locations=shown["gebiedcode"].to_list(), z=shown["waarde"].to_list(),
            colorscale=BLUES, reversescale=meta.lager_is_beter, name=meta.naam,
            zmin=scale[0] if scale else None, zmax=scale[1] if scale else None, zauto=scale is None,
            text=_hover(shown), hovertemplate="%{text}<extra></extra>", marker_line={"color": "#ffffff", "width": 1},
            colorbar={"title": {"text": unit_label(meta.eenheid), "side": "right"}, "thickness": 14,
                      "tickformat": f",.{meta.decimalen}f"},
        ))
    figure.update_geos(fitbounds="locations", visible=False)
    base_figure(figure, height=460)
    figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, clickmode="event")
    return figure


def ranking_figure(meta: Indicator, rows: pl.DataFrame, city: dict | None) -> go.Figure:
    """Horizontal bars best-to-worst in their status colour, survey intervals as error bars, the city as a line.

    Each wijk's name stands above its bar (not beside the axis), so the bars keep the full width on a phone."""
    shown = rows.filter(pl.col("waarde").is_not_null())
    missing = rows.filter(pl.col("waarde").is_null())
    figure = go.Figure()
    error = None
    if meta.is_survey and shown.height:
        error = {"type": "data", "symmetric": False, "color": "#1a1a1a", "thickness": 1.5,
                 "array": (shown["ci_hoog"] - shown["waarde"]).to_list(),
                 "arrayminus": (shown["waarde"] - shown["ci_laag"]).to_list()}
    statuses = shown["status"].to_list()
    positions = list(range(shown.height))
    figure.add_trace(go.Bar(
        x=shown["waarde"].to_list(), y=[i + 0.18 for i in positions], width=0.5, orientation="h", error_x=error,
        marker={"color": [status_colour(st) for st in statuses], "line": {"color": "#595959", "width": 1}},
        text=shown["waarde_tekst"].to_list(), textposition="inside", insidetextanchor="start",
        textfont={"color": [status_style(st)[1] for st in statuses]},
        hovertext=_hover(shown), hovertemplate="%{hovertext}<extra></extra>", name=meta.naam,
    ))
    # One text trace for all names, not an annotation per wijk: plotly revalidates all annotations on every addition.
    labels = shown["gebiedsnaam"].to_list() + [f"{r['gebiedsnaam']}: {value_text(r)}" for r in missing.iter_rows(named=True)]
    figure.add_trace(go.Scatter(
        x=[0] * len(labels), y=[i - 0.3 for i in range(len(labels))], mode="text", text=labels,
        textposition="middle right", textfont={"color": "#1a1a1a", "size": 12}, hoverinfo="skip",
    ))
    if city is not None and city["waarde"] is not None:
        figure.update_layout(
            shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": city["waarde"], "x1": city["waarde"],
                     "y0": 0, "y1": 1, "line": {"color": CITY_COLOUR, "dash": "dash", "width": 2}}],
            annotations=[{"x": city["waarde"], "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
                          "text": f"Gemeente: {city['waarde_tekst']}", "font": {"size": 12}}],
        )
    base_figure(figure, height=max(300, 40 * len(labels) + 70))
    figure.update_layout(
        showlegend=False, margin={"l": 4, "r": 12, "t": 30, "b": 30}, uniformtext={"minsize": 10, "mode": "show"},
        yaxis={"autorange": "reversed", "showticklabels": False, "showgrid": False, "zeroline": False},
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


def _apart(candidate: dict, others: list[dict]) -> bool:
    """True when the candidate's 95%-interval lies entirely above, or entirely below, every other wijk's interval."""
    return (all(candidate["ci_laag"] > o["ci_hoog"] for o in others)
            or all(candidate["ci_hoog"] < o["ci_laag"] for o in others))


def extremes_text(meta: Indicator, shown: list[dict]) -> str:
    """Best and least good wijk, named only when that is a real difference.

    Survey figures are samples: a wijk is called the best (least good) only when its 95%-interval does not
    overlap the interval of any other wijk shown. Register figures are full counts: the highest and lowest are named."""
    if len(shown) < 2:
        return ""
    best, worst = shown[0], shown[-1]
    if not meta.is_survey:
        return (f"Gunstigste wijk: {best['gebiedsnaam']} ({best['waarde_tekst']}); minst gunstige: "
                f"{worst['gebiedsnaam']} ({worst['waarde_tekst']}) (volledige tellingen, geen steekproef).")
    parts = []
    for word, row in (("gunstigst", best), ("minst gunstig", worst)):
        others = [o for o in shown if o is not row]
        if row["ci_laag"] is not None and all(o["ci_laag"] is not None for o in others) and _apart(row, others):
            parts.append(f"{row['gebiedsnaam']} ({row['waarde_tekst']}) is significant het {word}: zijn 95%-interval "
                         f"({row['interval_tekst']}) overlapt met dat van geen enkele andere wijk.")
    if not parts:
        parts.append(f"Geen wijk is significant de gunstigste of de minst gunstige: de 95%-intervallen van de gunstigste "
                     f"({best['gebiedsnaam']}, {best['interval_tekst']}) en de minst gunstige ({worst['gebiedsnaam']}, "
                     f"{worst['interval_tekst']}) overlappen met die van andere wijken.")
    return " ".join(parts)


def _missing_summary(data: Published, rows: pl.DataFrame, peildatum: date) -> list[str]:
    """Wijken without a figure, grouped by why."""
    groups: dict[str, list[str]] = {}
    for row in rows.filter(pl.col("waarde").is_null()).iter_rows(named=True):
        groups.setdefault(missing_text(row), []).append(row["gebiedsnaam"])
    parts = [f"{why[0].upper()}{why[1:]}: {', '.join(names).rstrip('.')}." for why, names in groups.items()]
    joined = rows.filter(pl.col("gebiedcode").is_in(list(data.joined_since)))  # the few that can have a note
    merged = [row["gebiedsnaam"] for row in joined.iter_rows(named=True) if merger_note(data, row["gebiedcode"], peildatum)]
    if merged:
        parts.append(f"{', '.join(merged)}: {merger_note(data, rows.filter(pl.col('gebiedsnaam') == merged[0])['gebiedcode'][0], peildatum)}.")
    return parts


def _summary(data: Published, meta: Indicator, rows: pl.DataFrame, city: dict | None, peildatum: date) -> str:
    """The charts in words: best and worst when significant, city value, wijken without a figure."""
    shown = rows.filter(pl.col("waarde").is_not_null()).select(
        "gebiedsnaam", "waarde_tekst", "ci_laag", "ci_hoog", "interval_tekst").to_dicts()  # what extremes_text reads
    parts = [f"{meta.naam} op {format_date(peildatum)}."]
    if extremes_text(meta, shown):
        parts.append(extremes_text(meta, shown))
    if city is not None:
        parts.append(f"Gemeente: {value_text(city)}.")
    parts += _missing_summary(data, rows, peildatum)
    return " ".join(parts)


def profile_links(rows: list[dict]) -> list:
    """Real links to the profiles of the wijken shown: the keyboard twin of clicking the map."""
    links: list = ["Naar het wijkprofiel: "] if rows else []
    for i, row in enumerate(sorted(rows, key=lambda r: r["gebiedsnaam"])):
        code, naam = row["gebiedcode"], row["gebiedsnaam"]
        links += [" · "] if i else []
        links.append(dcc.Link(naam, href=f"/wijkprofiel?wijk={code}"))
    return links


def _if_known(key: str):
    """A cell showing the number only when the row has a value (the words stand in the value column)."""
    return lambda r: r[key] if r["waarde"] is not None and r.get(key) is not None else MISSING_TEXT


TABLE_CELLS = {
    "waarde": value_text, "status": lambda r: status_badge(r["status"]),
    "verschil_nulmeting": lambda r: format_signed(r["verschil_nulmeting"], r["_decimalen"]) if r["waarde"] is not None else MISSING_TEXT,
    "ci_laag": _if_known("ci_laag_tekst"), "ci_hoog": _if_known("ci_hoog_tekst"),
    "index_nulmeting": _if_known("index_tekst"),
}


def suppression_note(rows: list[dict]) -> html.P | None:
    """Why a wijk with enough observations can still read 'onvoldoende waarnemingen' (complementary suppression).

    With the store's `onderdrukking` column the wijken concerned are named; without it the rule is explained."""
    suppressed = [r for r in rows if r.get("onderdrukt")]
    if not suppressed:
        return None
    complementary = [r["gebiedsnaam"] for r in suppressed if r.get("onderdrukking") == AANVULLEND]
    if "onderdrukking" in suppressed[0] and not complementary:
        return None
    who = f"{', '.join(complementary)}: " if complementary else "Een wijk met genoeg waarnemingen kan toch "
    return html.P([who + ("" if complementary else "'onvoldoende waarnemingen' tonen: ") + COMPLEMENTARY_TEXT +
                   " uit de cijfers van de andere wijken en het gebied (aanvullende onderdrukking, zie ",
                   dcc.Link("Over de cijfers", href="/over#onderdrukking"), ")."], className="small")


def wijk_table(meta: Indicator, rows: list[dict], peildatum: date) -> html.Div:
    """The figures behind map and ranking as a plain table, with the complementary suppression explained."""
    shown = [r | {"_decimalen": meta.decimalen, "ci_laag_tekst": display_number(r["ci_laag"], meta.decimalen),
                  "ci_hoog_tekst": display_number(r["ci_hoog"], meta.decimalen)} for r in rows]
    columns = [Column(c.key, f"{c.header} ({change_unit(meta.eenheid)})", c.decimals) if c.key == "verschil_nulmeting" else c
               for c in table_spec(meta)]
    return html.Div([html_table(ids.VERGELIJK_TABEL, columns, shown, f"{meta.naam} per wijk op {format_date(peildatum)}",
                                cells=TABLE_CELLS), suppression_note(rows)])


def _view(indicator: str, peildatum_iso: str, gebied: str, page: int = 0) -> tuple[go.Figure, go.Figure, html.Div, list[dict], str]:
    """Everything the page shows for the chosen indicator, peildatum and gebied."""
    return _paged_view(indicator, peildatum_iso, gebied, page)[:5]


def _paged_view(indicator: str, peildatum_iso: str, gebied: str, page: int
                ) -> tuple[go.Figure, go.Figure, html.Div, list[dict], str, int]:
    """_view: map, ranking, table and links for one page of wijken, the summary for all of them; and how many
    wijken there are."""
    data = store()
    meta = data.indicators[indicator]
    peildatum = parse_date(peildatum_iso, data) or data.latest
    rows = _wijken(data, indicator, peildatum, gebied)
    city = _city(data, indicator, peildatum)
    shown = _page(rows, page)
    return (map_figure(data, meta, shown, colour_range(data, indicator, peildatum)), ranking_figure(meta, shown, city),
            wijk_table(meta, shown.to_dicts(), peildatum), shown.to_dicts(), _summary(data, meta, rows, city, peildatum),
            rows.height)


# Paging: all wijken of a country (3,300) are shown PAGE_SIZE at a time, best first as before;
# a city's wijken fit on one page and look as they always did.
WIJKEN_PAGINAS = Pager(ids.VERGELIJK_PAGINAS)


def _page(rows: pl.DataFrame, page: int) -> pl.DataFrame:
    """The wijken on one page of the ranked rows."""
    _page_number, start, stop = page_bounds(rows.height, page)
    return rows.slice(start, stop - start)


def _pager(total: int, page: int) -> html.Nav:
    return pager(WIJKEN_PAGINAS, total, page, "Wijken", "Pagina's met wijken",
                 f"Kaart, ranglijst en tabel tonen {PAGE_SIZE} wijken tegelijk, de gunstigste eerst; de samenvatting "
                 "en de downloads gaan over alle wijken.")


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
    gebieden += vergelijken.zoals_options(data, gebied)
    if gebied is not None and gebied not in {g["value"] for g in gebieden}:
        notices.append(message(f"Gebied '{gebied}' is onbekend; alle gebieden worden getoond."))
        gebied = None
    indicator = id if data.indicator(id or "") else next(iter(data.indicators))
    chosen = (parse_date(peildatum, data) or data.latest).isoformat()
    gebied = gebied or ALLE_GEBIEDEN
    map_fig, rank_fig, table, rows, summary, total = _paged_view(indicator, chosen, gebied, 0)
    controls = html.Div([
        labelled("Indicator", dropdown(ids.VERGELIJK_INDICATOR, indicator_options(data), indicator), ids.VERGELIJK_INDICATOR),
        labelled("Peildatum", dropdown(ids.VERGELIJK_PEILDATUM, peildatum_options(data.peildata), chosen),
                 ids.VERGELIJK_PEILDATUM),
        labelled("Gebied of wijken zoals …", dropdown(ids.VERGELIJK_GEBIED, gebieden, gebied), ids.VERGELIJK_GEBIED),
    ], className="controls no-print")
    if vergelijken.zoals_limited(data):  # a country: "wijken zoals" of the gemeente's wijken only (issue 12 at scale)
        controls.children.append(html.P(
            f"‘Wijken zoals …’ staat hier voor de wijken van {data.gemeente()[1]}; voor een andere wijk: de link "
            "‘Vergelijk op Wijken vergelijken’ in haar Wijkprofiel.", className="small w-100"))
    return html.Div([
        html.H1("Wijken vergelijken"),
        *notices,
        controls,
        html.P(summary, id=ids.VERGELIJK_SAMENVATTING, className="samenvatting mt-2", **{"aria-live": "polite"}),
        _pager(total, 0),
        html.Div([
            html.Div([
                html.H2("Kaart", className="h5"),
                graph(ids.VERGELIJK_KAART, map_fig, "Kaart van de wijken; de cijfers staan in de tabel hieronder.",
                      map_config()),
                html.P(["Grijs: geen cijfer (", SUPPRESSED_TEXT, f" of {ONVOLDOENDE_GEGEVENS}). Donkerblauw is gunstiger; de "
                        "kleuren gelden voor alle wijken op deze peildatum, ook als één gebied is gekozen. Klik op een "
                        "wijk voor het wijkprofiel."], className="small"),
                attribution(),
                html.Nav(profile_links(rows), id=ids.VERGELIJK_PROFIELEN, className="small no-print",
                         **{"aria-label": "Wijkprofielen"}),
            ], className="col-12 col-lg-6"),
            html.Div([
                html.H2("Ranglijst", className="h5"),
                graph(ids.VERGELIJK_RANGLIJST, rank_fig,
                      "Ranglijst van de wijken, gunstigste bovenaan, met 95%-intervallen bij enquêtecijfers en de "
                      "gemeente als stippellijn; de cijfers staan in de tabel hieronder."),
                html.P("Kleur van de staaf: de status van de wijk (zie de tabel); zwarte streepjes: 95%-interval.",
                       className="small"),
            ], className="col-12 col-lg-6"),
        ], className="row"),
        html.H2("Tabel", className="h5 mt-3"),
        html.Div(table, id=ids.VERGELIJK_KAARTTABEL),
        download_buttons(ids.VERGELIJK_DOWNLOAD_CSV, ids.VERGELIJK_DOWNLOAD_XLSX, ids.VERGELIJK_DOWNLOAD, "tabel"),
        dcc.Location(id=ids.VERGELIJK_NAVIGATIE, refresh="callback-nav"),
        url_store(ids.VERGELIJK_URL, URL_CONTROLS),
    ])


url_state(ids.VERGELIJK_URL, URL_CONTROLS)


@callback(
    Output(ids.VERGELIJK_KAART, "figure"),
    Output(ids.VERGELIJK_RANGLIJST, "figure"),
    Output(ids.VERGELIJK_KAARTTABEL, "children"),
    Output(ids.VERGELIJK_SAMENVATTING, "children"),
    Output(ids.VERGELIJK_PROFIELEN, "children"),
    *WIJKEN_PAGINAS.outputs(),
    Input(ids.VERGELIJK_INDICATOR, "value"),
    Input(ids.VERGELIJK_PEILDATUM, "value"),
    Input(ids.VERGELIJK_GEBIED, "value"),
    *WIJKEN_PAGINAS.inputs(),
    State(WIJKEN_PAGINAS.page, "data"),
    prevent_initial_call=True,
)
def update_view(indicator: str, peildatum: str, gebied: str, _previous: int | None, _next: int | None,
                page: int | None) -> tuple:
    """Redraw map, ranking, table and summary (on the first page after another choice)."""
    page = WIJKEN_PAGINAS.turned(page)
    map_fig, rank_fig, table, rows, summary, total = _paged_view(indicator, peildatum, gebied, page)
    return map_fig, rank_fig, table, summary, profile_links(rows), *pager_state(total, page, "Wijken")


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
