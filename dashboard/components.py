"""Building blocks shared by the pages: store access, tables, downloads, status badges, figure defaults."""

from __future__ import annotations

import base64
import csv
import functools
import io
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import xlsxwriter
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from flask import current_app

from core import niveau as niveaus, status as st
from dashboard.security import has_right
from dashboard import ids
from dashboard.data import Published, StoreUnavailable, published
from dashboard.format import (
    COMPLEMENTARY_TEXT,
    INSUFFICIENT_DATA_TEXT,
    PLOTLY_SEPARATORS,
    SUPPRESSED_TEXT,
    display_number,
    format_date,
    format_number,
)
from indicators.export import METADATA_SHEET, metadata, nl_date, write_metadata_sheet

DB_KEY = "WIJKMONITOR_DB"
STATE_KEY = "WIJKMONITOR_STATE"
CONFIG_KEY = "WIJKMONITOR_CONFIG"  # the monitor.toml the page /instellingen edits (beside it: its settings store)
ATTRIBUTION = "Bron: CBS / Kadaster, Wijk- en buurtkaart (gegeneraliseerd), CC-BY 4.0"
ALLE_GEBIEDEN = "alle"

# Colour-blind-safe status colours (ColorBrewer/Okabe-Ito based), each paired with its word;
# text colour chosen for at least 4.5:1 contrast on the background.
STATUS_STYLE = {
    st.VERBETERD: ("#08519c", "#ffffff", "▲"),
    st.GELIJK_GEBLEVEN: ("#e6e6e6", "#1a1a1a", "●"),
    st.BINNEN_MARGE: ("#fdd49e", "#1a1a1a", "◆"),
    st.BUITEN_MARGE: ("#a63603", "#ffffff", "▼"),
    st.ONVOLDOENDE_GEGEVENS: ("#ffffff", "#333333", "○"),
    # data-quality statuses
    st.IN_ORDE: ("#08519c", "#ffffff", "✓"),
    st.WAARSCHUWING: ("#fdd49e", "#1a1a1a", "!"),
    st.FOUT: ("#a63603", "#ffffff", "✕"),
}
# The same status on a chart: the badge colour with a dark outline (light fills stay visible) and a
# plotly symbol shaped like the badge's symbol.
STATUS_MARKER = {
    st.VERBETERD: "triangle-up", st.GELIJK_GEBLEVEN: "circle", st.BINNEN_MARGE: "diamond",
    st.BUITEN_MARGE: "triangle-down", st.ONVOLDOENDE_GEGEVENS: "circle-open",
}
SUPPRESSED_GREY = "#bdbdbd"
CITY_COLOUR = "#1a1a1a"
WERKWIJZE_COLOUR = "#0072b2"  # Okabe-Ito blue: the wijken with a werkwijze; the other wijken in CITY_COLOUR, dashed
AREA_COLOURS = ("#08519c", "#e66101", "#5e3c99", "#1b7837", "#b2182b", "#4d4d4d")
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 14, "color": "#1a1a1a"}
# A small template instead of plotly_white: the default templates add ~10 kB to every figure sent.
TEMPLATE = go.layout.Template(layout={
    "font": FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "separators": PLOTLY_SEPARATORS,
    "xaxis": {"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd", "linecolor": "#595959", "automargin": True},
    "yaxis": {"gridcolor": "#e5e5e5", "zerolinecolor": "#bdbdbd", "linecolor": "#595959", "automargin": True},
    "hoverlabel": {"font": {"size": 14}, "bgcolor": "#ffffff"},
})


def store() -> Published:
    """The published store of the running app."""
    return published(Path(current_app.config[DB_KEY]))


def state_path() -> Path:
    """The PDCA notes store of the running app."""
    return Path(current_app.config[STATE_KEY])


def config_path() -> Path:
    """The monitor.toml of the running app (its edited sections live in instellingen.sqlite beside it)."""
    return Path(current_app.config[CONFIG_KEY])


def message(text: str, kind: str = "warning") -> html.Div:
    """A clear Dutch message in place of content."""
    return html.Div(dbc.Alert(text, color=kind, className="melding"), role="status")


