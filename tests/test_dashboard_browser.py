"""The dashboard in a real headless Chromium: one server and one browser for the whole module."""

from __future__ import annotations

import time

import pytest
from fixtures.browser import click as _click
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page as _open
from fixtures.browser import severe_logs as _severe
from fixtures.browser import wait_until as _wait
from fixtures.published_store import build_published_store

from dashboard.app import create_app
from dashboard.format import SUPPRESSED_TEXT
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served, wait_for_dash
from dashboard.screenshots import PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:.*dash_table.DataTable will be removed:DeprecationWarning"),
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(build_published_store(folder / "monitor.duckdb"), folder / "state.sqlite")
    with served(app) as url:
        yield url


def _choose(driver, dropdown_id: str, value: str) -> None:
    """Pick an option in a Dash dropdown by value, as a user would."""
    driver.find_element("id", dropdown_id).click()
    option = _wait(driver, lambda d: d.find_element("css selector", f"[role=option] input[value='{value}']"))
    option.find_element("xpath", "./ancestor::*[@role='option']").click()


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_loads_without_console_errors(driver, base_url, page):
    driver.get_log("browser")  # drop what earlier pages left
    text = _open(driver, base_url + PAGES[page])
    time.sleep(0.3)  # late errors (e.g. a failed fetch) arrive after the first render
    assert driver.execute_script("return document.documentElement.lang") == "nl"
    assert driver.find_element("css selector", "h1").text
    assert not [word for word in ("Error", "Traceback", "Select", "Search", "Loading") if word in text]
    assert _severe(driver) == []


def test_map_renders_every_wijk(driver, base_url):
    _open(driver, base_url + "/wijken?id=zelfredzaamheid&peildatum=2017-01-01")
    paths = _wait(driver, lambda d: d.find_elements("css selector", "#vergelijk-kaart path.choroplethlocation"))
    assert len(paths) == 20
    counts = driver.execute_script(
        "return document.querySelector('#vergelijk-kaart .js-plotly-plot').data.map(t => t.locations.length)")
    assert counts == [2, 18]  # grey: the two suppressed wijken


def test_clicking_a_wijk_on_the_map_opens_its_profile(driver, base_url):
    from selenium.webdriver.common.action_chains import ActionChains

    _open(driver, base_url + "/wijken?id=zelfredzaamheid&gebied=GB001401")  # Binnenstad: only Centrum
    path = _wait(driver, lambda d: d.find_element("css selector", "#vergelijk-kaart path.choroplethlocation"))
    ActionChains(driver).move_to_element(path).click().perform()
    _wait(driver, lambda d: "/wijkprofiel?wijk=WK001400" in d.current_url)
    wait_for_dash(driver)
    assert "Centrum op 1 januari 2017" in driver.find_element("id", "inhoud").text


def test_switching_indicator_and_peildatum_updates_the_view(driver, base_url):
    _open(driver, base_url + "/wijken")
    summary = driver.find_element("id", "vergelijk-samenvatting")
    assert summary.text.startswith("Tevredenheid over de ondersteuning op 1 januari 2017")
    _choose(driver, "vergelijk-indicator", "jeugd_gedwongen_kader")
    _wait(driver, lambda d: summary.text.startswith("Jeugd in het gedwongen kader op 1 januari 2017"))
    _choose(driver, "vergelijk-peildatum", "2015-01-01")
    _wait(driver, lambda d: summary.text.startswith("Jeugd in het gedwongen kader op 1 januari 2015"))
    # Glimmen-Onnen-Noordlaren (WK001419) is suppressed for this indicator: grey, not coloured.
    grey = driver.execute_script("return document.querySelector('#vergelijk-kaart .js-plotly-plot').data[0].locations")
    assert grey == ["WK001419"]
    assert "Glimmen-Onnen-Noordlaren" in summary.text and SUPPRESSED_TEXT.capitalize() in summary.text


def test_gebied_selector_on_overview(driver, base_url):
    _open(driver, base_url + "/")
    _choose(driver, "overzicht-gebied", "GB001405")
    _wait(driver, lambda d: "Noordoost op 1 januari 2017" in d.find_element("id", "overzicht-kaarten").text)


def test_suppressed_value_never_appears_as_a_number(driver, base_url):
    # Meerdorpen (WK001413): survey values suppressed; unsuppressed they would read 80,5% and 70,5%.
    text = _open(driver, base_url + "/wijkprofiel?wijk=WK001413")
    assert "Meerdorpen op 1 januari 2017" in text
    assert SUPPRESSED_TEXT in text
    assert "80,5" not in text and "70,5" not in text
    text = _open(driver, base_url + "/wijken?id=tevredenheid&gebied=GB001405")
    row = driver.find_element("xpath", "//*[@id='vergelijk-tabel']//tr[td[contains(., 'Meerdorpen')]]").text
    assert SUPPRESSED_TEXT in row and "80,5" not in text


