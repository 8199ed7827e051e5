"""Geld per wijk in a real headless Chromium: loads cleanly, passes axe, keyboard without traps, the wet choice redraws."""

from __future__ import annotations

import pytest
from fixtures.browser import axe_violations, choose, open_page, severe_logs, tab_round, wait_until
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.published_store import build_published_store

from dashboard import ids
from dashboard.app import create_app
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("geld-browser")
    app = create_app(build_published_store(folder / "monitor.duckdb"), folder / "state.sqlite")
    with served(app) as url:
        yield url


def test_geld_page_loads_passes_axe_and_has_no_keyboard_trap(driver, base_url):
    driver.get_log("browser")
    text = open_page(driver, base_url + "/geld?peildatum=2017-01-01&wet=wmo")
    assert "Geld per wijk" in text and "€ 220.000" in text
    assert severe_logs(driver) == []
    assert axe_violations(driver) == []
    visited, last = tab_round(driver)
    assert last in visited


def test_choosing_a_wet_redraws_the_tables(driver, base_url):
    open_page(driver, base_url + "/geld?peildatum=2017-01-01&wet=wmo")
    choose(driver, ids.GELD_WET, "jeugdwet")
    # Centrum (k = 0) on 2017-01-01: wmo 100.000 + 20.000; jeugdwet 200.000 + 20.000 (no jeugdwet cell is 120.000)
    wait_until(driver, lambda d: "€ 120.000" not in d.find_element("id", ids.GELD_TABEL).text)
    centrum = next(line for line in driver.find_element("id", ids.GELD_TABEL).text.splitlines() if line.startswith("Centrum"))
    assert "€ 220.000" in centrum


def test_wijkprofiel_costs_block_beside_the_outcomes_passes_axe(driver, base_url):
    driver.get_log("browser")
    open_page(driver, base_url + "/wijkprofiel?wijk=WK001401&peildatum=2017-01-01")
    wait_until(driver, lambda d: d.find_elements("id", ids.PROFIEL_KOSTEN))
    block = driver.find_element("id", ids.PROFIEL_KOSTEN).text
    # WK001401 (k = 1) on 2017-01-01: wmo 2 x 100.000 + 2 x 10.000 = 220.000 for 110 inhabitants, 21 clients
    wmo = next(line for line in block.splitlines() if line.startswith("Wmo"))
    assert "€ 2.000" in wmo and "€ 10.476" in wmo
    assert severe_logs(driver) == []
    assert axe_violations(driver) == []


def test_marking_a_wijk_names_it_and_its_similar_wijken_and_passes_axe(driver, base_url):
    driver.get_log("browser")
    open_page(driver, base_url + "/geld?peildatum=2017-01-01&wet=wmo")
    choose(driver, ids.GELD_MARKEER, "WK001400")  # Centrum; similar: Oud-Zuid, Meerdorpen (suppressed costs)
    wait_until(driver, lambda d: "gekozen wijk" in d.find_element("id", ids.GELD_SPREIDING_TABEL).text)
    lines = driver.find_element("id", ids.GELD_SPREIDING_TABEL).text.splitlines()
    assert any(line.startswith("Centrum") and line.endswith("gekozen wijk") for line in lines)
    assert any(line.startswith("Oud-Zuid") and line.endswith("vergelijkbare wijk") for line in lines)
    assert "Gemarkeerd: Centrum (ster)" in driver.find_element("id", ids.GELD_INHOUD).text
    assert severe_logs(driver) == []
    assert axe_violations(driver) == []
    # the Wijkprofiel's costs block of Centrum: Oud-Zuid's 2.000 per inhabitant as the similar wijken's mean
    open_page(driver, base_url + "/wijkprofiel?wijk=WK001400&peildatum=2017-01-01")
    wait_until(driver, lambda d: d.find_elements("id", ids.PROFIEL_KOSTEN))
    wmo = next(line for line in driver.find_element("id", ids.PROFIEL_KOSTEN).text.splitlines() if line.startswith("Wmo"))
    assert wmo.endswith("€ 2.000")
    assert axe_violations(driver) == []