def guarded(layout: Callable[..., object]) -> Callable[..., object]:
    """Wrap a page layout so a missing store shows a message instead of an error page."""

    @functools.wraps(layout)
    def wrapper(**kwargs: object) -> object:
        # Dash passes a repeated URL parameter (?wijk=a&wijk=b) as a list; the pages expect one text: the first.
        kwargs = {key: value[0] if isinstance(value, list) and value else value for key, value in kwargs.items()}
        try:
            return layout(**kwargs)
        except StoreUnavailable as error:
            return html.Div([html.H1("Cijfers niet beschikbaar"), message(str(error), "danger")])

    return wrapper


def status_style(status: str) -> tuple[str, str, str]:
    """(background, text colour, symbol) of a status; an unknown word looks like 'onvoldoende gegevens'."""
    return STATUS_STYLE.get(status, STATUS_STYLE[st.ONVOLDOENDE_GEGEVENS])


def status_badge(status: str) -> html.Span:
    """The corridor status as colour, symbol and word."""
    background, colour, symbol = status_style(status)
    return html.Span(
        [html.Span(symbol, **{"aria-hidden": "true"}), f" {status}"],
        className="status-badge",
        style={"backgroundColor": background, "color": colour},
    )


def status_colour(status: str) -> str:
    """The fill colour of a status (the badge's background)."""
    return status_style(status)[0]


def status_marker(statuses: list[str], size: int = 11) -> dict:
    """A plotly marker that shows each point's status by colour and symbol, as the badges do."""
    return {"color": [status_colour(s) for s in statuses], "size": size,
            "symbol": [STATUS_MARKER.get(s, "circle-open") for s in statuses],
            "line": {"color": "#1a1a1a", "width": 1}}


def missing_text(row: dict) -> str:
    """Why a figure has no value, in words; '' when it has one.

    Reads `onderdrukking` ('primair' | 'aanvullend') and `reden` with .get(): older stores lack them."""
    if row.get("onderdrukt"):
        if row.get("onderdrukking") == st.AANVULLEND:
            return f"{SUPPRESSED_TEXT} ({COMPLEMENTARY_TEXT})"
        return SUPPRESSED_TEXT
    if row.get("waarde") is None:
        reden = row.get("reden")
        return f"{INSUFFICIENT_DATA_TEXT}: {reden}" if reden else INSUFFICIENT_DATA_TEXT
    return ""


def value_text(row: dict) -> str:
    """The value in its unit, or why it is missing (short: the reason goes in a note)."""
    if row.get("onderdrukt"):
        return SUPPRESSED_TEXT
    if row.get("waarde") is None:
        return INSUFFICIENT_DATA_TEXT
    return row["waarde_tekst"]


def merger_note(data: Published, gebiedcode: str, peildatum: date) -> str:
    """'hoort sinds 2019 bij de gemeente Groningen' for an area that joined the gemeente after peildatum.

    Reads areas.in_gemeente_sinds with a fallback: older stores lack the column. A gebied counts as joined
    when one of its wijken did; a gemeente joins none (it is the whole the others joined)."""
    since = data.joined_since.get(gebiedcode)
    gemeente = data.gemeente_of(gebiedcode, (niveaus.GEBIED, niveaus.WIJK))
    if since is None or gemeente is None or peildatum >= since:
        return ""
    return f"hoort sinds {since.year} bij de gemeente {data.area_name(gemeente)}"


SPARK_CORRIDOR = "#fdd49e"
SPARK_NULMETING = "#a63603"


def _scale(values: list[float], top: float, bottom: float):
    """A function mapping a value to a y coordinate between top and bottom."""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return lambda v: bottom - (v - low) / span * (bottom - top)


