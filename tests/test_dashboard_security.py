"""Login, roles, throttling, CSRF and headers of the dashboard's Flask layer."""

import re
from datetime import date
import subprocess
import sys

import dash
import pytest
from dash import html

from dashboard.security import SecuritySettings, has_right, install_security, login_required_for
from dashboard.users import MAX_FAILURES, UserStore
from wijkmonitor.errors import WijkmonitorError

PASSWORD = "correct-horse-battery"


@pytest.fixture
def store(tmp_path):
    users = UserStore(tmp_path / "state.sqlite")
    users.add("anna", PASSWORD, "programmateam")
    users.add("raadslid", PASSWORD, "raad")
    return users


def _client(store, **settings):
    app = dash.Dash(__name__)
    app.layout = html.Div("geheime cijfers")
    install_security(app, store, SecuritySettings(secure_cookies=False, **settings))

    @app.server.route("/wie")
    def _wie():
        return f"{has_right('notities')}"

    return app.server.test_client()


def _login(client, user, password):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf": token, "gebruiker": user, "wachtwoord": password, "next": "/"})


def test_login_required_only_beyond_loopback():
    assert not login_required_for("127.0.0.1")
    assert not login_required_for("localhost")
    assert login_required_for("0.0.0.0")
    assert login_required_for("10.1.2.3")


def test_loopback_operator_has_every_right(store):
    client = _client(store, require_login=False)
    assert client.get("/").status_code == 200
    assert client.get("/wie").get_data(as_text=True) == "True"


def test_anonymous_user_is_sent_to_login_and_dash_api_refused(store):
    client = _client(store, require_login=True)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401


def test_login_with_right_password_opens_the_app_with_the_users_role(store):
    client = _client(store, require_login=True)
    assert _login(client, "raadslid", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/wie").get_data(as_text=True) == "False"  # raad may not write notes


def test_wrong_password_and_unknown_user_get_the_same_message(store):
    client = _client(store, require_login=True)
    wrong = _login(client, "anna", "wrong-password-123")
    unknown = _login(client, "niemand", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "Onbekende gebruikersnaam of onjuist wachtwoord" in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_is_throttled_after_repeated_failures(store):
    client = _client(store, require_login=True)
    for _ in range(MAX_FAILURES):
        assert _login(client, "anna", "wrong-password-123").status_code == 401
    throttled = _login(client, "anna", PASSWORD)  # even the right password is refused now
    assert throttled.status_code == 429
    assert "Te veel mislukte pogingen" in throttled.get_data(as_text=True)


def test_login_form_without_csrf_token_is_refused(store):
    client = _client(store, require_login=True)
    client.get("/login")
    response = client.post("/login", data={"gebruiker": "anna", "wachtwoord": PASSWORD})
    assert response.status_code == 400


def test_cross_site_post_is_refused(store):
    client = _client(store, require_login=False)
    response = client.post(
        "/_dash-update-component", json={}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_open_redirect_after_login_is_prevented(store):
    client = _client(store, require_login=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf": token, "gebruiker": "anna", "wachtwoord": PASSWORD, "next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_removed_user_loses_access_at_once(store):
    client = _client(store, require_login=True)
    _login(client, "anna", PASSWORD)
    assert client.get("/").status_code == 200
    store.remove("anna")
    assert client.get("/").status_code == 302


def test_trusted_header_only_when_switched_on(store):
    off = _client(store, require_login=True)
    assert off.get("/", headers={"X-Remote-User": "anna"}).status_code == 302
    on = _client(store, require_login=True, trusted_user_header="X-Remote-User")
    assert on.get("/wie", headers={"X-Remote-User": "anna"}).get_data(as_text=True) == "True"
    assert on.get("/", headers={"X-Remote-User": "onbekend"}).status_code == 403


def test_security_headers_and_session_cookie_flags(store):
    client = _client(store, require_login=True)
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


@pytest.mark.filterwarnings("ignore:.*dash_table.DataTable will be removed:DeprecationWarning")
def test_only_roles_with_the_right_can_write_pdca_actions(tmp_path):
    import flask
    from fixtures.published_store import build_published_store

    from dashboard.acties import actions_of
    from dashboard.app import create_app

    state = tmp_path / "state.sqlite"
    app = create_app(build_published_store(tmp_path / "monitor.duckdb"), state, SecuritySettings(require_login=True))
    pdca = __import__("pages.pdca", fromlist=["_"])
    arguments = (1, "2017-01-01", None, "", "zelfredzaamheid", "GM0014", "bespreken", "", "", "", "open", 0)
    with app.server.test_request_context():
        flask.g.wijkmonitor_user, flask.g.wijkmonitor_role = "raadslid", "raad"
        versie, melding = pdca.save_action(*arguments)
        assert versie is dash.no_update and "niet vastleggen" in str(melding)
        assert "Nieuwe actie" not in str(pdca.layout())
    assert actions_of(state, date(2017, 1, 1)) == []
    with app.server.test_request_context():
        flask.g.wijkmonitor_user, flask.g.wijkmonitor_role = "anna", "programmateam"
        versie, _ = pdca.save_action(*arguments)
        assert versie == 1
    assert [(a.omschrijving, a.auteur) for a in actions_of(state, date(2017, 1, 1))] == [("bespreken", "anna")]


def test_huge_request_bodies_are_refused(store):
    client = _client(store, require_login=False)
    response = client.post("/_dash-update-component", data=b"x" * (2 * 1024 * 1024),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
