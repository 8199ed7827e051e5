"""The gate: validate new file versions with GX, check rules across rows in DuckDB, fill staging.

Per-row rules (the source's GX suite, built from the contract by expectations/suites.py) depend only
on a row, so their verdict is kept per file version (`gate_versies`, failing rows in
`gate_rijfouten`): a run validates with GX only the versions it has not seen under the same rules,
and Great Expectations is not even imported when there are none (when there are, the pipeline
starts the import in the background while it loads: prepare_gx). Versions are validated through
GX's SQL data source on the warehouse in two passes (failures_with_gx_sql): the whole suite with
BOOLEAN_ONLY (a few aggregate scans), then only the rules that failed with BASIC, whose
unexpected_index_query (GX's own query for the failing rows) DuckDB runs into gate_fouten: no
failing row passes through Python, so a delivery that fails whole costs no more memory than a
clean one. GX on pandas chunks of CHUNK_ROWS stays for the benchmark and the agreement test.

Rules across rows (unique key, the contract's bronregels such as plausibility against the previous
peildatum) need the other files' rows: they run in DuckDB over every counted row of the source on
each gate (etl/staging.py, source_rules_sql), which costs one narrow scan. This run's quarantine and
warnings are the kept per-row failures of the versions under check plus those.

A source whose gate inputs did not change since its last gate (same accepted files, same area
codes, same day, same contract and gate code) keeps that verdict whole: its quarantine rows are
carried over to the new run and its GX result is copied with `hergebruikt_van` set.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl.contract import FOUT, WAARSCHUWING, Bron, Drempels
from etl.faults import write_text_atomically
from etl.held_back import day_bound_columns
from etl.staging import (
    CONTROLE_BESTANDEN, ID, build_candidates, candidate_table, checked_rows_sql, drop_candidates,
    fill_staging,
    source_rules_sql, staging_table, value_text_sql,
)
from core.errors import WijkmonitorError
from core.transaction import transaction

if TYPE_CHECKING:  # imported where a version is validated: a run without new versions never loads GX
    import great_expectations as gx
    import pandas as pd
    import pyarrow as pa
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

CHUNK_ROWS = 500_000
# Validation routes: GX on pandas chunks, or GX's SQL data source on the warehouse (expectations/gx_duckdb.py).
PANDAS, SQL = "pandas", "sql"
GX_VIEW = "gate_gx_kandidaten"  # the rows the SQL route hands GX (a view of the candidates, dropped after)
SQL_ROUTE_MIN_ROWS = 0  # from this many candidate rows on, the SQL route (measured: docs/internals.md)
# The code a verdict depends on besides the data: a change here invalidates remembered verdicts.
_GATE_CODE = tuple(
    Path(module).resolve()
    for module in (__file__, Path(__file__).with_name("suites.py"), Path(__file__).with_name("gx_duckdb.py"),
                   Path(__file__).parents[1] / "etl" / "staging.py",
                   Path(__file__).parents[1] / "etl" / "contract.py", Path(__file__).parents[1] / "etl" / "reasons.py",
                   Path(__file__).parents[1] / "etl" / "held_back.py")
)
_QUARANTINE_SQL = """
CREATE TABLE IF NOT EXISTS quarantine (
    bron     VARCHAR NOT NULL,
    bestand  VARCHAR NOT NULL,
    rij      BIGINT NOT NULL,    -- 1-based data row number in the delivered file
    kolom    VARCHAR,
    regel    VARCHAR NOT NULL,
    waarde   VARCHAR,
    run_id   VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_versies (
    bron          VARCHAR NOT NULL,
    bestand       VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    vingerafdruk  VARCHAR NOT NULL,   -- sha256 of the per-row rules (contract, area codes, weight bound, code)
    vandaag       DATE NOT NULL,      -- the day the rules were applied (dates in the future, birth years)
    run_id        VARCHAR NOT NULL,   -- the run that validated the version with GX
    PRIMARY KEY (bron, bestand, sha256)
);
CREATE TABLE IF NOT EXISTS gate_rijfouten (
    bron      VARCHAR NOT NULL,
    bestand   VARCHAR NOT NULL,
    sha256    VARCHAR NOT NULL,
    rij       BIGINT NOT NULL,
    regel_nr  INTEGER NOT NULL,   -- the rule's place in the suite (order of the messages)
    kolom     VARCHAR,
    regel     VARCHAR NOT NULL,
    ernst     VARCHAR NOT NULL,
    waarde    VARCHAR
);
CREATE TABLE IF NOT EXISTS gate_verdicts (
    bron          VARCHAR PRIMARY KEY,
    vingerafdruk  VARCHAR NOT NULL,   -- sha256 of everything the verdict depends on
    run_id        VARCHAR NOT NULL    -- the run whose quarantine rows hold the verdict
);
CREATE TABLE IF NOT EXISTS waarschuwingen (
    bron     VARCHAR NOT NULL,
    bestand  VARCHAR NOT NULL,
    rij      BIGINT NOT NULL,
    kolom    VARCHAR,
    regel    VARCHAR NOT NULL,
    waarde   VARCHAR,
    run_id   VARCHAR NOT NULL
);
"""


@dataclass(frozen=True)
class RuleCount:
    """How many rows of a source broke one rule in this run."""

    kolom: str
    regel: str
    ernst: str
    aantal: int


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict on one source."""

    bron: str
    rijen: int
    geaccepteerd: int
    quarantaine: int
    waarschuwingen: int
    regels: list[RuleCount]
    hergebruikt_van: str | None = None  # run whose verdict was kept because nothing changed


def create_gate_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the quarantine and warning tables of the warehouse (if absent)."""
    con.execute(_QUARANTINE_SQL)


def gate_source(
    con: duckdb.DuckDBPyConnection,
    bron: Bron,
    run_id: str,
    vandaag: date,
    results_dir: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    drempels: Drempels = Drempels(),
) -> GateResult:
    """Validate a source's new versions, check rules across rows, record failures, replace stg_<bron>."""
    wijkcodes = _wijkcodes(con)
    fingerprint = _fingerprint(con, bron, wijkcodes, vandaag, drempels)
    earlier = con.execute(
        "SELECT run_id FROM gate_verdicts WHERE bron = ? AND vingerafdruk = ?", [bron.naam, fingerprint]
    ).fetchone()
    if earlier is not None:
        return _reuse_verdict(con, bron, earlier[0], run_id, results_dir)
    rules = _rules_fingerprint(bron, wijkcodes, drempels)
    _forget_versions(con, bron)
    chunks: list[dict] = []
    try:
        if _select_versions_to_validate(con, bron, rules, vandaag):
            chunks = _validate_versions(con, bron, rules, run_id, vandaag, drempels, progress)
        if results_dir is not None:
            _write_results(results_dir / f"{bron.naam}.json", bron, run_id, chunks, versions=_version_runs(con, bron))
        with transaction(con):
            _record_failures(con, bron, run_id)
            fill_staging(con, bron, "gate_afgekeurd")
            _remember_verdict(con, bron, fingerprint, run_id)
    finally:
        drop_candidates(con, bron)
    con.execute("DROP TABLE IF EXISTS gate_afgekeurd")
    con.execute("DROP TABLE IF EXISTS gate_bevindingen")
    return _gate_result(con, bron, run_id)


def rules_fingerprint(con: duckdb.DuckDBPyConnection, bron: Bron, drempels: Drempels) -> str:
    """sha256 of the per-row rules a source's versions are validated by (contract, area codes, weight bound, code).

    The load remembers a held-back version under it (etl/held_back.py): when it changes, the version is checked again.
    """
    return _rules_fingerprint(bron, _wijkcodes(con), drempels)


def _wijkcodes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The area codes of ref_gebieden, sorted (the known-wijk rule reads them)."""
    return sorted(row[0] for row in con.execute("SELECT DISTINCT wijkcode FROM ref_gebieden").fetchall())


def _rules_fingerprint(bron: Bron, wijkcodes: list[str], drempels: Drempels) -> str:
    """sha256 over what a version's per-row verdict depends on besides the day: contract, codes, code.

    Of the thresholds only the weight bound is a per-row rule; the others decide whole files
    (etl/deliveries.py, etl/load.py), so changing them validates no row again.
    """
    digest = hashlib.sha256()
    for part in (repr(bron), json.dumps(wijkcodes), repr(drempels.max_gewicht)):
        digest.update(part.encode("utf-8"))
    for module in _GATE_CODE:
        digest.update(module.read_bytes())
    return digest.hexdigest()


def _forget_versions(con: duckdb.DuckDBPyConnection, bron: Bron) -> None:
    """Drop kept per-row verdicts of versions neither accepted nor under check (replaced, removed, held back)."""
    gone = (
        "NOT EXISTS (SELECT 1 FROM bestanden b WHERE b.bron = v.bron AND b.bestand = v.bestand "
        "AND b.sha256 = v.sha256)"
        f" AND NOT EXISTS (SELECT 1 FROM {CONTROLE_BESTANDEN} c WHERE c.bron = v.bron AND c.bestand = v.bestand "
        "AND c.sha256 = v.sha256)"
    )
    for table in ("gate_rijfouten", "gate_versies"):
        con.execute(f"DELETE FROM {table} v WHERE v.bron = ? AND {gone}", [bron.naam])


def _select_versions_to_validate(con: duckdb.DuckDBPyConnection, bron: Bron, rules: str, vandaag: date) -> int:
    """Fill te_valideren with the versions under check whose kept per-row verdict does not hold; count them.

    A verdict holds under the same rules on the same day, and on a later day too when the version
    broke no rule on a column whose bounds move with the day (dates in the future, birth years):
    a row that passed yesterday passes today.
    """
    moving = day_bound_columns(bron)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE te_valideren AS
        SELECT c.* FROM {CONTROLE_BESTANDEN} c
        WHERE c.bron = ? AND NOT EXISTS (
            SELECT 1 FROM gate_versies v
            WHERE v.bron = c.bron AND v.bestand = c.bestand AND v.sha256 = c.sha256 AND v.vingerafdruk = ?
              AND (v.vandaag = ? OR (v.vandaag < ? AND NOT EXISTS (
                  SELECT 1 FROM gate_rijfouten f WHERE f.bron = v.bron AND f.bestand = v.bestand
                  AND f.sha256 = v.sha256 AND list_contains(?::VARCHAR[], f.kolom))))
        )
        """,
        [bron.naam, rules, vandaag, vandaag, moving],
    )
    return con.execute("SELECT count(*) FROM te_valideren").fetchone()[0]


