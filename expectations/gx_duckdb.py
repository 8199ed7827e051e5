"""Great Expectations' SQL data source on the warehouse's own DuckDB connection (duckdb_engine).

Three things GX 1.24 + duckdb-engine 0.17 need to work here; all are isolated in this module.

1. The upstream bug (docs/upstream/gx-duckdb-empty-results.md): `SqlAlchemyExecutionEngine.execute_query`
   returns the query's result after its `with self.get_connection()` block has handed the connection
   back to the pool; the pool's reset (a rollback) discards duckdb_engine's pending result, so every
   metric comes back empty and every expectation fails without counts. `install()` replaces the method
   by one that reads the rows inside the `with` (`Result.freeze()`). tests/test_gx_duckdb.py fails as
   soon as the unpatched method works, so the override is removed when upstream fixes it.

2. One database instance: DuckDB refuses a second connection to an open file with another
   configuration, and duckdb_engine always adds its user agent to the configuration. So GX gets a
   cursor of the caller's connection (same database instance; tables committed by the caller are
   visible, the caller's TEMP tables are not) through SQLAlchemy's `creator`, on a single-connection
   pool. The caller closes it with `close()` so the warehouse file is released with its connection.

3. The upstream bug (docs/upstream/gx-unexpected-index-query-row-condition.md): a result's
   `unexpected_index_query` selects from the batch's table without the expectation's row condition,
   so it returns rows the condition leaves out. `failing_rows_query()` applies the condition again.
   tests/test_gx_duckdb.py fails as soon as GX's own query is right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent import SQLDatasource

from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.row_conditions import NullityCondition

UPSTREAM_EXECUTE_QUERY = SqlAlchemyExecutionEngine.execute_query


def _execute_query_materialised(self: SqlAlchemyExecutionEngine, query: Any) -> Any:
    """GX's execute_query, with the rows read while the connection is still checked out."""
    with self.get_connection() as connection:
        # freeze() fetches every row; calling the frozen result gives a Result GX's callers can fetch from.
        return self._execute_query_with_recovery(connection, query).freeze()()


def install() -> None:
    """Make GX's SQL execution engine read results before returning the connection (idempotent)."""
    SqlAlchemyExecutionEngine.execute_query = _execute_query_materialised


def failing_rows_query(index_query: str, row_condition: object, table: str, id_column: str) -> str:
    """GX's unexpected_index_query over `table` as a subquery selecting id_column, with the row condition applied.

    Only the conditions the suites use (a column IS [NOT] NULL) are translated; any other raises, so
    a rule is never applied to rows its condition leaves out.
    """
    rows = f"SELECT gx.{id_column} FROM ({index_query.strip().rstrip(';')}) AS gx"  # GX ends it with ';'
    if row_condition is None:
        return rows
    if not isinstance(row_condition, NullityCondition):
        raise ValueError(f"rijvoorwaarde {row_condition!r} wordt niet vertaald")
    column = '"' + row_condition.column.name.replace('"', '""') + '"'
    test = "IS NULL" if row_condition.is_null else "IS NOT NULL"
    return f"{rows} WHERE gx.{id_column} IN (SELECT {id_column} FROM {table} WHERE {column} {test})"


def sql_source(
    context: AbstractDataContext, name: str, con: duckdb.DuckDBPyConnection
) -> tuple[SQLDatasource, duckdb.DuckDBPyConnection]:
    """A GX SQL data source on a cursor of con (same database instance), and that cursor to close later."""
    from duckdb_engine import ConnectionWrapper
    from sqlalchemy.pool import StaticPool

    install()
    cursor = con.cursor()
    source = context.data_sources.add_or_update_sql(
        name=name,
        connection_string="duckdb:///:memory:",  # dialect only: connections come from the creator
        create_temp_table=False,  # a temp copy of a query asset would hold all its rows
        kwargs={"creator": lambda: ConnectionWrapper(cursor), "poolclass": StaticPool},
    )
    return source, cursor


def close(source: SQLDatasource, cursor: duckdb.DuckDBPyConnection) -> None:
    """Release GX's engine and the cursor, so the warehouse closes with its own connection."""
    try:
        source.get_engine().dispose()
    finally:
        cursor.close()
