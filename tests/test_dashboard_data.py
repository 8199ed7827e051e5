"""Loading the published store: display texts, suppression, reload on change, clear errors."""

from __future__ import annotations

import os
import shutil
from datetime import date

import polars as pl
import pytest
from fixtures.published_store import build_published_store

from dashboard.data import StoreUnavailable, published
from dashboard.format import SUPPRESSED_TEXT


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_published_store(tmp_path_factory.mktemp("store") / "monitor.duckdb")


def test_loads_registry_peildata_and_geometry(store_path):
    data = published(store_path)
    assert list(data.indicators)[:2] == ["tevredenheid", "zelfredzaamheid"]
    assert data.indicators["jeugd_gedwongen_kader"].lager_is_beter
    assert data.peildata == [date(2015, 1, 1), date(2016, 1, 1), date(2017, 1, 1)]
    assert data.nulmeting == date(2015, 1, 1)
    assert data.latest == date(2017, 1, 1)
    assert len(data.wijk_geojson["features"]) == 20
    assert data.gemeente() == ("GM0014", "Groningen")
    assert data.areas("gebied").height == 7
    assert data.area_name("WK001401") == "Oud-Zuid"
    assert data.area_name("WK999999") is None


def test_display_texts_in_dutch(store_path):
    # WK001401 (k=1, rising): 60 + 0.5 + 2 * 2 = 64.5 against 60.5 at the nulmeting.
    row = published(store_path).select(indicator="zelfredzaamheid", gebiedcode="WK001401",
                                        peildatum=date(2017, 1, 1)).row(0, named=True)
    assert row["waarde_tekst"] == "64,5%"
    assert row["verschil_tekst"] == "+4,0 procentpunt"
    assert row["index_tekst"] == "106,6"
    assert row["vorige_tekst"] == "+2,0 procentpunt"
    assert row["interval_tekst"] == "62,9% – 66,1%"
    assert row["status"] == "verbeterd"


def test_suppressed_rows_never_carry_a_number_text(store_path):
    values = published(store_path).values
    suppressed = values.filter(pl.col("onderdrukt"))
    assert set(suppressed["gebiedcode"]) == {"WK001413", "WK001416", "WK001419"}
    for column in ("waarde_tekst", "verschil_tekst", "index_tekst"):
        assert set(suppressed[column]) == {SUPPRESSED_TEXT}
    assert set(suppressed["interval_tekst"]) == {""}


def test_reloads_when_the_file_is_replaced(store_path, tmp_path):
    copy = tmp_path / "monitor.duckdb"
    shutil.copy(store_path, copy)
    first = published(copy)
    assert published(copy) is first  # served from memory
    replacement = build_published_store(tmp_path / "new.duckdb")
    os.replace(replacement, copy)  # the ETL swaps the file in by rename
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, first.mtime_ns + 1_000_000_000))
    assert published(copy) is not first


def test_missing_store_gives_a_clear_message(tmp_path):
    with pytest.raises(StoreUnavailable, match="ontbreekt; draai eerst 'wijkmonitor etl"):
        published(tmp_path / "absent.duckdb")


def test_unreadable_store_gives_a_clear_message(tmp_path):
    broken = tmp_path / "broken.duckdb"
    broken.write_text("geen duckdb")
    with pytest.raises(StoreUnavailable, match="niet te openen"):
        published(broken)
