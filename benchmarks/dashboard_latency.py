"""Dashboard latency on a published store: every registered callback (p50, p95) and first view in Chromium.

    .venv/bin/python benchmarks/dashboard_latency.py --db data/demo/monitor.duckdb [--repeat 30] [--no-browser] [--json]

Callbacks are taken from the app's callback map, so a new page's callbacks are measured without listing
them here. Each call is a POST to /_dash-update-component through the Flask test client, as the Dash
renderer sends it (security checks, dispatch, JSON encoding included). Input values come from the
pages' own layouts: the first input is the one that changed and cycles through its options, the other
inputs keep the page's default (e.g. 'Alle gebieden', the widest view), buttons are clicked, a map click
picks an area. Opening a page (Dash Pages' layout call) is
measured per registered page too.

First view: headless Chromium with an empty cache opens the overview and the wijkprofiel; the time
from navigation until the page's content is rendered and every graph drawn (dashboard.headless.wait_for_dash).
Goals (issue 15): callback p95 <= 100 ms at city scale, <= 250 ms at the national area count; first view <= 1 s.
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
from typing import Any, Callable, Iterator

import dash
import plotly.utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.app import create_app  # noqa: E402
from dashboard.headless import CHROMIUM, chromium, served, wait_for_dash  # noqa: E402

CALLBACK_PATH = "/_dash-update-component"
FIRST_VIEW_PAGES = {"Overzicht": "/", "Wijkprofiel": "/wijkprofiel"}
NATIONAL_WIJKEN = 1000  # from this many wijken a store counts as national for the goal
GOAL_CITY_MS, GOAL_NATIONAL_MS, GOAL_FIRST_VIEW_S = 100.0, 250.0, 1.0
CLICKS = ("n_clicks",)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of values (fraction 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _walk(component: Any) -> Iterator[Any]:
    """Every Dash component in a layout tree."""
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from _walk(child)
        return
    if not hasattr(component, "to_plotly_json"):
        return
    yield component
    for name in getattr(component, "_prop_names", ()):
        value = getattr(component, name, None)
        if hasattr(value, "to_plotly_json") or isinstance(value, (list, tuple)):
            yield from _walk(value)


def _option_values(component: Any) -> list[Any]:
    """The values a user can choose in a dropdown, radio or checklist."""
    options = getattr(component, "options", None) or []
    if isinstance(options, dict):
        return list(options)
    return [o["value"] if isinstance(o, dict) else o for o in options]


class Inputs:
    """What the pages' layouts offer per (id, property): the default value and the choices."""

    def __init__(self, layouts: list[Any]):
        self.defaults: dict[tuple[str, str], Any] = {}
        self.choices: dict[tuple[str, str], list[Any]] = {}
        self.patterned: dict[str, list[dict]] = {}  # pattern-matching ids by their "type"
        self.locations: list[str] = []  # map locations (for clickData)
        for layout in layouts:
            for component in _walk(layout):
                identifier = getattr(component, "id", None)
                if isinstance(identifier, dict):
                    self.patterned.setdefault(identifier.get("type", ""), []).append(identifier)
                    continue
                if not isinstance(identifier, str):
                    continue
                for name in component._prop_names:
                    value = getattr(component, name, None)
                    if value is not None and not hasattr(value, "to_plotly_json"):
                        self.defaults.setdefault((identifier, name), value)
                choices = _option_values(component)
                if choices:
                    self.choices.setdefault((identifier, "value"), choices)
                figure = getattr(component, "figure", None)
                for trace in (figure or {}).get("data", []) if isinstance(figure, dict) else []:
                    self.locations += [str(x) for x in (trace.get("locations") or [])]

    def cycles(self) -> dict[tuple[str, str], Iterator[Any]]:
        """An endless cycle through the choices of each input that has them."""
        return {key: itertools.cycle(values) for key, values in self.choices.items()}


def _layouts() -> list[Any]:
    """Every registered page's layout with its default arguments (needs a request context)."""
    return [page["layout"]() if callable(page["layout"]) else page["layout"] for page in dash.page_registry.values()]