def _validate_versions(
    con: duckdb.DuckDBPyConnection, bron: Bron, rules: str, run_id: str, vandaag: date,
    drempels: Drempels, progress: Callable[[str], None],
) -> list[dict]:
    """Run the source's GX suite over the versions in te_valideren; keep their failing rows; return GX results.

    Leaves the candidate view of those versions; gate_source drops it.
    """
    _context()  # first, so GX is imported once, here or by prepare_gx's thread (which this waits for)
    from expectations.suites import build_suite

    suite = build_suite(bron, vandaag, drempels.max_gewicht)
    # A view of the warehouse: the SQL route reads the candidates through its own cursor.
    rows = build_candidates(con, bron, "te_valideren")
    route = choose_route(rows)
    results = _validate_candidates(con, bron, suite, rows, route, progress)
    with transaction(con):
        _keep_version_failures(con, bron, suite)
        con.execute(
            "DELETE FROM gate_versies v WHERE EXISTS (SELECT 1 FROM te_valideren t WHERE t.bron = v.bron "
            "AND t.bestand = v.bestand AND t.sha256 = v.sha256)"
        )
        con.execute("INSERT INTO gate_versies SELECT bron, bestand, sha256, ?, ?, ? FROM te_valideren",
                    [rules, vandaag, run_id])
    return results


