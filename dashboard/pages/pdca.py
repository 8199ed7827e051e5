"""PDCA-sessie: the programme team's workflow for one peildatum.

Signals (dashboard/signals.py) -> an action started from a signal (pre-filled) -> changes with status, owner and
due date, every change kept with its author (dashboard/acties.py) -> open actions come back in the next session
-> the minutes (besluitenlijst) as PDF and Excel (dashboard/besluitenlijst.py). ?peildatum=YYYY-MM-DD opens a session.
"""

from __future__ import annotations

import re
from datetime import date

import dash
import dash_bootstrap_components as dbc
import polars as pl
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import besluitenlijst, ids
from dashboard.acties import (
    MAX_OWNER, MAX_TEXT, STATUSSEN, Actie, ActionRejected, Invoer, action, actions_of, add_action, carried_over,
    earlier_sessions, history, may_edit, update_action,
)
from dashboard.besluitenlijst import nl_date, nl_datetime
from dashboard.components import (
    PAGE_SIZE, Pager, area_choice, dropdown, follow_gemeente, guarded, indicator_options, labelled, message, page_bounds, pager,
    pager_state, parse_date, peildatum_options, state_path, status_badge, store,
)
from dashboard.data import Published
from dashboard.format import display_number, format_date
from dashboard.security import current_role, current_user, has_right
from dashboard.signals import BUITEN_MARGE, GROTE_BEWEGING, KINDS, SIGNIFICANT_SLECHTER, signals
from core.errors import WijkmonitorError

dash.register_page(__name__, path="/pdca", name="PDCA-sessie", title="PDCA-sessie · Wijkmonitor", order=4)

KIND_LABELS = {
    BUITEN_MARGE: "Buiten de corridor",
    SIGNIFICANT_SLECHTER: "Significant slechter dan de nulmeting",
    GROTE_BEWEGING: "Grootste bewegingen sinds de vorige peildatum",
}
# Action statuses as colour + symbol + word (text contrast at least 4.5:1).
ACTION_STYLE = {
    "open": ("#ffffff", "#1a1a1a", "○"),
    "lopend": ("#deebf7", "#08306b", "◐"),
    "afgerond": ("#08519c", "#ffffff", "✓"),
    "vervallen": ("#e6e6e6", "#1a1a1a", "✕"),
}
LATE_STYLE = ("#a63603", "#ffffff", "!")
DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
SAVED = "Actie opgeslagen."
NEW_TITLE = "Nieuwe actie"
SIGNALEN_PAGINAS = Pager(ids.PDCA_SIGNALEN_PAGINAS)