def _value(spec: dict, inputs: Inputs, cycles: dict, triggered: bool) -> Any:
    """A realistic value for one input or state of a callback."""
    key = (spec["id"], spec["property"])
    if spec["property"] in CLICKS:
        return 1 if triggered else inputs.defaults.get(key)
    if spec["property"] == "clickData":
        location = next(cycles.setdefault(("__locations__", ""), itertools.cycle(inputs.locations or ["?"])))
        return {"points": [{"location": location}]}
    if key in cycles and triggered:  # a user changes one control at a time; the others keep the page's default
        choice = next(cycles[key])
        return [choice] if isinstance(inputs.defaults.get(key), list) else choice
    return inputs.defaults.get(key)


def _items(specs: list[dict], inputs: Inputs, cycles: dict, trigger: int | None) -> tuple[list, list[str]]:
    """The inputs (or state) part of a callback body, and the ids of what changed."""
    items, changed = [], []
    for position, spec in enumerate(specs):
        identifier = spec["id"]
        if identifier.startswith("{"):  # pattern-matching (ALL): every matching component of the layouts
            pattern = json.loads(identifier)
            matches = inputs.patterned.get(pattern.get("type", ""), [])
            value = 1 if position == trigger else None
            items.append([{"id": m, "property": spec["property"], "value": value} for m in matches])
            if position == trigger and matches:
                changed.append(json.dumps(matches[0], separators=(",", ":"), sort_keys=True) + "." + spec["property"])
            continue
        triggered = position == trigger
        items.append({"id": identifier, "property": spec["property"],
                      "value": _value(spec, inputs, cycles, triggered)})
        if triggered:
            changed.append(f"{identifier}.{spec['property']}")
    return items, changed


def callback_calls(app: dash.Dash, inputs: Inputs) -> dict[str, Callable[[], bytes]]:
    """One body maker per registered callback, named by its outputs; each call gives the next realistic body."""
    cycles = inputs.cycles()
    makers = {}
    for output, callback in app.callback_map.items():
        if "callback" not in callback:
            continue  # a clientside callback: runs in the browser, not on the server
        specs = callback["inputs"]
        # The first input is the one the user changes (a button: the first button).
        trigger = next((i for i, s in enumerate(specs) if s["property"] in CLICKS), 0) \
            if all(s["property"] in CLICKS or s["property"] == "data" for s in specs) else 0
        outputs = [{"id": i, "property": p} for i, p in
                   (part.rsplit(".", 1) for part in output.removeprefix("..").removesuffix("..").split("..."))]

        def body(output=output, callback=callback, trigger=trigger, outputs=outputs) -> bytes:
            given, changed = _items(callback["inputs"], inputs, cycles, trigger)
            state, _ = _items(callback.get("state", []), inputs, cycles, None)
            return json.dumps({"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
                               "inputs": given, "state": state, "changedPropIds": changed}).encode()

        makers[_name(output)] = body
    return makers


def _name(output: str) -> str:
    """A callback's name in the report: its outputs, short."""
    parts = output.removeprefix("..").removesuffix("..").split("...")
    return parts[0] + (f" (+{len(parts) - 1})" if len(parts) > 1 else "")


def measure_callbacks(app: dash.Dash, repeat: int) -> list[dict[str, Any]]:
    """Per callback and per page: name, calls, p50 and p95 in ms, and HTTP statuses other than 200/204."""
    results = []
    with app.server.test_request_context():
        inputs = Inputs(_layouts())
    client = app.server.test_client()
    for name, body in callback_calls(app, inputs).items():
        times, statuses = [], set()
        for number in range(repeat + 1):
            payload = body()
            started = time.perf_counter()
            response = client.post(CALLBACK_PATH, data=payload, content_type="application/json")
            response.get_data()
            if number:  # the first call is a warm-up (loads the store into memory)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code not in (200, 204):
                statuses.add(response.status_code)
        results.append(_figures(f"callback {name}", times, statuses))
    for page in dash.page_registry.values():
        times = []
        with app.server.test_request_context(page["relative_path"]):
            for number in range(repeat + 1):
                started = time.perf_counter()
                layout = page["layout"]() if callable(page["layout"]) else page["layout"]
                json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder)  # as Dash sends it
                if number:
                    times.append((time.perf_counter() - started) * 1000)
        results.append(_figures(f"pagina {page['name']} openen", times, set()))
    return results


