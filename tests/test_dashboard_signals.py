"""Signals and attention points over the hand-made published store (rules in tests/fixtures/published_store.py)."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.published_store import (
    INDICATORS, MAX_VERSLECHTERING, PEILDATA, RICHTING_WIJK, STAP, SURVEY_SUPPRESSED, _gebieden,
    build_published_store,
)

from dashboard.data import published
from dashboard.signals import (
    BUITEN_MARGE, GROTE_BEWEGING, SIGNIFICANT_SLECHTER, TOP_MOVERS, attention_points, signals,
)

LAATSTE = PEILDATA[-1]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return published(build_published_store(tmp_path_factory.mktemp("signals") / "monitor.duckdb"))


def _expected_outside_corridor(j: int) -> set[tuple[str, str]]:
    """(indicator, wijk) pairs worse than the nulmeting by more than the corridor allows (and, for surveys,
    significantly so), by the fixture rule."""
    expected = set()
    for indicator, _naam, richting, _e, _d, soort, _b in INDICATORS:
        for k, wijk in enumerate(_gebieden()):
            if soort == "enquete" and wijk["wijkcode"] in SURVEY_SUPPRESSED:
                continue
            if indicator == "jeugd_gedwongen_kader" and wijk["wijkcode"] == "WK001419":
                continue
            change = j * STAP[indicator] * RICHTING_WIJK[k % 3]
            worse = -change if richting == "hoger_is_beter" else change
            significant = soort != "enquete" or abs(change) > 1.5 + k / 10  # the fixture's interval half-width
            if worse > MAX_VERSLECHTERING[indicator] and significant:
                expected.add((indicator, wijk["wijkcode"]))
    return expected


def test_outside_corridor_wijken_are_signals_and_come_first(data):
    frame = signals(data, LAATSTE)
    wijken = frame.filter(frame["niveau"] == "wijk")
    outside = {(r["indicator"], r["gebiedcode"]) for r in wijken.iter_rows(named=True) if BUITEN_MARGE in r["soorten"]}
    assert outside == _expected_outside_corridor(2)
    kinds = [BUITEN_MARGE in soorten for soorten in frame["soorten"].to_list()]
    assert kinds == sorted(kinds, reverse=True), "every 'buiten marge' signal ranks before the others"
    assert frame["rang"].to_list() == list(range(1, frame.height + 1))


def test_significantly_worse_within_corridor(data):
    # 2016: wijk k=2 (WK001402) falls by one step (2,0 points) on tevredenheid, within the corridor of 3,0;
    # the fixture's interval half-width is 1,5 + k/10 = 1,7 < 2,0, so the change is significant.
    frame = attention_points(data, PEILDATA[1])
    row = frame.filter((frame["indicator"] == "tevredenheid") & (frame["gebiedcode"] == "WK001402"))
    assert row["soorten"].to_list() == [[SIGNIFICANT_SLECHTER]]
    assert row["status"].to_list() == ["binnen marge"]
    # k=5 (WK001405) falls by the same amount but its half-width 2,0 is not exceeded: no signal.
    assert frame.filter((frame["gebiedcode"] == "WK001405") & (frame["indicator"] == "tevredenheid")).is_empty()


def test_attention_points_hold_no_improvements_or_movers_only(data):
    frame = attention_points(data, LAATSTE)
    assert set(frame["status"].to_list()) <= {"buiten marge", "binnen marge"}
    assert all(GROTE_BEWEGING not in soorten or len(soorten) > 1 for soorten in frame["soorten"].to_list())


def test_largest_movers_are_limited_and_exclude_the_city(data):
    frame = signals(data, LAATSTE, (GROTE_BEWEGING,))
    assert frame.height == TOP_MOVERS
    assert "gemeente" not in frame["niveau"].to_list()


def test_single_wijk_gebied_is_not_listed_twice(data):
    # Binnenstad (GB001401) holds only Centrum (WK001400): its rows repeat the wijk and are left out.
    frame = signals(data, LAATSTE)
    assert "GB001401" not in frame["gebiedcode"].to_list()


def test_no_signal_on_the_nulmeting_or_for_suppressed_figures(data):
    assert signals(data, PEILDATA[0], (BUITEN_MARGE, SIGNIFICANT_SLECHTER)).is_empty()
    frame = signals(data, LAATSTE)
    assert frame["waarde"].null_count() == 0
    surveys = {row[0] for row in INDICATORS if row[5] == "enquete"}
    assert not {(i, c) for i, c in zip(frame["indicator"], frame["gebiedcode"], strict=True)
                if i in surveys and c in SURVEY_SUPPRESSED}


def test_unknown_peildatum_gives_an_empty_frame_with_the_columns(data):
    frame = signals(data, date(2030, 1, 1))
    assert frame.is_empty() and "rang" in frame.columns
