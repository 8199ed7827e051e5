"""The library of broken inputs: each gets its exact, tested treatment.

Every case starts from a warehouse and published store made from the clean drop
(tests/fixtures/sources.py), changes the drop, runs the ETL again and checks: exit code, the
quarantined rows (source, file, row, column, rule, delivered value) or the rejected file with its
one-line reason, and the published figures (unchanged where an earlier version is kept).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from fixtures.sources import CLEAN, CLEAN_ROWS, fake_compute, published_figures, write_clean_sources
from wijkmonitor.cli import run_etl

pytestmark = pytest.mark.integration  # the whole ETL once per broken input

VANDAAG = date(2025, 6, 30)
DATUM_REGEL = "geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ)"


def set_row(bron: str, rij: int, line: str) -> Callable[[Path], None]:
    """Mutation: replace data row rij (1-based) of <bron>/<bron>.csv."""

    def mutate(sources: Path) -> None:
        path = sources / bron / f"{bron}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[rij] = line
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return mutate


def put_file(bron: str, name: str, content: bytes) -> Callable[[Path], None]:
    """Mutation: write a file (new or replacing) into a source folder."""

    def mutate(sources: Path) -> None:
        (sources / bron / name).write_bytes(content)

    return mutate


def copy_file(bron: str, name: str) -> Callable[[Path], None]:
    """Mutation: deliver the clean file of a source a second time under another name."""
    return put_file(bron, name, CLEAN[bron].encode("utf-8"))


def remove_folder(bron: str) -> Callable[[Path], None]:
    """Mutation: the whole folder of a source is missing."""
    return lambda sources: shutil.rmtree(sources / bron)


def as_parquet(bron: str) -> Callable[[Path], None]:
    """Mutation: deliver a source as Parquet with native types instead of CSV."""

    def mutate(sources: Path) -> None:
        csv_path = sources / bron / f"{bron}.csv"
        frame = pl.read_csv(csv_path, try_parse_dates=True)
        csv_path.unlink()
        frame.write_parquet(sources / bron / f"{bron}.parquet")

    return mutate


def dutch_excel(sources: Path) -> None:
    """Mutation: bevolking and bewonersenquete as a Dutch Excel export would write them."""
    bevolking = (
        " Peildatum ;WIJKCODE;Inwoners;Inwoners_0_17;Huishoudens\r\n"
        "01-01-2015;wk001400;1000;200;500\r\n01-01-2015;WK001401;2000;400;900\r\n"
        "01-01-2016;WK001400;1100;210;520\r\n01-01-2016;WK001401;2100;420;950\r\n"
    )
    (sources / "bevolking" / "bevolking.csv").write_bytes(bevolking.encode("cp1252"))
    enquete = CLEAN["bewonersenquete"].replace(",", ";").replace("1.5", "1,5").replace("0.5", "0,5")
    (sources / "bewonersenquete" / "bewonersenquete.csv").write_bytes(("\ufeff" + enquete).encode("utf-8"))


def reorder_columns(sources: Path) -> None:
    """Mutation: the same bevolking data with its columns in another order, plus an extra column."""
    text = (
        "huishoudens,wijkcode,peildatum,inwoners_0_17,inwoners,bron_systeem\n"
        "500,WK001400,2015-01-01,200,1000,x\n900,WK001401,2015-01-01,400,2000,x\n"
        "520,WK001400,2016-01-01,210,1100,x\n950,WK001401,2016-01-01,420,2100,x\n"
    )
    (sources / "bevolking" / "bevolking.csv").write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Broken:
    """One broken (or merely unusual) input and its exact expected treatment."""

    mutate: Callable[[Path], None]
    exit_code: int = 1
    quarantined: set[tuple] = field(default_factory=set)  # (bron, bestand, rij, kolom, regel, waarde)
    warned: set[tuple] = field(default_factory=set)
    files: set[tuple] = field(default_factory=set)  # dq_files (bron, bestand, status, reden) not accepted
    staged: dict[str, int] = field(default_factory=dict)  # rows in stg_<bron> when not CLEAN_ROWS
    figures_unchanged: bool = False


CASES: dict[str, Broken] = {
    # --- rows: each kind of rule violation goes to quarantine, the rest proceeds
    "unknown_wijkcode": Broken(
        set_row("bevolking", 2, "2015-01-01,WK999999,2000,400,900"),
        quarantined={("bevolking", "bevolking.csv", 2, "wijkcode", "onbekende wijkcode", "WK999999")},
        staged={"bevolking": 3},
    ),
    "date_in_2099": Broken(
        set_row("ondersteuning", 1, "T1,P1,H1,WK001400,1980,wijkteam,basis,vrijwillig,A1,PR1,2099-01-01,"),
        quarantined={("ondersteuning", "ondersteuning.csv", 1, "begindatum", "datum ligt in de toekomst",
                      "2099-01-01")},
        staged={"ondersteuning": 2},
    ),
    "impossible_date_31_02": Broken(
        set_row("bijstand", 1, "U1,P10,WK001400,31-02-2020,"),
        quarantined={("bijstand", "bijstand.csv", 1, "begindatum", DATUM_REGEL, "31-02-2020")},
        staged={"bijstand": 1},
    ),
    "text_in_integer": Broken(
        set_row("bevolking", 3, "2016-01-01,WK001400,abc,210,520"),
        quarantined={("bevolking", "bevolking.csv", 3, "inwoners", "geen geheel getal", "abc")},
        staged={"bevolking": 3},
    ),
    "huge_value_overflows": Broken(
        set_row("bevolking", 4, "2016-01-01,WK001401,99999999999999999999999,420,950"),
        quarantined={("bevolking", "bevolking.csv", 4, "inwoners", "geen geheel getal",
                      "99999999999999999999999")},
        staged={"bevolking": 3},
    ),
    "population_jump_is_warning": Broken(
        set_row("bevolking", 4, "2016-01-01,WK001401,9000000,420,950"),
        exit_code=0,
        warned={("bevolking", "bevolking.csv", 4, "inwoners",
                 "inwoners wijken meer dan 25% af van de vorige peildatum", "WK001401, 9000000")},
    ),
    "likert_out_of_range": Broken(
        set_row("bewonersenquete", 2, "R2,2015-03-02,WK001400,0.5,6,0,0"),
        quarantined={("bewonersenquete", "bewonersenquete.csv", 2, "zelfredzaam", "waarde buiten bereik 1..5", "6")},
        staged={"bewonersenquete": 3},
    ),
    "item_not_0_or_1": Broken(
        set_row("bewonersenquete", 1, "R1,2015-03-01,WK001400,1.5,4,1,2"),
        quarantined={("bewonersenquete", "bewonersenquete.csv", 1, "mantelzorg",
                      "waarde niet toegestaan (toegestaan: 0, 1)", "2")},
        staged={"bewonersenquete": 3},
    ),
    "weight_zero": Broken(
        set_row("clientervaring", 3, "C3,2015-05-03,WK001401,wmo,0,"),
        quarantined={("clientervaring", "clientervaring.csv", 3, "gewicht", "waarde moet > 0 en <= 100 zijn", "0")},
        staged={"clientervaring": 2},
    ),
    "weight_not_a_number": Broken(
        set_row("bewonersenquete", 3, "R3,2015-03-03,WK001401,een,,1,"),
        quarantined={("bewonersenquete", "bewonersenquete.csv", 3, "gewicht", "geen getal", "een")},
        staged={"bewonersenquete": 3},
    ),
    "negative_count": Broken(
        set_row("bevolking", 1, "2015-01-01,WK001400,1000,200,-5"),
        quarantined={("bevolking", "bevolking.csv", 1, "huishoudens", "waarde buiten bereik 0..9999999", "-5")},
        staged={"bevolking": 3},
    ),
    "children_more_than_inwoners": Broken(
        set_row("bevolking", 1, "2015-01-01,WK001400,1000,1200,500"),
        quarantined={("bevolking", "bevolking.csv", 1, "inwoners_0_17", "inwoners_0_17 groter dan inwoners",
                      "1000, 1200")},
        staged={"bevolking": 3},
    ),
    "households_more_than_inwoners": Broken(
        set_row("bevolking", 2, "2015-01-01,WK001401,2000,400,2500"),
        quarantined={("bevolking", "bevolking.csv", 2, "huishoudens", "huishoudens groter dan inwoners",
                      "2000, 2500")},
        staged={"bevolking": 3},
    ),
    "end_before_start": Broken(
        set_row("participatie", 1, "A1,P10,vrijwilligerswerk,2014-03-01,2014-01-01"),
        quarantined={("participatie", "participatie.csv", 1, "einddatum", "einddatum ligt voor begindatum",
                      "2014-01-01, 2014-03-01")},
        staged={"participatie": 1},
    ),
    "birth_year_1850": Broken(
        set_row("ondersteuning", 1, "T1,P1,H1,WK001400,1850,wijkteam,basis,vrijwillig,A1,PR1,2014-06-01,"),
        quarantined={("ondersteuning", "ondersteuning.csv", 1, "geboortejaar", "geboortejaar buiten 1900..2025",
                      "1850")},
        staged={"ondersteuning": 2},
    ),
    "unknown_soort": Broken(
        set_row("ondersteuning", 2,
                "T2,P2,H2,WK001400,2010,jeugdhulp_ambulant,zwaar,vrijwillig,A2,PR2,2014-09-01,2015-06-30"),
        quarantined={("ondersteuning", "ondersteuning.csv", 2, "soort",
                      "waarde niet toegestaan (toegestaan: basis, specialistisch)", "zwaar")},
        staged={"ondersteuning": 2},
    ),
    "unknown_wet": Broken(
        set_row("clientervaring", 2, "C2,2015-05-02,WK001400,wlz,1.25,3"),
        quarantined={("clientervaring", "clientervaring.csv", 2, "wet",
                      "waarde niet toegestaan (toegestaan: wmo, jeugdwet)", "wlz")},
        staged={"clientervaring": 2},
    ),
    "unknown_activiteit": Broken(
        set_row("participatie", 2, "A2,P11,sport,2014-06-01,"),
        quarantined={("participatie", "participatie.csv", 2, "activiteit",
                      "waarde niet toegestaan (toegestaan: vrijwilligerswerk, re_integratie, tegenprestatie, "
                      "deeltijdwerk, opleiding, mantelzorg)", "sport")},
        staged={"participatie": 1},
    ),
    # two of three rows share a key: most rows fail, so the file is held back and its earlier version counts
    "duplicate_key_in_most_rows": Broken(
        set_row("clientervaring", 3, "C1,2015-05-03,WK001401,wmo,1,"),
        files={("clientervaring", "clientervaring.csv", "vorige versie behouden",
                "clientervaring.csv: 2 van 3 rijen voldoen niet aan de regels (meer dan 50%): bestand tegengehouden")},
        figures_unchanged=True,
    ),
    "missing_required_value": Broken(
        set_row("ondersteuning", 3, "T3,P3,H3,WK001401,2008,ots,specialistisch,gedwongen,,,2014-12-01,"),
        quarantined={("ondersteuning", "ondersteuning.csv", 3, "professional_id", "verplichte waarde ontbreekt", "")},
        staged={"ondersteuning": 2},
    ),
    "swapped_values": Broken(
        set_row("bijstand", 2, "U2,P11,2014-05-01,WK001401,2016-03-31"),
        quarantined={
            ("bijstand", "bijstand.csv", 2, "wijkcode", "onbekende wijkcode", "2014-05-01"),
            ("bijstand", "bijstand.csv", 2, "begindatum", DATUM_REGEL, "WK001401"),
        },
        staged={"bijstand": 1},
    ),
    # --- unusual but valid deliveries: accepted, same figures
    "swapped_column_order_and_extra_column": Broken(reorder_columns, exit_code=0, figures_unchanged=True),
    "dutch_excel_export": Broken(dutch_excel, exit_code=0, figures_unchanged=True),
    "parquet_instead_of_csv": Broken(as_parquet("bijstand"), exit_code=0, figures_unchanged=True),
    # --- files: rejected with one line; the earlier accepted version (if any) keeps counting
    "bad_encoding": Broken(
        put_file("bevolking", "bevolking.csv", b"peildatum\x81,wijkcode\x90\n"),
        files={("bevolking", "bevolking.csv", "vorige versie behouden",
                "bevolking.csv: tekencodering onleesbaar (geen UTF-8 en geen Windows-1252)")},
        figures_unchanged=True,
    ),
    "truncated_file": Broken(
        put_file("bevolking", "bevolking.csv", CLEAN["bevolking"][:-15].encode()),
        files={("bevolking", "bevolking.csv", "vorige versie behouden",
                "bevolking.csv: bestand afgebroken: laatste regel heeft 2 van 5 kolommen")},
        figures_unchanged=True,
    ),
    "duplicated_file": Broken(
        copy_file("bevolking", "bevolking (1).csv"),
        exit_code=0,
        files={("bevolking", "bevolking (1).csv", "kopie, één keer geteld",
                "bevolking (1).csv: zelfde rijen als bevolking.csv: één keer geteld")},
        figures_unchanged=True,
    ),
    "header_only": Broken(
        put_file("bijstand", "bijstand.csv", b"uitkering_id,persoon_id,wijkcode,begindatum,einddatum\n"),
        files={("bijstand", "bijstand.csv", "vorige versie behouden",
                "bijstand.csv: alleen een kopregel, geen gegevensrijen")},
        figures_unchanged=True,
    ),
    "zero_bytes": Broken(
        put_file("participatie", "participatie_2016.csv", b""),
        files={("participatie", "participatie_2016.csv", "afgewezen", "participatie_2016.csv: leeg bestand (0 bytes)")},
        figures_unchanged=True,
    ),
    "non_csv_file": Broken(
        put_file("ondersteuning", "toelichting.docx", b"PK\x03\x04 word"),
        files={("ondersteuning", "toelichting.docx", "afgewezen", "toelichting.docx: geen CSV- of Parquet-bestand")},
        figures_unchanged=True,
    ),
    "missing_required_column": Broken(
        put_file("clientervaring", "clientervaring.csv",
                 b"respondent_id,veldwerk_datum,wijkcode,wet,tevreden\nC1,2015-05-01,WK001400,wmo,4\n"),
        files={("clientervaring", "clientervaring.csv", "vorige versie behouden",
                "clientervaring.csv: verplichte kolom ontbreekt: gewicht")},
        figures_unchanged=True,
    ),
    "more_fields_than_header": Broken(
        put_file("bijstand", "bijstand_2.csv",
                 b"uitkering_id,persoon_id,wijkcode,begindatum,einddatum\nU9,P9,WK001400,2014-01-01,,extra\n"),
        files={("bijstand", "bijstand_2.csv", "afgewezen",
                "bijstand_2.csv: CSV niet leesbaar: regel 2 heeft 6 velden, de kopregel 5")},
        figures_unchanged=True,
    ),
    "missing_source_folder": Broken(
        remove_folder("participatie"),
        files={("participatie", "(map)", "vorige versie behouden",
                "bron participatie ontbreekt in de aanlevering; vorige aanlevering blijft gelden")},
        figures_unchanged=True,
    ),
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the clean drop, its warehouse and its published store."""
    folder = tmp_path_factory.mktemp("baseline")
    write_clean_sources(folder / "bronnen")
    code = run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb",
                   compute=fake_compute, config=object(), vandaag=VANDAAG, out=io.StringIO(), err=io.StringIO())
    assert code == 0
    return folder


