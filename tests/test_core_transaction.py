"""core/transaction.py: one DuckDB transaction, and the first error is the one raised."""

from __future__ import annotations

import duckdb
import pytest

from core.transaction import transaction


def test_commits_when_the_block_ends_and_rolls_back_on_an_error() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INTEGER)")
    with transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(ValueError, match="stop"):
        with transaction(con):
            con.execute("INSERT INTO t VALUES (2)")
            raise ValueError("stop")
    assert con.execute("SELECT x FROM t").fetchall() == [(1,)]


class _CommitFails:
    """A connection whose COMMIT fails the way a full disk makes DuckDB's fail: the transaction is gone after it."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def execute(self, sql: str) -> None:
        self.statements.append(sql)
        if sql == "COMMIT":
            raise duckdb.TransactionException("Failed to commit: Could not write file: No space left on device")
        if sql == "ROLLBACK":
            raise duckdb.TransactionException("cannot rollback - no transaction is active")


def test_a_failed_commit_raises_its_own_error_not_the_rollbacks() -> None:
    con = _CommitFails()
    with pytest.raises(duckdb.TransactionException, match="No space left on device"):
        with transaction(con):
            con.execute("INSERT")
    assert con.statements == ["BEGIN TRANSACTION", "INSERT", "COMMIT", "ROLLBACK"]
