"""Who may use the dashboard: authentication mode, server-side sessions, roles, CSRF checks and headers.

The mode is explicit, never inferred from the address the server binds to:
- demo: no login, the local operator has every right; only on loopback, and every page says so;
- login: every request needs a user who logged in at /login (also on loopback);
- sso: every request needs a user name in a header set by the municipality's single-sign-on proxy,
  honoured only from the configured proxy address(es); the user must exist in the user store.
Sessions live server-side in the app-state store (the cookie holds a random token, the store only
its hash), so logging out revokes them and a reader of the store cannot forge one.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import flask
import flask_login
from flask.sessions import SecureCookieSession, SessionInterface
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from dashboard.users import RIGHTS, UserStore
from core.errors import WijkmonitorError

AUTH_MODES = ("demo", "login", "sso")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CALLBACK_PATH = "/_dash-update-component"
MAX_REQUEST_BYTES = 1024 * 1024  # a callback body or login form is a few kB; refuse huge uploads (413)
_OPEN_PATHS = frozenset({"/login", "/logout"})


@dataclass(frozen=True)
class SecuritySettings:
    """How the server guards itself; built by `serve` (resolve_settings) or dashboard.wsgi."""

    auth: str = "demo"  # one of AUTH_MODES
    sso_header: str | None = None  # e.g. "X-Remote-User"; only in sso mode
    trusted_proxies: frozenset[str] = field(default_factory=frozenset)  # addresses whose X-Forwarded-For and SSO header count
    secure_cookies: bool = True  # cookies over HTTPS only (turn off only for plain-HTTP tests)

    @property
    def require_login(self) -> bool:
        return self.auth != "demo"


@dataclass(frozen=True)
class User(flask_login.UserMixin):
    """The user of a request: name and role (raad, programmateam or beheer)."""

    name: str
    role: str

    def get_id(self) -> str:
        return self.name


DEMO_USER = User("demo", "beheer")


def resolve_settings(host: str, state: Path, auth: str | None = None, sso_header: str | None = None,
                     trusted_proxies: list[str] | tuple[str, ...] = (), secure_cookies: bool = True) -> SecuritySettings:
    """The settings `serve` runs with, or a WijkmonitorError saying in one Dutch line why it refuses.

    Without --auth: login when the state file holds users, else the demo (loopback only).
    """
    has_users = Path(state).exists() and UserStore(state).has_users()  # a refusal creates no state file
    proxies = frozenset(_check_address(address) for address in trusted_proxies)
    if sso_header and auth not in (None, "sso"):
        raise WijkmonitorError(f"--sso-header hoort bij --auth sso, niet bij --auth {auth}")
    mode = auth or ("sso" if sso_header else "login" if has_users else "demo")
    if mode == "sso" and not (sso_header and proxies):
        raise WijkmonitorError("--auth sso vraagt --sso-header (bijv. X-Remote-User) en --trusted-proxy met het adres van de proxy")
    if mode == "demo" and host not in LOOPBACK_HOSTS:
        raise WijkmonitorError(f"zonder inloggen alleen op 127.0.0.1; om op {host} te luisteren: voeg gebruikers toe "
                               "(wijkmonitor users add) of kies --auth login of --auth sso")
    if not secure_cookies and host not in LOOPBACK_HOSTS:
        raise WijkmonitorError("--insecure-cookies alleen op 127.0.0.1 (om te testen); daarbuiten gaat het sessiecookie alleen over HTTPS")
    if mode == "login" and not has_users:
        raise WijkmonitorError(f"--auth login maar er zijn nog geen gebruikers in {state}; "
                               f"voeg er een toe met: wijkmonitor users add NAAM --role beheer --state {state}")
    return SecuritySettings(auth=mode, sso_header=sso_header if mode == "sso" else None,
                            trusted_proxies=proxies, secure_cookies=secure_cookies)


def _check_address(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        raise WijkmonitorError(f"--trusted-proxy '{address}' is geen IP-adres") from None


def current_user() -> User | None:
    """The user of the current request (None outside a request or before login). In the demo: 'demo', beheer."""
    return flask.g.get("wijkmonitor_user") if flask.has_request_context() else None


def current_role() -> str | None:
    """The role of the user of the current request (None outside a request)."""
    user = current_user()
    return user.role if user else None


def has_right(right: str) -> bool:
    """True when the current user's role carries `right` (lezen, notities, instellingen, gebruikers)."""
    role = current_role()
    return role is not None and right in RIGHTS[role]


