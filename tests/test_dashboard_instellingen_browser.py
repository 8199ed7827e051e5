"""/instellingen in a real headless Chromium with login: beheer adds a werkwijze (wijken chosen by name, by
keyboard) and changes a budget in Dutch notation; a wrong amount is refused by its cell; the history shows who,
when, why and what; axe-core finds no serious violation and Tab reaches every control; raad sees no controls."""

from __future__ import annotations

import pytest
from fixtures.browser import axe_violations, tab_round
from fixtures.browser import click as _click
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page as _open
from fixtures.browser import severe_logs as _severe
from fixtures.browser import wait_until as _wait
from fixtures.published_store import build_published_store

from dashboard.app import create_app
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served
from dashboard.security import SecuritySettings
from dashboard.users import UserStore
from indicators import settings
from indicators.config import load_config

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]
PASSWORD = "lang-genoeg-wachtwoord-42"
CONFIG = """[[werkwijzen]]
naam = "Integraal wijkteam"
omschrijving = "Alles in één team."
wijken = ["WK001403"]
startdatum = 2017-01-01

[begroting.wmo]
"2016" = 64_000_000
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("instellingen-browser")
    config = folder / "config" / "monitor.toml"
    config.parent.mkdir()
    config.write_text(CONFIG, encoding="utf-8")
    state = folder / "state.sqlite"
    users = UserStore(state)
    for name, role in (("raadslid", "raad"), ("beheerder", "beheer")):
        users.add(name, PASSWORD, role)
    app = create_app(build_published_store(folder / "monitor.duckdb"), state,
                     SecuritySettings(auth="login", secure_cookies=False), config=config)
    with served(app) as url:
        yield url, config


def _login(driver, url: str, user: str) -> str:
    driver.delete_all_cookies()
    driver.get(f"{url}/login?next=/instellingen")
    driver.find_element("id", "gebruiker").send_keys(user)
    driver.find_element("id", "wachtwoord").send_keys(PASSWORD)
    driver.find_element("css selector", "button[type=submit]").click()
    return _open(driver, f"{url}/instellingen")


def _by_id(driver, element_id: str):
    return driver.execute_script("return document.getElementById(arguments[0])", element_id)


def _message(driver, element_id: str, before: str = "") -> str:
    _wait(driver, lambda d: _by_id(d, element_id).text.strip() not in ("", before))
    return _by_id(driver, element_id).text


def test_beheer_edits_werkwijzen_and_begroting_with_history(driver, site):
    url, config = site
    text = _login(driver, url, "beheerder")
    assert "gebruiken monitor.toml zonder wijzigingen uit dit scherm (versie 0)" in text
    assert axe_violations(driver) == []
    visited, last = tab_round(driver)
    assert last in visited, f"Tab never reached the last focusable element {last}; stuck after {visited[-3:]}"

    # a new werkwijze, the wijken ticked by name
    _by_id(driver, "instellingen-ww-naam").send_keys("Buurtteam")
    _by_id(driver, "instellingen-ww-omschrijving").send_keys("Eén team per buurt.")
    for name in ("Oud-Zuid", "Noordoost"):
        box = driver.find_element("xpath", f"//fieldset[.//legend[starts-with(., 'Wijken')]]//label[normalize-space()='{name}']")
        _click(driver, box)
    _by_id(driver, "instellingen-ww-startdatum").send_keys("1-3-2018")
    _click(driver, _by_id(driver, "instellingen-ww-opslaan"))
    assert "Vul de reden van de wijziging in." in _message(driver, "instellingen-ww-reden-fout")
    assert driver.switch_to.active_element.get_attribute("id") == "instellingen-ww-reden"  # focus on the field to fix
    driver.switch_to.active_element.send_keys("Proef in twee buurten")
    before = _by_id(driver, "instellingen-ww-melding").text
    _click(driver, _by_id(driver, "instellingen-ww-opslaan"))
    assert "Opgeslagen als versie 1" in _message(driver, "instellingen-ww-melding", before)
    _wait(driver, lambda d: "Buurtteam" in _by_id(d, "instellingen-werkwijzen").text)
    assert "Oud-Zuid, Noordoost" in _by_id(driver, "instellingen-werkwijzen").text
    assert [(w.naam, w.wijken) for w in load_config(config).werkwijzen] == [
        ("Integraal wijkteam", ("WK001403",)), ("Buurtteam", ("WK001401", "WK001411"))]

    # a budget in Dutch notation; a wrong one is refused by its cell and focus goes there
    cell = _by_id(driver, '{"index":"2017|wmo","type":"instellingen-bedrag-begroting"}')
    cell.send_keys("12,3,4")
    _click(driver, _by_id(driver, "instellingen-opslaan-begroting"))
    assert "Begroting 2017, Wmo: ‘12,3,4’ is geen bedrag" in _message(driver, "instellingen-melding-begroting")
    wrong = driver.switch_to.active_element
    assert "is-invalid" in wrong.get_attribute("class")
    wrong.clear()
    wrong.send_keys("66.500.000")
    _by_id(driver, "instellingen-reden-begroting").send_keys("Voorjaarsnota 2017")
    before = _by_id(driver, "instellingen-melding-begroting").text
    _click(driver, _by_id(driver, "instellingen-opslaan-begroting"))
    assert "Opgeslagen als versie 2" in _message(driver, "instellingen-melding-begroting", before)
    assert load_config(config).begroting == {(2016, "wmo"): 64_000_000.0, (2017, "wmo"): 66_500_000.0}
    _wait(driver, lambda d: "staan nu op versie 2" in _by_id(d, "instellingen-stand-tekst").text)

    history = _by_id(driver, "instellingen-geschiedenis-begroting")
    _click(driver, history.find_element("tag name", "summary"))
    shown = history.text
    assert "beheerder" in shown and "Voorjaarsnota 2017" in shown and "2017 Wmo: nieuw € 66.500.000" in shown
    assert [c.versie for c in settings.history(settings.store_path(config))] == [1, 2]
    assert axe_violations(driver) == []
    assert _severe(driver) == []

    # back to monitor.toml's begroting, with a reason, by keyboard-reachable controls in a <details>
    revert = _by_id(driver, "instellingen-terug-begroting").find_element("xpath", "ancestor::details")
    _click(driver, revert.find_element("tag name", "summary"))
    _by_id(driver, "instellingen-terug-reden-begroting").send_keys("Terug naar de raadsbegroting")
    _click(driver, _by_id(driver, "instellingen-terug-begroting"))
    assert "Teruggezet naar monitor.toml als versie 3" in _message(driver, "instellingen-terug-melding-begroting")
    _wait(driver, lambda d: "Bron: monitor.toml." in _by_id(d, "instellingen-bedragen-begroting-bron").text)
    assert load_config(config).begroting == {(2016, "wmo"): 64_000_000.0}
    assert axe_violations(driver) == []


def test_raad_sees_a_refusal_and_no_controls(driver, site):
    url, _config = site
    text = _login(driver, url, "raadslid")
    assert "Alleen de rol beheer kan de instellingen wijzigen; uw rol (raad)" in text
    assert driver.find_elements("css selector", "#inhoud input, #inhoud textarea, #inhoud button") == []
    assert axe_violations(driver) == []