def sparkline_svg(values: list[float | None], years: list[int], nulmeting: float | None = None,
                  grens: list[float | None] | None = None, last_status: str | None = None,
                  width: int = 240, height: int = 64) -> str:
    """A small SVG trend: the corridor as a band from the nulmeting to its boundary, the nulmeting as a dotted
    line, the values as a line (a missing value breaks it), the last point in its status colour, first and last
    year under the axis. Drawn on the server as an image so the overview needs no plotly.js."""
    grens = grens or [None] * len(values)
    known = [v for v in values + grens + [nulmeting] if v is not None]
    y = _scale(known or [0.0, 1.0], 5, height - 18)
    step = (width - 16) / max(len(values) - 1, 1)
    x = [8 + i * step for i in range(len(values))]
    parts = []
    band = [(x[i], y(g)) for i, g in enumerate(grens) if g is not None]
    if nulmeting is not None and band:
        outline = band + [(band[-1][0], y(nulmeting)), (band[0][0], y(nulmeting))]
        parts.append(f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in outline)}" fill="{SPARK_CORRIDOR}"/>')
    if nulmeting is not None:
        parts.append(f'<line x1="{x[0]:.1f}" x2="{x[-1]:.1f}" y1="{y(nulmeting):.1f}" y2="{y(nulmeting):.1f}" '
                     f'stroke="{SPARK_NULMETING}" stroke-width="1.5" stroke-dasharray="3 3"/>')
    segment: list[tuple[float, float]] = []
    for i, value in enumerate(values + [None]):
        if value is None:
            if segment:
                parts.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in segment)}" fill="none" '
                             f'stroke="{AREA_COLOURS[0]}" stroke-width="2"/>')
            segment = []
        else:
            segment.append((x[i], y(value)))
    parts += [f'<circle cx="{x[i]:.1f}" cy="{y(v):.1f}" r="2.5" fill="{AREA_COLOURS[0]}"/>'
              for i, v in enumerate(values) if v is not None]
    if values and values[-1] is not None and last_status:
        parts.append(f'<circle cx="{x[-1]:.1f}" cy="{y(values[-1]):.1f}" r="5" fill="{status_colour(last_status)}" '
                     'stroke="#1a1a1a" stroke-width="1"/>')
    if years:
        label = 'font-family="system-ui, sans-serif" font-size="11" fill="#4d4d4d"'
        parts.append(f'<text x="{x[0]:.1f}" y="{height - 3}" {label}>{years[0]}</text>')
        if len(years) > 1:
            parts.append(f'<text x="{x[-1]:.1f}" y="{height - 3}" text-anchor="end" {label}>{years[-1]}</text>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def attribution() -> html.P:
    """The boundary attribution under every map."""
    return html.P(ATTRIBUTION, className="bron small")


def peildatum_options(peildata: list[date]) -> list[dict[str, str]]:
    """Dropdown options for reference dates, newest first."""
    return [{"label": format_date(p), "value": p.isoformat()} for p in reversed(peildata)]


def indicator_options(data: Published) -> list[dict[str, str]]:
    """Dropdown options for the indicators in display order."""
    return [{"label": meta.naam, "value": key} for key, meta in data.indicators.items()]


def area_choice(data: Published, gemeente_id: str, area_id: str, label: str, gemeente: str, area: str,
                levels: tuple[str, ...] = niveaus.NIVEAUS, first: tuple[dict[str, str], ...] = (),
                gemeente_label: str = "Gemeente") -> list[html.Div]:
    """One area of a store that may hold many gemeenten (4,620 areas nationally): the gemeente first, then a list of
    only that gemeente's areas of these levels (after `first`, e.g. 'geen'). With one gemeente its choice is hidden,
    so a city sees one list as before. follow_gemeente(gemeente_id, area_id, ...) lists a newly chosen gemeente's."""
    per = data.areas_per_gemeente(levels)
    gemeenten = [{"label": naam, "value": code}
                 for code, naam in data.areas(niveaus.GEMEENTE).select("gebiedcode", "gebiedsnaam").iter_rows() if code in per]
    choice = labelled(gemeente_label, dropdown(gemeente_id, gemeenten, gemeente), gemeente_id)
    choice.id, choice.hidden = ids.gemeente_keuze(gemeente_id), len(gemeenten) < 2
    return [choice, labelled(label, dropdown(area_id, [*first, *per.get(gemeente, [])], area), area_id)]


def follow_gemeente(gemeente_id: str, area_id: str, levels: tuple[str, ...] = niveaus.NIVEAUS,
                    first: tuple[dict[str, str], ...] = (), shared: bool = False) -> None:
    """Register the callback of an area_choice: a chosen gemeente lists its areas; the area shown stays when it lies
    in that gemeente (or is one of `first`), else the first of the list is shown. shared: another callback of the
    page sets the area too (Dash's allow_duplicate)."""
    keep = {option["value"] for option in first}

    @callback(Output(area_id, "options", allow_duplicate=shared), Output(area_id, "value", allow_duplicate=shared),
              Input(gemeente_id, "value"), State(area_id, "value"), prevent_initial_call=True)
    def list_areas(gemeente: str | None, area: str | None) -> tuple[list[dict[str, str]], str]:
        data = store()
        options = data.areas_per_gemeente(levels).get(gemeente or "")
        if not options:
            raise dash.exceptions.PreventUpdate
        options = [*first, *options]
        return options, area if area in keep or data.gemeente_of(area or "", levels) == gemeente else options[0]["value"]


def parse_date(value: str | None, data: Published) -> date | None:
    """A peildatum from an ISO string if the store has it, else None."""
    try:
        candidate = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return candidate if candidate in data.peildata else None


def base_figure(figure: go.Figure, height: int = 420) -> go.Figure:
    """Shared layout: nl-NL separators, readable font, white background."""
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    )
    return figure


