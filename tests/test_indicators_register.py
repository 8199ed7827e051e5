"""Register indicators 4-8: who is active on P, where a person or household lives, suppression."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fixtures.indicators import (
    GEMEENTE, NOORD, NOORD_A, NOORD_B, P0, P1, ZUID, ZUID_A, insert, row, staging, traject,
)

from indicators.compute import compute_publication
from indicators.config import MonitorConfig

LANG_GELEDEN = date(2014, 1, 1)
DAG_VOOR_P1 = P1 - timedelta(days=1)


def _values(con):
    """indicator_values of a staging connection with the default config."""
    return compute_publication(con, MonitorConfig())["indicator_values"]


def _vaste_personen(prefix: str, wijkcode: str, count: int, **extra) -> list[dict]:
    """`count` persons each with one trajectory running since 2014."""
    return [traject(f"{prefix}{i}", f"{prefix}{i}", wijkcode, LANG_GELEDEN, **extra) for i in range(count)]


# --- 6 and 7: persons with an active trajectory per 1.000 inwoners -------------------------------


def test_active_on_p_boundaries():
    con = staging()
    insert(con, "stg_ondersteuning", _vaste_personen("V", NOORD_A, 5))
    insert(con, "stg_ondersteuning", [
        traject("T_START", "START", NOORD_A, P1),                                  # starts on P: active
        traject("T_EIND", "EIND", NOORD_A, date(2014, 6, 1), einddatum=P1),        # ends on P: active
        traject("T_GISTER", "GISTER", NOORD_A, date(2014, 6, 1), einddatum=DAG_VOOR_P1),  # not on P1
        traject("T_MORGEN", "MORGEN", NOORD_A, P1 + timedelta(days=1)),            # not yet
    ])
    values = _values(con)
    p1 = row(values, "professionele_ondersteuning", P1, NOORD_A)
    assert (p1["teller"], p1["noemer"], p1["waarde"]) == (7.0, 1000.0, pytest.approx(7.0))
    p0 = row(values, "professionele_ondersteuning", P0, NOORD_A)  # 5 + EIND + GISTER
    assert (p0["teller"], p0["waarde"]) == (7.0, pytest.approx(7.0))


def test_specialistisch_counts_persons_once_and_only_specialist_trajectories():
    con = staging()
    insert(con, "stg_ondersteuning", _vaste_personen("S", NOORD_A, 5, soort="specialistisch"))
    insert(con, "stg_ondersteuning", _vaste_personen("B", NOORD_A, 3, soort="basis"))
    # person S0 has a second specialist trajectory: still one person
    insert(con, "stg_ondersteuning", [traject("S0-2", "S0", NOORD_A, date(2014, 2, 1), soort="specialistisch")])
    values = _values(con)
    assert row(values, "specialistische_ondersteuning", P1, NOORD_A)["teller"] == 5.0
    assert row(values, "professionele_ondersteuning", P1, NOORD_A)["teller"] == 8.0


def test_person_lives_where_the_latest_active_trajectory_starts():
    con = staging()
    insert(con, "stg_ondersteuning", [
        traject("T1", "X", NOORD_A, date(2015, 3, 1)),
        traject("T2", "X", ZUID_A, date(2015, 6, 1)),   # latest begindatum: X lives in Zuid-A
        # tie on begindatum: the largest traject_id in text order wins ('T9' > 'T10')
        traject("T9", "Y", NOORD_B, date(2015, 3, 1)),
        traject("T10", "Y", ZUID_A, date(2015, 3, 1)),
        # an ended later trajectory does not move the person
        traject("T20", "Z", NOORD_A, date(2015, 1, 5)),
        traject("T21", "Z", ZUID_A, date(2015, 8, 1), einddatum=date(2015, 9, 1)),
    ])
    for wijkcode in (NOORD_A, NOORD_B, ZUID_A):  # five others per wijk, so nothing is suppressed
        insert(con, "stg_ondersteuning", _vaste_personen("F" + wijkcode, wijkcode, 5))
    values = _values(con)
    tellers = {w: row(values, "professionele_ondersteuning", P1, w)["teller"] for w in (NOORD_A, NOORD_B, ZUID_A)}
    assert tellers == {NOORD_A: 6.0, NOORD_B: 6.0, ZUID_A: 6.0}


def test_residence_is_taken_over_all_trajectories_not_only_the_counted_ones():
    con = staging()
    # Decision (issue 4): specialist trajectory in Noord-A, a later basis trajectory in Zuid-A:
    # for indicator 6 too, the person lives in Zuid-A
    insert(con, "stg_ondersteuning", [
        traject("A1", "W", NOORD_A, date(2015, 2, 1), soort="specialistisch"),
        traject("A2", "W", ZUID_A, date(2015, 5, 1), soort="basis"),
    ])
    for wijkcode in (NOORD_A, ZUID_A):  # five others per wijk, so nothing is suppressed
        insert(con, "stg_ondersteuning", _vaste_personen("F" + wijkcode, wijkcode, 5, soort="specialistisch"))
    values = _values(con)
    assert row(values, "specialistische_ondersteuning", P1, NOORD_A)["teller"] == 5.0
    assert row(values, "specialistische_ondersteuning", P1, ZUID_A)["teller"] == 6.0


def test_gebied_and_gemeente_count_persons_distinct():
    con = staging()
    insert(con, "stg_ondersteuning", _vaste_personen("A", NOORD_A, 6))
    insert(con, "stg_ondersteuning", _vaste_personen("B", NOORD_B, 6))
    insert(con, "stg_ondersteuning", _vaste_personen("C", ZUID_A, 6))
    # A0 also has a trajectory in Noord-B and C0 one in Noord-A: each person still counts once
    insert(con, "stg_ondersteuning", [
        traject("A0-b", "A0", NOORD_B, date(2014, 3, 1)),
        traject("C0-a", "C0", NOORD_A, date(2014, 3, 1)),
    ])
    values = _values(con)
    teller = {code: row(values, "professionele_ondersteuning", P1, code)["teller"]
              for code in (NOORD_A, NOORD_B, ZUID_A, NOORD, ZUID, GEMEENTE)}
    # A0 moved to Noord-B, C0 to Noord-A
    assert teller == {NOORD_A: 6.0, NOORD_B: 7.0, ZUID_A: 5.0, NOORD: 13.0, ZUID: 5.0, GEMEENTE: 18.0}
    gemeente = row(values, "professionele_ondersteuning", P1, GEMEENTE)
    assert (gemeente["noemer"], gemeente["waarde"]) == (3000.0, pytest.approx(6.0))
    noord = row(values, "professionele_ondersteuning", P1, NOORD)
    assert (noord["noemer"], noord["waarde"]) == (2000.0, pytest.approx(6.5))


def test_register_suppression_thresholds():
    # Noord-A: noemer 9; Noord-B: teller 4; Zuid-A: noemer 10 and teller 5, both just enough.
    # The two suppressed wijken share a gebied, so no complementary suppression interferes.
    con = staging(bevolking={NOORD_A: 9, NOORD_B: 1000, ZUID_A: 10})
    insert(con, "stg_ondersteuning", _vaste_personen("A", NOORD_A, 5))
    insert(con, "stg_ondersteuning", _vaste_personen("B", NOORD_B, 4))
    insert(con, "stg_ondersteuning", _vaste_personen("C", ZUID_A, 5))
    values = _values(con)
    noemer_9 = row(values, "professionele_ondersteuning", P1, NOORD_A)
    teller_4 = row(values, "professionele_ondersteuning", P1, NOORD_B)
    drempel = row(values, "professionele_ondersteuning", P1, ZUID_A)
    assert (noemer_9["onderdrukt"], noemer_9["waarde"], noemer_9["teller"], noemer_9["noemer"]) == (True, None, None, None)
    assert noemer_9["status"] == "onvoldoende gegevens"
    assert (teller_4["onderdrukt"], teller_4["waarde"], teller_4["teller"]) == (True, None, None)
    assert (teller_4["n"], teller_4["ci_laag"], teller_4["significant"]) == (None, None, None)
    assert (drempel["onderdrukt"], drempel["teller"], drempel["noemer"]) == (False, 5.0, 10.0)
    assert drempel["waarde"] == pytest.approx(500.0)
    noord = row(values, "professionele_ondersteuning", P1, NOORD)
    assert (noord["onderdrukt"], noord["teller"], noord["noemer"]) == (False, 9.0, 1009.0)


def test_teller_zero_is_not_suppressed():
    con = staging()
    insert(con, "stg_ondersteuning", _vaste_personen("Z", ZUID_A, 1))  # the source covers P: Noord-A has 0
    values = _values(con)
    r = row(values, "specialistische_ondersteuning", P1, NOORD_A)
    assert (r["onderdrukt"], r["teller"], r["noemer"], r["waarde"]) == (False, 0.0, 1000.0, 0.0)
    assert r["index_nulmeting"] is None  # the nulmeting is 0: no index
    assert (r["verschil_nulmeting"], r["status"]) == (0.0, "gelijk gebleven")


# --- 8: jeugd in het gedwongen kader --------------------------------------------------------------


def test_jeugd_gedwongen_age_17_counts_18_does_not():
    con = staging()  # inwoners_0_17 = 200 per wijk
    insert(con, "stg_ondersteuning", [
        traject("J17", "J17", NOORD_A, LANG_GELEDEN, kader="gedwongen", geboortejaar=1999),  # 2016 - 17
        traject("J18", "J18", NOORD_A, LANG_GELEDEN, kader="gedwongen", geboortejaar=1998),  # 2016 - 18
        traject("JV", "JV", NOORD_A, LANG_GELEDEN, kader="vrijwillig", geboortejaar=2005),
    ])
    insert(con, "stg_ondersteuning", [
        traject(f"J{i}", f"J{i}", NOORD_A, LANG_GELEDEN, kader="gedwongen", geboortejaar=2000 + i) for i in range(4)
    ])
    values = _values(con)
    r = row(values, "jeugd_gedwongen_kader", P1, NOORD_A)
    assert (r["teller"], r["noemer"], r["waarde"]) == (5.0, 200.0, pytest.approx(25.0))
    # on P0 = 2015 the 1998-born is 17 and counts as well
    assert row(values, "jeugd_gedwongen_kader", P0, NOORD_A)["teller"] == 6.0


def test_jeugd_gedwongen_teller_4_is_suppressed():
    con = staging()
    insert(con, "stg_ondersteuning", [
        traject(f"J{i}", f"J{i}", NOORD_A, LANG_GELEDEN, kader="gedwongen", geboortejaar=2005) for i in range(4)
    ])
    r = row(_values(con), "jeugd_gedwongen_kader", P1, NOORD_A)
    assert (r["onderdrukt"], r["waarde"], r["teller"]) == (True, None, None)


# --- 5: beroepskrachten per huishouden ------------------------------------------------------------


def _huishouden(huishouden_id: str, wijkcode: str, professionals: list[str], begindatum: date = LANG_GELEDEN) -> list[dict]:
    """One household with one trajectory per professional (a professional may repeat)."""
    return [
        traject(f"{huishouden_id}-{i}", f"{huishouden_id}-p{i}", wijkcode, begindatum,
                huishouden_id=huishouden_id, professional_id=professional)
        for i, professional in enumerate(professionals)
    ]


def test_professionals_per_household_counts_distinct_professionals():
    con = staging()
    insert(con, "stg_ondersteuning", _huishouden("H1", NOORD_A, ["PR1", "PR2"]))   # two professionals
    insert(con, "stg_ondersteuning", _huishouden("H2", NOORD_A, ["PR1", "PR1"]))   # the same one twice
    for i in range(3, 11):
        insert(con, "stg_ondersteuning", _huishouden(f"H{i}", NOORD_A, [f"PR{i}"]))
    r = row(_values(con), "professionals_per_huishouden", P1, NOORD_A)
    assert (r["teller"], r["noemer"], r["waarde"]) == (11.0, 10.0, pytest.approx(1.1))
    assert r["onderdrukt"] is False


def test_professionals_per_household_suppressed_only_below_10_households():
    con = staging()
    for i in range(9):
        insert(con, "stg_ondersteuning", _huishouden(f"H{i}", NOORD_A, ["PR1"]))
        insert(con, "stg_ondersteuning", _huishouden(f"N{i}", NOORD_B, ["PR1"]))  # protects Noord-A
    for i in range(10):
        insert(con, "stg_ondersteuning", _huishouden(f"G{i}", ZUID_A, ["PR1"]))
    values = _values(con)
    assert row(values, "professionals_per_huishouden", P1, NOORD_A)["onderdrukt"] is True
    zuid = row(values, "professionals_per_huishouden", P1, ZUID_A)
    assert (zuid["onderdrukt"], zuid["waarde"]) == (False, pytest.approx(1.0))


def test_household_lives_where_its_latest_trajectory_starts():
    con = staging()
    # two members in different wijken: the later start (Zuid-A) places the household
    insert(con, "stg_ondersteuning", [
        traject("HA", "HA1", NOORD_A, date(2015, 1, 1), huishouden_id="HH", professional_id="PR1"),
        traject("HB", "HA2", ZUID_A, date(2015, 2, 1), huishouden_id="HH", professional_id="PR2"),
    ])
    for i in range(9):
        insert(con, "stg_ondersteuning", _huishouden(f"Z{i}", ZUID_A, ["PR9"]))
    values = _values(con)
    zuid = row(values, "professionals_per_huishouden", P1, ZUID_A)
    assert (zuid["teller"], zuid["noemer"]) == (11.0, 10.0)
    assert row(values, "professionals_per_huishouden", P1, GEMEENTE)["noemer"] == 10.0


# --- 4: bijstandsgerechtigden die meedoen ---------------------------------------------------------


def _uitkering(persoon_id: str, wijkcode: str = NOORD_A, begindatum: date = LANG_GELEDEN, einddatum: date | None = None, uitkering_id: str | None = None) -> dict:
    """One bijstand benefit."""
    return {"uitkering_id": uitkering_id or "U" + persoon_id, "persoon_id": persoon_id, "wijkcode": wijkcode,
            "begindatum": begindatum, "einddatum": einddatum}


def _activiteit(activiteit_id: str, persoon_id: str, begindatum: date, einddatum: date | None = None) -> dict:
    """One participatie activity."""
    return {"activiteit_id": activiteit_id, "persoon_id": persoon_id, "begindatum": begindatum, "einddatum": einddatum}


def test_participatie_bijstand_window_and_benefit_boundaries():
    con = staging()
    insert(con, "stg_bijstand", [_uitkering(f"B{i}") for i in range(1, 9)] + [
        _uitkering("B9", einddatum=P1),                        # ends on P: in the noemer
        _uitkering("B10", begindatum=P1),                      # starts on P: in the noemer
        _uitkering("B11", einddatum=DAG_VOOR_P1),              # ended the day before: out
    ])
    insert(con, "stg_participatie", [
        _activiteit("A1", "B1", date(2014, 6, 1), einddatum=date(2015, 1, 1)),  # ends on the window's first day
        _activiteit("A2", "B2", P1),                                            # starts on P: no overlap
        _activiteit("A3", "B3", date(2014, 6, 1), einddatum=date(2014, 12, 31)),  # before the window
        _activiteit("A4", "B4", LANG_GELEDEN),
        _activiteit("A5", "B5", LANG_GELEDEN),
        _activiteit("A5b", "B5", date(2015, 3, 1)),                             # a second one: still one person
        _activiteit("A6", "B6", DAG_VOOR_P1),
        _activiteit("A7", "B7", date(2015, 5, 1), einddatum=date(2015, 6, 1)),
        _activiteit("A11", "B11", LANG_GELEDEN),                                # not on bijstand on P
    ])
    r = row(_values(con), "participatie_bijstand", P1, NOORD_A)
    # teller: B1, B4, B5, B6, B7; noemer: B1..B10
    assert (r["teller"], r["noemer"], r["waarde"]) == (5.0, 10.0, pytest.approx(50.0))


def test_participatie_bijstand_residence_and_distinct_persons():
    con = staging()
    insert(con, "stg_bijstand", [_uitkering(f"N{i}", NOORD_B) for i in range(10)] + [
        # N0 has a later benefit in Zuid-A: lives there, counted once in the gemeente
        _uitkering("N0", ZUID_A, begindatum=date(2015, 1, 1), uitkering_id="UN0-2"),
        # a tie on begindatum: 'U9' > 'U10' in text order, so Noord-B
        _uitkering("T", NOORD_B, begindatum=date(2015, 1, 1), uitkering_id="U9"),
        _uitkering("T", ZUID_A, begindatum=date(2015, 1, 1), uitkering_id="U10"),
    ] + [_uitkering(f"Z{i}", ZUID_A) for i in range(9)])  # Zuid-A big enough to be shown
    insert(con, "stg_participatie", [_activiteit(f"A{i}", f"N{i}", LANG_GELEDEN) for i in range(6)])
    insert(con, "stg_participatie", [_activiteit(f"AZ{i}", f"Z{i}", LANG_GELEDEN) for i in range(4)])
    values = _values(con)
    noord_b = row(values, "participatie_bijstand", P1, NOORD_B)
    assert (noord_b["teller"], noord_b["noemer"]) == (5.0, 10.0)   # N1..N9 + T; teller N1..N5
    zuid = row(values, "participatie_bijstand", P1, ZUID_A)
    assert (zuid["teller"], zuid["noemer"]) == (5.0, 10.0)  # N0 + Z0..Z8; teller N0, Z0..Z3
    gemeente = row(values, "participatie_bijstand", P1, GEMEENTE)
    assert (gemeente["teller"], gemeente["noemer"], gemeente["waarde"]) == (10.0, 20.0, pytest.approx(50.0))
