"""The dashboard's own plotly.js (dashboard/assets/plotly-wijkmonitor.min.js, built by `make plotly-bundle`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from plotly.offline import get_plotlyjs_version

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
BUNDLE = DASHBOARD / "assets" / "plotly-wijkmonitor.min.js"
HEADER = re.compile(r"/\* plotly\.js v(?P<version>[\d.]+) \(wijkmonitor partial bundle: (?P<traces>[a-z, ]+)\);")


def _header() -> re.Match:
    with BUNDLE.open(encoding="utf-8") as bundle:
        match = HEADER.match(bundle.readline())
    assert match, f"{BUNDLE.name} lacks the header build.mjs writes: rebuild it with `make plotly-bundle`"
    return match


def trace_types_drawn() -> set[str]:
    """Every plotly trace type the dashboard's code builds (go.Bar(...) -> 'bar'), found in the source."""
    found = set()
    for source in DASHBOARD.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "go"
                    and node.func.attr not in ("Figure", "Layout") and node.func.attr[0].isupper()):
                found.add(node.func.attr.lower())
    return found


def test_the_bundle_is_the_plotly_js_that_plotly_py_writes_figures_for():
    assert _header()["version"] == get_plotlyjs_version()


def test_the_bundle_holds_every_trace_type_the_dashboard_draws():
    drawn = trace_types_drawn()
    assert {"bar", "scatter", "choropleth"} <= drawn  # the scan finds what the pages are known to draw
    assert drawn <= set(_header()["traces"].split(", ")), "add the trace type to PLOTLY_TRACES and `make plotly-bundle`"


def test_the_bundle_ships_with_its_licence():
    assert "MIT License" in (BUNDLE.parent / "plotly.LICENSE.txt").read_text(encoding="utf-8")