@pytest.mark.parametrize(("path", "expected"), [
    ("/indicator?id=bestaatniet", "Indicator 'bestaatniet' bestaat niet"),
    ("/wijkprofiel?wijk=WK999999", "Wijk 'WK999999' bestaat niet"),
])
def test_unknown_url_ids_show_a_message(driver, base_url, path, expected):
    assert expected in _open(driver, base_url + path)


def test_pdca_action_round_trips_and_is_escaped(driver, base_url):
    _open(driver, base_url + "/pdca")
    text = "Extra inzet <b>wijkteam</b> Oud-West"
    driver.find_element("id", "pdca-omschrijving").send_keys(text)
    driver.find_element("id", "pdca-eigenaar").send_keys("J. de Vries")
    _click(driver, driver.find_element("id", "pdca-opslaan"))
    _wait(driver, lambda d: "Actie opgeslagen." in d.find_element("id", "pdca-melding").text)
    page = _open(driver, base_url + "/pdca")  # a fresh page load reads the actions store again
    assert text in page and "J. de Vries" in page
    assert driver.find_elements("css selector", "#pdca-acties b") == []
    _open(driver, base_url + "/pdca?peildatum=2018-01-01")  # unknown: the latest session, nothing earlier listed
    assert "Geen eerdere sessies" in driver.find_element("id", "pdca-historie").text


def test_skip_link_is_first_and_focus_is_visible(driver, base_url):
    from selenium.webdriver.common.keys import Keys

    _open(driver, base_url + "/over")
    driver.find_element("tag name", "body").send_keys(Keys.TAB)
    focused = driver.switch_to.active_element
    assert focused.text == "Naar de inhoud"
    assert focused.value_of_css_property("outline-style") == "solid"


def test_controls_are_reachable_by_keyboard(driver, base_url):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _open(driver, base_url + "/wijken")
    reached, links = [], []
    for _ in range(60):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        element = driver.switch_to.active_element
        reached.append(element.get_attribute("id"))
        links.append(element.get_attribute("href") or "")
    assert {"vergelijk-indicator", "vergelijk-peildatum", "vergelijk-gebied", "vergelijk-download-csv"} <= set(reached)
    # the wijk names in the table are links to the profiles, so the map's click-through has a keyboard twin
    assert any("/wijkprofiel?wijk=WK0014" in link for link in links)


def test_print_hides_navigation_and_controls(driver, base_url):
    _open(driver, base_url + "/wijken")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = driver.execute_script(
            "return ['.site-header', '.controls', '.downloads'].map(s => getComputedStyle(document.querySelector(s)).display)")
        assert hidden == ["none", "none", "none"]
        assert driver.execute_script("return getComputedStyle(document.querySelector('#vergelijk-kaart')).display") != "none"
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_dropdown_texts_are_dutch(driver, base_url):
    _open(driver, base_url + "/indicator?id=zelfredzaamheid")
    driver.find_element("id", "indicator-gebieden").click()
    menu = _wait(driver, lambda d: d.find_element("css selector", "[role=listbox]"))
    text = driver.execute_script("return document.body.innerText")
    assert "Alles kiezen" in text and "Select All" not in text
    assert driver.find_element("css selector", "input[placeholder='Zoeken']")
    assert menu.is_displayed()


def test_csv_download_has_the_words_for_suppressed_wijken(driver, base_url, tmp_path):
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _open(driver, base_url + "/wijken?id=tevredenheid&peildatum=2017-01-01&gebied=GB001405")
    _click(driver, driver.find_element("id", "vergelijk-download-csv"))
    target = tmp_path / "wijkmonitor_wijken_tevredenheid_2017-01-01.csv"
    _wait(driver, lambda d: target.exists() and target.stat().st_size > 0)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert "# Peildatum;01-01-2017" in lines  # the metadata block comes first, then an empty line and the table
    lines = lines[lines.index("") + 1:]
    # gebied Noordoost, tevredenheid = 70 + 0.5 k + 2 * 2 * (0 | +1 | -1 for k % 3): Noorddijk e.o. (k=12) 76.0,
    # Meerstad e.o. (k=14) 73.0, Noordoost (k=11) 71.5; Meerdorpen suppressed.
    assert [line.split(";")[:3] for line in lines[1:]] == [
        ["Noorddijk e.o.", "Noordoost", "76,0"], ["Meerstad e.o.", "Noordoost", "73,0"],
        ["Noordoost", "Noordoost", "71,5"], ["Meerdorpen", "Noordoost", SUPPRESSED_TEXT],
    ]
