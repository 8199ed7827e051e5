"""etl/publish.py: atomic replacement of the published store, and no person-level column ever in it.

Includes killing a real ETL process (SIGKILL) while it publishes; kills at random moments are in
tests/test_etl_faults.py.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import etl.publish
from etl.publish import AUDIT_KEY, publish, refuse_person_keys, temp_path
from fixtures.indicators_publicatie import planting, published, without_complementary_suppression, write_drop
from fixtures.sources import CLEAN, fake_compute, published_figures, write_clean_sources
from core.errors import WijkmonitorError
from wijkmonitor.cli import run_etl

ROOT = Path(__file__).resolve().parents[1]
META = pa.table({"sleutel": ["versie"], "waarde": ["1"]})


def _meta(db: Path) -> list[tuple]:
    """The meta rows of a published store."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT sleutel, waarde FROM meta ORDER BY ALL").fetchall()


def test_publish_writes_a_readable_store_and_leaves_no_temp_file(tmp_path: Path) -> None:
    db = tmp_path / "monitor.duckdb"
    publish(db, {"meta": META})
    assert _meta(db) == [("versie", "1")]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["monitor.duckdb"]


def test_publish_replaces_the_previous_store(tmp_path: Path) -> None:
    db = tmp_path / "monitor.duckdb"
    publish(db, {"meta": META})
    publish(db, {"meta": pa.table({"sleutel": ["versie"], "waarde": ["2"]})})
    assert _meta(db) == [("versie", "2")]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"areas": pa.table({"persoon_id": ["P1"]})},
         "publiceren geweigerd: kolom areas.persoon_id hoort niet bij het publicatiecontract"),
        ({"meta": META.append_column("toelichting", pa.array(["x"]))},
         "publiceren geweigerd: kolom meta.toelichting hoort niet bij het publicatiecontract"),
        ({"personen": META}, "publiceren geweigerd: tabel 'personen' hoort niet bij het publicatiecontract"),
        ({"meta": pa.table({"sleutel": ["a"], "waarde": [None]}, schema=pa.schema([("sleutel", pa.string()),
                                                                                   ("waarde", pa.string())]))},
         "publiceren: tabel meta past niet in het schema"),
    ],
)
def test_failed_publish_leaves_previous_file_intact(tmp_path: Path, tables: dict, message: str) -> None:
    db = tmp_path / "monitor.duckdb"
    publish(db, {"meta": META})
    before = db.read_bytes()
    with pytest.raises(WijkmonitorError) as raised:
        publish(db, tables)
    assert str(raised.value).startswith(message)
    assert db.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["monitor.duckdb"]


def test_abandoned_temp_file_of_a_dead_process_is_removed(tmp_path: Path) -> None:
    db = tmp_path / "monitor.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = db.with_name(f".{db.name}.publiceren-{int(dead.stdout)}")
    abandoned.write_bytes(b"half geschreven")
    publish(db, {"meta": META})
    assert not abandoned.exists()


