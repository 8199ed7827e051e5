"""The notices and the logout control as a person sees and uses them: headless Chromium, keyboard only."""

from __future__ import annotations

import duckdb
import pytest
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page, wait_until
from fixtures.published_store import build_published_store

from dashboard.app import DEMO_NOTICE, FICTIVE_NOTICE, create_app
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served
from dashboard.security import SecuritySettings
from dashboard.users import UserStore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]

PASSWORD = "correct-horse-battery"


def _notices(driver) -> list[str]:
    return [p.text for p in driver.find_elements("css selector", "#meldingen .kopmelding") if p.is_displayed()]


def test_demo_and_fictitious_data_notices_are_visible_on_every_page(driver, tmp_path):
    db = build_published_store(tmp_path / "monitor.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM meta WHERE sleutel = 'fictieve_demogegevens'")
        con.execute("INSERT INTO meta VALUES ('fictieve_demogegevens', 'ja')")
    with served(create_app(db, tmp_path / "state.sqlite")) as url:
        for path in ("/", "/wijken", "/pdca", "/datakwaliteit"):
            open_page(driver, url + path)
            assert _notices(driver) == [DEMO_NOTICE, FICTIVE_NOTICE], path
        assert driver.find_elements("css selector", ".uitloggen") == []  # nobody to log out in the demo


def test_logout_by_keyboard_ends_the_session(driver, tmp_path):
    from selenium.webdriver.common.keys import Keys

    db = build_published_store(tmp_path / "monitor.duckdb")
    UserStore(tmp_path / "state.sqlite").add("anna", PASSWORD, "programmateam")
    app = create_app(db, tmp_path / "state.sqlite", SecuritySettings(auth="login", secure_cookies=False))
    with served(app) as url:
        driver.delete_all_cookies()
        driver.get(url + "/wijken")
        wait_until(driver, lambda d: "/login" in d.current_url)
        driver.find_element("id", "gebruiker").send_keys("anna")
        driver.find_element("id", "wachtwoord").send_keys(PASSWORD + Keys.ENTER)
        wait_until(driver, lambda d: d.current_url.endswith("/wijken"))
        open_page(driver, url + "/wijken")
        assert _notices(driver) == []  # real figures, and no demo
        assert "Ingelogd als anna (programmateam)" in driver.find_element("css selector", ".account").text
        body = driver.find_element("tag name", "body")
        body.send_keys(Keys.TAB)  # from the top: skip link first, then the header
        for _ in range(30):
            focused = driver.switch_to.active_element
            if focused.get_attribute("class") == "uitloggen":
                break
            focused.send_keys(Keys.TAB)
        else:
            pytest.fail("the logout button is not reachable with Tab")
        assert focused.is_displayed() and focused.text == "Uitloggen"
        focused.send_keys(Keys.ENTER)
        wait_until(driver, lambda d: "/login" in d.current_url and d.find_elements("id", "gebruiker"))
        driver.get(url + "/wijken")
        wait_until(driver, lambda d: "/login" in d.current_url)  # logged out: back to the login page