def parse_dutch_date(text: str | None) -> date | None:
    """'31-03-2026' -> date(2026, 3, 31); empty -> None; anything else -> ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    match = DUTCH_DATE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


def signal_text(row: dict) -> str:
    """The signal as one line, kept with the action: kind, indicator, area, value and change."""
    return (f"{row['signaal']}: {row['naam']}, {row['gebiedsnaam']}: {row['waarde_tekst']} "
            f"({row['verschil_tekst']} t.o.v. nulmeting)")


def _signal_key(indicator: str, gebiedcode: str) -> str:
    return f"{indicator}|{gebiedcode}"


def _kinds(values: list[str] | None) -> tuple[str, ...]:
    return tuple(k for k in KINDS if k in (values or []))


def _signal_frame(data: Published, peildatum: date, kinds: tuple[str, ...]) -> pl.DataFrame | None:
    return signals(data, peildatum, kinds) if kinds else None


def _signals_view(data: Published, peildatum: date, kinds: tuple[str, ...], can_write: bool, page: int = 0) -> html.Div:
    """The ranked signals as an accessible table, one page (SIGNALEN_PAGINAS) at a time; each row can start an
    action and names the actions it has."""
    frame = _signal_frame(data, peildatum, kinds)
    if frame is None or frame.is_empty():
        return html.P("Geen signalen van de gekozen soort op deze peildatum.")
    handled: dict[tuple[str, str], list[int]] = {}
    for actie in actions_of(state_path(), peildatum):
        handled.setdefault((actie.indicator, actie.gebiedcode), []).append(actie.id)
    counts = {k: frame["soorten"].list.contains(k).sum() for k in kinds}
    summary = f"{display_number(frame.height, 0)} signalen: " + ", ".join(f"{display_number(n, 0)} {k}" for k, n in counts.items())
    page, start, stop = page_bounds(frame.height, page)
    paged = f" (signalen {display_number(start + 1, 0)}–{display_number(stop, 0)})" if frame.height > PAGE_SIZE else ""
    head = ["Nr.", "Signaal", "Indicator", "Gebied", "Waarde", "t.o.v. nulmeting", "t.o.v. vorige", "Status"]
    rows = []
    for row in frame.slice(start, stop - start).iter_rows(named=True):
        texts = [row["rang"], row["signaal"], row["naam"], f"{row['gebiedsnaam']} ({row['niveau']})", row["waarde_tekst"],
                 row["verschil_tekst"], row["vorige_tekst"]]
        # figures keep their unit on one line; the changes may wrap ("procentpunt") so the table fits at 1366 px
        cells = [html.Td(text, className="text-end text-nowrap" if x in (0, 4) else "text-end" if x in (5, 6) else None,
                         **{"data-label": head[x]})
                 for x, text in enumerate(texts)]
        cells.append(html.Td(status_badge(row["status"]), className="text-nowrap", **{"data-label": "Status"}))
        ids_here = handled.get((row["indicator"], row["gebiedcode"]), [])
        done = html.Span(("✓ actie " if len(ids_here) == 1 else "✓ acties ") + ", ".join(map(str, ids_here)),
                         className="small d-block text-nowrap") if ids_here else None
        if can_write:
            cells.append(html.Td([done, html.Button(
                "Actie maken", id={"type": ids.PDCA_SIGNAAL_KNOP, "index": _signal_key(row["indicator"], row["gebiedcode"])},
                className="btn btn-sm btn-outline-primary text-nowrap", type="button",
                **{"aria-label": f"Actie maken bij signaal {row['rang']}: {row['naam']}, {row['gebiedsnaam']}"})],
                **{"data-label": "Actie"}))
        elif done:
            cells.append(html.Td(done, **{"data-label": "Actie"}))
        else:
            cells.append(html.Td("–", **{"data-label": "Actie"}))
        rows.append(html.Tr(cells))
    head.append("Actie")
    return html.Div([
        html.P(summary, className="small mb-1"),
        html.Div(html.Table([
            html.Caption(f"Signalen op {format_date(peildatum)}, ernstigste eerst{paged}", className="visually-hidden"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody(rows),
        ], className="table table-sm pdca-tabel"), className="table-responsive", role="region", tabIndex=0,
            **{"aria-label": "Signalen"}),
    ])


def _badge(style: tuple[str, str, str], word: str) -> html.Span:
    background, colour, symbol = style
    return html.Span([html.Span(symbol, **{"aria-hidden": "true"}), f" {word}"], className="status-badge me-1",
                     style={"backgroundColor": background, "color": colour, "border": "1px solid #595959"})


def _action_card(data: Published, actie: Actie, today: date, can_edit: bool, show_session: bool) -> html.Article:
    """One action: what, who, when, status (and 'te laat'), its history, and a change button for who may."""
    naam = data.indicators[actie.indicator].naam if actie.indicator in data.indicators else actie.indicator
    gebied = data.area_name(actie.gebiedcode) or actie.gebiedcode
    badges = [_badge(ACTION_STYLE[actie.status], actie.status)]
    if actie.te_laat(today):
        badges.append(_badge(LATE_STYLE, "te laat"))
    facts = [("Eigenaar", actie.eigenaar or "–"), ("Deadline", nl_date(actie.deadline)),
             ("Besluit", actie.besluit or "–"), ("Signaal", actie.signaal or "–"),
             ("Vastgelegd door", f"{actie.auteur} op {nl_datetime(actie.aangemaakt_op)}"),
             ("Laatst gewijzigd", f"{actie.gewijzigd_door} op {nl_datetime(actie.gewijzigd_op)} (versie {actie.versie})")]
    if show_session:
        facts.insert(0, ("Sessie", format_date(actie.sessie)))
    changes = history(state_path(), actie.id) if actie.versie > 1 else []
    return html.Article([
        html.H3([f"Actie {actie.id}: {naam}, {gebied} ", *badges], className="h6"),
        html.P(actie.omschrijving, className="notitie-tekst mb-1"),
        html.Dl([part for label, text in facts for part in (html.Dt(label, className="col-sm-3 col-lg-2"),
                                                            html.Dd(text, className="col-sm-9 col-lg-10 mb-0 notitie-tekst"))],
                className="row small mb-1"),
        html.Details([
            html.Summary(f"Geschiedenis ({actie.versie} versie{'s' if actie.versie > 1 else ''})"),
            html.Ol([html.Li(f"{nl_datetime(w.op)} · {w.door} (sessie {format_date(w.sessie)}): {w.status}, "
                             f"eigenaar {w.eigenaar or '–'}, deadline {nl_date(w.deadline)}"
                             + (f", besluit: {w.besluit}" if w.besluit else "") + f" — {w.omschrijving}",
                             className="notitie-tekst") for w in changes], className="small"),
        ], className="mb-1") if changes else None,
        html.Button("Wijzigen", id={"type": ids.PDCA_WIJZIG_KNOP, "index": actie.id}, type="button",
                    className="btn btn-sm btn-outline-secondary no-print", **{"aria-label": f"Actie {actie.id} wijzigen"})
        if can_edit else None,
    ], className="actie border rounded p-2 mb-2" + (" actie-te-laat" if actie.te_laat(today) else ""))


def _author() -> str:
    """The signed-in user's name, as recorded with every change ('' outside a request)."""
    user = current_user()
    return user.name if user else ""


