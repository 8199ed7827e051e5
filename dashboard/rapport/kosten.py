"""The council report's costs chapter: the gemeente per wet, every gebied and wijk, realisation against budget,
and the cost per inhabitant beside every indicator across the wijken (the scatter of Geld per wijk; drawn in
dashboard/rapport/charts.py).

Like the rest of the report a printed view of the published store (tables kosten and begroting, via
dashboard/geld.py); suppressed and missing figures are words, never numbers, and never points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core import niveau as niveaus
from dashboard.data import Indicator, Published
from dashboard.format import INSUFFICIENT_DATA_TEXT, SUPPRESSED_TEXT
from dashboard.geld import (
    TOTAAL, WET_NAMEN, euro, figure_text, heeft_kosten, kosten, kosten_naast, kosten_peildata, realisatie, wijk_kosten,
)


@dataclass(frozen=True)
class KostenRegel:
    """One printed row: a name and its texts."""

    naam: str
    niveau: str
    cellen: tuple[str, ...]


@dataclass(frozen=True)
class KostenPaneel:
    """One indicator beside the cost per inhabitant: a point per wijk with both figures published."""

    meta: Indicator
    punten: list[dict]  # gebiedcode, gebiedsnaam, kosten_per_inwoner, uitkomst, uitkomst_status
    zonder_uitkomst: dict[str, list[str]]  # why (onvoldoende waarnemingen / gegevens) -> wijken with costs, no figure
    gemeente: float | None  # the gemeente's published figure of the indicator


@dataclass(frozen=True)
class KostenSpreiding:
    """The cost per inhabitant (all wetten) against every indicator of the registry, per wijk on one peildatum."""

    peildatum: date
    gemeente: str
    gemeente_kosten: float | None  # the gemeente's cost per inhabitant
    wijken: int  # the gemeente's wijken with a cost row
    zonder_kosten: dict[str, list[str]]  # why -> wijken without a published cost figure (in no panel)
    panelen: list[KostenPaneel]


@dataclass(frozen=True)
class KostenHoofdstuk:
    """What the chapter prints for one peildatum."""

    per_wet: list[KostenRegel]  # the gemeente: kosten, per inwoner, per cliënt
    per_gebied: list[KostenRegel]  # totaal per inwoner and per cliënt: gemeente, each gebied and its wijken
    begroting: list[KostenRegel]  # per year (all wetten together): realisatie, begroting, verschil, taakstelling, gehaald
    spreiding: KostenSpreiding  # the chart: costs beside the outcomes


def kosten_hoofdstuk(data: Published, peildatum: date) -> KostenHoofdstuk | None:
    """The chapter, or None when the store has no cost figures for peildatum."""
    if not heeft_kosten(data) or peildatum not in kosten_peildata(data):
        return None
    code, naam = data.gemeente()
    per_wet = []
    for wet, label in WET_NAMEN.items():
        rows = kosten(data, peildatum, niveaus.GEMEENTE, wet, code)
        if rows.height:
            r = rows.row(0, named=True)
            per_wet.append(KostenRegel(label, niveaus.GEMEENTE, (figure_text(r, "bedrag"), figure_text(r, "kosten_per_inwoner"),
                                                           figure_text(r, "kosten_per_client"))))
    totaal = kosten(data, peildatum, None, TOTAAL)

    def regel(r: dict) -> KostenRegel:
        return KostenRegel(r["gebiedsnaam"], r["niveau"], (figure_text(r, "kosten_per_inwoner"),
                                                           figure_text(r, "kosten_per_client")))

    per_gebied = [regel(r) for r in totaal.filter(pl.col("niveau") == niveaus.GEMEENTE).iter_rows(named=True)]
    wijken = data.areas(niveaus.WIJK, peildatum)
    for gebied in data.areas(niveaus.GEBIED, peildatum).iter_rows(named=True):
        per_gebied += [regel(r) for r in totaal.filter(pl.col("gebiedcode") == gebied["gebiedcode"]).iter_rows(named=True)]
        eigen = wijken.filter(pl.col("bovenliggend") == gebied["gebiedcode"])["gebiedcode"].to_list()
        per_gebied += [regel(r) for r in totaal.filter(pl.col("gebiedcode").is_in(eigen)).sort("gebiedsnaam")
                       .iter_rows(named=True)]
    budget = realisatie(data).filter((pl.col("wet") == TOTAAL) & (pl.col("jaar") < peildatum.year))
    begroting = [KostenRegel(str(r["jaar"]), niveaus.GEMEENTE, (
        euro(r["realisatie"]), euro(r["begroting"]), euro(r["verschil"]), euro(r["taakstelling"]),
        "–" if r["gehaald"] is None else "ja" if r["gehaald"] else "nee")) for r in budget.sort("jaar").iter_rows(named=True)]
    return KostenHoofdstuk(per_wet, per_gebied, begroting, kosten_spreiding(data, peildatum))


def _why(onderdrukt: bool | None) -> str:
    """Why a wijk has no figure: suppressed, or missing (incomplete inputs or no published row)."""
    return SUPPRESSED_TEXT if onderdrukt else INSUFFICIENT_DATA_TEXT


def _grouped(rows: list[dict], onderdrukt: str) -> dict[str, list[str]]:
    """Wijk names by why they have no figure, suppressed first, each list by name."""
    groups: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: (not r[onderdrukt], r["gebiedsnaam"])):
        groups.setdefault(_why(r[onderdrukt]), []).append(r["gebiedsnaam"])
    return groups


def kosten_spreiding(data: Published, peildatum: date) -> KostenSpreiding:
    """The Geld page's scatter rows (dashboard/geld.py) for every indicator: the wijken with both figures as points,
    the others left out by why."""
    code, naam = data.gemeente()
    rows = wijk_kosten(data, peildatum, TOTAAL)
    city = kosten(data, peildatum, niveaus.GEMEENTE, TOTAAL, code)
    zonder_kosten = rows.filter(pl.col("kosten_per_inwoner").is_null()).to_dicts()
    panelen = []
    for indicator, meta in data.indicators.items():
        naast = kosten_naast(data, rows, indicator, peildatum).filter(pl.col("kosten_per_inwoner").is_not_null())
        punten = naast.filter(pl.col("uitkomst").is_not_null()).sort("kosten_per_inwoner").select(
            "gebiedcode", "gebiedsnaam", "kosten_per_inwoner", "uitkomst", "uitkomst_status").to_dicts()
        stad = data.select(indicator=indicator, peildatum=peildatum, gebiedcode=code)
        panelen.append(KostenPaneel(meta, punten, _grouped(naast.filter(pl.col("uitkomst").is_null()).to_dicts(),
                                                          "uitkomst_onderdrukt"),
                                    stad["waarde"][0] if stad.height else None))
    return KostenSpreiding(peildatum, naam, city["kosten_per_inwoner"][0] if city.height else None, rows.height,
                           _grouped(zonder_kosten, "onderdrukt"), panelen)
