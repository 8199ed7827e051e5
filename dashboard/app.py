"""The Dash app: pages from dashboard/pages/, navigation from the page registry, assets served locally."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

from dashboard.components import DB_KEY, STATE_KEY
from dashboard.data import StoreUnavailable, published
from dashboard.notes import default_state_path
from dashboard.rapport.route import register as register_report
from dashboard.security import SecuritySettings, install_security, login_required_for
from dashboard.serving import run_server
from dashboard.users import UserStore

HERE = Path(__file__).parent

# lang="nl" for screen readers and hyphenation; the skip link is the first focusable element.
INDEX_STRING = """<!DOCTYPE html>
<html lang="nl">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <a class="skip-link" href="#inhoud">Naar de inhoud</a>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def _navigation() -> html.Header:
    """The site header with one real link per registered page."""
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact"))
        for page in dash.page_registry.values()
        if not page["module"].endswith(".not_found_404")  # shown for unknown addresses, not a menu item
    ]
    return html.Header(
        [
            html.Div([html.Span("Wijkmonitor Sociaal Domein", className="merk"),
                      html.Span(" · gemeente Groningen", className="merk-sub")], className="kop"),
            html.Nav(dbc.Nav(links, pills=True, className="flex-wrap"), **{"aria-label": "Hoofdmenu"}),
        ],
        className="site-header no-print",
    )


def create_app(db: Path, state: Path | None = None, security: SecuritySettings | None = None) -> Dash:
    """The dashboard for the published store at db, with PDCA notes and users in state.

    Without security settings the app serves the local operator only (loopback, no login).
    """
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="Wijkmonitor Sociaal Domein",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.index_string = INDEX_STRING
    app.server.config[DB_KEY] = str(Path(db).resolve())
    state_path = Path(state or default_state_path(Path(db))).resolve()
    app.server.config[STATE_KEY] = str(state_path)
    app.layout = html.Div(
        [_navigation(), html.Main(dash.page_container, id="inhoud", tabIndex="-1", className="container-fluid py-3")]
    )
    # Bind the page callbacks to this app now, so a second app in the same process gets its own.
    app._setup_server()
    register_report(app.server, Path(db).resolve())
    install_security(app, UserStore(state_path), security or SecuritySettings(require_login=False))
    return app


def store_problem(db: Path) -> str | None:
    """Why the published store at db cannot be shown, or None when it can."""
    try:
        published(db)
    except StoreUnavailable as error:
        return str(error)
    return None


def serve(db: Path, host: str = "127.0.0.1", port: int = 8050, state: Path | None = None, *,
          workers: int = 2, trusted_user_header: str | None = None, insecure_cookies: bool = False) -> None:
    """Serve the dashboard with gunicorn; login is required whenever host is not loopback."""
    # Checked in a spawned process: once polars has run a query here, its thread pool deadlocks every
    # gunicorn worker forked from this process on the worker's first query.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as checker:
        problem = checker.submit(store_problem, Path(db)).result()
    if problem:
        print(f"wijkmonitor serve: waarschuwing: {problem}", file=sys.stderr)
    security = SecuritySettings(
        require_login=login_required_for(host),
        trusted_user_header=trusted_user_header,
        secure_cookies=not insecure_cookies,
    )
    print(f"Wijkmonitor op http://{host}:{port} ({'inloggen verplicht' if security.require_login else 'alleen lokaal'})",
          file=sys.stderr)
    run_server(lambda: create_app(Path(db), state, security), host, port, workers)