def _actions_view(data: Published, acties: list[Actie], empty: str, show_session: bool) -> html.Div:
    if not acties:
        return html.P(empty)
    today = date.today()
    user, role = _author(), current_role()
    late = sum(1 for a in acties if a.te_laat(today))
    note = [html.P(f"{late} van de {len(acties)} acties zijn over hun deadline.", className="fw-semibold")] if late else []
    return html.Div(note + [_action_card(data, a, today, has_right("notities") and may_edit(a, user, role), show_session)
                            for a in acties])


def _session_views(data: Published, peildatum: date) -> tuple[html.Div, html.Div]:
    state = state_path()
    return (_actions_view(data, actions_of(state, peildatum), "Nog geen acties in deze sessie.", False),
            _actions_view(data, carried_over(state, peildatum), "Geen openstaande acties uit eerdere sessies.", True))


def _history(peildatum: date) -> html.Div:
    """Links to the sessions before this one."""
    earlier = earlier_sessions(state_path(), peildatum)
    if not earlier:
        return html.P("Geen eerdere sessies met acties.")
    return html.Ul([
        html.Li([dcc.Link(f"Sessie {format_date(s.peildatum)}", href=f"/pdca?peildatum={s.peildatum.isoformat()}"),
                 f" — {s.acties} nieuwe actie{'' if s.acties == 1 else 's'}, laatst gewijzigd {nl_datetime(s.laatst_gewijzigd)}"])
        for s in earlier
    ])


