"""Hostile input in the dashboard: PDCA actions with HTML/JS, over-long and unusual text, and hostile URL parameters.

One server and one headless Chromium for the whole module. Payloads that would run set window.__xss,
so "nothing executed" is checked directly in the page.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from fixtures.browser import click as _click
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page as _open
from fixtures.browser import severe_logs as _severe
from fixtures.browser import wait_until as _wait
from fixtures.published_store import build_published_store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import CALLBACK_PATH, Client, dependencies_of, require_loopback, save_action_body  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served  # noqa: E402
from dashboard.acties import MAX_TEXT, Invoer, actions_of, add_action  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]

LATEST = date(2017, 1, 1)  # the fixture store's last peildatum: new actions go to this session
EXPORT_SESSION = date(2016, 1, 1)  # actions for the export tests, written straight into the store
IMG_PAYLOAD = '<img src=x onerror="window.__xss=1">'
SCRIPT_PAYLOAD = "<script>window.__xss=2</script>"
SVG_PAYLOAD = '"><svg onload="window.__xss=3">'
FORMULA_PAYLOAD = '=HYPERLINK("http://voorbeeld.invalid","klik")'
UNICODE_NOTE = ("Zorg 😀 👩🏽‍💻 — مرحبا بالعالم (rechts-naar-links) — e\u0301 n\u0303 a\u0308 — "
                "zero\u200bwidth\u200cnon\u200djoiner\u2060 — \u202egnirts desrever\u202c — ß İ ﬁ")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base URL, actions store) of the app on the fixture store, with hostile actions in the export session."""
    folder = tmp_path_factory.mktemp("hostile")
    state = folder / "state.sqlite"
    for text in (IMG_PAYLOAD, SCRIPT_PAYLOAD, FORMULA_PAYLOAD):
        add_action(state, EXPORT_SESSION, "tevredenheid", "GM0014", Invoer(text, besluit=SVG_PAYLOAD,
                   eigenaar=SCRIPT_PAYLOAD), "lokaal", signaal=SVG_PAYLOAD)
    app = create_app(build_published_store(folder / "monitor.duckdb"), state)
    with served(app) as url:
        yield url, state


def _type(driver, element_id: str, text: str) -> None:
    """Type text into a field as an input method would; also characters outside the BMP, which send_keys cannot."""
    element = driver.find_element("id", element_id)
    _click(driver, element)
    driver.execute_cdp_cmd("Input.insertText", {"text": text})


def _save(driver) -> str:
    """Click 'Actie opslaan' and return the message the page shows."""
    melding = driver.find_element("id", "pdca-melding")
    _click(driver, driver.find_element("id", "pdca-opslaan"))
    _wait(driver, lambda d: melding.text.strip() != "")
    return melding.text


def _action_texts(driver) -> list[str]:
    """The exact text (textContent) of every user text of the session's actions."""
    return driver.execute_script(
        "return [...document.querySelectorAll('#pdca-acties .notitie-tekst')].map(e => e.textContent)")


def _post_action(url: str, text: str, **fields: object) -> str:
    """Save an action through the real save callback as a forged request that skips the form's limits; the message.

    fields override other form values by component id, e.g. pdca_deadline="morgen"."""
    host, port = require_loopback(url)
    body = json.loads(save_action_body(dependencies_of(url), text, "tevredenheid", "GM0014"))
    for item in body["state"]:
        item["value"] = fields.get(item["id"].replace("-", "_"), item["value"])
    client = Client(host, port, timeout=60)
    try:
        status, content = client.request("POST", CALLBACK_PATH, json.dumps(body).encode("utf-8"))
    finally:
        client.close()
    assert status == 200, content[:300]
    return json.loads(content)["response"]["pdca-melding"]["children"]["props"]["children"]["props"]["children"]


def test_html_and_script_in_an_action_are_shown_as_text_and_never_run(driver, site):
    url, state = site
    _open(driver, url + "/pdca")
    driver.get_log("browser")
    _type(driver, "pdca-omschrijving", IMG_PAYLOAD)
    _type(driver, "pdca-besluit", SCRIPT_PAYLOAD)
    _type(driver, "pdca-eigenaar", SVG_PAYLOAD)
    assert _save(driver) == "Actie opgeslagen."
    _open(driver, url + "/pdca")  # a fresh page load renders the stored actions
    time.sleep(0.3)  # an injected <img src=x> would fail to load and log an error by now
    cells = _action_texts(driver)
    assert IMG_PAYLOAD in cells and SCRIPT_PAYLOAD in cells and SVG_PAYLOAD in cells
    assert driver.find_elements("css selector", "#pdca-acties img, #pdca-acties script, #pdca-acties svg") == []
    assert driver.execute_script("return window.__xss") is None
    assert _severe(driver) == []
    stored = [a for a in actions_of(state, LATEST) if a.omschrijving == IMG_PAYLOAD]
    assert [(n.besluit, n.eigenaar) for n in stored] == [(SCRIPT_PAYLOAD, SVG_PAYLOAD)]


