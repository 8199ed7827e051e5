"""Over de cijfers: definitions, sources, suppression rules, corridor settings, statuses and attribution."""

from __future__ import annotations

import dash
import polars as pl
from dash import html

from core.status import meaning
from dashboard.components import ATTRIBUTION, guarded, status_badge, store
from dashboard.data import STATUS_ORDER
from dashboard.definitions import complementary_rule, explanation
from dashboard.format import INSUFFICIENT_DATA_TEXT, SUPPRESSED_TEXT, format_date, format_value

dash.register_page(__name__, path="/over", name="Over de cijfers", title="Over de cijfers · Wijkmonitor", order=8)


def _targets(data, indicator: str) -> str:
    """The streefwaarden of one indicator in words."""
    meta = data.indicators[indicator]
    rows = data.tables["streefwaarden"].filter(pl.col("indicator") == indicator).sort("peildatum")
    if rows.is_empty():
        return "Geen streefwaarden ingesteld."
    return "; ".join(f"{format_date(p)}: {format_value(v, meta.eenheid, meta.decimalen)}"
                     for p, v in rows.select("peildatum", "streefwaarde").iter_rows())


@guarded
def layout(**_: object) -> html.Div:
    """The page."""
    data = store()
    sections = [
        html.Section([html.H3(meta.naam, className="h6 mt-3", id=f"over-{key}"), explanation(data, meta, link_complementary=False),
                      html.P([html.Span("Streefwaarden: ", className="fw-semibold"), _targets(data, key)])])
        for key, meta in data.indicators.items()
    ]
    return html.Div([
        html.H1("Over de cijfers"),
        html.P(f"De wijkmonitor volgt de sturingsindicatoren van het sociaal domein per wijk, gebied en de hele gemeente, "
               f"vergeleken met de nulmeting van {format_date(data.nulmeting)}. Peildata: "
               f"{', '.join(format_date(p) for p in data.peildata)}."),
        html.H2("Statussen", className="h5"),
        html.Dl([part for status in STATUS_ORDER for part in (html.Dt(status_badge(status)), html.Dd(meaning(status)))]),
        html.H2("Onderdrukking en onzekerheid", className="h5", id="onderdrukking"),
        html.P("Een cijfer op te weinig waarnemingen wordt niet getoond, ter bescherming van de privacy en omdat het te "
               f"onzeker is; overal staat dan '{SUPPRESSED_TEXT}'. De drempel per indicator staat hieronder."),
        html.P([html.Span("Aanvullende onderdrukking. ", className="fw-semibold"),
                f"Soms is ook een cijfer met genoeg waarnemingen onderdrukt, om te voorkomen dat een klein aantal kan "
                f"worden teruggerekend. De regel: {complementary_rule(data)}"])
        if complementary_rule(data) else None,
        html.P(f"Ontbreken de gegevens om een cijfer te berekenen (bijvoorbeeld een bron die voor een peildatum niet "
               f"geleverd is), dan staat er '{INSUFFICIENT_DATA_TEXT}', met de reden op de pagina Datakwaliteit. "
               "Enquêtecijfers hebben een 95%-betrouwbaarheidsinterval; een verschil met de nulmeting geldt pas als "
               "verandering wanneer het significant is. Registratiecijfers zijn volledige tellingen."),
        html.H2("De indicatoren", className="h5"),
        *sections,
        html.H2("Kaart", className="h5 mt-3"),
        html.P(ATTRIBUTION, className="bron"),
    ])
