"""Survey indicators 1-3: window, answered items, weights, Wilson interval, z-test, suppression, breakdown."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.indicators import (
    GEMEENTE, NOORD, NOORD_A, NOORD_B, P0, P1, ZUID_A, insert, responses, row, staging,
)

from indicators.compute import compute_publication
from indicators.config import MonitorConfig
from indicators.registry import Corridor

MIDDEN_2015 = date(2015, 6, 1)  # inside W(P1) = [2015-01-01, 2016-01-01)
MIDDEN_2014 = date(2014, 6, 1)  # inside W(P0) = [2014-01-01, 2015-01-01)


def _publish(con, config: MonitorConfig | None = None):
    """indicator_values and indicator_breakdown of a staging connection."""
    tables = compute_publication(con, config or MonitorConfig())
    return tables["indicator_values"], tables["indicator_breakdown"]


def test_window_includes_first_day_and_excludes_reference_date():
    con = staging()
    insert(con, "stg_clientervaring", responses("neg", NOORD_A, MIDDEN_2015, 29, tevreden=2))
    insert(con, "stg_clientervaring", responses("eerste", NOORD_A, date(2015, 1, 1), 1, tevreden=5))
    insert(con, "stg_clientervaring", responses("op_p", NOORD_A, P1, 1, tevreden=5))
    insert(con, "stg_clientervaring", responses("geen_antwoord", NOORD_A, MIDDEN_2015, 3, tevreden=None))
    values, _ = _publish(con)
    r = row(values, "tevredenheid", P1, NOORD_A)
    # 29 negative + the first-day positive; the response on P itself and the unanswered ones are out
    assert (r["n"], r["teller"], r["noemer"]) == (30, 1.0, 30.0)
    assert r["waarde"] == pytest.approx(100 / 30)
    assert (r["ci_laag"], r["ci_hoog"]) == pytest.approx((0.5908590381612455, 16.670390991409175))
    assert r["onderdrukt"] is False


def test_weighted_share_and_wilson_on_effective_sample_size():
    con = staging()
    insert(con, "stg_bewonersenquete", responses("pos", NOORD_A, MIDDEN_2015, 12, gewicht=2.0, zelfredzaam=4))
    insert(con, "stg_bewonersenquete", responses("neg", NOORD_A, MIDDEN_2015, 18, gewicht=1.0, zelfredzaam=3))
    values, _ = _publish(con)
    r = row(values, "zelfredzaamheid", P1, NOORD_A)
    # teller 24, noemer 42, p = 4/7; n_eff = 42^2 / (12*4 + 18) = 26.727...
    assert (r["n"], r["teller"], r["noemer"]) == (30, 24.0, 42.0)
    assert r["waarde"] == pytest.approx(57.142857142857)
    assert (r["ci_laag"], r["ci_hoog"]) == pytest.approx((38.67936843669379, 73.81111325761702))


def test_vrijwillige_inzet_needs_both_items_answered():
    con = staging()
    insert(con, "stg_bewonersenquete", responses("vw", NOORD_A, MIDDEN_2015, 10, vrijwilligerswerk=1, mantelzorg=0))
    insert(con, "stg_bewonersenquete", responses("mz", NOORD_A, MIDDEN_2015, 5, vrijwilligerswerk=0, mantelzorg=1))
    insert(con, "stg_bewonersenquete", responses("nee", NOORD_A, MIDDEN_2015, 15, vrijwilligerswerk=0, mantelzorg=0))
    insert(con, "stg_bewonersenquete", responses("half", NOORD_A, MIDDEN_2015, 4, vrijwilligerswerk=1, mantelzorg=None))
    values, _ = _publish(con)
    r = row(values, "vrijwillige_inzet", P1, NOORD_A)
    assert (r["n"], r["teller"], r["noemer"]) == (30, 15.0, 30.0)
    assert r["waarde"] == pytest.approx(50.0)


@pytest.mark.parametrize(("count", "onderdrukt"), [(29, True), (30, False)])
def test_survey_suppressed_below_30_responses(count, onderdrukt):
    con = staging()
    insert(con, "stg_clientervaring", responses("r", NOORD_A, MIDDEN_2015, count, tevreden=4))
    values, _ = _publish(con)
    r = row(values, "tevredenheid", P1, NOORD_A)
    assert r["onderdrukt"] is onderdrukt
    assert r["n"] == count  # n is the respondent count, not a figure: it stays
    if onderdrukt:
        hidden = ("waarde", "teller", "noemer", "ci_laag", "ci_hoog", "verschil_nulmeting",
                  "index_nulmeting", "significant", "verschil_vorige")
        assert all(r[k] is None for k in hidden)
        assert r["status"] == "onvoldoende gegevens"
    else:
        assert r["waarde"] == pytest.approx(100.0)


def test_gebied_and_gemeente_from_the_responses():
    con = staging()
    insert(con, "stg_clientervaring", responses("a", NOORD_A, MIDDEN_2015, 20, tevreden=5))
    insert(con, "stg_clientervaring", responses("b", NOORD_B, MIDDEN_2015, 10, tevreden=1, gewicht=3.0))
    insert(con, "stg_clientervaring", responses("c", ZUID_A, MIDDEN_2015, 30, tevreden=4))
    values, _ = _publish(con)
    # both Noord wijken suppressed (n = 20 and 10): they protect each other, Noord is shown
    assert row(values, "tevredenheid", P1, NOORD_A)["onderdrukt"] is True
    assert row(values, "tevredenheid", P1, NOORD_B)["onderdrukt"] is True
    noord = row(values, "tevredenheid", P1, NOORD)
    assert (noord["n"], noord["teller"], noord["noemer"]) == (30, 20.0, 50.0)
    assert noord["waarde"] == pytest.approx(40.0)
    gemeente = row(values, "tevredenheid", P1, GEMEENTE)
    assert (gemeente["n"], gemeente["teller"], gemeente["noemer"]) == (60, 50.0, 80.0)
    assert gemeente["waarde"] == pytest.approx(62.5)


def _nulmeting_and_p1(con, positief_p1: int, gewicht_p1: float = 1.0, negatief_p1: int | None = None, gewicht_neg: float = 1.0):
    """P0: 40 responses of which 10 positive; P1: positive and negative responses as given."""
    insert(con, "stg_clientervaring", responses("p0pos", NOORD_A, MIDDEN_2014, 10, tevreden=5))
    insert(con, "stg_clientervaring", responses("p0neg", NOORD_A, MIDDEN_2014, 30, tevreden=1))
    insert(con, "stg_clientervaring", responses("p1pos", NOORD_A, MIDDEN_2015, positief_p1, tevreden=5, gewicht=gewicht_p1))
    negatief = 40 - positief_p1 if negatief_p1 is None else negatief_p1
    insert(con, "stg_clientervaring", responses("p1neg", NOORD_A, MIDDEN_2015, negatief, tevreden=1, gewicht=gewicht_neg))


def test_significant_improvement_is_verbeterd():
    con = staging()
    _nulmeting_and_p1(con, positief_p1=20)  # 25% -> 50%: z = 2.309 > 1.96
    values, _ = _publish(con)
    r = row(values, "tevredenheid", P1, NOORD_A)
    assert r["significant"] is True
    assert r["status"] == "verbeterd"
    assert r["verschil_nulmeting"] == pytest.approx(25.0)
    assert r["index_nulmeting"] == pytest.approx(200.0)
    nulmeting = row(values, "tevredenheid", P0, NOORD_A)
    assert (nulmeting["significant"], nulmeting["status"]) == (False, "gelijk gebleven")


def test_insignificant_change_is_gelijk_gebleven():
    con = staging()
    _nulmeting_and_p1(con, positief_p1=14)  # 25% -> 35%: z = 0.976
    values, _ = _publish(con)
    r = row(values, "tevredenheid", P1, NOORD_A)
    assert r["verschil_nulmeting"] == pytest.approx(10.0)
    assert (r["significant"], r["status"]) == (False, "gelijk gebleven")


def test_z_test_uses_effective_sample_size():
    con = staging()
    # P1: 2 positive of weight 19 and 38 negative of weight 1: p = 0.5 but n_eff = 76^2 / 760 = 7.6,
    # so z = 1.392 (with the unweighted n = 40 it would be 2.309, significant)
    _nulmeting_and_p1(con, positief_p1=2, gewicht_p1=19.0, negatief_p1=38)
    values, _ = _publish(con)
    r = row(values, "tevredenheid", P1, NOORD_A)
    assert r["waarde"] == pytest.approx(50.0)
    assert (r["ci_laag"], r["ci_hoog"]) == pytest.approx((21.02807218720009, 78.97192781279992))
    assert (r["significant"], r["status"]) == (False, "gelijk gebleven")


@pytest.mark.parametrize(("max_verslechtering", "status"), [(25.0, "binnen marge"), (24.9, "buiten marge")])
def test_significant_deterioration_against_the_corridor(max_verslechtering, status):
    con = staging()
    insert(con, "stg_clientervaring", responses("p0pos", NOORD_A, MIDDEN_2014, 20, tevreden=5))
    insert(con, "stg_clientervaring", responses("p0neg", NOORD_A, MIDDEN_2014, 20, tevreden=1))
    insert(con, "stg_clientervaring", responses("p1pos", NOORD_A, MIDDEN_2015, 10, tevreden=5))
    insert(con, "stg_clientervaring", responses("p1neg", NOORD_A, MIDDEN_2015, 30, tevreden=1))
    corridor = Corridor(max_verslechtering, date(2016, 1, 1), date(2017, 1, 1), "test")
    values, _ = _publish(con, MonitorConfig(corridors={"tevredenheid": corridor}))
    r = row(values, "tevredenheid", P1, NOORD_A)  # 50% -> 25%, z = -2.309
    assert r["significant"] is True
    assert r["status"] == status
    assert r["marge_grens"] == pytest.approx(50.0 - max_verslechtering)


def test_breakdown_by_wet_with_its_own_suppression():
    con = staging()
    insert(con, "stg_clientervaring", responses("wmo", NOORD_A, MIDDEN_2015, 30, wet="wmo", tevreden=4))
    insert(con, "stg_clientervaring", responses("jw", NOORD_A, MIDDEN_2015, 31, wet="jeugdwet", tevreden=2))
    values, breakdown = _publish(con)
    totaal = row(values, "tevredenheid", P1, NOORD_A)
    assert (totaal["n"], totaal["teller"], totaal["noemer"]) == (61, 30.0, 61.0)
    wmo = row(breakdown, "tevredenheid", P1, NOORD_A, uitsplitsing="wet", categorie="wmo")
    assert (wmo["n"], wmo["teller"], wmo["waarde"], wmo["onderdrukt"]) == (30, 30.0, pytest.approx(100.0), False)
    jeugd = row(breakdown, "tevredenheid", P1, NOORD_A, uitsplitsing="wet", categorie="jeugdwet")
    assert (jeugd["n"], jeugd["teller"], jeugd["waarde"], jeugd["onderdrukt"]) == (31, 0.0, 0.0, False)
    gemeente_wmo = row(breakdown, "tevredenheid", P1, GEMEENTE, uitsplitsing="wet", categorie="wmo")
    assert (gemeente_wmo["n"], gemeente_wmo["onderdrukt"]) == (30, False)
    # 29 jeugdwet responses: that category is suppressed, and so is wmo, or total minus wmo gives it away
    con.execute("delete from stg_clientervaring where respondent_id in ('jw-0', 'jw-1')")
    values, breakdown = _publish(con)
    assert row(values, "tevredenheid", P1, NOORD_A)["onderdrukt"] is False  # n = 59
    jeugd = row(breakdown, "tevredenheid", P1, NOORD_A, uitsplitsing="wet", categorie="jeugdwet")
    assert jeugd["onderdrukt"] is True
    # n of a suppressed category counts its clients: hidden too (unlike n of the total)
    assert (jeugd["n"], jeugd["waarde"], jeugd["teller"], jeugd["noemer"], jeugd["ci_laag"]) == (None,) * 5
    wmo = row(breakdown, "tevredenheid", P1, NOORD_A, uitsplitsing="wet", categorie="wmo")
    assert (wmo["n"], wmo["onderdrukt"], wmo["waarde"], wmo["teller"]) == (None, True, None, None)
    leeg = row(breakdown, "tevredenheid", P1, NOORD_B, uitsplitsing="wet", categorie="wmo")
    # no respondents, yet n stays hidden: beside Noord-B's published n it would give jeugdwet's away
    assert (leeg["n"], leeg["onderdrukt"]) == (None, True)
