"""Indicator: the trend per area since the nulmeting, with corridor, targets, significance and definition."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, State, callback, html
from plotly.subplots import make_subplots

from core.status import BINNEN_MARGE, BUITEN_MARGE, GELIJK_GEBLEVEN, ONVOLDOENDE_GEGEVENS, VERBETERD
from dashboard import ids
from dashboard.components import (
    AREA_COLOURS,
    STATUS_MARKER,
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
    indicator_options,
    labelled,
    merger_note,
    message,
    missing_text,
    status_badge,
    status_marker,
    store,
    url_state,
    url_store,
    value_text,
)
from dashboard.data import Indicator, Published
from dashboard.definitions import explanation
from dashboard.format import (
    MISSING_TEXT,
    change_unit,
    display_number,
    format_date,
    format_signed,
    format_value,
    unit_label,
)

dash.register_page(__name__, path="/indicator", name="Indicator", title="Indicator · Wijkmonitor", order=2)

CORRIDOR_FILL = "rgba(253, 212, 158, 0.65)"
NULMETING_COLOUR = "#a63603"
GEEN = "geen"  # the 'no comparison' choice (a select shows an empty value as blank)
GEEN_OPTIE = ({"label": "geen", "value": GEEN},)
URL_CONTROLS = {"id": ids.INDICATOR_KEUZE, "gebied": ids.INDICATOR_GEBIEDEN, "vergelijk": ids.INDICATOR_VERGELIJK}


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


def _targets(data: Published, indicator: str) -> pl.DataFrame:
    """The streefwaarden of one indicator, by peildatum."""
    return data.tables["streefwaarden"].filter(pl.col("indicator") == indicator).sort("peildatum")


def trend_figure(data: Published, meta: Indicator, rows: pl.DataFrame, areas: list[str]) -> go.Figure:
    """One panel per area (small multiples): its corridor as a band from its own nulmeting (dotted) to the
    boundary, its values with markers in status colour and symbol, survey intervals, targets for the gemeente."""
    shown = [code for code in areas if rows.filter(pl.col("gebiedcode") == code).height]
    names = [rows.filter(pl.col("gebiedcode") == code)["gebiedsnaam"][0] for code in shown]
    figure = make_subplots(rows=max(len(shown), 1), cols=1, shared_xaxes=True, vertical_spacing=0.09,
                           subplot_titles=names or None)
    gemeente, _naam = data.gemeente()
    targets = _targets(data, meta.indicator)
    for i, code in enumerate(shown, start=1):
        area = rows.filter(pl.col("gebiedcode") == code)
        x = area["peildatum"].to_list()
        nul = area.filter(pl.col("peildatum") == data.nulmeting)["waarde"].first()
        if nul is not None:
            figure.add_trace(go.Scatter(x=x, y=[nul] * len(x), mode="lines", hoverinfo="skip", showlegend=False,
                                        line={"color": NULMETING_COLOUR, "dash": "dot", "width": 1.5}), row=i, col=1)
            figure.add_trace(go.Scatter(x=x, y=area["marge_grens"].to_list(), mode="lines", fill="tonexty", hoverinfo="skip",
                                        fillcolor=CORRIDOR_FILL, line={"color": NULMETING_COLOUR, "width": 1}, showlegend=False),
                             row=i, col=1)
        error = None
        if meta.is_survey:
            error = {"type": "data", "symmetric": False, "color": "#4d4d4d", "thickness": 1,
                     "array": (area["ci_hoog"] - area["waarde"]).to_list(), "arrayminus": (area["waarde"] - area["ci_laag"]).to_list()}
        hover = [
            f"<b>{r['gebiedsnaam']}</b><br>{format_date(r['peildatum'])}: {missing_text(r) or r['waarde_tekst']}"
            + (f"<br>95%-interval: {r['interval_tekst']}" if r["interval_tekst"] else "")
            + (f"<br>{r['significantie']} t.o.v. nulmeting" if r["significantie"] else "") + f"<br>Status: {r['status']}"
            for r in area.iter_rows(named=True)
        ]
        figure.add_trace(go.Scatter(
            x=x, y=area["waarde"].to_list(), mode="lines+markers", name=names[i - 1], showlegend=False,
            line={"color": AREA_COLOURS[(i - 1) % len(AREA_COLOURS)], "width": 2}, marker=status_marker(area["status"].to_list()),
            error_y=error, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", connectgaps=False,
        ), row=i, col=1)
        if code == gemeente and targets.height:
            figure.add_trace(go.Scatter(
                x=targets["peildatum"].to_list(), y=targets["streefwaarde"].to_list(), mode="markers", name="Streefwaarde",
                marker={"symbol": "diamond-open", "size": 13, "color": "#1a1a1a", "line": {"width": 2}}, showlegend=False,
                hovertext=[f"Streefwaarde {format_date(p)}: {format_value(v, meta.eenheid, meta.decimalen)}"
                           for p, v in targets.select("peildatum", "streefwaarde").iter_rows()],
                hovertemplate="%{hovertext}<extra></extra>",
            ), row=i, col=1)
        figure.update_yaxes(title={"text": unit_label(meta.eenheid)}, tickformat=f",.{meta.decimalen}f", row=i, col=1)
    base_figure(figure, height=90 + 230 * max(len(shown), 1))
    years = [str(p.year) for p in data.peildata]
    figure.update_xaxes(tickvals=data.peildata, ticktext=years)  # plotly turns the labels when they would overlap
    figure.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False)
    return figure


def legend_text(data: Published, meta: Indicator, rows: pl.DataFrame) -> str:
    """What the chart draws, and only that."""
    parts = ["Eén paneel per gebied. Band: de corridor (toegestane tijdelijke verslechtering) tussen de stippellijn "
             "van de eigen nulmeting en de grens."]
    symbols = {VERBETERD: "driehoek omhoog", GELIJK_GEBLEVEN: "rondje", BINNEN_MARGE: "ruit",
               BUITEN_MARGE: "driehoek omlaag", ONVOLDOENDE_GEGEVENS: "open rondje"}
    present = [s for s in symbols if s in set(rows["status"].to_list()) and s in STATUS_MARKER]
    if present:
        parts.append("Punten in de kleur van hun status: " + "; ".join(f"{symbols[s]}: {s}" for s in present) + ".")
    if meta.is_survey:
        parts.append("Streepjes: 95%-interval (enquête).")
    gemeente, _naam = data.gemeente()
    if _targets(data, meta.indicator).height and gemeente in rows["gebiedcode"].to_list():
        parts.append("Open ruit (bij de gemeente): streefwaarde.")
    return " ".join(parts)


def table_spec(meta: Indicator) -> list[Column]:
    """Columns of the trend table and its download; every header says one thing."""
    columns = [Column("gebiedsnaam", "Gebied"), Column("peildatum_tekst", "Peildatum"),
               Column("waarde", f"Waarde ({unit_label(meta.eenheid)})", meta.decimalen)]
    if meta.is_survey:
        columns += [Column("ci_laag", "Interval ondergrens", meta.decimalen), Column("ci_hoog", "Interval bovengrens", meta.decimalen),
                    Column("significantie", "Significant anders dan nulmeting")]
    columns += [Column("verschil_nulmeting", f"Verschil t.o.v. nulmeting ({change_unit(meta.eenheid)})", meta.decimalen, MISSING_TEXT),
                Column("index_nulmeting", "Index (nulmeting = 100)", 1, MISSING_TEXT), Column("status", "Status"),
                Column("marge_grens", "Grens corridor", meta.decimalen, "–"), Column("streefwaarde", "Streefwaarde", meta.decimalen, "–")]
    return columns


def _known(key: str, decimals: int):
    """A number cell shown only for rows with a value (the value cell says why one is missing)."""
    return lambda r: display_number(r[key], decimals) if r["waarde"] is not None and r[key] is not None else MISSING_TEXT


def trend_table(meta: Indicator, rows: list[dict]) -> html.Div:
    """The chart's figures as a plain table."""
    cells = {"waarde": value_text, "status": lambda r: status_badge(r["status"]),
             "ci_laag": _known("ci_laag", meta.decimalen), "ci_hoog": _known("ci_hoog", meta.decimalen),
             "index_nulmeting": _known("index_nulmeting", 1),
             "verschil_nulmeting": lambda r: format_signed(r["verschil_nulmeting"], meta.decimalen) if r["waarde"] is not None else MISSING_TEXT}
    return html_table(ids.INDICATOR_TABEL, table_spec(meta), rows, f"{meta.naam} per gebied en peildatum", cells=cells)