def _validate_candidates(
    con: duckdb.DuckDBPyConnection, bron: Bron, suite: gx.ExpectationSuite, rows: int, route: str,
    progress: Callable[[str], None],
) -> list[dict]:
    """The suite over the candidate table by the given route: GX results; failing rows in gate_fouten."""
    query = f"SELECT {_frame_columns(bron, suite)} FROM {candidate_table(bron)}"
    if route == SQL:
        return failures_with_gx_sql(con, query, suite, rows)
    return failures_with_gx_pandas(con, query, suite, rows, lambda first, last: progress(
        f"{bron.naam}: controle rijen {_nl(first)}..{_nl(last)} van {_nl(rows)}"))


def choose_route(rows: int) -> str:
    """The validation route for a number of candidate rows (chosen by measurement, docs/internals.md)."""
    return SQL if rows >= SQL_ROUTE_MIN_ROWS else PANDAS


def failures_with_gx_pandas(
    con: duckdb.DuckDBPyConnection, query: str, suite: gx.ExpectationSuite, rows: int,
    progress: Callable[[int, int], None] = lambda first, last: None,
) -> list[dict]:
    """The suite through GX on pandas frames of CHUNK_ROWS rows of query (with _id): GX results.

    The failing (_id, rule number) pairs go to the temp table gate_fouten, as by the SQL route.
    """
    import pyarrow as pa

    failures: list[tuple[int, int]] = []
    results: list[dict] = []
    checked = 0
    for chunk in _chunks(con, query, CHUNK_ROWS):
        if rows > CHUNK_ROWS:
            progress(checked + 1, checked + chunk.num_rows)
        checked += chunk.num_rows
        frame = _comparable_numbers(duckdb.from_arrow(chunk).df()).set_index(ID)
        result = _validate(suite, frame)
        results.append(result.to_json_dict())
        failures.extend(_failures(suite, result))
    _create_failure_table(con)  # after the scan: con cannot write while its result is open
    found = pa.table({"fail_id": pa.array([row for row, _ in failures], pa.int64()),
                      "regel_nr": pa.array([number for _, number in failures], pa.int64())})
    con.execute("INSERT INTO gate_fouten SELECT fail_id, regel_nr FROM found")
    return results


