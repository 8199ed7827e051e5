"""Privacy of the published figures: complementary suppression, and what the published store holds.

Hand-made cases (gebied with one suppressed wijk, two suppressed wijken, the gemeente level, the
single-wijk gebied, the breakdown by wet), a property test over random data sets against a plain
Python reference, and the real pipeline on demo data with its exports.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta

import duckdb
import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures.indicators import (
    GEMEENTE, NOORD, NOORD_A, NOORD_B, P0, P1, ZUID, ZUID_A, insert, insert_tuples, responses, staging, traject,
)
from fixtures.indicators_privacy import (
    Cell, area_children, groups, recoverable_cells, reference_suppression, respondent_unknowns, vulnerable_groups,
)

from etl.contract import persoonskolommen
from indicators import registry, suppression
from indicators.compute import compute_publication
from indicators.config import MonitorConfig
from indicators.export import SUPPRESSED_COLUMNS, SUPPRESSED_TEXT, export

NOORD_C, OOST_A, OOST_B = "WK000004", "WK000005", "WK000006"
OOST = "GB000003"
LANG_GELEDEN = date(2014, 1, 1)
MIDDEN_2015 = date(2015, 6, 1)
VALUE_FIGURES = ("waarde", "teller", "noemer", "ci_laag", "ci_hoog", "verschil_nulmeting", "index_nulmeting",
                 "significant", "verschil_vorige")
BREAKDOWN_FIGURES = ("waarde", "teller", "noemer", "ci_laag", "ci_hoog")


# --- hand-made cases ------------------------------------------------------------------------------


def _staging_zes_wijken(inwoners: dict[str, int]) -> duckdb.DuckDBPyConnection:
    """The fixture warehouse plus Noord-C in Noord and a gebied Oost with two wijken.

    Noord = {Noord-A, Noord-B, Noord-C}, Zuid = {Zuid-A}, Oost = {Oost-A, Oost-B}.
    """
    con = staging(bevolking={w: inwoners[w] for w in (NOORD_A, NOORD_B, ZUID_A)})
    extra = [
        (NOORD_C, "Noord-C", NOORD, "Noord"), (OOST_A, "Oost-A", OOST, "Oost"), (OOST_B, "Oost-B", OOST, "Oost"),
    ]
    con.executemany(
        "insert into ref_gebieden values (?, ?, ?, ?, 'GM0014', 'Groningen', date '2015-01-01', null, null)", extra
    )
    insert(con, "stg_bevolking", [
        {"peildatum": p, "wijkcode": w, "inwoners": inwoners[w]} for p in (P0, P1) for w, *_ in extra
    ])
    return con


def _personen(con: duckdb.DuckDBPyConnection, aantallen: dict[str, int]) -> None:
    """`aantal` persons with a basis trajectory since 2014 in each wijk."""
    insert(con, "stg_ondersteuning", [
        traject(f"{wijk}-{i}", f"{wijk}-{i}", wijk, LANG_GELEDEN) for wijk, aantal in aantallen.items()
        for i in range(aantal)
    ])


def _rows(values: pa.Table, indicator: str, peildatum: date = P1) -> dict[str, dict]:
    """Rows of one indicator on one peildatum, by gebiedcode."""
    return {
        r["gebiedcode"]: r for r in values.to_pylist() if (r["indicator"], r["peildatum"]) == (indicator, peildatum)
    }


def _suppressed(rows: dict[str, dict]) -> set[str]:
    """The gebiedcodes of the suppressed rows."""
    return {code for code, r in rows.items() if r["onderdrukt"]}


def _published_cells(tables: dict[str, pa.Table], indicator: str, peildatum: date) -> dict[Cell, dict]:
    """Value and breakdown rows of one indicator and peildatum, keyed as cells."""
    cells = {}
    for r in tables["indicator_values"].to_pylist():
        if (r["indicator"], r["peildatum"]) == (indicator, peildatum):
            cells[(indicator, peildatum, r["niveau"], r["gebiedcode"], None, None)] = r
    for r in tables["indicator_breakdown"].to_pylist():
        if (r["indicator"], r["peildatum"]) == (indicator, peildatum):
            cells[(indicator, peildatum, r["niveau"], r["gebiedcode"], r["uitsplitsing"], r["categorie"])] = r
    return cells


def _holds_anyone(cells: dict[Cell, dict], cell: Cell) -> bool:
    """False only when the area's published n shows it has no respondents at all."""
    return cells[(*cell[:4], None, None)]["n"] != 0


