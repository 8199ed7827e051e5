"""The dashboard in a real headless Chromium: one server and one browser for the whole module."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fixtures.browser import axe_violations, choose, tab_round
from fixtures.browser import click as _click
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page as _open
from fixtures.browser import severe_logs as _severe
from fixtures.browser import wait_until as _wait
from fixtures.published_store import PEILDATA, build_published_store

from dashboard.app import create_app
from dashboard.data import published
from dashboard.format import SUPPRESSED_TEXT
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served, wait_for_dash
from dashboard.screenshots import PAGES
from dashboard.signals import attention_points

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]


class _BaseUrl(str):
    """The served app's address, carrying the path of its published store."""

    db: Path


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db = build_published_store(folder / "monitor.duckdb")
    app = create_app(db, folder / "state.sqlite")
    with served(app) as url:
        address = _BaseUrl(url)
        address.db = db
        yield address


_choose = choose
EVERY_PAGE = {**PAGES, "niet-gevonden": "/bestaat-niet"}


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
    row = driver.find_element("xpath", "//*[@id='vergelijk-tabel']//tr[th[contains(., 'Meerdorpen')]]").text
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


def test_choices_are_labelled_native_selects(driver, base_url):
    _open(driver, base_url + "/indicator?id=zelfredzaamheid")
    for control in ("indicator-keuze", "indicator-gebieden", "indicator-vergelijk"):
        element = driver.find_element("id", control)
        assert element.tag_name == "select"
        assert driver.find_element("css selector", f"label[for='{control}']").text
    # one gemeente: no gemeente to choose (a select of one option), the area lists are as they were
    for control in ("indicator-gemeente", "indicator-vergelijk-gemeente"):
        assert not driver.find_element("id", control).is_displayed()


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


@pytest.mark.parametrize("peildatum", PEILDATA, ids=lambda p: p.isoformat())
def test_overview_at_each_peildatum_has_its_attention_points(driver, base_url, peildatum):
    _open(driver, base_url + "/")
    _choose(driver, "overzicht-peildatum", peildatum.isoformat())
    title = f"Groningen op {peildatum.day} januari {peildatum.year}"
    _wait(driver, lambda d: d.execute_script("return document.getElementById('overzicht-titel').innerText") == title)
    block = driver.find_element("id", "overzicht-aandacht").text
    assert block.startswith("Aandachtspunten")
    expected = {
        # the nulmeting: nothing can be worse than itself
        PEILDATA[0]: "Geen aandachtspunten op deze peildatum.",
        # 2016: Oud-West (WK001402) tevredenheid 70,5% -> 68,5%, significant, within the corridor of 3,0
        # (k=2: 70 + 2/4 * 2 = 71,0 at the nulmeting)
        PEILDATA[1]: "Tevredenheid over de ondersteuning — Oud-West (wijk): 69,0%, \u22122,0 procentpunt t.o.v. nulmeting "
                     "(significant slechter)",
        # 2017: the ten most serious of the figures outside the corridor are listed, the rest counted
        PEILDATA[2]: "▼ buiten marge",
    }[peildatum]
    assert expected in block
    total = len(attention_points(published(base_url.db), peildatum))
    items = driver.find_elements("css selector", "#overzicht-aandacht li")
    assert len(items) == min(total, 10)
    if total > 10:
        assert f"En nog {total - 10} aandachtspunten" in block
    report = driver.find_element("id", "overzicht-rapport")
    assert report.get_attribute("href").endswith(f"/rapport.pdf?peildatum={peildatum.isoformat()}")
    if peildatum != PEILDATA[-1]:  # choosing the peildatum already shown changes nothing
        assert "peildatum=" + peildatum.isoformat() in driver.current_url