def failures_with_gx_sql(
    con: duckdb.DuckDBPyConnection, query: str, suite: gx.ExpectationSuite, rows: int
) -> list[dict]:
    """The suite through GX's SQL data source over query (with _id; its tables committed, not TEMP): GX results.

    Two GX passes over one batch: the whole suite with result format BOOLEAN_ONLY, for which GX
    asks only counts and bundles them into a few aggregate scans; then, only when rules failed,
    those rules again with BASIC, which gives each one's unexpected_count and GX's own query for its
    failing rows (unexpected_index_query) without fetching them. DuckDB runs those queries into the
    temp table gate_fouten (failing _id, rule number), so however many rows fail, none of them passes
    through Python: memory stays bounded when a whole delivery fails (a wrong area table, a shifted
    column). A rule whose query finds another number of rows than GX counted cannot be applied and
    stops the step. A clean delivery costs the first pass only. The kept result is the first pass
    with the failed rules' BASIC results (counts, the first values, the query) in their place.
    """
    import great_expectations as gx

    from expectations import gx_duckdb

    _create_failure_table(con)
    # A view, not a query asset: GX writes a query asset into its failing-row queries without parentheses.
    con.execute(f"CREATE OR REPLACE VIEW {GX_VIEW} AS {query}")
    source, cursor = gx_duckdb.sql_source(_context(), "warehouse", con)
    try:
        batch = source.add_table_asset(name="kandidaten", table_name=GX_VIEW).add_batch_definition_whole_table(
            "alles").get_batch()
        result = _checked(suite, batch.validate(suite, result_format="BOOLEAN_ONLY"), with_rows=False)
        passed = {_rule_key(r.expectation_config.meta): r.success for r in result.results}
        failed = [e for e in suite.expectations if not passed.get(_rule_key(e.meta), False)]
        if failed:
            details = _checked(suite, batch.validate(
                gx.ExpectationSuite(name=suite.name, expectations=[e.configuration for e in failed]),
                result_format={"result_format": "BASIC", "unexpected_index_column_names": [ID],
                               "return_unexpected_index_query": True},
            ), with_rows=False)
            basic = {_rule_key(r.expectation_config.meta): r for r in details.results}
            numbers = {_rule_key(e.meta): number for number, e in enumerate(suite.expectations)}
            for expectation in failed:
                key = _rule_key(expectation.meta)
                if key not in basic:  # a rule without a result would let its rows pass unchecked
                    _not_evaluated(suite, expectation.meta, "geen uitkomst")
                _insert_failing_rows(con, suite, expectation, basic[key], numbers[key])
            result.results = [basic.pop(_rule_key(r.expectation_config.meta), r) for r in result.results]
            result.results.extend(basic.values())
    finally:
        gx_duckdb.close(source, cursor)
        con.execute(f"DROP VIEW IF EXISTS {GX_VIEW}")
    return [result.to_json_dict()]


def _create_failure_table(con: duckdb.DuckDBPyConnection) -> None:
    """The temp table of a validation's failing rows: candidate _id and the rule's number in the suite."""
    con.execute("CREATE OR REPLACE TEMP TABLE gate_fouten (fail_id BIGINT NOT NULL, regel_nr BIGINT NOT NULL)")


