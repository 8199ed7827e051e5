"""Incomplete inputs (indicators.md "Incomplete inputs"): missing beats wrong, and missing stays safe.

Hand-made staging warehouses (tests/fixtures/indicators.py: Noord = Noord-A + Noord-B, Zuid = Zuid-A,
1000 inwoners and 200 jeugdigen per wijk). Every expected figure is worked out in the comments.
"""

from __future__ import annotations

import random
import struct
from datetime import date

import pytest
from fixtures.components import component_text
from fixtures.indicators import (
    GEMEENTE, NOORD, NOORD_A, NOORD_B, P0, P1, ZUID, ZUID_A, insert, insert_tuples, responses, row, staging, traject,
)

from indicators import registry
from indicators.compute import REDEN_BEVOLKING, REDEN_BRON, compute_publication
from indicators.config import MonitorConfig
from indicators.suppression import recoverable_published
from etl.publication import areas_table

LANG_GELEDEN = date(2014, 3, 1)
MIDDEN_2015 = date(2015, 6, 1)  # in W(P1)
MIDDEN_2014 = date(2014, 6, 1)  # in W(P0)
FIGURES = ("waarde", "teller", "noemer", "n", "ci_laag", "ci_hoog", "verschil_nulmeting", "index_nulmeting",
           "verschil_vorige", "significant")
PER_INWONER = [i.id for i in registry.INDICATORS if "bevolking" in i.bronnen]


def _personen(prefix: str, wijkcode: str, count: int, **extra) -> list[dict]:
    """`count` persons with one trajectory each, running since 2014."""
    return [traject(f"{prefix}{i}", f"{prefix}{i}", wijkcode, LANG_GELEDEN, **extra) for i in range(count)]


def _compute(con):
    """All published tables, with the area table the pipeline adds (for the audit)."""
    tables = dict(compute_publication(con, MonitorConfig()))
    tables["areas"] = areas_table(con)
    return tables


def _assert_incomplete(r: dict, reden: str) -> None:
    """A figure with incomplete inputs: no figures, not suppressed, the reason given."""
    assert {k: r[k] for k in FIGURES} == dict.fromkeys(FIGURES)
    assert (r["onderdrukt"], r["onderdrukking"], r["status"], r["reden"]) == (
        False, None, "onvoldoende gegevens", reden)


def test_missing_population_of_a_wijk_with_people_takes_its_gebied_and_the_city():
    # Noord-A 30 persons, Noord-B 20, Zuid-A 25; Noord-B's bevolking row on P1 is missing (quarantined).
    # Before: the city on P1 counted 75 persons over 2000 inwoners: 37,5 instead of 25,0 per 1.000.
    con = staging()
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 30) + _personen("B", NOORD_B, 20)
           + _personen("Z", ZUID_A, 25, soort="specialistisch"))
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [NOORD_B, P1])
    tables = _compute(con)
    values = tables["indicator_values"]
    reden = REDEN_BEVOLKING.format(wijken=NOORD_B)
    assert reden == "bevolking ontbreekt voor wijk WK000002 op deze peildatum"
    # (an indicator that also reads a source without data here has that reason too)
    alleen_ondersteuning = [i for i in PER_INWONER if set(registry.indicator_by_id(i).bronnen) == {"ondersteuning", "bevolking"}]
    for indicator in alleen_ondersteuning:
        for code in (NOORD_B, NOORD, GEMEENTE):
            _assert_incomplete(row(values, indicator, P1, code), reden)
    # the rest is computed as before: Noord-A 30 / 1000, Zuid 25 / 1000; the nulmeting is complete
    assert row(values, "professionele_ondersteuning", P1, NOORD_A)["waarde"] == 30.0
    assert row(values, "professionele_ondersteuning", P1, ZUID)["waarde"] == 25.0
    assert row(values, "specialistische_ondersteuning", P1, ZUID_A)["waarde"] == 25.0
    assert row(values, "professionele_ondersteuning", P0, GEMEENTE)["waarde"] == 25.0  # 75 / 3000
    # an indicator that does not use bevolking is not affected: 75 households on P1
    assert row(values, "professionals_per_huishouden", P1, GEMEENTE)["noemer"] == 75.0
    causes = {(r["indicator"], r["peildatum"], r["bron"], r["wijkcode"], r["reden"])
              for r in tables["dq_incomplete"].to_pylist() if r["bron"] == "bevolking"}
    assert causes == {(i, P1, "bevolking", NOORD_B, reden) for i in PER_INWONER}
    assert recoverable_published(tables) == []
    # the published population: 1000 inwoners, 200 jeugdigen, 500 households per wijk; Noord and the city
    # have no sum on P1 (Noord-B's row is missing), Zuid has its one wijk's figures
    population = {(r["peildatum"], r["gebiedcode"]): (r["inwoners"], r["inwoners_0_17"], r["huishoudens"])
                  for r in tables["bevolking"].to_pylist()}
    assert population[(P0, GEMEENTE)] == (3000, 600, 1500) and population[(P0, NOORD)] == (2000, 400, 1000)
    assert population[(P1, NOORD_B)] == population[(P1, NOORD)] == population[(P1, GEMEENTE)] == (None,) * 3
    assert population[(P1, ZUID)] == population[(P1, ZUID_A)] == (1000, 200, 500)