@pytest.mark.parametrize(("path", "choices", "check_id", "expected"), [
    ("/", {"overzicht-gebied": "GB001405", "overzicht-peildatum": "2016-01-01"}, "overzicht-titel",
     "Noordoost op 1 januari 2016"),
    ("/wijken", {"vergelijk-indicator": "zelfredzaamheid", "vergelijk-peildatum": "2015-01-01", "vergelijk-gebied": "GB001405"},
     "vergelijk-samenvatting", "Zelfredzaamheid op 1 januari 2015"),
    ("/indicator", {"indicator-keuze": "vrijwillige_inzet", "indicator-gebieden": "GB001405", "indicator-vergelijk": "WK001402"},
     "indicator-naam", "Vrijwilligerswerk of mantelzorg"),
    ("/wijkprofiel", {"profiel-wijk": "WK001402", "profiel-peildatum": "2016-01-01"}, "profiel-titel",
     "Oud-West op 1 januari 2016"),
], ids=["overzicht", "wijken", "indicator", "wijkprofiel"])
def test_view_state_round_trips_through_the_url(driver, base_url, path, choices, check_id, expected):
    _open(driver, base_url + path)
    for control, value in choices.items():
        _choose(driver, control, value)
    _wait(driver, lambda d: d.execute_script(f"return document.getElementById('{check_id}').innerText").startswith(expected))
    shared = driver.current_url
    for value in choices.values():
        assert f"={value}" in shared
    _open(driver, base_url + "/over")  # somewhere else, then the shared address in a fresh page load
    _open(driver, shared)
    assert driver.find_element("id", check_id).text.startswith(expected)
    from selenium.webdriver.support.ui import Select

    assert {c: Select(driver.find_element("id", c)).first_selected_option.get_attribute("value") for c in choices} == choices


@pytest.mark.parametrize("page", list(EVERY_PAGE))
def test_axe_finds_no_serious_or_critical_violation(driver, base_url, page):
    _open(driver, base_url + EVERY_PAGE[page])
    assert axe_violations(driver) == []


@pytest.mark.parametrize("page", list(EVERY_PAGE))
def test_a_full_tab_round_reaches_the_last_control_without_a_trap(driver, base_url, page):
    _open(driver, base_url + EVERY_PAGE[page])
    visited, last = tab_round(driver)
    assert visited[0].startswith("A#"), "the skip link comes first"
    assert last in visited, f"Tab never reached the last focusable element {last}; stuck after {visited[-3:]}"
    # A date field takes several Tabs (day, month, year) on one element; coming back to an earlier one is a circle.
    steps = [key for i, key in enumerate(visited) if i == 0 or key != visited[i - 1]]
    assert len(steps) == len(set(steps)), "focus came back to an earlier element: it went round in circles"


@pytest.mark.parametrize("page", list(PAGES))
def test_usable_at_390_pixels(driver, base_url, page):
    driver.set_window_size(390, 844)
    try:
        _open(driver, base_url + PAGES[page])
        # nothing sticks out sideways: wide tables scroll inside their own box
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        if page == "wijken":
            width = driver.execute_script("return document.querySelector('#vergelijk-ranglijst .main-svg').getBoundingClientRect().width")
            assert width > 300  # the ranking uses the full width of the phone
    finally:
        driver.set_window_size(1280, 800)


def test_a_chart_says_it_is_loading_until_plotly_has_drawn(driver, base_url):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*plotly*", "*async-graph*"]})
    try:
        driver.get(base_url + "/indicator")
        shown = _wait(driver, lambda d: next((note.text for note in d.find_elements("css selector", "#inhoud .grafiek-laden")
                                              if note.is_displayed()), None))
        assert shown == "Grafiek wordt geladen…"
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    _open(driver, base_url + "/indicator")
    assert not driver.find_element("css selector", "#inhoud .grafiek-laden").is_displayed()


@pytest.mark.parametrize("page", ["wijken", "wijkprofiel", "geld"])
def test_charts_are_drawn_by_the_dashboards_own_plotly_js(driver, base_url, page):
    from plotly.offline import get_plotlyjs_version

    _open(driver, base_url + PAGES[page])
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert any("/assets/plotly-wijkmonitor.min.js" in name for name in loaded)
    assert not [name for name in loaded if "package_data/plotly" in name], "dcc.Graph loaded the full plotly.js"
    assert driver.execute_script("return window.Plotly.version") == get_plotlyjs_version()
    assert [name for name in loaded if not name.startswith(base_url)] == []  # nothing from the internet
    drawn = driver.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].flatMap(g => g.data.map(t => t.type))")
    assert drawn and driver.find_elements("css selector", ".dash-graph .main-svg")
    if page in ("wijken", "geld"):  # the map is drawn with the local GeoJSON: one path per wijk shown
        assert "choropleth" in drawn
        assert driver.find_elements("css selector", ".dash-graph .choroplethlocation")


def test_a_page_without_a_chart_loads_no_plotly_js(driver, base_url):
    _open(driver, base_url + PAGES["overzicht"])
    assert not driver.find_elements("css selector", ".dash-graph")
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert not [name for name in loaded if "plotly" in name]
