"""What the council report shows, selected from the published store for one peildatum.

Everything here is text ready to print (Dutch numbers and dates) or a small frame the charts draw;
the template only lays it out. Every indicator of the registry gets its page, in registry order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

import polars as pl

from core import eenheid, richting, status
from dashboard.components import status_style
from dashboard.data import Indicator, Published
from dashboard.format import (
    MISSING_TEXT, SUPPRESSED_TEXT, format_change, format_date, format_date_short, format_datetime, format_number,
    format_value,
)
from dashboard.rapport.kosten import KostenHoofdstuk, kosten_hoofdstuk
from dashboard.signals import attention_points
from core.errors import UsageError, WijkmonitorError

MISSING_INPUTS_TEXT = status.ONVOLDOENDE_GEGEVENS
AANVULLEND = status.AANVULLEND  # indicator_values.onderdrukking of a cell hidden to protect another cell
MAX_SUMMARY_POINTS = 12  # attention points on the one-page summary; the rest are named on their indicator page
FICTIEF_KEY = "fictieve_demogegevens"

SOORT_TEKST = {
    "enquete": "Enquête (steekproef): de waarde heeft een 95%-betrouwbaarheidsinterval.",
    "register": "Registratie (volledige telling): geen steekproefonzekerheid.",
}


class UnknownPeildatum(UsageError):
    """The asked peildatum is not in the published store."""


@dataclass(frozen=True)
class Status:
    """A status as word, symbol and colours (the dashboard's colour-blind-safe palette)."""

    woord: str
    symbool: str
    achtergrond: str
    tekstkleur: str


def status_of(word: str) -> Status:
    """The printed form of a status word."""
    background, colour, symbol = status_style(word)
    return Status(word, symbol, background, colour)


@dataclass(frozen=True)
class Figure:
    """One published figure as printed: either numbers or the reason there is none (`leeg`)."""

    gebiedcode: str
    gebiedsnaam: str
    niveau: str
    waarde: str
    interval: str
    n: str
    sinds_nulmeting: str
    sinds_vorige: str
    status: Status
    leeg: str | None  # 'onvoldoende waarnemingen' / 'onvoldoende gegevens' (+ why), None when there is a value
    soort_leeg: str | None  # 'onderdrukt' | 'ontbreekt' | None: how charts draw the area
    aandacht: str = ""  # 'aandachtspunt 3' (its rank in the summary), with the signal when the status does not say it


@dataclass(frozen=True)
class AttentionPoint:
    """One attention point (dashboard/signals.py) as printed."""

    rang: int
    indicator: str
    gebiedcode: str
    naam: str
    gebied: str
    waarde: str
    sinds_nulmeting: str
    signaal: str
    status: Status


@dataclass(frozen=True)
class IndicatorSection:
    """Everything on one indicator's page."""

    meta: Indicator
    eenheid: str
    onderdrukking: str  # the primary rule; the complementary suppression is explained once, in the method annex
    richting: str
    soort: str
    corridor: str
    stad: Figure
    rijen: list[Figure]  # gemeente, then each gebied followed by its wijken
    wijken: list[Figure]
    trend: pl.DataFrame  # gemeente rows from the nulmeting up to the peildatum

    @property
    def is_survey(self) -> bool:
        return self.meta.is_survey


@dataclass(frozen=True)
class GebiedAnnex:
    """One gebied in the annex: per indicator the figure of the gebied and of each of its wijken."""

    naam: str
    wijken: list[str]
    rijen: list[tuple[str, list[Figure]]]  # (indicator name, [gebied, wijk, ...])


@dataclass(frozen=True)
class Report:
    """The whole report for one peildatum."""

    gemeente: str
    peildatum: date
    vorige: date | None
    nulmeting: date
    gemaakt: datetime
    gepubliceerd: str
    fictief: bool
    bronregel: str
    indicatoren: list[IndicatorSection]
    aandachtspunten: list[AttentionPoint]
    aandachtspunten_meer: int
    bijlagen: list[GebiedAnnex]
    methode: dict = field(default_factory=dict)
    kosten: KostenHoofdstuk | None = None  # the costs chapter (dashboard/rapport/kosten.py)

    @property
    def peildatum_tekst(self) -> str:
        return format_date(self.peildatum)


def unit_text(code: str) -> str:
    """The unit in words: 'percentage (%)', 'per huishouden', 'per 1.000 inwoners'."""
    return eenheid.words(code)


def choose_peildatum(data: Published, peildatum: date | str | None) -> date:
    """The asked peildatum (ISO text or date) if the store has it, the latest when none is asked."""
    if peildatum is None:
        return data.latest
    available = ", ".join(format_date(p) for p in data.peildata)
    if isinstance(peildatum, str):
        try:
            peildatum = date.fromisoformat(peildatum)
        except ValueError:
            raise UnknownPeildatum(
                f"ongeldige peildatum '{peildatum[:20]}': schrijf JJJJ-MM-DD; beschikbaar: {available}"
            ) from None
    if peildatum not in data.peildata:
        raise UnknownPeildatum(f"peildatum {format_date(peildatum)} staat niet in het gepubliceerde bestand; "
                               f"beschikbaar: {available}")
    return peildatum


def build_report(data: Published, peildatum: date, gemaakt: datetime) -> Report:
    """Select and format everything the report shows for peildatum."""
    gemeentecode, gemeente = data.gemeente()
    earlier = [p for p in data.peildata if p < peildatum]
    meta = _meta(data)
    gepubliceerd = _published_text(meta.get("gepubliceerd_op"))
    points = [_attention(row) for row in attention_points(data, peildatum).iter_rows(named=True)]
    sections = [
        _indicator_section(data, meta, peildatum, gemeentecode, {p.gebiedcode: p for p in points if p.indicator == key})
        for key, meta in data.indicators.items()
    ]
    return Report(
        gemeente=gemeente,
        peildatum=peildatum,
        vorige=earlier[-1] if earlier else None,
        nulmeting=data.nulmeting,
        gemaakt=gemaakt,
        gepubliceerd=gepubliceerd,
        fictief=meta.get(FICTIEF_KEY, "").strip().lower() == "ja",
        bronregel=(f"Bron: Wijkmonitor Sociaal Domein, gemeente {gemeente}; gepubliceerde cijfers van {gepubliceerd}. "
                   "Kaartgrenzen: CBS / Kadaster (CC-BY 4.0)."),
        indicatoren=sections,
        aandachtspunten=points[:MAX_SUMMARY_POINTS],
        aandachtspunten_meer=max(0, len(points) - MAX_SUMMARY_POINTS),
        bijlagen=_gebied_annexes(data, peildatum),
        kosten=kosten_hoofdstuk(data, peildatum),
        methode=_method(data, peildatum, meta),
    )


def figure_of(row: dict, meta: Indicator) -> Figure:
    """A published row as printed; suppressed and missing values as words, never as a number."""
    onderdrukt = bool(row["onderdrukt"])
    leeg = soort_leeg = None
    if onderdrukt:
        leeg, soort_leeg = SUPPRESSED_TEXT, "onderdrukt"
        if (row.get("onderdrukking") or "").lower() == AANVULLEND:
            leeg += " (afgeschermd om een ander cijfer te beschermen)"
    elif row["waarde"] is None:
        reden = row.get("reden")
        leeg, soort_leeg = MISSING_INPUTS_TEXT + (f": {reden}" if reden else ""), "ontbreekt"
    interval = ""
    if meta.is_survey and leeg is None and row["ci_laag"] is not None:
        interval = (f"{format_value(row['ci_laag'], meta.eenheid, meta.decimalen)} – "
                    f"{format_value(row['ci_hoog'], meta.eenheid, meta.decimalen)}")
    return Figure(
        gebiedcode=row["gebiedcode"],
        gebiedsnaam=row["gebiedsnaam"],
        niveau=row["niveau"],
        waarde="" if leeg else format_value(row["waarde"], meta.eenheid, meta.decimalen),
        interval=interval,
        n="" if not meta.is_survey or row["n"] is None or leeg else format_number(row["n"]),
        sinds_nulmeting="" if leeg else format_change(row["verschil_nulmeting"], meta.eenheid, meta.decimalen),
        sinds_vorige="" if leeg else format_change(row["verschil_vorige"], meta.eenheid, meta.decimalen),
        status=status_of(row["status"]),
        leeg=leeg,
        soort_leeg=soort_leeg,
    )


def _indicator_section(data: Published, meta: Indicator, peildatum: date, gemeentecode: str,
                       points: dict[str, AttentionPoint]) -> IndicatorSection:
    """One indicator's page: the city, every gebied with its wijken (attention points marked), the trend."""
    published_rows = data.select(indicator=meta.indicator, peildatum=peildatum)
    rows = {row["gebiedcode"]: row for row in published_rows.iter_rows(named=True)}

    def figure(code: str) -> Figure:
        printed = figure_of(rows[code], meta)
        point = points.get(code)
        if point is None:
            return printed
        extra = "" if point.signaal == point.status.woord else f"{point.signaal}, "
        return replace(printed, aandacht=f"{extra}aandachtspunt {point.rang}")

    ordered: list[Figure] = []
    wijken: list[Figure] = []
    if gemeentecode in rows:
        ordered.append(figure(gemeentecode))
    for gebied in data.areas("gebied", peildatum).iter_rows(named=True):
        if gebied["gebiedcode"] in rows:
            ordered.append(figure(gebied["gebiedcode"]))
        for wijk in _wijken_of(data, gebied["gebiedcode"], peildatum):
            if wijk in rows:
                ordered.append(figure(wijk))
                wijken.append(ordered[-1])
    stad = ordered[0] if ordered and ordered[0].niveau == "gemeente" else _absent(data.gemeente()[1], "gemeente")
    trend = data.select(indicator=meta.indicator, gebiedcode=gemeentecode).filter(
        pl.col("peildatum") <= peildatum
    ).sort("peildatum")
    return IndicatorSection(
        meta=meta,
        eenheid=unit_text(meta.eenheid),
        onderdrukking=split_rule(meta.onderdrukking)[0],
        richting=richting.sentence(meta.richting) or meta.richting,
        soort=SOORT_TEKST.get(meta.soort, meta.soort),
        corridor=corridor_text(data, meta),
        stad=stad,
        rijen=ordered,
        wijken=wijken,
        trend=trend,
    )


def corridor_text(data: Published, meta: Indicator) -> str:
    """The corridor of one indicator in words; a percentage changes in procentpunten."""
    corridor = data.tables["corridor"].filter(pl.col("indicator") == meta.indicator)
    if corridor.is_empty():
        return "Geen corridor ingesteld: elke verslechtering ten opzichte van de nulmeting valt buiten de marge."
    c = corridor.row(0, named=True)
    unit = eenheid.change_label(meta.eenheid)
    return (f"Tijdelijk maximaal {format_number(c['max_verslechtering'], meta.decimalen)} {unit} slechter dan de "
            f"nulmeting tot {format_date(c['marge_tot'])}; daarna lineair terug naar de nulmeting op "
            f"{format_date(c['herstel_op'])}. Reden: {c['reden']}")


def _wijken_of(data: Published, gebiedcode: str, peildatum: date) -> list[str]:
    """Codes of the wijken of a gebied on peildatum, by name."""
    return data.areas("wijk", peildatum).filter(pl.col("bovenliggend") == gebiedcode)["gebiedcode"].to_list()


def _absent(naam: str, niveau: str) -> Figure:
    """A figure that was not published at all (no row in indicator_values)."""
    return Figure(gebiedcode="", gebiedsnaam=naam, niveau=niveau, waarde="", interval="", n="", sinds_nulmeting="",
                  sinds_vorige="", status=status_of(status.ONVOLDOENDE_GEGEVENS), leeg=MISSING_INPUTS_TEXT, soort_leeg="ontbreekt")


def _attention(row: dict) -> AttentionPoint:
    """An attention point as printed."""
    niveau = "" if row["niveau"] == "gemeente" else f" ({row['niveau']})"
    return AttentionPoint(
        rang=row["rang"], indicator=row["indicator"], gebiedcode=row["gebiedcode"], naam=row["naam"],
        gebied=f"{row['gebiedsnaam']}{niveau}",
        waarde=row["waarde_tekst"], sinds_nulmeting=row["verschil_tekst"], signaal=row["signaal"],
        status=status_of(row["status"]),
    )


def _gebied_annexes(data: Published, peildatum: date) -> list[GebiedAnnex]:
    """Per gebied: every indicator for the gebied and each of its wijken."""
    values = data.select(peildatum=peildatum)
    by_key = {(row["indicator"], row["gebiedcode"]): row for row in values.iter_rows(named=True)}
    annexes = []
    for gebied in data.areas("gebied", peildatum).iter_rows(named=True):
        codes = [gebied["gebiedcode"], *_wijken_of(data, gebied["gebiedcode"], peildatum)]
        names = [data.area_name(code) or code for code in codes[1:]]
        rows = []
        for key, meta in data.indicators.items():
            figures = [
                figure_of(by_key[(key, code)], meta) if (key, code) in by_key else _absent(data.area_name(code) or code, "wijk")
                for code in codes
            ]
            rows.append((meta.naam, figures))
        annexes.append(GebiedAnnex(gebied["gebiedsnaam"], names, rows))
    return annexes


def _method(data: Published, peildatum: date, meta: dict[str, str]) -> dict:
    """Sources, peildata, suppression, data quality of this run: the method annex."""
    tables = data.tables
    sources = [
        row | {"lading": _short_datetime(row["laatste_lading"]),
               "recentst": format_date_short(row["recentste_datum"]) if row["recentste_datum"] else MISSING_TEXT,
               "status_print": status_of(row["status"])}
        for row in tables["dq_sources"].sort("bron").iter_rows(named=True)
    ]
    files = tables["dq_files"].sort("bron", "bestand")
    accepted = files.filter(pl.col("status") == "geaccepteerd").height
    held = [row | {"geladen": format_datetime(row["geladen_op"])}
            for row in files.filter(pl.col("status") != "geaccepteerd").iter_rows(named=True)]
    rules = tables["dq_rules"].sort(["bron", "aantal"], descending=[False, True]).to_dicts()
    values = data.select(peildatum=peildatum)
    onderdrukt = values.filter(pl.col("onderdrukt")).height
    ontbrekend = values.filter(~pl.col("onderdrukt") & pl.col("waarde").is_null())
    redenen = sorted({r for r in (ontbrekend["reden"].to_list() if "reden" in ontbrekend.columns else []) if r})
    primary_rules: dict[str, list[str]] = {}
    further_rules: list[str] = []
    for indicator in data.indicators.values():
        primary, further = split_rule(indicator.onderdrukking)
        primary_rules.setdefault(primary, []).append(indicator.naam)
        if further and further not in further_rules:
            further_rules.append(further)
    return {
        "bronnen": sources,
        "bestanden_geaccepteerd": accepted,
        "bestanden_totaal": files.height,
        "bestanden_niet_geaccepteerd": held,
        "regels": rules,
        "peildata": [(format_date(p), p == data.nulmeting, p == peildatum) for p in data.peildata],
        "onderdrukkingsregels": list(primary_rules.items()),
        "aanvullende_regels": further_rules,
        "onderdrukt": onderdrukt,
        "ontbrekend": ontbrekend.height,
        "redenen": redenen,
        "cijfers": values.height,
        "status_uitleg": [(status_of(word), text) for word, text in status.MEANINGS.items()],
        "corridors": [(ind.naam, corridor_text(data, ind)) for ind in data.indicators.values()],
        "geometrie": meta.get("bron_geometrie", "CBS / Kadaster, Wijk- en buurtkaart (gegeneraliseerd)"),
        "versie": meta.get("versie", MISSING_TEXT),
    }


def split_rule(text: str) -> tuple[str, str]:
    """A published suppression rule as (its first sentence: the primary rule, the rest: complementary suppression)."""
    head, separator, tail = text.strip().partition(". ")
    return (f"{head}." if separator else head), tail.strip()


def _short_datetime(value: datetime | None) -> str:
    """'30 nov 2026 16:30' for narrow table columns."""
    return MISSING_TEXT if value is None else f"{format_date_short(value.date())} {value:%H:%M}"


def _meta(data: Published) -> dict[str, str]:
    """The store's meta table as a dict."""
    meta = data.tables["meta"]
    return dict(zip(meta["sleutel"].to_list(), meta["waarde"].to_list(), strict=True))


def _published_text(value: str | None) -> str:
    """'1 februari 2017 09:30' from the ISO time in meta, or the text as stored."""
    if not value:
        return MISSING_TEXT
    try:
        return format_datetime(datetime.fromisoformat(value))
    except ValueError:
        return value