def _recoverable(cells: dict[Cell, dict], children: dict) -> set[Cell]:
    """Suppressed cells that the published figures pin down (an area with n = 0 is known to be empty)."""
    unknown = {c for c, r in cells.items() if r["onderdrukt"] and _holds_anyone(cells, c)}
    return recoverable_cells(unknown, groups(cells, children))


INWONERS = {NOORD_A: 1000, NOORD_B: 800, NOORD_C: 600, ZUID_A: 1000, OOST_A: 900, OOST_B: 700}


def test_one_suppressed_wijk_takes_the_smallest_other_wijk_with_it():
    con = _staging_zes_wijken(INWONERS)
    _personen(con, {NOORD_A: 3, NOORD_B: 20, NOORD_C: 30, ZUID_A: 25, OOST_A: 10, OOST_B: 12})
    tables = compute_publication(con, MonitorConfig())
    rows = _rows(tables["indicator_values"], "professionele_ondersteuning")
    # Noord-A (3 persons) by the primary rule; Noord-C has the smallest noemer (600) of the rest
    assert _suppressed(rows) == {NOORD_A, NOORD_C}
    assert {k: rows[NOORD_C][k] for k in ("waarde", "teller", "noemer", "status")} == {
        "waarde": None, "teller": None, "noemer": None, "status": "onvoldoende gegevens",
    }
    assert (rows[NOORD]["teller"], rows[NOORD_B]["teller"]) == (53.0, 20.0)
    # gebied minus the published wijk leaves Noord-A + Noord-C = 33: neither follows on its own
    cells = _published_cells(tables, "professionele_ondersteuning", P1)
    assert _recoverable(cells, area_children(con, P1)) == set()


def test_two_suppressed_wijken_need_no_extra_suppression():
    con = _staging_zes_wijken(INWONERS)
    _personen(con, {NOORD_A: 3, NOORD_B: 4, NOORD_C: 30, ZUID_A: 25, OOST_A: 10, OOST_B: 12})
    rows = _rows(compute_publication(con, MonitorConfig())["indicator_values"], "professionele_ondersteuning")
    assert _suppressed(rows) == {NOORD_A, NOORD_B}
    assert (rows[NOORD]["teller"], rows[NOORD_C]["teller"], rows[GEMEENTE]["teller"]) == (37.0, 30.0, 84.0)


def test_suppressed_gebied_takes_the_smallest_other_gebied_and_one_of_its_wijken():
    con = _staging_zes_wijken(INWONERS)
    _personen(con, {NOORD_A: 10, NOORD_B: 20, NOORD_C: 30, ZUID_A: 3, OOST_A: 10, OOST_B: 12})
    tables = compute_publication(con, MonitorConfig())
    rows = _rows(tables["indicator_values"], "professionele_ondersteuning")
    # Zuid-A (3) and so Zuid; then Oost (1600 inwoners < Noord's 2400) for the gemeente;
    # then Oost-B (700 < 900), or Oost's two published wijken would add up to Oost again
    assert _suppressed(rows) == {ZUID_A, ZUID, OOST, OOST_B}
    assert (rows[GEMEENTE]["teller"], rows[NOORD]["teller"], rows[OOST_A]["teller"]) == (85.0, 60.0, 10.0)
    cells = _published_cells(tables, "professionele_ondersteuning", P1)
    assert _recoverable(cells, area_children(con, P1)) == set()


