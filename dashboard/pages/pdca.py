"""PDCA-sessie: signals for a peildatum, notes with phase/decision/owner/due date, history and export."""

from __future__ import annotations

import html as html_escape
from datetime import date

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import (
    Column,
    area_options,
    data_table,
    guarded,
    indicator_options,
    dropdown,
    labelled,
    message,
    parse_date,
    peildatum_options,
    rounded_rows,
    state_path,
    store,
    xlsx_bytes,
)
from dashboard.data import Published
from dashboard.format import format_date, format_datetime
from dashboard.security import has_right
from dashboard.notes import FASES, MAX_OWNER, MAX_TEXT, Note, NoteRejected, add_note, notes_for, sessions
from wijkmonitor.errors import WijkmonitorError

dash.register_page(__name__, path="/pdca", name="PDCA-sessie", title="PDCA-sessie · Wijkmonitor", order=4)

TOP_MOVERS = 5
SIGNAL_COLUMNS = [
    Column("signaal", "Signaal"), Column("naam", "Indicator"), Column("gebiedsnaam", "Gebied"), Column("niveau", "Niveau"),
    Column("waarde_tekst", "Waarde"), Column("verschil_tekst", "Verschil t.o.v. nulmeting"),
    Column("vorige_tekst", "Verschil t.o.v. vorige peildatum"), Column("status", "Status"),
]
NOTE_COLUMNS = [
    Column("fase", "Fase"), Column("indicator_naam", "Indicator"), Column("gebied_naam", "Gebied"), Column("notitie", "Notitie"),
    Column("besluit", "Besluit"), Column("eigenaar", "Eigenaar"), Column("deadline_tekst", "Deadline"),
    Column("aangemaakt_tekst", "Vastgelegd op"),
]


def signal_rows(data: Published, peildatum: date) -> list[dict]:
    """Values outside the corridor, significant changes and the largest relative movers since the previous peildatum."""
    frame = data.select(peildatum=peildatum).filter(~pl.col("onderdrukt"))
    previous = frame["waarde"] - frame["verschil_vorige"]
    frame = frame.with_columns((frame["verschil_vorige"] / previous).abs().alias("beweging"))
    movers = set(frame.drop_nulls("beweging").filter(pl.col("beweging") > 0).sort("beweging", descending=True)
                 .head(TOP_MOVERS).select("indicator", "gebiedcode").iter_rows())
    rows = []
    for row in frame.iter_rows(named=True):
        kinds = []
        if row["status"] == "buiten marge":
            kinds.append("buiten marge")
        if row["significant"]:
            kinds.append("significante verandering")
        if (row["indicator"], row["gebiedcode"]) in movers:
            kinds.append("grote beweging")
        if kinds:
            rows.append(row | {"signaal": ", ".join(kinds), "naam": data.indicators[row["indicator"]].naam,
                               "rang": (row["status"] != "buiten marge", -(row["beweging"] or 0))})
    return sorted(rows, key=lambda r: r["rang"])


def note_rows(data: Published, notes: list[Note]) -> list[dict]:
    """Notes as table rows with readable names (the text itself is left as typed; Dash escapes it)."""
    return [{
        "fase": n.fase, "indicator_naam": data.indicators[n.indicator].naam if n.indicator in data.indicators else n.indicator,
        "gebied_naam": data.area_name(n.gebiedcode) or n.gebiedcode, "notitie": n.notitie, "besluit": n.besluit,
        "eigenaar": n.eigenaar, "deadline_tekst": format_date(n.deadline) if n.deadline else "–",
        "aangemaakt_tekst": format_datetime(n.aangemaakt_op),
    } for n in notes]


def _notes_view(rows: list[dict]) -> html.Div:
    """The session's notes as an HTML table (text children, so user text is escaped)."""
    if not rows:
        return html.P("Nog geen notities voor deze sessie.")
    head = html.Thead(html.Tr([html.Th(c.header, scope="col") for c in NOTE_COLUMNS]))
    body = html.Tbody([html.Tr([html.Td(row[c.key], className="notitie-tekst") for c in NOTE_COLUMNS]) for row in rows])
    return html.Div(html.Table([head, body], className="table table-sm"), className="table-responsive")


def _history(current: date) -> html.Div:
    """Links to every session with notes."""
    earlier = sessions(state_path())
    if not earlier:
        return html.P("Nog geen eerdere sessies vastgelegd.")
    return html.Ul([
        html.Li([dcc.Link(f"Sessie {format_date(s.peildatum)}", href=f"/pdca?peildatum={s.peildatum.isoformat()}"),
                 f" — {s.notities} notitie(s), laatst gewijzigd {format_datetime(s.laatst_gewijzigd)}",
                 " (deze sessie)" if s.peildatum == current else ""])
        for s in earlier
    ])


