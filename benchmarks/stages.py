"""One measured step of the benchmark, run as its own process so its peak RSS is its own.

    python benchmarks/stages.py load|validate|indicators|publish --sources S --warehouse W --db D --state DIR
    python benchmarks/stages.py compare|gate-sql --warehouse W [--plain-figures CSV]
    python benchmarks/stages.py incremental --sources S --warehouse W --db D
    python benchmarks/stages.py dashboard --db D --repeat N

The pipeline stages call the same library functions as wijkmonitor/pipeline.py, in the same order;
what one stage hands the next (file outcomes, gate results, computed tables) goes through --state.
The last line on stdout is a JSON object with the stage's own figures (seconds excludes imports).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from core import paths  # noqa: E402
from etl.contract import BRONNEN, Drempels  # noqa: E402
from etl.deliveries import commit_pending, settle_failures, settle_overlaps  # noqa: E402
from etl.load import (  # noqa: E402
    check_set, create_check_table, create_warehouse_tables, load_source,
)
from etl import publication  # noqa: E402
from etl.publish import publish  # noqa: E402
from etl.repair import connect_warehouse  # noqa: E402
from etl.staging import create_staging_tables, load_ref_gebieden  # noqa: E402
from expectations.gate import create_gate_tables, gate_source  # noqa: E402
from indicators.config import load_config  # noqa: E402
from wijkmonitor import cli, pipeline  # noqa: E402
from wijkmonitor.generate import AREA_TABLE  # noqa: E402

REPORT_FILE = "report.pickle"
LOADS_FILE = "loads.pickle"  # the file versions on trial that the load stage hands the validate stage
TABLES_DIR = "tables"


def load(sources: Path, warehouse: Path, state: Path) -> dict[str, Any]:
    """Read every source into a fresh warehouse and settle copies and conflicts, as the pipeline's first step does."""
    run_id = pipeline._new_run_id()
    bronnen = list(BRONNEN.values())
    # The generator writes its own area table at scales above 1 (more wijken than Groningen's);
    # the benchmark configures it as the pipeline's --gebieden would.
    gebieden = sources / AREA_TABLE
    started = time.perf_counter()
    con = connect_warehouse(warehouse)  # as the pipeline opens it (memory limit)
    try:
        create_warehouse_tables(con, bronnen)
        create_staging_tables(con)
        create_gate_tables(con)
        load_ref_gebieden(con, gebieden if gebieden.is_file() else paths.GEBIEDEN_CSV)
        report = pipeline.RunReport(run_id)
        loads = {}
        for bron in bronnen:
            loads[bron.naam] = load_source(con, sources / bron.naam, bron, run_id, warehouse.parent)
            settle_overlaps(con, run_id, loads[bron.naam])
    finally:
        con.close()
    seconds = time.perf_counter() - started
    _save_report(state, report)
    (state / LOADS_FILE).write_bytes(pickle.dumps(loads))
    pending = [versie for load in loads.values() for versie in load.pending]
    return {"seconds": seconds, "rows": sum(versie.rijen for versie in pending), "files": len(pending),
            "rejected_files": sum(o.is_rejected for load in loads.values() for o in load.outcomes)}


def validate(warehouse: Path, state: Path) -> dict[str, Any]:
    """Run the Great Expectations gate over every loaded source, as the pipeline does."""
    report = _load_report(state)
    results_dir = warehouse.with_name(f"{warehouse.stem}_gx") / report.run_id
    started = time.perf_counter()
    loads = pickle.loads((state / LOADS_FILE).read_bytes())
    con = connect_warehouse(warehouse)
    try:
        create_check_table(con)  # per connection: rebuilt from what the load stage left on trial
        for bron in BRONNEN.values():
            load = loads[bron.naam]
            check_set(con, bron, load.pending)
            report.gates[bron.naam] = settle_failures(
                con, report.run_id, load,
                lambda bron=bron: gate_source(con, bron, report.run_id, date.today(), results_dir), Drempels(),
            )
            commit_pending(con, report.run_id, load)
            report.files[bron.naam] = load.outcomes
    finally:
        con.close()
    seconds = time.perf_counter() - started
    _save_report(state, report)
    return {"seconds": seconds, "rows": sum(g.rijen for g in report.gates.values()),
            "quarantined": report.quarantined_rows}


def indicators(warehouse: Path, state: Path) -> dict[str, Any]:
    """Compute the indicator tables and the ETL's own tables, then keep them for the publish stage."""
    from indicators.compute import compute_publication

    report = _load_report(state)
    config = load_config()
    started = time.perf_counter()
    con = connect_warehouse(warehouse)
    try:
        tables = dict(compute_publication(con, config))
        # The same call the pipeline makes for areas, geometry, dq_* and meta.
        tables.update(publication.run_tables(con, report, config, report.run_id))
    finally:
        con.close()
    seconds = time.perf_counter() - started
    folder = state / TABLES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
    return {"seconds": seconds, "rows": tables["indicator_values"].num_rows,
            "breakdown_rows": tables["indicator_breakdown"].num_rows}


def publish_stage(db: Path, state: Path) -> dict[str, Any]:
    """Write the published store from the computed tables."""
    tables = {path.stem: pq.read_table(path) for path in sorted((state / TABLES_DIR).glob("*.parquet"))}
    started = time.perf_counter()
    publish(db, tables)
    return {"seconds": time.perf_counter() - started, "bytes": db.stat().st_size}


