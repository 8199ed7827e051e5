"""Screenshots of every page at 1280x800 in headless Chromium.

    python -m dashboard.screenshots --db data/demo/monitor.duckdb [--out docs/screenshots]
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
}


def take(db: Path, out: Path, state: Path | None = None, full_page: bool = False) -> list[Path]:
    """Write <out>/<page>.png for every page; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(db, state or Path(scratch) / "state.sqlite")
        written = []
        with served(app) as url, chromium() as driver:
            for name, path in PAGES.items():
                driver.get(url + path)
                wait_for_dash(driver)
                time.sleep(1.0)  # let plotly finish drawing and transitions settle
                if full_page:
                    height = driver.execute_script("return document.body.scrollHeight")
                    driver.set_window_size(1280, max(800, height))
                target = out / f"{name}.png"
                driver.save_screenshot(str(target))
                driver.set_window_size(1280, 800)
                written.append(target)
    return written


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Schermafbeeldingen van alle pagina's (1280x800).")
    parser.add_argument("--db", type=Path, required=True, help="published monitor DuckDB")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--full-page", action="store_true", help="capture the whole page height")
    args = parser.parse_args()
    for path in take(args.db, args.out, full_page=args.full_page):
        print(path)


if __name__ == "__main__":
    main()