def test_wijk_without_any_data_takes_no_part():
    # Noord-B has no bevolking row on P1 and nothing in any source: Noord is Noord-A alone
    con = staging()
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 30) + _personen("Z", ZUID_A, 25))
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [NOORD_B, P1])
    values = _compute(con)["indicator_values"]
    noord = row(values, "professionele_ondersteuning", P1, NOORD)
    assert (noord["teller"], noord["noemer"], noord["waarde"], noord["reden"]) == (30.0, 1000.0, 30.0, None)
    assert row(values, "professionele_ondersteuning", P1, GEMEENTE)["noemer"] == 2000.0
    leeg = row(values, "professionele_ondersteuning", P1, NOORD_B)
    assert (leeg["onderdrukt"], leeg["onderdrukking"], leeg["reden"]) == (True, "primair", None)


def test_survey_response_in_a_wijk_without_population_counts_as_data():
    # one client-experience response in Noord-B is data of Noord-B on P1: its bevolking must be there
    con = staging()
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 30))
    insert(con, "stg_clientervaring", responses("c", NOORD_B, MIDDEN_2015, 1))
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [NOORD_B, P1])
    values = _compute(con)["indicator_values"]
    assert row(values, "professionele_ondersteuning", P1, GEMEENTE)["reden"] == REDEN_BEVOLKING.format(
        wijken=NOORD_B)


def test_emptied_source_is_never_zero():
    # bijstand on P1 for 40 persons, participatie delivered empty: indicator 4 is missing, not 0,0%
    con = staging()
    insert(con, "stg_bijstand", [
        {"uitkering_id": f"U{i}", "persoon_id": f"P{i}", "wijkcode": (NOORD_A, ZUID_A)[i % 2], "begindatum": LANG_GELEDEN}
        for i in range(40)
    ])
    tables = _compute(con)
    reden = REDEN_BRON.format(bron="participatie")
    assert reden == "geen geaccepteerde gegevens van bron participatie in de periode"
    for r in tables["indicator_values"].to_pylist():
        if r["indicator"] == "participatie_bijstand":
            _assert_incomplete(r, reden)
    assert {(r["peildatum"], r["bron"], r["wijkcode"]) for r in tables["dq_incomplete"].to_pylist()
            if r["indicator"] == "participatie_bijstand"} == {(P0, "participatie", None), (P1, "participatie", None)}


def test_register_source_covers_p_only_with_a_record_around_p():
    # participatie: one activity that ended 2014-12-31 overlaps W(P0) = [2014-01-01, 2015-01-01) only.
    # On P1 no record is active or overlapping: missing. On P0: 1 of 40 persons = 2,5% (teller 1 < 5:
    # suppressed in the wijk, but the source is there).
    con = staging()
    insert(con, "stg_bijstand", [
        {"uitkering_id": f"U{i}", "persoon_id": f"P{i}", "wijkcode": NOORD_A, "begindatum": date(2013, 1, 1)}
        for i in range(40)
    ])
    insert(con, "stg_participatie", [{"activiteit_id": "A1", "persoon_id": "P0", "begindatum": date(2014, 1, 1),
                                      "einddatum": date(2014, 12, 31)}])
    values = _compute(con)["indicator_values"]
    p0 = row(values, "participatie_bijstand", P0, NOORD_A)
    assert (p0["reden"], p0["onderdrukt"], p0["onderdrukking"]) == (None, True, "primair")
    _assert_incomplete(row(values, "participatie_bijstand", P1, NOORD_A), REDEN_BRON.format(bron="participatie"))


