"""Incremental runs: only new or changed file versions are read and validated with GX; rules across
rows still see the whole source; the result equals a run from scratch over the same drop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from etl import load as etl_load
from etl.contract import Drempels
from etl.deliveries import Aanlevering
from expectations import gate
from fixtures.sources import CLEAN, published_figures, run_fake_etl, VANDAAG, write_clean_sources

ROOT = Path(__file__).resolve().parents[1]


def _etl(folder: Path, vandaag: date = VANDAAG) -> int:
    """Run the ETL over folder/bronnen with the stand-in computation; the exit code."""
    return run_fake_etl(folder, vandaag=vandaag)[0]


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _last_run(folder: Path) -> str:
    return _query(folder / "warehouse.duckdb", "SELECT max(run_id) FROM load_log")[0][0]


def _published(folder: Path) -> tuple[list[tuple], ...]:
    """What a run published that does not name the run: figures, per-source summary, broken rules."""
    db = folder / "monitor.duckdb"
    return (
        published_figures(db),
        _query(db, "SELECT bron, bestanden, bestanden_afgewezen, rijen_geleverd, rijen_geaccepteerd, "
                   "rijen_quarantaine, waarschuwingen, status FROM dq_sources ORDER BY ALL"),
        _query(db, "SELECT * FROM dq_rules ORDER BY ALL"),
    )


def _findings(folder: Path) -> list[tuple]:
    """Quarantine and warnings of the last run, without the run id."""
    sql = ("SELECT 'q', bron, bestand, rij, kolom, regel, waarde FROM quarantine WHERE run_id = ? UNION ALL "
           "SELECT 'w', bron, bestand, rij, kolom, regel, waarde FROM waarschuwingen WHERE run_id = ? ORDER BY ALL")
    run = _last_run(folder)
    return _query(folder / "warehouse.duckdb", sql, [run, run])


def _assert_same_as_from_scratch(folder: Path, tmp_path: Path) -> None:
    """A fresh warehouse over the same drop publishes and quarantines exactly what the incremental run did."""
    scratch = tmp_path / "van_nul"
    shutil.copytree(folder / "bronnen", scratch / "bronnen")
    _etl(scratch)
    assert _published(scratch) == _published(folder)
    assert _findings(scratch) == _findings(folder)
    for bron in CLEAN:
        sql = f"SELECT * FROM stg_{bron} ORDER BY ALL"
        assert _query(scratch / "warehouse.duckdb", sql) == _query(folder / "warehouse.duckdb", sql), bron


@pytest.fixture()
def drop(tmp_path: Path) -> Path:
    """A folder with the clean drop in bronnen/, loaded once."""
    folder = tmp_path / "gemeente"
    write_clean_sources(folder / "bronnen")
    assert _etl(folder) == 0
    return folder


@pytest.fixture()
def spies(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Files read in (bron, file) and frames GX validated (suite, rows) from here on."""
    seen: dict[str, list] = {"gelezen": [], "gx": []}
    read, validate = etl_load.read_into, gate._validate_candidates

    def reading(con, path, bron, scratch, insert):
        seen["gelezen"].append((bron.naam, path.name))
        return read(con, path, bron, scratch, insert)

    def validating(con, bron, suite, rows, route, progress):
        seen["gx"].append((suite.name, rows))
        return validate(con, bron, suite, rows, route, progress)

    monkeypatch.setattr(etl_load, "read_into", reading)
    monkeypatch.setattr(gate, "_validate_candidates", validating)
    return seen


def test_nothing_changed_reads_and_validates_nothing(drop: Path, spies: dict[str, list]) -> None:
    before = _published(drop)
    assert _etl(drop) == 0
    assert spies == {"gelezen": [], "gx": []}
    outcomes = _query(drop / "warehouse.duckdb", "SELECT DISTINCT uitkomst FROM load_log WHERE run_id = ?",
                      [_last_run(drop)])
    assert outcomes == [("ongewijzigd",)]
    # A later day: the kept per-row verdicts hold (no row broke a rule that moves with the day).
    assert _etl(drop, VANDAAG + timedelta(days=31)) == 0
    assert spies == {"gelezen": [], "gx": []}
    assert _published(drop) == before


