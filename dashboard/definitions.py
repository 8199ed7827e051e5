"""The explanation of an indicator (definition, source, suppression, corridor), shared by two pages."""

from __future__ import annotations

import polars as pl
from dash import dcc, html

from core import richting
from dashboard.data import Indicator, Published
from dashboard.format import format_amount, format_date, unit_label

SOORT_TEKST = {"enquete": "enquête (steekproef, met 95%-interval)", "register": "registratie (volledige telling)"}
# The published rule is the primary rule followed by the complementary rule, which is the same for every indicator.
COMPLEMENTARY_START = "Aanvullend onderdrukt"


def primary_rule(meta: Indicator) -> str:
    """The indicator's own suppression threshold, without the complementary rule shared by all indicators."""
    return meta.onderdrukking.split(COMPLEMENTARY_START, 1)[0].strip()


def complementary_rule(data: Published) -> str:
    """The complementary suppression rule as published (the same for every indicator), or ''."""
    for meta in data.indicators.values():
        _primary, found, rest = meta.onderdrukking.partition(COMPLEMENTARY_START)
        if found:
            return (found + rest).strip()
    return ""


def corridor_text(data: Published, meta: Indicator) -> str:
    """The corridor in words, with the unit of a difference (procentpunt for percentages)."""
    corridor = data.tables["corridor"].filter(pl.col("indicator") == meta.indicator)
    if corridor.is_empty():
        return "Geen corridor ingesteld."
    c = corridor.row(0, named=True)
    return (f"Maximaal {format_amount(c['max_verslechtering'], meta.eenheid, meta.decimalen)} slechter dan de "
            f"nulmeting tot {format_date(c['marge_tot'])}; daarna lineair terug naar de nulmeting op "
            f"{format_date(c['herstel_op'])}. Reden: {c['reden']}")


def explanation(data: Published, meta: Indicator, link_complementary: bool = True) -> html.Dl:
    """What the indicator means in plain Dutch, then its computation, source, peildata, suppression and corridor.

    The complementary suppression rule is the same for all indicators: a link to Over de cijfers, where it is
    written once (link_complementary=False on that page itself)."""
    more = ([" Daarnaast aanvullende onderdrukking: zie ", dcc.Link("Over de cijfers", href="/over#onderdrukking"), "."]
            if link_complementary else [" Daarnaast aanvullende onderdrukking (zie boven)."])
    items = [
        ("In gewone woorden", meta.omschrijving), ("Berekening", meta.definitie),
        ("Eenheid", unit_label(meta.eenheid)), ("Richting", richting.label(meta.richting)),
        ("Soort", SOORT_TEKST.get(meta.soort, meta.soort)), ("Bronnen", meta.bronnen),
        ("Peildata", f"{len(data.peildata)}, van {format_date(data.peildata[0])} tot en met {format_date(data.peildata[-1])} "
                     f"(nulmeting: {format_date(data.nulmeting)})"),
        ("Onderdrukking", [primary_rule(meta), *more]),
        ("Corridor", corridor_text(data, meta)),
    ]
    return html.Dl([part for term, text in items for part in (html.Dt(term), html.Dd(text))], className="toelichting")
