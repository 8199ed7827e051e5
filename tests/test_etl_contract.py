"""etl/contract.py: what is derived from the source contract, and a new source added by its entry alone.

The new source `meldingen` is defined here only (a contract entry plus a generator module put in
place with monkeypatch): it must be generated, loaded, gated by a suite built from its entry, get
its stg_ table and have its person-level columns guarded, with no other edit.
"""

from __future__ import annotations

import sys
import types
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from fixtures.sources import VANDAAG, write_clean_sources
from fixtures.sources import run_fake_etl as _etl

from etl.contract import BRONNEN, Bron, Kolom, persoonskolommen, staging_ddl
from etl.publish import person_key_columns, refuse_person_keys
from etl.staging import create_staging_tables, key_rule, source_rules_sql
from expectations.suites import build_suite
from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.timeline import day_number
from core.errors import WijkmonitorError
from wijkmonitor.generate import generate

MELDINGEN = Bron(
    naam="meldingen",
    kolommen=(
        Kolom("melding_id", "tekst", persoonsgegeven=True),
        Kolom("melder_id", "tekst", persoonsgegeven=True),
        Kolom("wijkcode", "code"),
        Kolom("meldingsdatum", "datum", geen_toekomst=True),
        Kolom("ernst", "geheel", minimum=1, maximum=3),
        Kolom("toelichting", "tekst", verplicht=False),
    ),
    sleutel=("melding_id",),
    datumkolom="meldingsdatum",
    optioneel=True,
)
MELDINGEN_CSV = (
    "melding_id,melder_id,wijkcode,meldingsdatum,ernst,toelichting\n"
    "M1,Q1,WK001400,2015-02-01,1,\n"
    "M2,Q2,WK001400,2015-03-01,3,overlast\n"
    "M3,Q1,WK001401,2016-04-01,2,\n"
    "M4,Q3,WK001401,2016-05-01,2,\n"
    "M5,Q4,WK999999,2016-06-01,1,\n"  # row 5: unknown wijk
)
seen_by_generator: list[list[str]] = []


def _generate_meldingen(demo: DemoChunk) -> pl.DataFrame:
    """The throwaway source's generator: one report per 1,000 inhabitants of 2024, per wijk, in 2024."""
    seen_by_generator.append(list(demo.bronnen))
    per_wijk = np.maximum(1, np.round(demo.wijken.inwoners_2024 / 1000).astype(np.int64))
    count = int(per_wijk.sum())
    return pl.DataFrame({
        "melding_id": demo.ids.sequence("X").take(count),
        "melder_id": demo.ids.register.persoon.take(count),
        "wijkcode": np.repeat(demo.wijken.wijkcode, per_wijk),
        "meldingsdatum": day_number(date(2024, 1, 1)) + demo.rng.integers(0, 731, count),
        "ernst": demo.rng.integers(1, 4, count),
        "toelichting": pl.Series([None] * count, dtype=pl.String),
    }).with_columns(pl.col("meldingsdatum").cast(pl.Date))


@pytest.fixture()
def meldingen(monkeypatch: pytest.MonkeyPatch) -> Bron:
    """The contract with meldingen added at the end, and its generator module."""
    monkeypatch.setitem(BRONNEN, "meldingen", MELDINGEN)
    module = types.ModuleType("wijkmonitor.demo.meldingen")
    module.generate = _generate_meldingen
    monkeypatch.setitem(sys.modules, "wijkmonitor.demo.meldingen", module)
    return MELDINGEN




# ---- derived from the contract ----


def test_person_level_columns_are_the_flagged_ones() -> None:
    assert persoonskolommen() == {
        "persoon_id", "huishouden_id", "respondent_id", "professional_id", "traject_id", "uitkering_id",
        "activiteit_id",
    } | {k.naam for bron in BRONNEN.values() for k in bron.kolommen if k.persoonsgegeven}
    assert "wijkcode" not in persoonskolommen() and "aanbieder" not in persoonskolommen()


def test_staging_tables_have_the_types_the_indicators_read() -> None:
    con = duckdb.connect()
    create_staging_tables(con)
    types_ = {(t, c): (d, n) for t, c, d, n in con.execute(
        "select table_name, column_name, data_type, is_nullable from information_schema.columns").fetchall()}
    assert types_[("stg_bevolking", "peildatum")] == ("DATE", "NO")
    assert types_[("stg_bevolking", "inwoners")] == ("BIGINT", "NO")
    assert types_[("stg_bewonersenquete", "gewicht")] == ("DOUBLE", "NO")
    assert types_[("stg_bewonersenquete", "zelfredzaam")] == ("INTEGER", "YES")
    assert types_[("stg_ondersteuning", "geboortejaar")] == ("INTEGER", "NO")
    assert types_[("stg_ondersteuning", "aanbieder")] == ("VARCHAR", "YES")
    assert types_[("stg_participatie", "einddatum")] == ("DATE", "YES")
    assert types_[("ref_gebieden", "wijkcode")] == ("VARCHAR", "NO")
    for bron in BRONNEN.values():  # every source has its table, columns in contract order
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
            [f"stg_{bron.naam}"]).fetchall()]
        assert columns == bron.kolomnamen


