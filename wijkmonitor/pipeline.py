"""The ETL run: load every source, gate it, compute the indicators and publish, in that order.

Exit codes (wijkmonitor/errors.py): 0 when everything was accepted; 1 when a file was rejected or
rows were quarantined — the run still publishes, from the accepted rows and the earlier accepted
version of every rejected file, so the figures are what the accepted data say; 3 when a step
failed — then nothing is published and the previous published file stays as it was.

Delivered files are read in as versions on trial and gated before they count (etl/load.py,
etl/deliveries.py): copies, conflicts, shrunken revisions and files that mostly fail are held back
whole, the earlier version standing. Reference data comes from configuration (`gebieden`), never
from the drop: anything in the drop that is no source folder is ignored with a warning. Reasons
that reach the published store come from etl/reasons.py; details stay on the terminal and in the
warehouse.

Faults: a full disk or read-only location gives one line naming the file and the cause, exit 3.
Every accepted file is kept next to the warehouse (etl/archive.py); a warehouse file that cannot
be opened or read is moved aside and rebuilt from those kept files before the drop is loaded.
"""

from __future__ import annotations

import os
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

from etl.archive import archive_folder, read_manifest, restore_drop, write_manifest
from etl.contract import BRONNEN
from etl.deliveries import Aanlevering, commit_pending, settle_failures, settle_overlaps
from etl.faults import storage_problem
from etl.load import (
    AFGEWEZEN, BRONMAP, GENEGEERD, KOPIE, MAP, VERWIJDERD, FileOutcome, SourceLoad,
    create_warehouse_tables, current_files, load_source, remove_abandoned_scratch, scratch_prefix, stray_entries,
    stray_outcome,
)
from etl.publication import run_tables
from etl.publish import publish, refuse_person_keys
from etl.staging import create_staging_tables, load_ref_gebieden
from expectations.gate import GateResult, create_gate_tables, gate_source
from wijkmonitor.errors import EXIT_FAILED, EXIT_INPUT_REJECTED, EXIT_OK, InputRejected, WijkmonitorError

# DuckDB would take up to 80% of RAM; a fixed ceiling keeps the national-scale run bounded
# (it spills to disk beyond this) and leaves room for the pandas chunks the gate validates.
WAREHOUSE_MEMORY_LIMIT = "3GB"
SUMMARY_EXAMPLES = 10  # quarantined rows shown in the summary; the rest are in the warehouse
# What DuckDB says when a database file itself is damaged (as opposed to locked or unreachable).
_DAMAGE_MARKERS = (
    "not a valid duckdb database file", "could not read enough bytes", "checksum", "corrupt",
    "failure while replaying wal",
)

Compute = Callable[[duckdb.DuckDBPyConnection, Any], dict[str, pa.Table]]


@dataclass
class RunReport:
    """What one run found, per source: file outcomes and the gate's verdict."""

    run_id: str
    files: dict[str, list[FileOutcome]] = field(default_factory=dict)
    gates: dict[str, GateResult] = field(default_factory=dict)
    voorbeelden: list[tuple] = field(default_factory=list)  # first quarantined rows, for the summary

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
    def exit_code(self) -> int:
        """1 when anything delivered was rejected (file or row), else 0."""
        return EXIT_INPUT_REJECTED if self.rejected_files or self.quarantined_rows else EXIT_OK


def run_etl(
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
) -> int:
    """Load, validate, compute and publish; return the exit code (reasons on err, progress on out)."""
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
        results_dir = warehouse.with_name(f"{warehouse.stem}_gx") / run_id
        archive = archive_folder(warehouse)
        vandaag = vandaag or date.today()
        remove_abandoned_scratch(warehouse.parent)
        con = _open_warehouse(warehouse, archive, aanlevering, vandaag, out, err)
        try:
            for attempt in (1, 2):
                try:
                    step = "laden en controleren"
                    report = _load_and_gate(con, sources, warehouse.parent, run_id, vandaag, results_dir, out,
                                            aanlevering, archive)
                    step = "berekenen"
                    started = time.monotonic()
                    tables = dict(compute(con, config))
                    _progress(out, f"indicatoren berekend ({_seconds(started)})")
                    tables.update(run_tables(con, report, config, run_id, sources))
                    step = "publicatie controleren"
                    refuse_person_keys(con, tables)  # needs the warehouse; the other guards run in publish
                    break
                except duckdb.Error as error:
                    # Damage the opening check did not read surfaces here: rebuild once and start over.
                    if attempt == 2 or not _is_damage(error):
                        raise
                    _close_quietly(con)
                    step = "warehouse herstellen"
                    con = _replace_damaged(warehouse, archive, aanlevering, vandaag, _one_line(error), out, err)
        finally:
            _close_quietly(con)
        step, target = "publiceren", db
        started = time.monotonic()
        publish(db, tables)
        _progress(out, f"gepubliceerd naar {db} ({_seconds(started)})")
    except WijkmonitorError as error:
        print(f"wijkmonitor etl: {error}", file=err)
        return error.exit_code
    except Exception as error:  # noqa: BLE001 - any failure of a step: one line, exit 3, nothing published
        storage = storage_problem(error, fallback=target)
        reason = storage or f"{type(error).__name__}: {_one_line(error)}"
        print(f"wijkmonitor etl: stap '{step}' mislukt: {reason}", file=err)
        return EXIT_FAILED
    _report_rejections(report, "wijkmonitor etl", err)
    print(summary_text(report), file=out)
    return report.exit_code