def _etl_in_a_new_process(folder: Path) -> list[str]:
    """Run the ETL in a fresh interpreter: [exit code, whether Great Expectations was imported]."""
    script = (
        "import io, sys; from datetime import date; from pathlib import Path\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "from fixtures.sources import fake_compute\n"
        "from wijkmonitor.cli import run_etl\n"
        f"folder = Path({str(folder)!r})\n"
        "code = run_etl(folder / 'bronnen', folder / 'warehouse.duckdb', folder / 'monitor.duckdb',"
        f" vandaag=date({VANDAAG.year}, {VANDAAG.month}, {VANDAAG.day}), out=io.StringIO(), err=io.StringIO(),"
        " compute=fake_compute, config=object())\n"
        "print(code, 'great_expectations' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout.split()


def test_nothing_changed_does_not_import_great_expectations(drop: Path) -> None:
    assert _etl_in_a_new_process(drop) == ["0", "False"]


def test_prepare_gx_imports_great_expectations_in_the_background() -> None:
    script = (
        "import sys\n"
        "from expectations import gate\n"
        "assert 'great_expectations' not in sys.modules\n"
        "gate.prepare_gx(); gate.prepare_gx()\n"
        "importers = list(gate._gx_import)\n"
        "context = gate._context()\n"
        "print(len(importers), 'great_expectations' in sys.modules, gate._context() is context)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split() == ["1", "True", "True"]


def test_one_file_added_reads_and_validates_only_that_file(
    drop: Path, spies: dict[str, list], tmp_path: Path
) -> None:
    (drop / "bronnen" / "bijstand" / "bijstand_2016.csv").write_text(
        "uitkering_id,persoon_id,wijkcode,begindatum,einddatum\n"
        "U3,P12,WK001401,2016-02-01,\nU4,P13,WK999999,2016-02-01,\n"
    )
    assert _etl(drop) == 1  # one row of the new file is quarantined
    assert spies == {"gelezen": [("bijstand", "bijstand_2016.csv")], "gx": [("bijstand", 2)]}
    assert _findings(drop) == [("q", "bijstand", "bijstand_2016.csv", 2, "wijkcode", "onbekende wijkcode", "WK999999")]
    _assert_same_as_from_scratch(drop, tmp_path)


def test_new_file_is_checked_against_the_previous_peildatum_of_the_accepted_file(
    drop: Path, spies: dict[str, list], tmp_path: Path
) -> None:
    (drop / "bronnen" / "bevolking" / "bevolking_2017.csv").write_text(
        "peildatum,wijkcode,inwoners,inwoners_0_17,huishoudens\n"
        "2017-01-01,WK001400,2000,210,520\n2017-01-01,WK001401,2150,420,950\n"
    )
    assert _etl(drop) == 0  # a warning, nothing rejected
    assert spies["gx"] == [("bevolking", 2)]
    growth = "inwoners wijken meer dan 25% af van de vorige peildatum"
    assert _findings(drop) == [("w", "bevolking", "bevolking_2017.csv", 1, "inwoners", growth, "WK001400, 2000")]
    _assert_same_as_from_scratch(drop, tmp_path)


def test_replaced_file_is_validated_again_alone(drop: Path, spies: dict[str, list], tmp_path: Path) -> None:
    (drop / "bronnen" / "bewonersenquete" / "bewonersenquete.csv").write_text(
        CLEAN["bewonersenquete"] + "R5,2015-04-02,WK001400,1,3,1,1\n"
    )
    assert _etl(drop) == 0
    assert spies == {"gelezen": [("bewonersenquete", "bewonersenquete.csv")], "gx": [("bewonersenquete", 5)]}
    assert _query(drop / "warehouse.duckdb", "SELECT count(*) FROM stg_bewonersenquete") == [(5,)]
    _assert_same_as_from_scratch(drop, tmp_path)


def test_removed_file_stops_counting_without_validation(tmp_path: Path, spies: dict[str, list]) -> None:
    folder = tmp_path / "gemeente"
    write_clean_sources(folder / "bronnen")
    extra = folder / "bronnen" / "participatie" / "participatie_2015.csv"
    extra.write_text("activiteit_id,persoon_id,activiteit,begindatum,einddatum\nA3,P12,mantelzorg,2015-03-01,\n")
    assert _etl(folder) == 0
    spies["gelezen"].clear(), spies["gx"].clear()
    extra.unlink()
    assert _etl(folder) == 0
    assert spies == {"gelezen": [], "gx": []}
    assert _query(folder / "warehouse.duckdb", "SELECT bestand FROM load_log WHERE run_id = ? AND uitkomst = "
                  "'verwijderd'", [_last_run(folder)]) == [("participatie_2015.csv",)]
    assert _query(folder / "warehouse.duckdb", "SELECT count(*) FROM stg_participatie") == [(2,)]
    _assert_same_as_from_scratch(folder, tmp_path)


def test_conflict_introduced_by_a_new_file_holds_it_back_and_old_figures_stand(
    drop: Path, spies: dict[str, list]
) -> None:
    before = _published(drop)[0]
    (drop / "bronnen" / "bevolking" / "bevolking_correctie.csv").write_text(
        "peildatum,wijkcode,inwoners,inwoners_0_17,huishoudens\n2016-01-01,WK001400,1150,210,520\n"
    )
    assert _etl(drop) == 1
    assert spies["gx"] == []  # held back before the gate
    outcome = _query(drop / "warehouse.duckdb", "SELECT uitkomst, reden FROM load_log WHERE run_id = ? AND bestand = ?",
                     [_last_run(drop), "bevolking_correctie.csv"])
    assert outcome[0][0] == "afgewezen" and "bevolking.csv" in outcome[0][1]
    assert _published(drop)[0] == before
    assert _findings(drop) == []


def _raw_beyond_accepted(folder: Path) -> dict[str, tuple[bool, int]]:
    """Per source: whether the load would scan raw for versions never committed, and how many such rows it holds."""
    from etl.contract import BRONNEN

    with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
        return {bron.naam: (etl_load._may_hold_orphans(con, bron), con.execute(
            f"SELECT count(*) FROM raw_{bron.naam} r WHERE NOT EXISTS (SELECT 1 FROM bestanden b "
            "WHERE b.bron = ? AND b.bestand = r._bestand AND b.sha256 = r._sha256)", [bron.naam]).fetchone()[0])
                for bron in BRONNEN.values()}


def test_raw_scan_for_uncommitted_versions_is_skipped_only_when_none_can_be_there(
    drop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nothing_beyond = {bron: (False, 0) for bron in _raw_beyond_accepted(drop)}
    assert _raw_beyond_accepted(drop) == nothing_beyond
    extra = drop / "bronnen" / "participatie" / "participatie_2015.csv"
    extra.write_text("activiteit_id,persoon_id,activiteit,begindatum,einddatum\nA3,P12,mantelzorg,2015-03-01,\n")
    assert _etl(drop) == 0  # added
    assert _raw_beyond_accepted(drop) == nothing_beyond
    (drop / "bronnen" / "bewonersenquete" / "bewonersenquete.csv").write_text(
        CLEAN["bewonersenquete"] + "R5,2015-04-02,WK001400,1,3,1,1\n"
    )
    assert _etl(drop) == 0  # replaced: the earlier version's rows went with it
    assert _raw_beyond_accepted(drop) == nothing_beyond
    extra.unlink()
    assert _etl(drop) == 0  # removed
    assert _raw_beyond_accepted(drop) == nothing_beyond

    # A run killed while a new version is on trial (after reading it in, before the gate settles it).
    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    from wijkmonitor import pipeline

    extra.write_text("activiteit_id,persoon_id,activiteit,begindatum,einddatum\nA4,P13,mantelzorg,2015-04-01,\n")
    monkeypatch.setattr(pipeline, "gate_source", killed)
    with pytest.raises(KeyboardInterrupt):
        _etl(drop)
    assert _raw_beyond_accepted(drop) == {**nothing_beyond, "participatie": (True, 1)}
    monkeypatch.undo()
    assert _etl(drop) == 0  # the abandoned rows go; the file is read in again and accepted
    assert _raw_beyond_accepted(drop) == nothing_beyond
    assert _query(drop / "warehouse.duckdb", "SELECT count(*) FROM stg_participatie") == [(3,)]


def test_unchanged_files_are_logged_with_their_accepted_version(drop: Path) -> None:
    assert _etl(drop) == 0
    logged = _query(drop / "warehouse.duckdb",
                    "SELECT l.bron, l.bestand, l.sha256, l.grootte, l.rijen FROM load_log l WHERE l.run_id = ? "
                    "ORDER BY ALL", [_last_run(drop)])
    accepted = _query(drop / "warehouse.duckdb", "SELECT bron, bestand, sha256, grootte, rijen FROM bestanden "
                                                  "ORDER BY ALL")
    assert logged == accepted
    assert {row[:2] for row in logged} == {(bron, f"{bron}.csv") for bron in CLEAN}


# --- a version held back on its own merits is not read again while nothing it depends on changed ----------------

def _inwoners_with_thousands_separators(rows: int) -> str:
    """bevolking.csv with the first `rows` inwoners written as 1.000 (not a whole number: a rule that keeps no date)."""
    text = CLEAN["bevolking"]
    for value in ("1000", "2000", "1100", "2100")[:rows]:
        text = text.replace(f",{value},", f",{value[0]}.{value[1:]},")
    return text


def _report(folder: Path, **options) -> tuple:
    """Exit code and what a run reports that does not name the run or the moment: the operator's lines, the
    summary, the published data-quality tables and figures."""
    code, out, err = run_fake_etl(folder, **options)
    summary = out[out.index("Datakwaliteit (run "):].split("\n", 1)[1]
    files = _query(folder / "monitor.duckdb", "SELECT bron, bestand, rijen, status, reden FROM dq_files")
    return code, err, summary, files, _published(folder)


def _logged(folder: Path, bestand: str) -> list[tuple]:
    """The last run's load log of a file, without the run and the moment."""
    return _query(folder / "warehouse.duckdb", "SELECT bron, sha256, grootte, rijen, uitkomst, reden FROM load_log "
                  "WHERE run_id = ? AND bestand = ?", [_last_run(folder), bestand])


def _held_back(folder: Path) -> list[tuple]:
    return _query(folder / "warehouse.duckdb", "SELECT bron, bestand, code FROM tegengehouden ORDER BY ALL")


def test_held_back_file_is_not_read_or_validated_again_and_is_reported_the_same(
    drop: Path, spies: dict[str, list]
) -> None:
    figures = _published(drop)[0]
    (drop / "bronnen" / "bevolking" / "bevolking.csv").write_text(_inwoners_with_thousands_separators(4))
    first = _report(drop)
    assert first[0] == 1
    assert first[1] == ("wijkmonitor etl: bevolking/bevolking.csv: 4 van 4 rijen voldoen niet aan de regels (meer dan "
                        "50%): bestand tegengehouden (vorige versie behouden) [inwoners: geen geheel getal (4)]\n")
    assert spies == {"gelezen": [("bevolking", "bevolking.csv")], "gx": [("bevolking", 4)]}
    logged = _logged(drop, "bevolking.csv")
    spies["gelezen"].clear(), spies["gx"].clear()
    assert _report(drop) == first
    assert _logged(drop, "bevolking.csv") == logged
    assert _report(drop, vandaag=VANDAAG + timedelta(days=31)) == first  # its rule does not move with the day
    assert spies == {"gelezen": [], "gx": []}
    assert _published(drop)[0] == figures  # the earlier accepted version stays in use


def test_held_back_file_unchanged_does_not_import_great_expectations(drop: Path) -> None:
    (drop / "bronnen" / "bevolking" / "bevolking.csv").write_text(_inwoners_with_thousands_separators(4))
    assert _etl(drop) == 1
    assert _etl_in_a_new_process(drop) == ["1", "False"]


def test_held_back_file_is_accepted_when_the_share_allows_it_and_checked_again_when_replaced(
    drop: Path, spies: dict[str, list], tmp_path: Path
) -> None:
    bevolking = drop / "bronnen" / "bevolking" / "bevolking.csv"
    bevolking.write_text(_inwoners_with_thousands_separators(2))  # two of four rows fail
    strict = Aanlevering(drempels=Drempels(max_afgekeurd=0.25))
    assert run_fake_etl(drop, aanlevering=strict)[0] == 1
    assert run_fake_etl(drop, aanlevering=strict)[0] == 1
    assert spies["gelezen"] == [("bevolking", "bevolking.csv")]
    assert _held_back(drop) == [("bevolking", "bevolking.csv", "te_veel_fouten")]
    spies["gelezen"].clear(), spies["gx"].clear()
    code, _, err = run_fake_etl(drop)  # the default share (50%): a row problem, no longer a file problem
    assert (code, err) == (1, "wijkmonitor etl: 2 rij(en) in quarantaine; zie de samenvatting\n")
    # Checked again; only the threshold of whole files changed, so no other source is validated again.
    assert spies == {"gelezen": [("bevolking", "bevolking.csv")], "gx": [("bevolking", 4)]}
    assert _query(drop / "warehouse.duckdb", "SELECT count(*) FROM stg_bevolking") == [(2,)]
    assert _held_back(drop) == []
    spies["gelezen"].clear(), spies["gx"].clear()
    bevolking.write_text(_inwoners_with_thousands_separators(4))  # replaced: checked, held back
    assert _etl(drop) == 1
    assert spies == {"gelezen": [("bevolking", "bevolking.csv")], "gx": [("bevolking", 4)]}
    assert _held_back(drop) == [("bevolking", "bevolking.csv", "te_veel_fouten")]
    bevolking.write_text(CLEAN["bevolking"])  # replaced again, by the clean version
    assert _etl(drop) == 0
    assert _held_back(drop) == []
    _assert_same_as_from_scratch(drop, tmp_path)


def test_removed_held_back_file_is_forgotten(drop: Path, spies: dict[str, list]) -> None:
    extra = drop / "bronnen" / "bevolking" / "bevolking_2017.csv"
    text = "peildatum,wijkcode,inwoners,inwoners_0_17,huishoudens\n2017-01-01,WK001400,1.150,210,520\n"
    extra.write_text(text)
    assert _etl(drop) == 1
    assert _held_back(drop) == [("bevolking", "bevolking_2017.csv", "te_veel_fouten")]
    extra.unlink()
    assert _etl(drop) == 0
    assert _held_back(drop) == []
    spies["gelezen"].clear(), spies["gx"].clear()
    extra.write_text(text)  # delivered again: checked again
    assert _etl(drop) == 1
    assert spies == {"gelezen": [("bevolking", "bevolking_2017.csv")], "gx": [("bevolking", 1)]}


def test_held_back_for_a_date_in_the_future_is_checked_again_the_next_day(drop: Path, spies: dict[str, list]) -> None:
    (drop / "bronnen" / "bevolking" / "bevolking_2025.csv").write_text(
        "peildatum,wijkcode,inwoners,inwoners_0_17,huishoudens\n"
        f"{VANDAAG + timedelta(days=1)},WK001400,1150,210,520\n{VANDAAG + timedelta(days=1)},WK001401,2150,420,950\n"
    )
    assert _etl(drop) == 1
    assert _etl(drop) == 1  # the same day: not read again
    assert spies["gelezen"] == [("bevolking", "bevolking_2025.csv")]
    assert _etl(drop, VANDAAG + timedelta(days=1)) == 0  # its peildatum is no longer in the future
    assert spies["gelezen"] == [("bevolking", "bevolking_2025.csv")] * 2
    assert _query(drop / "warehouse.duckdb", "SELECT count(*) FROM stg_bevolking") == [(6,)]


def test_shrunken_revision_is_not_read_again_until_confirmed(drop: Path, spies: dict[str, list]) -> None:
    bijstand = drop / "bronnen" / "bijstand" / "bijstand.csv"
    bijstand.write_text(CLEAN["bijstand"].rsplit("U2,", 1)[0])  # one of two rows left
    first = _report(drop)
    assert "50% minder rijen dan de geaccepteerde versie (2 -> 1)" in first[1]
    assert _report(drop) == first
    assert spies["gelezen"] == [("bijstand", "bijstand.csv")]
    confirmed = Aanlevering(bevestigd=frozenset({"bijstand/bijstand.csv"}))
    assert run_fake_etl(drop, aanlevering=confirmed)[0] == 0
    assert spies["gelezen"] == [("bijstand", "bijstand.csv")] * 2
    assert _query(drop / "warehouse.duckdb", "SELECT count(*) FROM stg_bijstand") == [(1,)]


def test_held_back_file_is_checked_again_under_a_new_area_table(drop: Path, spies: dict[str, list]) -> None:
    nieuw = drop / "bronnen" / "bijstand" / "bijstand_2016.csv"
    nieuw.write_text("uitkering_id,persoon_id,wijkcode,begindatum,einddatum\nU3,P12,WK990001,2016-02-01,\n")
    assert _etl(drop) == 1
    assert _etl(drop) == 1
    assert spies["gelezen"] == [("bijstand", "bijstand_2016.csv")]
    shipped = (ROOT / "data" / "reference" / "gebieden.csv").read_text()
    configured = drop / "gebieden_2026.csv"
    configured.write_text(shipped + "WK990001,Nieuwbouw,GB990001,Uitleg,GM0014,Groningen,2015-01-01,\n")
    assert run_fake_etl(drop, aanlevering=Aanlevering(gebieden=configured))[0] == 0
    assert spies["gelezen"] == [("bijstand", "bijstand_2016.csv")] * 2
    assert _query(drop / "warehouse.duckdb", "SELECT count(*) FROM stg_bijstand") == [(3,)]
