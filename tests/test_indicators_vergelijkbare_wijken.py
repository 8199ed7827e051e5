"""indicators/vergelijking.py: context, similar wijken, reference values and verschil-in-verschil,
against values computed by hand from indicators.md v2 ("Comparing fairly")."""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import duckdb
import polars as pl
import pytest

from etl.contract import BRONNEN, staging_ddl
from indicators import registry, vergelijking
from indicators.config import Werkwijze

P = date(2020, 1, 1)
A, B, C, D = "WK000001", "WK000002", "WK000003", "WK000004"


def _warehouse() -> duckdb.DuckDBPyConnection:
    """Four wijken on P. aandeel_0_17 .2 .2 .4 .4 -> z -1 -1 1 1; personen_per_huishouden 2 2 2 4 -> mean 2.5,
    pop. SD sqrt(.75), z -1/sqrt3 x3, sqrt3; inkomen (2019 figure; the 2021 one is after P) 10 30 10 30 -> z -1 1 -1 1.
    'leeg' is missing for D and 'vlak' has zero spread: both left out."""
    con = duckdb.connect()
    for bron in ("bevolking", "kenmerken"):
        con.execute(staging_ddl(BRONNEN[bron]))
    con.execute("create temp table wm_peildata as select date '2020-01-01' as peildatum")
    con.executemany("insert into stg_bevolking values (?, ?, ?, ?, ?)",
                    [[P, A, 100, 20, 50], [P, B, 100, 20, 50], [P, C, 100, 40, 50], [P, D, 100, 40, 25]])
    rows = [[date(2019, 1, 1), w, "inkomen", v] for w, v in ((A, 10), (B, 30), (C, 10), (D, 30))]
    rows += [[date(2021, 1, 1), w, "inkomen", 99.0] for w in (A, B, C, D)]
    rows += [[date(2019, 1, 1), w, "leeg", 1.0 + i] for i, w in enumerate((A, B, C))]
    rows += [[date(2018, 1, 1), w, "vlak", 5.0] for w in (A, B, C, D)]
    con.executemany("insert into stg_kenmerken values (?, ?, ?, ?)", rows)
    return con


def test_context_takes_the_latest_kenmerk_on_or_before_p_and_leaves_out_incomplete_and_flat_ones():
    context = vergelijking.context_table(_warehouse(), None)
    of_a = {r["kenmerk"]: r for r in context.filter(pl.col("wijkcode") == A).to_dicts()}
    assert of_a["aandeel_0_17"]["waarde"] == pytest.approx(0.2)
    assert of_a["personen_per_huishouden"]["waarde"] == pytest.approx(2.0)
    assert of_a["inkomen"]["waarde"] == 10.0 and of_a["inkomen"]["bron_peildatum"] == date(2019, 1, 1)
    assert of_a["inkomen"]["bron"] == "kenmerken" and of_a["aandeel_0_17"]["bron"] == "bevolking"
    used = {r["kenmerk"]: r["gebruikt"] for r in context.to_dicts()}
    assert used == {"aandeel_0_17": True, "personen_per_huishouden": True, "inkomen": True,
                    "leeg": False, "vlak": False}


def test_configured_kenmerken_limit_the_context():
    context = vergelijking.context_table(_warehouse(), ("vlak",))
    assert set(context["kenmerk"]) == {"aandeel_0_17", "personen_per_huishouden", "vlak"}


def test_distances_and_neighbours_with_ties_by_wijkcode():
    buren = vergelijking.neighbours(vergelijking.context_table(_warehouse(), None), 2)
    rows = {(r["wijkcode"], r["rang"]): (r["buur_wijkcode"], r["afstand"]) for r in buren.to_dicts()}
    # A-B: only inkomen differs (2); A-C: only aandeel_0_17 (2): a tie, B first by wijkcode
    assert rows[(A, 1)] == (B, pytest.approx(2.0)) and rows[(A, 2)] == (C, pytest.approx(2.0))
    # B-C: sqrt(2^2 + 2^2); B-A 2
    assert rows[(B, 1)] == (A, pytest.approx(2.0)) and rows[(B, 2)] == (C, pytest.approx(math.sqrt(8)))
    # D-B and D-C: sqrt(2^2 + (4/sqrt3)^2) = sqrt(28/3) each, a tie; D-A sqrt(4 + 16/3 + 4) is further
    assert rows[(D, 1)] == (B, pytest.approx(math.sqrt(28 / 3)))
    assert rows[(D, 2)] == (C, pytest.approx(math.sqrt(28 / 3)))
    assert len(buren) == 8 and set(buren["kenmerken"]) == {"aandeel_0_17, inkomen, personen_per_huishouden"}
    assert all(r["wijkcode"] != r["buur_wijkcode"] for r in buren.to_dicts())


