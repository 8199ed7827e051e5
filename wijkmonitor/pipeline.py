"""The ETL run: load every source, gate it, compute the indicators and publish, in that order.

This module only orchestrates. Each step raises a typed error (core/errors.py) and the command line
(wijkmonitor/cli.py) turns it into one line and an exit code: 0 when everything was accepted; 1 when
a file was rejected or rows were quarantined — the run still publishes, from the accepted rows and the
earlier accepted version of every rejected file; 3 when a step failed (StepFailed, PublicationRefused,
WarehouseDamaged, ...) — then nothing is published and the previous published file stays as it was.

Delivered files are read in as versions on trial and gated before they count (etl/load.py,
etl/deliveries.py): copies, conflicts, shrunken revisions and files that mostly fail are held back
whole, the earlier version standing. Reference data comes from configuration (`gebieden`), never
from the drop: anything in the drop that is no source folder is ignored with a warning. Reasons
that reach the published store come from etl/reasons.py; details stay on the terminal and in the
warehouse. A damaged warehouse is rebuilt from the kept files (etl/repair.py); the end-of-run
summary is wijkmonitor/summary.py.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

import duckdb
import pyarrow as pa

from core.errors import InputRejected, NothingToCompute, StepFailed, WarehouseDamaged, WijkmonitorError
from etl import repair
from etl.archive import archive_folder, write_manifest
from etl.contract import BRONNEN
from etl.deliveries import Aanlevering, commit_pending, settle_failures, settle_overlaps
from etl.faults import storage_problem
from etl.held_back import Rules
from etl.load import (
    BRONMAP, FileOutcome, SourceLoad, create_warehouse_tables, current_files, load_source, remove_abandoned_scratch,
    stray_entries, stray_outcome,
)
from etl.publication import run_tables
from etl.publish import publish, refuse_person_keys
from etl.staging import create_staging_tables, load_ref_gebieden
from expectations.gate import GateResult, create_gate_tables, gate_source, prepare_gx, rules_fingerprint
from wijkmonitor.summary import nl_int

SUMMARY_EXAMPLES = 10  # quarantined rows shown in the summary; the rest are in the warehouse

Compute = Callable[[duckdb.DuckDBPyConnection, Any], dict[str, pa.Table]]


@dataclass
class RunReport:
    """What one run found, per source: file outcomes and the gate's verdict."""

    run_id: str
    files: dict[str, list[FileOutcome]] = field(default_factory=dict)
    gates: dict[str, GateResult] = field(default_factory=dict)
    examples: list[tuple] = field(default_factory=list)  # first quarantined rows, for the summary
    niet_gepubliceerd: str | None = None  # why nothing was computed or published (NothingToCompute)

    @property
    def rejected_files(self) -> list[FileOutcome]:
        """Every file outcome that was a rejection."""
        return [outcome for outcomes in self.files.values() for outcome in outcomes if outcome.is_rejected]

    @property
    def quarantined_rows(self) -> int:
        """Rows quarantined over all sources."""
        return sum(gate.quarantaine for gate in self.gates.values())

    @property
    def warned_files(self) -> list[FileOutcome]:
        """Every file outcome that is a warning only (a copy counted once)."""
        return [outcome for outcomes in self.files.values() for outcome in outcomes if outcome.is_warning]

    @property
    def input_rejected(self) -> bool:
        """True when anything delivered was rejected (a file or a row), or nothing was left to publish."""
        return bool(self.rejected_files or self.quarantined_rows or self.niet_gepubliceerd)


