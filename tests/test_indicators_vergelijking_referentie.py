"""Cross-check of comparing fairly: context, similar wijken, reference values and verschil-in-verschil as
published equal the independent reference (benchmarks/reference.py, written from indicators.md v2) on
random data sets (tests/fixtures/indicators_referentie.py plus random kenmerken)."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from fixtures.indicators_referentie import random_staging

from indicators import registry
from indicators.compute import compute_publication
from indicators.config import MonitorConfig, Vergelijken, Werkwijze

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import reference  # noqa: E402

pytestmark = pytest.mark.integration  # random data sets through the whole computation
K = 3


def _with_kenmerken(seed: int, wijken: int):
    """random_staging plus kenmerken: a figure per year (only earlier years count), a small whole number
    (ties), one constant (left out) and one missing for a wijk (left out)."""
    con = random_staging(seed, personen=1500, wijken=wijken)
    rng = np.random.default_rng(seed + 100)
    codes = [row[0] for row in con.execute("select wijkcode from ref_gebieden order by wijkcode").fetchall()]
    rows = [(date(jaar, 1, 1), w, "inkomen", float(rng.normal(30, 8))) for jaar in (2014, 2015, 2016, 2030 - 13)
            for w in codes]
    rows += [(date(2014, 7, 1), w, "klasse", float(rng.integers(1, 3))) for w in codes]
    rows += [(date(2014, 7, 1), w, "vlak", 7.0) for w in codes]
    rows += [(date(2014, 7, 1), w, "gat", float(i)) for i, w in enumerate(codes[1:])]
    con.executemany("insert into stg_kenmerken values (?, ?, ?, ?)", rows)
    return con, codes


def _frames(con) -> reference.Frames:
    frames = reference.read_staging(con)
    frames["stg_kenmerken"] = con.execute("select * from stg_kenmerken").df()
    return frames


@pytest.mark.parametrize("seed", [3, 4])
def test_comparisons_match_the_reference_on_random_data(seed):
    con, codes = _with_kenmerken(seed, wijken=8)
    werkwijze = Werkwijze("Proef", "test", tuple(codes[:3]), date(2015, 6, 1))
    tables = compute_publication(con, MonitorConfig(vergelijken=Vergelijken(None, K), werkwijzen=(werkwijze,)))
    frames = _frames(con)
    peildata = [p for p in pl.from_arrow(tables["peildata"])["peildatum"].to_list()]
    buren = pl.from_arrow(tables["vergelijkbare_wijken"])
    context = pl.from_arrow(tables["context"])
    ref_values = pl.from_arrow(tables["referentiewaarden"])
    values = pl.from_arrow(tables["indicator_values"]).filter(pl.col("niveau") == "wijk")
    compared = {"buren": 0, "referentie": 0, "onderdrukt": 0}
    for p in peildata:
        expected_context = reference.context_on(frames, pd.Timestamp(p))
        used = set(context.filter((pl.col("peildatum") == p) & pl.col("gebruikt"))["kenmerk"])
        assert used == set(expected_context.columns), p
        assert {"vlak", "gat"}.isdisjoint(used) and "inkomen" in used
        expected = reference.similar_wijken(expected_context, K)
        actual = buren.filter(pl.col("peildatum") == p).sort("wijkcode", "rang")
        assert actual.select("wijkcode", "rang", "buur_wijkcode").rows() == [
            tuple(r) for r in expected[["wijkcode", "rang", "buur_wijkcode"]].itertuples(index=False)], p
        assert actual["afstand"].to_list() == pytest.approx(expected["afstand"].tolist()), p
        compared["buren"] += len(expected)
        for indicator in registry.INDICATORS:
            of_p = values.filter((pl.col("indicator") == indicator.id) & (pl.col("peildatum") == p)).select(
                pl.col("gebiedcode").alias("wijkcode"), "waarde", "onderdrukt").to_pandas()
            for wijk, group in expected.groupby("wijkcode"):
                mean, used_n, suppressed = reference.reference_value(group.buur_wijkcode.tolist(), of_p)
                [row] = ref_values.filter((pl.col("indicator") == indicator.id) & (pl.col("peildatum") == p)
                                          & (pl.col("wijkcode") == wijk)).rows(named=True)
                assert (row["n_buren"], row["n_onderdrukt"]) == (used_n, suppressed)
                assert row["waarde"] == pytest.approx(mean) if mean is not None else row["waarde"] is None
                compared["referentie"] += 1
                compared["onderdrukt"] += suppressed
    assert compared["buren"] and compared["referentie"] and compared["onderdrukt"]  # the data exercise the rules
    did = pl.from_arrow(tables["werkwijze_vergelijking"])
    intervals = 0
    for indicator in registry.INDICATORS:
        published = values.filter(pl.col("indicator") == indicator.id).select(
            "peildatum", pl.col("gebiedcode").alias("wijkcode"), "waarde").to_pandas()
        n_eff = None
        if indicator.soort == "enquete":
            n_eff = pd.concat([reference.survey_n_eff(frames, indicator.id, pd.Timestamp(p)).rename("n_eff")
                               .reset_index().assign(peildatum=p) for p in peildata])
        expected = reference.verschil_in_verschil(published, werkwijze.wijken, pd.Timestamp(werkwijze.startdatum),
                                                  peildata, n_eff)
        actual = did.filter(pl.col("indicator") == indicator.id).sort("peildatum").to_pandas()
        assert len(actual) == len(expected) == len([p for p in peildata if p > werkwijze.startdatum])
        for column in ("groep_n", "overig_n", "groep_weggelaten", "overig_weggelaten"):
            assert actual[column].tolist() == expected[column].tolist(), (indicator.id, column)
        for column in ("did", "groep_verandering", "overig_verandering", "ci_laag", "ci_hoog"):
            exp = [None if pd.isna(v) else v for v in expected[column]]
            act = [None if pd.isna(v) else v for v in actual[column]]
            assert [v is None for v in act] == [v is None for v in exp], (indicator.id, column)
            assert [v for v in act if v is not None] == pytest.approx([v for v in exp if v is not None]), (
                indicator.id, column)
        intervals += int(actual["ci_laag"].notna().sum())
    assert intervals  # some survey comparison has both groups complete: the interval is compared too


def test_no_usable_context_gives_no_similar_wijken_never_a_guess():
    """Every wijk with the same bevolking figures and no kenmerken: no variable has spread, so no wijk gets
    similar wijken (and so no reference value) on that peildatum."""
    con, _codes = _with_kenmerken(5, wijken=4)
    con.execute("delete from stg_kenmerken")
    con.execute("update stg_bevolking set inwoners = 100, inwoners_0_17 = 20, huishoudens = 50")
    tables = compute_publication(con, MonitorConfig())
    assert tables["vergelijkbare_wijken"].num_rows == 0 and tables["referentiewaarden"].num_rows == 0
    assert not pl.from_arrow(tables["context"])["gebruikt"].any()
    assert reference.similar_wijken(reference.context_on(_frames(con), pd.Timestamp(date(2016, 1, 1))), K).empty