def test_staging_ddl_of_a_new_source() -> None:
    assert staging_ddl(MELDINGEN) == (
        "CREATE TABLE IF NOT EXISTS stg_meldingen (\n"
        '    "melding_id" VARCHAR NOT NULL,\n'
        '    "melder_id" VARCHAR NOT NULL,\n'
        '    "wijkcode" VARCHAR NOT NULL,\n'
        '    "meldingsdatum" DATE NOT NULL,\n'
        '    "ernst" INTEGER NOT NULL,\n'
        '    "toelichting" VARCHAR\n'
        ")"
    )


def test_suite_of_a_new_source_is_built_from_its_entry() -> None:
    suite = build_suite(MELDINGEN, VANDAAG)
    rules = {(e.meta["kolom"], e.meta["regel"]) for e in suite.expectations}
    assert suite.name == "meldingen"
    assert ("wijkcode", "onbekende wijkcode") in rules
    assert ("ernst", "waarde buiten bereik 1..3") in rules
    assert ("meldingsdatum", "datum ligt in de toekomst") in rules
    assert ("toelichting", "verplichte waarde ontbreekt") not in rules
    # Rules across rows are checked in DuckDB over the whole source (etl/staging.py), also derived from the entry.
    across = source_rules_sql(MELDINGEN)
    assert key_rule(MELDINGEN) == "sleutel (melding_id) komt vaker voor" and key_rule(MELDINGEN) in across
    assert "waarschuwing" not in across  # no growth rule declared


# ---- a new source end to end ----


def test_new_source_is_generated_in_contract_order_with_a_default_delivery(meldingen: Bron, tmp_path: Path) -> None:
    seen_by_generator.clear()
    generate(tmp_path / "bronnen", seed=2015, scale=0.3)
    assert seen_by_generator == [[naam for naam in BRONNEN if naam != "meldingen"]]
    files = sorted(p.name for p in (tmp_path / "bronnen" / "meldingen").iterdir())
    assert files == ["meldingen_2024.csv", "meldingen_2025.csv"]  # one file per year of meldingsdatum
    delivered = pl.concat(pl.read_csv(tmp_path / "bronnen" / "meldingen" / name, separator=separator,
                                      infer_schema=False, encoding="utf8-lossy")
                          for name, separator in zip(files, (",", ";")))  # 2025: Dutch Excel
    assert delivered.columns == MELDINGEN.kolomnamen
    assert delivered.height == delivered["melder_id"].n_unique() >= 20  # a report per wijk at least, reporters new


def test_a_source_without_generator_module_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(BRONNEN, "meldingen", MELDINGEN)
    with pytest.raises(WijkmonitorError, match="source meldingen .* no generator wijkmonitor/demo/meldingen.py"):
        generate(tmp_path / "bronnen", seed=2015, scale=0.3)


def test_new_source_is_loaded_gated_and_guarded(meldingen: Bron, tmp_path: Path) -> None:
    write_clean_sources(tmp_path / "bronnen")
    (tmp_path / "bronnen" / "meldingen").mkdir()
    (tmp_path / "bronnen" / "meldingen" / "meldingen_2016.csv").write_text(MELDINGEN_CSV, encoding="utf-8")
    code, _, err = _etl(tmp_path)
    assert code == 1 and "1 rij(en) in quarantaine" in err  # a quarantined row is a rejected input
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        assert con.execute("select melding_id, ernst, meldingsdatum from stg_meldingen order by all").fetchall() == [
            ("M1", 1, date(2015, 2, 1)), ("M2", 3, date(2015, 3, 1)), ("M3", 2, date(2016, 4, 1)),
            ("M4", 2, date(2016, 5, 1)),
        ]
        assert con.execute("select bron, bestand, rij, kolom, regel from quarantine").fetchall() == [
            ("meldingen", "meldingen_2016.csv", 5, "wijkcode", "onbekende wijkcode"),
        ]
        assert {("raw_meldingen", "melder_id"), ("stg_meldingen", "melder_id"),
                ("stg_meldingen", "melding_id")} <= set(person_key_columns(con))
        with pytest.raises(WijkmonitorError, match="stg_meldingen.melder_id|raw_meldingen.melder_id"):
            refuse_person_keys(con, {"dq_files": pa.table({"reden": ["zie melder Q3"]})})
    with duckdb.connect(str(tmp_path / "monitor.duckdb"), read_only=True) as con:
        assert con.execute("select rijen_geaccepteerd, rijen_quarantaine from dq_sources where bron = 'meldingen'"
                           ).fetchall() == [(4, 1)]


def test_optional_source_never_delivered_is_no_problem(meldingen: Bron, tmp_path: Path) -> None:
    # (a required source missing is reported as before: tests/test_etl_broken_inputs.py)
    write_clean_sources(tmp_path / "bronnen")
    code, out, err = _etl(tmp_path)
    assert (code, err) == (0, "")
    assert "Uitkomst: alles geaccepteerd" in out
    with duckdb.connect(str(tmp_path / "monitor.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from dq_sources where bron = 'meldingen'").fetchone() == (0,)
        assert con.execute("select count(*) from dq_files where bron = 'meldingen'").fetchone() == (0,)

