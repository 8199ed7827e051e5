"""One way to run statements on the warehouse as a single DuckDB transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN, then COMMIT when the block ends; on an error ROLLBACK and raise that error.

    A COMMIT that fails (a full disk) has ended the transaction itself; rolling back then fails too,
    and that second error would hide the first (the one that says what to do).
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.TransactionException:
            pass  # no transaction left to roll back: the failed COMMIT ended it
        raise
