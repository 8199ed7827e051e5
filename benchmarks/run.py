"""Benchmark the ETL and the dashboard at one or more scales and write docs/benchmarks.md.

    .venv/bin/python benchmarks/run.py --scales 1            # make bench (Groningen)
    .venv/bin/python benchmarks/run.py --scales 1,10,75      # make bench-national

Per scale: generate the demo sources (reused when already generated for the same seed and scale),
time the whole `wijkmonitor etl` as a child process (wall time, peak RSS from wait4), then each
stage in its own child process (benchmarks/stages.py), the plain-Python reference on the same files in its
own process (benchmarks/reference_plain.py: issue 15's reference; CSV drops up to --plain-max-scale), the
pandas comparison and the gate's GX route against the same suite as SQL (both up to --pandas-max-scale), a
re-run with nothing new and with one new file (through the CLI), at a national scale every stage again under a
lower memory ceiling, and every dashboard callback on the published store (with the first view in
headless Chromium and the 50-user load test at scale 1). Then, unless a national scale was run, the
callbacks on a store with the national area count (benchmarks/national_store.py), and `make demo` on a
fresh clone (benchmarks/start.py). The machine's load is noted with each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.report import (  # noqa: E402
    BOUNDED_MEMORY_LIMIT, NATIONAL_SCALE, STAGES, machine, render, versions,
)
from etl.repair import MEMORY_LIMIT_VARIABLE  # noqa: E402

STAGES_SCRIPT = ROOT / "benchmarks" / "stages.py"
LOAD_SCRIPT = ROOT / "benchmarks" / "load.py"
LATENCY_SCRIPT = ROOT / "benchmarks" / "dashboard_latency.py"
NATIONAL_STORE_SCRIPT = ROOT / "benchmarks" / "national_store.py"
START_SCRIPT = ROOT / "benchmarks" / "start.py"
PLAIN_REFERENCE_SCRIPT = ROOT / "benchmarks" / "reference_plain.py"
LOAD_TEST_SCALE = 1.0  # the served-dashboard load test (issue 7) runs on the city-size store
GENERATED_MARK = "generated.json"  # written after generate finished: the sources are complete
OUTPUT_TAIL = 40  # progress lines kept from a run that did not finish
FINISHED_STEP = re.compile(r"\(\d+(,\d+)? s[;)]")  # a progress line's time: "(1,4 s)" or "(1,4 s; 1 van 12 ...)"
SMALL_SCALE = 1.0  # up to here a whole etl is short enough to repeat (--etl-runs) and take the median


def measure(command: list[str], log: Path, timeout: float | None = None,
            env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a child process (killed after timeout seconds, env added to ours); wall time, peak RSS (bytes), CPU seconds
    (user + system), exit code, output."""
    started = time.perf_counter()
    killed = threading.Event()
    with log.open("a", encoding="utf-8") as err:
        err.write(f"$ {' '.join([*(f'{k}={v}' for k, v in (env or {}).items()), *command])}\n")
        err.flush()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT,
                                   env={**os.environ, **(env or {})})
        timer = threading.Timer(timeout or 0, lambda: (killed.set(), process.kill()))
        if timeout:
            timer.start()
        output = process.stdout.read()
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the maximum over all children.
        _pid, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        err.write(output)
    lines = output.strip().splitlines()
    return {"wall_seconds": time.perf_counter() - started, "rss_bytes": usage.ru_maxrss * 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "exit_code": process.returncode, "last_line": lines[-1] if lines else "",
            "timed_out": killed.is_set(), "output_tail": _finished_steps(lines)}


def _finished_steps(lines: list[str]) -> list[str]:
    """The progress lines that report a finished step (its time in brackets, e.g. "(1,4 s)" or "(1,4 s; ...)"),
    and the very last line."""
    timed = [line for line in lines[:-1] if FINISHED_STEP.search(line)]
    return (timed + lines[-1:])[-OUTPUT_TAIL:]