def found_failures(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """The (candidate _id, rule number) pairs of the last validation on con, sorted (benchmark and tests)."""
    return con.execute("SELECT fail_id, regel_nr FROM gate_fouten ORDER BY ALL").fetchall()


def _insert_failing_rows(
    con: duckdb.DuckDBPyConnection, suite: gx.ExpectationSuite, expectation, result, number: int
) -> None:
    """Run GX's query for one failed rule's rows into gate_fouten; every row GX counted must be there."""
    from expectations import gx_duckdb

    query = result.result.get("unexpected_index_query")
    counted = result.result.get("unexpected_count")
    if not isinstance(query, str) or counted is None:
        _not_evaluated(suite, expectation.meta, "niet elke afwijkende rij teruggegeven")
    try:
        rows = gx_duckdb.failing_rows_query(query, expectation.row_condition, GX_VIEW, ID)
    except ValueError as error:
        _not_evaluated(suite, expectation.meta, str(error))
    before = con.execute("SELECT count(*) FROM gate_fouten").fetchone()[0]
    con.execute(f"INSERT INTO gate_fouten SELECT {ID}, {number} FROM ({rows})")
    found = con.execute("SELECT count(*) FROM gate_fouten").fetchone()[0] - before
    if found != counted:
        _not_evaluated(suite, expectation.meta, "niet elke afwijkende rij teruggegeven")


def _not_evaluated(suite: gx.ExpectationSuite, meta: dict, reason: str) -> None:
    """Stop the step: a rule that cannot be applied would let rows pass unchecked."""
    raise WijkmonitorError(f"controle '{meta.get('regel')}' op {suite.name}.{meta.get('kolom')} mislukt: {reason}")


def _version_runs(con: duckdb.DuckDBPyConnection, bron: Bron) -> list[dict[str, str]]:
    """Per version under check, the run whose GX result holds its per-row verdict."""
    rows = con.execute(
        f"SELECT c.bestand, c.sha256, v.run_id FROM {CONTROLE_BESTANDEN} c JOIN gate_versies v "
        "ON v.bron = c.bron AND v.bestand = c.bestand AND v.sha256 = c.sha256 WHERE c.bron = ? ORDER BY c.bestand",
        [bron.naam],
    ).fetchall()
    return [{"bestand": bestand, "sha256": sha256, "gevalideerd_in": run} for bestand, sha256, run in rows]


def _chunks(con: duckdb.DuckDBPyConnection, query: str, size: int) -> Iterator[pa.Table]:
    """The query's rows in tables of about `size` rows, read in one streaming scan.

    Always at least one (possibly empty) table, so an empty source is still validated.
    """
    import pyarrow as pa

    with warnings.catch_warnings():
        # DuckDB notes that a DB-API result copies each batch once; that copy is the chunk we need.
        warnings.simplefilter("ignore", UserWarning)
        reader = con.execute(query).to_arrow_reader(size)
    batches: list[pa.RecordBatch] = []
    rows = yielded = 0
    for batch in reader:
        batches.append(batch)
        rows += batch.num_rows
        if rows >= size:
            yield pa.Table.from_batches(batches)
            batches, rows, yielded = [], 0, yielded + 1
    if batches or not yielded:
        yield pa.Table.from_batches(batches, schema=reader.schema)


def _gate_result(
    con: duckdb.DuckDBPyConnection, bron: Bron, run_id: str, reused_from: str | None = None
) -> GateResult:
    """The verdict of this run on a source, read back from raw, staging and the failure tables."""
    delivered = con.execute(f"SELECT count(*) FROM ({checked_rows_sql(bron)})").fetchone()[0]
    accepted = con.execute(f"SELECT count(*) FROM {staging_table(bron)}").fetchone()[0]
    return GateResult(
        bron.naam,
        delivered,
        accepted,
        _distinct_rows(con, "quarantine", bron, run_id),
        _distinct_rows(con, "waarschuwingen", bron, run_id),
        _rule_counts(con, bron, run_id),
        reused_from,
    )


def _fingerprint(
    con: duckdb.DuckDBPyConnection, bron: Bron, wijkcodes: list[str], vandaag: date, drempels: Drempels
) -> str:
    """sha256 over the files under check, area codes, day, thresholds, contract and gate code of a verdict."""
    files = con.execute(
        f"SELECT bestand, sha256, notatie FROM {CONTROLE_BESTANDEN} WHERE bron = ? ORDER BY bestand", [bron.naam]
    ).fetchall()
    digest = hashlib.sha256()
    for part in (repr(bron), json.dumps(files), json.dumps(wijkcodes), vandaag.isoformat(), repr(drempels)):
        digest.update(part.encode("utf-8"))
    for module in _GATE_CODE:
        digest.update(module.read_bytes())
    return digest.hexdigest()


def _remember_verdict(con: duckdb.DuckDBPyConnection, bron: Bron, fingerprint: str, run_id: str) -> None:
    """Record which run holds the verdict for this fingerprint of a source."""
    con.execute("DELETE FROM gate_verdicts WHERE bron = ?", [bron.naam])
    con.execute("INSERT INTO gate_verdicts VALUES (?, ?, ?)", [bron.naam, fingerprint, run_id])


def _reuse_verdict(
    con: duckdb.DuckDBPyConnection, bron: Bron, earlier_run: str, run_id: str, results_dir: Path | None
) -> GateResult:
    """Carry an unchanged source's verdict (quarantine, warnings, GX result) over to this run."""
    # The GX result first: the verdict may only point at this run once its result file exists.
    if results_dir is not None:
        earlier_file = results_dir.parent / earlier_run / f"{bron.naam}.json"
        document = json.loads(earlier_file.read_text(encoding="utf-8")) if earlier_file.exists() else {}
        chunks = document.get("chunks", [])
        origin = document.get("hergebruikt_van") or earlier_run
        _write_results(results_dir / f"{bron.naam}.json", bron, run_id, chunks, origin, document.get("versies"))
    with transaction(con):
        for table in ("quarantine", "waarschuwingen"):
            con.execute(
                f"INSERT INTO {table} SELECT bron, bestand, rij, kolom, regel, waarde, ? FROM {table} "
                "WHERE bron = ? AND run_id = ?",
                [run_id, bron.naam, earlier_run],
            )
        con.execute("UPDATE gate_verdicts SET run_id = ? WHERE bron = ?", [run_id, bron.naam])
    return _gate_result(con, bron, run_id, earlier_run)


def _frame_columns(bron: Bron, suite: gx.ExpectationSuite) -> str:
    """SQL select list of the columns the suite reads (dates as YYYYMMDD numbers, flags), plus _id."""
    from expectations.suites import flag_sql

    dates = {kolom.naam for kolom in bron.kolommen if kolom.type == "datum"}
    needed = list(dict.fromkeys(expectation.column for expectation in suite.expectations))
    selected = [
        # Arithmetic, not strftime: every metric query evaluates it again.
        f'CAST(year("{name}") * 10000 + month("{name}") * 100 + day("{name}") AS INTEGER) AS "{name}"'
        if name in dates else f'{flag_sql(name)} AS "{name}"' if flag_sql(name) else f'"{name}"'
        for name in needed
    ]
    return ", ".join([ID, *selected])


def _comparable_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn int32 and nullable-integer columns into float64 (NULL -> NaN), in place; return frame.

    GX's pandas range check is vectorised only for int64/float64 columns; for any other integer
    dtype (DuckDB gives Int64/Int32 for columns with NULLs, int32 for YYYYMMDD dates) it calls a
    Python function per value, which was the largest single cost of the gate. Integers up to 2**53
    (dates, counts, years, Likert scores) are exact in float64, so the verdict does not change.
    """
    import numpy as np
    import pandas as pd

    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_integer_dtype(dtype) and dtype != np.int64:
            frame[name] = frame[name].astype("float64")
    return frame


_context_lock = threading.Lock()
_gx_context: list = []  # the one GX context of this process, once made
_gx_import: list[threading.Thread] = []  # the background import, once started


def prepare_gx() -> None:
    """Start importing Great Expectations and making its context in a background thread (once).

    The pipeline calls this as soon as a source has new versions, so the import (seconds: the
    expectations registry, scipy) overlaps loading the other sources; DuckDB releases the GIL
    while it reads. A run with nothing new never calls it, and never imports GX.
    """
    if _gx_context or _gx_import:
        return
    # A failure there is raised again where the gate itself needs the context.
    _gx_import.append(threading.Thread(target=lambda: _quietly(_context), name="gx-import", daemon=True))
    _gx_import[0].start()


def _quietly(function: Callable[[], object]) -> None:
    """Call function; drop its exception (the caller on the main thread meets it again)."""
    try:
        function()
    except Exception:  # noqa: BLE001
        pass


def _context() -> gx.data_context.AbstractDataContext:
    """One ephemeral GX context per process, without progress bars or analytics (waits for prepare_gx)."""
    with _context_lock:
        if not _gx_context:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
            from expectations.gx_import import defer_unused

            defer_unused()  # before GX: a third of its import is modules the gate never uses
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            from expectations import gx_duckdb, suites  # noqa: F401 - imported here so the thread does it

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            _gx_context.append(context)
        return _gx_context[0]


def _validate(suite: gx.ExpectationSuite, frame) -> ExpectationSuiteValidationResult:
    """Run a suite over one pandas frame; a rule that cannot be evaluated is a step failure."""
    import great_expectations as gx

    context = _context()
    source = context.data_sources.add_or_update_pandas(name="kandidaten")
    asset = source.get_asset("rijen") if "rijen" in source.get_asset_names() else source.add_dataframe_asset("rijen")
    batch = (
        asset.get_batch_definition("alles")
        if "alles" in [definition.name for definition in asset.batch_definitions]
        else asset.add_batch_definition_whole_dataframe("alles")
    )
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"poort_{suite.name}", data=batch, suite=suite)
    )
    return _checked(suite, definition.run(
        batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE"}
    ))


def _checked(
    suite: gx.ExpectationSuite, result: ExpectationSuiteValidationResult, with_rows: bool = True
) -> ExpectationSuiteValidationResult:
    """The result, unless a rule could not be evaluated (a step failure, raised in Dutch).

    With with_rows (a COMPLETE result), a rule that failed without naming every failing row cannot
    be applied (a row would pass unchecked), so it counts as not evaluated too: GX's SQL engine
    without gx_duckdb's fix does that.
    """
    broken = [
        r for r in result.results if (r.exception_info and r.exception_info.get("raised_exception"))
        or (with_rows and not r.success
            and len(r.result.get("unexpected_index_list") or []) != r.result.get("unexpected_count"))
    ]
    if broken:
        message = str((broken[0].exception_info or {}).get("exception_message")
                      or "niet elke afwijkende rij teruggegeven").splitlines()[:1]
        _not_evaluated(suite, broken[0].expectation_config.meta, " ".join(message))
    return result


def _failures(
    suite: gx.ExpectationSuite, result: ExpectationSuiteValidationResult
) -> list[tuple[int, int]]:
    """(candidate _id, rule number in the suite) for every row an expectation found unexpected."""
    # Results do not come back in suite order: match them to the suite by their meta.
    numbers = {_rule_key(expectation.meta): number for number, expectation in enumerate(suite.expectations)}
    found: list[tuple[int, int]] = []
    for expectation_result in result.results:
        number = numbers[_rule_key(expectation_result.expectation_config.meta)]
        for index in expectation_result.result.get("unexpected_index_list") or []:
            # A named frame index comes back as {index name: value, column: value}.
            row_id = index[ID] if isinstance(index, dict) else index
            found.append((int(row_id), number))
    return found


def _rule_key(meta: dict) -> tuple[str, str]:
    """What identifies a rule of a suite: its column and its Dutch text."""
    return (str(meta["kolom"]), str(meta["regel"]))


def _keep_version_failures(con: duckdb.DuckDBPyConnection, bron: Bron, suite: gx.ExpectationSuite) -> None:
    """Keep the rows GX found failing (gate_fouten) per version (gate_rijfouten), with rule and delivered value."""
    import pyarrow as pa

    metas = [expectation.meta for expectation in suite.expectations]
    rules = pa.table(
        {
            "regel_nr": pa.array(range(len(metas)), pa.int64()),
            "kolom": [meta["kolom"] for meta in metas],
            "regel": [meta["regel"] for meta in metas],
            "ernst": [meta["ernst"] for meta in metas],
        }
    )
    value = "CASE r.regel_nr " + " ".join(
        f"WHEN {number} THEN {value_text_sql(meta['waarde'])}" for number, meta in enumerate(metas)
    ) + " END"
    con.register("gate_regels", rules)
    try:
        con.execute(
            "DELETE FROM gate_rijfouten f WHERE EXISTS (SELECT 1 FROM te_valideren t WHERE t.bron = f.bron "
            "AND t.bestand = f.bestand AND t.sha256 = f.sha256)"
        )
        con.execute(
            f"""
            INSERT INTO gate_rijfouten
            SELECT ?, k._bestand, k._sha256, k._rij, r.regel_nr, r.kolom, r.regel, r.ernst, {value}
            FROM gate_fouten f
            JOIN gate_regels r USING (regel_nr)
            JOIN {candidate_table(bron)} k ON k.{ID} = f.fail_id
            """,
            [bron.naam],
        )
    finally:
        con.unregister("gate_regels")
        con.execute("DROP TABLE IF EXISTS gate_fouten")


# Rules across rows come after the suite's rules in a row's messages.
_SOURCE_RULE_NR = 1_000_000


def _record_failures(con: duckdb.DuckDBPyConnection, bron: Bron, run_id: str) -> None:
    """Write this run's quarantine and warnings of a source, and the rejected rows (gate_afgekeurd).

    The kept per-row failures of the versions under check, plus the rules across rows.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE gate_bevindingen AS
        SELECT f.bestand AS _bestand, f.rij AS _rij, f.regel_nr, f.kolom, f.regel, f.ernst, f.waarde
        FROM gate_rijfouten f
        JOIN {CONTROLE_BESTANDEN} c ON c.bron = f.bron AND c.bestand = f.bestand AND c.sha256 = f.sha256
        WHERE f.bron = ?
        UNION ALL
        SELECT _bestand, _rij, {_SOURCE_RULE_NR}, kolom, regel, ernst, waarde FROM ({source_rules_sql(bron)})
        """,
        [bron.naam],
    )
    for table, ernst in (("quarantine", FOUT), ("waarschuwingen", WAARSCHUWING)):
        con.execute(f"DELETE FROM {table} WHERE bron = ? AND run_id = ?", [bron.naam, run_id])
        con.execute(
            f"INSERT INTO {table} SELECT ?, _bestand, _rij, kolom, regel, waarde, ? FROM gate_bevindingen "
            "WHERE ernst = ? ORDER BY _bestand, _rij, regel_nr, regel",
            [bron.naam, run_id, ernst],
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gate_afgekeurd AS SELECT DISTINCT _bestand, _rij FROM gate_bevindingen "
        "WHERE ernst = ?",
        [FOUT],
    )


def _rule_counts(con: duckdb.DuckDBPyConnection, bron: Bron, run_id: str) -> list[RuleCount]:
    """Rows per broken rule of this run, errors and warnings."""
    rows = con.execute(
        """
        SELECT kolom, regel, ?, count(*) FROM quarantine WHERE bron = ? AND run_id = ? GROUP BY ALL
        UNION ALL
        SELECT kolom, regel, ?, count(*) FROM waarschuwingen WHERE bron = ? AND run_id = ? GROUP BY ALL
        ORDER BY 1, 2
        """,
        [FOUT, bron.naam, run_id, WAARSCHUWING, bron.naam, run_id],
    ).fetchall()
    return [RuleCount(kolom, regel, ernst, aantal) for kolom, regel, ernst, aantal in rows]


def _distinct_rows(con: duckdb.DuckDBPyConnection, table: str, bron: Bron, run_id: str) -> int:
    """Distinct delivered rows of a source in a failure table for this run."""
    return con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT bestand, rij FROM {table} WHERE bron = ? AND run_id = ?)",
        [bron.naam, run_id],
    ).fetchone()[0]


def _nl(number: int) -> str:
    """An integer with Dutch thousands separators."""
    return f"{number:,}".replace(",", ".")


def _write_results(
    path: Path, bron: Bron, run_id: str, results: list[dict], reused_from: str | None = None,
    versions: list[dict[str, str]] | None = None,
) -> None:
    """Keep the GX validation results of this run as JSON (reused_from: run that validated them).

    chunks: GX results of the versions validated in this run; versies: every version under check
    with the run whose result holds its verdict.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"bron": bron.naam, "run_id": run_id, "hergebruikt_van": reused_from, "chunks": results,
                "versies": versions or []}
    write_text_atomically(path, json.dumps(document, indent=1, default=str))
