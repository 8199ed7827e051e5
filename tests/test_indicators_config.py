"""data/config/monitor.toml: defaults, overrides, targets and clear errors for bad config."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indicators import registry
from indicators.config import load_config
from core.errors import ConfigError, WijkmonitorError


def _write(tmp_path: Path, text: str) -> Path:
    """A monitor.toml with the given content."""
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid_and_holds_only_overrides():
    config = load_config()
    assert config.nulmeting == date(2015, 1, 1)
    # a corridor that repeats its indicator file's default word for word is a copy that can drift
    copies = [i for i in config.indicators if config.corridors.get(i.id) == i.corridor]
    assert copies == []
    for indicator in config.indicators:
        corridor = config.corridor(indicator)
        assert corridor.max_verslechtering > 0 and corridor.reden
        assert config.nulmeting <= corridor.marge_tot <= corridor.herstel_op


def test_indicator_files_beside_the_config_are_read_with_it(tmp_path):
    (tmp_path / "indicatoren").mkdir()
    voorbeeld = Path(__file__).resolve().parents[1] / "docs" / "voorbeelden" / "bijstand_per_1000.sql"
    eigen = voorbeeld.read_text(encoding="utf-8").replace('id = "bijstand_per_1000"', 'id = "eigen_bijstand"')
    (tmp_path / "indicatoren" / "eigen_bijstand.sql").write_text(eigen, encoding="utf-8")
    config = load_config(_write(tmp_path, "[corridor.eigen_bijstand]\nmax_verslechtering = 1.0\n"
                                          "marge_tot = 2016-01-01\nherstel_op = 2017-01-01\nreden = 'x'"))
    by_id = {indicator.id: indicator for indicator in config.indicators}
    assert set(by_id) == {*(i.id for i in registry.load_indicators(None)), "eigen_bijstand"}
    assert config.corridor(by_id["eigen_bijstand"]).max_verslechtering == 1.0


def test_empty_config_uses_nulmeting_2015_and_registry_corridors(tmp_path):
    config = load_config(_write(tmp_path, ""))
    assert config.nulmeting == date(2015, 1, 1)
    tevredenheid = registry.indicator_by_id("tevredenheid")
    assert config.corridor(tevredenheid) == tevredenheid.corridor
    assert config.streefwaarden == {}


def test_overrides_and_streefwaarden(tmp_path):
    path = _write(tmp_path, """
