"""Run the app on a free loopback port and drive it with headless Chromium (tests, screenshots, benchmark)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from dash import Dash
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_ARGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,800", "--lang=nl-NL",
)


@contextmanager
def served(app: Dash) -> Iterator[str]:
    """Serve the app in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="wijkmonitor-dashboard", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium(width: int = 1280, height: int = 800) -> Iterator[object]:
    """A headless Chromium WebDriver with the browser console log enabled."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGS:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(width, height)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for_dash(driver: object, timeout: float = 20) -> None:
    """Wait until Dash has rendered the page, finished its callbacks and plotly has drawn every graph."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script(
            "return document.querySelector('#inhoud') !== null"
            " && document.querySelector('._dash-loading') === null"
            " && document.querySelector('[data-dash-is-loading=\"true\"]') === null"
            " && document.querySelector('#_pages_content') !== null"
            " && document.querySelector('#_pages_content').children.length > 0"
            " && [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg') !== null)"
        )
    )