def test_reference_value_leaves_suppressed_and_missing_neighbours_out_and_counts_them():
    buren = vergelijking.neighbours(vergelijking.context_table(_warehouse(), None), 2)
    waarden = pl.DataFrame({
        "indicator": ["x"] * 4, "peildatum": [P] * 4, "wijkcode": [A, B, C, D],
        "waarde": [10.0, None, 30.0, None], "onderdrukt": [False, True, False, False],
    })
    ref = {r["wijkcode"]: r for r in vergelijking.reference_values(buren, waarden).to_dicts()}
    assert (ref[A]["waarde"], ref[A]["n_buren"], ref[A]["n_onderdrukt"]) == (30.0, 1, 1)   # B suppressed, C 30
    assert (ref[B]["waarde"], ref[B]["n_buren"], ref[B]["n_onderdrukt"]) == (20.0, 2, 0)   # (10 + 30) / 2
    assert (ref[C]["waarde"], ref[C]["n_buren"], ref[C]["n_onderdrukt"]) == (10.0, 1, 1)   # A 10, B suppressed
    assert (ref[D]["waarde"], ref[D]["n_buren"]) == (30.0, 1)
    # a neighbour without a figure that is not suppressed (onvoldoende gegevens) is counted apart
    waarden = waarden.with_columns(pl.when(pl.col("wijkcode") == A).then(None).otherwise(pl.col("waarde")).alias("waarde"))
    ref = {r["wijkcode"]: r for r in vergelijking.reference_values(buren, waarden).to_dicts()}
    assert (ref[B]["waarde"], ref[B]["n_buren"], ref[B]["n_onderdrukt"], ref[B]["n_ontbrekend"]) == (30.0, 1, 0, 1)
    assert ref[C]["waarde"] is None and ref[C]["n_buren"] == 0


PEILDATA = [date(2016, 1, 1), date(2017, 1, 1), date(2018, 1, 1)]
WERKWIJZE = Werkwijze("Integraal", "test", ("G1", "G2", "G3"), date(2016, 6, 1))
# value per wijk on 2016 (P_S), 2017, 2018; None = no published value
VALUES = {
    "G1": (50, 55, 56), "G2": (60, 62, 61), "G3": (40, 44, None),
    "O1": (50, 51, 52), "O2": (70, 69, 72), "O3": (None, 40, 41),
}


def _values() -> pl.DataFrame:
    return pl.DataFrame(
        [{"indicator": "i", "peildatum": p, "wijkcode": w, "waarde": None if v is None else float(v),
          "onderdrukt": v is None} for w, vs in VALUES.items() for p, v in zip(PEILDATA, vs)],
        schema={"indicator": pl.String, "peildatum": pl.Date, "wijkcode": pl.String, "waarde": pl.Float64,
                "onderdrukt": pl.Boolean})


def _n_eff() -> pl.DataFrame:
    return pl.DataFrame({"indicator": "i", "peildatum": [p for p in PEILDATA for _ in VALUES],
                         "gebiedcode": list(VALUES) * len(PEILDATA), "n_eff": 100.0})