def _form(data: Published) -> dbc.Card:
    gemeente, _naam = data.gemeente()
    return dbc.Card(dbc.CardBody([
        html.H2(NEW_TITLE, id=ids.PDCA_FORMULIER_TITEL, className="h5"),
        html.P("Kies hierboven ‘Actie maken’ bij een signaal, of kies zelf een indicator en gebied.",
               className="small"),
        html.P(id=ids.PDCA_SIGNAAL_TEKST, className="small fw-semibold", **{"aria-live": "polite"}),
        html.Div([
            labelled("Indicator", dropdown(ids.PDCA_INDICATOR, indicator_options(data), next(iter(data.indicators))),
                     ids.PDCA_INDICATOR),
            *area_choice(data, ids.PDCA_GEMEENTE, ids.PDCA_GEBIED, "Gebied", gemeente, gemeente),
        ], className="controls"),
        labelled("Actie (wat gaan we doen?)", dbc.Textarea(id=ids.PDCA_OMSCHRIJVING, rows=3, maxLength=MAX_TEXT),
                 ids.PDCA_OMSCHRIJVING),
        labelled("Besluit", dbc.Textarea(id=ids.PDCA_BESLUIT, rows=2, maxLength=MAX_TEXT), ids.PDCA_BESLUIT),
        html.Div([
            labelled("Eigenaar", dbc.Input(id=ids.PDCA_EIGENAAR, type="text", maxLength=MAX_OWNER), ids.PDCA_EIGENAAR),
            html.Div([
                html.Label("Deadline (dd-mm-jjjj)", htmlFor=ids.PDCA_DEADLINE, className="form-label fw-semibold"),
                dbc.Input(id=ids.PDCA_DEADLINE, type="text", inputMode="numeric", placeholder="dd-mm-jjjj",
                          maxLength=10, autoComplete="off"),
            ], className="control mb-2"),
        ], className="controls"),
        html.Fieldset([html.Legend("Status", className="form-label fw-semibold fs-6"),
                       dbc.RadioItems(id=ids.PDCA_STATUS, options=[{"label": s, "value": s} for s in STATUSSEN],
                                      value="open", inline=True)]),
        dbc.Button("Actie opslaan", id=ids.PDCA_OPSLAAN, color="primary", className="mt-2 me-2"),
        dbc.Button("Formulier leegmaken", id=ids.PDCA_LEEGMAKEN, color="secondary", outline=True, className="mt-2"),
        html.Div(id=ids.PDCA_MELDING, className="mt-2", role="status", **{"aria-live": "polite"}),
        dcc.Store(id=ids.PDCA_BEWERKT, data=None),
        dcc.Store(id=ids.PDCA_SIGNAAL, data=""),
    ]), id=ids.PDCA_FORMULIER, className="no-print mb-3")


@guarded
def layout(peildatum: str | None = None, **_: object) -> html.Div:
    """The session page; ?peildatum=YYYY-MM-DD opens the session of that peildatum."""
    data = store()
    notices = []
    if peildatum is not None and parse_date(peildatum, data) is None:
        notices.append(message(f"Peildatum '{peildatum}' komt niet voor; de laatste peildatum wordt getoond."))
    chosen = parse_date(peildatum, data) or data.latest
    can_write = has_right("notities")
    acties, overgenomen = _session_views(data, chosen)
    return html.Div([
        dcc.Location(id=ids.PDCA_URL, refresh="callback-nav"),
        html.H1(f"PDCA-sessie {format_date(chosen)}"),
        *notices,
        html.Div(labelled("Peildatum van de sessie",
                          dropdown(ids.PDCA_PEILDATUM, peildatum_options(data.peildata), chosen.isoformat()),
                          ids.PDCA_PEILDATUM), className="controls no-print"),
        html.H2("1. Signalen om te bespreken", className="h5 mt-3"),
        html.Fieldset([
            html.Legend("Soort signaal", className="form-label fw-semibold fs-6"),
            dbc.Checklist(id=ids.PDCA_SOORTEN, options=[{"label": KIND_LABELS[k], "value": k} for k in KINDS],
                          value=list(KINDS), inline=True),
        ], className="no-print"),
        html.Div(_signals_view(data, chosen, KINDS, can_write), id=ids.PDCA_SIGNALEN),
        _signal_pager(data, chosen, KINDS, 0),
        html.H2("2. Acties", className="h5 mt-3") if can_write else None,
        _form(data) if can_write else html.P(
            "Uw rol (raad) kan acties lezen; het programmateam legt ze vast.", className="no-print"),
        html.H2("3. Acties van deze sessie", className="h5 mt-3"),
        html.Div(acties, id=ids.PDCA_ACTIES),
        html.H2("4. Openstaande acties uit eerdere sessies", className="h5 mt-3"),
        html.Div(overgenomen, id=ids.PDCA_OVERGENOMEN),
        html.H2("Besluitenlijst", className="h5 mt-3"),
        html.P("Besproken signalen, besluiten en acties met eigenaar, deadline en status.", className="small"),
        html.Div([
            dbc.Button("Besluitenlijst (PDF)", id=ids.PDCA_EXPORT_PDF, color="secondary", outline=True, size="sm",
                       className="me-2"),
            dbc.Button("Besluitenlijst (Excel)", id=ids.PDCA_EXPORT_XLSX, color="secondary", outline=True, size="sm"),
            dcc.Download(id=ids.PDCA_DOWNLOAD),
            html.Div(id=ids.PDCA_EXPORT_MELDING, role="status", **{"aria-live": "polite"}),
        ], className="downloads no-print my-2"),
        html.H2("Eerdere sessies", className="h5 mt-3"),
        html.Div(_history(chosen), id=ids.PDCA_HISTORIE),
        dcc.Store(id=ids.PDCA_VERSIE, data=0),
    ])


