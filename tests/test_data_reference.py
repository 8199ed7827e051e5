"""The shipped reference geography: Groningen's 20 wijken, their gebieden and boundaries."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from fixtures.sources import fake_compute, write_clean_sources
from indicators.config import load_config
from core.errors import EXIT_OK
from etl.deliveries import Aanlevering
from wijkmonitor.cli import run_etl

from core.paths import CBS_KERNCIJFERS_CSV, GEBIEDEN_CSV, REFERENCE_DIR, WIJKEN_2015_GEOJSON, WIJKEN_GEOJSON

# The default grouping of issue 2: the stadsdelen of the city's debate plus Haren and Ten Boer.
GEBIEDEN = {
    "Binnenstad": {"Centrum"},
    "Oude Wijken": {"Oud-Zuid", "Oud-West", "Oud-Noord", "Oosterparkwijk"},
    "Zuid": {"Zuidoost", "Helpman e.o.", "Zuidwest"},
    "Noordwest": {"Hoogkerk e.o.", "Nieuw-West", "Noordwest"},
    "Noordoost": {"Noordoost", "Noorddijk e.o.", "Meerdorpen", "Meerstad e.o."},
    "Ten Boer": {"Ten Boer e.o.", "Ten Post e.o."},
    "Haren": {"Haren-West e.o.", "Haren-Oost e.o.", "Glimmen-Onnen-Noordlaren"},
}
ATTRIBUTION = "Bron: CBS / Kadaster, Wijk- en buurtkaart (gegeneraliseerd), CC-BY 4.0"


@pytest.fixture(scope="module")
def gebieden() -> pl.DataFrame:
    return pl.read_csv(GEBIEDEN_CSV, schema_overrides={"geldig_tot": pl.String, "in_gemeente_sinds": pl.String})


def _features(path) -> dict[str, dict]:
    """statcode -> properties of every feature in a GeoJSON file."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {feature["properties"]["statcode"]: feature for feature in collection["features"]}


def test_twenty_wijken_with_the_current_cbs_codes(gebieden: pl.DataFrame) -> None:
    assert gebieden.columns == ["wijkcode", "wijknaam", "gebiedcode", "gebiedsnaam", "gemeentecode", "gemeentenaam",
                                "geldig_van", "geldig_tot", "in_gemeente_sinds"]
    assert sorted(gebieden["wijkcode"]) == [f"WK0014{n:02d}" for n in range(20)]
    assert set(gebieden["gemeentecode"]) == {"GM0014"}
    assert set(gebieden["gemeentenaam"]) == {"Groningen"}


def test_every_wijk_in_exactly_one_gebied_as_in_the_issue(gebieden: pl.DataFrame) -> None:
    assert gebieden["wijkcode"].is_unique().all()
    grouped = {naam: set(rows["wijknaam"]) for (naam,), rows in gebieden.group_by("gebiedsnaam")}
    assert grouped == GEBIEDEN
    assert gebieden.group_by("gebiedcode").agg(pl.col("gebiedsnaam").n_unique())["gebiedsnaam"].max() == 1
    assert gebieden["gebiedcode"].n_unique() == 7


def test_grouping_records_from_when_it_is_valid(gebieden: pl.DataFrame) -> None:
    assert set(gebieden["geldig_van"]) == {"2015-01-01"}
    assert gebieden["geldig_tot"].null_count() == gebieden.height


def test_codes_and_names_match_the_2024_boundaries(gebieden: pl.DataFrame) -> None:
    features = _features(WIJKEN_GEOJSON)
    assert set(features) == set(gebieden["wijkcode"])
    for code, naam in gebieden.select("wijkcode", "wijknaam").rows():
        properties = features[code]["properties"]
        assert properties["statnaam"] == naam, code
        assert properties["gemeentecode"] == "GM0014"
        assert features[code]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_2015_boundaries_hold_the_old_city_and_pre_merger_haren_and_ten_boer(gebieden: pl.DataFrame) -> None:
    features = _features(WIJKEN_2015_GEOJSON)
    old_city = {f"WK0014{n:02d}" for n in range(14)}
    assert old_city <= set(features)
    assert {p["properties"]["gemeentecode"] for p in features.values()} == {"GM0014", "GM0017", "GM0009"}
    names = dict(gebieden.select("wijkcode", "wijknaam").rows())
    assert all(features[code]["properties"]["statnaam"] == names[code] for code in old_city)


def test_kerncijfers_cover_every_wijk_in_2024(gebieden: pl.DataFrame) -> None:
    kwb = pl.read_csv(CBS_KERNCIJFERS_CSV).filter(pl.col("jaar") == 2024)
    assert set(kwb["wijkcode"]) == set(gebieden["wijkcode"])
    assert dict(kwb.select("wijkcode", "wijknaam").rows()) == dict(gebieden.select("wijkcode", "wijknaam").rows())
    assert kwb["AantalInwoners"].sum() == 243_750


