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
    # a trend and a map per indicator and the costs chart, each with its text alternative
    assert len(figures) == 2 * len(_names(store)) + 1
    # the costs on 2016-01-01: (600.000 x 210 + 20 x 30.000) / 3.900 inhabitants = 32.461,5 per inhabitant
    assert ("Kosten per inwoner (alle wetten) tegen elke indicator, een punt per wijk op 1 jan 2016; "
            "Groningen: € 32.462 per inwoner.") in " ".join(figures)
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
    assert "Kosten naast de indicatoren" in text and "minder dan tien inwoners" in text


# ---- the costs chapter's chart: cost per inhabitant (all wetten) against every indicator, a point per wijk ----
def _fixture_wijken() -> list[str]:
    """The fixture's wijkcodes in gebieden.csv order: wijk k is the k-th."""
    from fixtures.published_store import _gebieden

    return [w["wijkcode"] for w in _gebieden()]


def _points(svg: str, indicator: str) -> dict[str, tuple[float, float]]:
    """The points of one panel: wijkcode -> (x, y) of its marker in the SVG."""
    # the first point of a marker shape carries the shape's <defs> before its <use>
    found = re.findall(rf'<g id="punt-{indicator}-(WK\d+)">.*?<use [^>]*x="([\d.]+)" y="([\d.]+)"', svg, re.DOTALL)
    return {code: (float(x), float(y)) for code, x, y in found}


@pytest.fixture(scope="module")
def spreiding(store):
    from datetime import date

    from dashboard.data import published
    from dashboard.rapport.kosten import kosten_spreiding

    return kosten_spreiding(published(store), date(2017, 1, 1))


def test_costs_chart_plots_exactly_the_published_cells_with_both_figures(store, spreiding):
    from dashboard.rapport import charts

    svg = charts.kosten_svg(spreiding)
    with duckdb.connect(str(store), read_only=True) as con:
        indicators = [i for (i,) in con.execute("SELECT indicator FROM indicators ORDER BY volgorde").fetchall()]
        for indicator in indicators:  # independently of the chart's code: the store's cells with both figures
            expected = {code for (code,) in con.execute(
                """SELECT k.gebiedcode FROM kosten k JOIN indicator_values v USING (peildatum, gebiedcode)
                   WHERE k.peildatum = DATE '2017-01-01' AND k.niveau = 'wijk' AND k.wet = 'totaal'
                     AND k.kosten_per_inwoner IS NOT NULL AND v.indicator = ? AND v.waarde IS NOT NULL""",
                [indicator]).fetchall()}
            assert set(_points(svg, indicator)) == expected, indicator
    assert [paneel.meta.indicator for paneel in spreiding.panelen] == indicators  # a panel per registry entry
    # the suppressed cost cells (Meerdorpen WK001413 primary, Meerstad e.o. WK001414 complementary) are in no panel
    assert "WK001413" not in svg and "WK001414" not in svg
    # zelfredzaamheid: 20 wijken less those two and Ten Post e.o. (WK001416, survey suppressed)
    assert len(_points(svg, "zelfredzaamheid")) == 17
    assert ">17 van 20 wijken; niet getoond: 3 onvoldoende waarnemingen<" in svg
    assert ">Alle 20 wijken" not in svg
    assert "2 van de 20 wijken zonder kostencijfer (2 onvoldoende waarnemingen) staan in geen paneel" in svg


def test_costs_chart_points_stand_at_their_published_figures(spreiding):
    """x is the cost per inhabitant and y the indicator on one linear scale each: by the fixture's rules, wijk k spends
    ((k + 1) x 600.000 + 2 x 3 x 10.000) on 2017-01-01 for 100 + 10k inhabitants and has zelfredzaamheid
    60 + 0.5k + 4 x RICHTING_WIJK[k % 3]."""
    import numpy as np
    from fixtures.published_store import RICHTING_WIJK

    from dashboard.rapport import charts

    points = _points(charts.kosten_svg(spreiding), "zelfredzaamheid")
    wijken = _fixture_wijken()
    kosten = {code: ((k + 1) * 600_000 + 60_000) / (100 + 10 * k) for k, code in enumerate(wijken)}
    zelf = {code: 60 + 0.5 * k + 4 * RICHTING_WIJK[k % 3] for k, code in enumerate(wijken)}
    codes = sorted(points)
    for figures, axis, sign in ((kosten, 0, 1), (zelf, 1, -1)):  # SVG y grows downwards
        (slope, offset), residuals, *_ = np.polyfit([figures[c] for c in codes], [points[c][axis] for c in codes], 1,
                                                    full=True)
        assert np.sign(slope) == sign and residuals[0] < 1e-3