def stage(name: str, log: Path, env: dict[str, str] | None = None, **options: Path | int) -> dict[str, Any]:
    """Run one benchmarks/stages.py step (env added); its own figures plus the process's wall time and RSS."""
    command = [sys.executable, str(STAGES_SCRIPT), name]
    for option, value in options.items():
        command += [f"--{option}", str(value)]
    result = measure(command, log, env=env)
    if result["exit_code"] != 0:
        raise SystemExit(f"benchmark: stap {name} mislukt (exit {result['exit_code']}); zie {log}")
    figures = json.loads(result.pop("last_line"))
    result.pop("output_tail")
    return {**figures, **result}


def sources_for(scale: float, seed: int, workdir: Path, log: Path) -> tuple[Path, dict[str, Any]]:
    """The generated sources for (seed, scale), generating them unless a complete earlier set exists."""
    folder = workdir / f"seed{seed}-scale{scale:g}"
    sources, mark = folder / "bronnen", folder / GENERATED_MARK
    if mark.is_file():
        return sources, {**json.loads(mark.read_text(encoding="utf-8")), "reused": True}
    shutil.rmtree(sources, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    result = measure([sys.executable, "-m", "wijkmonitor.cli", "generate", "--out", str(sources),
                      "--seed", str(seed), "--scale", f"{scale:g}"], log)
    if result["exit_code"] != 0:
        raise SystemExit(f"benchmark: generate --scale {scale:g} mislukt; zie {log}")
    for key in ("last_line", "output_tail", "timed_out"):
        result.pop(key)
    result["bytes"] = sum(path.stat().st_size for path in sources.rglob("*") if path.is_file())
    mark.write_text(json.dumps(result), encoding="utf-8")
    return sources, {**result, "reused": False}


def fresh(*paths: Path) -> None:
    """Remove earlier warehouses, stores and state, so every run loads everything (no checksum skip)."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        for candidate in (path, path.with_name(path.name + ".wal")):
            if candidate.is_file():
                candidate.unlink()


def whole_etl(sources: Path, warehouse: Path, db: Path, log: Path, timeout: float | None) -> dict[str, Any]:
    """One `wijkmonitor etl` into a fresh warehouse: wall time, peak RSS, exit code, warehouse size."""
    # Above scale 1 the generator writes the national area table beside the sources; it is configuration.
    area_table = ["--gebieden", str(sources / "gebieden.csv")] if (sources / "gebieden.csv").exists() else []
    etl = measure([sys.executable, "-m", "wijkmonitor.cli", "etl", "--sources", str(sources),
                   "--warehouse", str(warehouse), "--db", str(db), *area_table], log, timeout)
    etl.pop("last_line")
    if etl["timed_out"]:
        return etl  # what it printed so far says how far it got
    etl["steps"] = etl.pop("output_tail")  # the finished steps with their seconds (why a run took long)
    if etl["exit_code"] not in (0, 1):  # 1: rows quarantined, still published
        raise SystemExit(f"benchmark: wijkmonitor etl mislukt (exit {etl['exit_code']}); zie {log}")
    etl["warehouse_bytes"] = warehouse.stat().st_size
    etl["load"] = os.getloadavg()
    return etl


def bench_scale(scale: float, seed: int, workdir: Path, pandas_max_scale: float, plain_max_scale: float, repeat: int,
                etl_runs: int, timeout: float | None) -> dict[str, Any]:
    """Every measurement at one scale."""
    log = workdir / f"seed{seed}-scale{scale:g}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    print(f"benchmark: schaal {scale:g}: bronnen", file=sys.stderr, flush=True)
    sources, generated = sources_for(scale, seed, workdir, log)
    run = sources.parent / "run"
    warehouse, db = run / "warehouse.duckdb", run / "monitor.duckdb"
    fresh(run)
    run.mkdir(parents=True)

    runs = []
    for number in range(etl_runs if scale <= SMALL_SCALE else 1):
        print(f"benchmark: schaal {scale:g}: wijkmonitor etl ({number + 1})", file=sys.stderr, flush=True)
        fresh(warehouse, db, warehouse.with_name("warehouse_gx"))
        runs.append(whole_etl(sources, warehouse, db, log, timeout))
        if runs[-1]["timed_out"]:
            print(f"benchmark: schaal {scale:g}: etl na {timeout:g} s afgebroken", file=sys.stderr, flush=True)
            return {"scale": scale, "seed": seed, "generate": generated, "etl": {**runs[-1], "timeout": timeout},
                    "stages": None, "comparison": None, "gate_sql": None, "dashboard": None,
                    "reference_plain": None}
    # The median run: on a shared machine one run can be slowed by other work.
    etl = sorted(runs, key=lambda r: r["wall_seconds"])[len(runs) // 2]
    etl["all_wall_seconds"] = [r["wall_seconds"] for r in runs]
    print(f"benchmark: schaal {scale:g}: herhaalde etl (niets nieuw, één nieuw bestand)", file=sys.stderr, flush=True)
    repeated = incremental(sources, run / "incremental", log, timeout)

    staged = run / "stages"
    stage_warehouse = staged / "warehouse.duckdb"
    stages = each_stage(scale, sources, staged, log)
    bounded = None
    if scale >= NATIONAL_SCALE:
        # Every stage again under a lower DuckDB ceiling: does its memory follow the setting or the data?
        bounded = {"memory_limit": BOUNDED_MEMORY_LIMIT,
                   "stages": each_stage(scale, sources, run / "begrensd", log,
                                        {MEMORY_LIMIT_VARIABLE: BOUNDED_MEMORY_LIMIT})}
        fresh(run / "begrensd")

    plain = None
    plain_figures = run / "reference_plain.csv"
    if scale <= plain_max_scale and not any(sources.rglob("*.parquet")):  # it reads CSV only
        print(f"benchmark: schaal {scale:g}: plain-Python-referentie", file=sys.stderr, flush=True)
        plain = plain_reference(sources, plain_figures, log)
    comparison = gate_route = None
    if scale <= pandas_max_scale:
        print(f"benchmark: schaal {scale:g}: pandas-vergelijking", file=sys.stderr, flush=True)
        comparison = stage("compare", log, warehouse=stage_warehouse,
                           **({"plain-figures": plain_figures} if plain else {}))
        print(f"benchmark: schaal {scale:g}: GX tegen SQL in DuckDB", file=sys.stderr, flush=True)
        gate_route = stage("gate-sql", log, warehouse=stage_warehouse)

    print(f"benchmark: schaal {scale:g}: dashboard", file=sys.stderr, flush=True)
    latency = dashboard_latency(db, repeat, log, browser=scale == LOAD_TEST_SCALE)
    load_test = None
    if scale == LOAD_TEST_SCALE:
        print(f"benchmark: schaal {scale:g}: belastingtest (50 gebruikers, 60 s)", file=sys.stderr, flush=True)
        load_test = served_load_test(db)
    fresh(staged / "warehouse_gx", warehouse.with_name("warehouse_gx"))
    return {"scale": scale, "seed": seed, "generate": generated, "etl": etl, "stages": stages,
            "comparison": comparison, "gate_sql": gate_route, "dashboard": latency, "load_test": load_test,
            "incremental": repeated, "bounded_stages": bounded, "reference_plain": plain}


def plain_reference(sources: Path, figures: Path, log: Path) -> dict[str, Any]:
    """benchmarks/reference_plain.py in its own process on the delivered files (figures written for the
    comparison): its wall time and peak RSS, its own reading and computing seconds."""
    result = measure([sys.executable, str(PLAIN_REFERENCE_SCRIPT), "--sources", str(sources), "--out", str(figures)],
                     log)
    if result["exit_code"] != 0:
        raise SystemExit(f"benchmark: reference_plain.py mislukt (exit {result['exit_code']}); zie {log}")
    own = json.loads(result.pop("last_line"))
    for key in ("output_tail", "timed_out"):
        result.pop(key)
    return {**own, **result, "load": os.getloadavg()}


def each_stage(scale: float, sources: Path, folder: Path, log: Path,
               env: dict[str, str] | None = None) -> dict[str, Any]:
    """Every pipeline stage in its own process (benchmarks/stages.py) into a new folder; their figures by name."""
    folder.mkdir()
    stages: dict[str, Any] = {}
    for name in STAGES:
        note = f" ({' '.join(f'{k}={v}' for k, v in env.items())})" if env else ""
        print(f"benchmark: schaal {scale:g}: stap {name}{note}", file=sys.stderr, flush=True)
        options: dict[str, Path] = {"state": folder / "state"}
        if name == "load":
            options["sources"] = sources
        if name in ("load", "validate", "indicators"):
            options["warehouse"] = folder / "warehouse.duckdb"
        if name == "publish":
            options["db"] = folder / "monitor.duckdb"
        stages[name] = stage(name, log, env, **options)
    return stages


def newest_file(sources: Path) -> Path:
    """The file a next delivery would add: the last by name of the source folder with the most files."""
    folders = [folder for folder in sorted(sources.iterdir()) if folder.is_dir()]
    files = {folder: sorted(path for path in folder.rglob("*") if path.is_file()) for folder in folders}
    return files[max(folders, key=lambda folder: len(files[folder]))][-1]


def incremental(sources: Path, folder: Path, log: Path, timeout: float | None) -> dict[str, Any]:
    """Through the CLI only: a full etl of the drop without its newest file, the same again (nothing changed),
    then with that file added. Seconds of each run; the drop is hard links to the generated files."""
    newest = newest_file(sources)
    fresh(folder)
    drop = folder / "bronnen"
    shutil.copytree(sources, drop, copy_function=os.link, ignore=lambda where, names:
                    [name for name in names if Path(where) / name == newest])
    warehouse, db = folder / "warehouse.duckdb", folder / "monitor.duckdb"
    full = whole_etl(drop, warehouse, db, log, timeout)
    unchanged = whole_etl(drop, warehouse, db, log, timeout)
    os.link(newest, drop / newest.relative_to(sources))
    one_new = whole_etl(drop, warehouse, db, log, timeout)
    fresh(folder)
    return {"file": str(newest.relative_to(sources)), "full_seconds": full["wall_seconds"],
            "unchanged_seconds": unchanged["wall_seconds"], "one_new_seconds": one_new["wall_seconds"],
            "one_new_rss_bytes": one_new["rss_bytes"], "one_new_steps": one_new["steps"], "load": os.getloadavg()}


def dashboard_latency(db: Path, repeat: int, log: Path, browser: bool) -> dict[str, Any]:
    """benchmarks/dashboard_latency.py on a store in its own process: every callback's p50/p95, first view."""
    command = [sys.executable, str(LATENCY_SCRIPT), "--db", str(db), "--repeat", str(repeat), "--json"]
    result = measure(command + ([] if browser else ["--no-browser"]), log)
    if not result["last_line"].startswith("{"):
        raise SystemExit(f"benchmark: dashboard_latency.py gaf geen uitkomst (exit {result['exit_code']}); zie {log}")
    return {**json.loads(result["last_line"]), "load": os.getloadavg()}


def national_dashboard(city_db: Path, workdir: Path, repeat: int, log: Path) -> dict[str, Any]:
    """Callback latency at the national area count on a store copied from the city store (no national etl)."""
    db = workdir / "national-areas" / "monitor.duckdb"
    fresh(db.parent)
    made = measure([sys.executable, str(NATIONAL_STORE_SCRIPT), "--city", str(city_db), "--out", str(db)], log)
    if made["exit_code"] != 0:
        raise SystemExit(f"benchmark: national_store.py mislukt; zie {log}")
    return dashboard_latency(db, repeat, log, browser=False)


def start_time(log: Path) -> dict[str, Any]:
    """benchmarks/start.py: `make demo` on a fresh clone to the first page."""
    result = measure([sys.executable, str(START_SCRIPT), "--json"], log)
    return json.loads(result["last_line"]) if result["last_line"].startswith("{") else {
        "first_page_s": None, "milestones_s": {}, "log_tail": result["output_tail"], "load": os.getloadavg()}


def served_load_test(db: Path) -> dict[str, Any]:
    """benchmarks/load.py against `wijkmonitor serve --workers 4` on the store: its report and exit code."""
    figures = db.with_name("load.json")
    figures.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, str(LOAD_SCRIPT), "--db", str(db), "--users", "50", "--seconds", "60",
                           "--workers", "4", "--json", str(figures)], capture_output=True, text=True, timeout=900)
    return {"exit_code": done.returncode, "report": done.stdout.strip() or done.stderr.strip()[-2000:],
            "figures": json.loads(figures.read_text(encoding="utf-8")) if figures.exists() else None}