def run_validate(sources: Path, *, vandaag: date | None = None, out: TextIO | None = None,
                 err: TextIO | None = None, aanlevering: Aanlevering = Aanlevering()) -> int:
    """Load and gate the sources into a throw-away warehouse; print the summary; return the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        _require_folder(sources)
        with tempfile.TemporaryDirectory(prefix="wijkmonitor-validate-") as scratch:
            con = connect_warehouse(Path(scratch) / "validate.duckdb")
            try:
                report = _load_and_gate(con, sources, Path(scratch), _new_run_id(), vandaag or date.today(), None, out,
                                        aanlevering)
            finally:
                con.close()
    except WijkmonitorError as error:
        print(f"wijkmonitor validate: {error}", file=err)
        return error.exit_code
    except Exception as error:  # noqa: BLE001 - a failing check is a step failure: one line, exit 3
        print(f"wijkmonitor validate: controle mislukt: {type(error).__name__}: {_one_line(error)}", file=err)
        return EXIT_FAILED
    _report_rejections(report, "wijkmonitor validate", err)
    print(summary_text(report), file=out)
    return report.exit_code


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
                       f"{_nl(sum(versie.rijen for versie in load.pending))} rijen ({_seconds(started)})")
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
        _progress(out, f"{bron.naam}: {_nl(gate.geaccepteerd)} van {_nl(gate.rijen)} rijen door de controle "
                       f"({_seconds(started)}{reused})")
    if stray:
        report.files[BRONMAP] = stray
    if archive is not None:
        write_manifest(archive, current_files(con))
    report.voorbeelden = con.execute(
        "SELECT bron, bestand, rij, kolom, regel, waarde FROM quarantine WHERE run_id = ? "
        "ORDER BY bron, bestand, rij, kolom LIMIT ?",
        [run_id, SUMMARY_EXAMPLES],
    ).fetchall()
    return report


def _open_warehouse(
    warehouse: Path, archive: Path, aanlevering: Aanlevering, vandaag: date, out: TextIO, err: TextIO
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a file that fails the opening check is moved aside and rebuilt from the kept raw files."""
    try:
        return _connect_checked(warehouse)
    except duckdb.Error as error:
        if not _is_damage(error):
            raise
        damage = _one_line(error)
    return _replace_damaged(warehouse, archive, aanlevering, vandaag, damage, out, err)


def _replace_damaged(
    warehouse: Path, archive: Path, aanlevering: Aanlevering, vandaag: date, damage: str, out: TextIO, err: TextIO
) -> duckdb.DuckDBPyConnection:
    """Move a damaged warehouse aside, say so in one line, and rebuild it from the kept raw files."""
    aside = _move_aside(warehouse)
    print(f"wijkmonitor etl: warehouse {warehouse} is beschadigd ({damage}); verplaatst naar {aside.name} "
          f"en opnieuw opgebouwd uit de bewaarde bestanden in {archive}", file=err, flush=True)
    con = connect_warehouse(warehouse)
    try:
        _rebuild(con, archive, aanlevering, warehouse.parent, vandaag, warehouse.with_name(f"{warehouse.stem}_gx"),
                 out, err)
    except BaseException:
        _close_quietly(con)
        raise
    return con


def connect_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write warehouse connection with bounded memory and without DuckDB's progress bar."""
    con = duckdb.connect(str(path), config={"memory_limit": WAREHOUSE_MEMORY_LIMIT})
    # DuckDB's own progress bar would mix with our progress lines on the terminal.
    con.execute("SET enable_progress_bar = false")
    return con


