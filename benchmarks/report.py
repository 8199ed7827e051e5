"""docs/benchmarks.md from the measured figures: machine, versions, a table per scale, growth, goals."""

from __future__ import annotations

import math
import os
import platform
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from etl.repair import WAREHOUSE_MEMORY_LIMIT

STAGES = ("load", "validate", "indicators", "publish")
STAGE_NAMES = {
    "load": "read/load (etl/read, etl/load)",
    "validate": "validate (GX gate, staging)",
    "indicators": "indicators (compute_publication + ETL tables)",
    "publish": "publish (etl/publish)",
}
GIB = 1024**3
MIB = 1024**2
GROUPS = ("python", "duckdb", "polars", "pyarrow", "pandas", "great-expectations", "dash", "plotly")

# The goals of issue 15.
ETL_REFERENCE_RATIO = 0.25  # full city etl / plain single-threaded reference computation, same run
INCREMENTAL_RATIO = 0.15  # city re-run with one new file / full run
ETL_SECONDS_NATIONAL, ETL_RSS_NATIONAL = 240.0, 8 * GIB
NATIONAL_NEW_FILE_SECONDS = 30.0
NATIONAL_SCALE = 50.0  # scales from here on count as "national" (~75 is the Netherlands)
CALLBACK_P95_CITY_MS, CALLBACK_P95_NATIONAL_MS = 100.0, 250.0
FIRST_VIEW_SECONDS = 1.0
BOUNDED_MEMORY_LIMIT = "1GB"  # the lower DuckDB ceiling (WIJKMONITOR_GEHEUGEN) a national run is measured under
LINEAR_BAND = (0.85, 1.15)
# Why a stage grows faster than the data, found by profiling (py-spy, cProfile) the code as it is now;
# shown only when the measurement shows the symptom.
KNOWN_CAUSES = {
    "load": ": writing the rows is work per row (DuckDB compressing text); what groups the whole source is the "
            "copy/conflict check (etl/deliveries.py `_overlapping_pairs`), which on a first load groups every key of "
            "a source (26 M at scale 75; 30 of 115 CPU s, session 7).",
    "validate": ": profiled per step (session 7): GX's one aggregate scan per source types every candidate row "
                "as it reads the view over raw, stg_<bron> is written typed (typing again, and compressing the "
                "written text columns is most of that write), and the unique-key rule groups every key "
                "(hashing 25 M keys; a count of distinct keys or of their hashes first measured no cheaper); all three "
                "are work per row (etl/staging.py).",
    "indicators": ": profiled at scale 75 (session 7, per SQL statement): the ondersteuning tables per household "
                  "and per person (indicators/views) group every trajectory active on a peildatum by household or "
                  "person (16.6 M person-peildata), and the cost cells (indicators/kosten.py) group the cost lines "
                  "of each peildatum by person once (12 x about 2.2 M persons); both grow with the lines times "
                  "the peildata.",
    "whole etl": ": see the stages above that grow faster than the data.",
    # appended to the slowest steps of the national run with one new file when it misses its goal
    "one new file": ". Profiled at scale 75 (session 7, CPU seconds): the content guard (1.5, was 20) and the "
                    "recoverability audit (1, was 6.5: only partitions that changed) are small now; what is left is "
                    "recomputing the one stale peildatum for every indicator and the cost cells (about 25: "
                    "kosten.create_cells 6.5, suppression 3, incomplete inputs 3), although only the survey changed, "
                    "and loading and gating the source again (about 12).",
}
# Why callbacks miss the goal at the national area count, found by profiling (cProfile) the pages as they are now;
# shown only when that goal is missed.
DASHBOARD_NATIONAL_CAUSE = (
    "Profiled: long lists are shown a page at a time (Wijken vergelijken with all gebieden and the PDCA signals: "
    "50 rows, ranked as before; components.Pager) and what is derived from the store (partitions by area and by "
    "indicator and peildatum, signals per peildatum) is computed once per store version; what is left is building "
    "plotly figures (go.Figure validation) and the JSON of dropdowns listing every area (4,620 options on the "
    "Indicator page), which a busy machine multiplies."
)
# Why the first view of a page with a chart misses the goal (measured in headless Chromium with the DevTools
# performance metrics); shown only when that goal is missed.
FIRST_VIEW_CAUSE = (
    "The page waits for plotly.js before its first chart is drawn; the dashboard already loads its own partial "
    "bundle (bar, choropleth, scatter: 1.5 MB instead of plotly.py's 4.8 MB, only on pages with a chart; "
    "docs/internals.md), so what is left is loading and running that and drawing the charts on the main thread, "
    "which a busy machine multiplies (see the load next to the figure)."
)


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model and OS of this machine."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cores": os.cpu_count(), "memory_bytes": memory, "cpu": model,
            "os": f"{platform.system()} {platform.release()}"}