def test_unicode_action_round_trips_unchanged(driver, site):
    url, state = site
    _open(driver, url + "/pdca")
    _type(driver, "pdca-omschrijving", UNICODE_NOTE)
    _type(driver, "pdca-eigenaar", "Fatima الزهراء")
    assert _save(driver) == "Actie opgeslagen."
    assert UNICODE_NOTE in [a.omschrijving for a in actions_of(state, LATEST)]  # no normalisation, nothing dropped
    _open(driver, url + "/pdca")
    cells = _action_texts(driver)
    assert UNICODE_NOTE in cells and "Fatima الزهراء" in cells


def test_typing_beyond_the_forms_limit_stops_at_the_limit(driver, site):
    url, state = site
    _open(driver, url + "/pdca")
    text = "lang" * (MAX_TEXT // 4) + "TEVEEL"  # 4000 characters, then 6 more
    _type(driver, "pdca-omschrijving", text)
    typed = driver.execute_script("return document.getElementById('pdca-omschrijving').value")
    assert typed == text[:MAX_TEXT]
    assert _save(driver) == "Actie opgeslagen."
    assert text[:MAX_TEXT] in [a.omschrijving for a in actions_of(state, LATEST)]


@pytest.mark.parametrize("length", [MAX_TEXT + 1, 1_000_000])
def test_an_action_beyond_the_servers_limit_is_refused_in_dutch(site, length):
    url, state = site
    before = len(actions_of(state, LATEST))
    text = "x" * length
    assert _post_action(url, text) == f"Niet opgeslagen: omschrijving is langer dan {MAX_TEXT} tekens."
    assert len(actions_of(state, LATEST)) == before
    assert _post_action(url, "Na een te lange actie werkt opslaan nog") == "Actie opgeslagen."


BAD_DATE = "De deadline is geen geldige datum; schrijf dd-mm-jjjj, bijvoorbeeld 31-03-2026."


@pytest.mark.parametrize(("fields", "expected"), [
    ({"pdca_deadline": "'; DROP TABLE acties; --"}, BAD_DATE),
    ({"pdca_deadline": "30-02-2017"}, BAD_DATE),
    ({"pdca_deadline": "2017-03-01"}, BAD_DATE),  # ISO is not what the form asks for
    ({"pdca_status": "<script>window.__xss=1</script>"},
     "Niet opgeslagen: status moet open, lopend, afgerond of vervallen zijn, niet '<script>window.__xss=1</script>'."),
    ({"pdca_indicator": None, "pdca_gebied": None}, "Niet opgeslagen: kies een indicator en een gebied."),
    ({"pdca_gebied": "WK999999"}, "Niet opgeslagen: kies een indicator en een gebied."),
    ({"pdca_bewerkt": {"id": 999, "versie": 1}}, "Niet opgeslagen: actie 999 bestaat niet."),
])
def test_forged_form_values_are_refused_in_dutch(site, fields, expected):
    url, state = site
    before = len(actions_of(state, LATEST))
    assert _post_action(url, "Actie met vervalste velden", **fields) == expected
    assert len(actions_of(state, LATEST)) == before


def test_the_pdf_minutes_print_hostile_actions_as_text(driver, site, tmp_path):
    import subprocess

    url, _state = site
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _open(driver, url + f"/pdca?peildatum={EXPORT_SESSION.isoformat()}")
    _click(driver, driver.find_element("id", "pdca-export-pdf"))
    target = tmp_path / f"wijkmonitor_besluitenlijst_{EXPORT_SESSION.isoformat()}.pdf"
    _wait(driver, lambda d: target.exists() and target.stat().st_size > 0, timeout=30)
    time.sleep(0.2)  # Chromium renames the finished download; let the file settle
    text = "".join(subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, text=True, check=True).stdout.split())
    for payload in (IMG_PAYLOAD, SCRIPT_PAYLOAD, SVG_PAYLOAD):
        assert "".join(payload.split()) in text  # printed as the text that was typed