def _connect_checked(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Connect and read every table once, so a damaged file fails here and not halfway the run."""
    con = connect_warehouse(warehouse)
    try:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    except BaseException:
        _close_quietly(con)
        raise
    return con


def _is_damage(error: duckdb.Error) -> bool:
    """True when DuckDB's message says the file is damaged (a lock or access problem is not)."""
    text = str(error).lower()
    return any(marker in text for marker in _DAMAGE_MARKERS)


def _move_aside(warehouse: Path) -> Path:
    """Rename a damaged warehouse (and its WAL) to <name>.beschadigd-<timestamp>; return the new path."""
    aside = warehouse.with_name(f"{warehouse.name}.beschadigd-{datetime.now():%Y%m%dT%H%M%S}")
    os.replace(warehouse, aside)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        os.replace(wal, aside.with_name(aside.name + ".wal"))
    return aside


def _rebuild(
    con: duckdb.DuckDBPyConnection, archive: Path, aanlevering: Aanlevering, scratch: Path, vandaag: date,
    gx_root: Path, out: TextIO, err: TextIO,
) -> None:
    """Load and gate the kept current files into an empty warehouse, as a normal run would."""
    current = read_manifest(archive)
    _progress(out, f"warehouse herstellen uit {sum(len(files) for files in current.values())} bewaarde bestand(en)")
    with tempfile.TemporaryDirectory(prefix=scratch_prefix("herstel"), dir=scratch) as folder:
        drop = Path(folder)
        missing = restore_drop(archive, current, drop)
        for name in missing:
            print(f"wijkmonitor etl: bewaard bestand {name} ontbreekt in {archive}; niet hersteld", file=err)
        run_id = _new_run_id()
        # Kept files were accepted once: their shrink needs no new confirmation.
        confirmed = frozenset(f"{bron}/{name}" for bron, files in current.items() for name in files)
        _load_and_gate(con, drop, scratch, run_id, vandaag, gx_root / run_id, out,
                       Aanlevering(aanlevering.gebieden, confirmed, aanlevering.drempels))


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection; a failure while closing must not hide the error that is being reported."""
    try:
        con.close()
    except duckdb.Error:
        pass


def summary_text(report: RunReport) -> str:
    """The readable data-quality summary printed at the end of a run."""
    header = f"{'bron':<16}{'bestanden':>10}{'afgewezen':>10}{'geleverd':>11}{'geaccepteerd':>13}" \
             f"{'quarantaine':>12}{'waarsch.':>9}"
    lines = [f"Datakwaliteit (run {report.run_id})", header]
    for bron, gate in report.gates.items():
        outcomes = [o for o in report.files[bron] if o.uitkomst != VERWIJDERD]
        rejected = sum(1 for o in outcomes if o.is_rejected)
        lines.append(
            f"{bron:<16}{len(outcomes):>10}{rejected:>10}{_nl(gate.rijen):>11}{_nl(gate.geaccepteerd):>13}"
            f"{_nl(gate.quarantaine):>12}{_nl(gate.waarschuwingen):>9}"
        )
    rules = [(bron, rule) for bron, gate in report.gates.items() for rule in gate.regels]
    if rules:
        lines.append("Regels:")
        lines.extend(f"  {bron}.{rule.kolom}: {rule.regel} ({rule.ernst}): {_nl(rule.aantal)} rij(en)"
                     for bron, rule in rules)
    if report.voorbeelden:
        lines.append(f"In quarantaine (eerste {len(report.voorbeelden)}):")
        lines.extend(f"  {bron}/{bestand} rij {rij}, {kolom}: {regel}: {waarde!r}"
                     for bron, bestand, rij, kolom, regel, waarde in report.voorbeelden)
    if report.rejected_files:
        lines.append("Afgewezen of tegengehouden bestanden:")
        lines.extend(f"  {_where(o)}{o.reden} ({o.uitkomst})" for o in report.rejected_files)
    if report.warned_files:
        lines.append("Waarschuwingen:")
        lines.extend(f"  {_where(o)}{o.reden}" for o in report.warned_files)
    verdict = "alles geaccepteerd" if report.exit_code == EXIT_OK else "invoer (deels) afgewezen"
    lines.append(f"Uitkomst: {verdict}")
    return "\n".join(lines)


def _report_rejections(report: RunReport, prefix: str, err: TextIO) -> None:
    """One line on err per rejected or warned file (with its operator detail), and one for quarantined rows."""
    for outcome in [*report.rejected_files, *report.warned_files]:
        kept = " (vorige versie behouden)" if outcome.uitkomst not in (AFGEWEZEN, GENEGEERD, KOPIE) \
            and outcome.bestand != MAP else ""
        detail = f" [{outcome.detail}]" if outcome.detail else ""
        print(f"{prefix}: {_where(outcome)}{outcome.reden}{kept}{detail}", file=err)
    if report.quarantined_rows:
        print(f"{prefix}: {_nl(report.quarantined_rows)} rij(en) in quarantaine; zie de samenvatting", file=err)


def _where(outcome: FileOutcome) -> str:
    """'bron/' before a reason that starts with the file name, else 'bron: ' (nothing for a missing folder)."""
    if outcome.bestand == MAP:
        return ""
    if outcome.bron == BRONMAP:
        return "bronmap: "
    return f"{outcome.bron}/" if (outcome.reden or "").startswith(outcome.bestand) else f"{outcome.bron}: "


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


def _nl(number: int) -> str:
    """An integer with Dutch thousands separators."""
    return f"{number:,}".replace(",", ".")


def _one_line(error: BaseException) -> str:
    """First line of an exception, for an operator."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
