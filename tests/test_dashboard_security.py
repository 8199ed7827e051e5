"""Login, roles, throttling, CSRF and headers of the dashboard's Flask layer."""

import re
import sqlite3
from datetime import date
import subprocess
import sys

import dash
import flask
import pytest
from dash import html

from dashboard.security import SecuritySettings, User, client_address, has_right, install_security, resolve_settings, safe_next
from dashboard.users import MAX_FAILURES, UserStore
from core.errors import WijkmonitorError

PASSWORD = "correct-horse-battery"


@pytest.fixture
def store(tmp_path):
    users = UserStore(tmp_path / "state.sqlite")
    users.add("anna", PASSWORD, "programmateam")
    users.add("raadslid", PASSWORD, "raad")
    return users


def _client(store, remote="127.0.0.1", **settings):
    app = dash.Dash(__name__)
    app.layout = html.Div("geheime cijfers")
    install_security(app, store, SecuritySettings(secure_cookies=False, **settings))

    @app.server.route("/wie")
    def _wie():
        return f"{has_right('notities')}"

    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    return client


def _login(client, user, password):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf": token, "gebruiker": user, "wachtwoord": password, "next": "/"})


def test_the_auth_mode_is_explicit_never_taken_from_the_bind_address(tmp_path, store):
    empty, users = tmp_path / "bestaat-niet.sqlite", store.path
    assert resolve_settings("127.0.0.1", empty).auth == "demo"
    assert resolve_settings("127.0.0.1", users).auth == "login"  # users configured: login, on loopback too
    assert resolve_settings("0.0.0.0", users).auth == "login"
    with pytest.raises(WijkmonitorError, match="zonder inloggen alleen op 127.0.0.1"):
        resolve_settings("0.0.0.0", empty)
    with pytest.raises(WijkmonitorError, match="nog geen gebruikers"):
        resolve_settings("127.0.0.1", empty, "login")
    with pytest.raises(WijkmonitorError, match="--trusted-proxy"):
        resolve_settings("127.0.0.1", users, "sso", "X-Remote-User")
    sso = resolve_settings("10.0.0.1", empty, None, "X-Remote-User", ["10.0.0.2"])
    assert (sso.auth, sso.sso_header, sso.trusted_proxies) == ("sso", "X-Remote-User", frozenset({"10.0.0.2"}))
    with pytest.raises(WijkmonitorError, match="--insecure-cookies alleen op 127.0.0.1"):
        resolve_settings("10.0.0.1", users, secure_cookies=False)
    assert not empty.exists()  # refusing or choosing the demo creates no state file
    with pytest.raises(WijkmonitorError, match="geen IP-adres"):
        resolve_settings("127.0.0.1", users, "sso", "X-Remote-User", ["proxy.example"])


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "/\n/evil.example", "//evil.example", "\\\\evil.example", "/\\evil.example",
    "https://evil.example", "http:evil.example", "%2F%2Fevil.example", "/%2F/evil.example", "/%252F/evil.example",
    "/%09/evil.example", "/%5Cevil.example", " //evil.example", "javascript:alert(1)", "", None, "/x" * 2000,
])
def test_next_never_leaves_the_site(target):
    assert safe_next(target) == "/"


def test_next_keeps_same_site_paths():
    assert safe_next("/wijken?id=zelfredzaamheid&gebied=GB001401") == "/wijken?id=zelfredzaamheid&gebied=GB001401"
    assert safe_next("/pdca?") == "/pdca"


def test_client_address_comes_from_a_trusted_proxy_only():
    from werkzeug.test import EnvironBuilder

    def request(remote, forwarded):
        return flask.Request(EnvironBuilder(environ_base={"REMOTE_ADDR": remote},
                                            headers={"X-Forwarded-For": forwarded}).get_environ())

    proxies = frozenset({"10.0.0.2"})
    assert client_address(request("10.0.0.2", "192.0.2.7"), proxies) == "192.0.2.7"
    assert client_address(request("10.0.0.2", "1.1.1.1, 192.0.2.7"), proxies) == "192.0.2.7"  # the proxy's own hop
    assert client_address(request("10.0.0.2", "192.0.2.7, 10.0.0.2"), proxies) == "192.0.2.7"
    assert client_address(request("10.0.0.2", "onzin"), proxies) == "10.0.0.2"
    assert client_address(request("192.0.2.9", "192.0.2.7"), proxies) == "192.0.2.9"  # anyone else: its own address