def test_single_wijk_gebied_has_the_figures_and_suppression_of_its_wijk():
    con = _staging_zes_wijken(INWONERS)
    _personen(con, {NOORD_A: 10, NOORD_B: 20, NOORD_C: 30, OOST_A: 10, OOST_B: 12})
    insert(con, "stg_ondersteuning", [  # Zuid-A: 4 persons on P0 (suppressed), 6 on P1 (shown)
        traject(f"Z{i}", f"Z{i}", ZUID_A, LANG_GELEDEN if i < 4 else MIDDEN_2015, soort="specialistisch")
        for i in range(6)
    ])
    insert(con, "stg_clientervaring", responses("z", ZUID_A, MIDDEN_2015, 29))
    tables = compute_publication(con, MonitorConfig())
    compared = 0
    for wijk_row in tables["indicator_values"].to_pylist():
        if wijk_row["gebiedcode"] != ZUID_A:
            continue
        gebied_row = _rows(tables["indicator_values"], wijk_row["indicator"], wijk_row["peildatum"])[ZUID]
        for column in ("onderdrukt", "waarde", "teller", "noemer", "n", "ci_laag", "ci_hoog", "status"):
            assert gebied_row[column] == wijk_row[column], (wijk_row["indicator"], wijk_row["peildatum"], column)
        compared += 1
    assert compared == len(registry.INDICATORS) * 2
    p0, p1 = (_rows(tables["indicator_values"], "specialistische_ondersteuning", p) for p in (P0, P1))
    assert (p0[ZUID_A]["onderdrukt"], p0[ZUID]["onderdrukt"]) == (True, True)  # 4 persons
    assert (p1[ZUID_A]["teller"], p1[ZUID]["teller"]) == (6.0, 6.0)


def test_breakdown_by_wet_one_suppressed_category_takes_the_others():
    con = _staging_zes_wijken(INWONERS)
    insert(con, "stg_clientervaring", responses("wmo", NOORD_A, MIDDEN_2015, 40, wet="wmo", tevreden=5))
    insert(con, "stg_clientervaring", responses("jw", NOORD_A, MIDDEN_2015, 10, wet="jeugdwet", tevreden=2))
    tables = compute_publication(con, MonitorConfig())
    cells = _published_cells(tables, "tevredenheid", P1)
    totaal = cells[("tevredenheid", P1, "wijk", NOORD_A, None, None)]
    assert (totaal["onderdrukt"], totaal["n"], totaal["teller"]) == (False, 50, 40.0)
    # jeugdwet (n = 10) suppressed, so wmo too; the higher levels hold nothing else, so their wmo
    # equals Noord-A's and goes as well
    shown = {(c[2], c[3], c[5]) for c, r in cells.items() if c[4] == "wet" and not r["onderdrukt"]}
    assert shown == set()
    wmo = cells[("tevredenheid", P1, "wijk", NOORD_A, "wet", "wmo")]
    assert (wmo["n"], wmo["waarde"], wmo["teller"], wmo["noemer"], wmo["ci_laag"]) == (None, None, None, None, None)
    assert _recoverable(cells, area_children(con, P1)) == set()


def test_breakdown_levels_protect_a_category_across_wijken():
    con = _staging_zes_wijken(INWONERS)
    insert(con, "stg_clientervaring", responses("a-wmo", NOORD_A, MIDDEN_2015, 40, wet="wmo", tevreden=5))
    insert(con, "stg_clientervaring", responses("a-jw", NOORD_A, MIDDEN_2015, 35, wet="jeugdwet", tevreden=5))
    insert(con, "stg_clientervaring", responses("b-wmo", NOORD_B, MIDDEN_2015, 40, wet="wmo", tevreden=2))
    insert(con, "stg_clientervaring", responses("b-jw", NOORD_B, MIDDEN_2015, 10, wet="jeugdwet", tevreden=2))
    tables = compute_publication(con, MonitorConfig())
    cells = _published_cells(tables, "tevredenheid", P1)
    suppressed = {(c[2], c[3], c[5]) for c, r in cells.items() if r["onderdrukt"] and _holds_anyone(cells, c)}
    # Noord-B jeugdwet (10) -> Noord-B wmo (same wijk); Noord jeugdwet (45) is shown, so Noord-A
    # jeugdwet too (the only other), and then Noord-A wmo
    assert suppressed == {
        ("wijk", NOORD_B, "jeugdwet"), ("wijk", NOORD_B, "wmo"),
        ("wijk", NOORD_A, "jeugdwet"), ("wijk", NOORD_A, "wmo"),
    }
    noord_jw = cells[("tevredenheid", P1, "gebied", NOORD, "wet", "jeugdwet")]
    assert (noord_jw["onderdrukt"], noord_jw["n"], noord_jw["teller"]) == (False, 45, 35.0)
    assert _recoverable(cells, area_children(con, P1)) == set()


# --- property test: random data sets against the Python reference ---------------------------------

PARAMETERS = [("register", "register", None, 10, 5), ("enquete", "enquete", 30, None, None)]