@pytest.mark.parametrize("soort", sorted({i.soort for i in registry.INDICATORS}))
def test_difference_in_differences_with_left_out_wijken(soort):
    indicator = SimpleNamespace(id="i", soort=soort)
    rows = {r["peildatum"]: r for r in vergelijking.difference_in_differences(
        WERKWIJZE, indicator, PEILDATA, _values(), _n_eff()).to_dicts()}
    assert sorted(rows) == PEILDATA[1:]  # P > S only; P_S = 2016-01-01 (last on or before S)
    eerst = rows[date(2017, 1, 1)]
    assert eerst["peildatum_start"] == date(2016, 1, 1)
    # group 5, 2, 4 -> 11/3; others 1, -1 -> 0 (O3 has no value on P_S: left out)
    assert eerst["did"] == pytest.approx(11 / 3)
    assert (eerst["groep_n"], eerst["overig_n"], eerst["groep_weggelaten"], eerst["overig_weggelaten"]) == (3, 2, 0, 1)
    assert eerst["groep_verandering"] == pytest.approx(11 / 3) and eerst["overig_verandering"] == pytest.approx(0)
    tweede = rows[date(2018, 1, 1)]
    # group 6, 1 (G3 missing on P) -> 3.5; others 2, 2 -> 2
    assert tweede["did"] == pytest.approx(1.5)
    assert (tweede["groep_n"], tweede["groep_weggelaten"], tweede["overig_n"], tweede["overig_weggelaten"]) == (2, 1, 2, 1)
    if soort == "enquete":
        # v = 100^2 p (1 - p) / 100 per wijk and peildatum; a change has v(P) + v(P_S)
        groep = (24.75 + 25) + (23.56 + 24) + (24.64 + 24)
        overig = (24.99 + 25) + (21.39 + 21)
        marge = 1.96 * math.sqrt(groep / 9 + overig / 4)
        assert eerst["ci_laag"] == pytest.approx(11 / 3 - marge) and eerst["ci_hoog"] == pytest.approx(11 / 3 + marge)
    else:
        assert eerst["ci_laag"] is None and eerst["ci_hoog"] is None


def test_no_peildatum_before_the_start_gives_no_comparison():
    late = Werkwijze("Vroeg", "test", ("G1",), date(2015, 6, 1))
    indicator = SimpleNamespace(id="i", soort="register")
    assert vergelijking.difference_in_differences(late, indicator, PEILDATA, _values(), _n_eff()).is_empty()


def test_a_group_without_any_complete_wijk_has_no_difference():
    alleen_g3 = Werkwijze("G3", "test", ("G3",), date(2017, 6, 1))
    indicator = SimpleNamespace(id="i", soort="enquete")
    [row] = vergelijking.difference_in_differences(alleen_g3, indicator, PEILDATA, _values(), _n_eff()).to_dicts()
    assert row["did"] is None and row["ci_laag"] is None and row["groep_weggelaten"] == 1 and row["groep_n"] == 0


def test_identical_values_with_float_noise_in_their_spread_count_as_zero_spread():
    """0.7 for three wijken has a population SD of 1.1e-16 in floating point, not 0: dividing by it would let a
    constant variable decide the distance. It is left out like any variable with zero spread."""
    con = _warehouse()
    con.execute("delete from stg_bevolking where wijkcode = ?", [D])
    con.executemany("insert into stg_kenmerken values (?, ?, ?, ?)", [[date(2019, 1, 1), w, "ruis", 0.7] for w in (A, B, C)])
    assert pl.Series([0.7] * 3).std(ddof=0) > 0  # the noise this rule is for
    used = {r["kenmerk"]: r["gebruikt"] for r in vergelijking.context_table(con, None).to_dicts()}
    assert used["ruis"] is False and used["inkomen"] is True


def test_a_delivered_kenmerk_named_like_a_bevolking_variable_does_not_replace_it():
    con = _warehouse()
    con.executemany("insert into stg_kenmerken values (?, ?, ?, ?)",
                    [[date(2019, 1, 1), w, "aandeel_0_17", 0.9] for w in (A, B, C, D)])
    context = vergelijking.context_table(con, None)
    rows = context.filter((pl.col("wijkcode") == A) & (pl.col("kenmerk") == "aandeel_0_17")).to_dicts()
    assert [(r["waarde"], r["bron"]) for r in rows] == [(pytest.approx(0.2), "bevolking")]


def test_a_kenmerk_asked_for_but_missing_is_a_row_without_a_value_never_a_guess():
    context = vergelijking.context_table(_warehouse(), ("leeg", "nooit_geleverd"))
    of_d = {r["kenmerk"]: r for r in context.filter(pl.col("wijkcode") == D).to_dicts()}
    assert of_d["leeg"]["waarde"] is None and of_d["leeg"]["bron_peildatum"] is None and not of_d["leeg"]["gebruikt"]
    assert context.filter(pl.col("kenmerk") == "nooit_geleverd")["waarde"].null_count() == 4
    assert not context.filter(pl.col("kenmerk").is_in(["leeg", "nooit_geleverd"]))["gebruikt"].any()
    # an empty list: bevolking's two variables only
    assert set(vergelijking.context_table(_warehouse(), ())["kenmerk"]) == set(vergelijking.BEVOLKING_KENMERKEN)
