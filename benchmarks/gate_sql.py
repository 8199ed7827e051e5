"""Measure the gate's GX route against the same suite evaluated as SQL inside DuckDB.

The issue asks to measure "validating DataFrames versus pushing checks into DuckDB". This module
translates each expectation of a source's suite (the four kinds expectations/suites.py uses) into
a SQL predicate that is true for a failing row, runs them over the candidate table, and checks the
failing (_id, rule number) pairs are exactly those GX finds. It is a measurement, not the gate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import duckdb
import great_expectations as gx
from great_expectations.expectations.row_conditions import NullityCondition

from etl.contract import Bron
from etl.load import check_set, create_check_table
from etl.staging import ID, build_candidates, candidate_table
from expectations import gate
from expectations.suites import build_suite


@dataclass(frozen=True)
class GateTiming:
    """One source: rows, seconds for the GX route and the SQL route, and whether they agree."""

    bron: str
    rows: int
    gx_seconds: float
    sql_seconds: float
    failures: int
    same_failures: bool


def failing_rows_sql(expectation) -> str:
    """A SQL condition that is true exactly for the rows this expectation reports as unexpected."""
    kind = expectation.expectation_type
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        if expectation.ignore_row_if != "either_value_is_missing":
            raise ValueError(f"ignore_row_if {expectation.ignore_row_if!r} not translated")
        a, b = _name(expectation.column_A), _name(expectation.column_B)
        operator = ">=" if expectation.or_equal else ">"
        return f"{a} IS NOT NULL AND {b} IS NOT NULL AND NOT ({a} {operator} {b})"
    column = _name(expectation.column)
    if kind == "expect_column_values_to_not_be_null":
        failing = f"{column} IS NULL"
    elif kind == "expect_column_values_to_be_in_set":
        values = ", ".join(_literal(value) for value in expectation.value_set)
        failing = f"{column} IS NOT NULL AND {column} NOT IN ({values})"
    elif kind == "expect_column_values_to_be_between":
        bounds = []
        if expectation.min_value is not None:
            bounds.append(f"{column} {'>' if expectation.strict_min else '>='} {_literal(expectation.min_value)}")
        if expectation.max_value is not None:
            bounds.append(f"{column} {'<' if expectation.strict_max else '<='} {_literal(expectation.max_value)}")
        failing = f"{column} IS NOT NULL AND NOT ({' AND '.join(bounds)})"
    elif kind == "expect_column_value_lengths_to_be_between":
        bounds = []
        if expectation.min_value is not None:
            bounds.append(f"length({column}) >= {_literal(expectation.min_value)}")
        if expectation.max_value is not None:
            bounds.append(f"length({column}) <= {_literal(expectation.max_value)}")
        failing = f"{column} IS NOT NULL AND NOT ({' AND '.join(bounds)})"
    else:
        raise ValueError(f"expectation {kind} not translated")
    return f"({failing}) AND ({_condition(expectation.row_condition)})"


def failures_in_duckdb(con: duckdb.DuckDBPyConnection, relation: str, suite: gx.ExpectationSuite) -> list[tuple[int, int]]:
    """(row _id, rule number in the suite) for every failing row, in one pass per rule."""
    parts = [
        f"SELECT {ID}, {number} FROM {relation} WHERE {failing_rows_sql(expectation)}"
        for number, expectation in enumerate(suite.expectations)
    ]
    return [tuple(row) for row in con.execute(" UNION ALL ".join(parts)).fetchall()]


def failures_with_gx(con: duckdb.DuckDBPyConnection, bron: Bron, suite: gx.ExpectationSuite,
                     rows: int) -> list[tuple[int, int]]:
    """What gate_source does for the versions it validates: chunked frames through GX, failing (_id, rule)."""
    columns = gate._frame_columns(bron, suite)
    found: list[tuple[int, int]] = []
    for start in range(0, max(rows, 1), gate.CHUNK_ROWS):
        frame = gate._comparable_numbers(con.execute(
            f"SELECT {columns} FROM {candidate_table(bron)} WHERE {ID} > ? AND {ID} <= ? ORDER BY {ID}",
            [start, start + gate.CHUNK_ROWS],
        ).df()).set_index(ID)
        found.extend(gate._failures(suite, gate._validate(suite, frame)))
    return found


def time_source(con: duckdb.DuckDBPyConnection, bron: Bron, vandaag: date) -> GateTiming:
    """Build one source's candidates (every accepted version, as a run from scratch), then time both routes."""
    wijkcodes = [row[0] for row in con.execute("SELECT DISTINCT wijkcode FROM ref_gebieden").fetchall()]
    suite = build_suite(bron, wijkcodes, vandaag)
    create_check_table(con)
    check_set(con, bron, [])  # the accepted files, as the gate checks them
    rows = build_candidates(con, bron)
    try:
        started = time.perf_counter()
        by_gx = failures_with_gx(con, bron, suite, rows)
        gx_seconds = time.perf_counter() - started
        started = time.perf_counter()
        # The same columns GX sees (dates as YYYYMMDD numbers), so the same thresholds apply.
        relation = f"(SELECT {gate._frame_columns(bron, suite)} FROM {candidate_table(bron)})"
        by_sql = failures_in_duckdb(con, relation, suite)
        sql_seconds = time.perf_counter() - started
    finally:
        con.execute(f"DROP TABLE IF EXISTS {candidate_table(bron)}")
    return GateTiming(bron.naam, rows, gx_seconds, sql_seconds, len(by_gx), sorted(by_gx) == sorted(by_sql))


def _condition(condition) -> str:
    """SQL for a GX row condition (the gate uses only IS [NOT] NULL)."""
    if condition is None:
        return "TRUE"
    if isinstance(condition, NullityCondition):
        return f"{_name(condition.column.name)} IS {'' if condition.is_null else 'NOT '}NULL"
    raise ValueError(f"row condition {condition!r} not translated")


def _name(column: str) -> str:
    """A quoted SQL identifier."""
    return '"' + column.replace('"', '""') + '"'


def _literal(value) -> str:
    """A SQL literal for a number or a string."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)