def _random_raw(rng: np.random.Generator, peildatum: date) -> tuple[list[tuple], list[tuple], list[tuple], dict]:
    """Random area tree on `peildatum` with additive counts: wm_ruw rows, breakdown rows, areas, children."""
    categorieen = ("wmo", "jeugdwet", "onbekend")[: int(rng.integers(1, 4))]
    wijken = {}
    for g in range(int(rng.integers(1, 5))):
        for w in range(int(rng.integers(1, 5))):
            wijken[f"WK{g}{w}"] = f"GB{g}"
    leaf: dict[tuple, tuple[float, float, int | None]] = {}
    for wijk in wijken:
        noemer = float(rng.choice([0, 4, 9, 10, 15, 40, 300]))
        leaf[("register", wijk, None)] = (float(rng.integers(0, min(noemer, 12) + 1)), noemer, None)
        for categorie in categorieen:
            n = int(rng.choice([0, 3, 12, 20, 29, 30, 35, 60]))
            leaf[("enquete", wijk, categorie)] = (float(rng.integers(0, n + 1)), float(n), n)
    return _raw_from_leaves(leaf, wijken, peildatum)


def _raw_from_leaves(
    leaf: dict[tuple, tuple[float, float, int | None]], wijken: dict[str, str], peildatum: date
) -> tuple[list[tuple], list[tuple], list[tuple], dict]:
    """Sum wijk figures (indicator, wijk, categorie) -> (teller, noemer, n) up the tree 'GM'."""
    areas = [(peildatum, wijk, niveau, code) for wijk, gebied in wijken.items()
             for niveau, code in (("wijk", wijk), ("gebied", gebied), ("gemeente", "GM"))]
    sums: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, 0])
    for (indicator, wijk, categorie), (teller, noemer, n) in leaf.items():
        for _, _, niveau, code in (a for a in areas if a[1] == wijk):
            for key in {(indicator, niveau, code, categorie), (indicator, niveau, code, None)}:
                sums[key][0] += teller
                sums[key][1] += noemer
                sums[key][2] += n or 0
    values = [(i, peildatum, niveau, code, t, m, n if i == "enquete" else None)
              for (i, niveau, code, c), (t, m, n) in sums.items() if c is None]
    breakdown = [(i, peildatum, niveau, code, t, m, n, "wet", c)
                 for (i, niveau, code, c), (t, m, n) in sums.items() if c is not None]
    children: dict = defaultdict(list)
    for wijk, gebied in wijken.items():
        children[(peildatum, "gebied", gebied)].append(("wijk", wijk))
        if ("gebied", gebied) not in children[(peildatum, "gemeente", "GM")]:
            children[(peildatum, "gemeente", "GM")].append(("gebied", gebied))
    return values, breakdown, areas, children