def test_attribution_is_shipped() -> None:
    text = (REFERENCE_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert ATTRIBUTION in text
    assert "Bron: CBS, Kerncijfers wijken en buurten, CC-BY 4.0" in text


def _rings(geometry: dict) -> list:
    """The polygons of a Polygon or MultiPolygon as lists of rings."""
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def _contains(geometry: dict, point: tuple[float, float]) -> bool:
    """Even-odd ray casting: enough for a test on a handful of coarse wijk polygons."""
    x, y = point
    inside = False
    for polygon in _rings(geometry):
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
    return inside


def _inner_point(geometry: dict) -> tuple[float, float]:
    """Mean of the outer ring's vertices (inside for these fairly compact wijken; checked below)."""
    points = [point for polygon in _rings(geometry) for point in polygon[0][:-1]]
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def test_in_gemeente_sinds_marks_the_wijken_of_former_haren_and_ten_boer(gebieden: pl.DataFrame) -> None:
    """A 2024 wijk lying in the 2015 Haren (GM0017) or Ten Boer (GM0009) joined on 2019-01-01, the merger."""
    old = list(_features(WIJKEN_2015_GEOJSON).values())
    since = dict(gebieden.select("wijkcode", "in_gemeente_sinds").rows())
    merged = set()
    for code, feature in _features(WIJKEN_GEOJSON).items():
        point = _inner_point(feature["geometry"])
        assert _contains(feature["geometry"], point), code
        gemeenten = {f["properties"]["gemeentecode"] for f in old if _contains(f["geometry"], point)}
        assert len(gemeenten) <= 1, code
        if gemeenten & {"GM0017", "GM0009"}:
            merged.add(code)
            assert since[code] == "2019-01-01", code
        elif gemeenten == {"GM0014"}:
            assert since[code] is None, code
    assert {naam for code, naam in gebieden.select("wijkcode", "gebiedsnaam").rows() if code in merged} == {
        "Haren", "Ten Boer"}
    assert {code for code, date in since.items() if date is not None} == merged


def _published_areas(tmp_path: Path, gebieden: Path = GEBIEDEN_CSV) -> dict[tuple[str, str], object]:
    """(niveau, gebiedcode) -> in_gemeente_sinds of the areas table after an ETL run on tmp_path/bronnen."""
    err = io.StringIO()
    code = run_etl(tmp_path / "bronnen", tmp_path / "warehouse.duckdb", tmp_path / "monitor.duckdb",
                   compute=fake_compute, config=load_config(), aanlevering=Aanlevering(gebieden=gebieden),
                   out=io.StringIO(), err=err)
    assert code == EXIT_OK, err.getvalue()
    with duckdb.connect(str(tmp_path / "monitor.duckdb"), read_only=True) as store:
        rows = store.execute("select niveau, gebiedcode, in_gemeente_sinds from areas").fetchall()
    return {(niveau, code): since for niveau, code, since in rows}


@pytest.mark.integration  # the whole ETL
def test_areas_publish_in_gemeente_sinds(tmp_path: Path, gebieden: pl.DataFrame) -> None:
    write_clean_sources(tmp_path / "bronnen")
    areas = _published_areas(tmp_path)
    expected = {code: since for code, since in gebieden.select("wijkcode", "in_gemeente_sinds").rows()}
    assert {code: (str(since) if since else None) for (niveau, code), since in areas.items()
            if niveau == "wijk"} == expected
    merged_gebieden = {code for code, since in gebieden.group_by("gebiedcode").agg(
        pl.col("in_gemeente_sinds").is_not_null().all()).rows() if since}
    assert {code for (niveau, code), since in areas.items() if niveau == "gebied" and since} == merged_gebieden
    assert len(merged_gebieden) == 2  # Haren and Ten Boer: every wijk of both joined in 2019
    assert {since for (niveau, _), since in areas.items() if niveau == "gemeente"} == {None}


@pytest.mark.integration  # the whole ETL
def test_an_area_table_without_the_column_still_loads(tmp_path: Path, gebieden: pl.DataFrame) -> None:
    """A municipality's own table may leave the optional column out: then no wijk joined by a merger."""
    write_clean_sources(tmp_path / "bronnen")
    gebieden.drop("in_gemeente_sinds").write_csv(tmp_path / "gebieden.csv")
    areas = _published_areas(tmp_path, tmp_path / "gebieden.csv")
    assert len(areas) > gebieden.height and set(areas.values()) == {None}


@pytest.mark.integration  # the whole ETL
def test_a_warehouse_made_before_the_column_gets_it(tmp_path: Path, gebieden: pl.DataFrame) -> None:
    write_clean_sources(tmp_path / "bronnen")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as old:
        old.execute(
            "create table ref_gebieden (wijkcode varchar not null, wijknaam varchar not null, "
            "gebiedcode varchar not null, gebiedsnaam varchar not null, gemeentecode varchar not null, "
            "gemeentenaam varchar not null, geldig_van date not null, geldig_tot date)"
        )
    areas = _published_areas(tmp_path)
    merged = gebieden.filter(pl.col("in_gemeente_sinds").is_not_null())
    assert {code for (_, code), since in areas.items() if since is not None} == set(merged["wijkcode"]) | set(
        merged["gebiedcode"])