def versions() -> dict[str, str]:
    """Versions of Python and the libraries the figures depend on."""
    found = {"python": platform.python_version()}
    for name in GROUPS[1:]:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def render(context: dict[str, Any], results: list[dict[str, Any]]) -> str:
    """The whole report as Markdown."""
    finished = [result for result in results if _finished(result)]
    sections = [
        _header(context),
        _goals(context, results),
        *(_scale(result) if _finished(result) else _unfinished(result) for result in results),
        _growth(finished),
        _pandas(results),
        _gate_route(results),
        _dashboard(context, results),
        _load_test(results),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _load_test(results: list[dict[str, Any]]) -> str:
    """The served dashboard under 50 concurrent users (benchmarks/load.py), as it printed its report."""
    for r in results:
        test = r.get("load_test")
        if test:
            verdict = "zero errors, no PDCA action lost" if test["exit_code"] == 0 else "**errors or lost PDCA actions**"
            return "\n".join([
                f"## Load test: the served dashboard (scale {r['scale']:g})", "",
                "`benchmarks/load.py`: `wijkmonitor serve --workers 4` on this run's published store; 50 users replay "
                "page views and callbacks recorded from a real browser for 60 s, then 10 users save a PDCA note at "
                f"once. Outcome: {verdict}.", "", "```", test["report"], "```",
            ])
    return ""


def _header(context: dict[str, Any]) -> str:
    """Title, how the report was made, machine and versions."""
    m, v = context["machine"], context["versions"]
    before, after = context["load_before"], context["load_after"]
    loaded = max(before[0], after[0]) > 0.5 * m["cores"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{context['command']}` on {context['started']}; regenerate with `make bench` "
        "(scale 1) or `make bench-national` (scales 1, 10, 75). Every figure below is measured in that run.",
        "",
        "## Machine",
        "",
        f"- {m['cores']} cores, {_bytes(m['memory_bytes'])} memory, {m['cpu']}, {m['os']}",
        f"- load average (1, 5, 15 min) at start {_loads(before)}, at end {_loads(after)}"
        + (" — **the machine was busy with other work, so times are pessimistic**" if loaded else ""),
        "- versions: " + ", ".join(f"{name} {version}" for name, version in v.items()),
        "",
        "Wall time and peak RSS per stage come from running each stage in its own process "
        "(`benchmarks/stages.py`, the same library calls as `wijkmonitor/pipeline.py`); the *work* time excludes "
        "Python start-up and imports, the *process* time includes them. Peak RSS is the process's own maximum "
        "resident set (`wait4`), including the interpreter and libraries.",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Goal:
    """One goal of issue 15 as the report shows it; measured None means not measured in this run."""

    goal: str
    measured: str | None = None
    met: bool | None = None
    reason: str = ""  # why it was missed (or why it could not be judged)
    load: str = ""  # the machine's load when it was measured


NOT_MEASURED = "niet gemeten in deze run"


def goals(context: dict[str, Any], results: list[dict[str, Any]]) -> list[Goal]:
    """Every goal of issue 15, judged on this run's figures."""
    return [_goal_city_ratio(results), _goal_city_incremental(results), *_goal_national(results),
            _goal_national_incremental(results), *_goal_callbacks(context, results), _goal_first_view(results),
            _goal_load_test(results), _goal_start(context)]


def _goals(context: dict[str, Any], results: list[dict[str, Any]]) -> str:
    """The goals table: goal, measured, met, why missed, machine load at the measurement."""
    rows = [[g.goal, NOT_MEASURED if g.measured is None else g.measured,
             "—" if g.met is None else ("yes" if g.met else "**NO**"), g.reason if g.met is not True else "", g.load]
            for g in goals(context, results)]
    cores = context["machine"]["cores"]
    return (f"## Goals (issue 15)\n\nLoad = `os.getloadavg()` (1, 5, 15 min) when the figure was taken, on {cores} cores; "
            "above the core count the times are pessimistic.\n\n"
            + _table(["goal", "measured", "met", "why missed", "load"], rows))


def _load_at(measurement: dict[str, Any] | None) -> str:
    """The load noted with a measurement."""
    load = (measurement or {}).get("load")
    return _loads(load) if load else ""


def _goal_city_ratio(results: list[dict[str, Any]]) -> Goal:
    """Full city-scale `wijkmonitor etl` <= 0.25 of the plain single-threaded Python reference computation on the
    same files (benchmarks/reference_plain.py), with the ratio to the vectorised pandas reference beside it."""
    goal = f"scale 1: full `wijkmonitor etl` <= {ETL_REFERENCE_RATIO:g} x the plain-Python reference"
    city = _at(results, 1.0)
    if city is None or not (city.get("reference_plain") or city.get("comparison")):
        return Goal(goal)
    etl, plain, c = city["etl"], city.get("reference_plain"), city.get("comparison")
    pandas = ""
    if c:
        seconds = _pandas_seconds(c)
        pandas = (f"against the vectorised pandas reference from staging: {etl['wall_seconds'] / seconds:.2f} "
                  f"({etl['wall_seconds']:.1f} s / {seconds:.1f} s)")
    if not plain:
        return Goal(goal, f"plain-Python reference not measured; {pandas}", None,
                    "the plain-Python reference was not run at scale 1", _load_at(etl))
    ratio = etl["wall_seconds"] / plain["wall_seconds"]
    differ = (c or {}).get("plain_mismatches")
    measured = (f"{ratio:.2f} ({etl['wall_seconds']:.1f} s / {plain['wall_seconds']:.1f} s"
                + (f"; {len(differ)} mismatches with the pandas reference's figures)" if differ else ")"))
    return Goal(goal, "; ".join(filter(None, [measured, pandas])), ratio <= ETL_REFERENCE_RATIO,
                _slowest(city) if city.get("stages") else "",
                f"{_load_at(etl)}; reference {_load_at(plain)}")


def _incremental_text(inc: dict[str, Any]) -> str:
    return (f"{inc['one_new_seconds']:.1f} s with `{inc['file']}` added after a full run of {inc['full_seconds']:.1f} s "
            f"(nothing changed: {inc['unchanged_seconds']:.1f} s)")


def _goal_city_incremental(results: list[dict[str, Any]]) -> Goal:
    """City scale: a re-run with one new file <= 0.15 of the full run."""
    goal = f"scale 1: re-run with one new file <= {INCREMENTAL_RATIO:g} x the full run"
    inc = (_at(results, 1.0) or {}).get("incremental")
    if not inc:
        return Goal(goal)
    ratio = inc["one_new_seconds"] / inc["full_seconds"]
    return Goal(goal, f"{ratio:.2f}: " + _incremental_text(inc), ratio <= INCREMENTAL_RATIO,
                _slowest_steps(inc), _load_at(inc))


def _national(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The largest scale counted as national, if measured."""
    national = [r for r in results if r["scale"] >= NATIONAL_SCALE]
    return national[-1] if national else None


def _goal_national(results: list[dict[str, Any]]) -> list[Goal]:
    """National scale: full etl <= 4 min and <= 8 GiB; every stage's memory bounded."""
    goal = f"scale ~75: full `wijkmonitor etl` <= {ETL_SECONDS_NATIONAL / 60:g} min, <= {ETL_RSS_NATIONAL / GIB:g} GiB"
    bounded_goal = ("scale ~75: every stage's memory bounded (it follows DuckDB's memory ceiling, not the data; "
                    "measured under a lower ceiling)")
    largest = _national(results)
    if largest is None:
        return [Goal(goal), Goal(bounded_goal)]
    etl = largest["etl"]
    if not _finished(largest):
        return [Goal(goal, f"scale {largest['scale']:g}: {_not_finished(largest)}", False, _last_progress(largest),
                     _load_at(etl)),
                Goal(bounded_goal, f"scale {largest['scale']:g}: stages not measured (the etl did not finish)")]
    met = etl["wall_seconds"] <= ETL_SECONDS_NATIONAL and etl["rss_bytes"] <= ETL_RSS_NATIONAL
    rows = [Goal(goal, f"scale {largest['scale']:g}: {etl['wall_seconds'] / 60:.1f} min, {_bytes(etl['rss_bytes'])}",
                 met, _slowest(largest), _load_at(etl))]
    return rows + [_goal_bounded(bounded_goal, largest, results)]


def _goal_bounded(goal: str, largest: dict[str, Any], results: list[dict[str, Any]]) -> Goal:
    """Each stage's memory is bounded when, at the national scale under a lower DuckDB ceiling, its peak stays within
    that ceiling plus what the same stage needs at the smallest scale: it follows the setting, not the data."""
    bounded = largest.get("bounded_stages")
    if not bounded:
        return Goal(goal, None, None, "not measured (a run at a national scale measures every stage under "
                                      f"WIJKMONITOR_GEHEUGEN={BOUNDED_MEMORY_LIMIT})")
    smallest = min((r for r in results if _finished(r)), key=lambda r: r["scale"])
    ceiling = _size_bytes(bounded["memory_limit"])
    allowed = {name: ceiling + smallest["stages"][name]["rss_bytes"] for name in STAGES}
    peaks = {name: bounded["stages"][name]["rss_bytes"] for name in STAGES}
    over = [name for name in STAGES if peaks[name] > allowed[name]]
    measured = (f"scale {largest['scale']:g}, every stage with WIJKMONITOR_GEHEUGEN={bounded['memory_limit']}: "
                + ", ".join(f"{name} {_bytes(peaks[name])} (bound {_bytes(allowed[name])}; with the default "
                            f"{WAREHOUSE_MEMORY_LIMIT} {_bytes(largest['stages'][name]['rss_bytes'])})"
                            for name in STAGES)
                + f"; bound = the ceiling + the stage's peak at scale {smallest['scale']:g}")
    reason = ("; ".join(f"{name} holds {_bytes(peaks[name] - ceiling)} beyond DuckDB's ceiling, against "
                        f"{_bytes(smallest['stages'][name]['rss_bytes'])} for the whole stage at scale "
                        f"{smallest['scale']:g}" for name in over)
              + ": memory DuckDB does not count against its limit, or Python objects, grows with the data")
    return Goal(goal, measured, not over, reason if over else "", _load_at(largest["etl"]))


def _size_bytes(text: str) -> int:
    """Bytes of a DuckDB memory setting such as 1GB or 800MB (decimal units, as DuckDB reads them)."""
    number, unit = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?B)\s*", text.upper()).groups()
    return int(float(number) * 1000 ** " KMGT".index(unit[0] if unit != "B" else " "))


def _goal_national_incremental(results: list[dict[str, Any]]) -> Goal:
    """National scale: one new monthly file <= 30 s."""
    goal = f"scale ~75: run with one new file <= {NATIONAL_NEW_FILE_SECONDS:g} s"
    inc = (_national(results) or {}).get("incremental")
    if not inc:
        return Goal(goal)
    met = inc["one_new_seconds"] <= NATIONAL_NEW_FILE_SECONDS
    return Goal(goal, _incremental_text(inc), met,
                _slowest_steps(inc) + ("" if met else KNOWN_CAUSES["one new file"]), _load_at(inc))


def _slowest_steps(inc: dict[str, Any], count: int = 3) -> str:
    """The slowest steps of the run with one new file, from its own progress lines ("... (12,3 s)")."""
    timed = []
    for line in inc.get("one_new_steps") or []:
        found = re.search(r"\((\d+(?:,\d+)?) s", line)
        if found:
            timed.append((float(found.group(1).replace(",", ".")), line.strip()))
    if not timed:
        return "no timed steps recorded for the run with one new file"
    slowest = sorted(timed, reverse=True)[:count]
    return "slowest steps of that run: " + "; ".join(f"`{line}`" for _, line in slowest)


def _goal_callbacks(context: dict[str, Any], results: list[dict[str, Any]]) -> list[Goal]:
    """Every callback p95 <= 100 ms at city scale and <= 250 ms at the national area count."""
    national = (_national(results) or {}).get("dashboard") or context.get("dashboard_national")
    rows = []
    for label, measured, limit in (("scale 1 (demo store)", (_at(results, 1.0) or {}).get("dashboard"),
                                    CALLBACK_P95_CITY_MS),
                                   ("the national area count", national, CALLBACK_P95_NATIONAL_MS)):
        goal = f"dashboard: every callback p95 <= {limit:g} ms at {label}"
        if not measured:
            rows.append(Goal(goal))
            continue
        slow = [c for c in measured["callbacks"] if c["p95_ms"] > limit]
        worst = max(measured["callbacks"], key=lambda c: c["p95_ms"])
        areas = ", ".join(f"{n} {niveau}" for niveau, n in measured["areas"].items())
        reason = (f"{len(slow)} of {len(measured['callbacks'])} over the goal: "
                  + "; ".join(f"{c['name']} {c['p95_ms']:.0f} ms" for c in slow[:4])
                  + (f" (and {len(slow) - 4} more)" if len(slow) > 4 else "")
                  + (f". {DASHBOARD_NATIONAL_CAUSE}" if limit == CALLBACK_P95_NATIONAL_MS else ""))
        rows.append(Goal(goal, f"worst p95 {worst['p95_ms']:.0f} ms ({worst['name']}; {areas}; "
                               f"{measured['repeat']} calls each)", not slow, reason, _load_at(measured)))
    return rows


def _goal_first_view(results: list[dict[str, Any]]) -> Goal:
    """First view <= 1 s in headless Chromium (overview and wijkprofiel, empty cache)."""
    goal = f"first view <= {FIRST_VIEW_SECONDS:g} s in headless Chromium (overview, wijkprofiel; empty cache)"
    measured = (_at(results, 1.0) or {}).get("dashboard") or {}
    views = measured.get("first_view")
    if not views:
        return Goal(goal)
    slow = [v for v in views if v["cold_s"] > FIRST_VIEW_SECONDS]
    return Goal(goal, ", ".join(f"{v['page']} {v['cold_s']:.2f} s (reload {v['warm_s']:.2f} s)" for v in views),
                not slow, ", ".join(f"{v['page']} renders after {v['cold_s']:.2f} s" for v in slow)
                + (f". {FIRST_VIEW_CAUSE}" if slow else ""), _load_at(measured))


def _goal_load_test(results: list[dict[str, Any]]) -> Goal:
    """The load test (50 users, loopback) runs without errors and reports its p95."""
    goal = "load test: 50 users on loopback, p95 per page reported, no errors, no PDCA action lost"
    test = next((r["load_test"] for r in results if r.get("load_test")), None)
    if not test:
        return Goal(goal)
    figures = test.get("figures")
    if not figures:
        return Goal(goal, f"no figures (exit {test['exit_code']})", False, "the load test did not finish; see below")
    report = figures["report"]
    pages = ", ".join(f"{page} {stats['p95_ms']:.0f}" for page, stats in report["pages"].items())
    ok = report["errors"] == 0 and figures["actions_ok"]
    return Goal(goal, f"p95 all requests {report['overall']['p95_ms']:.0f} ms; per page (ms): {pages}; "
                      f"{report['errors']} errors of {report['requests']}", ok,
                "errors or lost PDCA actions (see the load test section)", _load_at(figures))


def _goal_start(context: dict[str, Any]) -> Goal:
    """`make demo` on a fresh clone to the first page: the figure reported (no fixed limit in the issue)."""
    goal = "start: `make demo` on a fresh clone to the first page, without test extras (figure reported)"
    start = context.get("start")
    if not start:
        return Goal(goal)
    if not start.get("first_page_s"):
        return Goal(goal, "the first page did not answer", False, " / ".join(start.get("log_tail", [])[-3:]),
                    _load_at(start))
    steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in start["milestones_s"].items())
    return Goal(goal, f"{start['first_page_s']:.0f} s ({steps})", True, "", _load_at(start))


def _scale(result: dict[str, Any]) -> str:
    """Table of one scale: generate, each stage, their sum and the whole etl."""
    gen, etl, stages = result["generate"], result["etl"], result["stages"]
    rows_loaded = _rows(result)
    table = [["generate (demo sources)" + (", reused from an earlier run" if gen["reused"] else ""),
              "—", f"{gen['wall_seconds']:.1f}", _bytes(gen["rss_bytes"]), f"{_bytes(gen['bytes'])} of files", "—"]]
    for name in STAGES:
        s = stages[name]
        table.append([STAGE_NAMES[name], f"{s['seconds']:.1f}", f"{s['wall_seconds']:.1f}", _bytes(s["rss_bytes"]),
                      _nl(rows_loaded), _nl(round(rows_loaded / s["seconds"])) if s["seconds"] else "—"])
    work = sum(stages[name]["seconds"] for name in STAGES)
    table.append(["sum of the stages", f"{work:.1f}", f"{sum(stages[n]['wall_seconds'] for n in STAGES):.1f}",
                  _bytes(max(stages[n]["rss_bytes"] for n in STAGES)), "", ""])
    runs = etl.get("all_wall_seconds", [etl["wall_seconds"]])
    label = f"median of {len(runs)} runs: " + ", ".join(f"{w:.1f}" for w in runs) + " s; " if len(runs) > 1 else ""
    table.append([f"**whole `wijkmonitor etl`** (exit {etl['exit_code']}; {label}warehouse "
                  f"{_bytes(etl['warehouse_bytes'])})", "—", f"**{etl['wall_seconds']:.1f}**",
                  f"**{_bytes(etl['rss_bytes'])}**", _nl(rows_loaded), ""])
    lines = [
        f"## Scale {result['scale']:g} (seed {result['seed']})",
        "",
        f"{_nl(rows_loaded)} source rows loaded; {_nl(stages['indicators']['rows'])} indicator_values rows and "
        f"{_nl(stages['indicators']['breakdown_rows'])} indicator_breakdown rows published; "
        f"{_nl(stages['validate']['quarantined'])} rows quarantined.",
        "",
        _table(["step", "work s", "process s", "peak RSS", "rows", "rows/s (work)"], table),
    ]
    return "\n".join(lines)


def _unfinished(result: dict[str, Any]) -> str:
    """Section of a scale whose whole etl was stopped: how long it ran and how far it got."""
    etl = result["etl"]
    lines = [
        f"## Scale {result['scale']:g} (seed {result['seed']}): did not finish",
        "",
        f"`wijkmonitor etl` was stopped after {etl['wall_seconds']:.0f} s (limit `--etl-timeout "
        f"{etl['timeout']:g}`), peak RSS {_bytes(etl['rss_bytes'])} until then; generating the sources took "
        f"{result['generate']['wall_seconds']:.0f} s ({_bytes(result['generate']['bytes'])} of files). "
        "Stages, comparisons and the dashboard were not measured at this scale. Its last progress lines:",
        "",
        "```",
        *etl["output_tail"],
        "```",
    ]
    return "\n".join(lines)


def _finished(result: dict[str, Any]) -> bool:
    """True when the whole etl of a scale finished and its stages were measured."""
    return result["stages"] is not None


def _not_finished(result: dict[str, Any]) -> str:
    """How long a stopped etl ran."""
    return f"did not finish: stopped after {result['etl']['wall_seconds'] / 60:.1f} min"


def _last_progress(result: dict[str, Any]) -> str:
    """The last progress line of a stopped etl."""
    tail = result["etl"]["output_tail"]
    return f"last progress line: `{tail[-1].strip()}`; the step after it was running" if tail else "no progress"


def _growth(results: list[dict[str, Any]]) -> str:
    """How each stage's time grows with the rows loaded, with a fixed + per-row fit."""
    lines = ["## Growth with the data", ""]
    if len(results) < 2:
        lines.append("One scale in this run; run `make bench-national` to see how time grows with the data.")
        return "\n".join(lines)
    ordered = sorted(results, key=lambda r: r["scale"])
    header = ["stage", *(f"s at scale {r['scale']:g}" for r in ordered),
              *(f"exponent {a['scale']:g}->{b['scale']:g}" for a, b in zip(ordered, ordered[1:])),
              "fixed s + s per million rows"]
    rows = []
    notes = []
    series = {name: [r["stages"][name]["seconds"] for r in ordered] for name in STAGES}
    series["whole etl"] = [r["etl"]["wall_seconds"] for r in ordered]
    counts = [_rows(r) for r in ordered]
    for name, seconds in series.items():
        exponents = [_exponent(a, b, ra, rb) for a, b, ra, rb in zip(seconds, seconds[1:], counts, counts[1:])]
        fixed, per_million = _fit(counts, seconds)
        rows.append([name, *(f"{s:.1f}" for s in seconds), *(f"{e:.2f}" for e in exponents),
                     f"{fixed:.1f} + {per_million:.2f}"])
        notes.extend(_growth_notes(name, ordered, exponents, fixed, seconds))
    lines += [
        "Exponent: log(time ratio) / log(rows ratio) between two scales; 1.0 is linear, below 1 means a fixed "
        "cost (start-up, schema, GX context) still weighs, above 1 means the cost per row grows with the data. "
        "The fit is least squares of time = fixed + rate x rows over all scales.",
        "",
        _table(header, rows),
        "",
        *(notes or ["Every stage grows close to linearly between the measured scales."]),
    ]
    return "\n".join(lines)


def _growth_notes(name: str, ordered: list[dict[str, Any]], exponents: list[float], fixed: float,
                  seconds: list[float]) -> list[str]:
    """One explanation per step that is not close to linear between two scales."""
    notes = []
    for (a, b), exponent, t_a in zip(zip(ordered, ordered[1:]), exponents, seconds):
        where = f"{name}, scale {a['scale']:g} -> {b['scale']:g}"
        if exponent < LINEAR_BAND[0]:
            share = fixed / t_a if t_a else 0.0
            notes.append(f"- {where}: sub-linear (exponent {exponent:.2f}); the fitted fixed cost of {fixed:.1f} s "
                         f"is {min(max(share, 0.0), 1.0):.0%} of the time at scale {a['scale']:g}, so the smaller "
                         "run is dominated by work that does not depend on the data.")
        elif exponent > LINEAR_BAND[1]:
            notes.append(f"- {where}: super-linear (exponent {exponent:.2f}); the cost per row rises with the data"
                         f"{KNOWN_CAUSES.get(name, ' (joins or sorts over larger tables, or memory pressure).')}")
    return notes


def _pandas(results: list[dict[str, Any]]) -> str:
    """DuckDB compute_publication against the pandas reference, with the agreement check."""
    compared = [r for r in results if r.get("comparison")]
    lines = [
        "## Indicators: DuckDB against pandas",
        "",
        "`indicators.compute.compute_publication` (every indicator of the registry, breakdowns, suppression, "
        "intervals, corridor) against `benchmarks/reference.py`, the test reference written from indicators.md "
        "that the tests compare with too (teller/noemer/waarde, incomplete inputs and primary suppression only), "
        "on the same gated warehouse in the same process. pandas time = reading the staging tables into "
        "DataFrames + computing. Agreement: every non-suppressed published row must have the same teller, "
        "noemer, waarde (and n), a row with incomplete inputs no figures on either side, and the reference must "
        "know every registry indicator.",
        "",
        "Why the ratio stays below 10x on this machine: the pandas reference is vectorised (sorts, group-bys and "
        "merges in C), not a row loop, so both sides do the same set-based work; DuckDB's edge is its two threads "
        "and a single pass, while it also computes what pandas skips here (breakdowns, complementary suppression "
        "with its leak audit, intervals, corridor and status). Profiling puts most of the DuckDB time in the "
        "range join of trajectories onto peildata and the per-person/household grouping on text ids; integer ids "
        "assigned in staging would be the next thing to try.",
        "",
    ]
    if not compared:
        lines.append("Not measured in this run.")
        return "\n".join([*lines, "", _plain_reference(results)])
    rows = []
    for r in compared:
        c = r["comparison"]
        rows.append([f"{r['scale']:g}", f"{c['duckdb_seconds']:.2f}", f"{c['pandas_read_seconds']:.2f}",
                     f"{c['pandas_compute_seconds']:.2f}", f"**{c['ratio']:.1f}x**",
                     f"{c['pandas_compute_seconds'] / c['duckdb_seconds']:.1f}x", _bytes(c["rss_bytes"]),
                     _nl(c["rows_compared"]), str(len(c["mismatches"]))])
    lines.append(_table(["scale", "DuckDB s", "pandas read s", "pandas compute s", "ratio", "ratio (compute only)",
                         "peak RSS (both)", "rows compared", "mismatches"], rows))
    for r in compared:
        mismatches = r["comparison"]["mismatches"]
        if mismatches:
            lines += ["", f"Mismatches at scale {r['scale']:g} (first {min(len(mismatches), 20)}):", ""]
            lines += [f"- {m}" for m in mismatches[:20]]
    return "\n".join([*lines, "", _plain_reference(results)])


def _plain_reference(results: list[dict[str, Any]]) -> str:
    """The plain-Python reference of issue 15's goal: its time, and its figures against the pandas reference."""
    lines = [
        "### The plain-Python reference (issue 15's goal)",
        "",
        "`benchmarks/reference_plain.py`: the same eight indicators computed by a plain single-threaded Python "
        "script (standard library only, no DataFrames) from the delivered files the ETL reads, in its own process "
        "on the same files in the same run; this is the reference issue 15 defines the city-scale goal against. "
        "Its figures are compared with the pandas reference's row for row (teller, noemer, n, waarde, ontbreekt, "
        "onderdrukt). One thread: on a quiet machine its wall time is about its CPU time; more wall than CPU "
        "is the machine's other work. It reads CSV only, so it runs where the drop has no Parquet files (up to "
        "scale 1: the generator writes the synthetic gemeenten above scale 1 as Parquet) and up to "
        "--plain-max-scale.",
        "",
    ]
    measured = [r for r in results if r.get("reference_plain")]
    if not measured:
        return "\n".join([*lines, "Not measured in this run."])
    rows = []
    for r in measured:
        plain, c = r["reference_plain"], r.get("comparison") or {}
        compared = c.get("plain_mismatches")
        agreement = "not compared" if compared is None else (
            f"{_nl(c['plain_rows_compared'])} rows, {len(compared)} mismatches")
        cpu = plain.get("cpu_seconds")  # not in results saved before it was measured
        rows.append([f"{r['scale']:g}", f"{plain['wall_seconds']:.1f}", "—" if cpu is None else f"{cpu:.1f}",
                     f"{plain['read_seconds']:.1f}",
                     f"{plain['compute_seconds']:.1f}", _nl(plain["source_rows"]), _bytes(plain["rss_bytes"]),
                     agreement, _load_at(plain)])
    lines.append(_table(["scale", "wall s (process)", "CPU s (user + system)", "reading files s", "computing s",
                         "source rows",
                         "peak RSS", "against pandas", "load"], rows))
    for r in measured:
        mismatches = (r.get("comparison") or {}).get("plain_mismatches") or []
        if mismatches:
            lines += ["", f"Differences at scale {r['scale']:g} (first {min(len(mismatches), 20)}):", ""]
            lines += [f"- {m}" for m in mismatches[:20]]
    return "\n".join(lines)


def _gate_route(results: list[dict[str, Any]]) -> str:
    """The gate's suite through GX on pandas frames, through GX's SQL route, and as plain SQL in DuckDB."""
    from expectations.gate import SQL_ROUTE_MIN_ROWS

    measured = [r for r in results if r.get("gate_sql")]
    lines = [
        "## Validation: the gate's GX routes",
        "",
        "Per source, the candidate rows are built once; then the source's suite runs through GX on chunks of "
        "pandas DataFrames (route *pandas*), through GX's SQL data source on the warehouse (route *sql*, "
        "`expectations/gx_duckdb.py`), and as the same expectations translated to plain SQL predicates "
        "(`benchmarks/gate_sql.py`, a floor for what SQL costs). *same failures* checks that route sql and the "
        "plain SQL find exactly the (row, rule) pairs of route pandas. The gate takes route sql from "
        f"{_nl(SQL_ROUTE_MIN_ROWS)} candidate rows on (`expectations/gate.py`, `choose_route`).",
        "",
    ]
    if not measured:
        lines.append("Not measured in this run.")
        return "\n".join(lines)
    rows = []
    for r in measured:
        sources = r["gate_sql"]["sources"]
        for t in sources:
            same = t["same_failures"] and t.get("gx_sql_same_failures", True)
            rows.append([f"{r['scale']:g}", t["bron"], _nl(t["rows"]), f"{t['gx_seconds']:.2f}",
                         _seconds_or_dash(t.get("gx_sql_seconds")), f"{t['sql_seconds']:.2f}",
                         _nl(t["failures"]), "yes" if same else "**no**"])
        totals = {key: sum(t.get(key) or 0 for t in sources) for key in ("gx_seconds", "gx_sql_seconds", "sql_seconds")}
        rows.append([f"{r['scale']:g}", "**all**", _nl(sum(t["rows"] for t in sources)),
                     f"**{totals['gx_seconds']:.2f}**", f"**{totals['gx_sql_seconds']:.2f}**",
                     f"**{totals['sql_seconds']:.2f}**", "", ""])
    lines.append(_table(["scale", "source", "rows", "GX pandas s", "GX sql s", "plain SQL s", "failing pairs",
                         "same failures"], rows))
    return "\n".join(lines)


def _seconds_or_dash(seconds: float | None) -> str:
    """Seconds with two decimals, or a dash when the figure is absent (results of an older run)."""
    return "—" if seconds is None else f"{seconds:.2f}"


def _dashboard(context: dict[str, Any], results: list[dict[str, Any]]) -> str:
    """Server-side latency of every registered callback per store, with benchmarks/dashboard_latency.py."""
    lines = [
        "## Dashboard callback latency",
        "",
        "`benchmarks/dashboard_latency.py` takes every callback from the app's callback map (a new page is measured "
        "without listing it) and posts it to `/_dash-update-component` as the renderer does, with values from the "
        "pages' own controls (dropdowns cycle through their options, buttons are clicked); opening each registered "
        "page is measured too. p50 and p95 in milliseconds over the repeated calls. The national area count is "
        "measured on the scale-75 store when this run made one, otherwise on `benchmarks/national_store.py`: the "
        "city store's areas copied into 165 gemeenten (3,300 wijken, as `generate --scale 75` names them) and "
        "written through `etl.publish.publish`.",
    ]
    stores = [(f"Scale {r['scale']:g}", r["dashboard"], r["scale"] >= NATIONAL_SCALE) for r in results if r.get("dashboard")]
    if context.get("dashboard_national") and not any(national for *_x, national in stores):
        stores.append(("National area count (benchmarks/national_store.py)", context["dashboard_national"], True))
    for title, d, national in stores:
        limit = CALLBACK_P95_NATIONAL_MS if national else CALLBACK_P95_CITY_MS
        areas = ", ".join(f"{count} {niveau}" for niveau, count in d["areas"].items())
        rows = [[c["name"], f"{c['p50_ms']:.1f}", f"{c['p95_ms']:.1f}", "yes" if c["p95_ms"] <= limit else "**no**"]
                for c in d["callbacks"]]
        lines += ["", f"### {title} ({areas}; {d['repeat']} calls each; goal p95 <= {limit:g} ms; "
                      f"load {_load_at(d)})", "",
                  _table(["callback", "p50 ms", "p95 ms", "p95 within goal"], rows)]
        if national and any(c["p95_ms"] > limit for c in d["callbacks"]):
            lines += ["", DASHBOARD_NATIONAL_CAUSE]
        for view in d.get("first_view") or []:
            lines += ["", f"First view of {view['page']} (`{view['path']}`) in headless Chromium: {view['cold_s']:.2f} s "
                          f"with an empty cache until the content is rendered and every graph drawn; reloads "
                          f"{view['warm_s']:.2f} s (median)."]
    return "\n".join(lines)


def _at(results: list[dict[str, Any]], scale: float) -> dict[str, Any] | None:
    """The result at exactly this scale, if measured."""
    return next((r for r in results if math.isclose(r["scale"], scale)), None)


def _rows(result: dict[str, Any]) -> int:
    """Source rows loaded at a scale: the measure of data size."""
    return result["stages"]["load"]["rows"]


def _slowest(result: dict[str, Any]) -> str:
    """Which stage took longest, for the reason of a missed goal."""
    name = max(STAGES, key=lambda n: result["stages"][n]["seconds"])
    total = sum(result["stages"][n]["seconds"] for n in STAGES)
    seconds = result["stages"][name]["seconds"]
    return f"{name} takes {seconds:.1f} s of {total:.1f} s stage work"


def _pandas_seconds(comparison: dict[str, Any]) -> float:
    """pandas read + compute."""
    return comparison["pandas_read_seconds"] + comparison["pandas_compute_seconds"]


def _exponent(value_a: float, value_b: float, rows_a: int, rows_b: int) -> float:
    """Growth exponent of a measure between two data sizes (1 = proportional)."""
    if min(value_a, value_b, rows_a, rows_b) <= 0 or rows_a == rows_b:
        return float("nan")
    return math.log(value_b / value_a) / math.log(rows_b / rows_a)


def _fit(counts: list[int], seconds: list[float]) -> tuple[float, float]:
    """Least-squares (fixed seconds, seconds per million rows) of seconds against rows."""
    millions = [c / 1e6 for c in counts]
    mean_x, mean_y = sum(millions) / len(millions), sum(seconds) / len(seconds)
    spread = sum((x - mean_x) ** 2 for x in millions)
    if spread == 0:
        return float("nan"), float("nan")
    rate = sum((x - mean_x) * (y - mean_y) for x, y in zip(millions, seconds)) / spread
    return mean_y - rate * mean_x, rate


def _verdict(met: bool, reason: str) -> str:
    """'yes', or 'NO' with the reason."""
    return "yes" if met else f"**NO** — {reason}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _bytes(count: float) -> str:
    """Bytes as MiB or GiB."""
    return f"{count / GIB:.2f} GiB" if count >= GIB else f"{count / MIB:.0f} MiB"


def _loads(values: tuple[float, float, float]) -> str:
    """Load averages, two decimals."""
    return ", ".join(f"{v:.2f}" for v in values)


def _nl(number: int) -> str:
    """An integer with thousands separators (Dutch dots, as in the dashboard)."""
    return f"{number:,}".replace(",", ".")
