"""Edge rules of "Comparing fairly" (indicators.md v2), each checked by hand on BOTH the product
(indicators/vergelijking.py) and the test reference (benchmarks/reference.py): the reference was written by the
same hand as the product, so a shared misreading would pass the random cross-check unnoticed."""

from __future__ import annotations

import math
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import polars as pl
import pytest
from test_indicators_vergelijkbare_wijken import (
    PEILDATA, WERKWIJZE, A, B, C, D, P, _n_eff, _values, _warehouse,
)

from indicators import vergelijking
from indicators.config import Werkwijze

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import reference  # noqa: E402

E = "WK000005"


def _frames(con) -> reference.Frames:
    frames = {}
    for table in ("stg_bevolking", "stg_kenmerken"):
        frame = con.execute(f"select * from {table}").df()
        frames[table] = frame.assign(peildatum=pd.to_datetime(frame.peildatum))
    return frames


def _product_used(con, kenmerken=None) -> set[str]:
    context = vergelijking.context_table(con, kenmerken)
    return set(context.filter(pl.col("gebruikt"))["kenmerk"])


def _reference_used(con, kenmerken=None) -> set[str]:
    return set(reference.context_on(_frames(con), pd.Timestamp(P), kenmerken).columns)


def _product_buren(con, k: int) -> dict[tuple[str, int], tuple[str, float]]:
    buren = vergelijking.neighbours(vergelijking.context_table(con, None), k)
    return {(r["wijkcode"], r["rang"]): (r["buur_wijkcode"], r["afstand"]) for r in buren.to_dicts()}


def _reference_buren(con, k: int) -> dict[tuple[str, int], tuple[str, float]]:
    buren = reference.similar_wijken(reference.context_on(_frames(con), pd.Timestamp(P)), k)
    return {(r.wijkcode, r.rang): (r.buur_wijkcode, r.afstand) for r in buren.itertuples()}


BUREN = (_product_buren, _reference_buren)


def test_a_kenmerk_missing_for_a_wijk_on_its_latest_date_is_left_out_never_filled_from_an_older_year():
    """'oud' 2018: 1 2 3 4 for A-D; 2019 only for A, B, C. Its latest peildatum on or before P is 2019, where D has
    no figure: D's 2018 figure would compare D's 2018 with the others' 2019, so the kenmerk is missing for D and
    left out. 'traag' is delivered for 2018 only (a kenmerk that lags): its latest date is 2018, for every wijk."""
    con = _warehouse()
    rows = [[date(2018, 1, 1), w, "oud", float(i)] for i, w in enumerate((A, B, C, D), start=1)]
    rows += [[date(2019, 1, 1), w, "oud", 10.0 * i] for i, w in enumerate((A, B, C), start=1)]
    rows += [[date(2018, 1, 1), w, "traag", float(i % 2)] for i, w in enumerate((A, B, C, D))]
    con.executemany("insert into stg_kenmerken values (?, ?, ?, ?)", rows)
    context = vergelijking.context_table(con, None)
    oud = {r["wijkcode"]: r for r in context.filter(pl.col("kenmerk") == "oud").to_dicts()}
    assert (oud[A]["waarde"], oud[A]["bron_peildatum"]) == (10.0, date(2019, 1, 1))
    assert oud[D]["waarde"] is None and oud[D]["bron_peildatum"] is None
    traag = context.filter(pl.col("kenmerk") == "traag")
    assert set(traag["bron_peildatum"]) == {date(2018, 1, 1)} and traag["gebruikt"].all()
    expected = {"aandeel_0_17", "personen_per_huishouden", "inkomen", "traag"}
    assert _product_used(con) == _reference_used(con) == expected


@pytest.mark.parametrize("buren", BUREN)
def test_k_larger_than_the_other_wijken_gives_all_other_wijken(buren):
    rows = buren(_warehouse(), 10)
    assert sorted(rows) == [(w, rang) for w in (A, B, C, D) for rang in (1, 2, 3)]
    # A: B 2 and C 2 (a tie, by wijkcode), then D sqrt(4 + 16/3 + 4) (three z-score differences, see _warehouse)
    assert [rows[(A, r)][0] for r in (1, 2, 3)] == [B, C, D]
    assert rows[(A, 3)][1] == pytest.approx(math.sqrt(4 + 16 / 3 + 4))


@pytest.mark.parametrize("buren", BUREN)
def test_a_wijk_without_bevolking_row_on_p_is_neither_standardised_nor_anyones_neighbour(buren):
    """E has kenmerken but no bevolking row on P: the z-scores stay those of A-D (hand values of _warehouse)."""
    con = _warehouse()
    con.execute("insert into stg_kenmerken values (?, ?, ?, ?)", [date(2019, 1, 1), E, "inkomen", 10.0])
    con.execute("insert into stg_bevolking values (?, ?, ?, ?, ?)", [date(2019, 1, 1), E, 100, 20, 50])  # not P
    rows = buren(con, 2)
    assert {w for w, _ in rows} == {A, B, C, D} and E not in {b for b, _ in rows.values()}
    assert rows[(B, 2)] == (C, pytest.approx(math.sqrt(8)))
    assert rows[(D, 1)] == (B, pytest.approx(math.sqrt(28 / 3)))