def run(
    sources: Path,
    warehouse: Path,
    db: Path,
    *,
    compute: Compute | None = None,
    config: Any = None,
    vandaag: date | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    aanlevering: Aanlevering = Aanlevering(),
) -> RunReport:
    """Load, validate, compute and publish (progress on out, repair notices on err); raise a WijkmonitorError.

    Any other failure of a step becomes StepFailed naming the step (and the file, for a storage fault).
    """
    out, err = out or sys.stdout, err or sys.stderr
    step = "voorbereiden"
    target = warehouse  # the file a storage fault of the current step is about
    try:
        _require_folder(sources)
        summary = None  # what the product's computation recomputed (indicators/incremental.py)
        if config is None:
            from indicators.config import load_config

            step = "configuratie lezen"
            config = load_config()
        step = "warehouse openen"
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        run_id = _new_run_id()
        archive = archive_folder(warehouse)
        vandaag = vandaag or date.today()
        remove_abandoned_scratch(warehouse.parent)

        def notify(line: str) -> None:
            print(f"wijkmonitor etl: {line}", file=err, flush=True)

        def reload(con: duckdb.DuckDBPyConnection, drop: Path, confirmed: frozenset[str]) -> None:
            rebuild_id = _new_run_id()
            _load_and_gate(con, drop, warehouse.parent, rebuild_id, vandaag, _gx_results(warehouse, rebuild_id), out,
                           Aanlevering(aanlevering.gebieden, confirmed, aanlevering.drempels))

        def rebuild(damaged: WarehouseDamaged) -> duckdb.DuckDBPyConnection:
            return repair.rebuild(damaged, archive, reload, notify, lambda line: _progress(out, line))

        try:
            con = repair.open_checked(warehouse)
        except WarehouseDamaged as damaged:
            con = rebuild(damaged)
        try:
            for attempt in (1, 2):
                try:
                    with repair.damage_raised(warehouse):
                        step = "laden en controleren"
                        report = _load_and_gate(con, sources, warehouse.parent, run_id, vandaag,
                                                _gx_results(warehouse, run_id), out, aanlevering, archive)
                        step = "berekenen"
                        started = time.monotonic()
                        if compute is None:
                            compute, summary = _product_computation()
                        try:
                            tables = dict(compute(con, config))
                        except NothingToCompute as nothing:
                            # the input's fault, not a step's: the summary says which files were held back
                            report.niet_gepubliceerd = str(nothing)
                            break
                        computed = summary(con) if summary else None
                        _progress(out, f"indicatoren berekend ({_seconds(started)}{f'; {computed}' if computed else ''})")
                        tables.update(run_tables(con, report, config, run_id, sources))
                        step = "publicatie controleren"
                        refuse_person_keys(con, tables)  # needs the warehouse; the other guards run in publish
                    break
                except WarehouseDamaged as damaged:
                    # Damage the opening check did not read surfaces here: rebuild once and start over.
                    if attempt == 2:
                        raise damaged.__cause__ from None
                    repair.close_quietly(con)
                    step = "warehouse herstellen"
                    con = rebuild(damaged)
        finally:
            repair.close_quietly(con)
        if report.niet_gepubliceerd:
            return report  # the published store stays as it was
        step, target = "publiceren", db
        started = time.monotonic()
        publish(db, tables)
        _progress(out, f"gepubliceerd naar {db} ({_seconds(started)})")
    except WijkmonitorError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of a step: one line, exit 3, nothing published
        reason = storage_problem(error, fallback=target) or _described(error)
        raise StepFailed(f"stap '{step}' mislukt: {reason}") from error
    return report


def validate(sources: Path, *, vandaag: date | None = None, out: TextIO | None = None,
             aanlevering: Aanlevering = Aanlevering()) -> RunReport:
    """Load and gate the sources into a throw-away warehouse; raise a WijkmonitorError when the check fails."""
    out = out or sys.stdout
    _require_folder(sources)
    try:
        with tempfile.TemporaryDirectory(prefix="wijkmonitor-validate-") as scratch:
            con = repair.connect_warehouse(Path(scratch) / "validate.duckdb")
            try:
                return _load_and_gate(con, sources, Path(scratch), _new_run_id(), vandaag or date.today(), None, out,
                                      aanlevering)
            finally:
                con.close()
    except WijkmonitorError:
        raise
    except Exception as error:  # noqa: BLE001 - a failing check is a step failure: one line, exit 3
        raise StepFailed(f"controle mislukt: {_described(error)}") from error