def compare(warehouse: Path, plain_figures: Path | None = None) -> dict[str, Any]:
    """compute_publication against the pandas reference on a gated warehouse (and the pandas reference against
    the plain-Python reference's figures, when given)."""
    from benchmarks.compare import compare_with_pandas

    con = connect_warehouse(warehouse)
    try:
        result = compare_with_pandas(con, load_config(), plain_figures)
    finally:
        con.close()
    return {"duckdb_seconds": result.duckdb_seconds, "pandas_read_seconds": result.pandas_read_seconds,
            "pandas_compute_seconds": result.pandas_compute_seconds, "ratio": result.ratio,
            "rows_compared": result.rows_compared, "mismatches": result.mismatches,
            "plain_rows_compared": result.plain_rows_compared, "plain_mismatches": result.plain_mismatches}


def gate_sql(warehouse: Path) -> dict[str, Any]:
    """Each source's suite through GX (as the gate runs it) and as SQL in DuckDB, on the same candidates."""
    from benchmarks.gate_sql import time_source

    con = connect_warehouse(warehouse)
    try:
        timings = [time_source(con, bron, date.today()) for bron in BRONNEN.values()]
    finally:
        con.close()
    return {"sources": [vars(timing) for timing in timings]}


def incremental(sources: Path, warehouse: Path, db: Path) -> dict[str, Any]:
    """The whole ETL (wijkmonitor etl) three times: from scratch, nothing changed, one new file added.

    The new file is a source's last survey file again with new respondent ids (a new year's
    survey): read, validated and checked against the other files' keys like any new delivery.
    Works on a copy of the drop (sources stays as generated); the warehouse and db are replaced.
    """
    import io
    import shutil

    import polars as pl

    def run() -> tuple[float, int]:
        # CPU seconds of the process (all threads) beside wall seconds: on a shared machine the
        # wall time mostly measures the other jobs.
        started, cpu = time.perf_counter(), time.process_time()
        code = cli.run_etl(drop, warehouse, db, out=io.StringIO(), err=io.StringIO(), aanlevering=aanlevering)
        cpu_seconds.append(time.process_time() - cpu)
        return time.perf_counter() - started, code

    cpu_seconds: list[float] = []
    for path in (warehouse, db, warehouse.with_name(f"{warehouse.stem}_gx")):
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    drop = warehouse.parent / "incrementeel_bronnen"
    shutil.rmtree(drop, ignore_errors=True)
    shutil.copytree(sources, drop)
    gebieden = drop / AREA_TABLE
    aanlevering = pipeline.Aanlevering(gebieden=gebieden if gebieden.is_file() else paths.GEBIEDEN_CSV)
    full, full_code = run()
    unchanged, unchanged_code = run()
    bron = BRONNEN["bewonersenquete"]
    last = sorted((drop / bron.naam).glob("*.csv"))[-1]
    frame = pl.read_csv(last, infer_schema=False)
    # alias: the sum alone would be a new column named "literal" beside the old keys (a copy of the file)
    frame = frame.with_columns((pl.lit("nieuw-") + pl.col(name)).alias(name) for name in bron.sleutel)
    frame.write_csv(last.with_name(f"{last.stem}_nieuw.csv"))
    new_file, new_code = run()
    return {"full_seconds": full, "unchanged_seconds": unchanged, "new_file_seconds": new_file,
            "new_file_rows": frame.height, "exit_codes": [full_code, unchanged_code, new_code],
            "unchanged_ratio": unchanged / full, "new_file_ratio": new_file / full,
            "cpu_seconds": dict(zip(["full", "unchanged", "new_file"], cpu_seconds)),
            "load_average": os.getloadavg()}


def dashboard(db: Path, repeat: int) -> dict[str, Any]:
    """Server-side callback latency (median, p95) with the dashboard helper's measurement."""
    from benchmarks.dashboard_latency import measure_callbacks
    from dashboard.app import create_app

    con = duckdb.connect(str(db), read_only=True)
    try:
        areas = dict(con.execute("SELECT niveau, count(DISTINCT gebiedcode) FROM areas GROUP BY niveau").fetchall())
    finally:
        con.close()
    with tempfile.TemporaryDirectory(prefix="wijkmonitor-bench-") as scratch:
        app = create_app(db, Path(scratch) / "state.sqlite")
        results = measure_callbacks(app, repeat)
    return {"areas": areas, "repeat": repeat,
            "callbacks": results}  # name, calls, p50_ms, p95_ms, errors per callback


def _save_report(state: Path, report: pipeline.RunReport) -> None:
    """Hand the run report (file outcomes, gate results) to the next stage."""
    state.mkdir(parents=True, exist_ok=True)
    (state / REPORT_FILE).write_bytes(pickle.dumps(report))


def _load_report(state: Path) -> pipeline.RunReport:
    """The run report the previous stage left."""
    return pickle.loads((state / REPORT_FILE).read_bytes())


def main() -> int:
    """Run one step and print its figures as JSON."""
    parser = argparse.ArgumentParser(description="One measured benchmark step.")
    parser.add_argument("stage", choices=["load", "validate", "indicators", "publish", "compare", "gate-sql",
                                          "incremental", "dashboard"])
    parser.add_argument("--sources", type=Path)
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--state", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plain-figures", type=Path, help="compare: the figures of benchmarks/reference_plain.py")
    args = parser.parse_args()
    steps = {
        "load": lambda: load(args.sources, args.warehouse, args.state),
        "validate": lambda: validate(args.warehouse, args.state),
        "indicators": lambda: indicators(args.warehouse, args.state),
        "publish": lambda: publish_stage(args.db, args.state),
        "compare": lambda: compare(args.warehouse, args.plain_figures),
        "gate-sql": lambda: gate_sql(args.warehouse),
        "incremental": lambda: incremental(args.sources, args.warehouse, args.db),
        "dashboard": lambda: dashboard(args.db, args.repeat),
    }
    print(json.dumps(steps[args.stage]()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