@callback(Output(ids.PDCA_URL, "search"), Input(ids.PDCA_PEILDATUM, "value"), prevent_initial_call=True)
def choose_session(peildatum_iso: str | None) -> str:
    """Another peildatum opens that session (in the URL, so it can be shared)."""
    return f"?peildatum={peildatum_iso}" if peildatum_iso else ""


def _signal_count(data: Published, peildatum: date, kinds: tuple[str, ...]) -> int:
    frame = _signal_frame(data, peildatum, kinds)
    return 0 if frame is None else frame.height


def _signal_pager(data: Published, peildatum: date, kinds: tuple[str, ...], page: int) -> html.Nav:
    return pager(SIGNALEN_PAGINAS, _signal_count(data, peildatum, kinds), page, "Signalen", "Pagina's met signalen")


@callback(Output(ids.PDCA_SIGNALEN, "children"), *SIGNALEN_PAGINAS.outputs(), Input(ids.PDCA_SOORTEN, "value"),
          Input(ids.PDCA_VERSIE, "data"), *SIGNALEN_PAGINAS.inputs(), State(ids.PDCA_PEILDATUM, "value"),
          State(SIGNALEN_PAGINAS.page, "data"), prevent_initial_call=True)
def filter_signals(soorten: list[str] | None, _versie: int, _previous: int | None, _next: int | None,
                   peildatum_iso: str | None, page: int | None) -> tuple:
    """The signals of the chosen kinds, a page at a time (again after a save, which may have handled one:
    on the same page)."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    kinds = _kinds(soorten)
    page = SIGNALEN_PAGINAS.turned(page, keep=(ids.PDCA_VERSIE,))
    state = pager_state(_signal_count(data, peildatum, kinds), page, "Signalen")
    return (_signals_view(data, peildatum, kinds, has_right("notities"), state[-1]), *state)


@callback(
    Output(ids.PDCA_ACTIES, "children"),
    Output(ids.PDCA_OVERGENOMEN, "children"),
    Input(ids.PDCA_VERSIE, "data"),
    State(ids.PDCA_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def show_actions(_versie: int, peildatum_iso: str | None) -> tuple:
    """The session's actions and the carried-over ones, again after a save."""
    data = store()
    return _session_views(data, parse_date(peildatum_iso, data) or data.latest)


FORM_FIELDS = (
    Output(ids.PDCA_FORMULIER_TITEL, "children"), Output(ids.PDCA_BEWERKT, "data"), Output(ids.PDCA_SIGNAAL, "data"),
    Output(ids.PDCA_SIGNAAL_TEKST, "children"), Output(ids.PDCA_INDICATOR, "value"),
    Output(ids.PDCA_INDICATOR, "disabled"), Output(ids.PDCA_GEMEENTE, "value"), Output(ids.PDCA_GEMEENTE, "disabled"),
    Output(ids.PDCA_GEBIED, "value"), Output(ids.PDCA_GEBIED, "disabled"),
    Output(ids.PDCA_OMSCHRIJVING, "value"), Output(ids.PDCA_BESLUIT, "value"), Output(ids.PDCA_EIGENAAR, "value"),
    Output(ids.PDCA_DEADLINE, "value"), Output(ids.PDCA_STATUS, "value"),
)