def map_config() -> dict:
    """Graph config for maps: plotly.js loads a base topojson for every geo plot, even with the basemap
    hidden; point it at an empty local topology (assets/world_110m.json) so nothing is fetched from the internet."""
    return GRAPH_CONFIG | {"topojsonURL": dash.get_asset_url("")}


def graph(graph_id: str, figure: go.Figure | None, description: str, config: dict | None = None) -> html.Figure:
    """A chart with a text description for screen readers (aria-label) and as caption."""
    return html.Figure(
        [html.Div("Grafiek wordt geladen…", className="grafiek-laden", **{"aria-hidden": "true"}),
         dcc.Graph(id=graph_id, figure=figure or base_figure(go.Figure()), config=config or GRAPH_CONFIG),
         html.Figcaption(description, className="visually-hidden")],
        className="grafiek",
        **{"aria-label": description},
    )


ROW_DECIMALS = -1  # Column.decimals for numbers already rounded per row (mixed indicators in one column)


@dataclass(frozen=True)
class Column:
    """A table/download column: numbers when decimals is set (None shown as `nully`), text otherwise.

    `download` is the number column a text column stands for in downloads (e.g. the text '12,3%' on screen,
    the number 12.3 in the file), so a download never holds a number as text.
    """

    key: str
    header: str
    decimals: int | None = None
    nully: str = SUPPRESSED_TEXT  # what an empty number shows; '–' where empty is not a suppression
    download: Column | None = None


def _is_fixed(column: Column) -> bool:
    """True for a number column with one fixed number of decimals."""
    return column.decimals is not None and column.decimals != ROW_DECIMALS


def _cell_text(column: Column, value: object) -> object:
    """What a table cell shows: numbers in nl-NL with the column's decimals (trailing zeros kept)."""
    if column.decimals is None:
        return "" if value is None else value
    if value is None:
        return column.nully
    if _is_fixed(column):
        return display_number(float(value), column.decimals)
    return display_number(float(value), len(repr(float(value)).split(".")[1].rstrip("0")))


def html_table(table_id: str, columns: list[Column], rows: list[dict], caption: str,
               row_header: bool = True, cells: dict[str, Callable[[dict], object]] | None = None) -> html.Div:
    """A plain accessible table: caption, column headers with scope, the first cell of a row as its header.

    `cells` renders a column from the whole row (a status badge, a link). The wrapper scrolls sideways on
    narrow screens; it is focusable and named so keyboard users can scroll it (WCAG 2.1.1)."""
    cells = cells or {}
    head = html.Thead(html.Tr([html.Th(c.header, scope="col", className="num" if c.decimals is not None else None)
                               for c in columns]))
    body = []
    for row in rows:
        out = []
        for i, column in enumerate(columns):
            content = cells[column.key](row) if column.key in cells else _cell_text(column, row.get(column.key))
            kind = html.Th if i == 0 and row_header else html.Td
            extra = {"scope": "row"} if kind is html.Th else {}
            out.append(kind(content, className="num" if column.decimals is not None else None, **extra))
        body.append(html.Tr(out))
    return html.Div(
        html.Table([html.Caption(caption), head, html.Tbody(body)], className="table table-sm cijfertabel"),
        id=table_id, className="tabel-rol", tabIndex="0", role="region", **{"aria-label": caption},
    )