def _suppression_note(data: Published, rows: pl.DataFrame) -> str:
    """Which areas and peildata have no figure and why; areas that joined the gemeente later."""
    hidden = rows.filter(pl.col("waarde").is_null())
    parts = []
    if hidden.is_empty():
        parts.append("Alle getoonde cijfers zijn gebaseerd op voldoende waarnemingen.")
    else:
        groups: dict[str, list[str]] = {}
        for r in hidden.iter_rows(named=True):
            groups.setdefault(missing_text(r), []).append(f"{r['gebiedsnaam']} ({format_date(r['peildatum'])})")
        parts += [f"{why[0].upper()}{why[1:]} (niet getoond): {'; '.join(items)}." for why, items in groups.items()]
    for code in rows["gebiedcode"].unique(maintain_order=True).to_list():
        note = merger_note(data, code, data.peildata[0])
        if note:
            parts.append(f"{data.area_name(code)} {note}.")
    return " ".join(parts)


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
        columns += [Column("ci_laag", "Interval ondergrens", meta.decimalen, "–"),
                    Column("ci_hoog", "Interval bovengrens", meta.decimalen, "–"), Column("n", "Aantal respondenten", 0, "–")]
    return html.Div([html.H2(f"Uitsplitsing op {format_date(data.latest)}", className="h5 mt-3"),
                     html_table(ids.INDICATOR_UITSPLITSING, columns, rows.to_dicts(),
                                f"{meta.naam} per {rows['uitsplitsing'][0]} op {format_date(data.latest)}")])