nulmeting = 2016-01-01
[corridor.zelfredzaamheid]
max_verslechtering = 1.5
marge_tot = 2017-01-01
herstel_op = 2018-07-01
reden = "Testreden."
[streefwaarden.zelfredzaamheid]
"2018-01-01" = 75
"2019-01-01" = 76.5
""")
    config = load_config(path)
    assert config.nulmeting == date(2016, 1, 1)
    corridor = config.corridor(registry.indicator_by_id("zelfredzaamheid"))
    assert (corridor.max_verslechtering, corridor.marge_tot, corridor.herstel_op, corridor.reden) == (
        1.5, date(2017, 1, 1), date(2018, 7, 1), "Testreden.",
    )
    assert config.streefwaarden == {
        ("zelfredzaamheid", date(2018, 1, 1)): 75.0,
        ("zelfredzaamheid", date(2019, 1, 1)): 76.5,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nulmeting = ", "geen geldige TOML"),
        ("nulmeting = 'gisteren'", "nulmeting is geen datum"),
        ("peil = 2015-01-01", "onbekende sleutel peil"),
        ("[corridor.onbekend]\nmax_verslechtering = 1", "onbekende indicator 'onbekend'"),
        ("[corridor.tevredenheid]\nmax_verslechtering = 1", "mist herstel_op, marge_tot, reden"),
        (
            "[corridor.tevredenheid]\nmax_verslechtering = -1\nmarge_tot = 2016-01-01\nherstel_op = 2017-01-01\nreden = 'x'",
            "max_verslechtering moet >= 0",
        ),
        (
            "[corridor.tevredenheid]\nmax_verslechtering = 1\nmarge_tot = 2018-01-01\nherstel_op = 2017-01-01\nreden = 'x'",
            "herstel_op \\(2017-01-01\\) ligt vóór marge_tot",
        ),
        (
            "[corridor.tevredenheid]\nmax_verslechtering = 1\nmarge_tot = 2016-01-01\nherstel_op = 2017-01-01\nreden = 'x'\nmarge = 2",
            "onbekende sleutel corridor.tevredenheid.marge",
        ),
        ("[streefwaarden.tevredenheid]\n'2020-01-01' = 'hoog'", "streefwaarden.tevredenheid.2020-01-01 is geen getal"),
        ("[streefwaarden.tevredenheid]\n'1 januari' = 80", "is geen datum"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, text, message):
    with pytest.raises(WijkmonitorError, match=message):
        load_config(_write(tmp_path, text))


def test_missing_config_file(tmp_path):
    with pytest.raises(WijkmonitorError, match="configuratiebestand niet gevonden"):
        load_config(tmp_path / "bestaat_niet.toml")


# ---- [vergelijken] and [[werkwijzen]] (comparing fairly, indicators.md v2) ----

def test_configuration_of_similar_wijken_and_werkwijzen():
    from indicators.config import Werkwijze, parse_config

    config = parse_config({"vergelijken": {"k": 3, "kenmerken": ["inkomen"]}, "werkwijzen": [
        {"naam": "W", "omschrijving": "o", "wijken": ["wk000001"], "startdatum": date(2017, 1, 1)}]})
    assert (config.vergelijken.k, config.vergelijken.kenmerken) == (3, ("inkomen",))
    assert config.werkwijzen == (Werkwijze("W", "o", ("WK000001",), date(2017, 1, 1)),)
    assert parse_config({}).vergelijken.kenmerken is None and parse_config({}).vergelijken.k == 5
    assert parse_config({}).werkwijzen == ()


@pytest.mark.parametrize("raw, fout", [
    ({"vergelijken": {"k": 0}}, "vergelijken.k moet een geheel getal >= 1"),
    ({"vergelijken": {"k": True}}, "vergelijken.k"),
    ({"vergelijken": {"buren": 3}}, "onbekende sleutel vergelijken.buren"),
    ({"vergelijken": {"kenmerken": "inkomen"}}, "vergelijken.kenmerken moet een lijst van teksten"),
    ({"werkwijzen": [{"naam": "W", "wijken": ["WK1"], "startdatum": date(2017, 1, 1)}]}, "mist omschrijving"),
    ({"werkwijzen": [{"naam": "W", "omschrijving": "o", "wijken": "WK1", "startdatum": date(2017, 1, 1)}]},
     "lijst van teksten"),
    ({"werkwijzen": [{"naam": "W", "omschrijving": "o", "wijken": ["WK1"], "startdatum": "2017"}]},
     "werkwijzen\\[1\\].startdatum is geen datum"),
    ({"werkwijzen": [{"naam": "W", "omschrijving": "o", "wijken": ["WK1"], "startdatum": date(2017, 1, 1)}] * 2},
     "werkwijze 'W' staat er twee keer in"),
    ({"werkwijzen": {"naam": "W"}}, "lijst van tabellen"),
])
def test_bad_vergelijken_or_werkwijzen_is_a_config_error(raw, fout):
    from core.errors import ConfigError
    from indicators.config import parse_config

    with pytest.raises(ConfigError, match=fout):
        parse_config(raw)


def test_shipped_config_holds_one_plausible_werkwijze():
    shipped = load_config()
    assert len(shipped.werkwijzen) == 1 and shipped.werkwijzen[0].startdatum == date(2017, 1, 1)
    assert shipped.vergelijken.kenmerken and shipped.vergelijken.k >= 1
# ---- begroting and taakstelling (issue 13) ----

def test_begroting_and_taakstelling_per_year_and_wet(tmp_path):
    config = load_config(_write(tmp_path, """
[begroting.wmo]
"2021" = 82_000_000
"2022" = 80_500_000.50
[begroting.jeugdwet]
"2022" = 74_000_000
[taakstelling.jeugdwet]
"2022" = 4_500_000
"""))
    assert config.begroting == {(2021, "wmo"): 82_000_000.0, (2022, "wmo"): 80_500_000.5,
                                (2022, "jeugdwet"): 74_000_000.0}
    assert config.taakstelling == {(2022, "jeugdwet"): 4_500_000.0}


def test_no_begroting_is_empty(tmp_path):
    config = load_config(_write(tmp_path, "nulmeting = 2015-01-01\n"))
    assert config.begroting == {} and config.taakstelling == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[begroting.zorgverzekeringswet]\n'2022' = 1", "onbekende wet 'zorgverzekeringswet' in \\[begroting\\]"),
        ("[taakstelling.wmo]\n'22' = 1", "taakstelling.wmo.22: het jaar moet vier cijfers zijn"),
        ("[begroting.wmo]\n'2022' = -5", "begroting.wmo.2022 moet >= 0 zijn"),
        ("[begroting.wmo]\n'2022' = 'veel'", "begroting.wmo.2022 is geen getal"),
    ],
)
def test_bad_begroting_is_one_clear_config_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, text))