def test_the_excel_minutes_keep_a_formula_like_action_as_text(driver, site, tmp_path):
    from openpyxl import load_workbook

    url, _state = site
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _open(driver, url + f"/pdca?peildatum={EXPORT_SESSION.isoformat()}")
    _click(driver, driver.find_element("id", "pdca-export-xlsx"))
    target = tmp_path / f"wijkmonitor_besluitenlijst_{EXPORT_SESSION.isoformat()}.xlsx"
    _wait(driver, lambda d: target.exists() and target.stat().st_size > 0)
    time.sleep(0.2)  # Chromium renames the finished download; let the file settle
    sheet = load_workbook(target)["Acties"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == FORMULA_PAYLOAD]
    assert len(cells) == 1 and cells[0].data_type == "s"  # a string cell, not a formula Excel would run


# (address, texts the page must show). Chromium percent-encodes the raw characters as a browser would.
HOSTILE_URLS = [
    ("/wijkprofiel?wijk=<script>window.__xss=1</script>", ["Wijk '<script>window.__xss=1</script>' bestaat niet."]),
    ("/wijkprofiel?wijk=<img src=x onerror=window.__xss=1>", ["Wijk '<img src=x onerror=window.__xss=1>' bestaat niet."]),
    ("/indicator?id='; DROP TABLE indicator_values; --", ["Indicator ''; DROP TABLE indicator_values; --' bestaat niet."]),
    ("/indicator?id=zelfredzaamheid&gebied=\" OR 1=1 --", ["Gebied '\" OR 1=1 --' is onbekend; de gemeente wordt getoond."]),
    ("/wijken?id=bestaatniet&peildatum=2017-13-45&gebied=GB999999",
     ["Indicator 'bestaatniet' bestaat niet", "Peildatum '2017-13-45' komt niet voor",
      "Gebied 'GB999999' is onbekend; alle gebieden worden getoond."]),
    ("/pdca?peildatum=1900-01-01", ["Peildatum '1900-01-01' komt niet voor; de laatste peildatum wordt getoond."]),
    ("/?gebied=<b>vet</b>", ["Gebied '<b>vet</b>' is onbekend; de hele gemeente wordt getoond."]),
    ("/wijkprofiel?wijk=WK001401%00", ["bestaat niet. Kies hieronder een wijk."]),
    ("/wijkprofiel?wijk=" + "A" * 5000, ["Wijk 'AAAA", "' bestaat niet."]),
    ("/wijkprofiel?wijk=onbekend&wijk=WK001401", ["Wijk 'onbekend' bestaat niet."]),  # a repeated parameter
    ("/wijkprofiel?peildatum=%ZZ&wijk=%FF", ["bestaat niet. Kies hieronder een wijk."]),
    ("/bestaat-niet?wijk=<script>window.__xss=1</script>", ["Pagina niet gevonden", "Deze pagina bestaat niet."]),
]


# Elements a payload would have created: scripts, anything carrying the payload's code, the <b>vet</b> markup.
INJECTED_ELEMENTS = """return [...document.querySelectorAll('#inhoud *')].filter(e => e.tagName === 'SCRIPT'
    || [...e.attributes].some(a => a.value.includes('__xss')) || (e.tagName === 'B' && e.textContent === 'vet')).length"""


@pytest.mark.parametrize(("path", "expected"), HOSTILE_URLS, ids=[f"url{i}" for i in range(len(HOSTILE_URLS))])
def test_hostile_url_parameters_give_a_dutch_message(driver, site, path, expected):
    url, _state = site
    driver.get_log("browser")  # drop what earlier pages left
    text = _open(driver, url + path)
    time.sleep(0.3)  # late errors (a failed fetch, an injected image) arrive after the first render
    for part in expected:
        assert part in text
    assert driver.find_element("css selector", "#inhoud h1").text
    assert not [word for word in ("Error", "Traceback", "Internal Server", "404 - Page") if word in text]
    assert driver.execute_script(INJECTED_ELEMENTS) == 0
    assert driver.execute_script("return window.__xss") is None
    assert _severe(driver) == []


def test_a_hostile_address_does_not_break_the_next_page(driver, site):
    url, _state = site
    _open(driver, url + "/indicator?id=' OR '1'='1")
    assert "Zelfredzaamheid" in _open(driver, url + "/indicator?id=zelfredzaamheid")
