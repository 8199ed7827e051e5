"""GX's SQL route on DuckDB (expectations/gx_duckdb.py) and its agreement with the pandas route."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import pytest
from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.row_conditions import Column

from core.errors import WijkmonitorError
from etl.contract import BRONNEN
from etl.load import check_set, create_check_table
from etl.staging import build_candidates, candidate_table, drop_candidates
from expectations import gate, gx_duckdb
from expectations.suites import build_suite
from fixtures.damaged_deliveries import CASES, write_clean_drop
from wijkmonitor.cli import run_etl

VANDAAG = date(2025, 6, 30)


def _rule(kolom: str, regel: str) -> dict[str, object]:
    """The meta the gate matches results by."""
    return {"kolom": kolom, "regel": regel, "ernst": "fout", "waarde": [kolom]}


# Every kind of expectation the SQL route handles (the suites use the not-null, in-set and between ones;
# parse and pair rules are flags since session 7), with hand-picked failing rows (_id, rule number).
SUITE = gx.ExpectationSuite(name="proef", expectations=[
    gxe.ExpectColumnValuesToNotBeNull(column="a_tekst", meta=_rule("a", "verplicht")),
    gxe.ExpectColumnValuesToNotBeNull(column="a", row_condition=Column("a_tekst").is_not_null(),
                                      meta=_rule("a", "geen geheel getal")),
    gxe.ExpectColumnValuesToBeInSet(column="code", value_set=["x", "y"], meta=_rule("code", "onbekend")),
    gxe.ExpectColumnValuesToBeBetween(column="a", min_value=0, max_value=10, strict_min=True,
                                      meta=_rule("a", "bereik")),
    gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="a", column_B="b", or_equal=True,
                                                ignore_row_if="either_value_is_missing", meta=_rule("a", "a >= b")),
    gxe.ExpectColumnValuesToBeInSet(column="vlag", value_set=[False], meta=_rule("v", "stuurteken")),
])
FRAME = pd.DataFrame({
    "_id": [1, 2, 3, 4, 5],
    "a": pd.array([5, None, None, 0, 12], dtype="Int64"),
    "a_tekst": ["5", "abc", None, "0", "12"],
    "code": ["x", "x", "z", "y", None],
    "b": pd.array([3, 1, None, 2, None], dtype="Int64"),
    "vlag": pd.array([False, None, True, False, False], dtype="boolean"),
})
EXPECTED = [(2, 1), (3, 0), (3, 2), (3, 5), (4, 3), (4, 4), (5, 3)]
QUERY = "SELECT _id, a_tekst, a, code, b, vlag FROM proef"


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse file holding FRAME as the committed table proef."""
    con = duckdb.connect(str(tmp_path / "proef.duckdb"))
    con.execute("CREATE TABLE proef AS SELECT * FROM FRAME")
    yield con
    con.close()