@pytest.mark.parametrize(("einddatum", "gedekt"), [
    (date(2015, 1, 1), True),     # ends on P1 minus one year: overlaps W(P1)
    (date(2014, 12, 31), False),  # ends the day before W(P1): nothing around P1
])
def test_register_coverage_boundary(einddatum, gedekt):
    con = staging()
    insert(con, "stg_bijstand", [
        {"uitkering_id": f"U{i}", "persoon_id": f"P{i}", "wijkcode": NOORD_A, "begindatum": date(2013, 1, 1)}
        for i in range(40)
    ])
    insert(con, "stg_participatie", [{"activiteit_id": "A1", "persoon_id": "P0", "begindatum": date(2014, 1, 1),
                                      "einddatum": einddatum}])
    r = row(compute_publication(con, MonitorConfig())["indicator_values"], "participatie_bijstand", P1, GEMEENTE)
    # covered: 1 of 40 persons takes part (teller 1 < 5: suppressed); not covered: missing
    assert (r["reden"] is None, r["onderdrukking"]) == ((True, "primair") if gedekt else (False, None))


@pytest.mark.parametrize(("veldwerk", "gedekt"), [
    (date(2015, 1, 1), True),      # first day of W(P1)
    (P1, False),                   # P itself lies outside W(P)
])
def test_survey_coverage_boundary(veldwerk, gedekt):
    con = staging()
    insert(con, "stg_clientervaring", responses("c", NOORD_A, veldwerk, 1))
    r = row(compute_publication(con, MonitorConfig())["indicator_values"], "tevredenheid", P1, GEMEENTE)
    assert (r["reden"] is None, r["n"]) == ((True, 1) if gedekt else (False, None))


def test_survey_without_responses_in_the_window_is_missing_with_its_breakdown():
    # clientervaring only in W(P0): tevredenheid on P1 is missing, values and every breakdown row
    con = staging()
    insert(con, "stg_clientervaring", responses("w", NOORD_A, MIDDEN_2014, 40, wet="wmo"))
    insert(con, "stg_clientervaring", responses("j", NOORD_A, MIDDEN_2014, 35, wet="jeugdwet"))
    tables = _compute(con)
    reden = REDEN_BRON.format(bron="clientervaring")
    _assert_incomplete(row(tables["indicator_values"], "tevredenheid", P1, GEMEENTE), reden)
    assert row(tables["indicator_values"], "tevredenheid", P0, NOORD_A)["waarde"] == 100.0
    p1 = [r for r in tables["indicator_breakdown"].to_pylist() if r["peildatum"] == P1]
    assert p1 and {(r["reden"], r["onderdrukt"], r["waarde"], r["n"], r["teller"]) for r in p1} == {
        (reden, False, None, None, None)}
    p0 = row(tables["indicator_breakdown"], "tevredenheid", P0, NOORD_A, categorie="jeugdwet")
    assert (p0["n"], p0["onderdrukking"], p0["reden"]) == (35, None, None)


def test_missing_cell_counts_as_suppressed_for_the_complementary_rule():
    # The leak: Noord-A 1 person (teller 1 < 5: primary), Noord-B 20 persons but no bevolking
    # on P1, Zuid-A 25. Noord-B, Noord and the gemeente have no figure; Noord-A stays suppressed and
    # nothing suppressed or missing follows from what is published.
    con = staging()
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 1) + _personen("B", NOORD_B, 20)
           + _personen("Z", ZUID_A, 25))
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [NOORD_B, P1])
    tables = _compute(con)
    values = tables["indicator_values"]
    a = row(values, "professionele_ondersteuning", P1, NOORD_A)
    assert (a["onderdrukt"], a["onderdrukking"], a["teller"]) == (True, "primair", None)
    # households (indicator 5) need no bevolking: Noord-A (1 household) is suppressed (noemer < 10),
    # so Noord = A + B would give it away from Noord-B: Noord-B is suppressed alongside (aanvullend)
    h = {code: row(values, "professionals_per_huishouden", P1, code) for code in (NOORD_A, NOORD_B, NOORD)}
    assert [h[c]["onderdrukking"] for c in (NOORD_A, NOORD_B, NOORD)] == ["primair", "aanvullend", None]
    assert recoverable_published(tables) == []


def test_missing_cells_protect_each_other_without_extra_suppression():
    # Noord = {Noord-A, Noord-B} on indicator 7: Noord-B (3 persons, no bevolking) and Noord have no
    # figure; two hidden cells with people in one group need no more: Noord-A (30 persons) is shown.
    con = staging()
    insert(con, "stg_ondersteuning", _personen("A", NOORD_A, 30) + _personen("B", NOORD_B, 3))
    con.execute("delete from stg_bevolking where wijkcode = ? and peildatum = ?", [NOORD_B, P1])
    tables = _compute(con)
    a = row(tables["indicator_values"], "professionele_ondersteuning", P1, NOORD_A)
    assert (a["onderdrukt"], a["waarde"]) == (False, 30.0)
    assert recoverable_published(tables) == []


