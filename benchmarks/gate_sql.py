"""Measure the gate's two GX routes, and the same suite evaluated as plain SQL inside DuckDB.

Per source, on the same candidate rows: GX on pandas chunks (expectations/gate.py, route "pandas"),
GX's SQL data source on the warehouse (route "sql", through expectations/gx_duckdb.py), and each
expectation of the suite (the kinds expectations/suites.py uses; row conditions and column pairs
too) translated into a SQL predicate that is true for a failing row, as a floor for what GX's
SQL route could cost. Each route's failing (_id, rule number) pairs must be exactly those of GX on
pandas. The gate's choice of route (gate.choose_route) is made from these figures.
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
from etl.staging import ID, build_candidates, candidate_table, drop_candidates
from expectations import gate
from expectations.suites import build_suite


@dataclass(frozen=True)
class GateTiming:
    """One source: rows, seconds per route, and whether the routes agree with GX on pandas."""

    bron: str
    rows: int
    gx_seconds: float  # GX on pandas chunks
    gx_sql_seconds: float  # GX's SQL data source on the warehouse
    sql_seconds: float  # the suite as plain SQL predicates
    failures: int
    same_failures: bool  # plain SQL finds the same pairs as GX on pandas
    gx_sql_same_failures: bool  # GX's SQL route finds the same pairs as GX on pandas


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


def time_source(con: duckdb.DuckDBPyConnection, bron: Bron, vandaag: date) -> GateTiming:
    """Build one source's candidates (every accepted version, as a run from scratch), then time the routes."""
    suite = build_suite(bron, vandaag)
    create_check_table(con)
    check_set(con, bron, [])  # the accepted files, as the gate checks them
    rows = build_candidates(con, bron)  # a view of the warehouse, as the SQL route needs
    # The columns GX sees (dates as YYYYMMDD numbers), so the same thresholds apply on every route.
    query = f"SELECT {gate._frame_columns(bron, suite)} FROM {candidate_table(bron)}"
    try:
        started = time.perf_counter()
        gate.failures_with_gx_pandas(con, query, suite, rows)
        by_gx = gate.found_failures(con)
        gx_seconds = time.perf_counter() - started
        started = time.perf_counter()
        gate.failures_with_gx_sql(con, query, suite, rows)
        by_gx_sql = gate.found_failures(con)
        gx_sql_seconds = time.perf_counter() - started
        started = time.perf_counter()
        by_sql = failures_in_duckdb(con, f"({query})", suite)
        sql_seconds = time.perf_counter() - started
    finally:
        drop_candidates(con, bron)
    return GateTiming(bron.naam, rows, gx_seconds, gx_sql_seconds, sql_seconds, len(by_gx),
                      sorted(by_gx) == sorted(by_sql), sorted(by_gx) == sorted(by_gx_sql))


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