def test_a_wijk_without_inwoners_makes_both_bevolking_variables_missing_so_they_are_left_out():
    """A with 0 inwoners and 0 huishoudens: aandeel_0_17 and personen_per_huishouden are undefined for A (not 0),
    so both are missing for one wijk and left out; inkomen alone decides."""
    con = _warehouse()
    con.execute("update stg_bevolking set inwoners = 0, inwoners_0_17 = 0, huishoudens = 0 where wijkcode = ?", [A])
    assert _product_used(con) == _reference_used(con) == {"inkomen"}
    for buren in BUREN:  # inkomen 10 30 10 30 -> z -1 1 -1 1: A's nearest is C at 0, then B at 2 (B before D)
        rows = buren(con, 2)
        assert rows[(A, 1)] == (C, pytest.approx(0.0)) and rows[(A, 2)] == (B, pytest.approx(2.0))


def test_reference_value_of_the_reference_leaves_suppressed_and_missing_out():
    values = pd.DataFrame({"wijkcode": [A, B, C], "waarde": [10.0, None, 30.0], "onderdrukt": [False, True, False]})
    assert reference.reference_value([A, B, C], values) == (20.0, 2, 1)  # unweighted (10 + 30) / 2, B suppressed
    assert reference.reference_value([B, D], values) == (None, 0, 1)     # D has no row: missing, not suppressed


def _reference_did(werkwijze: Werkwijze, enquete: bool) -> dict:
    published = _values().select("peildatum", "wijkcode", "waarde").to_pandas()
    n_eff = _n_eff().rename({"gebiedcode": "wijkcode"}).drop("indicator").to_pandas() if enquete else None
    result = reference.verschil_in_verschil(published, werkwijze.wijken, pd.Timestamp(werkwijze.startdatum),
                                            PEILDATA, n_eff)
    return {row.peildatum.date(): row._asdict() for row in result.itertuples()}


def _product_did(werkwijze: Werkwijze, enquete: bool) -> dict:
    indicator = SimpleNamespace(id="i", soort="enquete" if enquete else "register")
    return {r["peildatum"]: r for r in vergelijking.difference_in_differences(
        werkwijze, indicator, PEILDATA, _values(), _n_eff()).to_dicts()}


@pytest.mark.parametrize("did", (_product_did, _reference_did))
def test_a_start_on_a_peildatum_compares_from_that_peildatum_and_only_later_ones(did):
    """S = 2017-01-01 is itself a peildatum: P_S = S and the only P > S is 2018. Group: G1 56-55 = 1, G2 61-62 = -1,
    G3 missing on P -> mean 0; others: O1 1, O2 3, O3 1 -> 5/3. DiD -5/3."""
    op_peildatum = Werkwijze("Op", "test", WERKWIJZE.wijken, date(2017, 1, 1))
    rows = did(op_peildatum, enquete=False)
    assert list(rows) == [date(2018, 1, 1)]
    [row] = rows.values()
    assert pd.Timestamp(row["peildatum_start"]).date() == date(2017, 1, 1)
    assert row["did"] == pytest.approx(-5 / 3)
    assert (row["groep_n"], row["groep_weggelaten"], row["overig_n"], row["overig_weggelaten"]) == (2, 1, 3, 0)


def test_the_reference_interval_is_the_hand_computed_one():
    """The same hand values as the product's test (test_indicators_vergelijkbare_wijken): on 2017 the group's changes
    have variances v(P) + v(P_S) with v = 100^2 p (1 - p) / 100, the mean of m changes sum / m^2."""
    eerst = _reference_did(WERKWIJZE, enquete=True)[date(2017, 1, 1)]
    groep = (24.75 + 25) + (23.56 + 24) + (24.64 + 24)
    overig = (24.99 + 25) + (21.39 + 21)
    marge = 1.96 * math.sqrt(groep / 9 + overig / 4)
    assert eerst["did"] == pytest.approx(11 / 3)
    assert (eerst["ci_laag"], eerst["ci_hoog"]) == (pytest.approx(11 / 3 - marge), pytest.approx(11 / 3 + marge))
    assert _reference_did(WERKWIJZE, enquete=False)[date(2017, 1, 1)]["ci_laag"] is None  # registers: no interval


@pytest.mark.parametrize("did", (_product_did, _reference_did))
def test_a_group_wijk_without_any_published_value_is_left_out_and_counted(did):
    """X9 is configured but has no published row: left out and counted, never taken as 0. Group G1 alone:
    2017 55-50 = 5; others (everything but G1 and X9): O1 1, O2 -1, G2 2, G3 4 (O3 missing on P_S) -> 6/4."""
    met_onbekende = Werkwijze("Onbekend", "test", ("G1", "X9"), WERKWIJZE.startdatum)
    row = did(met_onbekende, enquete=False)[date(2017, 1, 1)]
    assert (row["groep_n"], row["groep_weggelaten"], row["overig_n"], row["overig_weggelaten"]) == (1, 1, 4, 1)
    assert row["did"] == pytest.approx(5 - 6 / 4)
