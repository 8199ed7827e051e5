"""The page for an unknown address, in Dutch (Dash's own says '404 - Page not found')."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.components import message

# Dash shows the page of a module named not_found_404 for every path no other page has.
dash.register_page(__name__, path="/pagina-niet-gevonden", name="Pagina niet gevonden",
                   title="Pagina niet gevonden · Wijkmonitor", order=99)


def layout(**_: object) -> html.Div:
    """A message and a way back to the overview."""
    return html.Div([
        html.H1("Pagina niet gevonden"),
        message("Deze pagina bestaat niet. Kies een pagina in het menu hierboven."),
        dcc.Link("Naar het overzicht", href="/"),
    ])