def session_html(data: Published, peildatum: date, signals: list[dict], notes: list[dict]) -> str:
    """A standalone printable HTML page of the session; every value is escaped."""
    def table(columns: list[Column], rows: list[dict]) -> str:
        head = "".join(f"<th>{html_escape.escape(c.header)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{html_escape.escape(str(r.get(c.key) or ''))}</td>" for c in columns) + "</tr>"
                       for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    titel = html_escape.escape(f"PDCA-sessie {format_date(peildatum)}")
    return (
        f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{titel}</title><style>'
        "body{font-family:system-ui,Arial,sans-serif;font-size:11pt;margin:2cm}table{border-collapse:collapse;width:100%;"
        "margin-bottom:1.5em}th,td{border:1px solid #999;padding:4px;text-align:left;vertical-align:top;white-space:pre-wrap}"
        "th{background:#eee}@media print{body{margin:0}}</style></head><body>"
        f"<h1>{titel}</h1><p>Wijkmonitor Sociaal Domein, gemeente Groningen. Nulmeting: {format_date(data.nulmeting)}.</p>"
        f"<h2>Signalen</h2>{table(SIGNAL_COLUMNS, signals)}<h2>Notities en besluiten</h2>{table(NOTE_COLUMNS, notes)}"
        "</body></html>"
    )


@guarded
def layout(peildatum: str | None = None, **_: object) -> html.Div:
    """The page; ?peildatum=YYYY-MM-DD opens an earlier session."""
    data = store()
    notices = []
    if peildatum is not None and parse_date(peildatum, data) is None:
        notices.append(message(f"Peildatum '{peildatum}' komt niet voor; de laatste peildatum wordt getoond."))
    chosen = parse_date(peildatum, data) or data.latest
    gemeente, _naam = data.gemeente()
    form = dbc.Card(dbc.CardBody([
        html.H2("Notitie toevoegen", className="h5"),
        html.Div([
            labelled("Indicator", dropdown(ids.PDCA_INDICATOR, indicator_options(data), next(iter(data.indicators))),
                     ids.PDCA_INDICATOR),
            labelled("Gebied", dropdown(ids.PDCA_GEBIED, area_options(data), gemeente), ids.PDCA_GEBIED),
        ], className="controls"),
        html.Fieldset([html.Legend("Fase", className="form-label fw-semibold fs-6"),
                       dbc.RadioItems(id=ids.PDCA_FASE, options=[{"label": f, "value": f} for f in FASES], value="Check", inline=True)]),
        labelled("Notitie", dbc.Textarea(id=ids.PDCA_NOTITIE, rows=3, maxLength=MAX_TEXT), ids.PDCA_NOTITIE),
        labelled("Besluit", dbc.Input(id=ids.PDCA_BESLUIT, type="text", maxLength=MAX_TEXT), ids.PDCA_BESLUIT),
        html.Div([
            labelled("Eigenaar", dbc.Input(id=ids.PDCA_EIGENAAR, type="text", maxLength=MAX_OWNER), ids.PDCA_EIGENAAR),
            labelled("Deadline", dbc.Input(id=ids.PDCA_DEADLINE, type="date"), ids.PDCA_DEADLINE),
        ], className="controls"),
        dbc.Button("Notitie opslaan", id=ids.PDCA_OPSLAAN, color="primary", className="mt-2"),
        html.Div(id=ids.PDCA_MELDING, className="mt-2", role="status", **{"aria-live": "polite"}),
    ]), className="no-print mb-3")
    return html.Div([
        html.H1("PDCA-sessie"),
        *notices,
        html.Div(labelled("Peildatum van de sessie",
                          dropdown(ids.PDCA_PEILDATUM, peildatum_options(data.peildata), chosen.isoformat()), ids.PDCA_PEILDATUM),
                 className="controls no-print"),
        html.H2("Signalen om te bespreken", className="h5 mt-3"),
        html.P("Waarden buiten de corridor, significante veranderingen (enquêtes) en de grootste bewegingen sinds de vorige "
               "peildatum.", className="small"),
        data_table(ids.PDCA_SIGNALEN, SIGNAL_COLUMNS, signal_rows(data, chosen)),
        html.Div([
            dbc.Button("Sessie exporteren (Excel)", id=ids.PDCA_EXPORT_XLSX, color="secondary", outline=True, size="sm", className="me-2"),
            dbc.Button("Sessie exporteren (afdrukbare HTML)", id=ids.PDCA_EXPORT_HTML, color="secondary", outline=True, size="sm"),
            dcc.Download(id=ids.PDCA_DOWNLOAD),
        ], className="downloads no-print my-2"),
        html.H2("Notities en besluiten van deze sessie", className="h5 mt-3"),
        html.Div(_notes_view(note_rows(data, notes_for(state_path(), chosen))), id=ids.PDCA_NOTITIES),
        form if has_right("notities") else html.P(
            "Uw rol (raad) kan notities lezen; het programmateam schrijft ze.", className="no-print"),
        html.H2("Eerdere sessies", className="h5"),
        html.Div(_history(chosen), id=ids.PDCA_HISTORIE),
        dcc.Store(id=ids.PDCA_VERSIE, data=0),
    ])


