"""Screenshots of every page in headless Chromium, on a laptop (1366 px) and a phone (390 px).

    python -m dashboard.screenshots --db data/demo/monitor.duckdb [--out docs/screenshots] [--full-page]

Writes <page>.png (1366x800) and <page>-390.png (390x844) per page.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dashboard.app import create_app
from dashboard.headless import chromium, served, wait_for_dash

PAGES = {
    "overzicht": "/",
    "wijken": "/wijken",
    "indicator": "/indicator?id=zelfredzaamheid",
    "wijkprofiel": "/wijkprofiel?wijk=WK001401",
    "pdca": "/pdca",
    "datakwaliteit": "/datakwaliteit",
    "over": "/over",
    "instellingen": "/instellingen",
    "werkwijzen": "/werkwijzen",
    "geld": "/geld?wijk=WK001401",  # the scatter with a wijk and its similar wijken marked
}
SIZES = {"": (1366, 800), "-390": (390, 844)}  # file suffix -> window size


def take(db: Path, out: Path, state: Path | None = None, full_page: bool = False) -> list[Path]:
    """Write <out>/<page>.png and <out>/<page>-390.png for every page; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(db, state or Path(scratch) / "state.sqlite")
        written = []
        with served(app) as url, chromium() as driver:
            for suffix, (width, height) in SIZES.items():
                for name, path in PAGES.items():
                    driver.set_window_size(width, height)
                    driver.get(url + path)
                    wait_for_dash(driver)
                    time.sleep(1.0)  # let plotly finish drawing and transitions settle
                    if full_page:
                        total = driver.execute_script("return document.body.scrollHeight")
                        driver.set_window_size(width, max(height, total))
                        time.sleep(0.5)
                    target = out / f"{name}{suffix}.png"
                    driver.save_screenshot(str(target))
                    written.append(target)
    return written


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Schermafbeeldingen van alle pagina's (1366 en 390 pixels breed).")
    parser.add_argument("--db", type=Path, required=True, help="published monitor DuckDB")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--full-page", action="store_true", help="capture the whole page height")
    args = parser.parse_args()
    for path in take(args.db, args.out, full_page=args.full_page):
        print(path)


if __name__ == "__main__":
    main()
