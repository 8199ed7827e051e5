"""The shipped reference geography: Groningen's 20 wijken, their gebieden and boundaries."""

from __future__ import annotations

import json

import polars as pl
import pytest

from wijkmonitor.paths import CBS_KERNCIJFERS_CSV, GEBIEDEN_CSV, REFERENCE_DIR, WIJKEN_2015_GEOJSON, WIJKEN_GEOJSON

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
    return pl.read_csv(GEBIEDEN_CSV, schema_overrides={"geldig_tot": pl.String})


def _features(path) -> dict[str, dict]:
    """statcode -> properties of every feature in a GeoJSON file."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {feature["properties"]["statcode"]: feature for feature in collection["features"]}


def test_twenty_wijken_with_the_current_cbs_codes(gebieden: pl.DataFrame) -> None:
    assert gebieden.columns == ["wijkcode", "wijknaam", "gebiedcode", "gebiedsnaam", "gemeentecode", "gemeentenaam",
                                "geldig_van", "geldig_tot"]
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