@callback(
    Output(ids.PDCA_SIGNALEN, "data"),
    Output(ids.PDCA_NOTITIES, "children"),
    Output(ids.PDCA_HISTORIE, "children"),
    Input(ids.PDCA_PEILDATUM, "value"),
    Input(ids.PDCA_VERSIE, "data"),
    prevent_initial_call=True,
)
def show_session(peildatum_iso: str, _versie: int) -> tuple:
    """Signals, notes and history for the chosen session (again after a note is saved)."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    notes = note_rows(data, notes_for(state_path(), peildatum))
    return rounded_rows(SIGNAL_COLUMNS, signal_rows(data, peildatum)), _notes_view(notes), _history(peildatum)


@callback(
    Output(ids.PDCA_VERSIE, "data"),
    Output(ids.PDCA_MELDING, "children"),
    Output(ids.PDCA_NOTITIE, "value"),
    Input(ids.PDCA_OPSLAAN, "n_clicks"),
    State(ids.PDCA_PEILDATUM, "value"),
    State(ids.PDCA_INDICATOR, "value"),
    State(ids.PDCA_GEBIED, "value"),
    State(ids.PDCA_FASE, "value"),
    State(ids.PDCA_NOTITIE, "value"),
    State(ids.PDCA_BESLUIT, "value"),
    State(ids.PDCA_EIGENAAR, "value"),
    State(ids.PDCA_DEADLINE, "value"),
    State(ids.PDCA_VERSIE, "data"),
    prevent_initial_call=True,
)
def save_note(_clicks: int, peildatum_iso: str, indicator: str, gebied: str, fase: str, notitie: str | None,
              besluit: str | None, eigenaar: str | None, deadline: str | None, versie: int) -> tuple:
    """Store the note; show the reason in Dutch when it cannot be stored."""
    if not has_right("notities"):
        return dash.no_update, message("Uw rol mag notities lezen, niet schrijven.", "danger"), dash.no_update
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    try:
        due = date.fromisoformat(deadline) if deadline else None
        add_note(state_path(), Note(peildatum, indicator or "", gebied or "", fase or "", notitie or "", besluit or "",
                                    eigenaar or "", due))
    except ValueError:
        return dash.no_update, message("De deadline is geen geldige datum.", "danger"), dash.no_update
    except NoteRejected as error:
        return dash.no_update, message(f"Niet opgeslagen: {error}.", "danger"), dash.no_update
    except WijkmonitorError as error:
        return dash.no_update, message(f"Niet opgeslagen: {error}", "danger"), dash.no_update
    return (versie or 0) + 1, message("Notitie opgeslagen.", "success"), ""


@callback(
    Output(ids.PDCA_DOWNLOAD, "data"),
    Input(ids.PDCA_EXPORT_XLSX, "n_clicks"),
    Input(ids.PDCA_EXPORT_HTML, "n_clicks"),
    State(ids.PDCA_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def export_session(_xlsx: int | None, _html: int | None, peildatum_iso: str) -> dict:
    """The session's signals and notes as Excel or printable HTML."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    signals = signal_rows(data, peildatum)
    notes = note_rows(data, notes_for(state_path(), peildatum))
    name = f"pdca_sessie_{peildatum.isoformat()}"
    if dash.ctx.triggered_id == ids.PDCA_EXPORT_HTML:
        return dcc.send_string(session_html(data, peildatum, signals, notes), f"{name}.html")
    return dcc.send_bytes(xlsx_bytes({"Signalen": (SIGNAL_COLUMNS, signals), "Notities": (NOTE_COLUMNS, notes)}), f"{name}.xlsx")