def _bits(tables) -> list[bytes]:
    """The published doubles of values and breakdowns, as bytes, in key order."""
    rows = []
    for name in ("indicator_values", "indicator_breakdown"):
        table = tables[name].to_pylist()
        for r in sorted(table, key=lambda r: tuple(str(r[k]) for k in ("indicator", "peildatum", "niveau",
                                                                         "gebiedcode", "categorie") if k in r)):
            rows.append(b"".join(struct.pack("<d", v) if isinstance(v, float) else str(v).encode()
                                 for v in r.values()))
    return rows


def test_figures_do_not_depend_on_row_order_bit_for_bit():
    # weights with many digits: a double sum in another order differs in the last bits
    rng = random.Random(7)
    rows = [(f"R{i}", MIDDEN_2015, (NOORD_A, NOORD_B, ZUID_A)[i % 3], "wmo" if i % 4 else "jeugdwet",
             rng.uniform(0.1, 3.0), rng.randint(1, 5)) for i in range(3000)]
    results = []
    for ordered in (rows, list(reversed(rows)), rng.sample(rows, len(rows))):
        con = staging()
        insert_tuples(con, "stg_clientervaring", ordered)
        results.append(_bits(compute_publication(con, MonitorConfig())))
    assert results[0] == results[1] == results[2]


# --- the published representation reaches the pages ----------------------------------------------


@pytest.fixture(scope="module")
def incomplete_app(tmp_path_factory):
    """The dashboard's fixture store with Noorddijk's (WK001412) per-inhabitant figures on 2017 missing."""
    import duckdb
    from fixtures.published_store import build_published_store

    from dashboard.app import create_app

    folder = tmp_path_factory.mktemp("onvolledig")
    db = build_published_store(folder / "monitor.duckdb")
    reden = REDEN_BEVOLKING.format(wijken="WK001412")
    with duckdb.connect(str(db)) as con:
        [(gebied,)] = con.execute("select bovenliggend from areas where gebiedcode = 'WK001412'").fetchall()
        for indicator in PER_INWONER:
            con.execute(
                f"""update indicator_values set {", ".join(f"{k} = null" for k in FIGURES)}, onderdrukt = false,
                    onderdrukking = null, status = 'onvoldoende gegevens', reden = $reden, marge_grens = null
                    where indicator = $indicator and peildatum = date '2017-01-01'
                      and gebiedcode in ('WK001412', $gebied, 'GM0014')""",
                {"reden": reden, "indicator": indicator, "gebied": gebied},
            )
            con.execute("insert into dq_incomplete values ($indicator, date '2017-01-01', 'bevolking', 'WK001412', "
                        "$reden)", {"indicator": indicator, "reden": reden})
    return create_app(db, folder / "state.sqlite")


def _layout_text(app, module: str, **params) -> str:
    """The text of a page's layout."""
    import dash

    page = next(p for p in dash.page_registry.values() if p["module"].endswith(f".{module}"))
    with app.server.test_request_context():
        return component_text(page["layout"](**params))


def test_datakwaliteit_lists_missing_figures_with_their_reason(incomplete_app):
    text = _layout_text(incomplete_app, "datakwaliteit")
    assert "Onvoldoende gegevens" in text and "Noorddijk e.o. (WK001412)" in text
    assert "bevolking ontbreekt voor wijk WK001412 op deze peildatum" in text
    assert "1 januari 2017" in text


@pytest.mark.parametrize(("module", "params"), [
    ("overzicht", {}), ("wijken", {"id": PER_INWONER[0]}), ("indicator", {"id": PER_INWONER[0]}),
    ("wijkprofiel", {"wijk": "WK001412"}), ("pdca", {}),
])
def test_pages_render_missing_figures_without_error(incomplete_app, module, params):
    text = _layout_text(incomplete_app, module, **params)
    assert "Er ging iets mis" not in text and "Traceback" not in text


def test_wijken_view_with_missing_figures_does_not_fail(incomplete_app):
    import dash

    module = next(p for p in dash.page_registry.values() if p["module"].endswith(".wijken"))["module"]
    wijken = __import__(module, fromlist=["_view"])
    with incomplete_app.server.test_request_context():
        map_fig, rank_fig, _columns, rows, _summary = wijken._view(PER_INWONER[0], "2017-01-01", "GB001405")
    assert map_fig.data and rows