_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path[:0] = [{root!r}, {tests!r}]
    import etl.publish
    if {pause_in_publish!r}:
        def _pause(path):
            print("PUBLICEREN", flush=True)
            time.sleep(120)
        etl.publish._fsync = _pause
    from fixtures.sources import fake_compute
    from wijkmonitor.cli import run_etl
    print("GESTART", flush=True)
    run_etl(Path({sources!r}), Path({warehouse!r}), Path({db!r}), compute=fake_compute, config=object())
    """
)


def _spawn(folder: Path, pause_in_publish: bool) -> subprocess.Popen:
    """Start the ETL over folder in a child process."""
    code = _CHILD.format(
        root=str(ROOT), tests=str(ROOT / "tests"), pause_in_publish=pause_in_publish,
        sources=str(folder / "bronnen"), warehouse=str(folder / "warehouse.duckdb"), db=str(folder / "monitor.duckdb"),
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def _baseline_and_change(folder: Path) -> list[tuple]:
    """Publish the clean drop, then change one figure in the drop; return the published figures."""
    write_clean_sources(folder / "bronnen")
    assert run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb", compute=fake_compute,
                   config=object(), vandaag=date(2025, 6, 30), out=io.StringIO(), err=io.StringIO()) == 0
    (folder / "bronnen" / "bevolking" / "bevolking.csv").write_text(
        CLEAN["bevolking"].replace("2016-01-01,WK001400,1100", "2016-01-01,WK001400,1150")
    )
    return published_figures(folder / "monitor.duckdb")


def _run_to_end(folder: Path) -> list[tuple]:
    """Run the ETL in-process to the end and return the published figures."""
    assert run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb", compute=fake_compute,
                   config=object(), vandaag=date(2025, 6, 30), out=io.StringIO(), err=io.StringIO()) == 0
    return published_figures(folder / "monitor.duckdb")


@pytest.mark.slow
def test_sigkill_during_publish_leaves_last_published_file_intact(tmp_path: Path) -> None:
    old_figures = _baseline_and_change(tmp_path)
    child = _spawn(tmp_path, pause_in_publish=True)
    for line in child.stdout:
        if line.strip() == "PUBLICEREN":
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert temp_path(tmp_path / "monitor.duckdb").name != "monitor.duckdb"
    assert published_figures(tmp_path / "monitor.duckdb") == old_figures
    leftovers = [path for path in tmp_path.iterdir() if ".publiceren-" in path.name]
    assert leftovers, "the kill should have left the half-published temp file"

    new_figures = _run_to_end(tmp_path)
    assert ("inwoners", date(2016, 1, 1), "WK001400", 1150.0) in new_figures
    assert not [path for path in tmp_path.iterdir() if ".publiceren-" in path.name]


# --- the guards at publication time, on a delivered drop through the real pipeline ----------------


def _run(folder: Path, compute=None) -> tuple[int, str]:
    """The ETL over folder/bronnen with the real computation (or `compute`); (exit code, stderr)."""
    err = io.StringIO()
    options = {} if compute is None else {"compute": compute}
    code = run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb",
                   vandaag=date(2025, 6, 30), out=io.StringIO(), err=err, **options)
    return code, err.getvalue()


@pytest.fixture()
def published_drop(tmp_path: Path) -> Path:
    """The guard drop (tests/fixtures/indicators_publicatie.py), published once by the real pipeline."""
    write_drop(tmp_path / "bronnen")
    assert _run(tmp_path) == (0, "")
    return tmp_path


def _refused(folder: Path, compute) -> str:
    """Run with `compute`; assert exit 3 and an untouched store; return the one line on stderr."""
    before = (folder / "monitor.duckdb").read_bytes()
    code, err = _run(folder, compute)
    assert code == 3, err
    assert (folder / "monitor.duckdb").read_bytes() == before
    assert not [path for path in folder.iterdir() if ".publiceren-" in path.name]
    assert err.count("\n") == 1
    return err


@pytest.mark.integration  # the whole ETL
def test_clean_drop_passes_the_audit_with_complementary_suppression(published_drop: Path) -> None:
    # Oud-West's teller of 1 (indicator 7) is suppressed, and with it the sibling first in code order (all 1000)
    rows = dict(published(published_drop / "monitor.duckdb", """
        select gebiedcode, onderdrukking from indicator_values
        where indicator = 'professionele_ondersteuning' and peildatum = date '2016-01-01'
          and gebiedcode in ('WK001401', 'WK001402', 'WK001403', 'WK001404', 'GB001402')"""))
    assert rows == {"WK001402": "primair", "WK001401": "aanvullend", "WK001403": None, "WK001404": None,
                    "GB001402": None}


@pytest.mark.integration  # the whole ETL
def test_audit_refuses_a_planted_leak(published_drop: Path) -> None:
    err = _refused(published_drop, without_complementary_suppression)
    assert err.startswith("wijkmonitor etl: publiceren geweigerd: onderdrukt cijfer terug te rekenen")
    assert "wijk WK001402" in err and "peildatum 2015-01-01" in err and "de vorige publicatie blijft staan" in err
    assert not any(number in err for number in (" 1,", " 1 ", "76", "1000"))  # names the cell, no values


def _store_tables(db: Path) -> dict[str, pa.Table]:
    """Every table of a published store as Arrow, without the audit's mark in meta."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()]
        tables = {name: con.sql(f"select * from {name}").to_arrow_table() for name in names}
        tables["meta"] = con.sql("select * from meta where sleutel <> $k", params={"k": AUDIT_KEY}).to_arrow_table()
    return tables


def _changed_row(table: pa.Table, column: str, value) -> pa.Table:
    """The table with `column` of its first row set to value."""
    values = table.column(column).to_pylist()
    return table.set_column(table.schema.get_field_index(column), column,
                            pa.array([value] + values[1:], table.schema.field(column).type))


