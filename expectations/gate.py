"""The gate: run each source's suite over its typed candidate rows, quarantine failing rows, fill staging.

GX 1.x has no DuckDB data source, so candidates are validated as pandas DataFrames, in chunks of
CHUNK_ROWS so memory stays bounded; rules that need other rows (unique keys, growth since the
previous peildatum) are precomputed per row by etl/staging.py. The frame index is the candidate
`_id`, so GX's unexpected_index_list names the failing rows directly.

A source whose gate inputs did not change since its last validation (same accepted files, same
area codes, same day, same contract and gate code) keeps that verdict: its quarantine rows are
carried over to the new run and its GX result is copied with `hergebruikt_van` set. This makes a
re-run after one changed file cost one source's validation instead of six.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import duckdb
import great_expectations as gx
import numpy as np
import pandas as pd
import pyarrow as pa
from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
from great_expectations.data_context.types.base import ProgressBarsConfig

from etl.contract import Bron, Drempels
from etl.faults import write_text_atomically
from etl.reasons import VALUE_CHARS
from etl.staging import (
    CONTROLE_BESTANDEN, ID, TEKST, build_candidates, candidate_table, checked_rows_sql, fill_staging, staging_table,
)
from expectations.suites import FOUT, PARSE_RULES, WAARSCHUWING, build_suite
from core.errors import WijkmonitorError

CHUNK_ROWS = 500_000
# The code a verdict depends on besides the data: a change here invalidates remembered verdicts.
_GATE_CODE = tuple(
    Path(module).resolve()
    for module in (__file__, Path(__file__).with_name("suites.py"), Path(__file__).parents[1] / "etl" / "staging.py",
                   Path(__file__).parents[1] / "etl" / "contract.py", Path(__file__).parents[1] / "etl" / "reasons.py")
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
    """Validate a source's rows under check, quarantine failures, and replace stg_<bron> with the rest."""
    wijkcodes = sorted(row[0] for row in con.execute("SELECT DISTINCT wijkcode FROM ref_gebieden").fetchall())
    fingerprint = _fingerprint(con, bron, wijkcodes, vandaag, drempels)
    earlier = con.execute(
        "SELECT run_id FROM gate_verdicts WHERE bron = ? AND vingerafdruk = ?", [bron.naam, fingerprint]
    ).fetchone()
    if earlier is not None:
        return _reuse_verdict(con, bron, earlier[0], run_id, results_dir)
    suite = build_suite(bron, wijkcodes, vandaag, drempels.max_gewicht)
    rows = build_candidates(con, bron)
    columns = _frame_columns(bron, suite)
    failures: list[tuple[int, int]] = []  # (candidate _id, rule number)
    results: list[dict] = []
    checked = 0
    for chunk in _chunks(con, f"SELECT {columns} FROM {candidate_table(bron)}", CHUNK_ROWS):
        if rows > CHUNK_ROWS:
            progress(f"{bron.naam}: controle rijen {_nl(checked + 1)}..{_nl(checked + chunk.num_rows)} van {_nl(rows)}")
        checked += chunk.num_rows
        frame = _comparable_numbers(duckdb.from_arrow(chunk).df()).set_index(ID)
        result = _validate(suite, frame)
        results.append(result.to_json_dict())
        failures.extend(_failures(suite, result))
    if results_dir is not None:
        _write_results(results_dir / f"{bron.naam}.json", bron, run_id, results)
    con.execute("BEGIN TRANSACTION")
    try:
        _record_failures(con, bron, suite, failures, run_id)
        fill_staging(con, bron, "gate_afgekeurd")
        _remember_verdict(con, bron, fingerprint, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute(f"DROP TABLE IF EXISTS {candidate_table(bron)}")
    con.execute("DROP TABLE IF EXISTS gate_afgekeurd")
    return _gate_result(con, bron, run_id)


def _chunks(con: duckdb.DuckDBPyConnection, query: str, size: int) -> Iterator[pa.Table]:
    """The query's rows in tables of about `size` rows, read in one streaming scan.

    Always at least one (possibly empty) table, so an empty source is still validated.
    """
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
        _write_results(results_dir / f"{bron.naam}.json", bron, run_id, chunks, origin)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("quarantine", "waarschuwingen"):
            con.execute(
                f"INSERT INTO {table} SELECT bron, bestand, rij, kolom, regel, waarde, ? FROM {table} "
                "WHERE bron = ? AND run_id = ?",
                [run_id, bron.naam, earlier_run],
            )
        con.execute("UPDATE gate_verdicts SET run_id = ? WHERE bron = ?", [run_id, bron.naam])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return _gate_result(con, bron, run_id, earlier_run)


def _frame_columns(bron: Bron, suite: gx.ExpectationSuite) -> str:
    """SQL select list of the columns the suite reads (dates as YYYYMMDD numbers), plus _id."""
    dates = {kolom.naam for kolom in bron.kolommen if kolom.type == "datum"}
    # Parse rules filter on the delivered text (row_condition), so parsed columns bring theirs.
    needed = [f"{kolom.naam}{TEKST}" for kolom in bron.kolommen if kolom.type in PARSE_RULES]
    for expectation in suite.expectations:
        for key in ("column", "column_A", "column_B"):
            name = getattr(expectation, key, None)
            if name and name not in needed:
                needed.append(name)
    selected = [
        f'CAST(strftime("{name}", \'%Y%m%d\') AS INTEGER) AS "{name}"' if name in dates else f'"{name}"'
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
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_integer_dtype(dtype) and dtype != np.int64:
            frame[name] = frame[name].astype("float64")
    return frame


@lru_cache(maxsize=1)
def _context() -> gx.data_context.AbstractDataContext:
    """One ephemeral GX context per process, without progress bars or analytics."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _validate(suite: gx.ExpectationSuite, frame) -> ExpectationSuiteValidationResult:
    """Run a suite over one pandas frame; a rule that cannot be evaluated is a step failure."""
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
    result = definition.run(
        batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE"}
    )
    broken = [
        r for r in result.results if r.exception_info and r.exception_info.get("raised_exception")
    ]
    if broken:
        meta = broken[0].expectation_config.meta
        message = str(broken[0].exception_info.get("exception_message", "")).splitlines()[:1]
        raise WijkmonitorError(
            f"controle '{meta.get('regel')}' op {suite.name}.{meta.get('kolom')} mislukt: {' '.join(message)}"
        )
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


def _record_failures(
    con: duckdb.DuckDBPyConnection,
    bron: Bron,
    suite: gx.ExpectationSuite,
    failures: list[tuple[int, int]],
    run_id: str,
) -> None:
    """Write failures to quarantine (fout) or waarschuwingen, and collect the rejected _ids."""
    metas = [expectation.meta for expectation in suite.expectations]
    failing = pa.table(
        {
            "fail_id": pa.array([row for row, _ in failures], pa.int64()),
            "regel_nr": pa.array([number for _, number in failures], pa.int64()),
        }
    )
    rules = pa.table(
        {
            "regel_nr": pa.array(range(len(metas)), pa.int64()),
            "kolom": [meta["kolom"] for meta in metas],
            "regel": [meta["regel"] for meta in metas],
            "ernst": [meta["ernst"] for meta in metas],
        }
    )
    value = "CASE r.regel_nr " + " ".join(
        f"WHEN {number} THEN {_value_expression(meta['waarde'])}" for number, meta in enumerate(metas)
    ) + " END"
    con.register("gate_fouten", failing)
    con.register("gate_regels", rules)
    try:
        for table, ernst in (("quarantine", FOUT), ("waarschuwingen", WAARSCHUWING)):
            con.execute(
                f"""
                INSERT INTO {table}
                SELECT ?, k._bestand, k._rij, r.kolom, r.regel, {value}, ?
                FROM gate_fouten f
                JOIN gate_regels r USING (regel_nr)
                JOIN {candidate_table(bron)} k ON k.{ID} = f.fail_id
                WHERE r.ernst = ?
                ORDER BY k.{ID}, r.regel_nr
                """,
                [bron.naam, run_id, ernst],
            )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE gate_afgekeurd AS
            SELECT DISTINCT f.fail_id AS {ID}
            FROM gate_fouten f JOIN gate_regels r USING (regel_nr)
            WHERE r.ernst = ?
            """,
            [FOUT],
        )
    finally:
        con.unregister("gate_fouten")
        con.unregister("gate_regels")


def _value_expression(columns: list[str]) -> str:
    """SQL for the delivered text of the columns a failure is about, joined with ', ', at most VALUE_CHARS long."""
    texts = [f'coalesce(k."{name}{TEKST}", \'\')' for name in columns]
    joined = texts[0] if len(texts) == 1 else "concat_ws(', ', " + ", ".join(texts) + ")"
    return f"CASE WHEN length({joined}) > {VALUE_CHARS} THEN left({joined}, {VALUE_CHARS}) || '…' ELSE {joined} END"


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
    path: Path, bron: Bron, run_id: str, results: list[dict], reused_from: str | None = None
) -> None:
    """Keep the GX validation results of this run as JSON (reused_from: run that validated them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"bron": bron.naam, "run_id": run_id, "hergebruikt_van": reused_from, "chunks": results}
    write_text_atomically(path, json.dumps(document, indent=1, default=str))
