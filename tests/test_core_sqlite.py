"""The SQLite stores beside the warehouse open in WAL mode, also when several writers create one at once."""

from __future__ import annotations

import sqlite3
import threading

from core.sqlite import connect_wal

OPENERS = 8
ROUNDS = 30  # the race (SQLite's "locked" without waiting while another connection switches a new file to WAL)
# showed in about one round in ten without the retry


def test_a_new_store_opened_by_several_writers_at_once_is_in_wal_mode_and_keeps_every_write(tmp_path):
    for round_ in range(ROUNDS):
        path = tmp_path / f"state-{round_}.sqlite"
        start = threading.Barrier(OPENERS)
        errors: list[BaseException] = []

        def open_and_write(number: int) -> None:
            start.wait()
            try:
                con = connect_wal(path, busy_timeout_ms=10_000)
                try:
                    con.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
                    con.execute("INSERT INTO t VALUES (?)", [number])
                finally:
                    con.close()
            except BaseException as error:  # reported below, with the round
                errors.append(error)

        threads = [threading.Thread(target=open_and_write, args=(n,)) for n in range(OPENERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == [], f"round {round_}: {errors[0]}"
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert sorted(n for (n,) in con.execute("SELECT n FROM t")) == list(range(OPENERS))


def test_the_connection_is_in_autocommit_mode_with_the_busy_timeout(tmp_path):
    con = connect_wal(tmp_path / "state.sqlite", busy_timeout_ms=1234)
    try:
        assert con.isolation_level is None
        assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 1234
    finally:
        con.close()
