"""The settings store beside monitor.toml (indicators/settings.py) and its overlay in load_config: history never
lost, concurrent edits refused, invalid edits refused with the parser's line, the edited section in force."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from core import paths
from core.errors import ConfigError
from indicators import settings
from indicators.config import Werkwijze, effective_raw, load_config, parse_config, save_setting
from indicators.settings import SettingRejected

WERKWIJZE = {"naam": "Buurtteam", "omschrijving": "Eén team per buurt.", "wijken": ["WK001401", "WK001402"],
             "startdatum": "2018-03-01"}
MINIMAL = """nulmeting = 2015-01-01
[[werkwijzen]]
naam = "Integraal wijkteam"
omschrijving = "Alles in één team."
wijken = ["WK001403"]
startdatum = 2017-01-01

[begroting.wmo]
"2020" = 80_000_000
"2021" = 82_000_000

[taakstelling.wmo]
"2021" = 1_000_000
"""


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "monitor.toml"
    path.parent.mkdir()
    path.write_text(MINIMAL, encoding="utf-8")
    return path


def _store(config: Path) -> Path:
    return settings.store_path(config)


def test_without_edits_monitor_toml_is_in_force_and_reading_creates_no_store(config):
    loaded = load_config(config)
    assert [w.naam for w in loaded.werkwijzen] == ["Integraal wijkteam"]
    assert loaded.begroting == {(2020, "wmo"): 80_000_000.0, (2021, "wmo"): 82_000_000.0}
    assert (loaded.instellingen_versie, loaded.instellingen_op) == (0, None)
    assert not _store(config).exists()


def test_an_edited_section_replaces_that_whole_section_of_monitor_toml_and_only_that(config):
    versie = save_setting(config, "begroting", {"jeugdwet": {"2022": 74_000_000}}, "Voorjaarsnota 2022", "beheerder", 0)
    loaded = load_config(config)
    assert versie == 1 and loaded.instellingen_versie == 1 and loaded.instellingen_op is not None
    assert loaded.begroting == {(2022, "jeugdwet"): 74_000_000.0}  # monitor.toml's wmo years are gone with the section
    assert loaded.taakstelling == {(2021, "wmo"): 1_000_000.0}  # untouched sections stay monitor.toml's
    assert [w.naam for w in loaded.werkwijzen] == ["Integraal wijkteam"]
    save_setting(config, "werkwijzen", [WERKWIJZE], "Proef in twee wijken", "beheerder", 0)
    loaded = load_config(config)
    assert loaded.werkwijzen == (Werkwijze("Buurtteam", "Eén team per buurt.", ("WK001401", "WK001402"), date(2018, 3, 1)),)
    assert loaded.instellingen_versie == 2


def test_an_empty_edited_section_means_none_and_set_back_means_monitor_toml_again(config):
    save_setting(config, "werkwijzen", [], "Proef gestopt", "beheerder", 0)
    assert load_config(config).werkwijzen == ()
    save_setting(config, "werkwijzen", None, "Terug naar monitor.toml", "beheerder", 1)
    loaded = load_config(config)
    assert [w.naam for w in loaded.werkwijzen] == ["Integraal wijkteam"] and loaded.instellingen_versie == 2
    assert effective_raw({"a": 1, "werkwijzen": [1]}, {"werkwijzen": None, "begroting": {}}) == {
        "a": 1, "werkwijzen": [1], "begroting": {}}


def test_every_version_is_kept_with_who_when_why_and_what_it_was_made_on(config):
    save_setting(config, "taakstelling", {"wmo": {"2022": 3_000_000}}, "Raadsbesluit 2019", "anna", 0)
    save_setting(config, "begroting", {"wmo": {"2022": 82_000_000}}, "Begroting 2022", "bram", 0)
    save_setting(config, "taakstelling", {"wmo": {"2022": 3_500_000}}, "Bijgesteld", "bram", 1)
    changes = settings.history(_store(config))
    assert [(c.versie, c.onderdeel, c.gemaakt_op, c.door, c.reden) for c in changes] == [
        (1, "taakstelling", 0, "anna", "Raadsbesluit 2019"), (2, "begroting", 0, "bram", "Begroting 2022"),
        (3, "taakstelling", 1, "bram", "Bijgesteld")]
    assert changes[0].inhoud == {"wmo": {"2022": 3_000_000}} and changes[2].inhoud == {"wmo": {"2022": 3_500_000}}
    assert [c.versie for c in settings.history(_store(config), "taakstelling")] == [1, 3]
    assert load_config(config).taakstelling == {(2022, "wmo"): 3_500_000.0}


def test_the_history_cannot_be_overwritten_or_deleted(config):
    save_setting(config, "werkwijzen", [WERKWIJZE], "Proef", "beheerder", 0)
    with sqlite3.connect(_store(config)) as con:
        with pytest.raises(sqlite3.DatabaseError, match="niet overschreven"):
            con.execute("UPDATE instelling_versies SET reden = 'anders'")
        with pytest.raises(sqlite3.DatabaseError, match="niet gewist"):
            con.execute("DELETE FROM instelling_versies")
    assert [c.reden for c in settings.history(_store(config))] == ["Proef"]


def test_an_edit_made_on_an_old_version_is_refused_not_lost(config):
    save_setting(config, "werkwijzen", [WERKWIJZE], "Eerste", "anna", 0)
    with pytest.raises(SettingRejected, match="anna heeft de werkwijzen intussen gewijzigd"):
        save_setting(config, "werkwijzen", [], "Tweede op de oude stand", "bram", 0)
    # another section's version is its own: an edit of begroting is not held up by the werkwijzen
    assert save_setting(config, "begroting", {}, "Leeg", "bram", 0) == 2
    assert [c.reden for c in settings.history(_store(config))] == ["Eerste", "Leeg"]


def test_two_writers_on_the_same_version_at_once_one_wins_one_is_refused(config):
    results: list[object] = []
    start = threading.Barrier(2)

    def edit(name: str) -> None:
        start.wait()
        try:
            results.append(save_setting(config, "taakstelling", {"wmo": {"2022": len(name)}}, f"door {name}", name, 0))
        except SettingRejected as error:
            results.append(error)

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("anna", "bram")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(r).__name__ for r in results) == ["SettingRejected", "int"]
    assert len(settings.history(_store(config))) == 1


@pytest.mark.parametrize(("onderdeel", "inhoud", "line"), [
    ("werkwijzen", [WERKWIJZE, WERKWIJZE], "werkwijze 'Buurtteam' staat er twee keer in"),
    ("werkwijzen", [{**WERKWIJZE, "startdatum": "1-3-2018"}], "werkwijzen[1].startdatum is geen datum (JJJJ-MM-DD): '1-3-2018'"),
    ("werkwijzen", [{**WERKWIJZE, "wijken": []}], "[werkwijzen[1]] noemt geen wijken"),
    ("begroting", {"wmo": {"2022": -5}}, "begroting.wmo.2022 moet >= 0 zijn, is -5.0"),
    ("taakstelling", {"wet_op_iets": {"2022": 5}}, "onbekende wet 'wet_op_iets' in [taakstelling]; bekend: wmo, jeugdwet, participatiewet"),
    ("begroting", {"wmo": {"22": 5}}, "begroting.wmo.22: het jaar moet vier cijfers zijn"),
])
def test_an_invalid_edit_is_refused_with_the_parsers_line_and_nothing_is_stored(config, onderdeel, inhoud, line):
    with pytest.raises(SettingRejected) as refused:
        save_setting(config, onderdeel, inhoud, "Poging", "beheerder", 0)
    assert str(refused.value) == line
    assert settings.history(_store(config)) == []
    with pytest.raises(ConfigError) as parsed:
        parse_config({onderdeel: inhoud}, source="monitor.toml")  # the very same parser decides
    assert str(parsed.value) == f"monitor.toml: {line}"


@pytest.mark.parametrize(("onderdeel", "reden", "door", "line"), [
    ("werkwijzen", "  ", "beheerder", "vul de reden van de wijziging in"),
    ("werkwijzen", "x" * (settings.MAX_REASON + 1), "beheerder", "de reden is langer dan 2000 tekens"),
    ("werkwijzen", "Proef", "", "onbekende gebruiker"),
    ("vergelijken", "Proef", "beheerder", "onbekend onderdeel 'vergelijken'; kies uit werkwijzen, begroting, taakstelling"),
])
def test_a_change_needs_a_known_section_a_reason_and_a_user(config, onderdeel, reden, door, line):
    with pytest.raises(SettingRejected, match=line):
        save_setting(config, onderdeel, [], reden, door, 0)
    assert not _store(config).exists() or settings.history(_store(config)) == []


def test_the_shipped_configuration_is_valid_through_the_same_route(tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(paths.MONITOR_CONFIG.parent, folder, ignore=shutil.ignore_patterns(settings.STORE_NAME + "*"))
    shipped = load_config(folder / "monitor.toml")
    save_setting(folder / "monitor.toml", "werkwijzen", [WERKWIJZE], "Proef", "beheerder", 0)
    edited = load_config(folder / "monitor.toml")
    assert edited.begroting == shipped.begroting and edited.taakstelling == shipped.taakstelling
    assert [w.naam for w in edited.werkwijzen] == ["Buurtteam"] != [w.naam for w in shipped.werkwijzen]


@pytest.mark.integration
def test_the_next_etl_run_uses_the_edited_settings_and_the_store_says_which_version(config, tmp_path, monkeypatch):
    import io

    import duckdb
    from fixtures.sources import fake_compute, write_clean_sources

    from wijkmonitor.cli import run_etl

    monkeypatch.setattr(paths, "MONITOR_CONFIG", config)  # the ETL's default configuration is this one
    seen: list = []

    def compute(con, run_config):
        seen.append(run_config)
        return fake_compute(con, run_config)

    def etl() -> dict[str, str]:
        code = run_etl(write_clean_sources(tmp_path / "bronnen"), tmp_path / "warehouse.duckdb", tmp_path / "monitor.duckdb",
                       compute=compute, vandaag=date(2025, 6, 30), out=io.StringIO(), err=io.StringIO())
        assert code == 0
        with duckdb.connect(str(tmp_path / "monitor.duckdb"), read_only=True) as con:
            return dict(con.execute("SELECT sleutel, waarde FROM meta").fetchall())

    meta = etl()
    assert (meta["instellingen_versie"], meta["instellingen_op"]) == ("0", "")
    assert [w.naam for w in seen[-1].werkwijzen] == ["Integraal wijkteam"]
    save_setting(config, "werkwijzen", [WERKWIJZE], "Proef in twee wijken", "beheerder", 0)
    save_setting(config, "taakstelling", {"jeugdwet": {"2022": 4_500_000}}, "Raadsbesluit", "beheerder", 0)
    meta = etl()
    newest = settings.history(settings.store_path(config))[-1]
    assert (meta["instellingen_versie"], meta["instellingen_op"]) == ("2", newest.op.isoformat(timespec="seconds"))
    assert [w.naam for w in seen[-1].werkwijzen] == ["Buurtteam"]
    assert seen[-1].taakstelling == {(2022, "jeugdwet"): 4_500_000.0}


def test_the_cli_shows_the_settings_in_force_and_the_history(config, capsys):
    from wijkmonitor.cli import main

    save_setting(config, "taakstelling", {"wmo": {"2021": 1_250_000}}, "Bijgesteld na de najaarsnota", "beheerder", 0)
    assert main(["instellingen", "toon", "--onderdeel", "taakstelling", "--config", str(config)]) == 0
    shown = capsys.readouterr().out
    assert "instellingen versie 1 van" in shown and "taakstelling (bron: scherm, versie 1)" in shown
    assert "2021\tWmo\t€ 1.250.000" in shown
    assert main(["instellingen", "geschiedenis", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("versie 1\t") and lines[0].endswith("\tbeheerder\ttaakstelling\tBijgesteld na de najaarsnota")
    assert lines[1:] == ["  2021 Wmo: € 1.000.000 → € 1.250.000"]


def test_a_damaged_store_stops_the_configuration_with_one_line_instead_of_falling_back(config):
    from core.errors import WijkmonitorError

    _store(config).write_bytes(b"dit is geen SQLite-bestand" * 100)
    with pytest.raises(WijkmonitorError, match=r"instellingen: kan .*instellingen.sqlite niet openen"):
        load_config(config)


@pytest.mark.integration
def test_edited_werkwijze_and_begroting_reach_the_published_tables_through_the_real_etl(config, tmp_path, monkeypatch):
    """Settings store -> run_etl with the real computation -> werkwijzen, werkwijze_vergelijking, begroting and meta."""
    import io

    import duckdb
    from fixtures.sources import write_clean_sources

    from wijkmonitor.cli import run_etl

    monkeypatch.setattr(paths, "MONITOR_CONFIG", config)
    bronnen = write_clean_sources(tmp_path / "bronnen")

    def etl() -> dict[str, list[tuple]]:
        err = io.StringIO()
        code = run_etl(bronnen, tmp_path / "warehouse.duckdb", tmp_path / "monitor.duckdb", vandaag=date(2025, 6, 30),
                       out=io.StringIO(), err=err)
        assert (code, err.getvalue()) == (0, "")
        with duckdb.connect(str(tmp_path / "monitor.duckdb"), read_only=True) as con:
            return {
                "werkwijzen": con.execute("SELECT werkwijze, startdatum, wijkcode FROM werkwijzen ORDER BY ALL").fetchall(),
                "vergelijking": con.execute("SELECT DISTINCT werkwijze, peildatum_start FROM werkwijze_vergelijking "
                                            "ORDER BY ALL").fetchall(),
                "begroting": con.execute("SELECT jaar, wet, begroting, taakstelling FROM begroting ORDER BY ALL").fetchall(),
                "meta": con.execute("SELECT sleutel, waarde FROM meta WHERE sleutel LIKE 'instellingen%' ORDER BY ALL"
                                    ).fetchall(),
            }

    before = etl()
    assert before["werkwijzen"] == [("Integraal wijkteam", date(2017, 1, 1), "WK001403")]
    assert before["vergelijking"] == []
    assert before["begroting"] == [(2020, "wmo", 80_000_000.0, None), (2021, "wmo", 82_000_000.0, 1_000_000.0)]
    assert dict(before["meta"])["instellingen_versie"] == "0"
    save_setting(config, "werkwijzen", [WERKWIJZE | {"startdatum": "2015-06-01"}], "Proef in twee wijken", "beheerder", 0)
    save_setting(config, "begroting", {"wmo": {"2020": 80_000_000, "2021": 85_500_000}}, "Voorjaarsnota", "beheerder", 0)
    after = etl()
    assert after["werkwijzen"] == [("Buurtteam", date(2015, 6, 1), "WK001401"), ("Buurtteam", date(2015, 6, 1), "WK001402")]
    # the clean drop has peildata 2015-01-01 and 2016-01-01: the edited werkwijze is compared from the last one on or
    # before its start (monitor.toml's, starting 2017, had no peildatum after its start, so no comparison)
    assert after["vergelijking"] == [("Buurtteam", date(2015, 1, 1))]
    # the begroting section replaced as a whole; the taakstelling (not edited) still from monitor.toml
    assert after["begroting"] == [(2020, "wmo", 80_000_000.0, None), (2021, "wmo", 85_500_000.0, 1_000_000.0)]
    assert dict(after["meta"])["instellingen_versie"] == "2"


@pytest.mark.integration
def test_etl_and_serve_take_the_configuration_named_by_config(config, tmp_path, monkeypatch, capsys):
    """`wijkmonitor etl --config` reads that monitor.toml and its store, not the shipped one; a missing file is one line."""
    import duckdb
    from fixtures.sources import write_clean_sources

    from wijkmonitor import cli

    bronnen = write_clean_sources(tmp_path / "bronnen")
    save_setting(config, "werkwijzen", [WERKWIJZE], "Proef in twee wijken", "beheerder", 0)
    db = tmp_path / "monitor.duckdb"
    etl = ["etl", "--sources", str(bronnen), "--warehouse", str(tmp_path / "warehouse.duckdb"), "--db", str(db)]
    assert cli.main([*etl, "--config", str(config)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT waarde FROM meta WHERE sleutel = 'instellingen_versie'").fetchone() == ("1",)
        assert {row[0] for row in con.execute("SELECT werkwijze FROM werkwijzen").fetchall()} == {"Buurtteam"}
    capsys.readouterr()
    assert cli.main([*etl, "--config", str(tmp_path / "elders.toml")]) == ConfigError.exit_code
    assert capsys.readouterr().err == f"wijkmonitor etl: {tmp_path / 'elders.toml'}: configuratiebestand niet gevonden\n"
    served: dict = {}
    monkeypatch.setattr("dashboard.app.serve", lambda **options: served.update(options))
    assert cli.main(["serve", "--db", str(db), "--config", str(config)]) == 0
    assert served["config"] == config