def _figures(name: str, times: list[float], statuses: set[int]) -> dict[str, Any]:
    return {"name": name, "calls": len(times), "p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95),
            "errors": sorted(statuses)}


def measure_first_view(app: dash.Dash, loads: int) -> list[dict[str, Any]]:
    """Per page: seconds from navigation until rendered, first with an empty cache, then the median of reloads."""
    results = []
    with served(app) as url:
        for name, path in FIRST_VIEW_PAGES.items():
            with chromium() as driver:
                driver.get(url + "/assets/style.css")  # start the renderer; the app's scripts are not cached yet
                times = []
                for _ in range(loads + 1):
                    started = time.perf_counter()
                    driver.get(url + path)
                    wait_for_dash(driver)
                    times.append(time.perf_counter() - started)
                dom = driver.execute_script(
                    "const t = performance.getEntriesByType('navigation')[0];"
                    " return t ? t.domContentLoadedEventEnd / 1000 : null;")
            results.append({"page": name, "path": path, "cold_s": times[0],
                            "warm_s": statistics.median(times[1:]) if loads else None, "dom_loaded_s": dom})
    return results


def areas(app: dash.Dash) -> dict[str, int]:
    """Areas per niveau in the store (for the national/city goal)."""
    from dashboard.components import store

    with app.server.test_request_context():
        data = store()
        return {niveau: data.areas(niveau).height for niveau in ("wijk", "gebied", "gemeente")}


def measure(db: Path, repeat: int, browser: bool, loads: int = 3) -> dict[str, Any]:
    """Everything this benchmark measures on one store, as a dict (benchmarks/run.py keeps it)."""
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(db, Path(scratch) / "state.sqlite")
        counts = areas(app)
        callbacks = measure_callbacks(app, repeat)
        first_view = measure_first_view(app, loads) if browser and CHROMIUM.exists() else None
    national = counts.get("wijk", 0) >= NATIONAL_WIJKEN
    return {"db": str(db), "repeat": repeat, "areas": counts, "national": national,
            "goal_ms": GOAL_NATIONAL_MS if national else GOAL_CITY_MS, "callbacks": callbacks,
            "first_view": first_view}


def text(result: dict[str, Any]) -> str:
    """The measurement as a plain-text report."""
    width = max(len(c["name"]) for c in result["callbacks"])
    counts = ", ".join(f"{n} {k}" for k, n in result["areas"].items())
    lines = [f"Dashboard latency on {result['db']} ({counts}; {result['repeat']} calls each; "
             f"goal p95 <= {result['goal_ms']:.0f} ms)", f"{'callback':<{width}}  {'p50 ms':>7}  {'p95 ms':>7}"]
    for c in result["callbacks"]:
        flag = ("  > goal" if c["p95_ms"] > result["goal_ms"] else "") + (f"  HTTP {c['errors']}" if c["errors"] else "")
        lines.append(f"{c['name']:<{width}}  {c['p50_ms']:7.1f}  {c['p95_ms']:7.1f}{flag}")
    for view in result["first_view"] or []:
        lines.append(f"First view {view['page']} (headless Chromium, empty cache): {view['cold_s']:.2f} s; "
                     f"reloads median {view['warm_s']:.2f} s (goal <= {GOAL_FIRST_VIEW_S:g} s)")
    return "\n".join(lines)


def main() -> int:
    """Print the report (or JSON); exit code 1 when a p95 misses the goal or a callback answered an error."""
    parser = argparse.ArgumentParser(description="Latentie van het dashboard (callbacks en eerste paginaweergave).")
    parser.add_argument("--db", type=Path, required=True, help="published monitor DuckDB")
    parser.add_argument("--repeat", type=int, default=30, help="calls per callback")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless Chromium first-view measurement")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    result = measure(args.db, args.repeat, not args.no_browser)
    print(json.dumps(result) if args.json else text(result))
    bad = [c for c in result["callbacks"] if c["p95_ms"] > result["goal_ms"] or c["errors"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
