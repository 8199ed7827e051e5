"""The explanation of an indicator (definition, source, suppression, corridor), shared by two pages."""

from __future__ import annotations

import polars as pl
from dash import html

from dashboard.data import Indicator, Published
from dashboard.format import format_date, format_number, unit_label

RICHTING_TEKST = {"hoger_is_beter": "hoger is beter", "lager_is_beter": "lager is beter"}
SOORT_TEKST = {"enquete": "enquête (steekproef, met 95%-interval)", "register": "registratie (volledige telling)"}


def explanation(data: Published, meta: Indicator) -> html.Dl:
    """Definition, source, peildata, suppression rule and corridor of one indicator."""
    corridor = data.tables["corridor"].filter(pl.col("indicator") == meta.indicator)
    corridor_text = "Geen corridor ingesteld."
    if corridor.height:
        c = corridor.row(0, named=True)
        corridor_text = (f"Maximaal {format_number(c['max_verslechtering'], meta.decimalen)} ({unit_label(meta.eenheid)}) slechter dan de "
                         f"nulmeting tot {format_date(c['marge_tot'])}; daarna lineair terug naar de nulmeting op "
                         f"{format_date(c['herstel_op'])}. Reden: {c['reden']}")
    items = [
        ("Omschrijving", meta.omschrijving), ("Definitie", meta.definitie),
        ("Eenheid", unit_label(meta.eenheid)), ("Richting", RICHTING_TEKST.get(meta.richting, meta.richting)),
        ("Soort", SOORT_TEKST.get(meta.soort, meta.soort)), ("Bronnen", meta.bronnen),
        ("Peildata", ", ".join(format_date(p) for p in data.peildata) + f" (nulmeting: {format_date(data.nulmeting)})"),
        ("Onderdrukking", meta.onderdrukking), ("Corridor", corridor_text),
    ]
    return html.Dl([part for term, text in items for part in (html.Dt(term), html.Dd(text))], className="toelichting")
