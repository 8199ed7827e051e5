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

import json
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

from core import paths
from core.errors import InputRejected, StepFailed, WarehouseDamaged, WijkmonitorError
from etl import repair
from etl.archive import archive_folder, write_manifest
from etl.contract import BRONNEN, Bron
from etl.deliveries import Aanlevering, commit_pending, settle_failures, settle_overlaps
from etl.faults import storage_problem
from etl.load import (
    BRONMAP, GEACCEPTEERD, HERKOMST, ONGEWIJZIGD, VERWIJDERD, FileOutcome, SourceLoad, create_warehouse_tables,
    current_files, load_source, remove_abandoned_scratch, stray_entries, stray_outcome,
)
from etl.publish import publish, refuse_person_keys
from etl.staging import create_staging_tables, load_ref_gebieden, staging_table
from expectations.gate import GateResult, create_gate_tables, gate_source
from wijkmonitor import __version__
from wijkmonitor.summary import nl_int

BRON_GEOMETRIE = "Bron: CBS / Kadaster, Wijk- en buurtkaart (gegeneraliseerd), CC-BY 4.0"
SUMMARY_EXAMPLES = 10  # quarantined rows shown in the summary; the rest are in the warehouse

Compute = Callable[[duckdb.DuckDBPyConnection, Any], dict[str, pa.Table]]


@dataclass
class RunReport:
    """What one run found, per source: file outcomes and the gate's verdict."""

    run_id: str
    files: dict[str, list[FileOutcome]] = field(default_factory=dict)
    gates: dict[str, GateResult] = field(default_factory=dict)
    examples: list[tuple] = field(default_factory=list)  # first quarantined rows, for the summary

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
        """True when anything delivered was rejected (a file or a row)."""
        return bool(self.rejected_files or self.quarantined_rows)


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
        if compute is None:
            from indicators.compute import compute_publication as compute
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
                        tables = dict(compute(con, config))
                        _progress(out, f"indicatoren berekend ({_seconds(started)})")
                        tables.update(_publication_tables(con, report, config, run_id, sources))
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
        load = load_source(con, sources / bron.naam, bron, run_id, scratch, archive, aanlevering.drempels,
                           aanlevering.bevestigd)
        settle_overlaps(con, run_id, load)
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


def _gx_results(warehouse: Path, run_id: str) -> Path:
    """Where the gate keeps GX's validation results of one run."""
    return warehouse.with_name(f"{warehouse.stem}_gx") / run_id


def _publication_tables(
    con: duckdb.DuckDBPyConnection, report: RunReport, config: Any, run_id: str, sources: Path | None = None
) -> dict[str, pa.Table]:
    """The tables the ETL itself owns in the published store: areas, geometry, dq_*, meta."""
    return {
        "areas": areas_table(con),
        "geometry": geometry_table(paths.WIJKEN_GEOJSON),
        "dq_sources": dq_sources_table(con, report),
        "dq_rules": dq_rules_table(report),
        "dq_files": dq_files_table(con, report),
        "meta": meta_table(config, run_id, fictief=sources is not None and is_demo_drop(sources)),
    }