def _load_and_gate(
    con: duckdb.DuckDBPyConnection,
    sources: Path,
    scratch: Path,
    run_id: str,
    vandaag: date,
    results_dir: Path | None,
    out: TextIO,
    aanlevering: Aanlevering,
    archive: Path | None = None,
) -> RunReport:
    """Load the configured area table and every source, gate each, commit what passed; keep the archive list."""
    bronnen = list(BRONNEN.values())
    create_warehouse_tables(con, bronnen)
    create_staging_tables(con)
    create_gate_tables(con)
    areas = load_ref_gebieden(con, aanlevering.gebieden)
    _progress(out, f"gebieden: {areas} rijen uit {aanlevering.gebieden}")
    report = RunReport(run_id)
    stray = [stray_outcome(con, run_id, path) for path in stray_entries(sources, BRONNEN, aanlevering.gebieden)]
    loads: dict[str, SourceLoad] = {}
    for bron in bronnen:
        started = time.monotonic()
        rules = Rules(rules_fingerprint(con, bron, aanlevering.drempels), vandaag)
        load = load_source(con, sources / bron.naam, bron, run_id, scratch, archive, aanlevering.drempels,
                           aanlevering.bevestigd, rules)
        settle_overlaps(con, run_id, load)
        if load.pending:  # new versions to validate: import GX while the other sources load
            prepare_gx()
        loads[bron.naam] = load
        _progress(out, f"{bron.naam}: {len(load.pending)} nieuw(e) bestand(en) ingelezen, "
                       f"{nl_int(sum(versie.rijen for versie in load.pending))} rijen ({_seconds(started)})")
    for bron in bronnen:
        started = time.monotonic()
        load = loads[bron.naam]
        gate = settle_failures(
            con, run_id, load,
            lambda bron=bron: gate_source(con, bron, run_id, vandaag, results_dir,
                                          lambda message: _progress(out, message), aanlevering.drempels),
            aanlevering.drempels,
        )
        commit_pending(con, run_id, load)
        if load.niet_geleverd:
            continue
        report.files[bron.naam] = load.outcomes
        report.gates[bron.naam] = gate
        reused = f", ongewijzigd: uitkomst van run {gate.hergebruikt_van}" if gate.hergebruikt_van else ""
        _progress(out, f"{bron.naam}: {nl_int(gate.geaccepteerd)} van {nl_int(gate.rijen)} rijen door de controle "
                       f"({_seconds(started)}{reused})")
    if stray:
        report.files[BRONMAP] = stray
    if archive is not None:
        write_manifest(archive, current_files(con))
    report.examples = con.execute(
        "SELECT bron, bestand, rij, kolom, regel, waarde FROM quarantine WHERE run_id = ? "
        "ORDER BY bron, bestand, rij, kolom LIMIT ?",
        [run_id, SUMMARY_EXAMPLES],
    ).fetchall()
    return report


def _product_computation() -> tuple[Compute, Callable[[duckdb.DuckDBPyConnection], str | None]]:
    """The product's computation and its summary of what it recomputed (indicators/incremental.py).

    Imported when the step starts, not with this module: its imports (pandas through Polars, about 0.3 s)
    would delay the load, while a run that validates imports them beside the load with Great Expectations.
    """
    from indicators.compute import compute_publication
    from indicators.incremental import summary

    return compute_publication, summary


def _gx_results(warehouse: Path, run_id: str) -> Path:
    """Where the gate keeps GX's validation results of one run."""
    return warehouse.with_name(f"{warehouse.stem}_gx") / run_id


def _require_folder(sources: Path) -> None:
    """Reject a source folder that does not exist."""
    if not sources.is_dir():
        raise InputRejected(f"bronmap {sources} bestaat niet")


def _new_run_id() -> str:
    """A sortable, unique id for one run (to the microsecond: two runs can start within one second)."""
    return f"{datetime.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"


def _progress(out: TextIO, message: str) -> None:
    """One progress line, flushed so the operator sees it during long steps."""
    print(f"  {message}", file=out, flush=True)


def _seconds(started: float) -> str:
    """Elapsed time since started, Dutch notation."""
    return f"{time.monotonic() - started:.1f} s".replace(".", ",")


def _described(error: BaseException) -> str:
    """An unexpected exception for an operator: its type and first line."""
    return f"{type(error).__name__}: {repair.first_line(error)}"