@pytest.mark.integration  # the whole ETL, once
def test_audit_reads_only_the_partitions_that_changed_since_an_audited_store(
    published_drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = _store_tables(published_drop / "monitor.duckdb")
    audited: list[set] = []  # per publish, the (indicator, peildatum) the audit of indicator_values read
    real = etl.publish.recoverable_published
    monkeypatch.setattr(etl.publish, "recoverable_published", lambda published: audited.append(
        {(r["indicator"], r["peildatum"]) for r in published["indicator_values"].select(["indicator", "peildatum"])
         .to_pylist()}) or real(published))
    everything = {(r["indicator"], r["peildatum"]) for r in tables["indicator_values"].to_pylist()}
    first = tables["indicator_values"].slice(0, 1).to_pylist()[0]
    db = tmp_path / "store" / "monitor.duckdb"
    publish(db, tables)  # no store before: all of it
    publish(db, tables)  # the same rows: none
    changed = dict(tables, indicator_values=_changed_row(tables["indicator_values"], "status", "anders"))
    publish(db, changed)  # one row of one partition
    publish(db, dict(changed, areas=_changed_row(tables["areas"], "gebiedsnaam", "Nieuwe naam")))  # other areas
    with duckdb.connect(str(db)) as con:  # a store this audit did not mark vouches for nothing
        con.execute("delete from meta where sleutel = $k", {"k": AUDIT_KEY})
    publish(db, tables)
    assert audited == [everything, set(), {(first["indicator"], first["peildatum"])}, everything, everything]
    assert {row[0] for row in published(db, "select sleutel from meta")} >= {AUDIT_KEY}


@pytest.mark.integration  # the whole ETL, once
def test_audit_after_an_audited_store_still_refuses_a_leak_where_rows_changed(published_drop: Path) -> None:
    publish(published_drop / "monitor.duckdb", _store_tables(published_drop / "monitor.duckdb"))  # marked
    err = _refused(published_drop, without_complementary_suppression)
    assert "publiceren geweigerd: onderdrukt cijfer terug te rekenen" in err and "wijk WK001402" in err


def _plant_key_in_reason(tables: dict, warehouse: duckdb.DuckDBPyConnection) -> None:
    """A dq reason that quotes a person key of the warehouse, as a parser message would."""
    [(key,)] = warehouse.execute("select persoon_id from stg_ondersteuning order by all limit 1").fetchall()
    rows = tables["dq_incomplete"].to_pylist() + [{
        "indicator": "tevredenheid", "peildatum": date(2016, 1, 1), "bron": "ondersteuning", "wijkcode": None,
        "reden": f"regel 3: 'T9,{key},H9,WK001400' kon niet worden gelezen"}]
    tables["dq_incomplete"] = pa.Table.from_pylist(rows, schema=tables["dq_incomplete"].schema)


def _plant_key_in_area_name(tables: dict, warehouse: duckdb.DuckDBPyConnection) -> None:
    """A household key where an area name belongs (the whole value)."""
    [(key,)] = warehouse.execute("select huishouden_id from raw_ondersteuning order by all limit 1").fetchall()
    values = tables["indicator_values"]
    names = values.column("gebiedsnaam").to_pylist()
    tables["indicator_values"] = values.set_column(
        values.schema.get_field_index("gebiedsnaam"), "gebiedsnaam", pa.array([key] + names[1:]))


@pytest.mark.parametrize(("plant", "where", "source"), [
    (_plant_key_in_reason, "tabel dq_incomplete, kolom reden", ".persoon_id"),
    (_plant_key_in_area_name, "tabel indicator_values, kolom gebiedsnaam", ".huishouden_id"),
])
@pytest.mark.integration  # the whole ETL
def test_content_guard_refuses_a_planted_person_key(published_drop: Path, plant, where: str, source: str) -> None:
    err = _refused(published_drop, planting(plant))
    assert f"publiceren geweigerd: {where} bevat een waarde uit" in err and source in err
    keys = {k for (k,) in published(published_drop / "monitor.duckdb", "select 1")}  # store still readable
    assert keys == {1}
    assert "PWK" not in err and "HWK" not in err  # the key itself is not repeated


def _plant_column(tables: dict, warehouse: duckdb.DuckDBPyConnection) -> None:
    """An extra column in the published values (innocent name, but not in the contract)."""
    values = tables["indicator_values"]
    tables["indicator_values"] = values.append_column("bron_bestand", pa.array(["x"] * values.num_rows))


@pytest.mark.integration  # the whole ETL
def test_allowlist_refuses_a_planted_column(published_drop: Path) -> None:
    err = _refused(published_drop, planting(_plant_column))
    assert "publiceren geweigerd: kolom indicator_values.bron_bestand hoort niet bij het publicatiecontract" in err


@pytest.mark.integration  # the whole ETL
def test_a_second_run_over_the_same_drop_publishes_the_same_bits(published_drop: Path) -> None:
    db = published_drop / "monitor.duckdb"
    query = "select * from {} order by all"
    first = {t: published(db, query.format(t)) for t in ("indicator_values", "indicator_breakdown", "dq_incomplete")}
    (published_drop / "warehouse.duckdb").unlink()  # recompute from the raw files, not from the kept verdicts
    assert _run(published_drop)[0] == 0
    second = {t: published(db, query.format(t)) for t in first}
    assert first["indicator_values"] and repr(first) == repr(second)


@pytest.mark.integration  # the whole ETL
def test_emptied_source_folder_publishes_missing_not_zero(tmp_path: Path) -> None:
    write_drop(tmp_path / "bronnen")
    (tmp_path / "bronnen" / "participatie" / "participatie.csv").write_text(CLEAN["participatie"].splitlines()[0] + "\n")
    code, err = _run(tmp_path)
    assert code in (0, 1), err
    rows = published(tmp_path / "monitor.duckdb", """
        select distinct waarde, teller, onderdrukt, status, reden from indicator_values
        where indicator = 'participatie_bijstand'""")
    assert rows == [(None, None, False, "onvoldoende gegevens",
                     "geen geaccepteerde gegevens van bron participatie in de periode")]


def test_content_guard_finds_a_quoted_key_in_a_file_reason_and_passes_vocabulary() -> None:
    warehouse = duckdb.connect()
    warehouse.execute("create table raw_bijstand (uitkering_id VARCHAR, persoon_id VARCHAR, wijkcode VARCHAR)")
    warehouse.execute("insert into raw_bijstand values (' U-2019/7 ', 'P000123', 'WK001400')")
    reasons = {"dq_files": pa.table({"bron": ["bijstand"], "bestand": ["b.csv"],
                                     "reden": ["rij 3, kolom einddatum: einddatum ligt voor begindatum"]})}
    refuse_person_keys(warehouse, reasons)  # file, row, column and rule: nothing of a row
    for quoted in ("regel 4: 'U-2019/7,P000777,WK001400' niet gelezen", "ongeldige waarde \"P000123\""):
        reasons["dq_files"] = reasons["dq_files"].set_column(2, "reden", pa.array([quoted]))
        with pytest.raises(WijkmonitorError) as raised:
            refuse_person_keys(warehouse, reasons)
        assert str(raised.value).startswith("publiceren geweigerd: tabel dq_files, kolom reden bevat een waarde uit "
                                            "raw_bijstand.")
        assert "P000123" not in str(raised.value) and "U-2019" not in str(raised.value)


@pytest.mark.integration  # the whole ETL
def test_quarantined_population_row_leaves_the_sibling_protected(tmp_path: Path) -> None:
    # Oud-Noord's (WK001403) bevolking row of 2016 is quarantined. Oude Wijken and the city would
    # count its 20 persons without its inhabitants (76 / 3000 and 88 / 4000 instead of / 4000 and
    # / 5000): no figure; Oud-West's teller of 1 stays suppressed, and Oud-Noord (hidden, holding
    # people) counts as its companion, so no other sibling needs to go; nothing gives it away.
    write_drop(tmp_path / "bronnen", bevolking_kapot=("2016-01-01", "WK001403"))
    code, err = _run(tmp_path)
    assert code == 1 and "quarantaine" in err
    rows = {code: (onderdrukking, reden, waarde) for code, onderdrukking, reden, waarde in published(
        tmp_path / "monitor.duckdb", """
        select gebiedcode, onderdrukking, reden, waarde from indicator_values
        where indicator = 'professionele_ondersteuning' and peildatum = date '2016-01-01'
          and gebiedcode in ('WK001400', 'WK001401', 'WK001402', 'WK001403', 'WK001404', 'GB001402', 'GM0014')""")}
    reden = "bevolking ontbreekt voor wijk WK001403 op deze peildatum"
    assert rows == {
        "WK001400": (None, None, 12.0), "WK001401": (None, None, 30.0), "WK001402": ("primair", None, None),
        "WK001403": (None, reden, None), "WK001404": (None, None, 25.0), "GB001402": (None, reden, None),
        "GM0014": (None, reden, None),
    }
    assert published(tmp_path / "monitor.duckdb", "select distinct bron, wijkcode, reden from dq_incomplete "
                     "where peildatum = date '2016-01-01' and bron = 'bevolking'") == [("bevolking", "WK001403", reden)]


def test_a_real_store_holds_the_spec_and_the_vocabularies(published_drop: Path) -> None:
    """The store the pipeline writes has the spec's columns and types, and only words of core/ vocabularies."""
    from core import eenheid, niveau, publication, richting, status

    with duckdb.connect(str(published_drop / "monitor.duckdb"), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type, is_nullable = 'YES' from information_schema.columns "
            "order by table_name, ordinal_position"
        ).fetchall()
        words = {
            "status": {r[0] for r in con.execute("select distinct status from indicator_values").fetchall()},
            "niveau": {r[0] for r in con.execute("select distinct niveau from indicator_values union "
                                                 "select distinct niveau from areas").fetchall()},
            "richting": {r[0] for r in con.execute("select distinct richting from indicators").fetchall()},
            "eenheid": {r[0] for r in con.execute("select distinct eenheid from indicators").fetchall()},
            "bron_status": {r[0] for r in con.execute("select distinct status from dq_sources").fetchall()},
            "onderdrukking": {r[0] for r in con.execute(
                "select distinct onderdrukking from indicator_values where onderdrukking is not null").fetchall()},
        }
    spec = sorted(((t.name, c.name, c.type, c.nullable) for t in publication.TABLES for c in t.columns),
                  key=lambda row: row[0])
    assert columns == spec
    assert words["status"] and words["status"] <= set(status.STATUSSEN)
    assert words["niveau"] == set(niveau.NIVEAUS)
    assert words["richting"] <= set(richting.RICHTINGEN)
    assert words["eenheid"] <= set(eenheid.EENHEDEN)
    assert words["bron_status"] <= set(status.BRON_STATUSSEN)
    assert words["onderdrukking"] == {status.PRIMAIR, status.AANVULLEND}


@pytest.mark.parametrize(("key", "found"), [
    ("P000123", True),  # as it is
    ("  P000123 ", True),  # spaces around it: trimmed
    ("P000123\u00a0", True),  # Unicode white space: trimmed too
    ("\u3000P000123", True),
    ("Pé00123", False),  # a non-ASCII key that trim leaves as it is
    ("\tP000123", False),  # trim keeps a tab, so the key is not the text's piece
    ("P000123" + " " * 30, True),  # longer than every other key: outside the lengths the variants cover
    ("P00012", False),
    ("P0001234", False),
])
def test_content_guard_compares_each_key_as_trim_leaves_it(key: str, found: bool) -> None:
    warehouse = duckdb.connect()
    warehouse.execute("create table raw_bijstand (uitkering_id VARCHAR, persoon_id VARCHAR, wijkcode VARCHAR)")
    warehouse.execute("insert into raw_bijstand values ('U1', ?, 'WK001400'), ('U2', 'Pé00999', 'WK001401')", [key])
    reasons = {"dq_files": pa.table({"bron": ["bijstand"], "reden": ["ongeldige waarde 'P000123'"]})}
    if not found:
        refuse_person_keys(warehouse, reasons)
        return
    with pytest.raises(WijkmonitorError, match="tabel dq_files, kolom reden bevat een waarde uit raw_bijstand.persoon_id"):
        refuse_person_keys(warehouse, reasons)


def test_trim_strips_no_ascii_character_but_the_space() -> None:
    """What the content guard's variants rest on (publish._key_hit): among ASCII, trim strips the space only."""
    with duckdb.connect() as con:
        stripped = [code for code in range(128) if con.execute(
            "select trim(chr($1) || 'x' || chr($1)) = 'x'", [code]).fetchall() == [(True,)]]
    assert stripped == [ord(" ")]


@pytest.mark.parametrize("key", ["K0000150000", "K0000150000   ", " K0000150000", "K0000150000\u2003"])
def test_content_guard_finds_one_key_among_many_row_groups(key: str) -> None:
    """One matching key in the middle of 300.000 (several row groups DuckDB may skip): found whatever its form."""
    warehouse = duckdb.connect()
    warehouse.execute("create table raw_kosten (kosten_id VARCHAR, persoon_id VARCHAR)")
    warehouse.execute("insert into raw_kosten select printf('K%010d', i), printf('P%09d', i % 1000) "
                      "from range(300000) r(i) order by i")
    warehouse.execute("update raw_kosten set kosten_id = ? where kosten_id = 'K0000150000'", [key])
    reasons = {"dq_files": pa.table({"reden": ["rij 7: K0000150000 dubbel"]})}
    with pytest.raises(WijkmonitorError, match="kolom reden bevat een waarde uit raw_kosten.kosten_id"):
        refuse_person_keys(warehouse, reasons)
    warehouse.execute("update raw_kosten set kosten_id = 'K0000150001x' where kosten_id = ?", [key])
    refuse_person_keys(warehouse, reasons)
