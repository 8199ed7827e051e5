"""Costs per wijk (indicators.md v2 "Costs"): proration, persons per area, dominance, suppression, gaps.

Windows: W(2015-01-01) = 2014-01-01 .. 2014-12-31 (365 days), W(2016-01-01) = 2015-01-01 .. 2015-12-31.
Every expected figure is worked out by hand in the test.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from indicators.compute import compute_publication
from indicators.config import MonitorConfig
from indicators.kosten import FIGUREN, REDEN_BRON, dominant, recoverable_kosten
from fixtures.indicators import GEBIEDEN, GEMEENTE, NOORD, NOORD_A, NOORD_B, P0, P1, ZUID, ZUID_A, insert, staging

JAAR_2014 = (date(2014, 1, 1), date(2014, 12, 31))


def _lijn(kosten_id, persoon_id, wijkcode, bedrag, periode=JAAR_2014, wet="wmo"):
    return {"kosten_id": kosten_id, "persoon_id": persoon_id, "wijkcode": wijkcode, "wet": wet,
            "voorziening": "begeleiding", "periode_begin": periode[0], "periode_eind": periode[1], "bedrag": bedrag}


def _kosten(con):
    return compute_publication(con, MonitorConfig())["kosten"]


def _row(table, peildatum, gebiedcode, wet="totaal"):
    rows = [r for r in table.to_pylist()
            if r["peildatum"] == peildatum and r["gebiedcode"] == gebiedcode and r["wet"] == wet]
    assert len(rows) == 1
    return rows[0]


def test_proration_at_window_edges_one_day_periods_and_corrections():
    con = staging()
    insert(con, "stg_kosten", [
        _lijn("k1", "p1", NOORD_A, 1000.0),                                         # all in W(P0)
        _lijn("k2", "p2", NOORD_A, 620.0, (date(2014, 12, 1), date(2015, 1, 31))),  # 62 days: 31 + 31
        _lijn("k3", "p3", NOORD_A, 100.0, (date(2014, 12, 31), date(2014, 12, 31))),  # one day, last of W(P0)
        _lijn("k4", "p4", NOORD_A, 1000.0),
        _lijn("k5", "p4", NOORD_A, -50.0),                                          # a correction
        _lijn("k6", "p5", NOORD_A, 500.0, (date(2015, 1, 1), date(2015, 1, 1))),    # P0 itself: not in W(P0)
        _lijn("k7", "p6", NOORD_A, 1000.0),
        _lijn("k8", "p7", NOORD_A, 800.0, (date(2013, 7, 1), date(2014, 6, 30))),   # 365 days, 181 in W(P0)
    ])
    kosten = _kosten(con)
    wijk = _row(kosten, P0, NOORD_A)
    bedrag = 1000 + 310 + 100 + 950 + 1000 + 800 * 181 / 365
    assert wijk["bedrag"] == pytest.approx(bedrag)
    assert wijk["clienten"] == 6  # p1, p2, p3, p4 (once), p6, p7
    assert wijk["inwoners"] == 1000
    assert wijk["kosten_per_inwoner"] == pytest.approx(bedrag / 1000)
    assert wijk["kosten_per_client"] == pytest.approx(bedrag / 6)
    assert not wijk["onderdrukt"] and wijk["reden"] is None
    assert _row(kosten, P0, NOORD_A, "wmo")["bedrag"] == pytest.approx(bedrag)
    # W(P1): p2 310 and p5 500 only: two contributors, suppressed, nothing published
    later = _row(kosten, P1, NOORD_A)
    assert later["onderdrukt"] and later["onderdrukking"] == "primair"
    assert later["bedrag"] is None and later["clienten"] is None and later["kosten_per_client"] is None


@pytest.mark.parametrize(
    ("bedragen", "onderdrukt"),
    [
        ([42.5, 42.5, 5.0, 5.0, 5.0], False),        # two largest exactly 0.85 A, exactly 5 contributors
        ([4250.0, 4251.0, 500.0, 500.0, 499.0], True),  # 8501 of 10000: just above
        ([10.0, 10.0, 10.0, 10.0], True),             # four contributors
        ([-42.5, 42.5, 5.0, 5.0, 5.0], False),        # |a_p|: a credit counts by its size, A = 100
    ],
)
def test_dominance_at_the_threshold(bedragen, onderdrukt):
    con = staging()
    insert(con, "stg_kosten", [_lijn(f"k{i}", f"p{i}", ZUID_A, b) for i, b in enumerate(bedragen)])
    cel = _row(_kosten(con), P0, ZUID_A)
    assert cel["onderdrukt"] is onderdrukt
    assert dominant(bedragen) is onderdrukt
    if not onderdrukt:
        assert cel["bedrag"] == pytest.approx(sum(bedragen))
        assert cel["clienten"] == len(bedragen)


def test_a_person_with_lines_in_two_wijken_counts_in_each_and_once_in_the_gebied():
    con = staging()
    insert(con, "stg_kosten", [
        _lijn("x1", "X", NOORD_A, 1000.0), _lijn("x2", "X", NOORD_B, 500.0),
        *[_lijn(f"a{i}", f"a{i}", NOORD_A, 1000.0) for i in range(4)],
        *[_lijn(f"b{i}", f"b{i}", NOORD_B, 1000.0) for i in range(4)],
    ])
    kosten = _kosten(con)
    assert (_row(kosten, P0, NOORD_A)["clienten"], _row(kosten, P0, NOORD_A)["bedrag"]) == (5, 5000.0)
    assert (_row(kosten, P0, NOORD_B)["clienten"], _row(kosten, P0, NOORD_B)["bedrag"]) == (5, 4500.0)
    gebied = _row(kosten, P0, NOORD)
    assert (gebied["clienten"], gebied["bedrag"], gebied["inwoners"]) == (9, 9500.0, 2000)
    assert gebied["kosten_per_client"] == pytest.approx(9500 / 9)
    assert gebied["kosten_per_inwoner"] == pytest.approx(9500 / 2000)
    assert _row(kosten, P0, GEMEENTE)["clienten"] == 9


def _areas() -> pa.Table:
    rows = [{"niveau": "wijk", "gebiedcode": w, "bovenliggend": g, "geldig_van": van, "geldig_tot": tot}
            for w, _, g, _, _, _, van, tot in GEBIEDEN]
    rows += [{"niveau": "gebied", "gebiedcode": g, "bovenliggend": GEMEENTE, "geldig_van": P0, "geldig_tot": None}
             for g in (NOORD, ZUID)]
    return pa.Table.from_pylist(rows)


def test_complementary_suppression_of_a_cost_cell():
    con = staging()
    insert(con, "stg_kosten", [
        *[_lijn(f"a{i}", f"a{i}", NOORD_A, 1000.0) for i in range(5)],
        *[_lijn(f"b{i}", f"b{i}", NOORD_B, 1000.0) for i in range(2)],
        *[_lijn(f"z{i}", f"z{i}", ZUID_A, 1000.0) for i in range(5)],
    ])
    kosten = _kosten(con)
    assert _row(kosten, P0, NOORD_B)["onderdrukking"] == "primair"
    # NOORD (7000, published) minus NOORD_A would give NOORD_B away: NOORD_A goes too
    assert _row(kosten, P0, NOORD_A)["onderdrukking"] == "aanvullend"
    assert _row(kosten, P0, NOORD_A)["bedrag"] is None
    assert _row(kosten, P0, NOORD)["bedrag"] == 7000.0
    assert recoverable_kosten({"kosten": kosten, "areas": _areas()}) == []


def test_planted_dominant_clients_are_never_recoverable():
    con = staging()
    insert(con, "stg_kosten", [
        _lijn("big", "groot", NOORD_A, 1_000_000.0), _lijn("big2", "groot2", NOORD_B, 400_000.0),
        *[_lijn(f"a{i}", f"a{i}", NOORD_A, 100.0) for i in range(6)],
        *[_lijn(f"b{i}", f"b{i}", NOORD_B, 100.0) for i in range(6)],
        *[_lijn(f"z{i}", f"z{i}", ZUID_A, 1000.0) for i in range(6)],
    ])
    kosten = _kosten(con)
    for code in (NOORD_A, NOORD_B, NOORD, GEMEENTE):  # the two large clients dominate every area they are in
        assert _row(kosten, P0, code)["onderdrukt"], code
    assert not _row(kosten, P0, ZUID_A)["onderdrukt"]
    assert recoverable_kosten({"kosten": kosten, "areas": _areas()}) == []
    published = {round(v) for r in kosten.to_pylist() for k, v in r.items()
                 if k in ("bedrag", "kosten_per_inwoner", "kosten_per_client") and v is not None}
    assert not published & {1_000_000, 400_000, 1_000_600, 400_600, 1_400_000, 1_401_200}


def test_no_cost_data_covering_the_window_is_missing_never_zero():
    con = staging()
    insert(con, "stg_kosten", [_lijn(f"k{i}", f"p{i}", ZUID_A, 100.0) for i in range(5)])  # 2014 only
    later = _row(_kosten(con), P1, GEMEENTE)
    assert later["reden"] == REDEN_BRON
    assert later["bedrag"] is None and later["kosten_per_inwoner"] is None and not later["onderdrukt"]


def test_missing_population_takes_the_per_inhabitant_figure_only():
    con = staging()
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [ZUID_A, P0])
    insert(con, "stg_kosten", [_lijn(f"k{i}", f"p{i}", ZUID_A, 100.0) for i in range(5)])
    kosten = _kosten(con)
    for code in (ZUID_A, ZUID, GEMEENTE):
        cel = _row(kosten, P0, code)
        assert cel["kosten_per_inwoner"] is None and cel["inwoners"] is None and ZUID_A in cel["reden"]
        assert cel["kosten_per_client"] == pytest.approx(100.0)
    assert _row(kosten, P0, NOORD)["reden"] is None  # Noord has no costs: nothing missing there


def test_source_never_delivered_publishes_no_rows():
    assert _kosten(staging()).num_rows == 0


def test_inhabitants_below_10_suppress_the_cell():
    con = staging(bevolking={ZUID_A: 9})
    insert(con, "stg_kosten", [_lijn(f"k{i}", f"p{i}", ZUID_A, 100.0) for i in range(5)])
    assert _row(_kosten(con), P0, ZUID_A)["onderdrukking"] == "primair"


def _reference(lines: list[dict], peildatum: date) -> dict[tuple[str, str], tuple[float, int, bool]]:
    """An independent reading of indicators.md "Costs": (area, wet) -> (bedrag, clienten, primarily suppressed)."""
    from collections import defaultdict
    from datetime import timedelta

    begin, end = peildatum.replace(year=peildatum.year - 1), peildatum - timedelta(days=1)
    area_of = {w: (w, g, GEMEENTE) for w, _, g, *_ in GEBIEDEN}
    per_person: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in lines:
        overlap = (min(line["periode_eind"], end) - max(line["periode_begin"], begin)).days + 1
        if overlap <= 0:
            continue
        share = line["bedrag"] * overlap / ((line["periode_eind"] - line["periode_begin"]).days + 1)
        for area in area_of[line["wijkcode"]]:
            for wet in ("totaal", line["wet"]):
                per_person[(area, wet)][line["persoon_id"]] += share
    return {cell: (sum(p.values()), len(p), dominant(list(p.values()))) for cell, p in per_person.items()}


@pytest.mark.parametrize("seed", range(5))
def test_random_lines_match_an_independent_computation(seed):
    import random

    rng = random.Random(seed)
    wijken = [NOORD_A, NOORD_B, ZUID_A]
    lines = []
    for i in range(rng.randint(20, 60)):
        first = date(2013, 6, 1).toordinal() + rng.randint(0, 900)
        lines.append(_lijn(f"k{i}", f"p{rng.randint(0, 25)}", rng.choice(wijken),
                           round(rng.uniform(-500, 5000) if rng.random() < 0.9 else rng.uniform(20000, 90000), 2),
                           (date.fromordinal(first), date.fromordinal(first + rng.choice([0, 30, 90, 364, 500]))),
                           rng.choice(["wmo", "jeugdwet", "participatiewet"])))
    con = staging()
    insert(con, "stg_kosten", lines)
    kosten = _kosten(con)
    for peildatum in (P0, P1):
        expected = _reference(lines, peildatum)
        for row in (r for r in kosten.to_pylist() if r["peildatum"] == peildatum):
            bedrag, clienten, primair = expected.get((row["gebiedcode"], row["wet"]), (0.0, 0, True))
            assert (row["onderdrukking"] == "primair") is primair, row
            if not row["onderdrukt"]:
                assert row["bedrag"] == pytest.approx(bedrag) and row["clienten"] == clienten
                assert row["kosten_per_inwoner"] == pytest.approx(bedrag / row["inwoners"])
                assert row["kosten_per_client"] == pytest.approx(bedrag / clienten)
            else:
                assert row["bedrag"] is None and row["clienten"] is None
    assert recoverable_kosten({"kosten": kosten, "areas": _areas()}) == []


def test_why_a_cost_figure_is_missing_goes_to_the_data_quality_table():
    con = staging()
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [ZUID_A, P0])
    insert(con, "stg_kosten", [_lijn(f"k{i}", f"p{i}", ZUID_A, 100.0) for i in range(5)])  # 2014 only: not W(P1)
    oorzaken = [r for r in compute_publication(con, MonitorConfig())["dq_incomplete"].to_pylist()
                if r["indicator"] in FIGUREN]
    assert oorzaken == [
        {"indicator": "kosten_per_inwoner", "peildatum": P0, "bron": "bevolking", "wijkcode": ZUID_A,
         "reden": f"bevolking ontbreekt voor wijk {ZUID_A} op deze peildatum (kosten per inwoner)"},
        {"indicator": "kosten_per_client", "peildatum": P1, "bron": "kosten", "wijkcode": None, "reden": REDEN_BRON},
        {"indicator": "kosten_per_inwoner", "peildatum": P1, "bron": "kosten", "wijkcode": None, "reden": REDEN_BRON},
    ]


def test_a_wijk_with_register_data_but_no_population_takes_the_per_inhabitant_figure_of_its_gebied():
    from fixtures.indicators import traject

    con = staging()
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [NOORD_B, P0])
    insert(con, "stg_ondersteuning", [traject("t1", "q1", NOORD_B, date(2014, 3, 1))])  # data, but no costs
    insert(con, "stg_kosten", [_lijn(f"k{i}", f"p{i}", NOORD_A, 100.0) for i in range(5)])
    kosten = _kosten(con)
    assert _row(kosten, P0, NOORD_A)["kosten_per_inwoner"] == pytest.approx(0.5)  # 500 / 1.000
    for code in (NOORD, GEMEENTE):  # 500 over Noord-A's 1.000 inhabitants only would be twice too high
        cel = _row(kosten, P0, code)
        assert cel["kosten_per_inwoner"] is None and NOORD_B in cel["reden"]
        assert cel["kosten_per_client"] == pytest.approx(100.0)


def test_persons_in_one_wijk_and_in_more_wijken_count_once_per_area_and_wet():
    # every cell gets five fillers of 1000 (nothing suppressed); then
    # X: wmo 300 in Noord-A and jeugdwet 200 in Noord-B (two wijken, two wetten),
    # Y: wmo 400 and jeugdwet 100 in Noord-A (one wijk, two wetten),
    # Z: wmo 250 and -250 in Noord-B (a sum of 0 is still a client)
    con = staging()
    insert(con, "stg_kosten", [
        *[_lijn(f"{wijk}{wet}{i}", f"{wijk}{wet}{i}", wijk, 1000.0, wet=wet)
          for wijk in (NOORD_A, NOORD_B, ZUID_A) for wet in ("wmo", "jeugdwet", "participatiewet") for i in range(5)],
        _lijn("x1", "X", NOORD_A, 300.0), _lijn("x2", "X", NOORD_B, 200.0, wet="jeugdwet"),
        _lijn("y1", "Y", NOORD_A, 400.0), _lijn("y2", "Y", NOORD_A, 100.0, wet="jeugdwet"),
        _lijn("z1", "Z", NOORD_B, 250.0), _lijn("z2", "Z", NOORD_B, -250.0),
    ])
    kosten = _kosten(con)
    expected = {
        (NOORD_A, "totaal"): (15800.0, 17), (NOORD_A, "wmo"): (5700.0, 7),
        (NOORD_A, "jeugdwet"): (5100.0, 6), (NOORD_A, "participatiewet"): (5000.0, 5),
        (NOORD_B, "totaal"): (15200.0, 17), (NOORD_B, "wmo"): (5000.0, 6),
        (NOORD_B, "jeugdwet"): (5200.0, 6), (NOORD_B, "participatiewet"): (5000.0, 5),
        (NOORD, "totaal"): (31000.0, 33), (NOORD, "wmo"): (10700.0, 13),
        (NOORD, "jeugdwet"): (10300.0, 12), (NOORD, "participatiewet"): (10000.0, 10),
        (GEMEENTE, "totaal"): (46000.0, 48), (GEMEENTE, "wmo"): (15700.0, 18),
        (GEMEENTE, "jeugdwet"): (15300.0, 17), (GEMEENTE, "participatiewet"): (15000.0, 15),
    }
    for (gebiedcode, wet), (bedrag, clienten) in expected.items():
        row = _row(kosten, P0, gebiedcode, wet)
        assert (row["bedrag"], row["clienten"], row["onderdrukt"]) == (bedrag, clienten, False), (gebiedcode, wet)


def test_the_two_largest_contributions_of_a_gebied_come_from_all_its_wijken():
    # Noord-A: 3000, 50, 50 and X's 1000; Noord-B: 2000, 70 and X's 1500 (X: 2500 in the gebied)
    con = staging()
    insert(con, "stg_kosten", [
        _lijn("a1", "a1", NOORD_A, 3000.0), _lijn("a2", "a2", NOORD_A, 50.0), _lijn("a3", "a3", NOORD_A, 50.0),
        _lijn("b1", "b1", NOORD_B, 2000.0), _lijn("b2", "b2", NOORD_B, -70.0),
        _lijn("x1", "X", NOORD_A, 1000.0), _lijn("x2", "X", NOORD_B, 1500.0),
    ])
    compute_publication(con, MonitorConfig())
    cellen = {gebiedcode: rest for gebiedcode, *rest in con.execute(
        "select gebiedcode, clienten, bedrag, totaal_abs, grootste_twee from kept_kosten_cel "
        "where peildatum = ? and wet = 'totaal' and gebiedcode in (?, ?, ?, ?)",
        [P0, NOORD_A, NOORD_B, NOORD, GEMEENTE]).fetchall()}
    assert cellen == {
        NOORD_A: [4, 4100.0, 4100.0, 4000.0],
        NOORD_B: [3, 3430.0, 3570.0, 3500.0],
        NOORD: [6, 7530.0, 7670.0, 5500.0],
        GEMEENTE: [6, 7530.0, 7670.0, 5500.0],
    }