def auth_mode() -> str | None:
    """The server's authentication mode (demo, login, sso), or None outside a request."""
    return flask.current_app.config.get("WIJKMONITOR_AUTH") if flask.has_request_context() else None


def logout_token() -> str:
    """The CSRF token the logout form must send (kept in the server-side session)."""
    token = flask.session.get("csrf")
    if not token:
        token = flask.session["csrf"] = secrets.token_urlsafe(32)
    return token


def client_address(request: flask.Request, trusted_proxies: frozenset[str]) -> str:
    """The client's address: the connection's, or - only from a trusted proxy - the last untrusted X-Forwarded-For hop."""
    address = request.remote_addr or ""
    if address not in trusted_proxies:
        return address
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):  # each proxy appends; the rightmost ones were written by our proxies
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            return address  # garbage from outside: count it against the proxy's own address
        if hop not in trusted_proxies:
            return hop
    return address


def safe_next(target: str | None) -> str:
    """A same-site path to go to after login; anything that could leave the site becomes '/'.

    Browsers drop tabs and newlines from URLs and treat '\\' as '/', so '/\\t/evil' and '/\\\\evil' would
    become '//evil'; encoded variants are decoded before the check too.
    """
    if not target or len(target) > 2000:
        return "/"
    decoded = target
    for _ in range(3):
        decoded = unquote(decoded)
    for candidate in (target, decoded):
        if any(ord(c) < 0x21 or c in "\\\x7f" for c in candidate):
            return "/"
        parts = urlsplit(candidate)
        if not candidate.startswith("/") or candidate.startswith("//") or parts.scheme or parts.netloc:
            return "/"
    return target.rstrip("?") or "/"


class _Session(SecureCookieSession):
    """A session whose data lives in the app-state store; the cookie only names it."""

    token: str | None = None
    revoked: bool = False  # logout: delete the stored session and the cookie
    renew: bool = False  # login: a fresh token, so a token known before login is worthless after it


class ServerSideSessions(SessionInterface):
    """Flask sessions in the app-state SQLite: random token in the cookie, its hash in the store."""

    def __init__(self, store: UserStore, cookie_name: str, secure: bool):
        self.store, self.cookie_name, self.secure = store, cookie_name, secure

    def open_session(self, app, request) -> _Session:
        token = request.cookies.get(self.cookie_name)
        data = self.store.load_session(token) if token and len(token) < 100 else None
        session = _Session(data or {})
        session.token = token if data is not None else None
        return session

    def save_session(self, app, session: _Session, response) -> None:
        if session.accessed:
            response.vary.add("Cookie")
        if session.token and (session.revoked or session.renew or not session):
            self.store.delete_session(session.token)
            if session.revoked or not session:
                response.delete_cookie(self.cookie_name, path="/", secure=self.secure, httponly=True, samesite="Strict")
                return
            session.token = None
        if not session or session.revoked:
            return
        user = session.get("_user_id")
        if session.token is None:
            token = self.store.create_session(dict(session), user)
            response.set_cookie(self.cookie_name, token, path="/", secure=self.secure, httponly=True, samesite="Strict")
        elif session.modified:
            self.store.save_session(session.token, dict(session), user)


