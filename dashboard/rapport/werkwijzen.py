"""The report's section "Werkwijzen vergelijken" (issue 12): per configured werkwijze, on the report's peildatum,
the verschil-in-verschil per indicator with its interval and the plain-Dutch reading of the page, and per indicator
both groups' change since the start up to that peildatum (the page's chart; drawn in dashboard/rapport/charts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboard import vergelijken
from dashboard.data import Indicator, Published
from dashboard.format import format_change, format_date


@dataclass(frozen=True)
class WerkwijzeRow:
    naam: str
    groep: str
    overig: str
    did: str
    interval: str
    weggelaten: int
    lezing: str


@dataclass(frozen=True)
class WerkwijzeReeks:
    """One indicator's verschil-in-verschil rows of a werkwijze up to the report's peildatum, oldest first."""
    meta: Indicator
    rijen: list[dict]


@dataclass(frozen=True)
class WerkwijzeSection:
    naam: str
    omschrijving: str
    startdatum: str
    peildatum_start: str
    wijken: str
    rijen: list[WerkwijzeRow]
    reeksen: list[WerkwijzeReeks]


def werkwijzen_sections(data: Published, peildatum: date) -> list[WerkwijzeSection]:
    """One section per werkwijze that has a comparison on peildatum (none: the report leaves the chapter out)."""
    sections = []
    for naam, info in vergelijken.werkwijzen(data).items():
        rows, series, start = [], [], None
        for indicator, meta in data.indicators.items():
            up_to = [r for r in vergelijken.did_rows(data, naam, indicator) if r["peildatum"] <= peildatum]
            if not up_to or up_to[-1]["peildatum"] != peildatum:
                continue
            r = up_to[-1]
            series.append(WerkwijzeReeks(meta, up_to))
            start = r["peildatum_start"]
            change = lambda v, m=meta: format_change(v, m.eenheid, m.decimalen)  # noqa: E731
            rows.append(WerkwijzeRow(
                meta.naam, change(r["groep_verandering"]), change(r["overig_verandering"]),
                change(r["did"]) if r["did"] is not None else "onvoldoende gegevens",
                vergelijken.interval_text(meta, r), r["groep_weggelaten"] + r["overig_weggelaten"],
                vergelijken.reading(meta, naam, r).removesuffix(vergelijken.NO_CAUSALITY).strip(),
            ))
        if rows:
            sections.append(WerkwijzeSection(naam, info["omschrijving"], format_date(info["startdatum"]),
                                             format_date(start), ", ".join(n for _c, n in info["wijken"]), rows, series))
    return sections