def url_state(store_id: str, controls: dict[str, str]) -> None:
    """Keep a page's choices in the address bar (?name=value&...) so a view can be shared and reopened.

    controls maps a query parameter to the id of the control whose value it holds. The address is replaced
    in the browser (history.replaceState, assets/wijkmonitor.js), not navigated to: Dash's page router would
    build the page again on every choice. The page's layout reads the parameters back."""
    clientside_callback(
        ClientsideFunction(namespace="wijkmonitor", function_name="replaceQuery"),
        Output(store_id, "data"),
        [Input(control_id, "value") for control_id in controls.values()],
        State(store_id, "data"),
        prevent_initial_call=True,
    )


def url_store(store_id: str, controls: dict[str, str]) -> dcc.Store:
    """The store url_state writes to: the parameter names in order, then the last query written."""
    return dcc.Store(id=store_id, data={"names": list(controls)})


def _download_cell(column: Column, value: object) -> object:
    """A download cell: suppressed/missing numbers as text, numbers rounded as shown, other numbers kept numbers."""
    if column.decimals is None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return "" if value is None else value
    if value is None:
        return column.nully
    return round(float(value), column.decimals) if _is_fixed(column) else float(value)


def _csv_number(value: float, column: Column) -> str:
    """A number for a Dutch CSV: decimal comma, no thousands separator, ASCII minus (so spreadsheets read a number)."""
    if _is_fixed(column):
        return format_number(value, column.decimals).replace(".", "").replace("\u2212", "-")
    return repr(value).removesuffix(".0").replace(".", ",")


def download_columns(columns: list[Column]) -> list[Column]:
    """The columns as downloads write them: a text column with a number behind it becomes that number."""
    return [c.download or c for c in columns]


