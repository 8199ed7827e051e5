"""The PDCA cycle in a real headless Chromium, with login: signal -> action -> change -> close -> carried into
the next session, with the author and the history of every change; no keyboard trap on the page."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.browser import click as _click
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page as _open
from fixtures.browser import severe_logs as _severe
from fixtures.browser import wait_until as _wait
from fixtures.published_store import build_published_store

from dashboard.acties import actions_of, history
from dashboard.app import create_app
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served
from dashboard.security import SecuritySettings
from dashboard.users import UserStore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]
PASSWORD = "lang-genoeg-wachtwoord-42"
SESSIE, VOLGENDE = "2016-01-01", "2017-01-01"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdca-browser")
    state = folder / "state.sqlite"
    users = UserStore(state)
    for name, role in (("anna", "programmateam"), ("bram", "programmateam"), ("beheerder", "beheer")):
        users.add(name, PASSWORD, role)
    app = create_app(build_published_store(folder / "monitor.duckdb"), state,
                     SecuritySettings(auth="login", secure_cookies=False))
    with served(app) as url:
        yield url, state


def _login(driver, url: str, user: str, peildatum: str) -> str:
    driver.delete_all_cookies()
    driver.get(f"{url}/login?next=/pdca?peildatum={peildatum}")
    driver.find_element("id", "gebruiker").send_keys(user)
    driver.find_element("id", "wachtwoord").send_keys(PASSWORD)
    driver.find_element("css selector", "button[type=submit]").click()
    return _open(driver, f"{url}/pdca?peildatum={peildatum}")


def _value(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).get_attribute("value")


def _save(driver) -> str:
    melding = driver.find_element("id", "pdca-melding")
    _click(driver, driver.find_element("id", "pdca-opslaan"))
    _wait(driver, lambda d: melding.text.strip() != "")
    return melding.text


def _status(driver, status: str) -> None:
    _click(driver, driver.find_element("css selector", f"#pdca-status input[value='{status}']"))


def _edit(driver, actie_id: int) -> None:
    _click(driver, driver.find_element("css selector", f"button[aria-label='Actie {actie_id} wijzigen']"))
    _wait(driver, lambda d: d.find_element("id", "pdca-formulier-titel").text == f"Actie {actie_id} wijzigen")


def test_signal_to_action_to_change_to_close_across_sessions(driver, site):
    url, state = site
    # anna opens the 2016 session and starts an action from the first signal: the form is filled from it
    _login(driver, url, "anna", SESSIE)
    first_row = driver.find_element("css selector", "#pdca-signalen tbody tr")
    signal_cells = [td.text for td in first_row.find_elements("tag name", "td")]
    _click(driver, first_row.find_element("css selector", "button"))
    _wait(driver, lambda d: d.find_element("id", "pdca-formulier-titel").text == "Nieuwe actie bij signaal 1")
    shown = driver.find_element("id", "pdca-signaal-tekst").text
    assert signal_cells[2] in shown and signal_cells[3].split(" (")[0] in shown  # indicator and area of the signal
    assert driver.switch_to.active_element.get_attribute("id") == "pdca-omschrijving"  # focus moved to the form
    assert driver.find_element("id", "pdca-deadline").get_attribute("placeholder") == "dd-mm-jjjj"
    driver.find_element("id", "pdca-omschrijving").send_keys("Huisbezoeken door het wijkteam")
    driver.find_element("id", "pdca-eigenaar").send_keys("J. de Vries")
    driver.find_element("id", "pdca-deadline").send_keys("01-03-2016")
    assert _save(driver) == "Actie opgeslagen."
    _wait(driver, lambda d: _value(d, "pdca-omschrijving") == "" and _value(d, "pdca-deadline") == "")  # form cleared
    _wait(driver, lambda d: "Actie 1:" in d.find_element("id", "pdca-acties").text)
    card = driver.find_element("id", "pdca-acties").text
    assert "Vastgelegd door\nanna" in card and "01-03-2016" in card and "J. de Vries" in card
    _wait(driver, lambda d: "✓ actie 1" in d.find_element("css selector", "#pdca-signalen tbody tr").text)

    # anna changes it: the form shows the stored values, the date as dd-mm-jjjj
    _edit(driver, 1)
    assert _value(driver, "pdca-deadline") == "01-03-2016"
    assert _value(driver, "pdca-omschrijving") == "Huisbezoeken door het wijkteam"
    _status(driver, "lopend")
    driver.find_element("id", "pdca-besluit").send_keys("Extra wijkcoach inzetten")
    assert _save(driver) == "Actie opgeslagen."
    _wait(driver, lambda d: "versie 2" in d.find_element("id", "pdca-acties").text)
    assert "Eerdere sessies met" not in driver.find_element("id", "pdca-historie").text
    assert "Geen eerdere sessies" in driver.find_element("id", "pdca-historie").text

    # the next session: the open action comes back, flagged as overdue; only earlier sessions are listed
    text = _open(driver, f"{url}/pdca?peildatum={VOLGENDE}")
    carried = driver.find_element("id", "pdca-overgenomen").text
    assert "Actie 1:" in carried and "te laat" in carried and "lopend" in carried
    assert "Nog geen acties in deze sessie." in text
    sessions = driver.find_element("id", "pdca-historie").text
    assert "Sessie 1 januari 2016" in sessions and "Sessie 1 januari 2017" not in sessions

    # bram may read it but not change it
    _login(driver, url, "bram", VOLGENDE)
    assert driver.find_elements("css selector", "button[aria-label='Actie 1 wijzigen']") == []

    # beheer closes it in the 2017 session; it stays in that session's view with the whole history
    _login(driver, url, "beheerder", VOLGENDE)
    _edit(driver, 1)
    _status(driver, "afgerond")
    assert _save(driver) == "Actie opgeslagen."
    _wait(driver, lambda d: "afgerond" in d.find_element("id", "pdca-overgenomen").text)
    carried = driver.find_element("id", "pdca-overgenomen")
    assert "te laat" not in carried.text  # a closed action is never overdue
    _click(driver, carried.find_element("tag name", "summary"))
    steps = [li.text for li in carried.find_elements("css selector", "details li")]
    assert len(steps) == 3
    assert "anna (sessie 1 januari 2016): open" in steps[0] and "anna (sessie 1 januari 2016): lopend" in steps[1]
    assert "beheerder (sessie 1 januari 2017): afgerond" in steps[2] and "Extra wijkcoach inzetten" in steps[2]
    assert _severe(driver) == []

    [stored] = actions_of(state, date(2016, 1, 1))
    assert (stored.auteur, stored.status, stored.gewijzigd_door) == ("anna", "afgerond", "beheerder")
    assert [w.door for w in history(state, stored.id)] == ["anna", "anna", "beheerder"]


def test_tab_goes_through_the_whole_page_without_a_trap(driver, site):
    url, _state = site
    from selenium.webdriver.common.keys import Keys

    _login(driver, url, "anna", SESSIE)
    driver.find_element("tag name", "body").send_keys(Keys.TAB)
    seen = []
    for _ in range(400):
        active = driver.switch_to.active_element
        seen.append(active.get_attribute("id") or active.text)
        if active.get_attribute("id") == "pdca-export-xlsx":
            break
        active.send_keys(Keys.TAB)
    assert "pdca-export-xlsx" in seen, seen[-10:]  # reached the downloads after the signals and the form
    assert "pdca-opslaan" in seen
