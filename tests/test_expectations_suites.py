"""expectations/suites.py: one GX suite per source, built from the contract."""

from __future__ import annotations

from datetime import date

import pytest

from etl.contract import BRONNEN
from expectations.suites import build_suite, datum_als_getal

VANDAAG = date(2025, 6, 30)


@pytest.mark.parametrize("bron", list(BRONNEN))
def test_suite_is_named_after_its_source_and_every_rule_is_described(bron: str) -> None:
    suite = build_suite(BRONNEN[bron], VANDAAG)
    assert suite.name == bron
    rules = [(e.meta["kolom"], e.meta["regel"]) for e in suite.expectations]
    assert len(rules) == len(set(rules)), "the gate matches results to rules by (kolom, regel)"
    assert all(e.meta["ernst"] in ("fout", "waarschuwing") for e in suite.expectations)


def test_bevolking_rules_written_out() -> None:
    suite = build_suite(BRONNEN["bevolking"], VANDAAG)
    rules = [(e.expectation_type, e.meta["kolom"], e.meta["regel"], e.meta["ernst"]) for e in suite.expectations]
    assert rules == [
        ("expect_column_values_to_not_be_null", "peildatum", "verplichte waarde ontbreekt", "fout"),
        ("expect_column_values_to_be_in_set", "peildatum", "geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ)", "fout"),
        ("expect_column_values_to_be_between", "peildatum", "datum ligt in de toekomst", "fout"),
        ("expect_column_values_to_not_be_null", "wijkcode", "verplichte waarde ontbreekt", "fout"),
        ("expect_column_values_to_be_in_set", "wijkcode", "onbekende wijkcode", "fout"),
        ("expect_column_values_to_not_be_null", "inwoners", "verplichte waarde ontbreekt", "fout"),
        ("expect_column_values_to_be_in_set", "inwoners", "geen geheel getal", "fout"),
        ("expect_column_values_to_be_between", "inwoners", "waarde buiten bereik 0..9999999", "fout"),
        ("expect_column_values_to_not_be_null", "inwoners_0_17", "verplichte waarde ontbreekt", "fout"),
        ("expect_column_values_to_be_in_set", "inwoners_0_17", "geen geheel getal", "fout"),
        ("expect_column_values_to_be_between", "inwoners_0_17", "waarde buiten bereik 0..9999999", "fout"),
        ("expect_column_values_to_not_be_null", "huishoudens", "verplichte waarde ontbreekt", "fout"),
        ("expect_column_values_to_be_in_set", "huishoudens", "geen geheel getal", "fout"),
        ("expect_column_values_to_be_between", "huishoudens", "waarde buiten bereik 0..9999999", "fout"),
        ("expect_column_values_to_be_in_set", "inwoners_0_17", "inwoners_0_17 groter dan inwoners", "fout"),
        ("expect_column_values_to_be_in_set", "huishoudens", "huishoudens groter dan inwoners", "fout"),
    ]
    # Parse and pair rules are flags the candidate query computes (flag_sql), each expected False.
    flags = {e.meta["regel"]: (e.column, list(e.value_set)) for e in suite.expectations
             if e.expectation_type == "expect_column_values_to_be_in_set"}
    assert flags["geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ)"] == ("peildatum__onleesbaar", [False])
    assert flags["huishoudens groter dan inwoners"] == ("huishoudens__groter_dan__inwoners", [False])
    in_set = next(e for e in suite.expectations if e.meta["regel"] == "onbekende wijkcode")
    assert (in_set.column, list(in_set.value_set)) == ("wijkcode__bekend", [True])
    future = next(e for e in suite.expectations if e.meta["regel"] == "datum ligt in de toekomst")
    assert future.max_value == 20250630


def test_datum_als_getal() -> None:
    assert datum_als_getal(date(2015, 1, 1)) == 20150101


def test_survey_weight_is_plausible_and_configurable() -> None:
    def gewicht_rule(suite):
        return next(e for e in suite.expectations if e.meta["kolom"] == "gewicht" and e.meta["regel"].startswith("waarde moet"))

    default = gewicht_rule(build_suite(BRONNEN["bewonersenquete"], VANDAAG))
    assert (default.min_value, default.max_value, default.strict_min) == (0, 100, True)
    assert default.meta["regel"] == "waarde moet > 0 en <= 100 zijn"
    configured = gewicht_rule(build_suite(BRONNEN["clientervaring"], VANDAAG, max_gewicht=250))
    assert configured.max_value == 250


def test_keys_and_codes_hold_no_control_characters_and_are_at_most_100_long() -> None:
    suite = build_suite(BRONNEN["ondersteuning"], VANDAAG)
    rules = {(e.meta["kolom"], e.meta["regel"]) for e in suite.expectations}
    for kolom in ("traject_id", "persoon_id", "huishouden_id", "professional_id", "voorziening", "aanbieder"):
        assert (kolom, "tekst bevat een stuurteken (NUL, tab of regeleinde)") in rules
        assert (kolom, "tekst langer dan 100 tekens") in rules


def test_kenmerken_rules_written_out() -> None:
    """The optional source kenmerken (issue 12): known wijk, a date not in the future, a finite plausible number."""
    suite = build_suite(BRONNEN["kenmerken"], VANDAAG)
    rules = {(e.meta["kolom"], e.meta["regel"]) for e in suite.expectations}
    assert {("peildatum", "datum ligt in de toekomst"), ("wijkcode", "onbekende wijkcode"),
            ("kenmerk", "verplichte waarde ontbreekt"), ("waarde", "verplichte waarde ontbreekt")} <= rules
    bereik = next(e for e in suite.expectations if e.meta["kolom"] == "waarde" and "bereik" in e.meta["regel"])
    assert (bereik.min_value, bereik.max_value) == (-1e9, 1e9)


def test_flags_are_the_rules_they_replace() -> None:
    """A parse flag is set exactly when text came without a value; a pair flag is NULL when a side is missing."""
    import duckdb

    from expectations.suites import flag_sql

    con = duckdb.connect()
    con.execute("CREATE TABLE t (n__tekst VARCHAR, n BIGINT, groot BIGINT, klein BIGINT)")
    con.execute("INSERT INTO t VALUES ('5', 5, 3, 3), ('x', NULL, 3, 4), (NULL, NULL, NULL, 4), (' ', NULL, 3, NULL)")
    rows = con.execute(
        f"SELECT {flag_sql('n__onleesbaar')}, {flag_sql('klein__groter_dan__groot')} FROM t ORDER BY rowid"
    ).fetchall()
    assert rows == [(False, False), (True, True), (False, None), (True, None)]
    assert flag_sql("n") is None