@callback(
    *FORM_FIELDS,
    Output(ids.PDCA_MELDING, "children", allow_duplicate=True),
    Input({"type": ids.PDCA_SIGNAAL_KNOP, "index": ALL}, "n_clicks"),
    Input({"type": ids.PDCA_WIJZIG_KNOP, "index": ALL}, "n_clicks"),
    Input(ids.PDCA_LEEGMAKEN, "n_clicks"),
    State(ids.PDCA_PEILDATUM, "value"),
    State(ids.PDCA_INDICATOR, "value"),
    State(ids.PDCA_GEBIED, "value"),
    prevent_initial_call=True,
)
def fill_form(_signal_clicks, _edit_clicks, _clear, peildatum_iso, indicator, gebied) -> tuple:
    """Sets the form from a signal (pre-filled), from an action (to change it), or empty ('Formulier leegmaken').
    A save empties the form in its own answer: a second request here would race with the signal table that the
    save redraws, and the browser keeps only the last answer of a callback."""
    fired = [t for t in dash.ctx.triggered if t["value"]]
    if not fired:
        raise dash.exceptions.PreventUpdate  # buttons that were just drawn, not clicked
    return form_values(dash.ctx.triggered_prop_ids[fired[0]["prop_id"]], peildatum_iso, indicator, gebied)


def form_values(trigger: object, peildatum_iso: str | None, indicator: str | None, gebied: str | None) -> tuple:
    """The form's values (FORM_FIELDS, then the message) for what was clicked."""
    data = store()
    if isinstance(trigger, dict) and trigger["type"] == ids.PDCA_SIGNAAL_KNOP:
        indicator_id, gebiedcode = trigger["index"].split("|", 1)
        peildatum = parse_date(peildatum_iso, data) or data.latest
        frame = signals(data, peildatum)
        rows = [r for r in frame.iter_rows(named=True) if (r["indicator"], r["gebiedcode"]) == (indicator_id, gebiedcode)]
        if not rows:
            raise dash.exceptions.PreventUpdate
        text = signal_text(rows[0])
        return (f"Nieuwe actie bij signaal {rows[0]['rang']}", None, text, f"Signaal: {text}", indicator_id, False,
                _gemeente_for(data, gebiedcode, gebied), False, gebiedcode, False, "", "", "", "", "open", None)
    if isinstance(trigger, dict) and trigger["type"] == ids.PDCA_WIJZIG_KNOP:
        actie = action(state_path(), int(trigger["index"]))
        if actie is None:
            raise dash.exceptions.PreventUpdate
        return (f"Actie {actie.id} wijzigen", {"id": actie.id, "versie": actie.versie}, actie.signaal,
                f"Signaal: {actie.signaal}" if actie.signaal else "", actie.indicator, True,
                _gemeente_for(data, actie.gebiedcode, gebied), True, actie.gebiedcode, True,
                actie.omschrijving, actie.besluit, actie.eigenaar, nl_date(actie.deadline) if actie.deadline else "",
                actie.status, None)
    return (*empty_form(indicator, gebied), None)


def empty_form(indicator: str | None, gebied: str | None) -> tuple:
    """FORM_FIELDS for a new action; the chosen indicator and area stay as a start for the next one."""
    return (NEW_TITLE, None, "", "", indicator, False, dash.no_update, False, gebied, False, "", "", "", "", "open")


def _gemeente_for(data: Published, gebiedcode: str, shown: str | None) -> object:
    """The gemeente choice for an area the form is filled with: its gemeente, whose areas the Gebied list then shows
    (follow_gemeente); unchanged when the area shown lies in the same gemeente (a city is never asked again) or the
    store no longer has the area."""
    gemeente = data.gemeente_of(gebiedcode)
    return gemeente if gemeente and gemeente != data.gemeente_of(shown or "") else dash.no_update


follow_gemeente(ids.PDCA_GEMEENTE, ids.PDCA_GEBIED, shared=True)  # the form's callbacks set the area too


