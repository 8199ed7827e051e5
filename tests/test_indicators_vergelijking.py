"""Comparison with the nulmeting: verschil, index, previous peildatum, corridor, status, targets, peildata."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.indicators import (
    GEMEENTE, NOORD, NOORD_A, NOORD_B, P0, P1, ZUID, ZUID_A, insert, row, staging, traject,
)

from indicators import registry
from indicators.compute import compute_publication
from indicators.config import MonitorConfig
from indicators.registry import Corridor
from core.errors import NothingToCompute

INDICATOR = "professionele_ondersteuning"  # lager_is_beter, 1 decimal, per 1.000 inwoners
LANG_GELEDEN = date(2014, 1, 1)
P_MARGE_TOT = date(2016, 1, 1)     # D = 4 holds until here
P_HALFWEG = date(2016, 1, 11)      # halfway to herstel_op: D = 2
P_HERSTEL = date(2016, 1, 21)      # herstel_op: D = 0
P_NA = date(2016, 2, 1)            # after herstel_op: D = 0
CORRIDOR = Corridor(4.0, P_MARGE_TOT, P_HERSTEL, "test")


def _personen(prefix: str, wijkcode: str, count: int, einddatum: date | None = None, begindatum: date = LANG_GELEDEN) -> list[dict]:
    """`count` persons each with one trajectory."""
    return [traject(f"{prefix}{i}", f"{prefix}{i}", wijkcode, begindatum, einddatum=einddatum) for i in range(count)]


@pytest.fixture(scope="module")
def corridor_values():
    """Four peildata; Noord-A 10 -> 13 -> 13 -> 10, Noord-B 10 -> 12 -> 12 -> 10, Zuid-A 10 -> 8 -> 8 -> 8."""
    con = staging(peildata=(date(2014, 1, 1), P0, P_MARGE_TOT, P_HALFWEG, P_NA))
    tijdelijk = dict(begindatum=date(2015, 6, 1), einddatum=date(2016, 1, 15))
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 10) + _personen("At", NOORD_A, 3, **tijdelijk))
    insert(con, "stg_ondersteuning", _personen("B", NOORD_B, 10) + _personen("Bt", NOORD_B, 2, **tijdelijk))
    insert(con, "stg_ondersteuning", _personen("C", ZUID_A, 8) + _personen("Cx", ZUID_A, 2, einddatum=date(2015, 12, 31)))
    config = MonitorConfig(
        corridors={INDICATOR: CORRIDOR},
        streefwaarden={(INDICATOR, P_MARGE_TOT): 9.5},
    )
    return compute_publication(con, config)


def test_peildata_start_at_the_nulmeting(corridor_values):
    peildata = corridor_values["peildata"].to_pylist()
    assert peildata == [
        {"peildatum": P0, "is_nulmeting": True},
        {"peildatum": P_MARGE_TOT, "is_nulmeting": False},
        {"peildatum": P_HALFWEG, "is_nulmeting": False},
        {"peildatum": P_NA, "is_nulmeting": False},
    ]


@pytest.mark.parametrize(
    ("peildatum", "waarde", "marge_grens", "status"),
    [
        (P0, 10.0, 14.0, "gelijk gebleven"),
        (P_MARGE_TOT, 13.0, 14.0, "binnen marge"),   # 3 worse, D = 4
        (P_HALFWEG, 13.0, 12.0, "buiten marge"),     # 3 worse, D = 2
        (P_NA, 10.0, 10.0, "gelijk gebleven"),       # D = 0
    ],
)
def test_corridor_narrows_linearly(corridor_values, peildatum, waarde, marge_grens, status):
    r = row(corridor_values["indicator_values"], INDICATOR, peildatum, NOORD_A)
    assert r["waarde"] == pytest.approx(waarde)
    assert r["marge_grens"] == pytest.approx(marge_grens)
    assert r["status"] == status
    assert r["significant"] is None  # register: no sampling test


def test_deterioration_exactly_at_the_margin_is_binnen_marge(corridor_values):
    r = row(corridor_values["indicator_values"], INDICATOR, P_HALFWEG, NOORD_B)
    assert (r["waarde"], r["marge_grens"], r["status"]) == (pytest.approx(12.0), pytest.approx(12.0), "binnen marge")


def test_improvement_is_verbeterd(corridor_values):
    r = row(corridor_values["indicator_values"], INDICATOR, P_MARGE_TOT, ZUID_A)
    assert (r["waarde"], r["status"]) == (pytest.approx(8.0), "verbeterd")


def test_verschil_index_and_previous_peildatum(corridor_values):
    values = corridor_values["indicator_values"]
    reeks = [row(values, INDICATOR, p, NOORD_A) for p in (P0, P_MARGE_TOT, P_HALFWEG, P_NA)]
    assert [r["verschil_nulmeting"] for r in reeks] == pytest.approx([0.0, 3.0, 3.0, 0.0])
    assert [r["index_nulmeting"] for r in reeks] == pytest.approx([100.0, 130.0, 130.0, 100.0])
    assert [r["verschil_vorige"] for r in reeks[1:]] == pytest.approx([3.0, 0.0, -3.0])
    assert reeks[0]["verschil_vorige"] is None


def test_gebied_compares_with_its_own_nulmeting(corridor_values):
    r = row(corridor_values["indicator_values"], INDICATOR, P_MARGE_TOT, NOORD)
    # Noord: 20 persons in 2000 inwoners -> 25 persons: 10.0 -> 12.5, within D = 4
    assert (r["waarde"], r["verschil_nulmeting"], r["status"]) == (pytest.approx(12.5), pytest.approx(2.5), "binnen marge")
    gemeente = row(corridor_values["indicator_values"], INDICATOR, P_MARGE_TOT, GEMEENTE)
    assert (gemeente["teller"], gemeente["noemer"]) == (33.0, 3000.0)


def test_streefwaarde_applies_to_every_area_on_its_peildatum(corridor_values):
    values = corridor_values["indicator_values"]
    assert {row(values, INDICATOR, P_MARGE_TOT, code)["streefwaarde"] for code in (NOORD_A, ZUID, GEMEENTE)} == {9.5}
    assert row(values, INDICATOR, P_HALFWEG, NOORD_A)["streefwaarde"] is None
    assert corridor_values["streefwaarden"].to_pylist() == [
        {"indicator": INDICATOR, "peildatum": P_MARGE_TOT, "streefwaarde": 9.5}
    ]


def test_corridor_table_holds_config_or_registry_default(corridor_values):
    corridors = {r["indicator"]: r for r in corridor_values["corridor"].to_pylist()}
    assert corridors[INDICATOR]["max_verslechtering"] == 4.0
    assert corridors[INDICATOR]["herstel_op"] == P_HERSTEL
    assert len(corridors) == len(registry.INDICATORS) and all(r["reden"] for r in corridors.values())


def test_status_compares_rounded_values():
    con = staging(bevolking={NOORD_A: 50_000})
    # 500 persons = 10.0 at P0; 501 = 10.02 at P1, shown as 10.0: the same as the nulmeting
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 500) + _personen("N", NOORD_A, 1, begindatum=date(2015, 6, 1)))
    r = row(compute_publication(con, MonitorConfig())["indicator_values"], INDICATOR, P1, NOORD_A)
    assert r["verschil_nulmeting"] == pytest.approx(0.02)
    assert r["status"] == "gelijk gebleven"


def test_suppressed_nulmeting_gives_onvoldoende_gegevens_and_no_marge_grens():
    con = staging()
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 4) + _personen("N", NOORD_A, 2, begindatum=date(2015, 6, 1)))
    r = row(compute_publication(con, MonitorConfig())["indicator_values"], INDICATOR, P1, NOORD_A)
    assert (r["onderdrukt"], r["waarde"]) == (False, pytest.approx(6.0))
    assert (r["status"], r["marge_grens"], r["verschil_nulmeting"], r["index_nulmeting"]) == (
        "onvoldoende gegevens", None, None, None,
    )
    assert r["verschil_vorige"] is None


def test_wijk_moves_to_another_gebied_from_its_geldig_van():
    con = staging()
    con.execute("update ref_gebieden set geldig_tot = ? where wijkcode = ?", [P1, NOORD_B])
    con.execute(
        "insert into ref_gebieden values (?, 'Noord-B', ?, 'Zuid', ?, 'Groningen', ?, null, null)",
        [NOORD_B, ZUID, GEMEENTE, P1],
    )
    insert(con, "stg_ondersteuning", _personen("B", NOORD_B, 5) + _personen("C", ZUID_A, 5))
    values = compute_publication(con, MonitorConfig())["indicator_values"]
    assert row(values, INDICATOR, P0, NOORD)["teller"] == 5.0
    assert row(values, INDICATOR, P0, ZUID)["teller"] == 5.0
    noord_p1 = row(values, INDICATOR, P1, NOORD)  # only Noord-A (nobody in support) is left in Noord
    assert (noord_p1["teller"], noord_p1["noemer"]) == (0.0, 1000.0)
    zuid_p1 = row(values, INDICATOR, P1, ZUID)
    assert (zuid_p1["teller"], zuid_p1["noemer"]) == (10.0, 2000.0)
    assert row(values, INDICATOR, P1, NOORD_B)["gebiedsnaam"] == "Noord-B"


def test_no_peildatum_on_or_after_the_nulmeting_is_an_error():
    con = staging(peildata=(date(2014, 1, 1),))
    with pytest.raises(NothingToCompute, match="geen geaccepteerde peildatum"):
        compute_publication(con, MonitorConfig())
