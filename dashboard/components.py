"""Building blocks shared by the pages: store access, tables, downloads, status badges, figure defaults."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import xlsxwriter
from dash import dash_table, dcc, html
from flask import current_app

from dashboard.data import Published, StoreUnavailable, published
from dashboard.format import PLOTLY_SEPARATORS, SUPPRESSED_TEXT, format_date, format_number

DB_KEY = "WIJKMONITOR_DB"
STATE_KEY = "WIJKMONITOR_STATE"
ATTRIBUTION = "Bron: CBS / Kadaster, Wijk- en buurtkaart (gegeneraliseerd), CC-BY 4.0"
ALLE_GEBIEDEN = "alle"

# Colour-blind-safe status colours (ColorBrewer/Okabe-Ito based), each paired with its word;
# text colour chosen for at least 4.5:1 contrast on the background.
STATUS_STYLE = {
    "verbeterd": ("#08519c", "#ffffff", "▲"),
    "gelijk gebleven": ("#e6e6e6", "#1a1a1a", "●"),
    "binnen marge": ("#fdd49e", "#1a1a1a", "◆"),
    "buiten marge": ("#a63603", "#ffffff", "▼"),
    "onvoldoende gegevens": ("#ffffff", "#333333", "○"),
    # data-quality statuses
    "in orde": ("#08519c", "#ffffff", "✓"),
    "waarschuwing": ("#fdd49e", "#1a1a1a", "!"),
    "fout": ("#a63603", "#ffffff", "✕"),
}
SUPPRESSED_GREY = "#bdbdbd"
CITY_COLOUR = "#1a1a1a"
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


def status_badge(status: str) -> html.Span:
    """The corridor status as colour, symbol and word."""
    background, colour, symbol = STATUS_STYLE.get(status, STATUS_STYLE["onvoldoende gegevens"])
    return html.Span(
        [html.Span(symbol, **{"aria-hidden": "true"}), f" {status}"],
        className="status-badge",
        style={"backgroundColor": background, "color": colour},
    )


def attribution() -> html.P:
    """The boundary attribution under every map."""
    return html.P(ATTRIBUTION, className="bron small")


def peildatum_options(peildata: list[date]) -> list[dict[str, str]]:
    """Dropdown options for reference dates, newest first."""
    return [{"label": format_date(p), "value": p.isoformat()} for p in reversed(peildata)]


def indicator_options(data: Published) -> list[dict[str, str]]:
    """Dropdown options for the indicators in display order."""
    return [{"label": meta.naam, "value": key} for key, meta in data.indicators.items()]


def area_options(data: Published, levels: tuple[str, ...] = ("gemeente", "gebied", "wijk")) -> list[dict[str, str]]:
    """Dropdown options for areas, city first, then gebieden, then wijken."""
    label = {"gemeente": "gemeente", "gebied": "gebied", "wijk": "wijk"}
    return [
        {"label": f"{row['gebiedsnaam']} ({label[niveau]})", "value": row["gebiedcode"]}
        for niveau in levels
        for row in data.areas(niveau).iter_rows(named=True)
    ]


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
        [dcc.Graph(id=graph_id, figure=figure or base_figure(go.Figure()), config=config or GRAPH_CONFIG),
         html.Figcaption(description, className="visually-hidden")],
        className="grafiek",
        **{"aria-label": description},
    )


ROW_DECIMALS = -1  # Column.decimals for numbers already rounded per row (mixed indicators in one column)


@dataclass(frozen=True)
class Column:
    """A table/download column: numbers when decimals is set (None shown as `nully`), text otherwise."""

    key: str
    header: str
    decimals: int | None = None
    nully: str = SUPPRESSED_TEXT  # what an empty number shows; '–' where empty is not a suppression


def table_columns(columns: list[Column]) -> list[dict]:
    """DataTable column definitions with nl-NL number formats."""
    specs = []
    for column in columns:
        spec: dict = {"id": column.key, "name": column.header}
        if column.decimals is not None:
            specifier = ",~r" if column.decimals == ROW_DECIMALS else f",.{column.decimals}f"
            spec |= {"type": "numeric", "format": {"specifier": specifier, "nully": column.nully}}
        specs.append(spec)
    return specs


def _is_fixed(column: Column) -> bool:
    """True for a number column with one fixed number of decimals."""
    return column.decimals is not None and column.decimals != ROW_DECIMALS


def rounded_rows(columns: list[Column], rows: list[dict]) -> list[dict]:
    """Rows restricted to the columns, numbers rounded to the shown decimals."""
    return [
        {c.key: (round(row[c.key], c.decimals) if _is_fixed(c) and row.get(c.key) is not None else row.get(c.key))
         for c in columns}
        for row in rows
    ]


def data_table(table_id: str, columns: list[Column], rows: list[dict], page_size: int = 100) -> dash_table.DataTable:
    """A sortable table of exactly the given rows (pages of 100, so a printed page has every wijk)."""
    return dash_table.DataTable(
        id=table_id,
        columns=table_columns(columns),
        data=rounded_rows(columns, rows),
        sort_action="native",
        page_size=page_size,
        locale_format={"decimal": ",", "group": ".", "grouping": [3]},
        style_as_list_view=True,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": FONT["family"], "fontSize": "0.95rem", "padding": "6px", "textAlign": "left",
                    "whiteSpace": "normal", "height": "auto"},
        style_header={"fontWeight": "bold", "backgroundColor": "#f0f0f0", "color": "#1a1a1a"},
        style_data_conditional=[{"if": {"column_type": "numeric"}, "textAlign": "right"}],
    )


def _download_cell(column: Column, value: object) -> object:
    """A download cell: suppressed/missing numbers as text, numbers rounded as shown."""
    if column.decimals is None:
        return "" if value is None else value
    if value is None:
        return column.nully
    return round(float(value), column.decimals) if _is_fixed(column) else float(value)


def _csv_number(value: float, column: Column) -> str:
    """A number for a Dutch CSV: decimal comma, no thousands separator."""
    if _is_fixed(column):
        return format_number(value, column.decimals).replace(".", "")
    return repr(value).removesuffix(".0").replace(".", ",")


def csv_bytes(columns: list[Column], rows: list[dict]) -> bytes:
    """CSV for Dutch spreadsheets: ';' separated, decimal comma, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            cell = _download_cell(column, row.get(column.key))
            cells.append(_csv_number(cell, column) if isinstance(cell, float) else cell)
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: dict[str, tuple[list[Column], list[dict]]]) -> bytes:
    """An Excel workbook with one sheet per (columns, rows); numbers stay numbers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
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
                if isinstance(cell, float):
                    sheet.write_number(y, x, cell, formats[column.key])
                else:
                    sheet.write_string(y, x, str(cell))
    workbook.close()
    return buffer.getvalue()


def download(columns: list[Column], rows: list[dict], filename: str, fmt: str) -> dict:
    """A dcc.Download payload of the rows as CSV or Excel."""
    if fmt == "xlsx":
        return dcc.send_bytes(xlsx_bytes({"cijfers": (columns, rows)}), f"{filename}.xlsx")
    return dcc.send_bytes(csv_bytes(columns, rows), f"{filename}.csv")


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


def dropdown(dropdown_id: str, options: list[dict], value: object, multi: bool = False) -> dcc.Dropdown:
    """A Dash dropdown with Dutch texts (Dash's own are English)."""
    return dcc.Dropdown(id=dropdown_id, options=options, value=value, multi=multi, clearable=multi,
                        labels=DROPDOWN_LABELS, placeholder="Maak een keuze")


def labelled(label: str, control: object, control_id: str) -> html.Div:
    """A form control with a visible label bound to it."""
    return html.Div([html.Label(label, htmlFor=control_id, className="form-label fw-semibold"), control],
                    className="control mb-2")
