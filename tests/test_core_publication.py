"""core/publication.py: the one declaration of the published store, and everything derived from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest

from core import publication
from core.publication import EXPORT_COLUMNS, SUPPRESSED_COLUMNS, TABLES
from etl.contract import persoonskolommen

# indicators.md "Publication contract (export, long format)", written out by hand.
CONTRACT = (
    "indicator", "peildatum", "niveau", "gebiedcode", "gebiedsnaam", "waarde", "teller", "noemer", "n", "ci_laag",
    "ci_hoog", "onderdrukt", "verschil_nulmeting", "index_nulmeting", "status",
)
# "Suppressed rows have waarde, teller, noemer, ci_laag, ci_hoog, verschil_nulmeting and index_nulmeting empty."
EMPTY_WHEN_SUPPRESSED = ("waarde", "teller", "noemer", "ci_laag", "ci_hoog", "verschil_nulmeting", "index_nulmeting")


@pytest.fixture(scope="module")
def created() -> duckdb.DuckDBPyConnection:
    """An in-memory database made from the derived DDL."""
    con = duckdb.connect()
    con.execute(publication.ddl())
    yield con
    con.close()


def test_export_columns_are_the_contract_of_indicators_md() -> None:
    assert EXPORT_COLUMNS == CONTRACT
    assert SUPPRESSED_COLUMNS == EMPTY_WHEN_SUPPRESSED


def test_table_names_are_unique_and_every_column_is_declared_once() -> None:
    names = [spec.name for spec in TABLES]
    assert len(names) == len(set(names))
    for spec in TABLES:
        assert len(spec.column_names) == len(set(spec.column_names)), spec.name
        assert set(spec.primary_key) <= set(spec.column_names), spec.name
        assert all(column.meaning for column in spec.columns), spec.name
        assert all(column.type in publication.ARROW_TYPES for column in spec.columns), spec.name


def test_no_person_level_column_is_declared() -> None:
    declared = {column.name.lower() for spec in TABLES for column in spec.columns}
    assert not declared & persoonskolommen()


def test_ddl_creates_every_declared_table_column_type_and_nullability(created) -> None:
    rows = created.execute(
        "select table_name, column_name, data_type, is_nullable = 'YES' from information_schema.columns "
        "order by table_name, ordinal_position"
    ).fetchall()
    expected = sorted(
        ((spec.name, c.name, c.type, c.nullable) for spec in TABLES for c in spec.columns), key=lambda r: r[0]
    )
    assert rows == expected


def test_ddl_declares_the_primary_keys(created) -> None:
    keys = {
        table: tuple(columns)
        for table, columns in created.execute(
            "select table_name, constraint_column_names from duckdb_constraints() where constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    }
    assert keys == {spec.name: spec.primary_key for spec in TABLES if spec.primary_key}


def test_ddl_of_one_table_creates_only_that_table() -> None:
    with duckdb.connect() as con:
        con.execute(publication.ddl("meta"))
        assert con.execute("select table_name from information_schema.tables").fetchall() == [("meta",)]


@pytest.mark.parametrize("name", [spec.name for spec in TABLES])
def test_arrow_schema_is_what_duckdb_reads_back_from_the_ddl(created, name: str) -> None:
    schema = publication.arrow_schema(name)
    read_back = created.sql(f"select * from {name}").to_arrow_table().schema
    assert schema.names == list(publication.table(name).column_names)
    assert [field.type for field in schema] == [field.type for field in read_back]
    assert [field.nullable for field in schema] == [c.nullable for c in publication.table(name).columns]


def test_builders_fill_the_schema_of_the_spec() -> None:
    from etl.publication import dq_files_table, dq_rules_table, geometry_table, meta_table
    from indicators.compute import CORRIDOR_SCHEMA, INDICATORS_SCHEMA, STREEFWAARDEN_SCHEMA
    from core.paths import WIJKEN_GEOJSON

    report = dataclasses.make_dataclass("Report", ["files", "gates"])({}, {})
    with duckdb.connect() as con:
        built = {
            "meta": meta_table(None, "run-1"), "geometry": geometry_table(WIJKEN_GEOJSON),
            "dq_rules": dq_rules_table(report), "dq_files": dq_files_table(con, report),
        }
    for name, table in built.items():
        assert table.schema == publication.arrow_schema(name), name
    assert INDICATORS_SCHEMA == publication.arrow_schema("indicators")
    assert CORRIDOR_SCHEMA == publication.arrow_schema("corridor")
    assert STREEFWAARDEN_SCHEMA == publication.arrow_schema("streefwaarden")


def test_publish_allowlist_is_the_spec() -> None:
    from etl.publish import contract_columns

    assert contract_columns() == {spec.name: spec.column_names for spec in TABLES}


def test_export_writes_the_export_columns() -> None:
    from indicators.export import CONTRACT_COLUMNS, SUPPRESSED_COLUMNS as EXPORT_SUPPRESSED

    assert CONTRACT_COLUMNS == CONTRACT
    assert EXPORT_SUPPRESSED == EMPTY_WHEN_SUPPRESSED


def test_dashboard_reads_every_table_of_the_spec() -> None:
    from dashboard.data import LATER_TABLES, TABLES as DASHBOARD_TABLES, Indicator

    assert DASHBOARD_TABLES == tuple(spec.name for spec in TABLES)
    assert LATER_TABLES == {"dq_incomplete", "bevolking"} | {  # added after the first publications
        "context", "vergelijkbare_wijken", "referentiewaarden", "werkwijze_vergelijking", "werkwijzen",  # issue 12
        "kosten", "begroting",  # issue 13
    }
    assert tuple(f.name for f in dataclasses.fields(Indicator)) == publication.table("indicators").column_names


def test_dashboard_reads_a_store_without_the_later_tables_as_empty(tmp_path: Path) -> None:
    from dashboard.data import _read_tables

    db = tmp_path / "oud.duckdb"
    with duckdb.connect(str(db)) as con:
        for spec in TABLES:
            if not spec.later:
                con.execute(publication.ddl(spec.name))
    tables = _read_tables(db)
    for spec in TABLES:
        if spec.later:
            assert tables[spec.name].is_empty()
            assert tables[spec.name].schema == pl.from_arrow(pa.schema(publication.arrow_schema(spec.name))
                                                             .empty_table()).schema
