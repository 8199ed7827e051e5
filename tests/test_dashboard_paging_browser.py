"""Paging in a real headless Chromium: the next page by keyboard, the position announced, no keyboard trap,
no WCAG 2.1 AA violations (the store: the hand-made one copied into four gemeenten, test_dashboard_paging.py)."""

from __future__ import annotations

import pytest
from fixtures.browser import axe_violations, choose, click, tab_round
from fixtures.browser import driver  # noqa: F401 - module-scoped fixture
from fixtures.browser import open_page as _open
from fixtures.browser import severe_logs as _severe
from fixtures.browser import wait_until as _wait
from test_dashboard_paging import GEMEENTEN, PEILDATUM, _own_areas, _ranked_wijken, stores  # noqa: F401 - module fixture

from dashboard.app import create_app
from dashboard.components import PAGE_SIZE
from dashboard.data import published
from dashboard.headless import CHROMEDRIVER, CHROMIUM, served
from dashboard.signals import signals

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed"),
]


@pytest.fixture(scope="module")
def site(stores, tmp_path_factory):  # noqa: F811 - the fixture imported above
    state = tmp_path_factory.mktemp("paging-browser") / "state.sqlite"
    with served(create_app(stores[1], state)) as url:
        yield url, state


@pytest.fixture(scope="module")
def base_url(site):
    return site[0]


def _first_cells(driver, table_css: str) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')].map(r => r.cells[0].innerText.trim())",
        table_css)


def _press_enter_on(driver, element_id: str) -> None:
    from selenium.webdriver.common.keys import Keys

    button = driver.find_element("id", element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'}); arguments[0].focus()",
                          button)
    button.send_keys(Keys.ENTER)


def test_wijken_of_the_country_page_by_keyboard(driver, base_url, stores):  # noqa: F811
    ranked = _ranked_wijken(stores[1], "zelfredzaamheid")
    driver.get_log("browser")
    _open(driver, base_url + f"/wijken?id=zelfredzaamheid&peildatum={PEILDATUM.isoformat()}")
    assert _first_cells(driver, "#vergelijk-tabel") == ranked[:PAGE_SIZE]
    position = driver.find_element("id", "vergelijk-wijken-positie")
    assert position.text == f"Wijken 1–{PAGE_SIZE} van {20 * GEMEENTEN}"
    assert position.get_attribute("aria-live") == "polite"
    _press_enter_on(driver, "vergelijk-wijken-volgende")
    _wait(driver, lambda d: d.find_element("id", "vergelijk-wijken-positie").text == f"Wijken 51–80 van {20 * GEMEENTEN}")
    _wait(driver, lambda d: _first_cells(d, "#vergelijk-tabel") == ranked[PAGE_SIZE:])
    locations = driver.execute_script(
        "return document.querySelector('#vergelijk-kaart .js-plotly-plot').data.map(t => t.locations.length)")
    assert sum(locations) == 20 * GEMEENTEN - PAGE_SIZE  # the map shows the same wijken as the table
    assert driver.find_element("id", "vergelijk-wijken-volgende").get_attribute("disabled")
    _press_enter_on(driver, "vergelijk-wijken-vorige")
    _wait(driver, lambda d: _first_cells(d, "#vergelijk-tabel") == ranked[:PAGE_SIZE])
    visited, last = tab_round(driver)
    assert last in visited  # no keyboard trap: Tab reaches the last focusable element
    assert axe_violations(driver) == []
    assert _severe(driver) == []


def test_pdca_signals_page_by_keyboard(driver, base_url, stores):  # noqa: F811
    ranked = signals(published(stores[1]), PEILDATUM)["rang"].to_list()
    _open(driver, base_url + f"/pdca?peildatum={PEILDATUM.isoformat()}")
    assert _first_cells(driver, ".pdca-tabel") == [str(r) for r in ranked[:PAGE_SIZE]]
    _press_enter_on(driver, "pdca-signalen-volgende")
    _wait(driver, lambda d: _first_cells(d, ".pdca-tabel") == [str(r) for r in ranked[PAGE_SIZE:2 * PAGE_SIZE]])
    assert driver.find_element("id", "pdca-signalen-positie").text.startswith(f"Signalen 51–{min(2 * PAGE_SIZE, len(ranked))} van ")
    visited, last = tab_round(driver)
    assert last in visited
    assert axe_violations(driver) == []


