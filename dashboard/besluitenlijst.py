"""The minutes (besluitenlijst) of one PDCA session as PDF (WeasyPrint) and Excel.

A session is a peildatum. Its minutes hold the signals discussed (those an action was made for), the
decisions taken, the actions of the session with owner, due date and status, and the open actions of
earlier sessions that came back (overdue ones marked). Made from the published store (names) and the
actions store only; every user text is escaped.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from dashboard.acties import Actie, actions_of, carried_over
from dashboard.data import Published
from dashboard.format import format_date

FICTIEF_TEXT = "fictieve demogegevens"
ACTION_HEADERS = ("Nr.", "Indicator", "Gebied", "Signaal", "Actie", "Besluit", "Eigenaar", "Deadline", "Status",
                  "Auteur", "Laatst gewijzigd")


def nl_date(value: date | None) -> str:
    """A date as dd-mm-jjjj (the form the PDCA page shows and accepts), '–' when absent."""
    return value.strftime("%d-%m-%Y") if value else "–"


def nl_datetime(value: datetime) -> str:
    """A moment as dd-mm-jjjj uu:mm."""
    return value.strftime("%d-%m-%Y %H:%M")


def is_fictitious(data: Published) -> bool:
    """True when the published store says its figures are generated demo data."""
    meta = data.tables.get("meta")
    if meta is None or meta.is_empty():
        return False
    return dict(zip(meta["sleutel"].to_list(), meta["waarde"].to_list(), strict=True)).get("fictieve_demogegevens") == "ja"


@dataclass(frozen=True)
class Besluitenlijst:
    """Everything the minutes of one session show."""

    gemeente: str
    peildatum: date
    gemaakt_op: datetime
    fictief: bool
    acties: list[dict]  # made in this session (rows as action_row gives them)
    overgenomen: list[dict]  # still open from earlier sessions

    @property
    def signalen(self) -> list[dict]:
        """The signals discussed: one per (indicator, gebied, signal) an action of this session was made for."""
        seen: dict[tuple, dict] = {}
        for row in self.acties:
            if row["signaal"]:
                seen.setdefault((row["indicator"], row["gebied"], row["signaal"]), row)
        return list(seen.values())

    @property
    def besluiten(self) -> list[dict]:
        return [row for row in self.acties + self.overgenomen if row["besluit"]]


def action_row(data: Published, actie: Actie, vandaag: date) -> dict:
    """An action as readable texts (names instead of codes), plus its deadline as a date."""
    naam = data.indicators[actie.indicator].naam if actie.indicator in data.indicators else actie.indicator
    status = actie.status + (" – te laat" if actie.te_laat(vandaag) else "")
    return {
        "nr": actie.id, "indicator": naam, "gebied": data.area_name(actie.gebiedcode) or actie.gebiedcode,
        "signaal": actie.signaal, "omschrijving": actie.omschrijving, "besluit": actie.besluit,
        "eigenaar": actie.eigenaar, "deadline": actie.deadline, "deadline_tekst": nl_date(actie.deadline),
        "status": status, "te_laat": actie.te_laat(vandaag), "auteur": actie.auteur, "sessie": actie.sessie,
        "gewijzigd": f"{nl_datetime(actie.gewijzigd_op)} door {actie.gewijzigd_door}",
    }


def build(data: Published, state: Path, peildatum: date, now: datetime | None = None) -> Besluitenlijst:
    """The minutes of the session of `peildatum`."""
    now = now or datetime.now()
    _code, gemeente = data.gemeente()
    return Besluitenlijst(
        gemeente, peildatum, now, is_fictitious(data),
        [action_row(data, a, now.date()) for a in actions_of(state, peildatum)],
        [action_row(data, a, now.date()) for a in carried_over(state, peildatum)],
    )


def filename(peildatum: date, extension: str) -> str:
    return f"wijkmonitor_besluitenlijst_{peildatum.isoformat()}.{extension}"


def _cells(row: dict) -> list[str]:
    return [str(row["nr"]), row["indicator"], row["gebied"], row["signaal"], row["omschrijving"], row["besluit"],
            row["eigenaar"], row["deadline_tekst"], row["status"], row["auteur"], row["gewijzigd"]]


# ---------------------------------------------------------------- PDF

_CSS = """
@page { size: A4 landscape; margin: 1.6cm 1.4cm 1.8cm;
        @bottom-left { content: "BRON"; font: 8pt "DejaVu Sans", sans-serif; color: #444; }
        @bottom-right { content: "pagina " counter(page) " van " counter(pages); font: 8pt "DejaVu Sans", sans-serif;
                        color: #444; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #1a1a1a; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; }
p.sub { margin: 0 0 2pt; } p.fictief { font-weight: bold; border: 1pt solid #1a1a1a; padding: 3pt 6pt; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; } thead { display: table-header-group; }
th, td { border: 0.5pt solid #888; padding: 3pt; text-align: left; vertical-align: top; white-space: pre-wrap;
         overflow-wrap: break-word; font-size: 8.5pt; }
td.datum { white-space: nowrap; }
th { background: #eeeeee; overflow-wrap: normal; } tr { break-inside: avoid; } td.te-laat { font-weight: bold; }
"""


# Relative column widths, so long texts wrap inside the page instead of running off it.
_WIDTHS = {"Nr.": 3, "Sessie": 9, "Indicator": 11, "Gebied": 8, "Signaal": 13, "Actie": 15, "Besluit": 12, "Eigenaar": 8,
           "Deadline": 9, "Status": 7, "Auteur": 7, "Laatst gewijzigd": 9}
_DATE_HEADERS = ("Sessie", "Deadline")  # never broken inside a date


def _table(headers: tuple[str, ...], rows: list[list[str]], late: list[bool] | None = None) -> str:
    total = sum(_WIDTHS[h] for h in headers)
    cols = "".join(f'<col style="width:{100 * _WIDTHS[h] / total:.1f}%">' for h in headers)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)

    def cell(text: str, header: str, late_status: bool) -> str:
        kind = "te-laat" if late_status and header == "Status" else "datum" if header in _DATE_HEADERS else ""
        return f'<td class="{kind}">{html.escape(text or "")}</td>' if kind else f"<td>{html.escape(text or '')}</td>"

    body = "".join(
        "<tr>" + "".join(cell(c, headers[x], bool(late and late[y])) for x, c in enumerate(cells)) + "</tr>"
        for y, cells in enumerate(rows)
    )
    return f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def minutes_html(minutes: Besluitenlijst) -> str:
    """The minutes as one HTML document for WeasyPrint."""
    title = f"Besluitenlijst PDCA-sessie peildatum {format_date(minutes.peildatum)}"
    source = f"Wijkmonitor Sociaal Domein, gemeente {minutes.gemeente} · gemaakt op {nl_datetime(minutes.gemaakt_op)}"
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="sub">{html.escape(source)}</p>',
    ]
    if minutes.fictief:
        parts.append(f'<p class="fictief">Let op: {FICTIEF_TEXT}. Deze cijfers beschrijven geen echte inwoners.</p>')
    parts.append("<h2>Besproken signalen</h2>")
    parts.append(_table(("Indicator", "Gebied", "Signaal"), [[r["indicator"], r["gebied"], r["signaal"]]
                                                           for r in minutes.signalen])
                 if minutes.signalen else "<p>Geen signalen besproken (geen actie bij een signaal vastgelegd).</p>")
    parts.append("<h2>Besluiten</h2>")
    parts.append(_table(("Nr.", "Indicator", "Gebied", "Besluit"), [[str(r["nr"]), r["indicator"], r["gebied"], r["besluit"]]
                                                                    for r in minutes.besluiten])
                 if minutes.besluiten else "<p>Geen besluiten vastgelegd.</p>")
    parts.append("<h2>Acties van deze sessie</h2>")
    parts.append(_table(ACTION_HEADERS, [_cells(r) for r in minutes.acties], [r["te_laat"] for r in minutes.acties])
                 if minutes.acties else "<p>In deze sessie zijn geen acties vastgelegd.</p>")
    parts.append("<h2>Openstaande acties uit eerdere sessies</h2>")
    carried = [[nl_date(r["sessie"]), *_cells(r)] for r in minutes.overgenomen]
    parts.append(_table(("Sessie", *ACTION_HEADERS), carried, [r["te_laat"] for r in minutes.overgenomen])
                 if carried else "<p>Geen openstaande acties uit eerdere sessies.</p>")
    css = _CSS.replace("BRON", source.replace("\\", "").replace('"', "'").replace("<", ""))
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>{css}</style></head><body>{"".join(parts)}</body></html>')


def pdf_bytes(minutes: Besluitenlijst) -> bytes:
    """The minutes as a tagged PDF, made the same way as the council report (fetching nothing)."""
    from dashboard.rapport.render import pdf_from_html  # imported here: loading Pango takes a moment

    return pdf_from_html(minutes_html(minutes), "")


# ---------------------------------------------------------------- Excel

def xlsx_bytes(minutes: Besluitenlijst) -> bytes:
    """The minutes as a workbook: Toelichting, Acties, Eerdere acties, Besproken signalen; numbers and dates typed."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as workbook:
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        datum = workbook.add_format({"num_format": "dd-mm-yyyy", "valign": "top"})
        moment = workbook.add_format({"num_format": "dd-mm-yyyy hh:mm", "valign": "top"})

        def action_sheet(name: str, rows: list[dict], with_session: bool) -> None:
            sheet = workbook.add_worksheet(name)
            headers = (("Sessie",) if with_session else ()) + ACTION_HEADERS
            sheet.write_row(0, 0, headers, bold)
            for y, row in enumerate(rows, start=1):
                x = 0
                if with_session:
                    sheet.write_datetime(y, 0, datetime.combine(row["sessie"], datetime.min.time()), datum)
                    x = 1
                sheet.write_number(y, x, row["nr"])
                for offset, key in enumerate(("indicator", "gebied", "signaal", "omschrijving", "besluit", "eigenaar"), 1):
                    sheet.write_string(y, x + offset, row[key], wrap)
                if row["deadline"]:
                    sheet.write_datetime(y, x + 7, datetime.combine(row["deadline"], datetime.min.time()), datum)
                else:
                    sheet.write_blank(y, x + 7, None)
                sheet.write_string(y, x + 8, row["status"], wrap)
                sheet.write_string(y, x + 9, row["auteur"], wrap)
                sheet.write_string(y, x + 10, row["gewijzigd"], wrap)
            sheet.set_column(0, len(headers) - 1, 18)
            sheet.freeze_panes(1, 0)

        about = workbook.add_worksheet("Toelichting")
        about.set_column(0, 0, 24)
        about.set_column(1, 1, 80)
        lines = [("Besluitenlijst", f"PDCA-sessie peildatum {format_date(minutes.peildatum)}"),
                 ("Gemeente", minutes.gemeente), ("Bron", "Wijkmonitor Sociaal Domein (gepubliceerde cijfers en actielijst)")]
        for y, (label, text) in enumerate(lines):
            about.write_string(y, 0, label, bold)
            about.write_string(y, 1, text, wrap)
        about.write_string(len(lines), 0, "Gemaakt op", bold)
        about.write_datetime(len(lines), 1, minutes.gemaakt_op.replace(microsecond=0), moment)
        if minutes.fictief:
            about.write_string(len(lines) + 1, 0, "Let op", bold)
            about.write_string(len(lines) + 1, 1, FICTIEF_TEXT, bold)
        action_sheet("Acties", minutes.acties, with_session=False)
        action_sheet("Eerdere acties", minutes.overgenomen, with_session=True)
        signals = workbook.add_worksheet("Besproken signalen")
        signals.write_row(0, 0, ("Indicator", "Gebied", "Signaal"), bold)
        for y, row in enumerate(minutes.signalen, start=1):
            signals.write_row(y, 0, (row["indicator"], row["gebied"], row["signaal"]), wrap)
        signals.set_column(0, 2, 40)
    return buffer.getvalue()