def main() -> int:
    """Benchmark each scale, then write the report."""
    parser = argparse.ArgumentParser(description="Wijkmonitor benchmarks: ETL per stage, pandas, dashboard.")
    parser.add_argument("--scales", default="1", help="comma-separated scales, e.g. 1,10,75")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench",
                        help="generated sources and warehouses (reused per seed and scale)")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--pandas-max-scale", type=float, default=10.0,
                        help="largest scale for the pandas comparison (it holds everything in memory)")
    parser.add_argument("--plain-max-scale", type=float, default=1.0,
                        help="largest scale for the plain-Python reference (issue 15's goal; CSV drops only)")
    parser.add_argument("--repeat", type=int, default=20, help="calls per dashboard interaction")
    parser.add_argument("--etl-runs", type=int, default=3,
                        help=f"whole-etl runs per scale up to {SMALL_SCALE:g} (the median is reported)")
    parser.add_argument("--etl-timeout", type=float, default=3600,
                        help="stop a whole etl after this many seconds and report how far it got (0: no limit)")
    parser.add_argument("--national-repeat", type=int, default=10,
                        help="calls per callback on the national-area store (its slow pages take seconds per call)")
    parser.add_argument("--no-national-dashboard", action="store_true",
                        help="without a national scale in --scales, skip the dashboard on a copied national-area store")
    parser.add_argument("--no-start", action="store_true", help="skip `make demo` on a fresh clone (benchmarks/start.py)")
    parser.add_argument("--render-only", action="store_true",
                        help="only rewrite the report from the figures of the last run (workdir/results.json)")
    args = parser.parse_args()
    saved = args.workdir / "results.json"
    if args.render_only:
        measured = json.loads(saved.read_text(encoding="utf-8"))
        write_report(args.report, measured["context"], measured["results"])
        return 0
    scales = [float(text) for text in args.scales.split(",") if text.strip()]
    context = {"command": " ".join(["benchmarks/run.py", *sys.argv[1:]]),
               "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_before": os.getloadavg(),
               "machine": machine(), "versions": versions()}
    results = []
    for scale in scales:
        results.append(bench_scale(scale, args.seed, args.workdir, args.pandas_max_scale, args.plain_max_scale,
                                   args.repeat, args.etl_runs, args.etl_timeout or None))
        context["load_after"] = os.getloadavg()
        # Saved after every scale, so a long national run that fails late keeps the earlier figures.
        saved.write_text(json.dumps({"context": context, "results": results}, indent=1), encoding="utf-8")
    city = next((r for r in results if r["scale"] == LOAD_TEST_SCALE and r.get("dashboard")), None)
    if city and not any(r["scale"] >= NATIONAL_SCALE for r in results) and not args.no_national_dashboard:
        print("benchmark: dashboard op het landelijke aantal gebieden", file=sys.stderr, flush=True)
        context["dashboard_national"] = national_dashboard(Path(city["dashboard"]["db"]), args.workdir, args.national_repeat,
                                                           args.workdir / "national-areas.log")
    if not args.no_start:
        print("benchmark: make demo op een verse clone", file=sys.stderr, flush=True)
        context["start"] = start_time(args.workdir / "start.log")
    context["load_after"] = os.getloadavg()
    saved.write_text(json.dumps({"context": context, "results": results}, indent=1), encoding="utf-8")
    write_report(args.report, context, results)
    return 0


def write_report(report: Path, context: dict[str, Any], results: list[dict[str, Any]]) -> None:
    """Write the Markdown report."""
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render(context, results), encoding="utf-8")
    print(f"benchmark: rapport geschreven naar {report}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
