"""Cross-check: the DuckDB computation equals a plain pandas reading of indicators.md on random data."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.indicators_privacy import area_children, groups, vulnerable_groups
from fixtures.indicators_referentie import random_staging, reference_values

from indicators import registry
from indicators.compute import compute_publication
from indicators.config import MonitorConfig


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_matches_pandas_reference_on_random_data(seed):
    con = random_staging(seed)
    expected = reference_values(con, date(2015, 1, 1))
    actual = compute_publication(con, MonitorConfig())["indicator_values"].to_pandas()
    key = ["indicator", "peildatum", "niveau", "gebiedcode"]
    merged = expected.merge(actual, on=key, how="outer", suffixes=("_ref", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][key]
    assert len(merged) == len(registry.INDICATORS) * 4 * (8 + 3 + 1)  # 4 peildata, 8 wijken, 3 gebieden, 1 gemeente
    # the reference applies the primary rule; complementary suppression only adds to it
    assert (merged["onderdrukt"] | ~merged["onderdrukt_ref"]).all()
    assert (merged["onderdrukt"] & ~merged["onderdrukt_ref"]).any()
    shown = merged[~merged["onderdrukt"]]
    # the random data must exercise both outcomes for the comparison to mean something
    assert 0 < len(shown) < len(merged)
    for column in ("teller", "noemer", "waarde"):
        assert shown[column].tolist() == pytest.approx(shown[f"{column}_ref"].tolist()), column
    survey = merged[merged["indicator"].isin(["tevredenheid", "zelfredzaamheid", "vrijwillige_inzet"])]
    assert survey["n"].tolist() == survey["n_ref"].tolist()
    # no gebied or gemeente leaves exactly one suppressed area that holds anyone
    children = {k: v for p in merged["peildatum"].unique() for k, v in area_children(con, p).items()}
    cells = {(r.indicator, r.peildatum, r.niveau, r.gebiedcode, None, None): r for r in merged.itertuples()}
    noemer = {c: r.noemer_ref for c, r in cells.items()}
    suppressed = {c: bool(r.onderdrukt) for c, r in cells.items()}
    all_groups = groups(cells, children)
    assert len(all_groups) == len(registry.INDICATORS) * 4 * (3 + 1)  # per indicator and peildatum: three gebieden, one gemeente
    assert vulnerable_groups(noemer, suppressed, all_groups) == []
