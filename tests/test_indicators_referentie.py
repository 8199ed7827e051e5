"""Cross-check: the published figures equal the test reference (benchmarks/reference.py) on random data.

The reference is written from indicators.md, not from the SQL. Every indicator it defines must be in
the registry and is compared strictly. A registry indicator it does not know (a municipality's own
file, or a new one not yet in indicators.md) is reported by name as a skipped test, not compared and
not failed: adding an indicator file stays one file.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from fixtures.indicators_privacy import area_children, groups, vulnerable_groups
from fixtures.indicators_referentie import PEILDATA, random_staging

from indicators import registry
from indicators.compute import compute_publication
from indicators.config import MonitorConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import reference  # noqa: E402

KEY = ["indicator", "peildatum", "niveau", "gebiedcode"]
IDS = [indicator.id for indicator in registry.INDICATORS if indicator.id in reference.DEFINITIES]
SURVEYS = [indicator.id for indicator in registry.INDICATORS if indicator.soort == "enquete"]


def test_every_indicator_of_the_design_is_in_the_registry_and_defined_alike():
    assert IDS == list(reference.DEFINITIES)  # all of indicators.md, in its order
    for indicator_id in IDS:
        indicator, definitie = registry.indicator_by_id(indicator_id), reference.DEFINITIES[indicator_id]
        assert set(indicator.bronnen) == set(definitie.bronnen), indicator.id
        assert (indicator.factor, indicator.soort == "enquete") == (definitie.factor, definitie.enquete), indicator.id


@pytest.mark.parametrize("indicator", [i for i in registry.INDICATORS if i.id not in reference.DEFINITIES] or [None],
                         ids=lambda i: getattr(i, "id", "geen"))
def test_an_indicator_the_reference_does_not_know_is_named_not_compared(indicator):
    if indicator is None:
        pytest.skip("elke indicator van het register staat in de testreferentie")
    pytest.skip(f"{reference.UnknownIndicator(indicator.id)} (bestand {indicator.bestand}); niet vergeleken")


def test_reference_refuses_an_indicator_it_does_not_know():
    with pytest.raises(reference.UnknownIndicator, match="kent indicator 'uithuisplaatsing' niet"):
        reference.compute(reference.read_staging(random_staging(1, personen=50)), indicators=[*IDS, "uithuisplaatsing"])


def _compare(con) -> pd.DataFrame:
    """Published indicator_values merged with the reference on KEY; every cell must be on both sides."""
    expected = reference.compute(reference.read_staging(con), indicators=IDS)
    expected["peildatum"] = expected["peildatum"].dt.date
    actual = compute_publication(con, MonitorConfig())["indicator_values"].to_pandas()
    actual = actual[actual["indicator"].isin(IDS)]  # an indicator the reference does not know: skipped above
    merged = expected.merge(actual, on=KEY, how="outer", suffixes=("_ref", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][KEY]
    areas = {p: sum(len(below) for below in area_children(con, p).values()) + 1 for p in PEILDATA}
    assert len(merged) == len(IDS) * sum(areas.values())  # every area on every peildatum, once
    # incomplete inputs: exactly the reference's missing cells are published without figures, with a reason
    missing = merged[merged["ontbreekt"]]
    assert merged["reden"].notna().tolist() == merged["ontbreekt"].tolist()
    assert (missing["status"] == "onvoldoende gegevens").all() and not missing["onderdrukt"].any()
    assert missing[["waarde", "teller", "noemer", "n"]].isna().all().all()
    # the reference applies the primary rule; complementary suppression only adds to it
    assert (merged["onderdrukt"] | ~merged["onderdrukt_ref"]).all()
    shown = merged[~merged["onderdrukt"] & ~merged["ontbreekt"]]
    for column in ("teller", "noemer", "waarde"):
        assert shown[column].tolist() == pytest.approx(shown[f"{column}_ref"].tolist()), column
    survey = merged[merged["indicator"].isin(SURVEYS) & ~merged["ontbreekt"]]
    assert survey["n"].tolist() == survey["n_ref"].tolist()
    # no gebied or gemeente leaves exactly one suppressed area that holds anyone (a missing cell counts)
    children = {k: v for p in PEILDATA for k, v in area_children(con, p).items()}
    cells = {(r.indicator, r.peildatum, r.niveau, r.gebiedcode, None, None): r for r in merged.itertuples()}
    holds = {c: float("inf") if r.ontbreekt else r.noemer_ref for c, r in cells.items()}
    hidden = {c: bool(r.onderdrukt or r.ontbreekt) for c, r in cells.items()}
    all_groups = groups(cells, children)
    assert len(all_groups) == len(IDS) * len(children)  # per indicator: every gebied and gemeente on every P
    assert vulnerable_groups(holds, hidden, all_groups) == []
    return merged


@pytest.mark.integration  # random data sets through the whole computation
@pytest.mark.parametrize("seed", [1, 2])
def test_published_figures_match_the_reference_on_random_data(seed):
    merged = _compare(random_staging(seed))
    # the random data must exercise both outcomes for the comparison to mean something
    assert (merged["onderdrukt"] & ~merged["onderdrukt_ref"]).any()
    assert 0 < (~merged["onderdrukt"]).sum() < len(merged)
    assert not merged["ontbreekt"].any()
    assert set(merged["indicator"]) == set(IDS)


@pytest.mark.integration  # random data sets through the whole computation
def test_missing_population_and_missing_source_match_the_reference():
    # WK900001 loses its bevolking row on 2016-01-01 while people live there; participatie loses every
    # activity around 2017-01-01 (active on it or overlapping its window), so indicator 4 has no data then.
    con = random_staging(3)
    wijk, zonder_bevolking, zonder_participatie = "WK900001", date(2016, 1, 1), date(2017, 1, 1)
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [wijk, zonder_bevolking])
    con.execute("delete from stg_participatie where begindatum <= ? and (einddatum is null or einddatum >= ?)",
                [zonder_participatie, date(2016, 1, 1)])
    merged = _compare(con)
    per_inwoner = {i for i in IDS if "bevolking" in registry.indicator_by_id(i).bronnen}
    met_participatie = {i for i in IDS if "participatie" in registry.indicator_by_id(i).bronnen}
    missing = {tuple(r) for r in merged.loc[merged["ontbreekt"], KEY].itertuples(index=False)}
    gebied = con.execute("select gebiedcode from ref_gebieden where wijkcode = ?", [wijk]).fetchone()[0]
    on_p = merged[merged["peildatum"] == zonder_participatie]
    expected = {(i, zonder_bevolking, niveau, code) for i in per_inwoner
                for niveau, code in (("wijk", wijk), ("gebied", gebied), ("gemeente", "GM9999"))}
    expected |= {(i, zonder_participatie, r.niveau, r.gebiedcode) for i in met_participatie
                 for r in on_p[on_p["indicator"] == i].itertuples()}
    assert per_inwoner and met_participatie and missing == expected
