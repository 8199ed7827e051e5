"""etl/staging.py: delivered text -> staging types, and the helper columns the gate needs."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from etl.contract import BRONNEN, Kolom
from etl.deliveries import _overlapping_pairs
from etl.load import SourceLoad, Versie, create_warehouse_tables
from etl.staging import build_candidates, source_rules_sql, typed_expression


def _typed(kolom: Kolom, text: str | None, notatie: str = "csv"):
    """The staging value of one delivered text in a file of the given notation."""
    with duckdb.connect() as con:
        query = f'SELECT {typed_expression(kolom)} FROM (SELECT ?::VARCHAR AS "x__tekst", ? AS _notatie)'
        return con.execute(query, [text, notatie]).fetchone()[0]


@pytest.mark.parametrize(
    ("kolom_type", "text", "notatie", "expected"),
    [
        # integers: digits only; '.' thousands groups only in a Dutch-locale (';') file; never truncated
        ("geheel", "1.000", "csv", None),
        ("geheel", "1.000", "nl", 1000),
        ("geheel", "1.312", "nl", 1312),
        ("geheel", "12.345.678", "nl", 12345678),
        ("geheel", "1.00", "nl", None),
        ("geheel", "1,000", "nl", None),
        ("geheel", "1,000", "csv", None),
        ("geheel", "0.500", "nl", None),
        ("geheel", "5.0", "csv", None),
        ("geheel", "5.0", "parquet", 5),  # Parquet written from pandas: whole numbers as floats
        ("geheel", "5.5", "parquet", None),
        ("geheel", "1e3", "csv", None),
        # decimals: '.' or ',' as decimal sign; Dutch thousands only in a Dutch-locale file; finite only
        ("decimaal", "1,5", "nl", 1.5),
        ("decimaal", "1.234,5", "nl", 1234.5),
        ("decimaal", "1.234,5", "csv", None),
        ("decimaal", "1e308", "csv", None),
        ("decimaal", "1e308", "parquet", 1e308),
        ("decimaal", "1.5e3", "csv", None),
        ("decimaal", "inf", "parquet", None),
        ("decimaal", "NaN", "parquet", None),
        # dates: four-digit years only, YYYY-MM-DD or DD-MM-YYYY
        ("datum", "15-10-15", "csv", None),
        ("datum", "15-10-2015", "csv", date(2015, 10, 15)),
        ("datum", "1-2-2015", "nl", date(2015, 2, 1)),
        ("datum", "0015-10-15", "csv", None),
        ("datum", "15-10-0015", "csv", None),
        ("datum", "2015-10-15T00:00:00", "csv", None),
    ],
)
def test_values_are_never_guessed(kolom_type: str, text: str, notatie: str, expected: object) -> None:
    assert _typed(Kolom("x", kolom_type), text, notatie) == expected


@pytest.mark.parametrize(
    ("kolom_type", "text", "expected"),
    [
        ("geheel", " 7 ", 7),
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


def test_rules_across_rows_find_repeated_keys_and_population_growth() -> None:
    """Key and growth rules run in DuckDB over every version under check (not the old version)."""
    bron = BRONNEN["bevolking"]
    with duckdb.connect() as con:
        create_warehouse_tables(con, [bron])
        con.execute(
            """
            INSERT INTO raw_bevolking VALUES
                ('a.csv', 1, '2015-01-01', 'WK001400', '1000', '200', '500', NULL, 'sa'),
                ('a.csv', 2, '2016-01-01', 'WK001400', '1300', '200', '500', NULL, 'sa'),
                ('b.csv', 1, '01-01-2016', 'wk001400', '1.300', '200', '500', NULL, 'sb'),
                ('b.csv', 2, '2016-01-01', 'WK001401', '10', '2', '5', NULL, 'sb'),
                ('b.csv', 3, '2017-01-01', 'WK001401', '12', '2', '5', NULL, 'sb'),
                ('b.csv', 1, '2015-01-01', 'WK001401', '10', '2', '5', NULL, 'old version, not under check')
            """
        )
        con.execute("INSERT INTO controle_bestanden VALUES ('bevolking', 'a.csv', 'sa', 'csv'), "
                    "('bevolking', 'b.csv', 'sb', 'nl')")
        assert build_candidates(con, bron) == 5
        rows = con.execute(f"SELECT * FROM ({source_rules_sql(bron)}) ORDER BY ALL").fetchall()
    key = "sleutel (peildatum,wijkcode) komt vaker voor"
    growth = "inwoners wijken meer dan 25% af van de vorige peildatum"
    assert rows == [
        ("a.csv", 2, "inwoners", growth, "waarschuwing", "WK001400, 1300"),  # 1300 / 1000
        ("a.csv", 2, "peildatum,wijkcode", key, "fout", "2016-01-01, WK001400"),
        ("b.csv", 1, "inwoners", growth, "waarschuwing", "wk001400, 1.300"),
        ("b.csv", 1, "peildatum,wijkcode", key, "fout", "01-01-2016, wk001400"),
    ]


def test_overlapping_pairs_pair_versions_on_trial_with_every_version_sharing_a_typed_key() -> None:
    """A shared key pairs a version on trial with any other version; pairs of accepted versions only
    when every version is on trial (a run from scratch), since only then can they be settled."""
    bron = BRONNEN["bevolking"]

    def versie(bestand: str, sha256: str) -> Versie:
        return Versie("bevolking", bestand, sha256, "csv", 1, 1, False)

    with duckdb.connect() as con:
        create_warehouse_tables(con, [bron])
        con.execute(
            """
            INSERT INTO raw_bevolking VALUES
                ('a.csv', 1, '2015-01-01', 'WK001400', '1', '1', '1', NULL, 'sa'),
                ('b.csv', 1, '2015-01-01', 'WK001400', '1', '1', '1', NULL, 'sb'),
                ('b.csv', 2, '2016-01-01', 'WK001401', '1', '1', '1', NULL, 'sb'),
                ('c.csv', 1, '01-01-2016', 'wk001401', '1', '1', '1', NULL, 'sc'),
                ('c.csv', 2, '2017-01-01', 'WK001402', '1', '1', '1', NULL, 'sc'),
                ('d.csv', 1, '2018-01-01', 'WK001403', '1', '1', '1', NULL, 'sd'),
                ('d.csv', 2, '2018-01-01', NULL, '1', '1', '1', NULL, 'sd'),
                ('a.csv', 2, '2018-01-01', NULL, '1', '1', '1', NULL, 'sa')
            """
        )
        con.execute("INSERT INTO controle_bestanden VALUES ('bevolking', 'a.csv', 'sa', 'csv'), "
                    "('bevolking', 'b.csv', 'sb', 'csv'), ('bevolking', 'c.csv', 'sc', 'csv'), "
                    "('bevolking', 'd.csv', 'sd', 'csv')")
        b_c = frozenset({("b.csv", "sb"), ("c.csv", "sc")})
        a_b = frozenset({("a.csv", "sa"), ("b.csv", "sb")})
        on_trial = SourceLoad(bron, pending=[versie("c.csv", "sc"), versie("d.csv", "sd")])
        assert _overlapping_pairs(con, on_trial) == {b_c}  # a missing key (NULL) is no shared key
        from_scratch = SourceLoad(bron, pending=[versie(name, f"s{name[0]}") for name in ("a.csv", "b.csv", "c.csv",
                                                                                          "d.csv")])
        assert _overlapping_pairs(con, from_scratch) == {a_b, b_c}
