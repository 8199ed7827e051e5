"""dashboard/rapport: the council report as PDF, from the command line and from the dashboard's server.

Expected figures are the fixture's own rules written out (tests/fixtures/published_store.py):
WK001401 (Oud-Zuid, k = 1) has zelfredzaamheid 60 + 0.5 + j * 2 * 1 at peildatum j, so 64,5% on
1 januari 2017 (+4,0 procentpunt since the nulmeting of 60,5%) and 62,5% on 1 januari 2016.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import pytest
from fixtures.published_store import SURVEY_SUPPRESSED, build_published_store
from pypdf import PdfReader

from dashboard.app import create_app
from dashboard.format import SUPPRESSED_TEXT
from dashboard.security import SecuritySettings
from wijkmonitor.cli import main

pytestmark = pytest.mark.integration  # WeasyPrint renders whole reports

BRONREGEL = "Bron: Wijkmonitor Sociaal Domein, gemeente Groningen"


def _names(db: Path) -> list[str]:
    """The indicator names of the store's published registry, in order."""
    with duckdb.connect(str(db), read_only=True) as con:
        return [name for (name,) in con.execute("SELECT naam FROM indicators ORDER BY volgorde").fetchall()]


def _pages(pdf: bytes | Path) -> list[str]:
    """The text of every page, whitespace folded."""
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _indicator_pages(pages: list[str], names: list[str]) -> list[int]:
    """For each indicator the number of the page that starts its section ('3. Naam' as heading)."""
    found = []
    for number, name in enumerate(names, start=1):
        hits = [i for i, text in enumerate(pages) if re.search(rf"(^| ){number}\. {re.escape(name)} .*Gebied of wijk", text)]
        assert hits, f"no page for {name}"
        found.append(hits[0])
    return found