def _run_case(baseline: Path, tmp_path: Path, case: Broken) -> tuple[int, str, Path]:
    """Copy the baseline, apply the mutation, run the ETL; return exit code, stderr and the folder."""
    folder = tmp_path / "run"
    shutil.copytree(baseline, folder)
    case.mutate(folder / "bronnen")
    err = io.StringIO()
    code = run_etl(folder / "bronnen", folder / "warehouse.duckdb", folder / "monitor.duckdb",
                   compute=fake_compute, config=object(), vandaag=VANDAAG, out=io.StringIO(), err=err)
    return code, err.getvalue(), folder


def test_library_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", list(CASES))
def test_broken_input(baseline: Path, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    code, stderr, folder = _run_case(baseline, tmp_path, case)
    assert code == case.exit_code, stderr

    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        run_id = con.execute("SELECT max(run_id) FROM load_log").fetchone()[0]
        quarantined = set(con.execute(
            "SELECT bron, bestand, rij, kolom, regel, waarde FROM quarantine WHERE run_id = ?", [run_id]
        ).fetchall())
        warned = set(con.execute(
            "SELECT bron, bestand, rij, kolom, regel, waarde FROM waarschuwingen WHERE run_id = ?", [run_id]
        ).fetchall())
    assert quarantined == case.quarantined
    assert warned == case.warned

    with duckdb.connect(str(folder / "monitor.duckdb"), read_only=True) as con:
        files = set(con.execute(
            "SELECT bron, bestand, status, reden FROM dq_files WHERE status <> 'geaccepteerd'"
        ).fetchall())
        staged = dict(con.execute(
            "SELECT substr(indicator, 7), waarde::INTEGER FROM indicator_values WHERE indicator LIKE 'rijen_%'"
        ).fetchall())
    assert files == case.files
    assert staged == {**CLEAN_ROWS, **case.staged}
    for _, _, _, reden in case.files:
        assert reden in stderr
    if case.figures_unchanged:
        assert published_figures(folder / "monitor.duckdb") == published_figures(baseline / "monitor.duckdb")