def install_security(app, store: UserStore, settings: SecuritySettings, notices=lambda: []) -> None:
    """Attach authentication, roles, CSRF checks, callback checks and security headers to a Dash app's server.

    notices() gives the texts shown above every page (also the login page): demo, fictitious data.
    """
    server: flask.Flask = app.server
    server.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, WIJKMONITOR_AUTH=settings.auth)
    # '__Host-' makes the browser refuse the cookie unless it is Secure, host-only and for path '/'.
    cookie = "__Host-wijkmonitor_sessie" if settings.secure_cookies else "wijkmonitor_sessie"
    server.session_interface = ServerSideSessions(store, cookie, settings.secure_cookies)
    logins = flask_login.LoginManager(server)
    logins.session_protection = None  # the session is server-side and revoked on logout

    @logins.user_loader
    def _from_session(name: str) -> User | None:
        if settings.auth != "login":
            return None  # in sso mode a session left from an earlier login mode does not bypass the proxy
        role = store.role_of(name)  # a removed user loses access at once
        return User(name, role) if role else None

    @logins.request_loader
    def _from_proxy(request: flask.Request) -> User | None:
        if settings.auth != "sso" or request.remote_addr not in settings.trusted_proxies:
            return None  # the header means nothing from anyone but the configured proxy
        name = request.headers.get(settings.sso_header or "")
        if not name:
            return None
        role = store.role_of(name)
        if role is None:
            flask.g.sso_refused = True
            return None
        return User(name, role)

    script_hashes: list[str] = []

    @server.before_request
    def _authenticate():
        request = flask.request
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return _refuse(403, "Verzoek geweigerd: afkomstig van een andere site.")
        if settings.auth == "demo":
            flask.g.wijkmonitor_user = DEMO_USER
        else:
            user = flask_login.current_user
            if user.is_authenticated:
                flask.g.wijkmonitor_user = user._get_current_object()
            elif flask.g.get("sso_refused"):
                return _refuse(403, "Deze gebruiker heeft geen toegang tot de Wijkmonitor.")
            elif request.path not in _OPEN_PATHS or settings.auth == "sso":
                if settings.auth == "sso":
                    return _refuse(401, "Niet ingelogd: de Wijkmonitor is alleen bereikbaar via de single sign-on van de gemeente.")
                if request.path.startswith("/_dash-") or request.method != "GET":
                    return _refuse(401, "Niet ingelogd.")
                return flask.redirect("/login?next=" + quote(safe_next(request.full_path), safe="/"))
        if request.path == CALLBACK_PATH and request.method == "POST":
            problem = callback_problem(app, request.get_json(silent=True))
            if problem:
                return _refuse(400, f"Ongeldig verzoek: {problem}.")
        return None

    @server.route("/login", methods=["GET", "POST"])
    def _login():
        request = flask.request
        if settings.auth != "login":
            return flask.redirect("/")
        if request.method == "GET":
            return _login_page(logout_token(), safe_next(request.args.get("next")), notices())
        if not _csrf_ok(request.form.get("csrf")):
            return _refuse(400, "Formulier verlopen; laad de inlogpagina opnieuw.")
        name = request.form.get("gebruiker", "")
        next_path = safe_next(request.form.get("next"))
        attempt_key = f"{name}|{client_address(request, settings.trusted_proxies)}"
        if store.is_throttled(attempt_key):
            return _login_page(logout_token(), next_path, notices(),
                               "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw.", 429)
        role = store.verify(name, request.form.get("wachtwoord", ""))
        if role is None:
            store.record_failure(attempt_key)
            return _login_page(logout_token(), next_path, notices(), "Onbekende gebruikersnaam of onjuist wachtwoord.", 401)
        store.clear_failures(attempt_key)
        flask.session.clear()
        flask.session.renew = True
        flask_login.login_user(User(name, role))
        return flask.redirect(next_path)

    @server.route("/logout", methods=["POST"])
    def _logout():
        if not _csrf_ok(flask.request.form.get("csrf")):
            return _refuse(400, "Formulier verlopen; laad de pagina opnieuw.")
        flask_login.logout_user()
        flask.session.clear()
        flask.session.revoked = True
        return flask.redirect("/login" if settings.auth == "login" else "/")

    @server.errorhandler(Exception)
    def _callback_failed(error: Exception):
        # A payload that passed the shape check can still hold values no page expects (a dict for a
        # dropdown's value): the callback's exception is logged with its traceback and answered 400.
        if isinstance(error, HTTPException):
            return error
        if flask.request.path != CALLBACK_PATH:
            server.logger.exception("Fout bij %s", flask.request.path)
            return _refuse(500, "Interne fout; zie het logboek van de server.")
        server.logger.exception("Callback kon dit verzoek niet verwerken")
        return _refuse(400, "Ongeldig verzoek: de waarden passen niet bij deze pagina.")

    @server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        if not script_hashes:
            script_hashes.extend(app.csp_hashes())
        response.headers["Content-Security-Policy"] = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self' " + " ".join(script_hashes),
                # Plotly and Dash set inline styles; styles cannot run code.
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data: blob:",
                "font-src 'self' data:",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if settings.require_login:
            response.headers["Cache-Control"] = "no-store"
        return response