def _load_raw(values: list[tuple], breakdown: list[tuple], areas: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A connection with the temp tables indicators.suppression reads."""
    con = duckdb.connect()
    con.execute("""create temp table wm_ruw (indicator VARCHAR, peildatum DATE, niveau VARCHAR,
                   gebiedcode VARCHAR, teller DOUBLE, noemer DOUBLE, n BIGINT)""")
    con.execute("""create temp table wm_ruw_uitsplitsing as
                   select *, ''::varchar as uitsplitsing, ''::varchar as categorie from wm_ruw""")
    con.execute("""create temp table wm_parameters (indicator VARCHAR, soort VARCHAR, min_n INTEGER,
                   min_noemer INTEGER, min_teller INTEGER)""")
    con.execute("""create temp table wm_gebieden_op_p (
                   peildatum DATE, wijkcode VARCHAR, niveau VARCHAR, gebiedcode VARCHAR)""")
    for table, rows in (("wm_ruw", values), ("wm_ruw_uitsplitsing", breakdown), ("wm_parameters", PARAMETERS),
                        ("wm_gebieden_op_p", areas)):
        insert_tuples(con, table, rows)
    return con


def _primary(indicator: str, teller: float, noemer: float, n: int | None) -> bool:
    """indicators.md's primary rule, written out."""
    if indicator == "enquete":
        return n < 30 or noemer <= 0
    return noemer < 10 or 0 < teller < 5


def _respondents_recoverable(noemer: dict, suppressed: dict, all_groups: list) -> set:
    """Sensitive survey category counts (n) that the published n's pin down."""
    unknown, sensitive = respondent_unknowns({c: m for c, m in noemer.items() if c[0] == "enquete"},
                                             {c: s for c, s in suppressed.items() if c[0] == "enquete"})
    return recoverable_cells(unknown, all_groups) & sensitive


@pytest.mark.integration
def test_random_data_sets_match_the_reference_and_leave_nothing_recoverable():
    # 300 data sets in one run: each on its own peildatum, so they are independent partitions
    rng = np.random.default_rng(20150101)
    data_sets = [_random_raw(rng, date(2000, 1, 1) + timedelta(days=k)) for k in range(300)]
    con = _load_raw(*([row for d in data_sets for row in d[part]] for part in range(3)))
    suppression.create_suppression(con)
    result = defaultdict(dict)
    for i, p, niveau, code, u, c, primair, onderdrukt, noemer in con.execute(
        """select indicator, peildatum, niveau, gebiedcode, uitsplitsing, categorie, primair, onderdrukt, noemer
           from wm_cel"""
    ).fetchall():
        result[p][(i, p, niveau, code, u, c)] = (primair, onderdrukt, noemer)
    complementary_seen = 0
    for values, breakdown, _, children in data_sets:
        cells = result[values[0][1]]
        primary = {(i, p, niveau, code, None, None): _primary(i, t, m, n) for i, p, niveau, code, t, m, n in values}
        primary |= {(i, p, niveau, code, u, c): _primary(i, t, m, n) for i, p, niveau, code, t, m, n, u, c in breakdown}
        noemer = {cell: r[2] for cell, r in cells.items()}
        assert {cell: r[0] for cell, r in cells.items()} == primary
        all_groups = groups(cells, children)
        actual = {cell: r[1] for cell, r in cells.items()}
        expected = reference_suppression(noemer, primary, all_groups)
        if recoverable_cells({c for c, s in expected.items() if s and noemer[c] > 0}, all_groups) or \
                _respondents_recoverable(noemer, expected, all_groups):
            # the group rule left a leak through the breakdown grid (of the sums or of the
            # respondent counts, published for every area): the audit suppresses more
            assert all(actual[c] for c, s in expected.items() if s) and actual != expected
        else:
            assert actual == expected
        # the rule: no group (gebied, gemeente, breakdown) with exactly one suppressed cell that holds anyone
        assert vulnerable_groups(noemer, actual, all_groups) == []
        assert recoverable_cells({c for c, s in actual.items() if s and noemer[c] > 0}, all_groups) == set()
        assert _respondents_recoverable(noemer, actual, all_groups) == set()
        complementary_seen += actual != primary
    assert complementary_seen > 100  # the data sets exercise the rule, not just the primary one


def test_audit_a_few_partitions_at_a_time_suppresses_what_all_at_once_does(monkeypatch):
    # the audit fetches partitions in batches of memberships (memory outside DuckDB's limit); batches of
    # one partition must give the very cells one batch of every partition gives
    rng = np.random.default_rng(20151231)
    data_sets = [_random_raw(rng, date(2001, 1, 1) + timedelta(days=k)) for k in range(60)]
    rows = [[row for d in data_sets for row in d[part]] for part in range(3)]

    def suppressed() -> list[tuple]:
        con = _load_raw(*rows)
        suppression.create_suppression(con)
        return con.execute("select cel, indicator, peildatum, niveau, gebiedcode, uitsplitsing, categorie, "
                           "onderdrukt from wm_cel order by cel").fetchall()

    at_once = suppressed()
    monkeypatch.setattr(suppression, "_AUDIT_ROWS", 1)
    assert suppressed() == at_once
    assert sum(row[-1] for row in at_once) > 0


def test_audit_closes_a_leak_through_the_breakdown_grid():
    # Found by the random test: every group has 0 or >= 2 suppressed cells, yet wijk D's jeugdwet
    # follows from a chain: A + B jeugdwet = (A total - A onbekend) + B total - NOORD wmo,
    # and D jeugdwet = NOORD jeugdwet - (A + B jeugdwet)
    P = date(2016, 1, 1)
    figures = {  # wijk: (jeugdwet, onbekend, wmo) respondents, all of them positive
        "A": (29, 35, 60), "B": (60, 0, 12), "C": (0, 3, 0), "D": (20, 3, 0),
    }
    leaf = {("enquete", wijk, categorie): (float(n), float(n), n)
            for wijk, aantallen in figures.items() for categorie, n in zip(("jeugdwet", "onbekend", "wmo"), aantallen)}
    values, breakdown, areas, children = _raw_from_leaves(leaf, dict.fromkeys(figures, "NOORD"), P)
    primary = {(i, p, niveau, code, None, None): _primary(i, t, m, n) for i, p, niveau, code, t, m, n in values}
    primary |= {(i, p, niveau, code, u, c): _primary(i, t, m, n) for i, p, niveau, code, t, m, n, u, c in breakdown}
    noemer = {(i, p, niveau, code, None, None): m for i, p, niveau, code, _, m, _ in values}
    noemer |= {(i, p, niveau, code, u, c): m for i, p, niveau, code, _, m, _, u, c in breakdown}
    all_groups = groups(primary, children)
    by_rule = reference_suppression(noemer, primary, all_groups)
    leak = ("enquete", P, "wijk", "D", "wet", "jeugdwet")
    assert vulnerable_groups(noemer, by_rule, all_groups) == []
    assert recoverable_cells({c for c, s in by_rule.items() if s and noemer[c] > 0}, all_groups) == {leak}
    con = _load_raw(values, breakdown, areas)
    suppression.create_suppression(con)
    actual = {(i, p, niveau, code, u, c): s for i, p, niveau, code, u, c, s in con.execute(
        "select indicator, peildatum, niveau, gebiedcode, uitsplitsing, categorie, onderdrukt from wm_cel").fetchall()}
    added = {c for c, s in actual.items() if s and not by_rule[c]}
    # the smallest published cell in that chain: A onbekend (35), which breaks the A-equation
    assert added == {("enquete", P, "wijk", "A", "wet", "onbekend")}
    assert recoverable_cells({c for c, s in actual.items() if s and noemer[c] > 0}, all_groups) == set()


# --- end to end: the real pipeline on demo data ---------------------------------------------------


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """Demo sources (seed 2015, scale 0.3) through the real pipeline: warehouse and published store."""
    from wijkmonitor.generate import generate
    from wijkmonitor.cli import run_etl

    folder = tmp_path_factory.mktemp("privacy")
    generate(folder / "bronnen", seed=2015, scale=0.3)
    err = io.StringIO()
    code = run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb",
                   out=io.StringIO(), err=err)
    assert code == 0, err.getvalue()
    return folder / "warehouse.duckdb", folder / "monitor.duckdb"