@callback(
    Output(ids.PDCA_VERSIE, "data"),
    Output(ids.PDCA_MELDING, "children"),
    *(Output(out.component_id, out.component_property, allow_duplicate=True) for out in FORM_FIELDS),
    Input(ids.PDCA_OPSLAAN, "n_clicks"),
    State(ids.PDCA_PEILDATUM, "value"),
    State(ids.PDCA_BEWERKT, "data"),
    State(ids.PDCA_SIGNAAL, "data"),
    State(ids.PDCA_INDICATOR, "value"),
    State(ids.PDCA_GEBIED, "value"),
    State(ids.PDCA_OMSCHRIJVING, "value"),
    State(ids.PDCA_BESLUIT, "value"),
    State(ids.PDCA_EIGENAAR, "value"),
    State(ids.PDCA_DEADLINE, "value"),
    State(ids.PDCA_STATUS, "value"),
    State(ids.PDCA_VERSIE, "data"),
    prevent_initial_call=True,
)
def save_action(_clicks: int, peildatum_iso: str | None, bewerkt: dict | None, signaal: str | None,
                indicator: str | None, gebied: str | None, omschrijving: str | None, besluit: str | None,
                eigenaar: str | None, deadline: str | None, status: str | None, versie: int) -> tuple:
    """Store a new action or a change (as a new version) and empty the form; say why in Dutch when it cannot be
    stored, and keep what was typed."""
    keep_form = (dash.no_update,) * len(FORM_FIELDS)
    if not has_right("notities"):
        return dash.no_update, message("Uw rol mag acties lezen, niet vastleggen.", "danger"), *keep_form
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    try:
        invoer = Invoer(omschrijving or "", status or "", eigenaar or "", parse_dutch_date(deadline), besluit or "")
    except ValueError:
        return (dash.no_update, message("De deadline is geen geldige datum; schrijf dd-mm-jjjj, bijvoorbeeld 31-03-2026.",
                                        "danger"), *keep_form)
    try:
        if bewerkt:
            update_action(state_path(), int(bewerkt["id"]), invoer, _author(), current_role(), peildatum,
                          int(bewerkt["versie"]))
        else:
            if indicator not in data.indicators or data.area_name(gebied or "") is None:
                raise ActionRejected("kies een indicator en een gebied")
            add_action(state_path(), peildatum, indicator, gebied, invoer, _author(), signaal or "")
    except ActionRejected as error:
        return dash.no_update, message(f"Niet opgeslagen: {error}.", "danger"), *keep_form
    except WijkmonitorError as error:
        return dash.no_update, message(f"Niet opgeslagen: {error}", "danger"), *keep_form
    return (versie or 0) + 1, message(SAVED, "success"), *empty_form(indicator, gebied)


# Put the keyboard focus on the action text once the form is filled from a signal or an action.
clientside_callback(
    """function (title) {
        if (title && title !== %r) {
            const field = document.getElementById(%r);
            if (field) { field.scrollIntoView({block: 'center'}); field.focus(); }
        }
        return window.dash_clientside.no_update;
    }""" % (NEW_TITLE, ids.PDCA_OMSCHRIJVING),
    Output(ids.PDCA_FORMULIER, "className"),
    Input(ids.PDCA_FORMULIER_TITEL, "children"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.PDCA_DOWNLOAD, "data"),
    Output(ids.PDCA_EXPORT_MELDING, "children"),
    Input(ids.PDCA_EXPORT_PDF, "n_clicks"),
    Input(ids.PDCA_EXPORT_XLSX, "n_clicks"),
    State(ids.PDCA_PEILDATUM, "value"),
    prevent_initial_call=True,
)
def export_minutes(_pdf: int | None, _xlsx: int | None, peildatum_iso: str | None) -> tuple:
    """The session's besluitenlijst as PDF or Excel."""
    data = store()
    peildatum = parse_date(peildatum_iso, data) or data.latest
    minutes = besluitenlijst.build(data, state_path(), peildatum)
    if dash.ctx.triggered_id == ids.PDCA_EXPORT_PDF:
        try:
            content = besluitenlijst.pdf_bytes(minutes)
        except OSError:  # WeasyPrint loads Pango at first use; without it, say what to install
            return dash.no_update, message("De PDF kan op deze server niet worden gemaakt: Pango ontbreekt "
                                           "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). "
                                           "De besluitenlijst in Excel werkt wel.", "danger")
        return dcc.send_bytes(content, besluitenlijst.filename(peildatum, "pdf")), None
    return dcc.send_bytes(besluitenlijst.xlsx_bytes(minutes), besluitenlijst.filename(peildatum, "xlsx")), None
