"""Comparing fairly in a real headless Chromium: the similar wijken on the Wijkprofiel, the Werkwijzen page and
"wijken zoals" in Wijken vergelijken, with axe (WCAG 2.1 AA) on each."""

from __future__ import annotations

import pytest
from fixtures.browser import axe_violations, choose
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page as _open
from fixtures.browser import severe_logs as _severe
from fixtures.browser import wait_until as _wait
from fixtures.published_store import VERGELIJK_WIJK, WERKWIJZE, build_published_store

from dashboard import ids, vergelijken
from dashboard.app import create_app
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vergelijken-browser")
    app = create_app(build_published_store(folder / "monitor.duckdb"), folder / "state.sqlite")
    with served(app) as url:
        yield url


def test_wijkprofiel_shows_similar_wijken_and_passes_axe(driver, base_url):
    driver.get_log("browser")
    text = _open(driver, f"{base_url}/wijkprofiel?wijk={VERGELIJK_WIJK}&peildatum=2017-01-01")
    assert "Centrum naast vergelijkbare wijken" in text and "Oud-Zuid (0,50)" in text
    assert "1 met onvoldoende waarnemingen weggelaten" in text
    assert axe_violations(driver) == []
    choose(driver, ids.PROFIEL_WIJK, "WK001402")  # a wijk without similar wijken in the fixture: said, not guessed
    _wait(driver, lambda d: "geen vergelijkbare wijken bepaald" in d.find_element("id", ids.PROFIEL_VERGELIJKBAAR).text)
    assert _severe(driver) == []


def test_werkwijzen_page_updates_its_reading_and_passes_axe(driver, base_url):
    driver.get_log("browser")
    text = _open(driver, f"{base_url}/werkwijzen?id=zelfredzaamheid")
    assert WERKWIJZE[0] in text and vergelijken.NO_CAUSALITY in text
    assert axe_violations(driver) == []
    choose(driver, ids.WERKWIJZE_INDICATOR, "specialistische_ondersteuning")
    _wait(driver, lambda d: "Gebruik individuele specialistische ondersteuning: van" in
          d.find_element("id", ids.WERKWIJZE_LEZING).text)
    assert "geen steekproefinterval" in driver.find_element("id", ids.WERKWIJZE_LEZING).text
    assert "werkwijze=" in driver.current_url and "specialistische_ondersteuning" in driver.current_url
    assert _severe(driver) == []


def test_wijken_zoals_limits_the_table(driver, base_url):
    text = _open(driver, f"{base_url}/wijken?id=zelfredzaamheid&gebied={vergelijken.ZOALS}{VERGELIJK_WIJK}")
    table = driver.find_element("id", ids.VERGELIJK_KAARTTABEL).text
    assert "Oud-Zuid" in table and "Meerdorpen" in table and "Ten Post" not in table
    assert "is onbekend" not in text
    assert axe_violations(driver) == []
