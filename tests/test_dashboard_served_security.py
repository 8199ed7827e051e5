"""Web trust checked over HTTP against the real `wijkmonitor serve` (gunicorn) on free loopback ports.

Three servers: the demo (no users), login (users in the state file, on loopback) and single sign-on
(header trusted only from 127.0.0.2; Linux routes all of 127/8 to loopback, so a client can connect
from 127.0.0.1 or, as "the proxy", from 127.0.0.2).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from fixtures.published_store import build_published_store
from fixtures.sources import write_clean_sources

pytestmark = pytest.mark.integration  # real gunicorn servers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import free_port  # noqa: E402
from dashboard.app import DEMO_NOTICE, FICTIVE_NOTICE  # noqa: E402
from dashboard.users import MAX_FAILURES, UserStore  # noqa: E402

PASSWORD = "correct-horse-battery"
CLI = [sys.executable, "-m", "wijkmonitor.cli"]


class Visitor:
    """One browser-like client: keeps the session cookie, connects from a chosen loopback address."""

    def __init__(self, port: int, source: str = "127.0.0.1", headers: dict[str, str] | None = None):
        self.port, self.source, self.headers, self.cookie = port, source, dict(headers or {}), None

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
        sent = {**self.headers, **(headers or {})}
        if self.cookie:
            sent["Cookie"] = self.cookie
        if content_type:
            sent["Content-Type"] = content_type
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                self.cookie = None if pair.endswith("=") or "Expires=Thu, 01 Jan 1970" in value else pair
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict[str, str], **kwargs):
        body = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in fields.items()).encode()
        return self.request("POST", path, body, "application/x-www-form-urlencoded", **kwargs)

    def post_json(self, path: str, payload: object):
        return self.request("POST", path, json.dumps(payload).encode(), "application/json")

    def login(self, user: str, password: str, next_path: str = "/", headers: dict[str, str] | None = None):
        status, _, page = self.get("/login")
        assert status == 200, page[:200]
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        return self.post_form("/login", {"csrf": token, "gebruiker": user, "wachtwoord": password, "next": next_path},
                              headers=headers)

    def logout(self):
        status, _, page = self.get("/")
        assert status == 200
        return self.post_form("/logout", {"csrf": LOGOUT_FORM.search(page).group(1)})


LOGOUT_FORM = re.compile(r'<form method="post" action="/logout" class="uitlog-form">'
                         r'<input type="hidden" name="csrf" value="([^"]+)">'
                         r'<button type="submit" class="uitloggen">Uitloggen</button></form>')


@contextmanager
def _serve(folder: Path, db: Path, *options: str):
    """`wijkmonitor serve --workers 1` with options on a free loopback port; yields (port, log path)."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    command = [*CLI, "serve", "--db", str(db), "--state", str(folder / "state.sqlite"), "--port", str(port),
               "--workers", "1", "--insecure-cookies", *options]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=5)) as probe:
                    probe.request("GET", "/login")
                    probe.getresponse().read()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield port, log
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(port, folder) of the demo: no users, a store the generator made (fictieve_demogegevens = ja)."""
    folder = tmp_path_factory.mktemp("demo")
    db = build_published_store(folder / "monitor.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM meta WHERE sleutel = 'fictieve_demogegevens'")
        con.execute("INSERT INTO meta VALUES ('fictieve_demogegevens', 'ja')")
    with _serve(folder, db) as (port, _log):
        yield port, folder


@pytest.fixture(scope="module")
def login(tmp_path_factory):
    """(port, folder) of a login server on loopback behind a 'proxy' at 127.0.0.1; real figures."""
    folder = tmp_path_factory.mktemp("login")
    db = build_published_store(folder / "monitor.duckdb")
    users = UserStore(folder / "state.sqlite")
    for name, role in (("anna", "programmateam"), ("piet", "beheer"), ("raadslid", "raad")):
        users.add(name, PASSWORD, role)
    with _serve(folder, db, "--trusted-proxy", "127.0.0.1") as (port, _log):
        yield port, folder


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    """Port of a server that takes X-Remote-User from the proxy at 127.0.0.2 only."""
    folder = tmp_path_factory.mktemp("sso")
    db = build_published_store(folder / "monitor.duckdb")
    UserStore(folder / "state.sqlite").add("anna", PASSWORD, "programmateam")
    with _serve(folder, db, "--sso-header", "X-Remote-User", "--trusted-proxy", "127.0.0.2") as (port, _log):
        yield port


# --- the demo -------------------------------------------------------------------------------------

PAGES = ["/", "/wijken", "/indicator", "/wijkprofiel", "/pdca", "/datakwaliteit", "/over", "/bestaat-niet"]


def test_demo_without_users_says_so_on_every_page(demo):
    port, _folder = demo
    visitor = Visitor(port)
    for path in PAGES:
        status, _, page = visitor.get(path)
        assert status == 200 and '<html lang="nl">' in page, path
        assert f'<p class="kopmelding">{DEMO_NOTICE}</p>' in page, path
        assert f'<p class="kopmelding">{FICTIVE_NOTICE}</p>' in page, path
        assert "Uitloggen" not in page  # nobody to log out
    assert DEMO_NOTICE.startswith("Demo zonder inloggen")
    assert visitor.cookie is None  # no login, no session


def test_fictitious_data_banner_only_for_a_generated_store(login):
    port, _folder = login
    visitor = Visitor(port)
    assert FICTIVE_NOTICE not in visitor.get("/login")[2]
    visitor.login("anna", PASSWORD)
    for path in PAGES:
        status, _, page = visitor.get(path)
        assert status == 200 and "kopmelding" not in page, path  # real figures, no demo: no notices
        assert "Ingelogd als anna (programmateam)" in page and LOGOUT_FORM.search(page), path


# A well-formed call of Overzicht's callback (two outputs, two inputs); each malformed payload below is
# this one with one defect, so a 400 is caused by that defect and not by an unknown callback.
GOOD = {
    "output": "..overzicht-kaarten.children...overzicht-rapport.href..",
    "outputs": [{"id": "overzicht-kaarten", "property": "children"}, {"id": "overzicht-rapport", "property": "href"}],
    "inputs": [{"id": "overzicht-gebied", "property": "value", "value": "GM0014"},
               {"id": "overzicht-peildatum", "property": "value", "value": "2017-01-01"}],
    "changedPropIds": ["overzicht-gebied.value"],
}


def _with(**changes) -> dict:
    """GOOD with some fields replaced."""
    return GOOD | changes


def _with_input(index: int, **changes) -> dict:
    """GOOD with one input's fields replaced."""
    inputs = [dict(item) for item in GOOD["inputs"]]
    inputs[index] |= changes
    return _with(inputs=inputs)


