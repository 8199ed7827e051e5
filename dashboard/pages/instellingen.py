"""Instellingen: the role beheer edits werkwijzen, begroting and taakstelling, each change with a reason and
kept in the history (indicators/settings.py, beside monitor.toml). The ETL uses the edited sections on its
next run (indicators/config.py load_config); the page says which version the published figures used.
Other roles get a refusal and no controls; every save checks the right again on the server.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import ids
from dashboard.components import config_path, guarded, message, store
from dashboard.data import Published
from dashboard.format import format_date, format_datetime
from dashboard.security import current_role, current_user, has_right
from etl.contract import KOSTEN_WETTEN
from dashboard.settings_text import WET_LABELS, InForce, describe, euros_text, section_of
from indicators import settings
from indicators.config import save_setting
from indicators.settings import SettingRejected
from core.errors import ConfigError, WijkmonitorError

dash.register_page(__name__, path="/instellingen", name="Instellingen", title="Instellingen · Wijkmonitor", order=9)

RIGHT = "instellingen"
AMOUNT_SECTIONS = ("begroting", "taakstelling")
SECTION_TITLES = {"werkwijzen": "Werkwijzen", "begroting": "Begroting", "taakstelling": "Taakstelling"}
NEW_TITLE = "Nieuwe werkwijze"
SAVED = "Opgeslagen als versie {versie}; de cijfers gebruiken deze wijziging na de volgende verwerking."
EURO = re.compile(r"\d{1,3}(\.\d{3})+(,\d{1,2})?|\d+(,\d{1,2})?")
DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


# ---- input in Dutch notation ----

def parse_euros(text: str | None) -> float | None:
    """'1.250.000' or '1250000' or '1.250.000,50' -> euros; empty -> None; anything else (also negative) -> ValueError."""
    text = (text or "").replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    if not text:
        return None
    if not EURO.fullmatch(text):
        raise ValueError(text)
    return float(text.replace(".", "").replace(",", "."))


def parse_dutch_date(text: str | None) -> date:
    """'01-01-2017' -> date(2017, 1, 1); anything else -> ValueError."""
    match = DUTCH_DATE.fullmatch((text or "").strip())
    if match is None:
        raise ValueError(text)
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


def published_version(data: Published) -> tuple[int, datetime | None]:
    """The settings version the published figures were computed with (meta), 0 for monitor.toml alone."""
    meta = dict(zip(data.tables["meta"]["sleutel"].to_list(), data.tables["meta"]["waarde"].to_list()))
    try:
        versie = int(meta.get("instellingen_versie", "0"))
    except ValueError:
        versie = 0
    op = meta.get("instellingen_op") or None
    return versie, datetime.fromisoformat(op) if op else None


def wijk_names(data: Published) -> dict[str, str]:
    """Wijkcode -> name of every published wijk."""
    wijken = data.tables["areas"].filter(data.tables["areas"]["niveau"] == "wijk")
    return dict(zip(wijken["gebiedcode"].to_list(), wijken["gebiedsnaam"].to_list()))


def dom_id(component_id: dict) -> str:
    """The DOM id Dash gives a pattern-matching component (for a label's htmlFor)."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def _author() -> str:
    user = current_user()
    return user.name if user else ""


# ---- views ----

def _status_view(data: Published, in_force: InForce) -> html.Div:
    """Which version the published figures use and whether an edit still waits for the next run."""
    versie, op = published_version(data)
    used = (f"De gepubliceerde cijfers gebruiken versie {versie} van de instellingen ({format_datetime(op)})."
            if versie else "De gepubliceerde cijfers gebruiken monitor.toml zonder wijzigingen uit dit scherm (versie 0).")
    lines = [html.P(used, className="mb-1")]
    current = in_force.version.versie if in_force.version else 0
    if current != versie:
        lines.append(html.P(f"De instellingen staan nu op versie {current}: uw wijziging gaat in bij de volgende "
                            "verwerking (wijkmonitor etl).", className="fw-semibold mb-1"))
    return html.Div(lines)


def _history_view(in_force: InForce, onderdeel: str, names: dict[str, str]) -> html.Div:
    changes = [c for c in in_force.changes if c.onderdeel == onderdeel]
    title = f"Geschiedenis van de {onderdeel}"
    if not changes:
        return html.Details([html.Summary(f"{title} (nog geen wijzigingen; alles uit monitor.toml)")], className="mb-3")
    rows = [html.Tr([html.Td(str(c.versie), className="text-end"), html.Td(format_datetime(c.op), className="text-nowrap"),
                     html.Td(c.door), html.Td(c.reden, className="notitie-tekst"),
                     html.Td(html.Ul([html.Li(line) for line in describe(onderdeel, in_force.before(c), in_force.after(c), names)],
                                     className="mb-0 ps-3"))])
            for c in reversed(changes)]
    return html.Details([
        html.Summary(f"{title} ({len(changes)} wijziging{'en' if len(changes) > 1 else ''})"),
        html.Div(html.Table([
            html.Caption(f"{title}, nieuwste eerst"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Versie", "Wanneer", "Door", "Reden", "Wat is gewijzigd")])),
            html.Tbody(rows),
        ], className="table table-sm"), className="table-responsive", role="region", tabIndex=0,
            **{"aria-label": title}),
    ], className="mb-3")


def _werkwijzen_view(in_force: InForce, names: dict[str, str]) -> html.Div:
    werkwijzen = in_force.werkwijzen()
    source = _source_line(in_force, "werkwijzen")
    if not werkwijzen:
        return html.Div([html.P("Er zijn geen werkwijzen ingesteld."), source])
    rows = [html.Tr([
        html.Th(w["naam"], scope="row"), html.Td(w["omschrijving"], **{"data-label": "Omschrijving"}),
        html.Td(", ".join(names.get(code, f"{code} (niet gepubliceerd)") for code in w["wijken"]), **{"data-label": "Wijken"}),
        html.Td(format_date(w["startdatum"]), className="text-nowrap", **{"data-label": "Startdatum"}),
        html.Td([html.Button("Wijzigen", id={"type": ids.INSTELLINGEN_WW_WIJZIG, "index": w["naam"]}, type="button",
                             className="btn btn-sm btn-outline-secondary me-1 mb-1", title=f"Werkwijze {w['naam']} wijzigen"),
                 html.Button("Verwijderen", id={"type": ids.INSTELLINGEN_WW_VERWIJDER, "index": w["naam"]}, type="button",
                             className="btn btn-sm btn-outline-danger mb-1", title=f"Werkwijze {w['naam']} verwijderen")],
                className="text-nowrap", **{"data-label": "Actie"}),
    ]) for w in werkwijzen]
    return html.Div([
        html.Div(html.Table([
            html.Caption("Werkwijzen in de configuratie", className="visually-hidden"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Naam", "Omschrijving", "Wijken", "Startdatum", "Actie")])),
            html.Tbody(rows),
        ], className="table table-sm werkwijzen-tabel"), className="table-responsive", role="region", tabIndex=0,
            **{"aria-label": "Werkwijzen"}),
        source,
    ])


def _source_line(in_force: InForce, onderdeel: str) -> html.P:
    change = in_force.latest.get(onderdeel)
    if change is None or change.inhoud is None:
        return html.P("Bron: monitor.toml.", className="small")
    return html.P(f"Gewijzigd in dit scherm (versie {change.versie}, {change.door}, {format_datetime(change.op)}); "
                  "dit vervangt de " + onderdeel + " van monitor.toml.", className="small")


def _field(label: str, control: object, control_id: str, hint: str = "") -> html.Div:
    """A labelled control with its error text inside the label (read with the field) and shown below it."""
    return html.Div([
        html.Label([label, html.Span(id=f"{control_id}-fout-label", className="visually-hidden")], htmlFor=control_id,
                   className="form-label fw-semibold"),
        html.Div(hint, className="form-text mt-0 mb-1") if hint else None,
        control,
        html.Div(id=f"{control_id}-fout", className="invalid-feedback d-block", **{"aria-hidden": "true"}),
    ], className="control mb-2")


def _werkwijze_form(names: dict[str, str], codes_in_use: list[str]) -> dbc.Card:
    options = [{"label": naam, "value": code} for code, naam in sorted(names.items(), key=lambda item: item[1])]
    options += [{"label": f"{code} (niet gepubliceerd)", "value": code} for code in codes_in_use if code not in names]
    return dbc.Card(dbc.CardBody([
        html.H3(NEW_TITLE, id=ids.INSTELLINGEN_WW_TITEL, className="h6"),
        _field("Naam", dbc.Input(id=ids.INSTELLINGEN_WW_NAAM, type="text", maxLength=200), ids.INSTELLINGEN_WW_NAAM),
        _field("Omschrijving", dbc.Textarea(id=ids.INSTELLINGEN_WW_OMSCHRIJVING, rows=2, maxLength=2000),
               ids.INSTELLINGEN_WW_OMSCHRIJVING),
        # checkboxes in a fieldset: Dash 4's multi-select dropdown puts focus on an aria-hidden element
        html.Fieldset([
            html.Legend(["Wijken", html.Span(id=f"{ids.INSTELLINGEN_WW_WIJKEN}-fout-label", className="visually-hidden")],
                        className="form-label fw-semibold fs-6 mb-1"),
            dbc.Checklist(id=ids.INSTELLINGEN_WW_WIJKEN, options=options, value=[], className="wijken-keuze"),
            html.Div(id=f"{ids.INSTELLINGEN_WW_WIJKEN}-fout", className="invalid-feedback d-block", **{"aria-hidden": "true"}),
        ], className="control mb-2"),
        _field("Startdatum (dd-mm-jjjj)", dbc.Input(id=ids.INSTELLINGEN_WW_STARTDATUM, type="text", inputMode="numeric",
                                                    placeholder="dd-mm-jjjj", maxLength=10, autoComplete="off"),
               ids.INSTELLINGEN_WW_STARTDATUM),
        _field("Reden van de wijziging", dbc.Textarea(id=ids.INSTELLINGEN_WW_REDEN, rows=2, maxLength=settings.MAX_REASON),
               ids.INSTELLINGEN_WW_REDEN),
        dbc.Button("Opslaan", id=ids.INSTELLINGEN_WW_OPSLAAN, color="primary", className="mt-2 me-2"),
        dbc.Button("Formulier leegmaken", id=ids.INSTELLINGEN_WW_LEEGMAKEN, color="secondary", outline=True, className="mt-2"),
        html.Div(id=ids.INSTELLINGEN_WW_MELDING, className="mt-2", role="status", **{"aria-live": "polite"}),
        dcc.Store(id=ids.INSTELLINGEN_WW_BEWERKT, data=None),
    ]), id=ids.INSTELLINGEN_WW_FORMULIER, className="mb-3")


def _years(in_force: InForce) -> list[int]:
    """The rows of the amount tables: from the nulmeting (or the earliest amount) to next year (or the last amount)."""
    years = {jaar for onderdeel in AMOUNT_SECTIONS for jaar, _wet in in_force.amounts(onderdeel)}
    return list(range(min(years | {in_force.nulmeting_year()}), max(years | {date.today().year}) + 2))


def _amount_id(onderdeel: str, jaar: int, wet: str) -> dict:
    return {"type": f"{ids.INSTELLINGEN_BEDRAG}-{onderdeel}", "index": f"{jaar}|{wet}"}


def _amounts_table(onderdeel: str, years: list[int], texts: dict[tuple[int, str], str],
                   errors: dict[tuple[int, str], str]) -> html.Div:
    """An editable table: one row per year, one column per wet, euros in Dutch notation; errors by the cell."""
    title = SECTION_TITLES[onderdeel]
    rows = []
    for jaar in years:
        cells = [html.Th(str(jaar), scope="row")]
        for wet in KOSTEN_WETTEN:
            component_id = _amount_id(onderdeel, jaar, wet)
            error = errors.get((jaar, wet), "")
            cells.append(html.Td([
                html.Label([f"{title} {jaar}, {WET_LABELS.get(wet, wet)}, in euro",
                            f" — {error}" if error else ""], htmlFor=dom_id(component_id), className="visually-hidden"),
                dbc.Input(id=component_id, type="text", inputMode="decimal", value=texts.get((jaar, wet), ""),
                          invalid=bool(error), autoComplete="off", className="text-end bedrag"),
                html.Div(error, className="invalid-feedback d-block", **{"aria-hidden": "true"}) if error else None,
            ]))
        rows.append(html.Tr(cells))
    return html.Div(html.Table([
        html.Caption(f"{title} per jaar en wet, in euro (leeg: geen bedrag)", className="visually-hidden"),
        html.Thead(html.Tr([html.Th("Jaar", scope="col")] + [html.Th(f"{WET_LABELS.get(w, w)} (€)", scope="col",
                                                                        className="text-end") for w in KOSTEN_WETTEN])),
        html.Tbody(rows),
    ], className="table table-sm bedragen-tabel"), className="table-responsive", role="region", tabIndex=0,
        **{"aria-label": f"{title} per jaar en wet"})


def _amount_section(onderdeel: str, in_force: InForce, names: dict[str, str]) -> html.Section:
    amounts = in_force.amounts(onderdeel)
    explanation = {
        "begroting": "Het budget voor de kosten per kalenderjaar en wet. De realisatie van jaar J is het bedrag van "
                     "de gemeente op peildatum 1 januari J+1.",
        "taakstelling": "De besparing die de raad oplegt, per kalenderjaar en wet. Gehaald in jaar J als "
                        "begroting − realisatie ten minste de taakstelling is.",
    }[onderdeel]
    return html.Section([
        html.H2(SECTION_TITLES[onderdeel], className="h5 mt-4", id=f"kop-{onderdeel}"),
        html.P(explanation + " Schrijf bedragen als 1.250.000 (punt per duizend, komma voor centen); "
               "laat een vak leeg voor geen bedrag.", className="small"),
        html.Div(_amounts_table(onderdeel, _years(in_force), {k: euros_text(v) for k, v in amounts.items()}, {}),
                 id=f"{ids.INSTELLINGEN_BEDRAGEN}-{onderdeel}"),
        html.Div(_source_line(in_force, onderdeel), id=f"{ids.INSTELLINGEN_BEDRAGEN}-{onderdeel}-bron"),
        _field("Reden van de wijziging", dbc.Textarea(id=f"{ids.INSTELLINGEN_REDEN}-{onderdeel}", rows=2,
                                                      maxLength=settings.MAX_REASON), f"{ids.INSTELLINGEN_REDEN}-{onderdeel}"),
        dbc.Button(f"{SECTION_TITLES[onderdeel]} opslaan", id=f"{ids.INSTELLINGEN_OPSLAAN}-{onderdeel}", color="primary",
                   className="mt-1"),
        html.Div(id=f"{ids.INSTELLINGEN_MELDING}-{onderdeel}", className="mt-2", role="status", **{"aria-live": "polite"}),
        html.Div(_history_view(in_force, onderdeel, names), id=f"{ids.INSTELLINGEN_GESCHIEDENIS}-{onderdeel}"),
        _revert_block(onderdeel),
        dcc.Store(id=f"{ids.INSTELLINGEN_STAND}-{onderdeel}", data=in_force.section_version(onderdeel)),
    ], **{"aria-labelledby": f"kop-{onderdeel}"})


@guarded
def layout(**_: object) -> html.Div:
    """The settings page for beheer; a refusal without any control for the other roles."""
    if not has_right(RIGHT):
        return html.Div([html.H1("Instellingen"), message(
            f"Alleen de rol beheer kan de instellingen wijzigen; uw rol ({current_role() or 'onbekend'}) heeft dat "
            "recht niet. Vraag een beheerder als een werkwijze, begroting of taakstelling niet klopt.", "info")])
    data = store()
    in_force = InForce(config_path())
    names = wijk_names(data)
    codes_in_use = sorted({code for w in in_force.werkwijzen() for code in w["wijken"]})
    return html.Div([
        html.H1("Instellingen"),
        html.P("Werkwijzen, begroting en taakstelling. Elke wijziging krijgt een reden en blijft bewaard in de "
               "geschiedenis; een onderdeel dat hier is gewijzigd vervangt dat onderdeel van monitor.toml in zijn "
               "geheel. De cijfers veranderen pas bij de volgende verwerking."),
        html.Div(_status_view(data, in_force), id=ids.INSTELLINGEN_STAND_TEKST, role="status"),
        html.Section([
            html.H2("Werkwijzen", className="h5 mt-4", id="kop-werkwijzen"),
            html.P("Groepen wijken die vanaf een startdatum op een bepaalde manier werken; ze worden vergeleken met "
                   "de andere wijken (verschil-in-verschil).", className="small"),
            html.Div(_werkwijzen_view(in_force, names), id=ids.INSTELLINGEN_WERKWIJZEN),
            _werkwijze_form(names, codes_in_use),
            html.Div(_history_view(in_force, "werkwijzen", names), id=f"{ids.INSTELLINGEN_GESCHIEDENIS}-werkwijzen"),
            _revert_block("werkwijzen"),
            dcc.Store(id=f"{ids.INSTELLINGEN_STAND}-werkwijzen", data=in_force.section_version("werkwijzen")),
        ], **{"aria-labelledby": "kop-werkwijzen"}),
        *(_amount_section(onderdeel, in_force, names) for onderdeel in AMOUNT_SECTIONS),
    ], className="instellingen-pagina")


def _revert_block(onderdeel: str) -> html.Details:
    """'Terug naar monitor.toml': the section's edits end (kept in the history) and monitor.toml's holds again."""
    reason_id = f"{ids.INSTELLINGEN_TERUG_REDEN}-{onderdeel}"
    return html.Details([
        html.Summary(f"{SECTION_TITLES[onderdeel]} terugzetten naar monitor.toml"),
        html.P(f"De {onderdeel} uit monitor.toml gelden dan weer; de wijzigingen uit dit scherm blijven in de "
               "geschiedenis.", className="small mb-1"),
        _field("Reden van het terugzetten", dbc.Textarea(id=reason_id, rows=2, maxLength=settings.MAX_REASON), reason_id),
        dbc.Button("Terug naar monitor.toml", id=f"{ids.INSTELLINGEN_TERUG}-{onderdeel}", color="secondary",
                   outline=True, className="mt-1"),
        html.Div(id=f"{ids.INSTELLINGEN_TERUG_MELDING}-{onderdeel}", className="mt-2", role="status",
                 **{"aria-live": "polite"}),
    ], className="mb-3")


# ---- callbacks ----

@callback(
    Output(ids.INSTELLINGEN_STAND_TEKST, "children"),
    *(Input(f"{ids.INSTELLINGEN_STAND}-{onderdeel}", "data") for onderdeel in ("werkwijzen", *AMOUNT_SECTIONS)),
    prevent_initial_call=True,
)
def show_status(*_versions: int) -> html.Div:
    """The version line again after any save."""
    if not has_right(RIGHT):
        raise dash.exceptions.PreventUpdate
    return _status_view(store(), InForce(config_path()))


WW_FIELDS = (ids.INSTELLINGEN_WW_NAAM, ids.INSTELLINGEN_WW_OMSCHRIJVING, ids.INSTELLINGEN_WW_WIJKEN,
             ids.INSTELLINGEN_WW_STARTDATUM, ids.INSTELLINGEN_WW_REDEN)
WW_ERRORS = tuple(out for field in WW_FIELDS for out in (Output(f"{field}-fout", "children"),
                                                        Output(f"{field}-fout-label", "children")))


@callback(
    Output(ids.INSTELLINGEN_WW_TITEL, "children"), Output(ids.INSTELLINGEN_WW_BEWERKT, "data"),
    Output(ids.INSTELLINGEN_WW_NAAM, "value"), Output(ids.INSTELLINGEN_WW_OMSCHRIJVING, "value"),
    Output(ids.INSTELLINGEN_WW_WIJKEN, "value"), Output(ids.INSTELLINGEN_WW_STARTDATUM, "value"),
    Output(ids.INSTELLINGEN_WW_REDEN, "value"), Output(ids.INSTELLINGEN_WW_OPSLAAN, "children"),
    *(Output(field, "disabled") for field in WW_FIELDS[:4]),
    Output(ids.INSTELLINGEN_WW_MELDING, "children", allow_duplicate=True),
    *(Output(out.component_id, out.component_property, allow_duplicate=True) for out in WW_ERRORS),
    Input({"type": ids.INSTELLINGEN_WW_WIJZIG, "index": ALL}, "n_clicks"),
    Input({"type": ids.INSTELLINGEN_WW_VERWIJDER, "index": ALL}, "n_clicks"),
    Input(ids.INSTELLINGEN_WW_LEEGMAKEN, "n_clicks"),
    Input(f"{ids.INSTELLINGEN_STAND}-werkwijzen", "data"),
    prevent_initial_call=True,
)
def fill_werkwijze_form(_edit, _remove, _clear, _versie) -> tuple:
    """One place that sets the form: a werkwijze to change or remove, or empty (after a save, or on request)."""
    fired = [t for t in dash.ctx.triggered if t["value"] is not None and t["value"] != 0]
    if not fired or not has_right(RIGHT):
        raise dash.exceptions.PreventUpdate  # buttons just drawn, not clicked
    trigger = dash.ctx.triggered_prop_ids[fired[0]["prop_id"]]
    no_errors = ("",) * len(WW_ERRORS)
    if isinstance(trigger, dict):
        found = [w for w in InForce(config_path()).werkwijzen() if w["naam"] == trigger["index"]]
        if not found:
            raise dash.exceptions.PreventUpdate
        w = found[0]
        removing = trigger["type"] == ids.INSTELLINGEN_WW_VERWIJDER
        mode = "verwijder" if removing else "wijzig"
        start = date.fromisoformat(w["startdatum"]).strftime("%d-%m-%Y")
        return (f"Werkwijze {w['naam']} {'verwijderen' if removing else 'wijzigen'}", {"modus": mode, "naam": w["naam"]},
                w["naam"], w["omschrijving"], w["wijken"], start, "", "Verwijderen" if removing else "Opslaan",
                *((removing,) * 4), None, *no_errors)
    keep_message = dash.no_update if trigger == f"{ids.INSTELLINGEN_STAND}-werkwijzen" else None
    return (NEW_TITLE, None, "", "", [], "", "", "Opslaan", False, False, False, False, keep_message, *no_errors)


@callback(
    Output(ids.INSTELLINGEN_WERKWIJZEN, "children"),
    Output(f"{ids.INSTELLINGEN_GESCHIEDENIS}-werkwijzen", "children"),
    Output(f"{ids.INSTELLINGEN_STAND}-werkwijzen", "data"),
    Output(ids.INSTELLINGEN_WW_MELDING, "children"),
    *WW_ERRORS,
    Input(ids.INSTELLINGEN_WW_OPSLAAN, "n_clicks"),
    State(ids.INSTELLINGEN_WW_BEWERKT, "data"),
    *(State(field, "value") for field in WW_FIELDS),
    State(f"{ids.INSTELLINGEN_STAND}-werkwijzen", "data"),
    prevent_initial_call=True,
)
def save_werkwijze(_clicks, bewerkt, naam, omschrijving, wijken, startdatum, reden, gemaakt_op) -> tuple:
    """Add, change or remove one werkwijze as a new settings version; errors by their fields, in Dutch."""
    unchanged = (dash.no_update,) * 3
    if not has_right(RIGHT):
        return (*unchanged, message("Uw rol mag de instellingen niet wijzigen.", "danger"), *("",) * len(WW_ERRORS))
    mode = (bewerkt or {}).get("modus", "nieuw")
    naam, omschrijving, reden = (naam or "").strip(), (omschrijving or "").strip(), (reden or "").strip()
    wijken = [code for code in (wijken or []) if isinstance(code, str)]
    errors: dict[str, str] = {}
    start = None
    if mode != "verwijder":
        if not naam:
            errors[ids.INSTELLINGEN_WW_NAAM] = "Vul een naam in."
        if not omschrijving:
            errors[ids.INSTELLINGEN_WW_OMSCHRIJVING] = "Vul een omschrijving in."
        if not wijken:
            errors[ids.INSTELLINGEN_WW_WIJKEN] = "Kies ten minste één wijk."
        try:
            start = parse_dutch_date(startdatum)
        except ValueError:
            errors[ids.INSTELLINGEN_WW_STARTDATUM] = "Schrijf de startdatum als dd-mm-jjjj, bijvoorbeeld 01-01-2017."
    if not reden:
        errors[ids.INSTELLINGEN_WW_REDEN] = "Vul de reden van de wijziging in."
    field_errors = tuple(text for field in WW_FIELDS for text in (errors.get(field, ""),
                                                                  f" — {errors[field]}" if field in errors else ""))
    if errors:
        return (*unchanged, message(f"Niet opgeslagen: {len(errors)} veld{'en' if len(errors) > 1 else ''} "
                                    "verbeteren (zie hieronder).", "danger"), *field_errors)
    config = config_path()
    current = InForce(config).werkwijzen()
    original = (bewerkt or {}).get("naam")
    entry = None if mode == "verwijder" else {"naam": naam, "omschrijving": omschrijving, "wijken": wijken,
                                              "startdatum": start.isoformat()}
    if mode == "nieuw":
        updated = [*current, entry]
    elif not any(w["naam"] == original for w in current):
        return (*unchanged, message(f"Niet opgeslagen: werkwijze '{original}' bestaat niet meer; laad de pagina "
                                    "opnieuw.", "danger"), *field_errors)
    else:
        updated = [w if w["naam"] != original else entry for w in current if mode != "verwijder" or w["naam"] != original]
    try:
        versie = save_setting(config, "werkwijzen", updated, reden, _author(), int(gemaakt_op or 0))
    except (SettingRejected, ConfigError) as error:
        return (*unchanged, message(f"Niet opgeslagen: {error}.", "danger"), *field_errors)
    except WijkmonitorError as error:
        return (*unchanged, message(f"Niet opgeslagen: {error}", "danger"), *field_errors)
    in_force, names = InForce(config), wijk_names(store())
    return (_werkwijzen_view(in_force, names), _history_view(in_force, "werkwijzen", names),
            in_force.section_version("werkwijzen"), message(SAVED.format(versie=versie), "success"), *field_errors)


def _register_amount_section(onderdeel: str) -> None:
    """The save callback of one amount section (begroting or taakstelling)."""
    title = SECTION_TITLES[onderdeel]
    pattern = {"type": f"{ids.INSTELLINGEN_BEDRAG}-{onderdeel}", "index": ALL}

    reason_id = f"{ids.INSTELLINGEN_REDEN}-{onderdeel}"

    @callback(
        Output(f"{ids.INSTELLINGEN_BEDRAGEN}-{onderdeel}", "children"),
        Output(f"{ids.INSTELLINGEN_BEDRAGEN}-{onderdeel}-bron", "children"),
        Output(f"{ids.INSTELLINGEN_GESCHIEDENIS}-{onderdeel}", "children"),
        Output(f"{ids.INSTELLINGEN_STAND}-{onderdeel}", "data"),
        Output(f"{ids.INSTELLINGEN_MELDING}-{onderdeel}", "children"),
        Output(reason_id, "value"),
        Output(f"{reason_id}-fout", "children"),
        Output(f"{reason_id}-fout-label", "children"),
        Input(f"{ids.INSTELLINGEN_OPSLAAN}-{onderdeel}", "n_clicks"),
        State(pattern, "value"),
        State(reason_id, "value"),
        State(f"{ids.INSTELLINGEN_STAND}-{onderdeel}", "data"),
        prevent_initial_call=True,
    )
    def save_amounts(_clicks, values, reden, gemaakt_op) -> tuple:
        """Store the whole table as a new settings version; errors by their cells (and the reason by its field)."""
        unchanged = (dash.no_update,) * 4
        if not has_right(RIGHT):
            return (*unchanged, message("Uw rol mag de instellingen niet wijzigen.", "danger"), dash.no_update, "", "")
        keys = []
        for state in dash.ctx.states_list[0]:
            jaar, wet = str(state["id"]["index"]).split("|", 1)
            keys.append((int(jaar), wet))
        texts = {key: str(value or "") for key, value in zip(keys, values or [])}
        amounts, errors = {}, {}
        for (jaar, wet), text in texts.items():
            if wet not in KOSTEN_WETTEN:
                continue  # not a column of this table
            try:
                value = parse_euros(text)
            except ValueError:
                errors[(jaar, wet)] = f"‘{text}’ is geen bedrag in euro; schrijf bijvoorbeeld 1.250.000"
                continue
            if value is not None:
                amounts[(jaar, wet)] = value
        config = config_path()
        in_force = InForce(config)
        years = sorted({jaar for jaar, _ in keys}) or _years(in_force)
        if errors:
            first = next(iter(errors))
            return (_amounts_table(onderdeel, years, texts, errors), dash.no_update, dash.no_update, dash.no_update,
                    message(f"Niet opgeslagen: {title} {first[0]}, {WET_LABELS.get(first[1], first[1])}: {errors[first]}"
                            + (f" (en {len(errors) - 1} andere vakken)" if len(errors) > 1 else "") + ".", "danger"),
                    dash.no_update, "", "")
        if amounts == in_force.amounts(onderdeel):
            return (*unchanged, message("Niet opgeslagen: er is niets gewijzigd.", "warning"), dash.no_update, "", "")
        if not (reden or "").strip():
            missing = "Vul de reden van de wijziging in."
            return (*unchanged, message(f"Niet opgeslagen: {missing[0].lower()}{missing[1:]}", "danger"), dash.no_update,
                    missing, f" — {missing}")
        try:
            versie = save_setting(config, onderdeel, section_of(amounts), reden, _author(), int(gemaakt_op or 0))
        except (SettingRejected, ConfigError) as error:
            return (*unchanged, message(f"Niet opgeslagen: {error}.", "danger"), dash.no_update, "", "")
        except WijkmonitorError as error:
            return (*unchanged, message(f"Niet opgeslagen: {error}", "danger"), dash.no_update, "", "")
        in_force, names = InForce(config), wijk_names(store())
        saved = in_force.amounts(onderdeel)
        return (_amounts_table(onderdeel, _years(in_force), {k: euros_text(v) for k, v in saved.items()}, {}),
                _source_line(in_force, onderdeel), _history_view(in_force, onderdeel, names),
                in_force.section_version(onderdeel), message(SAVED.format(versie=versie), "success"), "", "", "")


for _onderdeel in AMOUNT_SECTIONS:
    _register_amount_section(_onderdeel)


def _register_revert(onderdeel: str) -> None:
    """The callback of one section's 'terug naar monitor.toml': a new version with inhoud None, with the same
    right, reason and stale-version checks as every save."""
    view_id = ids.INSTELLINGEN_WERKWIJZEN if onderdeel == "werkwijzen" else f"{ids.INSTELLINGEN_BEDRAGEN}-{onderdeel}"
    reason_id = f"{ids.INSTELLINGEN_TERUG_REDEN}-{onderdeel}"
    extra = [] if onderdeel == "werkwijzen" else [
        Output(f"{ids.INSTELLINGEN_BEDRAGEN}-{onderdeel}-bron", "children", allow_duplicate=True)]

    @callback(
        Output(view_id, "children", allow_duplicate=True),
        *extra,
        Output(f"{ids.INSTELLINGEN_GESCHIEDENIS}-{onderdeel}", "children", allow_duplicate=True),
        Output(f"{ids.INSTELLINGEN_STAND}-{onderdeel}", "data", allow_duplicate=True),
        Output(f"{ids.INSTELLINGEN_TERUG_MELDING}-{onderdeel}", "children"),
        Output(reason_id, "value"),
        Output(f"{reason_id}-fout", "children"),
        Output(f"{reason_id}-fout-label", "children"),
        Input(f"{ids.INSTELLINGEN_TERUG}-{onderdeel}", "n_clicks"),
        State(reason_id, "value"),
        State(f"{ids.INSTELLINGEN_STAND}-{onderdeel}", "data"),
        prevent_initial_call=True,
    )
    def revert(_clicks, reden, gemaakt_op) -> tuple:
        """Back to monitor.toml's section as a new settings version (refused when it already holds)."""
        unchanged = (dash.no_update,) * (3 + len(extra))
        if not has_right(RIGHT):
            return (*unchanged, message("Uw rol mag de instellingen niet wijzigen.", "danger"), dash.no_update, "", "")
        config = config_path()
        in_force = InForce(config)
        change = in_force.latest.get(onderdeel)
        if change is None or change.inhoud is None:
            return (*unchanged, message(f"Niet teruggezet: de {onderdeel} komen al uit monitor.toml.", "warning"),
                    dash.no_update, "", "")
        if not (reden or "").strip():
            missing = "Vul de reden van het terugzetten in."
            return (*unchanged, message(f"Niet teruggezet: {missing[0].lower()}{missing[1:]}", "danger"), dash.no_update,
                    missing, f" — {missing}")
        try:
            versie = save_setting(config, onderdeel, None, reden, _author(), int(gemaakt_op or 0))
        except (SettingRejected, ConfigError) as error:
            return (*unchanged, message(f"Niet teruggezet: {error}.", "danger"), dash.no_update, "", "")
        except WijkmonitorError as error:
            return (*unchanged, message(f"Niet teruggezet: {error}", "danger"), dash.no_update, "", "")
        in_force, names = InForce(config), wijk_names(store())
        if onderdeel == "werkwijzen":
            views = (_werkwijzen_view(in_force, names),)
        else:
            saved = in_force.amounts(onderdeel)
            views = (_amounts_table(onderdeel, _years(in_force), {k: euros_text(v) for k, v in saved.items()}, {}),
                     _source_line(in_force, onderdeel))
        return (*views, _history_view(in_force, onderdeel, names), in_force.section_version(onderdeel),
                message(f"Teruggezet naar monitor.toml als versie {versie}; de cijfers gebruiken dit na de volgende "
                        "verwerking.", "success"), "", "", "")


for _onderdeel in ("werkwijzen", *AMOUNT_SECTIONS):
    _register_revert(_onderdeel)


# Keyboard focus: on the first field that can be edited once the form is filled to change or remove a werkwijze.
clientside_callback(
    """function (title) {
        if (title && title !== %r) {
            const field = [%r, %r].map(id => document.getElementById(id)).find(e => e && !e.disabled);
            if (field) { field.scrollIntoView({block: 'center'}); field.focus(); }
        }
        return window.dash_clientside.no_update;
    }""" % (NEW_TITLE, ids.INSTELLINGEN_WW_NAAM, ids.INSTELLINGEN_WW_REDEN),
    Output(ids.INSTELLINGEN_WW_FORMULIER, "className"),
    Input(ids.INSTELLINGEN_WW_TITEL, "children"),
    prevent_initial_call=True,
)

# Keyboard focus after a refused save: on the first field or cell with an error, so it is read with its message.
clientside_callback(
    """function (message) {
        const fields = [%s].map(id => document.getElementById(id + '-fout'));
        const wrong = fields.find(e => e && e.textContent);
        if (wrong) { const field = document.getElementById(wrong.id.slice(0, -5)); if (field) { field.focus(); } }
        return window.dash_clientside.no_update;
    }""" % ", ".join(repr(field) for field in WW_FIELDS),
    Output(ids.INSTELLINGEN_WW_MELDING, "className"),
    Input(ids.INSTELLINGEN_WW_MELDING, "children"),
    prevent_initial_call=True,
)
for _onderdeel in AMOUNT_SECTIONS:
    clientside_callback(
        """function (table) {
            const section = document.getElementById(%r);
            const wrong = section && section.querySelector('input.is-invalid');
            if (wrong) { wrong.focus(); }
            else if (document.getElementById(%r + '-fout').textContent) { document.getElementById(%r).focus(); }
            return window.dash_clientside.no_update;
        }""" % (f"{ids.INSTELLINGEN_BEDRAGEN}-{_onderdeel}", f"{ids.INSTELLINGEN_REDEN}-{_onderdeel}",
                f"{ids.INSTELLINGEN_REDEN}-{_onderdeel}"),
        Output(f"{ids.INSTELLINGEN_MELDING}-{_onderdeel}", "className"),
        Input(f"{ids.INSTELLINGEN_MELDING}-{_onderdeel}", "children"),
        prevent_initial_call=True,
    )