def test_costs_chart_description_names_the_extremes_and_the_left_out(spreiding):
    from dashboard.rapport import charts

    text = charts.kosten_description(spreiding)
    # gemeente: (600.000 x 210 + 20 x 60.000) / 3.900 inhabitants = 32.615,4
    assert text.startswith("Kosten per inwoner (alle wetten) tegen elke indicator, een punt per wijk op 1 jan 2017; "
                           "Groningen: € 32.615 per inwoner.")
    # cost per inhabitant rises with k: k = 19 spends 12.060.000 / 290 = 41.586,2; k = 0 660.000 / 100
    assert "Hoogste kosten: Glimmen-Onnen-Noordlaren (€ 41.586); laagste: Centrum (€ 6.600)." in text
    assert "Zonder kostencijfer (onvoldoende waarnemingen), in geen paneel: Meerdorpen, Meerstad e.o." in text
    # zelfredzaamheid: highest k = 19 (60 + 9,5 + 4 = 73,5), lowest k = 2 (60 + 1 - 4 = 57,0; 1.860.000 / 120)
    assert ("Zelfredzaamheid, percentage (%): 17 van 20 wijken; hoogst Glimmen-Onnen-Noordlaren (73,5% bij € 41.586), "
            "laagst Oud-West (57,0% bij € 15.500)") in text
    assert "zonder cijfer (onvoldoende waarnemingen): Ten Post e.o." in text and "e.o.." not in text


def test_costs_chart_ticks_are_dutch_with_the_typographic_minus(store, spreiding):
    from dataclasses import replace

    from dashboard.rapport import charts

    ticks = re.findall(r">([−-]?\d[\d.,]*)<", charts.kosten_svg(spreiding))
    assert "10.000" in ticks and "40.000" in ticks and not any("," in t and "." not in t and len(t) > 4 for t in ticks)
    # a panel whose figures go below zero (the chart draws what it is given): ticks with '−', never '-'
    paneel = replace(spreiding.panelen[1], punten=[
        {"gebiedcode": "WK001400", "gebiedsnaam": "Centrum", "kosten_per_inwoner": 6600.0, "uitkomst": -12.0,
         "uitkomst_status": "verbeterd"},
        {"gebiedcode": "WK001401", "gebiedsnaam": "Oud-Zuid", "kosten_per_inwoner": 11454.5, "uitkomst": 8.0,
         "uitkomst_status": "buiten marge"}], zonder_uitkomst={}, gemeente=None)
    svg = charts.kosten_svg(replace(spreiding, panelen=[paneel], zonder_kosten={}))
    ticks = re.findall(r">([−-]?\d[\d.,]*)<", svg)
    assert any(t.startswith("−") for t in ticks) and not any(t.startswith("-") for t in ticks)
    assert "Alle 20 wijken hebben een kostencijfer" in svg


def test_costs_chart_counts_a_cost_figure_missing_for_incomplete_inputs_apart(tmp_path):
    """Centrum (WK001400) without its inhabitants on 2017-01-01 (no cost per inhabitant, not suppressed): left out
    and said why, beside the two suppressed cells; the lowest cost is then Oud-Zuid's 1.260.000 / 110."""
    from datetime import date

    from dashboard.data import published
    from dashboard.format import INSUFFICIENT_DATA_TEXT
    from dashboard.rapport import charts
    from dashboard.rapport.kosten import kosten_spreiding

    db = build_published_store(tmp_path / "monitor.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("""UPDATE kosten SET inwoners = NULL, kosten_per_inwoner = NULL,
                       reden = 'bevolking ontbreekt voor wijk WK001400 op deze peildatum (kosten per inwoner)'
                       WHERE gebiedcode = 'WK001400' AND peildatum = DATE '2017-01-01'""")
    spreiding = kosten_spreiding(published(db), date(2017, 1, 1))
    assert spreiding.zonder_kosten == {SUPPRESSED_TEXT: ["Meerdorpen", "Meerstad e.o."], INSUFFICIENT_DATA_TEXT: ["Centrum"]}
    svg = charts.kosten_svg(spreiding)
    assert "WK001400" not in svg
    assert "3 van de 20 wijken zonder kostencijfer (2 onvoldoende waarnemingen, 1 onvoldoende gegevens)" in svg
    assert "onvoldoende gegevens: gegevens ontbreken" in svg
    assert ">16 van 20 wijken; niet getoond: 3 onvoldoende waarnemingen, 1 onvoldoende gegevens<" in svg  # zelfredzaamheid
    text = charts.kosten_description(spreiding)
    assert "laagste: Oud-Zuid (€ 11.455)" in text and "Zonder kostencijfer (onvoldoende gegevens), in geen paneel: Centrum." in text