MALFORMED = [
    [],  # not an object
    "output",
    {},  # no fields
    {"output": GOOD["output"]},  # no outputs/inputs
    {"output": "bestaat.niet", "outputs": {"id": "bestaat", "property": "niet"}, "inputs": []},
    _with(outputs="x"),
    _with(inputs="overzicht-gebied"),
    _with(inputs=GOOD["inputs"][:1]),  # an input missing
    _with_input(0, value={"$ne": 1}),
    _with_input(0, value=[[1, 2]]),
    _with_input(0, id=5),
    _with_input(1, value=12),  # a number where a date is expected
    _with(changedPropIds="x"),
    {"output": "vergelijk-navigatie.href", "outputs": {"id": "vergelijk-navigatie", "property": "href"},
     "inputs": [{"id": "vergelijk-kaart", "property": "clickData", "value": {"points": "alle"}}]},
    {"output": "vergelijk-navigatie.href", "outputs": {"id": "vergelijk-navigatie", "property": "href"},
     "inputs": [{"id": "vergelijk-kaart", "property": "clickData", "value": {"points": [{}]}}]},  # passes the shape
]


@pytest.mark.parametrize("payload", MALFORMED, ids=[f"payload{i}" for i in range(len(MALFORMED))])
def test_malformed_callback_payloads_get_400_not_500(demo, payload):
    port, _folder = demo
    status, _, content = Visitor(port).post_json("/_dash-update-component", payload)
    assert status == 400, content[:300]
    assert content.startswith("Ongeldig verzoek")