def _areas(data: Published, gebied: str | None, vergelijk: str | None) -> list[str]:
    """The chosen area's gemeente, then the chosen area and the comparison, each once."""
    areas = [data.gemeente_of(gebied or "") or data.gemeente()[0]]
    for code in (gebied, vergelijk):
        if code and code != GEEN and code not in areas:
            areas.append(code)
    return areas


def _view(indicator: str, areas: list[str]) -> tuple[go.Figure, html.Div, str, str, html.Dl, str, html.Div]:
    """Figure, table, notes, legend, explanation and breakdown for one indicator and the chosen areas."""
    data = store()
    meta = data.indicators[indicator]
    rows = _rows(data, indicator, areas)
    return (trend_figure(data, meta, rows, areas), trend_table(meta, rows.to_dicts()), _suppression_note(data, rows),
            legend_text(data, meta, rows), explanation(data, meta), meta.naam, breakdown(data, meta, areas))


@guarded
def layout(id: str | None = None, gebied: str | None = None, vergelijk: str | None = None, **_: object) -> html.Div:
    """The page; ?id=<indicator>&gebied=<code>&vergelijk=<code> preselect indicator and areas."""
    data = store()
    notices = []
    if id is not None and data.indicator(id) is None:
        notices.append(message(f"Indicator '{id}' bestaat niet. Kies hieronder een indicator."))
    gemeente, _naam = data.gemeente()
    for name, value in (("Gebied", gebied), ("Vergelijkingsgebied", vergelijk)):
        if value and value != GEEN and data.gemeente_of(value) is None:
            notices.append(message(f"{name} '{value}' is onbekend; de gemeente wordt getoond."))
    gebied = gebied if data.gemeente_of(gebied or "") else gemeente
    vergelijk = vergelijk if data.gemeente_of(vergelijk or "") else GEEN
    gebied_gemeente = data.gemeente_of(gebied)
    indicator = id if data.indicator(id or "") else next(iter(data.indicators))
    figure, table, note, legend, text, naam, split = _view(indicator, _areas(data, gebied, vergelijk))
    return html.Div([
        html.H1(["Indicator: ", html.Span(naam, id=ids.INDICATOR_NAAM)]),
        *notices,
        html.Div([
            labelled("Indicator", dropdown(ids.INDICATOR_KEUZE, indicator_options(data), indicator), ids.INDICATOR_KEUZE),
            *area_choice(data, ids.INDICATOR_GEMEENTE, ids.INDICATOR_GEBIEDEN, "Gebied", gebied_gemeente, gebied),
            *area_choice(data, ids.INDICATOR_VERGELIJK_GEMEENTE, ids.INDICATOR_VERGELIJK, "Vergelijk met",
                         data.gemeente_of(vergelijk) or gebied_gemeente, vergelijk, first=GEEN_OPTIE,
                         gemeente_label="Gemeente voor vergelijking"),
        ], className="controls no-print"),
        html.Div([
            html.Div([
                graph(ids.INDICATOR_TREND, figure,
                      "Trend per gebied sinds de nulmeting met de corridor als band; de cijfers staan in de tabel hieronder."),
                html.P(legend, id=ids.INDICATOR_LEGENDA, className="small"),
                html.P(note, id=ids.INDICATOR_ONDERDRUKT, className="small"),
            ], className="col-12 col-xl-8"),
            html.Div([html.H2("Over deze indicator", className="h5"), html.Div(text, id=ids.INDICATOR_TOELICHTING)],
                     className="col-12 col-xl-4"),
        ], className="row"),
        html.H2("Tabel", className="h5 mt-3"),
        html.Div(table, id=ids.INDICATOR_TABEL_BLOK),
        download_buttons(ids.INDICATOR_DOWNLOAD_CSV, ids.INDICATOR_DOWNLOAD_XLSX, ids.INDICATOR_DOWNLOAD, "tabel"),
        html.Div(split, id=ids.INDICATOR_UITSPLITSING_BLOK),
        url_store(ids.INDICATOR_URL, URL_CONTROLS),
    ])


url_state(ids.INDICATOR_URL, URL_CONTROLS)
follow_gemeente(ids.INDICATOR_GEMEENTE, ids.INDICATOR_GEBIEDEN)
follow_gemeente(ids.INDICATOR_VERGELIJK_GEMEENTE, ids.INDICATOR_VERGELIJK, first=GEEN_OPTIE)


@callback(
    Output(ids.INDICATOR_TREND, "figure"),
    Output(ids.INDICATOR_TABEL_BLOK, "children"),
    Output(ids.INDICATOR_ONDERDRUKT, "children"),
    Output(ids.INDICATOR_LEGENDA, "children"),
    Output(ids.INDICATOR_TOELICHTING, "children"),
    Output(ids.INDICATOR_NAAM, "children"),
    Output(ids.INDICATOR_UITSPLITSING_BLOK, "children"),
    Input(ids.INDICATOR_KEUZE, "value"),
    Input(ids.INDICATOR_GEBIEDEN, "value"),
    Input(ids.INDICATOR_VERGELIJK, "value"),
    prevent_initial_call=True,
)
def update_view(indicator: str, gebied: str | None, vergelijk: str | None) -> tuple:
    """Redraw for the chosen indicator and areas."""
    return _view(indicator, _areas(store(), gebied, vergelijk))


@callback(
    Output(ids.INDICATOR_DOWNLOAD, "data"),
    Input(ids.INDICATOR_DOWNLOAD_CSV, "n_clicks"),
    Input(ids.INDICATOR_DOWNLOAD_XLSX, "n_clicks"),
    State(ids.INDICATOR_KEUZE, "value"),
    State(ids.INDICATOR_GEBIEDEN, "value"),
    State(ids.INDICATOR_VERGELIJK, "value"),
    prevent_initial_call=True,
)
def download_table(_csv: int | None, _xlsx: int | None, indicator: str, gebied: str | None, vergelijk: str | None) -> dict:
    """The chart's figures as CSV or Excel."""
    data = store()
    rows = _rows(data, indicator, _areas(data, gebied, vergelijk)).to_dicts()
    fmt = "xlsx" if dash.ctx.triggered_id == ids.INDICATOR_DOWNLOAD_XLSX else "csv"
    return download(table_spec(data.indicators[indicator]), rows, f"indicator_{indicator}", fmt)
