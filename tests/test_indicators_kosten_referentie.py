"""Cross-check of the costs: the published table `kosten` equals the independent reference
(benchmarks/reference.kosten_compute, written from indicators.md v2 "Costs") on a hand-computed data set
and on random data sets with the edge cases put in (tests/fixtures/kosten_referentie.py); the demo data
is compared in tests/test_generate.py."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
from fixtures.indicators import insert_tuples
from fixtures.indicators_referentie import random_staging
from fixtures.kosten_referentie import KEY, assert_kosten_match, random_kosten, reference

from etl.staging import create_staging_tables
from indicators.compute import compute_publication
from indicators.config import MonitorConfig


def _frames(con: duckdb.DuckDBPyConnection) -> reference.Frames:
    return reference.read_staging(con, reference.KOSTEN_TABLES)


def _published(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return compute_publication(con, MonitorConfig())["kosten"].to_pandas()


def _hand_staging() -> duckdb.DuckDBPyConnection:
    """Gemeente GM9999 = gebied GB1 = wijken WK1 (205 inwoners) and WK2 (8 inwoners); P = 2016-01-01 and
    2017-01-01, so W = 2015-01-01..2015-12-31 (365 days) and 2016-01-01..2016-12-31 (366 days)."""
    con = duckdb.connect()
    create_staging_tables(con)
    con.executemany("insert into ref_gebieden values (?, ?, 'GB1', 'Gebied 1', 'GM9999', 'Testgemeente', "
                    "date '2010-01-01', null, null)", [("WK1", "Wijk 1"), ("WK2", "Wijk 2")])
    insert_tuples(con, "stg_bevolking", [(date(y, 1, 1), w, n, 0, 100) for y in (2016, 2017)
                                          for w, n in (("WK1", 205), ("WK2", 8))])
    d = date
    insert_tuples(con, "stg_kosten", [
        ("L1", "P1", "WK1", "wmo", "A", d(2014, 12, 31), d(2015, 1, 1), 200.0),  # 1 of 2 days in W(2016): 100
        ("L2", "P2", "WK1", "wmo", "A", d(2015, 12, 31), d(2015, 12, 31), 50.0),  # last day of W(2016): 50
        ("L3", "P3", "WK1", "jeugdwet", "A", d(2015, 12, 31), d(2016, 1, 1), 80.0),  # 40 in each window
        ("L4", "P4", "WK1", "jeugdwet", "A", d(2015, 1, 1), d(2015, 12, 31), 100.0),
        ("L5", "P4", "WK1", "jeugdwet", "A", d(2015, 1, 1), d(2015, 12, 31), -30.0),  # a correction: P4 70
        ("L6", "P5", "WK1", "wmo", "A", d(2015, 7, 1), d(2015, 7, 10), 60.0),
        ("L7", "P6", "WK1", "participatiewet", "A", d(2015, 3, 1), d(2015, 3, 1), 90.0),
        ("L8", "P6", "WK2", "wmo", "A", d(2015, 5, 1), d(2015, 5, 1), 10.0),  # P6 in two wijken
        ("L9", "P7", "WK1", "wmo", "A", d(2016, 1, 1), d(2016, 1, 1), 1000.0),  # first day of W(2017) only
        ("L10", "P8", "WK1", "wmo", "A", d(2014, 12, 31), d(2014, 12, 31), 1000.0),  # before both windows
        *[(f"L{i}", f"P{i}", "WK1", "wmo", "A", d(2016, 6, 1), d(2016, 6, 1), 10.0) for i in (11, 12, 13)],
    ])
    return con


def test_reference_costs_by_hand():
    cells = reference.kosten_compute(_frames(_hand_staging()))
    cell = cells.set_index(["peildatum", "niveau", "gebiedcode", "wet"])
    wk1 = cell.loc[(pd.Timestamp("2016-01-01"), "wijk", "WK1", "totaal")]
    # 100 + 50 + 40 + 70 + 60 + 90 = 410 over P1..P6; a_p 100, 90 the largest: 190 <= 0.85 x 410
    assert (wk1.bedrag, wk1.clienten, wk1.inwoners) == (pytest.approx(410), 6, 205)
    assert (wk1.kosten_per_inwoner, wk1.kosten_per_client) == (pytest.approx(2.0), pytest.approx(410 / 6))
    assert not wk1.onderdrukt
    wmo = cell.loc[(pd.Timestamp("2016-01-01"), "wijk", "WK1", "wmo")]  # P1, P2, P5: 3 contributors
    assert (wmo.bedrag, wmo.clienten, wmo.onderdrukt_dominantie) == (pytest.approx(210), 3, True)
    wk2 = cell.loc[(pd.Timestamp("2016-01-01"), "wijk", "WK2", "totaal")]
    assert (wk2.bedrag, wk2.clienten, wk2.onderdrukt_dominantie, wk2.onderdrukt_inwoners) == (10, 1, True, True)
    gebied = cell.loc[(pd.Timestamp("2016-01-01"), "gebied", "GB1", "totaal")]  # P6 once, a_p = 100
    assert (gebied.bedrag, gebied.clienten, gebied.inwoners, gebied.onderdrukt) == (pytest.approx(420), 6, 213, False)
    # W(2017): P3 40, P7 1000, P11-P13 10 each: 5 contributors, 1040 > 0.85 x 1070
    later = cell.loc[(pd.Timestamp("2017-01-01"), "wijk", "WK1", "totaal")]
    assert (later.bedrag, later.clienten, later.onderdrukt_dominantie) == (pytest.approx(1070), 5, True)


def test_published_costs_by_hand_match_the_reference():
    con = _hand_staging()
    published = _published(con)
    merged = assert_kosten_match(_frames(con), published)
    gebied = published.set_index(KEY).loc[(date(2016, 1, 1), "gebied", "GB1", "totaal")]
    assert (gebied.bedrag, gebied.clienten, gebied.inwoners) == (pytest.approx(420), 6, 213)
    assert merged["onderdrukt"].sum() > merged["onderdrukt_ref"].sum()  # complementary suppression on top


@pytest.mark.integration  # random data sets through the whole computation
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_published_costs_match_the_reference_on_random_data(seed):
    con = random_staging(seed, personen=300, wijken=7)
    random_kosten(con, seed)
    merged = assert_kosten_match(_frames(con), _published(con))
    # the data must exercise what the comparison is about: dominance with enough contributors, most shown
    assert (merged["onderdrukt_dominantie"] & (merged["clienten_ref"] >= 5)).any()
    assert (~merged["onderdrukt"]).sum() > len(merged) / 2


@pytest.mark.integration
def test_small_wijk_missing_population_and_a_peildatum_without_costs_match_the_reference():
    con = random_staging(14, personen=300, wijken=7)
    random_kosten(con, 14)
    wijken = [code for (code,) in con.execute("select wijkcode from ref_gebieden order by wijkcode").fetchall()]
    con.execute("update stg_bevolking set inwoners = 7 where wijkcode = ?", [wijken[1]])
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [wijken[2], date(2016, 1, 1)])
    con.execute("delete from stg_kosten where periode_eind >= date '2016-01-01'")  # nothing in W(2017-01-01)
    merged = assert_kosten_match(_frames(con), _published(con))
    klein = merged[(merged["gebiedcode"] == wijken[1]) & ~merged["ontbreekt_inwoner"]]
    assert klein["onderdrukt_inwoners"].all() and klein["onderdrukt"].all()
    zonder = merged[(merged["peildatum"] == date(2016, 1, 1)) & merged["ontbreekt_inwoner"]]
    assert set(zonder["niveau"]) == {"wijk", "gebied", "gemeente"}
    assert zonder["kosten_per_client"].notna().any()  # the per-client figure needs no population
    assert merged.loc[merged["peildatum"] == date(2017, 1, 1), "ontbreekt_client"].all()


def test_boundaries_of_the_suppression_rule_by_hand():
    """WK1 exactly 10 inwoners and 5 contributors, one of them with lines that cancel out (a_p = 0, still
    a contributor); a_p 50, 35, 10, 5, 0: the two largest are exactly 0.85 A, which does not exceed it.
    WK2 has 9 inwoners and the same lines: suppressed per inhabitant only."""
    con = duckdb.connect()
    create_staging_tables(con)
    con.executemany("insert into ref_gebieden values (?, ?, ?, 'Gebied', 'GM9999', 'Testgemeente', "
                    "date '2010-01-01', null, null)", [("WK1", "Wijk 1", "GB1"), ("WK2", "Wijk 2", "GB2")])
    insert_tuples(con, "stg_bevolking", [(date(2016, 1, 1), "WK1", 10, 0, 5), (date(2016, 1, 1), "WK2", 9, 0, 5)])
    day = date(2015, 6, 1)
    lines = [("Q1", 50.0), ("Q2", 35.0), ("Q3", 10.0), ("Q4", 5.0), ("Q5", 100.0), ("Q5", -100.0)]
    insert_tuples(con, "stg_kosten", [(f"{w}-{i}", persoon, w, "wmo", "A", day, day, bedrag)
                                      for w in ("WK1", "WK2") for i, (persoon, bedrag) in enumerate(lines)])
    cells = reference.kosten_compute(_frames(con)).set_index(KEY)
    for wijk, per_inwoner in (("WK1", False), ("WK2", True)):
        cell = cells.loc[(pd.Timestamp("2016-01-01"), "wijk", wijk, "wmo")]
        assert (cell.bedrag, cell.clienten, cell.onderdrukt_dominantie) == (100, 5, False)
        assert (cell.onderdrukt_inwoners, cell.onderdrukt) == (per_inwoner, per_inwoner)
    merged = assert_kosten_match(_frames(con), _published(con)).set_index(KEY)
    # WK1 is then hidden only to protect WK2 (gemeente = GB1 + GB2)
    assert merged.loc[(date(2016, 1, 1), "wijk", "WK1", "wmo"), "onderdrukking"] == "aanvullend"


def test_without_the_optional_source_there_are_no_cost_cells():
    con = random_staging(21, personen=200, wijken=5)
    assert reference.kosten_compute(_frames(con)).empty
    assert _published(con).empty
