"""wijkmonitor/pipeline.py: idempotent loading, data-quality tables, exit codes, the real computation."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.contract import BRONNEN, Drempels, persoonskolommen
from etl.deliveries import Aanlevering
from expectations import gate
from fixtures.sources import CLEAN, CLEAN_ROWS, published_figures, VANDAAG, write_clean_sources
from fixtures.sources import run_fake_etl as _etl
from wijkmonitor.cli import main, run_etl

pytestmark = pytest.mark.integration  # the whole ETL through the GX gate





def _warehouse(folder: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query on the warehouse."""
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _raw_rows(folder: Path) -> dict[str, int]:
    """Rows per raw table of every source (the optional ones the clean drop leaves out hold none)."""
    return {name: _warehouse(folder, f"SELECT count(*) FROM raw_{name}")[0][0] for name in CLEAN_ROWS}


@pytest.fixture()
def drop(tmp_path: Path) -> Path:
    """A folder holding the clean drop in bronnen/."""
    write_clean_sources(tmp_path / "bronnen")
    return tmp_path


def test_clean_drop_publishes_with_clean_summary(drop: Path) -> None:
    code, out, err = _etl(drop)
    assert (code, err) == (0, "")
    assert "Uitkomst: alles geaccepteerd" in out
    with duckdb.connect(str(drop / "monitor.duckdb"), read_only=True) as con:
        sources = con.execute(
            "SELECT bron, bestanden, bestanden_afgewezen, rijen_geleverd, rijen_geaccepteerd, rijen_quarantaine, "
            "waarschuwingen, recentste_datum, status FROM dq_sources ORDER BY bron"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM dq_rules").fetchone()[0] == 0
        meta = dict(con.execute("SELECT sleutel, waarde FROM meta").fetchall())
        areas = con.execute("SELECT niveau, count(*) FROM areas GROUP BY niveau ORDER BY niveau").fetchall()
        geometry = con.execute("SELECT wijkcode, wijknaam FROM geometry WHERE wijkcode = 'WK001400'").fetchall()
    assert sources == [
        ("bevolking", 1, 0, 4, 4, 0, 0, date(2016, 1, 1), "in orde"),
        ("bewonersenquete", 1, 0, 4, 4, 0, 0, date(2015, 4, 1), "in orde"),
        ("bijstand", 1, 0, 2, 2, 0, 0, date(2014, 5, 1), "in orde"),
        ("clientervaring", 1, 0, 3, 3, 0, 0, date(2015, 5, 3), "in orde"),
        ("ondersteuning", 1, 0, 3, 3, 0, 0, date(2014, 12, 1), "in orde"),
        ("participatie", 1, 0, 2, 2, 0, 0, date(2014, 6, 1), "in orde"),
    ]
    assert meta["bron_geometrie"] == "Bron: CBS / Kadaster, Wijk- en buurtkaart (gegeneraliseerd), CC-BY 4.0"
    assert set(meta) == {"gepubliceerd_op", "nulmeting", "bron_geometrie", "versie", "run_id", "fictieve_demogegevens",
                         "instellingen_versie", "instellingen_op", "publicatiecontrole"}  # the audit's mark
    assert meta["fictieve_demogegevens"] == "nee"  # no herkomst.json in this drop
    assert areas == [("gebied", 7), ("gemeente", 1), ("wijk", 20)]
    assert geometry == [("WK001400", "Centrum")]


def test_a_drop_without_accepted_population_publishes_nothing_and_says_why(drop: Path) -> None:
    """Every bevolking row in an unknown wijk: the file is held back, nothing is computed or published (exit 1, the
    input's fault), and the summary names the held-back file and what to do."""
    bevolking = drop / "bronnen" / "bevolking" / "bevolking.csv"
    bevolking.write_text(CLEAN["bevolking"].replace("WK0014", "WK9999"), encoding="utf-8")
    code, out, err = _etl(drop, compute=None, config=None)
    assert code == 1
    assert "bevolking/bevolking.csv" in err and "bestand tegengehouden" in err
    assert ("Niets gepubliceerd: bevolking: geen geaccepteerde peildatum op of na de nulmeting 2015-01-01, dus geen "
            "cijfers; het gepubliceerde bestand is ongewijzigd.") in out
    assert not (drop / "monitor.duckdb").exists()


def test_twice_over_the_same_drop_gives_identical_figures_and_no_duplicate_rows(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    first_figures, first_raw = published_figures(drop / "monitor.duckdb"), _raw_rows(drop)
    assert _etl(drop)[0] == 0
    assert published_figures(drop / "monitor.duckdb") == first_figures
    assert _raw_rows(drop) == first_raw == CLEAN_ROWS
    last_run = _warehouse(drop, "SELECT max(run_id) FROM load_log")[0][0]
    outcomes = _warehouse(drop, "SELECT DISTINCT uitkomst FROM load_log WHERE run_id = ?", [last_run])
    assert outcomes == [("ongewijzigd",)]


def test_changed_file_replaces_its_earlier_version(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    path = drop / "bronnen" / "bevolking" / "bevolking.csv"
    path.write_text(CLEAN["bevolking"].replace("2016-01-01,WK001400,1100", "2016-01-01,WK001400,1150"))
    assert _etl(drop)[0] == 0
    assert _raw_rows(drop)["bevolking"] == 4
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1150.0) in published_figures(drop / "monitor.duckdb")
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1100.0) not in published_figures(drop / "monitor.duckdb")


def test_removed_file_stops_counting(drop: Path) -> None:
    extra = drop / "bronnen" / "participatie" / "participatie_2016.csv"
    extra.write_text("activiteit_id,persoon_id,activiteit,begindatum,einddatum\nA3,P10,opleiding,2016-01-01,\n")
    assert _etl(drop)[0] == 0
    assert _raw_rows(drop)["participatie"] == 3
    extra.unlink()
    assert _etl(drop)[0] == 0
    assert _raw_rows(drop)["participatie"] == 2
    figures = dict(((f[0], f[2]), f[3]) for f in published_figures(drop / "monitor.duckdb"))
    assert figures[("rijen_participatie", "GM0014")] == 2.0


def test_renamed_copy_of_an_accepted_file_is_counted_once_with_a_warning(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    shutil.copy(drop / "bronnen" / "bijstand" / "bijstand.csv", drop / "bronnen" / "bijstand" / "a_kopie.csv")
    code, out, err = _etl(drop)
    assert code == 0
    assert err.strip() == "wijkmonitor etl: bijstand/a_kopie.csv: zelfde rijen als bijstand.csv: één keer geteld"
    assert "Waarschuwingen:" in out
    assert _raw_rows(drop)["bijstand"] == 2


def test_quarantine_and_warning_reach_the_published_summary(drop: Path) -> None:
    bevolking = drop / "bronnen" / "bevolking" / "bevolking.csv"
    bevolking.write_text(
        CLEAN["bevolking"]
        .replace("2016-01-01,WK001400,1100,210,520", "2016-01-01,WK001400,2000,210,520")
        .replace("2016-01-01,WK001401,2100,420,950", "2016-01-01,WK001401,2100,420,abc")
    )
    code, out, err = _etl(drop)
    assert code == 1
    assert err.strip() == "wijkmonitor etl: 1 rij(en) in quarantaine; zie de samenvatting"
    assert "bevolking.huishoudens: geen geheel getal (fout): 1 rij(en)" in out
    assert "  bevolking/bevolking.csv rij 4, huishoudens: geen geheel getal: 'abc'" in out
    with duckdb.connect(str(drop / "monitor.duckdb"), read_only=True) as con:
        rules = con.execute("SELECT bron, kolom, regel, ernst, aantal FROM dq_rules ORDER BY ernst").fetchall()
        source = con.execute(
            "SELECT rijen_geleverd, rijen_geaccepteerd, rijen_quarantaine, waarschuwingen, status "
            "FROM dq_sources WHERE bron = 'bevolking'"
        ).fetchone()
    assert rules == [
        ("bevolking", "huishoudens", "geen geheel getal", "fout", 1),
        ("bevolking", "inwoners", "inwoners wijken meer dan 25% af van de vorige peildatum", "waarschuwing", 1),
    ]
    assert source == (4, 3, 1, 1, "fout")


def test_gx_results_kept_per_run_and_source(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    run_id = _warehouse(drop, "SELECT max(run_id) FROM load_log")[0][0]
    folder = drop / "warehouse_gx" / run_id
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{name}.json" for name in BRONNEN)
    document = json.loads((folder / "bevolking.json").read_text(encoding="utf-8"))
    assert document["bron"] == "bevolking"
    assert document["chunks"][0]["success"] is True
    assert document["chunks"][0]["suite_name"] == "bevolking"


def test_unchanged_source_keeps_its_verdict_in_the_next_run(drop: Path) -> None:
    (drop / "bronnen" / "bijstand" / "bijstand.csv").write_text(CLEAN["bijstand"] + "U3,P12,WK999999,2014-07-01,\n")
    assert _etl(drop)[0] == 1
    first_run = _warehouse(drop, "SELECT max(run_id) FROM load_log")[0][0]
    assert _etl(drop)[0] == 1
    second_run = _warehouse(drop, "SELECT max(run_id) FROM load_log")[0][0]
    query = "SELECT bron, bestand, rij, kolom, regel, waarde FROM quarantine WHERE run_id = ?"
    expected = [("bijstand", "bijstand.csv", 3, "wijkcode", "onbekende wijkcode", "WK999999")]
    assert _warehouse(drop, query, [first_run]) == _warehouse(drop, query, [second_run]) == expected
    first = json.loads((drop / "warehouse_gx" / first_run / "bijstand.json").read_text(encoding="utf-8"))
    second = json.loads((drop / "warehouse_gx" / second_run / "bijstand.json").read_text(encoding="utf-8"))
    assert (first["hergebruikt_van"], second["hergebruikt_van"]) == (None, first_run)
    assert second["chunks"] == first["chunks"]
    assert _warehouse(drop, "SELECT count(*) FROM stg_bijstand") == [(2,)]


def test_new_area_table_revalidates_unchanged_sources(drop: Path) -> None:
    (drop / "bronnen" / "bijstand" / "bijstand.csv").write_text(CLEAN["bijstand"] + "U3,P12,WK990001,2014-07-01,\n")
    assert _etl(drop)[0] == 1
    assert _warehouse(drop, "SELECT count(*) FROM stg_bijstand") == [(2,)]
    shipped = (Path(__file__).resolve().parents[1] / "data" / "reference" / "gebieden.csv").read_text()
    configured = drop / "gebieden_2026.csv"
    configured.write_text(shipped + "WK990001,Nieuwbouw,GB990001,Uitleg,GM0014,Groningen,2015-01-01,\n")
    code, out, _ = _etl(drop, aanlevering=Aanlevering(gebieden=configured))
    assert code == 0
    assert "bijstand: 3 van 3 rijen door de controle" in out
    assert "bevolking: 4 van 4 rijen door de controle" in out and "ongewijzigd: uitkomst van run" not in out
    assert _warehouse(drop, "SELECT count(*) FROM stg_bijstand") == [(3,)]


def test_validation_in_chunks_finds_duplicates_across_chunks(
    drop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gate, "CHUNK_ROWS", 2)
    monkeypatch.setattr(gate, "SQL_ROUTE_MIN_ROWS", 10**9)  # the pandas route, which validates in chunks
    (drop / "bronnen" / "clientervaring" / "clientervaring.csv").write_text(
        CLEAN["clientervaring"].replace("C3,2015-05-03", "C1,2015-05-03")
        + "C4,2015-05-04,WK001401,wmo,1,4\nC5,2015-05-05,WK001401,wmo,1,5\n"
    )
    code, out, _ = _etl(drop)
    assert code == 1
    assert "  clientervaring: controle rijen 5..5 van 5" in out
    run_id = _warehouse(drop, "SELECT max(run_id) FROM load_log")[0][0]
    assert _warehouse(drop, "SELECT bron, rij, regel FROM quarantine WHERE run_id = ? ORDER BY rij", [run_id]) == [
        ("clientervaring", 1, "sleutel (respondent_id) komt vaker voor"),
        ("clientervaring", 3, "sleutel (respondent_id) komt vaker voor"),
    ]
    document = json.loads((drop / "warehouse_gx" / run_id / "clientervaring.json").read_text(encoding="utf-8"))
    assert len(document["chunks"]) == 3


def test_step_failure_exits_3_and_leaves_published_file_untouched(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    before = (drop / "monitor.duckdb").read_bytes()

    def broken_compute(con: duckdb.DuckDBPyConnection, config: object) -> dict:
        raise RuntimeError("schijf vol")

    code, _, err = _etl(drop, compute=broken_compute)
    assert code == 3
    assert err == "wijkmonitor etl: stap 'berekenen' mislukt: RuntimeError: schijf vol\n"
    assert (drop / "monitor.duckdb").read_bytes() == before


def test_rejected_file_run_still_publishes_accepted_data(drop: Path) -> None:
    (drop / "bronnen" / "bijstand" / "bijstand.csv").write_bytes(b"")
    code, _, err = _etl(drop)
    assert code == 1
    assert err.strip() == "wijkmonitor etl: bijstand/bijstand.csv: leeg bestand (0 bytes)"
    figures = dict(((f[0], f[2]), f[3]) for f in published_figures(drop / "monitor.duckdb"))
    assert figures[("rijen_bijstand", "GM0014")] == 0.0
    assert figures[("rijen_bevolking", "GM0014")] == 4.0


def test_area_table_in_the_source_folder_is_ignored_with_a_warning(drop: Path) -> None:
    shipped = (Path(__file__).resolve().parents[1] / "data" / "reference" / "gebieden.csv").read_text()
    (drop / "bronnen" / "gebieden.csv").write_text(
        shipped + "WK990001,Nieuwbouw,GB990001,Uitleg,GM0014,Groningen,2015-01-01,\n"
    )
    bijstand = drop / "bronnen" / "bijstand" / "bijstand.csv"
    bijstand.write_text(CLEAN["bijstand"] + "U3,P12,WK990001,2014-07-01,\n")
    code, out, err = _etl(drop)
    assert code == 1
    assert "gebieden: 20 rijen" in out
    assert ("wijkmonitor etl: bronmap: gebieden.csv: geen bronmap van het contract: genegeerd "
            "(referentiegegevens komen uit de configuratie)") in err.splitlines()
    assert _warehouse(drop, "SELECT count(*) FROM stg_bijstand WHERE wijkcode = 'WK990001'") == [(0,)]
    assert _warehouse(drop, "SELECT count(*) FROM ref_gebieden WHERE wijkcode = 'WK990001'") == [(0,)]
    with duckdb.connect(str(drop / "monitor.duckdb"), read_only=True) as con:
        assert con.execute("SELECT bron, status FROM dq_files WHERE bestand = 'gebieden.csv'").fetchall() == [
            ("(bronmap)", "genegeerd")
        ]


def test_configured_area_table_lying_in_the_drop_is_not_stray(drop: Path) -> None:
    shipped = (Path(__file__).resolve().parents[1] / "data" / "reference" / "gebieden.csv").read_text()
    (drop / "bronnen" / "gebieden.csv").write_text(shipped)
    code, _, err = _etl(drop, aanlevering=Aanlevering(gebieden=drop / "bronnen" / "gebieden.csv"))
    assert (code, err) == (0, "")


def test_missing_source_folder_is_rejected(tmp_path: Path) -> None:
    code, _, err = _etl(tmp_path)
    assert code == 1
    assert err == f"wijkmonitor etl: bronmap {tmp_path / 'bronnen'} bestaat niet\n"


def test_real_computation_end_to_end_has_no_person_level_columns(drop: Path) -> None:
    err = io.StringIO()
    code = run_etl(drop / "bronnen", drop / "warehouse.duckdb", drop / "monitor.duckdb",
                   vandaag=VANDAAG, out=io.StringIO(), err=err)
    assert (code, err.getvalue()) == (0, "")
    with duckdb.connect(str(drop / "monitor.duckdb"), read_only=True) as con:
        names = con.execute("SELECT column_name FROM information_schema.columns").fetchall()
        columns = {name.lower() for (name,) in names}
        values = con.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
        nulmeting = con.execute("SELECT waarde FROM meta WHERE sleutel = 'nulmeting'").fetchone()[0]
    assert columns.isdisjoint(persoonskolommen())
    assert values > 0
    assert nulmeting == "2015-01-01"


def test_cli_validate_exit_codes(drop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--sources", str(drop / "bronnen")]) == 0
    assert "Uitkomst: alles geaccepteerd" in capsys.readouterr().out
    (drop / "bronnen" / "bevolking" / "notities.txt").write_text("geen data")
    assert main(["validate", "--sources", str(drop / "bronnen")]) == 1
    assert capsys.readouterr().err == (
        "wijkmonitor validate: bevolking/notities.txt: geen CSV- of Parquet-bestand\n"
    )
    assert main(["validate", "--sources", str(drop / "bestaat_niet")]) == 1
    assert not (drop / "monitor.duckdb").exists()


# --- deliveries over time (data-contracts.md v2) ---------------------------------------------------

def _four_bijstand_rows() -> str:
    return CLEAN["bijstand"] + "U3,P12,WK001400,2014-07-01,\nU4,P13,WK001401,2015-02-01,\n"


def test_shrunken_revision_is_held_back_until_the_operator_confirms_it(drop: Path) -> None:
    bijstand = drop / "bronnen" / "bijstand" / "bijstand.csv"
    bijstand.write_text(_four_bijstand_rows())
    assert _etl(drop)[0] == 0
    bijstand.write_text(CLEAN["bijstand"])  # lost half of its rows
    code, _, err = _etl(drop)
    assert code == 1
    assert err == ("wijkmonitor etl: bijstand/bijstand.csv: 50% minder rijen dan de geaccepteerde versie (4 -> 2): "
                   "tegengehouden; bevestig met --bevestig-krimp bijstand/bijstand.csv (vorige versie behouden)\n")
    assert _raw_rows(drop)["bijstand"] == 4
    code, _, err = _etl(drop, aanlevering=Aanlevering(bevestigd=frozenset({"bijstand/bijstand.csv"})))
    assert (code, err) == (0, "")
    assert _raw_rows(drop)["bijstand"] == 2


def test_cli_confirms_a_shrink_and_documents_it(drop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["etl", "--help"])
    help_text = capsys.readouterr().out
    assert "--bevestig-krimp BRON/BESTAND" in help_text and "--gebieden" in help_text
    bijstand = drop / "bronnen" / "bijstand" / "bijstand.csv"
    bijstand.write_text(_four_bijstand_rows())
    args = ["etl", "--sources", str(drop / "bronnen"), "--warehouse", str(drop / "w.duckdb"),
            "--db", str(drop / "m.duckdb")]
    assert main(args) == 0
    bijstand.write_text(CLEAN["bijstand"])
    assert main(args) == 1
    assert main([*args, "--bevestig-krimp", "bijstand/bijstand.csv"]) == 0


def test_file_whose_rows_mostly_fail_keeps_its_earlier_version_and_the_share_is_configurable(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    bevolking = drop / "bronnen" / "bevolking" / "bevolking.csv"
    before = published_figures(drop / "monitor.duckdb")
    # Excel thousands separators throughout a comma-delimited file: every row fails
    bevolking.write_text(CLEAN["bevolking"].replace(",1000,", ",1.000,").replace(",2000,", ",2.000,")
                         .replace(",1100,", ",1.100,").replace(",2100,", ",2.100,"))
    code, _, err = _etl(drop)
    assert code == 1
    assert err == ("wijkmonitor etl: bevolking/bevolking.csv: 4 van 4 rijen voldoen niet aan de regels (meer dan 50%): "
                   "bestand tegengehouden (vorige versie behouden) [inwoners: geen geheel getal (4)]\n")
    assert published_figures(drop / "monitor.duckdb") == before
    # two of four rows bad: a file problem with a lower threshold, a row problem by default
    bevolking.write_text(CLEAN["bevolking"].replace(",1000,", ",1.000,").replace(",2000,", ",2.000,"))
    code, _, err = _etl(drop, aanlevering=Aanlevering(drempels=Drempels(max_afgekeurd=0.25)))
    assert "2 van 4 rijen voldoen niet aan de regels (meer dan 25%)" in err
    assert _warehouse(drop, "SELECT count(*) FROM stg_bevolking") == [(4,)]
    assert _etl(drop)[0] == 1
    assert _warehouse(drop, "SELECT count(*) FROM stg_bevolking") == [(2,)]


def test_empty_folder_counts_as_missing_and_keeps_the_earlier_delivery(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    for path in (drop / "bronnen" / "participatie").iterdir():
        path.unlink()
    code, _, err = _etl(drop)
    assert (code, err) == (1, "wijkmonitor etl: map participatie is leeg (telt als ontbrekend); "
                              "vorige aanlevering blijft gelden\n")
    assert _raw_rows(drop)["participatie"] == CLEAN_ROWS["participatie"]


def test_empty_folder_on_a_new_warehouse_is_reported_and_stages_nothing(drop: Path) -> None:
    for path in (drop / "bronnen" / "participatie").iterdir():
        path.unlink()
    code, out, err = _etl(drop)
    assert (code, err) == (1, "wijkmonitor etl: map participatie is leeg (telt als ontbrekend); "
                              "er is geen vorige aanlevering\n")
    assert "participatie: 0 van 0 rijen door de controle" in out
    assert _warehouse(drop, "SELECT count(*) FROM stg_participatie") == [(0,)]


def test_a_killed_run_leaves_no_version_on_trial_behind(drop: Path) -> None:
    assert _etl(drop)[0] == 0
    with duckdb.connect(str(drop / "warehouse.duckdb")) as con:  # as if killed before the commit
        con.execute("INSERT INTO raw_bijstand (_bestand, _rij, uitkering_id, _sha256) VALUES ('x.csv', 1, 'U9', 'abc')")
    assert _etl(drop)[0] == 0
    assert _raw_rows(drop)["bijstand"] == CLEAN_ROWS["bijstand"]


def test_parser_message_goes_to_the_operator_never_to_the_published_store(drop: Path) -> None:
    (drop / "bronnen" / "ondersteuning" / "extra.csv").write_text(
        CLEAN["ondersteuning"].splitlines()[0] + "\nT9,P9,H9,WK001400,1994,ots,specialistisch,gedwongen,A1,PR9,"
        "2015-01-01,,JEUGDRECLASSERING-P9\n"
    )
    code, _, err = _etl(drop)
    assert code == 1
    assert "extra.csv: CSV niet leesbaar: regel 2 heeft 13 velden, de kopregel 12" in err
    with duckdb.connect(str(drop / "monitor.duckdb"), read_only=True) as con:
        reden = con.execute("SELECT reden FROM dq_files WHERE bestand = 'extra.csv'").fetchone()[0]
    assert reden == "extra.csv: CSV niet leesbaar: regel 2 heeft 13 velden, de kopregel 12"


def test_a_long_value_is_shortened_in_quarantine_and_summary(drop: Path) -> None:
    (drop / "bronnen" / "bijstand" / "bijstand.csv").write_text(
        CLEAN["bijstand"] + "U3,P12," + "W" * 1_000_000 + ",2014-07-01,\nU4,P13,WK001401,2015-02-01,\n"
    )
    code, out, err = _etl(drop)
    assert code == 1
    assert len(out) + len(err) < 10_000
    waarde = _warehouse(drop, "SELECT waarde FROM quarantine WHERE regel = 'onbekende wijkcode'")[0][0]
    assert waarde == "W" * 100 + "…"


def test_run_ids_sort_in_the_order_the_runs_started() -> None:
    """Runs that start within one second (a run with nothing new takes less) still sort in start order."""
    import time

    from wijkmonitor.pipeline import _new_run_id

    ids = []
    for _ in range(20):
        ids.append(_new_run_id())
        time.sleep(0.001)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