def test_not_json_at_all_is_a_client_error(demo):
    port, _folder = demo
    status, _, _ = Visitor(port).request("POST", "/_dash-update-component", b"{niet: json", "application/json")
    assert status == 400


def test_a_well_formed_callback_still_works(demo):
    port, _folder = demo
    status, _, content = Visitor(port).post_json("/_dash-update-component", GOOD)
    assert status == 200 and "overzicht-kaarten" in json.loads(content)["response"]


def test_a_busy_port_gives_one_dutch_line(demo):
    port, folder = demo
    result = subprocess.run([*CLI, "serve", "--db", str(folder / "monitor.duckdb"), "--port", str(port)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stderr == (f"wijkmonitor serve: poort {port} is al in gebruik; kies een andere met --port "
                             f"(bij make demo: PORT={port + 1} make demo)\n")
    assert result.stdout == ""


def test_beyond_loopback_without_an_auth_mode_refuses_to_start(tmp_path):
    db = build_published_store(tmp_path / "monitor.duckdb")
    result = subprocess.run([*CLI, "serve", "--db", str(db), "--host", "0.0.0.0", "--port", str(free_port())],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "zonder inloggen alleen op 127.0.0.1" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["monitor.duckdb"]  # no state file left behind


# --- login ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/wijken", "/_dash-layout", "/_dash-dependencies", "/assets/style.css"])
def test_with_users_every_request_needs_a_user_also_on_loopback(login, path):
    port, _folder = login
    status, headers, _ = Visitor(port).get(path)
    assert status in (302, 401)
    if status == 302:
        assert headers["location"].startswith("/login?next=")
    status, _, _ = Visitor(port).post_json("/_dash-update-component", {})
    assert status == 401


def test_logout_control_on_every_page_and_logout_revokes_the_session(login):
    port, _folder = login
    visitor = Visitor(port)
    status, headers, _ = visitor.login("piet", PASSWORD)
    assert status == 302
    copied = visitor.cookie
    assert copied and visitor.get("/_dash-layout")[0] == 200
    assert visitor.post_form("/logout", {"csrf": "geraden"})[0] == 400  # the form's token is needed
    status, headers, _ = visitor.logout()
    assert status == 302 and headers["location"] == "/login"
    thief = Visitor(port)
    thief.cookie = copied  # the cookie copied before logout
    assert thief.get("/_dash-layout")[0] == 401
    assert thief.get("/")[0] == 302


def test_login_rotates_the_session_token(login):
    port, _folder = login
    visitor = Visitor(port)
    visitor.get("/login")
    before = visitor.cookie
    visitor.login("anna", PASSWORD)
    assert visitor.cookie != before
    planted = Visitor(port)
    planted.cookie = before  # a token fixed before login is worth nothing after it
    assert planted.get("/_dash-layout")[0] == 401


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "//evil.example", "\\\\evil.example", "/\\evil.example", "https://evil.example",
    "%2F%2Fevil.example", "/%2F/evil.example", "/%09/evil.example", "/%5C%5Cevil.example", "/%252F%252Fevil.example",
])
def test_next_after_login_never_leaves_the_site(login, target):
    port, _folder = login
    status, headers, _ = Visitor(port).login("anna", PASSWORD, next_path=target)
    assert status == 302 and headers["location"] == "/"


def test_next_after_login_keeps_a_same_site_page(login):
    port, _folder = login
    visitor = Visitor(port)
    status, headers, _ = visitor.get("/wijken?id=zelfredzaamheid")
    assert status == 302 and headers["location"] == "/login?next=/wijken%3Fid%3Dzelfredzaamheid"
    status, headers, _ = visitor.login("anna", PASSWORD, next_path="/wijken?id=zelfredzaamheid")
    assert status == 302 and headers["location"] == "/wijken?id=zelfredzaamheid"


def test_throttling_is_per_user_and_client_address_behind_the_proxy(login):
    port, _folder = login
    attacker = {"X-Forwarded-For": "192.0.2.66"}
    for _ in range(MAX_FAILURES):
        assert Visitor(port, headers=attacker).login("raadslid", "fout-wachtwoord-123")[0] == 401
    status, _, page = Visitor(port, headers=attacker).login("raadslid", PASSWORD)
    assert status == 429 and "Te veel mislukte pogingen" in page
    # the real user, behind the same proxy from another address, still gets in
    assert Visitor(port, headers={"X-Forwarded-For": "192.0.2.10"}).login("raadslid", PASSWORD)[0] == 302
    # a forged X-Forwarded-For added before the proxy's own hop does not escape the throttle
    spoofed = {"X-Forwarded-For": "203.0.113.1, 192.0.2.66"}
    assert Visitor(port, headers=spoofed).login("raadslid", PASSWORD)[0] == 429


def test_state_file_content_cannot_forge_a_session(login):
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    port, folder = login
    Visitor(port).login("piet", PASSWORD)  # a live beheer session in the store
    with closing(sqlite3.connect(folder / "state.sqlite")) as con:
        tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        values = {str(value) for table in tables for row in con.execute(f"SELECT * FROM {table}") for value in row
                  if value is not None}
    assert values  # users, hashed session tokens, failures
    forged = set(values)
    for key in values:  # as if any stored value were a signing key
        app = Flask("vervalsing")
        app.secret_key = key
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        forged.add(serializer.dumps({"_user_id": "piet", "user": "piet", "_fresh": True}))
    for cookie in forged:
        thief = Visitor(port)
        thief.cookie = f"wijkmonitor_sessie={cookie}"
        assert thief.get("/_dash-layout")[0] == 401


def test_state_file_is_private(login):
    _port, folder = login
    for file in folder.glob("state.sqlite*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


# --- single sign-on -----------------------------------------------------------------------------------

def test_sso_header_is_honoured_only_from_the_trusted_proxy(sso):
    direct = Visitor(sso, source="127.0.0.1", headers={"X-Remote-User": "anna"})
    status, _, message = direct.get("/_dash-layout")
    assert status == 401 and "single sign-on" in message
    via_proxy = Visitor(sso, source="127.0.0.2", headers={"X-Remote-User": "anna"})
    assert via_proxy.get("/_dash-layout")[0] == 200
    status, _, page = via_proxy.get("/")
    assert status == 200 and "Ingelogd als anna (programmateam)" in page


def test_sso_user_must_exist_in_the_user_store(sso):
    unknown = Visitor(sso, source="127.0.0.2", headers={"X-Remote-User": "mallory"})
    assert unknown.get("/")[0] == 403
    assert Visitor(sso, source="127.0.0.2").get("/")[0] == 401  # the proxy sent no user
    status, headers, _ = Visitor(sso, source="127.0.0.2", headers={"X-Remote-User": "anna"}).get("/login")
    assert status == 302 and headers["location"] == "/"


# --- files ------------------------------------------------------------------------------------------

def test_every_file_the_commands_create_is_private(tmp_path):
    write_clean_sources(tmp_path / "bronnen")
    before = {p for p in tmp_path.rglob("*")}
    etl = subprocess.run([*CLI, "etl", "--sources", str(tmp_path / "bronnen"), "--warehouse",
                          str(tmp_path / "uit" / "warehouse.duckdb"), "--db", str(tmp_path / "uit" / "monitor.duckdb")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    users = subprocess.run([*CLI, "users", "add", "piet", "--role", "beheer", "--state",
                            str(tmp_path / "uit" / "state.sqlite"), "--password-stdin"],
                           input=PASSWORD + "\n", cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert users.returncode == 0, users.stderr
    created = {p for p in tmp_path.rglob("*")} - before
    names = {p.name for p in created}
    assert {"warehouse.duckdb", "monitor.duckdb", "state.sqlite", "warehouse_bestanden"} <= names, etl.stderr
    assert any(p.parent.parent.name == "warehouse_bestanden" for p in created if p.is_file())  # kept deliveries
    loose = [f"{p} {oct(stat.S_IMODE(p.stat().st_mode))}" for p in created
             if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == []
