"""Incremental indicator computation (indicators/incremental.py): after any sequence of changes to staging, a
computation that reuses the kept peildata publishes exactly — row for row, every column — what a computation
from scratch over the same staging publishes, and it recomputes only the peildata the changes reach."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from fixtures.indicators import insert_tuples
from fixtures.indicators_referentie import PEILDATA, random_staging
from fixtures.kosten_referentie import random_kosten
from fixtures.sources import CLEAN, VANDAAG, run_fake_etl, write_clean_sources

from core import publication
from etl.staging import create_staging_tables
from indicators import incremental, registry
from indicators.compute import compute_publication
from indicators.config import MonitorConfig

STAGING = ("ref_gebieden", *(f"stg_{naam}" for naam in
                             ("bevolking", "bewonersenquete", "clientervaring", "ondersteuning", "bijstand",
                              "participatie", "kenmerken", "kosten")))


@pytest.fixture()
def plans(monkeypatch: pytest.MonkeyPatch) -> list[incremental.Plan]:
    """The plan of every computation from here on (what keep() stored)."""
    seen: list[incremental.Plan] = []
    keep = incremental.keep

    def spy(con, config, plan, peildata):
        seen.append(plan)
        return keep(con, config, plan, peildata)

    monkeypatch.setattr(incremental, "keep", spy)
    return seen


@pytest.fixture()
def warehouse() -> duckdb.DuckDBPyConnection:
    """Random staging (ties, moves, open ends, incomplete inputs) with cost lines, computed once."""
    con = random_staging(15, personen=600, wijken=6)
    random_kosten(con, 15, lines=300)
    compute_publication(con, MonitorConfig())
    return con


def _from_scratch(con: duckdb.DuckDBPyConnection, config: MonitorConfig) -> dict[str, pa.Table]:
    """The same staging in a new warehouse without kept rows, computed whole."""
    fresh = duckdb.connect()
    create_staging_tables(fresh)
    for table in STAGING:
        rows = con.sql(f"select * from {table}").to_arrow_table()
        fresh.register("rijen", rows)
        fresh.execute(f"insert into {table} select * from rijen")
        fresh.unregister("rijen")
    return compute_publication(fresh, config)


def _assert_as_from_scratch(con: duckdb.DuckDBPyConnection, config: MonitorConfig = MonitorConfig()) -> None:
    reused = compute_publication(con, config)
    scratch = _from_scratch(con, config)
    assert set(reused) == set(scratch)
    for name, table in scratch.items():
        assert reused[name].schema == table.schema, name
        assert reused[name].equals(table), name  # every row, every column, in order


def _new_month(con: duckdb.DuckDBPyConnection, month: date, tag: str) -> None:
    """What one monthly delivery adds: trajectories, benefits, activities, survey answers and cost lines."""
    days = [month + timedelta(days=d) for d in range(0, 28, 3)]
    wijken = [w for (w,) in con.execute("select wijkcode from ref_gebieden order by 1").fetchall()]
    insert_tuples(con, "stg_ondersteuning", [
        (f"T{tag}{i}", f"P{i * 7}", f"H{i * 3}", wijken[i % len(wijken)], 2009, "wijkteam",
         ("basis", "specialistisch")[i % 2], ("vrijwillig", "gedwongen")[i % 3 == 0], "A1", f"PR{i % 5}",
         days[i % len(days)], None if i % 2 else days[-1] + timedelta(days=200))
        for i in range(40)
    ])
    insert_tuples(con, "stg_bijstand", [
        (f"U{tag}{i}", f"B{i}", wijken[i % len(wijken)], days[i % len(days)], None) for i in range(15)
    ])
    insert_tuples(con, "stg_participatie", [
        (f"A{tag}{i}", f"B{i * 2}", "re_integratie", days[i % len(days)], None) for i in range(10)
    ])
    insert_tuples(con, "stg_clientervaring", [
        (f"C{tag}{i}", days[i % len(days)], wijken[i % len(wijken)], ("wmo", "jeugdwet")[i % 2], 1.0 + i / 10,
         1 + i % 5) for i in range(60)
    ])
    insert_tuples(con, "stg_kosten", [
        (f"K{tag}{i}", f"P{i}", wijken[i % len(wijken)], ("wmo", "jeugdwet", "participatiewet")[i % 3], "A1",
         month, days[-1], 100.0 + i) for i in range(30)
    ])


def test_nothing_changed_recomputes_nothing(warehouse, plans):
    _assert_as_from_scratch(warehouse)
    assert plans[0].peildata == () and not plans[0].everything


def test_a_new_month_recomputes_only_the_peildata_it_reaches(warehouse, plans):
    _new_month(warehouse, date(2016, 11, 1), "nieuw")
    _assert_as_from_scratch(warehouse)
    assert plans[0].peildata == (date(2017, 1, 1),) and not plans[0].everything


def test_a_sequence_of_deliveries_publishes_what_a_full_run_does(warehouse, plans):
    steps = {
        "one new monthly file": lambda con: _new_month(con, date(2015, 8, 1), "aug"),
        "a file replaced: trajectories moved and closed, a population figure corrected": lambda con: con.execute(
            """
            update stg_ondersteuning set wijkcode = 'WK900002', einddatum = date '2015-09-30'
            where traject_id in (select traject_id from stg_ondersteuning where begindatum < date '2014-07-01'
                                 order by traject_id limit 25);
            update stg_bevolking set inwoners = inwoners + 3 where peildatum = date '2015-10-01';
            """),
        "a file removed: benefits of a year and the August delivery": lambda con: con.execute(
            """
            delete from stg_bijstand where year(begindatum) = 2014 or uitkering_id like 'Uaug%';
            delete from stg_kosten where kosten_id like 'Kaug%';
            """),
        "a wijk's population missing on one peildatum": lambda con: con.execute(
            "delete from stg_bevolking where peildatum = date '2016-01-01' and wijkcode = 'WK900001'"),
        "a category vanishes from a breakdown": lambda con: con.execute(
            "delete from stg_clientervaring where wet = 'jeugdwet'"),
        "and comes back in one month": lambda con: insert_tuples(con, "stg_clientervaring", [
            ("CJ1", date(2016, 6, 1), "WK900003", "jeugdwet", 1.0, 4)]),
        "a new peildatum": lambda con: con.execute(
            "insert into stg_bevolking select date '2018-01-01', wijkcode, inwoners, inwoners_0_17, huishoudens "
            "from stg_bevolking where peildatum = date '2017-01-01'"),
        "a peildatum removed (the next one's previous peildatum changes)": lambda con: con.execute(
            "delete from stg_bevolking where peildatum = date '2015-07-01'"),
        "a source emptied (no data in any window)": lambda con: con.execute("delete from stg_participatie"),
        "all cost lines removed": lambda con: con.execute("delete from stg_kosten"),
    }
    for what, change in steps.items():
        change(warehouse)
        try:
            _assert_as_from_scratch(warehouse)
        except AssertionError as error:
            raise AssertionError(f"{what}: {error}") from None
    reused = plans[::2]  # every other computation is the one from scratch
    assert not any(plan.everything for plan in reused[:4])  # changes within peildata: no full recompute
    assert len(reused[0].peildata) < len(PEILDATA)
    assert reused[4].everything and reused[4].reason == "uitsplitsing met andere categorieën"


def test_a_changed_configuration_recomputes_everything(warehouse, plans):
    default = MonitorConfig()
    indicator = default.indicators[0]
    changed = dataclasses.replace(default, nulmeting=date(2015, 4, 1))
    _assert_as_from_scratch(warehouse, changed)
    assert plans[0].everything and plans[0].reason == "configuratie, code of gebieden gewijzigd"
    stricter = dataclasses.replace(indicator, onderdrukking=dataclasses.replace(indicator.onderdrukking, min_n=60))
    _assert_as_from_scratch(warehouse, dataclasses.replace(default, indicators=(stricter, *default.indicators[1:])))
    assert plans[2].everything


def test_a_changed_area_table_recomputes_everything(warehouse, plans):
    warehouse.execute("update ref_gebieden set gebiedcode = 'GB900001' where wijkcode = 'WK900000'")
    _assert_as_from_scratch(warehouse)
    assert plans[0].everything


def test_a_municipalitys_own_indicator_recomputes_everything_when_data_changed(warehouse, plans, tmp_path: Path):
    shipped = registry.PACKAGE_DIR / "professionele_ondersteuning.sql"
    own = tmp_path / "indicatoren" / "eigen_ondersteuning.sql"
    own.parent.mkdir()
    own.write_text(shipped.read_text(encoding="utf-8").replace(
        'id = "professionele_ondersteuning"', 'id = "eigen_ondersteuning"').replace("volgorde = 7", "volgorde = 9"),
        encoding="utf-8")
    default = MonitorConfig()
    config = dataclasses.replace(default, indicators=(*default.indicators, registry.read_indicator(own)))
    compute_publication(warehouse, config)
    _new_month(warehouse, date(2016, 11, 1), "eigen")
    _assert_as_from_scratch(warehouse, config)
    assert plans[1].everything and plans[1].reason == "eigen indicatorbestand en gewijzigde gegevens"


def test_forgotten_kept_rows_mean_a_whole_computation(warehouse, plans):
    incremental.forget(warehouse)
    _assert_as_from_scratch(warehouse)
    assert plans[0].everything and plans[0].reason == "eerste berekening"


def test_kept_rows_stay_in_the_warehouse_only():
    kept = set(incremental.KEPT.values())
    assert not kept & {table.name for table in publication.TABLES}


# Through the whole ETL (gate included), on the clean drop: each delivery of a sequence, run incrementally,
# publishes what a run from scratch over the same drop publishes.
# the run's own data-quality tables say when files arrived and which run judged them (compared without those
# columns by tests/test_etl_incremental.py); every other published table is compared whole
RUN_TABLES = {"meta", "dq_sources", "dq_files", "dq_rules"}


def _store(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table.name: con.execute(f"select * from {table.name}").fetchall()
                for table in publication.TABLES if table.name not in RUN_TABLES}


@pytest.mark.integration
def test_deliveries_through_the_etl_publish_what_a_run_from_scratch_does(tmp_path: Path):
    folder = tmp_path / "gemeente"
    bronnen = write_clean_sources(folder / "bronnen")
    real = {"compute": None, "config": None, "vandaag": VANDAAG}
    assert run_fake_etl(folder, **real)[0] == 0
    deliveries = {
        "nothing changed": lambda: None,
        "one new monthly file": lambda: (bronnen / "ondersteuning" / "ondersteuning_2015_11.csv").write_text(
            CLEAN["ondersteuning"].splitlines()[0] + "\n"
            "T9,P9,H9,WK001401,2012,wijkteam,basis,vrijwillig,A1,PR9,2015-11-02,\n"
            "T10,P10,H10,WK001400,2001,ots,specialistisch,gedwongen,,PR3,2015-11-20,\n", encoding="utf-8"),
        "one file replaced": lambda: (bronnen / "bewonersenquete" / "bewonersenquete.csv").write_text(
            CLEAN["bewonersenquete"] + "R5,2015-04-02,WK001400,1,3,1,1\n", encoding="utf-8"),
        "one file removed": lambda: (bronnen / "ondersteuning" / "ondersteuning_2015_11.csv").unlink(),
        "a new file that conflicts with an accepted one": lambda: (
            bronnen / "bevolking" / "bevolking_correctie.csv").write_text(
            CLEAN["bevolking"].splitlines()[0] + "\n2016-01-01,WK001400,1234,210,520\n", encoding="utf-8"),
        # the gate takes the file in and keeps its verdict, the computation fails: nothing kept for it, so the
        # next run's gate reuses a verdict the kept blocks were not made under
        # (a file replaced by one of as many rows, the benefits ended before the last peildatum's window: the row
        # count does not show the change, the reasons for missing figures on that peildatum do)
        "a replaced file whose run failed in the computation": lambda: (
            (bronnen / "bijstand" / "bijstand.csv").write_text(
                CLEAN["bijstand"].replace("2013-01-01,", "2013-01-01,2014-06-30").replace("2016-03-31", "2014-12-31"),
                encoding="utf-8"),
            run_fake_etl(folder, **{**real, "compute": _failing_compute})),
        "the next day (the gate fills every staging table again)": lambda: real.update(
            vandaag=VANDAAG + timedelta(days=1)),
    }
    for step, (what, deliver) in enumerate(deliveries.items()):
        deliver()
        assert run_fake_etl(folder, **real)[0] != 3, what
        scratch = tmp_path / f"van_nul_{step}"
        scratch.mkdir()
        shutil.copytree(bronnen, scratch / "bronnen")
        run_fake_etl(scratch, **real)
        incremental_store, full_store = _store(folder / "monitor.duckdb"), _store(scratch / "monitor.duckdb")
        for name in full_store:
            assert incremental_store[name] == full_store[name], f"{what}: {name}"


def _failing_compute(con, config):
    raise RuntimeError("de berekening faalt")
