"""The Dash app: pages from dashboard/pages/, navigation from the page registry, assets served locally."""

from __future__ import annotations

import errno
import multiprocessing
import socket
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

import flask
import polars as pl
from markupsafe import escape

from dashboard.acties import default_state_path
from dashboard.components import CONFIG_KEY, DB_KEY, STATE_KEY
from dashboard.data import StoreUnavailable, published
from dashboard.rapport.route import register as register_report
from dashboard.security import SecuritySettings, auth_mode, current_user, install_security, logout_token, resolve_settings
from dashboard.serving import run_server
from dashboard.users import UserStore
from core import paths
from core.errors import WijkmonitorError

DEMO_NOTICE = "Demo zonder inloggen — iedereen die deze computer gebruikt kan alles zien en wijzigen"
FICTIVE_NOTICE = "Fictieve demogegevens — geen echte cijfers van de gemeente Groningen"

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
        <!--wijkmonitor-bovenbalk-->
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def notices() -> list[str]:
    """The warnings shown above every page: the demo without login, and fictitious data in the store."""
    texts = [DEMO_NOTICE] if auth_mode() == "demo" else []
    try:
        meta = published(Path(flask.current_app.config[DB_KEY])).tables["meta"]
    except (StoreUnavailable, RuntimeError, KeyError):
        return texts  # no store (the pages say so) or no request
    if {"sleutel", "waarde"} <= set(meta.columns) and meta.filter((pl.col("sleutel") == "fictieve_demogegevens") & (pl.col("waarde") == "ja")).height:
        texts.append(FICTIVE_NOTICE)
    return texts


TOP_MARK = "<!--wijkmonitor-bovenbalk-->"


class _Dashboard(Dash):
    """Dash whose page HTML carries, from the server, this request's notices and logout form.

    In the HTML rather than the Dash layout: shown on every page before any script runs, and the
    logout form is a plain form that works by keyboard and without script.
    """

    def interpolate_index(self, **kwargs) -> str:
        return super().interpolate_index(**kwargs).replace(TOP_MARK, top_bar() if flask.has_request_context() else "", 1)


def top_bar() -> str:
    """HTML above the site header: the notices (demo, fictitious data) and who is logged in."""
    parts = []
    texts = notices()
    if texts:
        items = "".join(f'<p class="kopmelding">{escape(text)}</p>' for text in texts)
        parts.append(f'<div id="meldingen" class="meldingen" role="note" aria-label="Let op">{items}</div>')
    user, mode = current_user(), auth_mode()
    if user is not None and mode in ("login", "sso"):
        who = f'<span class="account-naam">Ingelogd als {escape(user.name)} ({escape(user.role)})</span>'
        if mode == "login":
            action = ('<form method="post" action="/logout" class="uitlog-form">'
                      f'<input type="hidden" name="csrf" value="{escape(logout_token())}">'
                      '<button type="submit" class="uitloggen">Uitloggen</button></form>')
        else:
            action = '<span>uitloggen via de single sign-on van de gemeente</span>'
        parts.append(f'<div id="account" class="account no-print">{who}{action}</div>')
    return "\n".join(parts)


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


PLOTLY_BUNDLE = r"^plotly-wijkmonitor\.min\.js$"


def create_app(db: Path, state: Path | None = None, security: SecuritySettings | None = None,
               config: Path | None = None) -> Dash:
    """The dashboard for the published store at db, with PDCA notes and users in state.

    Without security settings the app is the demo: no login, for the local operator only.
    """
    app = _Dashboard(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        assets_ignore=PLOTLY_BUNDLE,  # served, but loaded only when a page draws a chart (assets/grafieken.js)
        title="Wijkmonitor Sociaal Domein",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.index_string = INDEX_STRING
    app.server.config[DB_KEY] = str(Path(db).resolve())
    state_path = Path(state or default_state_path(Path(db))).resolve()
    app.server.config[STATE_KEY] = str(state_path)
    # the monitor.toml whose sections /instellingen edits (the ETL reads the same one by default)
    app.server.config[CONFIG_KEY] = str(Path(config or paths.MONITOR_CONFIG).resolve())
    app.layout = html.Div(
        [_navigation(), html.Main(dash.page_container, id="inhoud", tabIndex="-1", className="container-fluid py-3")]
    )
    # Bind the page callbacks to this app now, so a second app in the same process gets its own.
    app._setup_server()
    register_report(app.server, Path(db).resolve())
    install_security(app, UserStore(state_path), security or SecuritySettings(auth="demo"), notices)
    return app


def store_problem(db: Path) -> str | None:
    """Why the published store at db cannot be shown, or None when it can."""
    try:
        published(db)
    except StoreUnavailable as error:
        return str(error)
    return None


def serve(db: Path, host: str = "127.0.0.1", port: int = 8050, state: Path | None = None, *,
          workers: int = 2, auth: str | None = None, sso_header: str | None = None,
          trusted_proxies: list[str] | tuple[str, ...] = (), insecure_cookies: bool = False,
          config: Path | None = None) -> None:
    """Serve the dashboard with gunicorn; refuses (WijkmonitorError) a demo beyond loopback or a busy port."""
    state_path = Path(state or default_state_path(Path(db)))
    security = resolve_settings(host, state_path, auth, sso_header, trusted_proxies, secure_cookies=not insecure_cookies)
    check_port_free(host, port)
    # Checked in a spawned process: once polars has run a query here, its thread pool deadlocks every
    # gunicorn worker forked from this process on the worker's first query.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as checker:
        problem = checker.submit(store_problem, Path(db)).result()
    if problem:
        print(f"wijkmonitor serve: waarschuwing: {problem}", file=sys.stderr)
    how = {"demo": "demo zonder inloggen", "login": "inloggen verplicht",
           "sso": f"single sign-on via {security.sso_header}"}[security.auth]
    print(f"Wijkmonitor op http://{host}:{port} ({how})", file=sys.stderr)
    run_server(lambda: create_app(Path(db), state_path, security, config), host, port, workers)


def check_port_free(host: str, port: int) -> None:
    """One Dutch line instead of gunicorn's retries when the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise WijkmonitorError(f"poort {port} is al in gebruik; kies een andere met --port "
                                       f"(bij make demo: PORT={port + 1} make demo)") from None
            if error.errno in (errno.EACCES, errno.EPERM):
                raise WijkmonitorError(f"poort {port} mag dit account niet gebruiken; kies er een boven 1024 met --port") from None
            raise WijkmonitorError(f"kan niet luisteren op {host}:{port}: {error.strerror}") from None