def test_wijkprofiel_asks_for_the_gemeente_first_by_keyboard(driver, base_url):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    driver.get_log("browser")
    _open(driver, base_url + "/wijkprofiel?wijk=WK900205")
    assert Select(driver.find_element("id", "profiel-gemeente")).first_selected_option.get_attribute("value") == "GM9002"
    wijken = Select(driver.find_element("id", "profiel-wijk"))
    assert wijken.first_selected_option.get_attribute("value") == "WK900205"
    # only the gemeente's wijken, not the country's (dbc.Select adds an empty placeholder option)
    assert len([o for o in wijken.options if o.get_attribute("value")]) == 20
    gemeente = driver.find_element("id", "profiel-gemeente")
    driver.execute_script("arguments[0].focus()", gemeente)
    gemeente.send_keys(Keys.ARROW_DOWN)  # the next gemeente by name: GM9003
    _wait(driver, lambda d: "wijk=WK9003" in d.current_url)
    _wait(driver, lambda d: all(o.get_attribute("value").startswith("WK9003")
                                for o in Select(d.find_element("id", "profiel-wijk")).options if o.get_attribute("value")))
    chosen = Select(driver.find_element("id", "profiel-wijk")).first_selected_option
    _wait(driver, lambda d: d.find_element("id", "profiel-titel").text.startswith(chosen.text))
    assert _severe(driver) == []
    assert axe_violations(driver) == []


def _options(driver, select_id: str) -> list[str]:
    """The values a native select offers (dbc.Select adds an empty placeholder option)."""
    from selenium.webdriver.support.ui import Select

    return [o.get_attribute("value") for o in Select(driver.find_element("id", select_id)).options if o.get_attribute("value")]


def _selected(driver, select_id: str) -> str:
    from selenium.webdriver.support.ui import Select

    return Select(driver.find_element("id", select_id)).first_selected_option.get_attribute("value")