def test_loopback_operator_has_every_right(store):
    client = _client(store, auth="demo")
    assert client.get("/").status_code == 200
    assert client.get("/wie").get_data(as_text=True) == "True"


def test_anonymous_user_is_sent_to_login_and_dash_api_refused(store):
    client = _client(store, auth="login")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401


def test_login_with_right_password_opens_the_app_with_the_users_role(store):
    client = _client(store, auth="login")
    assert _login(client, "raadslid", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/wie").get_data(as_text=True) == "False"  # raad may not write notes


def test_wrong_password_and_unknown_user_get_the_same_message(store):
    client = _client(store, auth="login")
    wrong = _login(client, "anna", "wrong-password-123")
    unknown = _login(client, "niemand", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "Onbekende gebruikersnaam of onjuist wachtwoord" in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_is_throttled_after_repeated_failures(store):
    client = _client(store, auth="login")
    for _ in range(MAX_FAILURES):
        assert _login(client, "anna", "wrong-password-123").status_code == 401
    throttled = _login(client, "anna", PASSWORD)  # even the right password is refused now
    assert throttled.status_code == 429
    assert "Te veel mislukte pogingen" in throttled.get_data(as_text=True)


def test_login_form_without_csrf_token_is_refused(store):
    client = _client(store, auth="login")
    client.get("/login")
    response = client.post("/login", data={"gebruiker": "anna", "wachtwoord": PASSWORD})
    assert response.status_code == 400


def test_cross_site_post_is_refused(store):
    client = _client(store, auth="demo")
    response = client.post(
        "/_dash-update-component", json={}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_open_redirect_after_login_is_prevented(store):
    client = _client(store, auth="login")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf": token, "gebruiker": "anna", "wachtwoord": PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_removed_user_loses_access_at_once(store):
    client = _client(store, auth="login")
    _login(client, "anna", PASSWORD)
    assert client.get("/").status_code == 200
    store.remove("anna")
    assert client.get("/").status_code == 302


def test_sso_header_only_when_switched_on_and_only_from_the_proxy(store):
    off = _client(store, auth="login")
    assert off.get("/", headers={"X-Remote-User": "anna"}).status_code == 302
    sso = {"auth": "sso", "sso_header": "X-Remote-User", "trusted_proxies": frozenset({"10.0.0.2"})}
    on = _client(store, remote="10.0.0.2", **sso)
    assert on.get("/wie", headers={"X-Remote-User": "anna"}).get_data(as_text=True) == "True"
    assert on.get("/", headers={"X-Remote-User": "onbekend"}).status_code == 403
    assert on.get("/").status_code == 401
    direct = _client(store, remote="10.0.0.9", **sso)
    assert direct.get("/wie", headers={"X-Remote-User": "anna"}).status_code == 401
    token = store.create_session({"_user_id": "anna"}, "anna")  # a session from an earlier login mode
    direct.set_cookie("wijkmonitor_sessie", token)
    assert direct.get("/wie").status_code == 401


def test_security_headers_and_session_cookie_flags(store):
    client = _client(store, auth="login")
    response = _login(client, "anna", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_user_store_rules(store):
    with pytest.raises(WijkmonitorError, match="bestaat al"):
        store.add("anna", PASSWORD, "raad")
    with pytest.raises(WijkmonitorError, match="te kort"):
        store.add("bob", "kort", "raad")
    with pytest.raises(WijkmonitorError, match="onbekende rol"):
        store.add("bob", PASSWORD, "koning")
    with pytest.raises(WijkmonitorError, match="gebruikersnaam"):
        store.add("<script>", PASSWORD, "raad")
    store.set_password("anna", "een-nieuw-wachtwoord")
    assert store.verify("anna", PASSWORD) is None
    assert store.verify("anna", "een-nieuw-wachtwoord") == "programmateam"
    assert ("anna", "programmateam") in store.list()


@pytest.mark.integration  # new Python processes
def test_users_cli_reads_password_from_stdin_and_never_echoes_it(tmp_path):
    state = tmp_path / "state.sqlite"
    command = [sys.executable, "-m", "wijkmonitor.cli", "users"]
    added = subprocess.run(
        [*command, "add", "piet", "--role", "beheer", "--state", str(state), "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True,
    )
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr
    listed = subprocess.run([*command, "list", "--state", str(state)], capture_output=True, text=True)
    assert listed.stdout == "piet\tbeheer\n"
    again = subprocess.run(
        [*command, "add", "piet", "--state", str(state), "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True,
    )
    assert again.returncode == 3
    assert again.stderr == "wijkmonitor users: gebruiker 'piet' bestaat al\n"
    assert UserStore(state).verify("piet", PASSWORD) == "beheer"


def test_only_roles_with_the_right_can_write_pdca_actions(tmp_path):
    import flask
    from fixtures.published_store import build_published_store

    from dashboard.acties import actions_of
    from dashboard.app import create_app

    state = tmp_path / "state.sqlite"
    app = create_app(build_published_store(tmp_path / "monitor.duckdb"), state, SecuritySettings(auth="login"))
    pdca = __import__("pages.pdca", fromlist=["_"])
    arguments = (1, "2017-01-01", None, "", "zelfredzaamheid", "GM0014", "bespreken", "", "", "", "open", 0)
    with app.server.test_request_context():
        flask.g.wijkmonitor_user = User("raadslid", "raad")
        versie, melding, *_form = pdca.save_action(*arguments)
        assert versie is dash.no_update and "niet vastleggen" in str(melding)
        assert "Nieuwe actie" not in str(pdca.layout())
    assert actions_of(state, date(2017, 1, 1)) == []
    with app.server.test_request_context():
        flask.g.wijkmonitor_user = User("anna", "programmateam")
        versie, _melding, *_form = pdca.save_action(*arguments)
        assert versie == 1
    assert [(a.omschrijving, a.auteur) for a in actions_of(state, date(2017, 1, 1))] == [("bespreken", "anna")]


def test_huge_request_bodies_are_refused(store):
    client = _client(store, auth="demo")
    response = client.post("/_dash-update-component", data=b"x" * (2 * 1024 * 1024),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_sessions_expire_when_idle_or_old_and_end_with_a_new_password(store, monkeypatch):
    from dashboard import users as users_module

    now = [1_000_000.0]
    monkeypatch.setattr(users_module.time, "time", lambda: now[0])
    token = store.create_session({"_user_id": "anna"}, "anna")
    assert store.load_session(token) == {"_user_id": "anna"}
    now[0] += users_module.SESSION_IDLE_S + 1
    assert store.load_session(token) is None  # idle too long
    token = store.create_session({"_user_id": "anna"}, "anna")
    for _ in range(users_module.SESSION_MAX_S // users_module.SESSION_IDLE_S + 1):
        now[0] += users_module.SESSION_IDLE_S - 1  # kept busy, but ...
        store.load_session(token)
    assert store.load_session(token) is None  # ... never beyond the absolute limit
    anonymous = store.create_session({"csrf": "x"}, None)
    now[0] += users_module.ANONYMOUS_IDLE_S + 1
    assert store.load_session(anonymous) is None  # a login form left open
    token = store.create_session({"_user_id": "anna"}, "anna")
    store.set_password("anna", "een-nieuw-wachtwoord")
    assert store.load_session(token) is None
    with sqlite3.connect(store.path) as con:
        stored = [row[0] for row in con.execute("SELECT token_hash FROM sessions")]
    assert token not in stored


def test_state_file_is_created_private_and_an_old_loose_one_tightened(tmp_path):
    import os
    import stat

    UserStore(tmp_path / "nieuw.sqlite")
    assert stat.S_IMODE((tmp_path / "nieuw.sqlite").stat().st_mode) == 0o600
    old = tmp_path / "oud.sqlite"
    old.touch()
    os.chmod(old, 0o644)
    UserStore(old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


@pytest.mark.integration  # new Python processes
def test_wsgi_entry_point_needs_an_explicit_mode_and_users_for_login(tmp_path):
    from fixtures.published_store import build_published_store

    db = build_published_store(tmp_path / "monitor.duckdb")
    env = {"PATH": "/usr/bin:/bin", "WIJKMONITOR_DB": str(db), "WIJKMONITOR_STATE": str(tmp_path / "state.sqlite")}
    command = [sys.executable, "-c", "import dashboard.wsgi"]
    refused = subprocess.run(command, env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "nog geen gebruikers" in refused.stderr
    wrong = subprocess.run(command, env={**env, "WIJKMONITOR_AUTH": "open"}, capture_output=True, text=True)
    assert "WIJKMONITOR_AUTH moet een van demo, login, sso zijn" in wrong.stderr
    UserStore(tmp_path / "state.sqlite").add("piet", PASSWORD, "beheer")
    served = subprocess.run([sys.executable, "-c", "import dashboard.wsgi as w; print(w.server.config['WIJKMONITOR_AUTH'])"],
                            env=env, capture_output=True, text=True)
    assert served.stdout.strip() == "login", served.stderr
