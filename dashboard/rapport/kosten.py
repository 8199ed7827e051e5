"""The council report's costs chapter: the gemeente per wet, every gebied and wijk, realisation against budget.

Like the rest of the report a printed view of the published store (tables kosten and begroting, via
dashboard/geld.py); suppressed and missing figures are words, never numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core import niveau as niveaus
from dashboard.data import Published
from dashboard.geld import TOTAAL, WET_NAMEN, euro, figure_text, heeft_kosten, kosten, kosten_peildata, realisatie


@dataclass(frozen=True)
class KostenRegel:
    """One printed row: a name and its texts."""

    naam: str
    niveau: str
    cellen: tuple[str, ...]


@dataclass(frozen=True)
class KostenHoofdstuk:
    """What the chapter prints for one peildatum."""

    per_wet: list[KostenRegel]  # the gemeente: kosten, per inwoner, per cliënt
    per_gebied: list[KostenRegel]  # totaal per inwoner and per cliënt: gemeente, each gebied and its wijken
    begroting: list[KostenRegel]  # per year (all wetten together): realisatie, begroting, verschil, taakstelling, gehaald


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
    return KostenHoofdstuk(per_wet, per_gebied, begroting)