def _figure_alternatives(node) -> list[str]:
    """The /Alt texts of every /Figure in a PDF structure tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        return [alt for child in node for alt in _figure_alternatives(child)]
    if not isinstance(node, dict):
        return []
    own = [str(node["/Alt"])] if node.get("/S") == "/Figure" and "/Alt" in node else []
    return own + (_figure_alternatives(node["/K"]) if "/K" in node else [])


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_published_store(tmp_path_factory.mktemp("rapport") / "monitor.duckdb")


@pytest.fixture(scope="module")
def latest(store: Path, tmp_path_factory) -> tuple[int, list[str]]:
    """The report at the latest peildatum, written by the command line: (exit code, page texts)."""
    out = tmp_path_factory.mktemp("pdf") / "rapport.pdf"
    code = main(["rapport", "--db", str(store), "--out", str(out)])
    return code, _pages(out)


def test_report_has_title_summary_a_page_per_indicator_and_both_annexes(store, latest):
    code, pages = latest
    names = _names(store)
    assert code == 0
    assert "Wijkmonitor Sociaal Domein" in pages[0] and "Peildatum 1 januari 2017" in pages[0]
    assert "Gemeente Groningen" in pages[0] and "Nulmeting 1 januari 2015" in pages[0] and "Rapport gemaakt" in pages[0]
    assert pages[1].startswith("Samenvatting") and all(name in pages[1] for name in names)
    assert "Aandachtspunten" in pages[1]
    starts = _indicator_pages(pages, names)
    assert starts == sorted(set(starts)) and starts[0] == 2
    annex_a = next(i for i, text in enumerate(pages) if text.startswith("Bijlage A."))
    annex_b = next(i for i, text in enumerate(pages) if text.startswith("Bijlage B."))
    assert starts[-1] < annex_a < annex_b
    annex_text = " ".join(pages[annex_a:annex_b])
    assert all(gebied in annex_text for gebied in ("Binnenstad", "Oude Wijken", "Noordoost", "Haren", "Ten Boer"))
    assert len(pages) >= len(names) + 4


def test_every_page_has_its_number_and_the_source_line(latest):
    _, pages = latest
    for number, text in enumerate(pages, start=1):
        assert f"pagina {number} van {len(pages)}" in text
        assert BRONREGEL in text


def test_figures_are_the_published_ones_and_suppressed_ones_are_words(store, latest):
    _, pages = latest
    names = _names(store)
    zelfredzaamheid = pages[_indicator_pages(pages, names)[names.index("Zelfredzaamheid")]]
    assert "Oud-Zuid 64,5% " in zelfredzaamheid and "+4,0 procentpunt" in zelfredzaamheid
    assert f"Meerdorpen {SUPPRESSED_TEXT}" in zelfredzaamheid and f"Ten Post e.o. {SUPPRESSED_TEXT}" in zelfredzaamheid
    assert len(SURVEY_SUPPRESSED) == 2  # the two wijken named above
    # the interval of a survey figure: 64,5 -/+ (1.5 + k / 10) for k = 1
    assert "62,9% – 66,1%" in zelfredzaamheid
    # the summary's first attention point is marked with its number on its indicator's page
    assert "1 Beroepskrachten per huishouden Oud-Zuid (wijk) 1,56" in pages[1]
    beroepskrachten = pages[_indicator_pages(pages, names)[names.index("Beroepskrachten per huishouden")]]
    assert re.search(r"Oud-Zuid 1,56 .*buiten marge aandachtspunt 1 ", beroepskrachten)


def test_method_annex_names_sources_suppression_and_data_quality(latest):
    _, pages = latest
    method = " ".join(pages[next(i for i, text in enumerate(pages) if text.startswith("Bijlage B.")):])
    for expected in ("bewonersenquete", "ondersteuning", "ondersteuning_2016_dubbel.csv", "kolom 'bsn' aanwezig",
                     "waarde tussen 1 en 5", "onderdrukt bij minder dan 30 waarnemingen", "1 januari 2015 (nulmeting)",
                     "Definities"):
        assert expected in method, expected


def test_pdf_is_tagged_dutch_and_titled(store, tmp_path):
    out = tmp_path / "r.pdf"
    assert main(["rapport", "--db", str(store), "--out", str(out), "--peildatum", "2016-01-01"]) == 0
    reader = PdfReader(out)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Wijkmonitor Sociaal Domein – raadsrapportage peildatum 1 januari 2016"
    figures = _figure_alternatives(root["/StructTreeRoot"])
    assert len(figures) == 2 * len(_names(store))  # a trend and a map per indicator, each with its text alternative
    # the city is the mean of its 18 unsuppressed wijken: 60 + 0.5 * 161 / 18 = 64,47 in 2015; 2 * (5 - 6) / 18 lower in 2016
    assert "Trend van zelfredzaamheid in Groningen (%): 1 jan 2015: 64,5 (gelijk gebleven); 1 jan 2016: 64,4" in " ".join(figures)
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    # --peildatum chooses the earlier date: its figures, and the previous measurement is the nulmeting
    assert "Peildatum 1 januari 2016" in pages[0] and "Vorige meting 1 januari 2015" in pages[0]
    zelfredzaamheid = pages[_indicator_pages(pages, _names(store))[1]]
    assert "Oud-Zuid 62,5% " in zelfredzaamheid and "Oud-Zuid 64,5%" not in zelfredzaamheid


def test_unknown_peildatum_is_one_dutch_line_and_exit_2(store, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    assert main(["rapport", "--db", str(store), "--out", str(out), "--peildatum", "2014-01-01"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "peildatum 1 januari 2014 staat niet in het gepubliceerde bestand" in err and "1 januari 2016" in err
    assert main(["rapport", "--db", str(store), "--out", str(out), "--peildatum", "1-1-2016"]) == 2
    assert "ongeldige peildatum '1-1-2016'" in capsys.readouterr().err
    assert not out.exists()


def test_missing_store_and_unwritable_target_are_one_line(store, tmp_path, capsys):
    assert main(["rapport", "--db", str(tmp_path / "geen.duckdb"), "--out", str(tmp_path / "r.pdf")]) == 3
    assert "ontbreekt" in capsys.readouterr().err
    target = tmp_path / "bestand"
    target.write_text("x")
    assert main(["rapport", "--db", str(store), "--out", str(target / "r.pdf")]) == 3
    assert "kan het rapport niet schrijven" in capsys.readouterr().err


@pytest.fixture(scope="module")
def demo_marked_store(tmp_path_factory) -> Path:
    """The fixture store marked as demo data, with figures missing for incomplete inputs (reden set) and one
    suppressed to protect another (onderdrukking 'aanvullend'), as the trust work publishes them."""
    db = build_published_store(tmp_path_factory.mktemp("demo") / "monitor.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO meta VALUES ('fictieve_demogegevens', 'ja')")
        con.execute("ALTER TABLE indicator_values ADD COLUMN IF NOT EXISTS reden VARCHAR")
        con.execute("""UPDATE indicator_values SET waarde = NULL, teller = NULL, noemer = NULL, verschil_nulmeting = NULL,
                       index_nulmeting = NULL, status = 'onvoldoende gegevens', reden = 'bevolking ontbreekt voor wijk WK001405'
                       WHERE indicator = 'specialistische_ondersteuning' AND gebiedcode = 'WK001405'
                         AND peildatum = DATE '2017-01-01'""")
        con.execute("""UPDATE indicator_values SET waarde = NULL, status = 'onvoldoende gegevens', reden = 'bevolking ontbreekt'
                       WHERE indicator = 'professionele_ondersteuning' AND niveau = 'gemeente'""")
        con.execute("ALTER TABLE indicator_values ADD COLUMN IF NOT EXISTS onderdrukking VARCHAR")
        con.execute("""UPDATE indicator_values SET onderdrukking = 'aanvullend'
                       WHERE indicator = 'jeugd_gedwongen_kader' AND gebiedcode = 'WK001419'""")
    return db


def test_route_serves_the_pdf_through_the_apps_server(demo_marked_store, tmp_path):
    client = create_app(demo_marked_store, tmp_path / "state.sqlite").server.test_client()
    response = client.get("/rapport.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="wijkmonitor-raadsrapportage-2017-01-01.pdf"' in response.headers["Content-Disposition"]
    pages = _pages(response.data)
    assert "Fictieve demogegevens" in pages[0]
    assert all("fictieve demogegevens" in text for text in pages[1:])  # the running header on every later page
    text = " ".join(pages)
    assert "Zuidoost onvoldoende gegevens: bevolking ontbreekt voor wijk WK001405" in text
    assert "Glimmen-Onnen-Noordlaren onvoldoende waarnemingen (afgeschermd om een ander cijfer te beschermen)" in text
    assert "Groningen onvoldoende gegevens: bevolking ontbreekt" in text  # the city's key figure on its indicator page
    missing = client.get("/rapport.pdf?peildatum=2014-01-01")
    assert missing.status_code == 404 and "staat niet in het gepubliceerde bestand" in missing.get_data(as_text=True)


def test_route_needs_a_login(store, tmp_path):
    app = create_app(store, tmp_path / "state.sqlite", SecuritySettings(auth="login", secure_cookies=False))
    response = app.server.test_client().get("/rapport.pdf?peildatum=2016-01-01")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.slow
def test_report_on_a_small_real_etl_output(tmp_path):
    from indicators.registry import INDICATORS
    from wijkmonitor.generate import generate
    from wijkmonitor.cli import run_etl

    generate(tmp_path / "bronnen", seed=2015, scale=0.1)
    assert run_etl(tmp_path / "bronnen", tmp_path / "warehouse.duckdb", tmp_path / "monitor.duckdb",
                   out=io.StringIO(), err=io.StringIO()) == 0
    out = tmp_path / "rapport.pdf"
    assert main(["rapport", "--db", str(tmp_path / "monitor.duckdb"), "--out", str(out)]) == 0
    pages = _pages(out)
    names = [indicator.naam for indicator in INDICATORS]
    assert len(pages) >= len(names) + 4
    _indicator_pages(pages, names)
    text = " ".join(pages)
    assert SUPPRESSED_TEXT in text
    assert f"pagina {len(pages)} van {len(pages)}" in pages[-1]
    peildatum = re.search(r"Peildatum (\d+ \w+ \d{4})", pages[0]).group(1)
    assert f"raadsrapportage peildatum {peildatum}" in pages[1]


def test_costs_chapter_has_the_published_costs_and_the_budget(latest):
    _, pages = latest
    chapter = next(i for i, text in enumerate(pages) if text.startswith("Kosten per wijk"))
    annex_a = next(i for i, text in enumerate(pages) if text.startswith("Bijlage A."))
    assert chapter < annex_a
    text = " ".join(pages[chapter:annex_a])
    # the gemeente's wmo on 2017-01-01: 21.400.000 for 3.900 inhabitants (5.487) and 590 clients (36.271)
    assert "Wmo € 21.400.000 € 5.487 € 36.271" in text
    # realisation 2016 of all wetten: 21.000.000 x 6 + 3 x 20 x 20.000 against 150.000.000
    assert "2016 € 127.200.000 € 150.000.000 € 22.800.000 € 1.000.000 ja" in text
    assert f"Meerdorpen {SUPPRESSED_TEXT}" in text  # WK001413