def test_upstream_still_loses_results_without_the_workaround(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fails once GX + duckdb_engine return results as shipped: then remove gx_duckdb's override.

    See docs/upstream/gx-duckdb-empty-results.md.
    """
    monkeypatch.setattr(gx_duckdb, "_execute_query_materialised", gx_duckdb.UPSTREAM_EXECUTE_QUERY)
    monkeypatch.setattr(SqlAlchemyExecutionEngine, "execute_query", gx_duckdb.UPSTREAM_EXECUTE_QUERY)
    with pytest.raises(WijkmonitorError, match="niet elke afwijkende rij"):
        gate.failures_with_gx_sql(con, QUERY, SUITE, len(FRAME))


def test_upstream_index_query_still_ignores_the_row_condition(con: duckdb.DuckDBPyConnection) -> None:
    """Fails once GX's unexpected_index_query applies the row condition: then remove gx_duckdb.failing_rows_query's
    condition. See docs/upstream/gx-unexpected-index-query-row-condition.md."""
    conditional = SUITE.expectations[1]  # a not null where a_tekst is not null: only row 2 fails
    source, cursor = gx_duckdb.sql_source(gate._context(), "proef", con)
    try:
        batch = source.add_table_asset(name="proef", table_name="proef").add_batch_definition_whole_table(
            "alles").get_batch()
        result = batch.validate(gx.ExpectationSuite(name="proef", expectations=[conditional.configuration]),
                                result_format={"result_format": "BASIC", "unexpected_index_column_names": ["_id"],
                                               "return_unexpected_index_query": True}).results[0].result
    finally:
        gx_duckdb.close(source, cursor)
    query = result["unexpected_index_query"].strip().rstrip(";")
    assert result["unexpected_count"] == 1
    assert sorted(row[0] for row in con.execute(f"SELECT _id FROM ({query})").fetchall()) == [2, 3]
    fixed = gx_duckdb.failing_rows_query(result["unexpected_index_query"], conditional.row_condition, "proef", "_id")
    assert con.execute(fixed).fetchall() == [(2,)]


def test_sql_route_finds_the_hand_picked_failures(con: duckdb.DuckDBPyConnection) -> None:
    results = gate.failures_with_gx_sql(con, QUERY, SUITE, len(FRAME))
    assert gate.found_failures(con) == EXPECTED
    assert len(results) == 1 and results[0]["statistics"]["evaluated_expectations"] == len(SUITE.expectations)


@pytest.fixture()
def passes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every GX pass over a batch: (result format, number of expectations)."""
    from great_expectations.datasource.fluent.interfaces import Batch

    seen: list[tuple[str, int]] = []
    validate = Batch.validate

    def spy(self, expect, *, result_format, **kwargs):
        kind = result_format if isinstance(result_format, str) else result_format["result_format"]
        seen.append((kind, len(expect.expectations)))
        return validate(self, expect, result_format=result_format, **kwargs)

    monkeypatch.setattr(Batch, "validate", spy)
    return seen


def test_sql_route_asks_failing_rows_only_for_the_rules_that_failed(
    con: duckdb.DuckDBPyConnection, passes: list[tuple[str, int]]
) -> None:
    """First pass: counts for every rule; second pass: GX's query for the failed rules' rows, and the same pairs as
    one COMPLETE pass would give (EXPECTED, checked against GX on pandas above)."""
    results = gate.failures_with_gx_sql(con, QUERY, SUITE, len(FRAME))
    failed_rules = {number for _, number in EXPECTED}
    assert passes == [("BOOLEAN_ONLY", len(SUITE.expectations)), ("BASIC", len(failed_rules))]
    assert gate.found_failures(con) == EXPECTED
    # The kept result: every rule, the failed ones with their count and query, never a list of every row.
    kept = results[0]["results"]
    assert len(kept) == len(SUITE.expectations)
    failed = [r["result"] for r in kept if not r["success"]]
    assert len(failed) == len(failed_rules) and all("unexpected_index_query" in r for r in failed)
    assert sorted(r["unexpected_count"] for r in failed) == sorted(
        sum(1 for _, n in EXPECTED if n == number) for number in failed_rules)
    assert not any("unexpected_index_list" in r["result"] for r in kept)


def test_sql_route_keeps_every_row_of_a_delivery_that_fails_whole(tmp_path: Path) -> None:
    """Every row failing every rule it can: the ids come from DuckDB, all of them, none through Python."""
    con = duckdb.connect(str(tmp_path / "heel.duckdb"))
    rows = 5_000
    con.execute(f"CREATE TABLE proef AS SELECT i AS _id, NULL::VARCHAR AS a_tekst, NULL::BIGINT AS a, 'z' AS code, "
                f"NULL::BIGINT AS b, true AS vlag FROM range(1, {rows + 1}) t(i)")
    try:
        results = gate.failures_with_gx_sql(con, QUERY, SUITE, rows)
        found = gate.found_failures(con)
    finally:
        con.close()
    # rules 0 (a_tekst null), 2 (code z) and 5 (vlag true) fail for every row; 1, 3 and 4 skip nulls
    assert found == sorted((i, n) for i in range(1, rows + 1) for n in (0, 2, 5))
    assert len(json.dumps(results)) < 50_000  # counts and a few values, not the rows


def test_sql_route_runs_one_pass_over_a_clean_batch(
    con: duckdb.DuckDBPyConnection, passes: list[tuple[str, int]]
) -> None:
    results = gate.failures_with_gx_sql(con, f"{QUERY} WHERE _id = 1", SUITE, 1)
    assert gate.found_failures(con) == [] and passes == [("BOOLEAN_ONLY", len(SUITE.expectations))]
    assert results[0]["success"] is True


def test_pandas_route_finds_the_same_failures(con: duckdb.DuckDBPyConnection) -> None:
    gate.failures_with_gx_pandas(con, QUERY, SUITE, len(FRAME))
    assert gate.found_failures(con) == EXPECTED


def test_sql_route_releases_the_warehouse(tmp_path: Path) -> None:
    """After validating, closing the caller's connection closes the file: it opens read-only again."""
    path = tmp_path / "proef.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE proef AS SELECT * FROM FRAME")
    gate.failures_with_gx_sql(con, QUERY, SUITE, len(FRAME))
    con.close()
    with duckdb.connect(str(path), read_only=True) as again:
        assert again.execute("SELECT count(*) FROM proef").fetchone()[0] == len(FRAME)


@pytest.mark.slow
def test_both_routes_find_the_same_failures_on_a_damaged_drop(tmp_path: Path) -> None:
    """Row damage of the damaged-delivery library in every source: GX on pandas and GX on SQL agree."""
    drop = tmp_path / "bronnen"
    write_clean_drop(drop)
    for name in ("two_digit_year_iso_order", "weight_inf_and_nan", "weight_above_100", "decimal_in_integer",
                 "tab_in_key", "year_0015"):
        CASES[name].damage(drop)
    warehouse = tmp_path / "warehouse.duckdb"
    code = run_etl(drop, warehouse, tmp_path / "monitor.duckdb", vandaag=VANDAAG, out=io.StringIO(),
                   err=io.StringIO())
    assert code == 1  # rows quarantined
    con = duckdb.connect(str(warehouse))
    try:
        create_check_table(con)
        found = 0
        for bron in BRONNEN.values():
            suite = build_suite(bron, VANDAAG)
            check_set(con, bron, [])
            rows = build_candidates(con, bron)
            query = f"SELECT {gate._frame_columns(bron, suite)} FROM {candidate_table(bron)}"
            gate.failures_with_gx_pandas(con, query, suite, rows)
            by_pandas = gate.found_failures(con)
            gate.failures_with_gx_sql(con, query, suite, rows)
            by_sql = gate.found_failures(con)
            drop_candidates(con, bron)
            assert by_sql == by_pandas, bron.naam
            found += len(by_pandas)
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    finally:
        con.close()
    assert found >= 6 and quarantined >= 6