def _arrow_down(driver, select_id: str) -> None:
    """The next option of a native select by keyboard (as a keyboard user changes a select)."""
    from selenium.webdriver.common.keys import Keys

    select = driver.find_element("id", select_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'}); arguments[0].focus()", select)
    select.send_keys(Keys.ARROW_DOWN)


def test_indicator_asks_for_the_gemeente_then_the_gebied_and_the_view_follows(driver, base_url, stores):  # noqa: F811
    data = published(stores[1])
    driver.get_log("browser")
    _open(driver, base_url + "/indicator?id=zelfredzaamheid")
    assert driver.find_element("css selector", "label[for='indicator-gemeente']").text == "Gemeente"
    assert driver.find_element("css selector", "label[for='indicator-vergelijk-gemeente']").text == "Gemeente voor vergelijking"
    assert _options(driver, "indicator-gebieden") == _own_areas(data, "GM0014")  # 28 areas, not the country's
    _arrow_down(driver, "indicator-gemeente")  # the next gemeente by name: GM9001
    _wait(driver, lambda d: _options(d, "indicator-gebieden") == _own_areas(data, "GM9001"))
    _wait(driver, lambda d: "gebied=GM9001" in d.current_url)  # its gemeente itself is shown first
    choose(driver, "indicator-gebieden", "GB900103")
    _wait(driver, lambda d: "gebied=GB900103" in d.current_url)
    panels = [data.area_name("GM9001"), data.area_name("GB900103")]
    _wait(driver, lambda d: list(dict.fromkeys(_first_cells(d, "#indicator-tabel"))) == panels)
    titles = driver.execute_script(
        "return [...document.querySelectorAll('#indicator-trend .annotation-text')].map(t => t.textContent)")
    assert titles == panels  # one panel per area: the chosen gebied's gemeente, then the gebied
    # the comparison from another gemeente
    choose(driver, "indicator-vergelijk-gemeente", "GM9003")
    _wait(driver, lambda d: _options(d, "indicator-vergelijk") == ["geen", *_own_areas(data, "GM9003")])
    choose(driver, "indicator-vergelijk", "WK900305")
    _wait(driver, lambda d: list(dict.fromkeys(_first_cells(d, "#indicator-tabel"))) == [*panels, data.area_name("WK900305")])
    shared = driver.current_url
    _open(driver, shared)  # the address opens the same view, each list of its own gemeente
    assert (_selected(driver, "indicator-gemeente"), _selected(driver, "indicator-gebieden")) == ("GM9001", "GB900103")
    assert (_selected(driver, "indicator-vergelijk-gemeente"), _selected(driver, "indicator-vergelijk")) == ("GM9003", "WK900305")
    visited, last = tab_round(driver)
    assert last in visited
    assert axe_violations(driver) == []
    assert _severe(driver) == []


def test_pdca_form_asks_for_the_gemeente_then_the_gebied_and_stores_its_code(driver, site, stores):  # noqa: F811
    from dashboard.acties import actions_of

    data = published(stores[1])
    url, state = site
    driver.get_log("browser")
    _open(driver, url + f"/pdca?peildatum={PEILDATUM.isoformat()}")
    assert driver.find_element("css selector", "label[for='pdca-gemeente']").text == "Gemeente"
    assert _options(driver, "pdca-gebied") == _own_areas(data, "GM0014")
    choose(driver, "pdca-gemeente", "GM9002")
    _wait(driver, lambda d: _options(d, "pdca-gebied") == _own_areas(data, "GM9002"))
    assert _selected(driver, "pdca-gebied") == "GM9002"
    choose(driver, "pdca-gebied", "WK900205")
    driver.find_element("id", "pdca-omschrijving").send_keys("Huisbezoeken door het wijkteam")
    click(driver, driver.find_element("id", "pdca-opslaan"))
    _wait(driver, lambda d: "Actie opgeslagen." in d.find_element("id", "pdca-melding").text)
    [stored] = actions_of(state, PEILDATUM)
    assert (stored.gebiedcode, stored.omschrijving) == ("WK900205", "Huisbezoeken door het wijkteam")
    # the form keeps the area as a start for the next action
    assert (_selected(driver, "pdca-gemeente"), _selected(driver, "pdca-gebied")) == ("GM9002", "WK900205")
    # changing the action from another gemeente's list shows its own gemeente and area, both fixed
    choose(driver, "pdca-gemeente", "GM9003")
    _wait(driver, lambda d: _selected(d, "pdca-gebied") == "GM9003")
    click(driver, driver.find_element("css selector", f"button[aria-label='Actie {stored.id} wijzigen']"))
    _wait(driver, lambda d: d.find_element("id", "pdca-formulier-titel").text == f"Actie {stored.id} wijzigen")
    _wait(driver, lambda d: (_selected(d, "pdca-gemeente"), _selected(d, "pdca-gebied")) == ("GM9002", "WK900205"))
    assert not driver.find_element("id", "pdca-gemeente").is_enabled()
    assert not driver.find_element("id", "pdca-gebied").is_enabled()
    assert axe_violations(driver) == []
    assert _severe(driver) == []


def test_overzicht_asks_for_the_gemeente_then_the_gebied_by_keyboard(driver, base_url, stores):  # noqa: F811
    data = published(stores[1])
    driver.get_log("browser")
    _open(driver, base_url + f"/?gebied=GB900203&peildatum={PEILDATUM.isoformat()}")
    assert _selected(driver, "overzicht-gemeente") == "GM9002"
    assert _options(driver, "overzicht-gebied") == [c for c in _own_areas(data, "GM9002") if not c.startswith("WK")]
    _arrow_down(driver, "overzicht-gemeente")  # the next gemeente by name: GM9003, shown as a whole
    _wait(driver, lambda d: "gebied=GM9003" in d.current_url)
    _wait(driver, lambda d: d.find_element("id", "overzicht-titel").text.startswith(data.area_name("GM9003")))
    choose(driver, "overzicht-gebied", "GB900304")
    _wait(driver, lambda d: d.find_element("id", "overzicht-titel").text.startswith(data.area_name("GB900304")))
    visited, last = tab_round(driver)
    assert last in visited
    assert axe_violations(driver) == []
    assert _severe(driver) == []