def _store_tables(db) -> dict[str, list[dict]]:
    """Every table of a published store as a list of dicts."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [n for (n,) in con.execute("select table_name from information_schema.tables").fetchall()]
        return {n: con.sql(f'select * from "{n}"').to_arrow_table().to_pylist() for n in names}


@pytest.mark.integration
def test_published_store_has_no_person_level_column_or_identifier(demo_store):
    warehouse, db = demo_store
    with duckdb.connect(str(db), read_only=True) as con:
        columns = {c for (c,) in con.execute("select column_name from information_schema.columns").fetchall()}
    assert columns and not columns & persoonskolommen()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        identifiers = set()
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where table_name like 'stg_%'"
        ).fetchall():
            if column in persoonskolommen():
                identifiers |= {v for (v,) in con.execute(f"select distinct {column}::varchar from {table}").fetchall()}
    assert len(identifiers) > 1000
    texts = {v for rows in _store_tables(db).values() for r in rows for v in r.values() if isinstance(v, str)}
    assert not texts & identifiers


@pytest.mark.integration
def test_suppressed_rows_carry_no_figures(demo_store):
    tables = _store_tables(demo_store[1])
    values, breakdown = tables["indicator_values"], tables["indicator_breakdown"]
    hidden = [r for r in values if r["onderdrukt"]]
    assert hidden and [r for r in hidden if any(r[k] is not None for k in VALUE_FIGURES)] == []
    assert {r["status"] for r in hidden} == {"onvoldoende gegevens"}
    hidden_breakdown = [r for r in breakdown if r["onderdrukt"]]
    assert hidden_breakdown and [r for r in hidden_breakdown if any(r[k] is not None for k in BREAKDOWN_FIGURES)] == []
    # a suppressed category's respondent count counts its clients: never shown, not even 0
    assert {r["n"] for r in hidden_breakdown} == {None}
    # registers never publish n; surveys publish the respondent count, also when suppressed
    surveys = {i.id for i in registry.INDICATORS if i.soort == "enquete"}
    assert all(r["n"] is None for r in values if r["indicator"] not in surveys)


def _store_children(rows: list[dict], peildatum: date) -> dict:
    """The area tree on `peildatum` from a published store's `areas` table."""
    children: dict = defaultdict(list)
    for a in rows:
        valid = a["geldig_van"] <= peildatum and (a["geldig_tot"] is None or peildatum < a["geldig_tot"])
        if valid and a["bovenliggend"] is not None:
            parent = "gebied" if a["niveau"] == "wijk" else "gemeente"
            children[(peildatum, parent, a["bovenliggend"])].append((a["niveau"], a["gebiedcode"]))
    return children


