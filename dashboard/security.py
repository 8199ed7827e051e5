"""Login, roles, CSRF protection and security headers on the Flask server under Dash.

On loopback without login the local operator has every right (the demo); anywhere else every
request needs a session from /login, or - only when switched on - a user name in a header set by
the municipality's single-sign-on proxy.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import flask
from markupsafe import escape

from dashboard.users import RIGHTS, UserStore

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_OPEN_PATHS = frozenset({"/login", "/logout"})
MAX_REQUEST_BYTES = 1024 * 1024  # a callback body or login form is a few kB; refuse huge uploads (413)


@dataclass(frozen=True)
class SecuritySettings:
    """How the server guards itself; built by `serve` from its arguments."""

    require_login: bool
    trusted_user_header: str | None = None  # e.g. "X-Remote-User"; only behind an SSO proxy
    secure_cookies: bool = True  # cookies over HTTPS only (turn off only for plain-HTTP tests)


def login_required_for(host: str) -> bool:
    """Login is required whenever the server listens beyond loopback."""
    return host not in LOOPBACK_HOSTS


def current_role() -> str | None:
    """The role of the user of the current request (None outside a request)."""
    return getattr(flask.g, "wijkmonitor_role", None) if flask.has_request_context() else None


def current_user() -> str | None:
    """The name of the user of the current request."""
    return getattr(flask.g, "wijkmonitor_user", None) if flask.has_request_context() else None


def has_right(right: str) -> bool:
    """True when the current user's role carries `right` (lezen, notities, instellingen, gebruikers)."""
    role = current_role()
    return role is not None and right in RIGHTS[role]


def install_security(app, store: UserStore, settings: SecuritySettings) -> None:
    """Attach login, roles, CSRF checks and security headers to a Dash app's Flask server."""
    server: flask.Flask = app.server
    server.secret_key = store.secret_key()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies and settings.require_login,
        SESSION_COOKIE_NAME="wijkmonitor_sessie",
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    script_hashes: list[str] = []

    @server.before_request
    def _authenticate():
        request = flask.request
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return _refuse(403, "Verzoek geweigerd: afkomstig van een andere site.")
        if not settings.require_login:
            flask.g.wijkmonitor_user, flask.g.wijkmonitor_role = "lokaal", "beheer"
            return None
        if settings.trusted_user_header:
            name = request.headers.get(settings.trusted_user_header)
            if name:
                role = store.role_of(name)
                if role is None:
                    return _refuse(403, "Deze gebruiker heeft geen toegang tot de Wijkmonitor.")
                flask.g.wijkmonitor_user, flask.g.wijkmonitor_role = name, role
                return None
        name = flask.session.get("user")
        role = store.role_of(name) if name else None  # a removed user loses access at once
        if role is not None:
            flask.g.wijkmonitor_user, flask.g.wijkmonitor_role = name, role
            return None
        if request.path in _OPEN_PATHS:
            return None
        if request.path.startswith("/_dash-") or request.method != "GET":
            return _refuse(401, "Niet ingelogd.")
        return flask.redirect(f"/login?next={_safe_next(request.full_path)}")

    @server.route("/login", methods=["GET", "POST"])
    def _login():
        request = flask.request
        if request.method == "GET":
            return _login_page(_csrf_token(), flask.request.args.get("next", "/"))
        if not _csrf_ok(request.form.get("csrf")):
            return _refuse(400, "Formulier verlopen; laad de inlogpagina opnieuw.")
        name = request.form.get("gebruiker", "")
        next_path = _safe_next(request.form.get("next", "/"))
        attempt_key = f"{name}|{request.remote_addr}"
        if store.is_throttled(attempt_key):
            return _login_page(_csrf_token(), next_path, "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw.", 429)
        role = store.verify(name, request.form.get("wachtwoord", ""))
        if role is None:
            store.record_failure(attempt_key)
            return _login_page(_csrf_token(), next_path, "Onbekende gebruikersnaam of onjuist wachtwoord.", 401)
        store.clear_failures(attempt_key)
        flask.session.clear()
        flask.session["user"] = name
        return flask.redirect(next_path)

    @server.route("/logout", methods=["POST"])
    def _logout():
        if not _csrf_ok(flask.request.form.get("csrf")):
            return _refuse(400, "Formulier verlopen.")
        flask.session.clear()
        return flask.redirect("/login")

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


def _same_origin(request: flask.Request) -> bool:
    """A state-changing request must come from this site (the browser says so in Origin)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # non-browser clients; browsers always send Origin on cross-site POSTs
    return urlsplit(origin).netloc == request.host


def _csrf_token() -> str:
    token = flask.session.get("csrf")
    if not token:
        token = flask.session["csrf"] = secrets.token_urlsafe(32)
    return token


def _csrf_ok(token: str | None) -> bool:
    expected = flask.session.get("csrf")
    return bool(token and expected and hmac.compare_digest(token, expected))


def _safe_next(path: str) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    path = path.rstrip("?") or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _refuse(status: int, message: str) -> flask.Response:
    return flask.Response(message, status=status, mimetype="text/plain")


def _login_page(csrf: str, next_path: str, error: str = "", status: int = 200) -> flask.Response:
    error_html = f'<p class="fout" role="alert">{escape(error)}</p>' if error else ""
    html = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Inloggen - Wijkmonitor</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}}
label{{display:block;margin-top:1rem}}input{{width:100%;padding:.5rem;font-size:1rem}}
button{{margin-top:1.5rem;padding:.5rem 1.5rem;font-size:1rem;background:#0b4f8a;color:#fff;border:0}}
:focus{{outline:3px solid #e8a33d;outline-offset:2px}}.fout{{color:#a40000;font-weight:bold}}</style>
</head><body><main><h1>Wijkmonitor Sociaal Domein</h1>{error_html}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="{escape(csrf)}"><input type="hidden" name="next" value="{escape(next_path)}">
<label for="gebruiker">Gebruikersnaam</label><input id="gebruiker" name="gebruiker" autocomplete="username" required autofocus>
<label for="wachtwoord">Wachtwoord</label><input id="wachtwoord" name="wachtwoord" type="password" autocomplete="current-password" required>
<button type="submit">Inloggen</button></form></main></body></html>"""
    return flask.Response(html, status=status, mimetype="text/html")