# What each kind of property a callback receives may hold; other properties (figure data, stores) any JSON.
_SCALAR = (str, int, float, type(None))
_PROPERTY_CHECKS = {
    "n_clicks": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "value": lambda v: isinstance(v, _SCALAR) or (isinstance(v, list) and all(isinstance(x, _SCALAR) for x in v)),
    "clickData": lambda v: v is None or (isinstance(v, dict) and isinstance(v.get("points"), list)
                                         and all(isinstance(p, dict) for p in v["points"])),
    "search": lambda v: v is None or isinstance(v, str),
    "pathname": lambda v: v is None or isinstance(v, str),
    "href": lambda v: v is None or isinstance(v, str),
}


def callback_problem(app, body: object) -> str | None:
    """Why a /_dash-update-component body is not what the Dash renderer sends for a known callback, or None."""
    if not isinstance(body, dict):
        return "de inhoud is geen JSON-object"
    output = body.get("output")
    if not isinstance(output, str) or output not in app.callback_map:
        return "onbekende uitvoer"
    callback = app.callback_map[output]
    outputs = body.get("outputs")
    if not (isinstance(outputs, dict) or (isinstance(outputs, list) and all(isinstance(o, dict) for o in outputs))):
        return "'outputs' heeft de verkeerde vorm"
    for part, declared in (("inputs", callback["inputs"]), ("state", callback.get("state", []))):
        given = body.get(part, [])
        if not isinstance(given, list) or len(given) != len(declared):
            return f"'{part}' heeft de verkeerde vorm"
        for item, expected in zip(given, declared):
            problem = _item_problem(item, expected)
            if problem:
                return f"'{part}': {problem}"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' heeft de verkeerde vorm"
    return None


def _item_problem(item: object, expected: dict) -> str | None:
    if isinstance(item, list):  # a pattern-matching input (ALL) sends a list of matches
        return next((p for p in (_item_problem(i, expected) for i in item) if p), None)
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        return "element zonder eigenschap"
    item_id = item.get("id")
    if not isinstance(item_id, (str, dict)):
        return "element zonder id"
    if isinstance(item_id, str) and (item_id != expected["id"] or item["property"] != expected["property"]):
        return f"verwacht {expected['id']}.{expected['property']}"
    check = _PROPERTY_CHECKS.get(item["property"])
    if check and "value" in item and not check(item["value"]):
        return f"waarde van {item['property']} heeft het verkeerde type"
    return None


def _same_origin(request: flask.Request) -> bool:
    """A state-changing request must come from this site (the browser says so in Origin)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # non-browser clients; browsers always send Origin on cross-site POSTs
    return urlsplit(origin).netloc == request.host


def _csrf_ok(token: str | None) -> bool:
    expected = flask.session.get("csrf")
    return bool(token and expected and hmac.compare_digest(token, expected))


def _refuse(status: int, message: str) -> flask.Response:
    return flask.Response(message, status=status, mimetype="text/plain")


def _login_page(csrf: str, next_path: str, notices: list[str], error: str = "", status: int = 200) -> flask.Response:
    notice_html = "".join(f'<p class="kopmelding">{escape(text)}</p>' for text in notices)
    error_html = f'<p class="fout" role="alert">{escape(error)}</p>' if error else ""
    html = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Inloggen - Wijkmonitor</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}}
label{{display:block;margin-top:1rem}}input{{width:100%;padding:.5rem;font-size:1rem}}
button{{margin-top:1.5rem;padding:.5rem 1.5rem;font-size:1rem;background:#0b4f8a;color:#fff;border:0}}
:focus{{outline:3px solid #e8a33d;outline-offset:2px}}.fout{{color:#a40000;font-weight:bold}}
.kopmelding{{background:#fff3cd;border-left:4px solid #8a6d00;padding:.5rem .75rem;font-weight:bold}}</style>
</head><body><main><h1>Wijkmonitor Sociaal Domein</h1>{notice_html}{error_html}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="{escape(csrf)}"><input type="hidden" name="next" value="{escape(next_path)}">
<label for="gebruiker">Gebruikersnaam</label><input id="gebruiker" name="gebruiker" autocomplete="username" required autofocus>
<label for="wachtwoord">Wachtwoord</label><input id="wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required>
<button type="submit">Inloggen</button></form></main></body></html>"""
    return flask.Response(html, status=status, mimetype="text/html")