@pytest.mark.integration
def test_no_suppressed_figure_can_be_recovered_from_the_published_store(demo_store):
    tables = _store_tables(demo_store[1])
    cells: dict[Cell, dict] = {}
    for r in tables["indicator_values"]:
        cells[(r["indicator"], r["peildatum"], r["niveau"], r["gebiedcode"], None, None)] = r
    for r in tables["indicator_breakdown"]:
        cells[(r["indicator"], r["peildatum"], r["niveau"], r["gebiedcode"], r["uitsplitsing"], r["categorie"])] = r
    peildata = sorted({c[1] for c in cells})
    children = {k: v for p in peildata for k, v in _store_children(tables["areas"], p).items()}
    all_groups = groups(cells, children)
    assert len(all_groups) > 500
    # every suppressed cell counts as holding someone unless its n = 0 shows it is empty
    holds_anyone = {c: 0.0 if r["n"] == 0 else 1.0 for c, r in cells.items()}
    suppressed = {c: r["onderdrukt"] for c, r in cells.items()}
    assert vulnerable_groups(holds_anyone, suppressed, all_groups) == []
    unknown = {c for c, r in cells.items() if r["onderdrukt"] and r["n"] != 0}
    assert unknown and recoverable_cells(unknown, all_groups) == set()
    # single-wijk gebieden (Binnenstad = Centrum): the same figures as their wijk
    compared = 0
    for (peildatum, niveau, gebied), below in children.items():
        if niveau == "gebied" and len(below) == 1:
            for indicator in {c[0] for c in cells}:
                a = cells[(indicator, peildatum, "gebied", gebied, None, None)]
                b = cells[(indicator, peildatum, "wijk", below[0][1], None, None)]
                assert (a["onderdrukt"], a["teller"], a["noemer"]) == (b["onderdrukt"], b["teller"], b["noemer"])
                compared += 1
    assert compared >= len(registry.INDICATORS) * len(peildata)


