"""Dashboard latency on a published store: server-side callbacks (median, p95) and first page view in Chromium.

    .venv/bin/python benchmarks/dashboard_latency.py --db data/demo/monitor.duckdb [--repeat 30] [--no-browser]

Each callback is called the way Dash calls it (inside a request context) and its result is serialised
to JSON as Dash would send it, so the figures include building and encoding the figures and tables.
Page navigation in Dash Pages is itself a callback, so every page's layout is measured too.
Goal: p95 <= 150 ms per interaction; first page view < 1,5 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import dash
import plotly.utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.status import BUITEN_MARGE  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from dashboard.components import store  # noqa: E402
from dashboard.headless import CHROMIUM, chromium, served, wait_for_dash  # noqa: E402

GOAL_MS = 150.0


def _module(name: str):
    """The page module Dash loaded for the app."""
    return sys.modules[next(p["module"] for p in dash.page_registry.values() if p["module"].endswith(f".{name}"))]


def _timed(call: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call, result serialised as Dash would."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        json.dumps(call(), cls=plotly.utils.PlotlyJSONEncoder)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _excel(wijk_page, indicator: str, peildatum) -> dict:
    """What the Excel download callback does (the callback itself needs Dash's trigger context)."""
    data = store()
    rows = wijk_page._wijken(data, indicator, peildatum, "alle").to_dicts()
    return wijk_page.download(wijk_page.table_spec(data.indicators[indicator]), rows, "wijken", "xlsx")


def interactions() -> dict[str, Callable[[], object]]:
    """The main interactions, cycling through indicators, peildata and areas."""
    data = store()
    indicators = itertools.cycle(data.indicators)
    peildata = itertools.cycle([p.isoformat() for p in data.peildata])
    gebieden = itertools.cycle(["alle"] + data.areas("gebied")["gebiedcode"].to_list())
    wijken = itertools.cycle(data.areas("wijk")["gebiedcode"].to_list())
    gemeente, _naam = data.gemeente()
    overzicht, wijk_page, indicator, profiel, pdca = (_module(n) for n in ("overzicht", "wijken", "indicator", "wijkprofiel", "pdca"))
    calls: dict[str, Callable[[], object]] = {
        "Overzicht: gebied en peildatum kiezen": lambda: overzicht.show_area(next(gebieden).replace("alle", gemeente),
                                                                           next(peildata)),
        "Wijken vergelijken: indicator/peildatum/gebied": lambda: wijk_page.update_view(next(indicators), next(peildata), next(gebieden)),
        "Indicator: indicator, gebied en vergelijking": lambda: indicator.update_view(next(indicators), gemeente,
                                                                                       next(wijken)),
        "Wijkprofiel: wijk kiezen": lambda: profiel.update_view(next(wijken), next(peildata)),
        "PDCA-sessie: sessie (peildatum) openen": lambda: pdca.layout(peildatum=next(peildata)),
        "PDCA-sessie: signalen filteren": lambda: pdca.filter_signals([BUITEN_MARGE], 0, next(peildata)),
        "Wijken vergelijken: download Excel": lambda: _excel(wijk_page, next(indicators), data.latest),
    }
    for page in dash.page_registry.values():
        calls[f"Pagina openen: {page['name']}"] = page["layout"]
    return calls


def measure_callbacks(app: dash.Dash, repeat: int) -> list[tuple[str, float, float]]:
    """(interaction, median ms, p95 ms) for each interaction."""
    results = []
    with app.server.test_request_context():
        for name, call in interactions().items():
            call()  # warm-up: loads the store into memory once
            times = sorted(_timed(call, repeat))
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            results.append((name, statistics.median(times), p95))
    return results


def measure_first_view(app: dash.Dash, loads: int) -> tuple[float, float]:
    """Seconds until the overview is rendered: first visit (empty cache), then the median of repeat visits."""
    with served(app) as url:
        with chromium() as driver:
            driver.get(url + "/assets/style.css")  # start the renderer process; the app's scripts are not cached yet
            start = time.perf_counter()
            driver.get(url + "/")
            wait_for_dash(driver)
            cold = time.perf_counter() - start
            warm = []
            for _ in range(loads):
                start = time.perf_counter()
                driver.get(url + "/")
                wait_for_dash(driver)
                warm.append(time.perf_counter() - start)
    return cold, statistics.median(warm)


def main() -> int:
    """Print the report; exit code 1 when a p95 misses the goal."""
    parser = argparse.ArgumentParser(description="Latentie van het dashboard (callbacks en eerste paginaweergave).")
    parser.add_argument("--db", type=Path, required=True, help="published monitor DuckDB")
    parser.add_argument("--repeat", type=int, default=30, help="calls per interaction")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless Chromium page-view measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(args.db, Path(scratch) / "state.sqlite")
        results = measure_callbacks(app, args.repeat)
        width = max(len(name) for name, *_ in results)
        print(f"Dashboard latency on {args.db} ({args.repeat} calls each; goal p95 <= {GOAL_MS:.0f} ms)")
        print(f"{'interaction':<{width}}  {'median ms':>9}  {'p95 ms':>7}")
        for name, median, p95 in results:
            flag = "" if p95 <= GOAL_MS else "  > goal"
            print(f"{name:<{width}}  {median:9.1f}  {p95:7.1f}{flag}")
        if not args.no_browser and CHROMIUM.exists():
            cold, warm = measure_first_view(app, loads=5)
            print(f"First page view (headless Chromium): first visit {cold:.2f} s, repeat visits median {warm:.2f} s "
                  "(goal < 1.5 s)")
    return 0 if all(p95 <= GOAL_MS for _n, _m, p95 in results) else 1


if __name__ == "__main__":
    sys.exit(main())