def csv_bytes(columns: list[Column], rows: list[dict], metadata: list[tuple[str, str]] | None = None) -> bytes:
    """CSV for Dutch spreadsheets: ';' separated, decimal comma, UTF-8 with BOM.

    The metadata comes first as '# veld;waarde' lines and an empty line (pandas/R: comment='#'), then the table.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for field, value in metadata or ():
        writer.writerow([f"# {field}", value])
    if metadata:
        writer.writerow([])
    writer.writerow([c.header for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            cell = _download_cell(column, row.get(column.key))
            cells.append(_csv_number(float(cell), column) if isinstance(cell, (int, float)) and not isinstance(cell, bool)
                         else cell)
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: dict[str, tuple[list[Column], list[dict]]], metadata: list[tuple[str, str]] | None = None) -> bytes:
    """An Excel workbook: the metadata sheet 'Toelichting' (when given), then one sheet per (columns, rows).

    Numbers stay numbers (negative ones too, shown with Excel's own minus); missing numbers say why in words.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": "dd-mm-yyyy"})
    if metadata:
        write_metadata_sheet(workbook.add_worksheet(METADATA_SHEET), metadata,
                             {"kop": bold, "tekst": workbook.add_format({"text_wrap": True, "valign": "top"})})
    for name, (columns, rows) in sheets.items():
        sheet = workbook.add_worksheet(name[:31])
        formats = {c.key: workbook.add_format({"num_format": "0" + ("." + "0" * c.decimals if c.decimals else "")})
                   if _is_fixed(c) else workbook.add_format({"num_format": "General"})
                   for c in columns if c.decimals is not None}
        for x, column in enumerate(columns):
            sheet.write_string(0, x, column.header, bold)
            sheet.set_column(x, x, max(12, len(column.header) + 2))
        for y, row in enumerate(rows, start=1):
            for x, column in enumerate(columns):
                cell = _download_cell(column, row.get(column.key))
                if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                    sheet.write_number(y, x, cell, formats.get(column.key))
                elif isinstance(cell, date):
                    sheet.write_datetime(y, x, datetime.combine(cell, datetime.min.time()), day)
                else:
                    sheet.write_string(y, x, str(cell))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def export_filename(name: str, peildatum: date | None, extension: str) -> str:
    """wijkmonitor_<name>[_<peildatum ISO>].<extension>: readable, sortable, no spaces or odd characters."""
    stem = name if name.startswith("wijkmonitor_") else f"wijkmonitor_{name}"
    if peildatum is not None and peildatum.isoformat() not in stem:
        stem = f"{stem}_{peildatum.isoformat()}"
    return f"{re.sub(r'[^0-9A-Za-z_.-]+', '_', stem)}.{extension}"


def _single(rows: list[dict], key: str) -> object:
    """The one value rows share under key, or None when they have none or several."""
    values = {row.get(key) for row in rows} - {None}
    return values.pop() if len(values) == 1 else None


def export_metadata(data: Published, onderwerp: str, peildatum: date | str | None,
                    indicators: list[str] | None = None) -> list[tuple[str, str]]:
    """What a download holds: subject, peildatum, source, definitions, download date, suppression, demo flag.

    peildatum may be a text (e.g. for data quality); indicators None means all, an empty list none.
    """
    chosen = list(data.indicators) if indicators is None else [i for i in indicators if i in data.indicators]
    meta = data.tables["meta"]
    return metadata(
        dict(zip(meta["sleutel"].to_list(), meta["waarde"].to_list(), strict=True)),
        [asdict(data.indicators[i]) for i in chosen],
        onderwerp=onderwerp,
        peildatum=peildatum if isinstance(peildatum, str) else nl_date(peildatum) if peildatum else "zie de kolom Peildatum",
        gemeente=data.gemeente()[1],
        gedownload=datetime.now(),
    )


def download(columns: list[Column], rows: list[dict], filename: str, fmt: str, *, peildatum: date | None = None,
             indicators: list[str] | None = None, onderwerp: str | None = None) -> dict:
    """A dcc.Download payload of the rows as CSV or Excel, with the metadata and a readable file name.

    peildatum and indicators default to what the rows share (keys 'peildatum', 'indicator'); the subject to the name.
    """
    if peildatum is None:
        shared = _single(rows, "peildatum")
        peildatum = date.fromisoformat(shared[:10]) if isinstance(shared, str) else shared if isinstance(shared, date) else None
    if indicators is None:
        indicators = sorted({row["indicator"] for row in rows if row.get("indicator")}) or None
    info = export_metadata(store(), onderwerp or filename.replace("_", " "), peildatum, indicators)
    columns = download_columns(columns)
    if fmt == "xlsx":
        return dcc.send_bytes(xlsx_bytes({"Cijfers": (columns, rows)}, info), export_filename(filename, peildatum, "xlsx"))
    return dcc.send_bytes(csv_bytes(columns, rows, info), export_filename(filename, peildatum, "csv"))


def download_buttons(csv_id: str, xlsx_id: str, download_id: str, what: str) -> html.Div:
    """Buttons to download exactly the figures shown, as CSV or Excel."""
    return html.Div(
        [
            dbc.Button(f"Download {what} (CSV)", id=csv_id, color="secondary", outline=True, size="sm", className="me-2"),
            dbc.Button(f"Download {what} (Excel)", id=xlsx_id, color="secondary", outline=True, size="sm"),
            dcc.Download(id=download_id),
        ],
        className="downloads no-print my-2",
    )


DROPDOWN_LABELS = {
    "select_all": "Alles kiezen", "deselect_all": "Niets kiezen", "selected_count": "{num_selected} gekozen",
    "search": "Zoeken", "clear_search": "Zoekterm wissen", "clear_selection": "Keuze wissen",
    "no_options_found": "Niets gevonden",
}


def dropdown(dropdown_id: str, options: list[dict], value: object, multi: bool = False) -> dcc.Dropdown | dbc.Select:
    """A choice: a native select for one value (keyboard and screen readers know it; Dash 4's dropdown puts
    focus on an aria-hidden input), Dash's dropdown with Dutch texts for several values."""
    if not multi:
        return dbc.Select(id=dropdown_id, options=options, value=value)
    return dcc.Dropdown(id=dropdown_id, options=options, value=value, multi=multi, clearable=multi,
                        labels=DROPDOWN_LABELS, placeholder="Maak een keuze")


def settings_note(what: str, note_id: str | None = None) -> html.P:
    """Where a configured setting is changed: for beheer a link to /instellingen, for the other roles the words
    only (the page would refuse them)."""
    named = {"id": note_id} if note_id else {}
    if has_right("instellingen"):
        return html.P([f"{what[0].upper()}{what[1:]} aanpassen: ", dcc.Link("Instellingen", href="/instellingen"),
                       " (de cijfers veranderen bij de volgende verwerking)."], className="small no-print", **named)
    return html.P(f"De beheerder past {what} aan op de pagina Instellingen.", className="small", **named)


def labelled(label: str, control: object, control_id: str) -> html.Div:
    """A form control with a visible label bound to it."""
    return html.Div([html.Label(label, htmlFor=control_id, className="form-label fw-semibold"), control],
                    className="control mb-2")


# Paging: a long list (every signal, every wijk of the country) is shown a page at a time, in the same order.
PAGE_SIZE = 50  # rows per page; a city's list (about 20 wijken, a few dozen signals) fits on one page


@dataclass(frozen=True)
class Pager:
    """The ids of one list's paging controls, all from one prefix: the navigation, its previous and next
    buttons, the position text ('Rij 51–100 van 3.300') and the store with the page number (0 = first)."""

    prefix: str

    @property
    def nav(self) -> str:
        return f"{self.prefix}-paginas"

    @property
    def previous(self) -> str:
        return f"{self.prefix}-vorige"

    @property
    def next(self) -> str:
        return f"{self.prefix}-volgende"

    @property
    def position(self) -> str:
        return f"{self.prefix}-positie"

    @property
    def page(self) -> str:
        return f"{self.prefix}-pagina"

    def inputs(self) -> list[Input]:
        """The buttons, as inputs of the callback that draws the list."""
        return [Input(self.previous, "n_clicks"), Input(self.next, "n_clicks")]

    def outputs(self) -> list[Output]:
        """What pager_state() returns, as outputs of that callback."""
        return [Output(self.nav, "hidden"), Output(self.position, "children"), Output(self.previous, "disabled"),
                Output(self.next, "disabled"), Output(self.page, "data")]

    def turned(self, page: int | None, keep: tuple[str, ...] = ()) -> int:
        """The page after the callback's trigger: one back or on for the buttons, the same page for a trigger
        in keep (e.g. after saving), the first page for anything else (another choice, another order)."""
        trigger = dash.ctx.triggered_id
        page = page or 0
        if trigger == self.previous:
            return page - 1
        if trigger == self.next:
            return page + 1
        return page if trigger in keep else 0


def page_bounds(total: int, page: int | None, size: int = PAGE_SIZE) -> tuple[int, int, int]:
    """(page, start, stop): rows start..stop-1 are on the page, the page clamped to the pages there are."""
    last = max(0, (total - 1) // size)
    page = min(max(page or 0, 0), last)
    return page, page * size, min(total, (page + 1) * size)


def pager_state(total: int, page: int, what: str, size: int = PAGE_SIZE) -> tuple:
    """The values of Pager.outputs(): hidden when everything fits on one page, else the position in words."""
    page, start, stop = page_bounds(total, page, size)
    text = f"{what} {display_number(start + 1, 0)}–{display_number(stop, 0)} van {display_number(total, 0)}"
    return total <= size, text, page == 0, stop >= total, page


def pager(ids: Pager, total: int, page: int, what: str, label: str, note: str = "", size: int = PAGE_SIZE) -> html.Nav:
    """Previous/next buttons and where the reader is (and a note on what is paged); the list itself is drawn
    by the page. Real buttons (keyboard, screen readers); the position is a live region, so turning a page
    is announced."""
    hidden, text, first, last, page = pager_state(total, page, what, size)
    return html.Nav([
        html.P(note, className="small mb-1") if note else None,
        html.Button("‹ Vorige", id=ids.previous, type="button", disabled=first,
                    className="btn btn-sm btn-outline-secondary me-2", **{"aria-label": f"Vorige {size} {what.lower()}"}),
        html.Span(text, id=ids.position, className="small me-2", role="status", **{"aria-live": "polite"}),
        html.Button("Volgende ›", id=ids.next, type="button", disabled=last,
                    className="btn btn-sm btn-outline-secondary", **{"aria-label": f"Volgende {size} {what.lower()}"}),
        dcc.Store(id=ids.page, data=page),
    ], id=ids.nav, hidden=hidden, className="pagineren no-print my-2", **{"aria-label": label})