@pytest.mark.integration
def test_exports_hold_no_number_for_suppressed_rows(demo_store, tmp_path):
    db = demo_store[1]
    with duckdb.connect(str(db), read_only=True) as con:
        [(suppressed_count,)] = con.execute("select count(*) from indicator_values where onderdrukt").fetchall()
    assert suppressed_count > 0
    export(db, tmp_path / "m.csv")
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as file:
        hidden = [r for r in csv.DictReader(file) if r["onderdrukt"] == "true"]
    assert len(hidden) == suppressed_count
    assert all(r[c] == "" for r in hidden for c in SUPPRESSED_COLUMNS)
    export(db, tmp_path / "m.parquet")
    hidden = [r for r in pq.read_table(tmp_path / "m.parquet").to_pylist() if r["onderdrukt"]]
    assert len(hidden) == suppressed_count
    assert all(r[c] is None for r in hidden for c in SUPPRESSED_COLUMNS)
    export(db, tmp_path / "m.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "m.xlsx", read_only=True)
    hidden_xlsx = 0
    for sheet in workbook.worksheets[1:-1]:  # the first sheet holds the metadata, the last the definitions
        rows = sheet.iter_rows(values_only=True)
        header = next(rows)
        blank = [header.index(h) for h in ("Teller", "Noemer", "Ondergrens 95%-interval", "Bovengrens 95%-interval",
                                           "Verschil met nulmeting", "Index (nulmeting = 100)")]
        for r in rows:
            if r[header.index("Onderdrukt")] == "ja":
                hidden_xlsx += 1
                assert r[header.index("Waarde")] == SUPPRESSED_TEXT
                assert [r[i] for i in blank] == [None] * len(blank)
    assert hidden_xlsx == suppressed_count


# --- the audit at publication, on published tables alone ------------------------------------------


def _published(values: list[tuple], breakdown: list[tuple]) -> dict[str, pa.Table]:
    """Published tables for gebied G = wijken A + B in gemeente GM, one survey indicator on P1."""
    value_rows = [{"indicator": "t", "peildatum": P1, "niveau": niveau, "gebiedcode": code, "teller": teller,
                   "noemer": noemer, "n": n, "onderdrukt": teller is None, "reden": None}
                  for niveau, code, teller, noemer, n in values]
    breakdown_rows = [{"indicator": "t", "peildatum": P1, "niveau": niveau, "gebiedcode": code, "uitsplitsing": "wet",
                       "categorie": categorie, "teller": teller, "noemer": noemer, "n": n,
                       "onderdrukt": teller is None, "reden": None}
                      for niveau, code, categorie, teller, noemer, n in breakdown]
    areas = pa.Table.from_pylist([
        {"niveau": "wijk", "gebiedcode": "A", "bovenliggend": "G", "geldig_van": P0, "geldig_tot": None},
        {"niveau": "wijk", "gebiedcode": "B", "bovenliggend": "G", "geldig_van": P0, "geldig_tot": None},
        {"niveau": "gebied", "gebiedcode": "G", "bovenliggend": "GM", "geldig_van": P0, "geldig_tot": None},
        {"niveau": "gemeente", "gebiedcode": "GM", "bovenliggend": None, "geldig_van": P0, "geldig_tot": None},
    ])
    return {"indicator_values": pa.Table.from_pylist(value_rows), "indicator_breakdown":
            pa.Table.from_pylist(breakdown_rows), "areas": areas}


def test_publication_audit_finds_a_category_count_and_a_teller():
    # A: 25 wmo + 10 jeugdwet respondents, total n = 35 published (suppressed value); B: 12 jeugdwet
    # shown; G jeugdwet 22 shown: A jeugdwet = 22 - 12 = 10 follows (n), and so does its teller
    values = [("wijk", "A", None, None, 35), ("wijk", "B", 10.0, 40.0, 40), ("gebied", "G", 30.0, 75.0, 75),
              ("gemeente", "GM", 30.0, 75.0, 75)]
    breakdown = [("wijk", "A", "wmo", None, None, None), ("wijk", "A", "jeugdwet", None, None, None),
                 ("wijk", "B", "wmo", 5.0, 28.0, 28), ("wijk", "B", "jeugdwet", 5.0, 12.0, 12),
                 ("gebied", "G", "wmo", 20.0, 53.0, 53), ("gebied", "G", "jeugdwet", 10.0, 22.0, 22),
                 ("gemeente", "GM", "wmo", 20.0, 53.0, 53), ("gemeente", "GM", "jeugdwet", 10.0, 22.0, 22)]
    leaks = suppression.recoverable_published(_published(values, breakdown))
    assert "indicator t, peildatum 2016-01-01, wijk A, wet jeugdwet, n" in leaks
    assert "indicator t, peildatum 2016-01-01, wijk A, teller" in leaks  # G minus B
    assert not any(str(v) in " ".join(leaks) for v in (10, 22, 25))  # names cells, never values
    # hiding G's categories (and the gemeente's, its only gebied) closes the n leak; hiding G the teller one
    values[2:] = [("gebied", "G", None, None, 75), ("gemeente", "GM", None, None, 75)]
    breakdown[4:] = [("gebied", "G", c, None, None, None) for c in ("wmo", "jeugdwet")] + [
        ("gemeente", "GM", c, None, None, None) for c in ("wmo", "jeugdwet")]
    assert suppression.recoverable_published(_published(values, breakdown)) == []


def test_publication_audit_lets_empty_and_whole_area_cells_be_known():
    # A has 30 wmo respondents and no jeugdwet: pinning A's categories down gives 30 (the published n
    # of A) and 0 (nobody): no leak
    values = [("wijk", "A", None, None, 30), ("wijk", "B", None, None, 3), ("gebied", "G", None, None, 33),
              ("gemeente", "GM", None, None, 33)]
    breakdown = [("wijk", "A", "wmo", None, None, None), ("wijk", "A", "jeugdwet", None, None, 0),
                 ("wijk", "B", "wmo", None, None, None), ("wijk", "B", "jeugdwet", None, None, None)]
    assert suppression.recoverable_published(_published(values, breakdown)) == []