def areas_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every wijk, gebied and gemeente of ref_gebieden with its enclosing area, validity and merger date.

    A gebied has in_gemeente_sinds only when all its wijken joined (the latest date); a gemeente never.
    """
    return con.sql(
        """
        WITH wijken AS (
            SELECT 'wijk' AS niveau, wijkcode AS gebiedcode, wijknaam AS gebiedsnaam,
                   gebiedcode AS bovenliggend, geldig_van, geldig_tot, in_gemeente_sinds
            FROM ref_gebieden
        ), gebieden AS (
            SELECT 'gebied', gebiedcode, any_value(gebiedsnaam), any_value(gemeentecode), min(geldig_van),
                   CASE WHEN bool_or(geldig_tot IS NULL) THEN NULL ELSE max(geldig_tot) END,
                   CASE WHEN bool_and(in_gemeente_sinds IS NOT NULL) THEN max(in_gemeente_sinds) END
            FROM ref_gebieden GROUP BY gebiedcode
        ), gemeenten AS (
            SELECT 'gemeente', gemeentecode, any_value(gemeentenaam), NULL::VARCHAR, min(geldig_van),
                   CASE WHEN bool_or(geldig_tot IS NULL) THEN NULL ELSE max(geldig_tot) END, NULL::DATE
            FROM ref_gebieden GROUP BY gemeentecode
        )
        SELECT * FROM wijken UNION ALL SELECT * FROM gebieden UNION ALL SELECT * FROM gemeenten
        ORDER BY niveau, gebiedcode, geldig_van
        """
    ).to_arrow_table()


def geometry_table(geojson: Path) -> pa.Table:
    """One row per wijk of the boundary file: code, name and its GeoJSON geometry object."""
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    return pa.table(
        {
            "wijkcode": [feature["properties"]["statcode"] for feature in features],
            "wijknaam": [feature["properties"]["statnaam"] for feature in features],
            "geojson": [json.dumps(feature["geometry"], separators=(",", ":")) for feature in features],
        }
    )


def dq_sources_table(con: duckdb.DuckDBPyConnection, report: RunReport) -> pa.Table:
    """Per source: last load, files, rows delivered/accepted/quarantined, warnings, freshness, status."""
    rows = [_dq_source_row(con, BRONNEN[bron], report) for bron in report.gates]
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("bron", pa.string()), ("laatste_lading", pa.timestamp("us")), ("bestanden", pa.int32()),
        ("bestanden_afgewezen", pa.int32()), ("rijen_geleverd", pa.int64()), ("rijen_geaccepteerd", pa.int64()),
        ("rijen_quarantaine", pa.int64()), ("waarschuwingen", pa.int64()), ("recentste_datum", pa.date32()),
        ("status", pa.string()),
    ]))


def _dq_source_row(con: duckdb.DuckDBPyConnection, bron: Bron, report: RunReport) -> dict[str, Any]:
    """The dq_sources row of one source."""
    gate = report.gates[bron.naam]
    outcomes = [o for o in report.files[bron.naam] if o.uitkomst != VERWIJDERD]
    rejected = sum(1 for o in outcomes if o.is_rejected)
    laatste_lading = con.execute("SELECT max(geladen_op) FROM bestanden WHERE bron = ?", [bron.naam]).fetchone()[0]
    recentste = con.execute(f'SELECT max("{bron.datumkolom}") FROM {staging_table(bron)}').fetchone()[0]
    if rejected or gate.quarantaine or gate.geaccepteerd == 0:
        status = "fout"
    elif gate.waarschuwingen or any(o.is_warning for o in outcomes):
        status = "waarschuwing"
    else:
        status = "in orde"
    return {
        "bron": bron.naam, "laatste_lading": laatste_lading, "bestanden": len(outcomes),
        "bestanden_afgewezen": rejected, "rijen_geleverd": gate.rijen, "rijen_geaccepteerd": gate.geaccepteerd,
        "rijen_quarantaine": gate.quarantaine, "waarschuwingen": gate.waarschuwingen,
        "recentste_datum": recentste, "status": status,
    }


def dq_rules_table(report: RunReport) -> pa.Table:
    """Per source and broken rule: column, Dutch rule, severity and number of rows."""
    rows = [
        {"bron": bron, "kolom": rule.kolom, "regel": rule.regel, "ernst": rule.ernst, "aantal": rule.aantal}
        for bron, gate in report.gates.items()
        for rule in gate.regels
    ]
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("bron", pa.string()), ("kolom", pa.string()), ("regel", pa.string()), ("ernst", pa.string()),
        ("aantal", pa.int64()),
    ]))


def dq_files_table(con: duckdb.DuckDBPyConnection, report: RunReport) -> pa.Table:
    """Per delivered file: rows, geaccepteerd / afgewezen / vorige versie behouden, reason, load time."""
    rows = []
    for bron, outcomes in report.files.items():
        for outcome in outcomes:
            if outcome.uitkomst == VERWIJDERD:
                continue
            kept = con.execute(
                "SELECT rijen, geladen_op FROM bestanden WHERE bron = ? AND bestand = ?", [bron, outcome.bestand]
            ).fetchone()
            status = GEACCEPTEERD if outcome.uitkomst in (GEACCEPTEERD, ONGEWIJZIGD) else outcome.uitkomst
            rows.append({
                "bron": bron, "bestand": outcome.bestand,
                "rijen": kept[0] if kept else outcome.rijen, "status": status, "reden": outcome.reden,
                "geladen_op": kept[1] if kept else outcome.geladen_op,
            })
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("bron", pa.string()), ("bestand", pa.string()), ("rijen", pa.int64()), ("status", pa.string()),
        ("reden", pa.string()), ("geladen_op", pa.timestamp("us")),
    ]))


def is_demo_drop(sources: Path) -> bool:
    """True when the drop carries the demo generator's provenance marker.

    Only the generator writes it, so its presence is enough; only an explicit
    `"fictieve_demogegevens": false` clears it (an unreadable marker still marks the figures as fictitious).
    """
    marker = sources / HERKOMST
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("fictieve_demogegevens") is not False
    except (OSError, ValueError, AttributeError):
        return True


def meta_table(config: Any, run_id: str, fictief: bool = False) -> pa.Table:
    """Key/value facts about this publication; `fictieve_demogegevens` is 'ja' for generated demo data."""
    facts = {
        "gepubliceerd_op": datetime.now().isoformat(timespec="seconds"),
        "nulmeting": str(getattr(config, "nulmeting", "")),
        "bron_geometrie": BRON_GEOMETRIE,
        "versie": __version__,
        "run_id": run_id,
        "fictieve_demogegevens": "ja" if fictief else "nee",
    }
    return pa.table({"sleutel": list(facts), "waarde": list(facts.values())})


def _require_folder(sources: Path) -> None:
    """Reject a source folder that does not exist."""
    if not sources.is_dir():
        raise InputRejected(f"bronmap {sources} bestaat niet")


def _new_run_id() -> str:
    """A sortable, unique id for one run."""
    return f"{datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def _progress(out: TextIO, message: str) -> None:
    """One progress line, flushed so the operator sees it during long steps."""
    print(f"  {message}", file=out, flush=True)


def _seconds(started: float) -> str:
    """Elapsed time since started, Dutch notation."""
    return f"{time.monotonic() - started:.1f} s".replace(".", ",")


def _described(error: BaseException) -> str:
    """An unexpected exception for an operator: its type and first line."""
    return f"{type(error).__name__}: {repair.first_line(error)}"
