"""The registry is the one place: a ninth definition flows into the computation and the export."""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fixtures.indicators import GEMEENTE, NOORD, NOORD_A, NOORD_B, P1, insert, row, staging, traject

from etl.publish import publish
from indicators import registry
from indicators.compute import compute_publication
from indicators.config import MonitorConfig, parse_config
from indicators.export import export
from indicators.registry import Corridor, Indicator, Onderdrukking

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import reference  # noqa: E402

UITHUISPLAATSING = Indicator(
    id="uithuisplaatsing",
    naam="Jeugdigen in een verblijfsvoorziening",
    omschrijving="Jeugdigen die buiten het eigen gezin verblijven per 1.000 jeugdigen (0-17).",
    definitie="Teller: verschillende personen met een actief traject met voorziening = jeugdhulp_verblijf; "
    "noemer: inwoners van 0-17 jaar; waarde = 1000 × teller / noemer.",
    richting="lager_is_beter",
    eenheid="per 1.000 jeugdigen (0-17)",
    decimalen=1,
    soort="register",
    bronnen=("ondersteuning", "bevolking"),
    factor=1000.0,
    sql="""
        with personen as (
            select distinct p.peildatum, o.persoon_id, o.wijkcode
            from stg_ondersteuning o
            join wm_peildata p
              on o.begindatum <= p.peildatum and (o.einddatum is null or o.einddatum >= p.peildatum)
            where o.voorziening = 'jeugdhulp_verblijf'
        )
        select peildatum, wijkcode, 1.0 as teller, 0.0 as noemer from personen
        union all
        select peildatum, wijkcode, 0.0, inwoners_0_17::double from wm_inwoners
    """,
    onderdrukking=Onderdrukking(min_noemer=10, min_teller=5),
    corridor=Corridor(1.0, date(2016, 1, 1), date(2018, 1, 1), "Test: afbouw van residentiële jeugdhulp."),
)


@pytest.fixture
def negen_indicatoren(monkeypatch):
    """The registry with one extra definition appended; nothing else is changed."""
    monkeypatch.setattr(registry, "INDICATORS", registry.INDICATORS + (UITHUISPLAATSING,))


def _staging_met_verblijf():
    """Six youths in a verblijfsvoorziening in Noord-A, five in Noord-B (inwoners_0_17 = 200 each)."""
    con = staging()
    for wijkcode, count in ((NOORD_A, 6), (NOORD_B, 5)):
        insert(con, "stg_ondersteuning", [
            traject(f"{wijkcode}-{i}", f"{wijkcode}-{i}", wijkcode, date(2014, 1, 1), voorziening="jeugdhulp_verblijf")
            for i in range(count)
        ])
    return con


def test_ninth_indicator_flows_into_computation_and_export(negen_indicatoren, tmp_path):
    tables = compute_publication(_staging_met_verblijf(), MonitorConfig())
    values = tables["indicator_values"]
    assert row(values, "uithuisplaatsing", P1, NOORD_A)["waarde"] == pytest.approx(30.0)
    noord = row(values, "uithuisplaatsing", P1, NOORD)
    assert (noord["teller"], noord["noemer"], noord["waarde"]) == (11.0, 400.0, pytest.approx(27.5))
    assert row(values, "uithuisplaatsing", P1, GEMEENTE)["noemer"] == 600.0
    published = tables["indicators"].to_pylist()
    assert published[-1]["indicator"] == "uithuisplaatsing" and published[-1]["volgorde"] == len(published)
    assert tables["corridor"].to_pylist()[-1]["reden"] == "Test: afbouw van residentiële jeugdhulp."

    db = tmp_path / "monitor.duckdb"
    publish(db, tables)
    export(db, tmp_path / "monitor.csv")
    with (tmp_path / "monitor.csv").open(encoding="utf-8") as file:
        ninth = [r for r in csv.DictReader(file) if r["indicator"] == "uithuisplaatsing"]
    assert len(ninth) == 2 * 6
    export(db, tmp_path / "monitor.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "monitor.xlsx", read_only=True)
    assert workbook.sheetnames[-2:] == ["Jeugdigen in een verblijfsvoorz", "Definities"]
    definitions = [r[0] for r in workbook["Definities"].iter_rows(values_only=True)]
    assert definitions[-1] == "uithuisplaatsing"


def test_ninth_indicator_can_be_configured(negen_indicatoren):
    config = parse_config({"corridor": {"uithuisplaatsing": {
        "max_verslechtering": 2.0, "marge_tot": date(2016, 1, 1), "herstel_op": date(2017, 1, 1), "reden": "x",
    }}})
    assert config.corridor(UITHUISPLAATSING).max_verslechtering == 2.0


def test_registry_definitions_are_complete_and_unique():
    ids = [indicator.id for indicator in registry.INDICATORS]
    assert len(ids) == len(set(ids))
    # the indicators of indicators.md (as the test reference reads them) are shipped, in the design's order
    assert [i for i in ids if i in reference.DEFINITIES] == list(reference.DEFINITIES)
    for indicator in registry.INDICATORS:
        assert indicator.soort in ("enquete", "register")
        assert indicator.richting in ("hoger_is_beter", "lager_is_beter")
        assert (indicator.onderdrukking.min_n is not None) == (indicator.soort == "enquete")
        assert indicator.corridor.marge_tot <= indicator.corridor.herstel_op


def test_suppression_rule_texts():
    texts = {i.id: i.onderdrukking.primaire_regel() for i in registry.INDICATORS}
    assert texts["tevredenheid"] == "Onderdrukt bij minder dan 30 respondenten (n < 30)."
    assert texts["professionals_per_huishouden"] == "Onderdrukt wanneer noemer < 10."
    assert texts["participatie_bijstand"] == "Onderdrukt wanneer noemer < 10 of 0 < teller < 5."
    published = registry.indicator_by_id("participatie_bijstand").onderdrukking.omschrijving()
    assert published.startswith("Onderdrukt wanneer noemer < 10 of 0 < teller < 5. Aanvullend onderdrukt")
    assert "kleinste noemer" in published


def test_changing_a_definition_changes_the_figures(monkeypatch):
    # the computation reads the definition, not a copy: raising min_noemer suppresses the wijk
    strenger = replace(
        registry.indicator_by_id("professionele_ondersteuning"), onderdrukking=Onderdrukking(min_noemer=2000)
    )
    monkeypatch.setattr(
        registry, "INDICATORS",
        tuple(strenger if i.id == strenger.id else i for i in registry.INDICATORS),
    )
    con = staging()
    insert(con, "stg_ondersteuning", [traject("T1", "P1", NOORD_B, date(2014, 1, 1))])
    values = compute_publication(con, MonitorConfig())["indicator_values"]
    assert row(values, "professionele_ondersteuning", P1, NOORD_A)["onderdrukt"] is True
    assert row(values, "professionele_ondersteuning", P1, GEMEENTE)["onderdrukt"] is False  # 3000 inwoners
