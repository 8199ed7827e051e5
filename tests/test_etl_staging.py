"""etl/staging.py: delivered text -> staging types, and the helper columns the gate needs."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from etl.contract import BRONNEN, Kolom
from etl.load import create_warehouse_tables
from etl.staging import build_candidates, typed_expression


def _typed(kolom: Kolom, text: str | None):
    """The staging value of one delivered text."""
    with duckdb.connect() as con:
        query = f'SELECT {typed_expression(kolom)} FROM (SELECT ?::VARCHAR AS "x__tekst")'
        return con.execute(query, [text]).fetchone()[0]


@pytest.mark.parametrize(
    ("kolom_type", "text", "expected"),
    [
        ("geheel", " 7 ", 7),
        ("geheel", "5.0", 5),  # Parquet written from pandas: whole numbers as floats
        ("geheel", "5.5", None),
        ("geheel", "abc", None),
        ("geheel", "99999999999999999999999", None),
        ("geheel", "", None),
        ("decimaal", "1,25", 1.25),
        ("decimaal", "0.5", 0.5),
        ("decimaal", "1.000,5", None),
        ("decimaal", "nan", None),
        ("decimaal", "inf", None),
        ("datum", "2015-02-01", date(2015, 2, 1)),
        ("datum", "01-02-2015", date(2015, 2, 1)),
        ("datum", "2015-02-01 00:00:00", date(2015, 2, 1)),
        ("datum", "31-02-2020", None),
        ("datum", "2015/02/01", None),
        ("code", " wk001400 ", "WK001400"),
        ("enum", "Specialistisch ", "specialistisch"),
        ("tekst", "   ", None),
    ],
)
def test_typed_expression(kolom_type: str, text: str, expected: object) -> None:
    assert _typed(Kolom("x", kolom_type), text) == expected


def test_candidates_count_keys_and_population_growth() -> None:
    bron = BRONNEN["bevolking"]
    with duckdb.connect() as con:
        create_warehouse_tables(con, [bron])
        con.execute(
            """
            INSERT INTO raw_bevolking VALUES
                ('a.csv', 1, '2015-01-01', 'WK001400', '1000', '200', '500', NULL),
                ('a.csv', 2, '2016-01-01', 'WK001400', '1300', '200', '500', NULL),
                ('b.csv', 1, '01-01-2016', 'wk001400', '1300', '200', '500', NULL),
                ('b.csv', 2, '2016-01-01', 'WK001401', '10', '2', '5', NULL)
            """
        )
        assert build_candidates(con, bron) == 4
        rows = con.execute(
            "SELECT _id, _bestand, _rij, _sleutel_aantal, round(_groei_inwoners, 2) "
            "FROM kandidaat_bevolking ORDER BY _id"
        ).fetchall()
    assert rows == [
        (1, "a.csv", 1, 1, None),
        (2, "a.csv", 2, 2, 1.3),
        (3, "b.csv", 1, 2, 1.3),
        (4, "b.csv", 2, 1, None),
    ]
