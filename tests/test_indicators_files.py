"""Indicator files (indicators/registry.py): the shipped ones run alone, a broken file is one clear line,
and a ninth file, in the configuration folder or in the package, reaches every published view."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import dash
import duckdb
import pytest
from fixtures.components import component_text
from fixtures.indicators import P0, staging
from fixtures.sources import write_clean_sources
from pypdf import PdfReader

from indicators import registry
from indicators.config import load_config
from core import paths
from wijkmonitor.cli import main
from core.errors import EXIT_USAGE, ConfigError

ROOT = Path(__file__).resolve().parents[1]
VOORBEELD = ROOT / "docs" / "voorbeelden" / "bijstand_per_1000.sql"
# The worked example under an id of its own, so these tests also hold when someone ships the example itself.
EIGEN = "proef_bijstand_per_1000"
EIGEN_SQL = VOORBEELD.read_text(encoding="utf-8").replace('id = "bijstand_per_1000"', f'id = "{EIGEN}"', 1)
PACKAGE_FILES = sorted(registry.PACKAGE_DIR.glob("*.sql"))


def _config_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    """A configuration folder: an empty monitor.toml and indicatoren/<name> per file; returns monitor.toml."""
    (tmp_path / "indicatoren").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp_path / "indicatoren" / name).write_text(text, encoding="utf-8")
    (tmp_path / "monitor.toml").write_text("", encoding="utf-8")
    return tmp_path / "monitor.toml"


# --- the shipped files ------------------------------------------------------------------------------

def test_every_shipped_indicator_is_one_file_named_after_its_id():
    shipped = registry.load_indicators(None)
    assert [i.bestand for i in shipped] != [] and {i.bestand for i in shipped} == set(PACKAGE_FILES)
    assert all(i.bestand.stem == i.id for i in shipped)
    assert [_display_key(i) for i in shipped] == sorted(_display_key(i) for i in shipped)


def _display_key(indicator: registry.Indicator) -> tuple:
    """By volgorde; files without one after those with one, by id."""
    return (indicator.volgorde is None, indicator.volgorde or 0, indicator.id)


@pytest.mark.parametrize("path", PACKAGE_FILES + [VOORBEELD], ids=lambda p: p.stem)
def test_a_file_runs_as_is_once_the_views_exist(path):
    # the whole file, metadata comment included, is the query: nothing is stitched on
    con = staging()
    registry.create_views(con, P0)
    indicator = registry.read_indicator(path)
    result = con.execute(path.read_text(encoding="utf-8"))
    columns, rows = [d[0] for d in result.description], result.fetchall()
    assert columns == [*registry.ROW_SHAPES[indicator.soort], *indicator.uitsplitsingen]
    assert con.execute(indicator.sql).fetchall() == rows


# --- a broken file is one line naming the file --------------------------------------------------------

def _voorbeeld(old: str = "", new: str = "") -> str:
    assert old in EIGEN_SQL
    return EIGEN_SQL.replace(old, new, 1)


@pytest.mark.parametrize(("text", "message"), [
    ("select 1", "moet beginnen met de metadata als TOML"),
    (_voorbeeld('naam = "', 'naam = '), "metadata is geen geldige TOML"),
    (_voorbeeld("eenheid = ", "# eenheid = "), "de metadata mist eenheid"),
    (_voorbeeld("decimalen = 1", "decimalen = 1\nkleur = 'rood'"), "onbekende sleutel kleur"),
    (_voorbeeld("decimalen = 1", "decimalen = '1'"), "decimalen moet een geheel getal >= 0 zijn, is '1'"),
    (_voorbeeld('richting = "lager_is_beter"', 'richting = "omlaag"'), "richting moet een van"),
    (_voorbeeld('bronnen = ["bijstand", "bevolking"]', 'bronnen = ["uwv"]'), r"bronnen \['uwv'\] niet in het broncontract"),
    (_voorbeeld("min_teller = 5", "min_n = 30"), r"onbekende sleutel onderdrukking \(soort register\).min_n"),
    (_voorbeeld("max_verslechtering = ", "# max_verslechtering = "), r"\[corridor\] mist max_verslechtering"),
    (_voorbeeld(f'id = "{EIGEN}"', 'id = "bijstand"'), "moet de bestandsnaam zijn"),
    (_voorbeeld("from stg_bijstand b", "from stg_uwv b"), "SQL klopt niet met de stagingtabellen en views: Catalog Error"),
    (_voorbeeld("b.uitkering_id,", "b.uitkeringsnummer,"), "SQL klopt niet .*uitkeringsnummer"),
    (_voorbeeld("1.0 as teller, 0.0 as noemer from personen", "1.0 as aantal, 0.0 as noemer from personen"),
     "verkeerde rijvorm voor soort register: mist kolom teller"),
    (_voorbeeld("select peildatum, wijkcode, 0.0 as teller", "select peildatum::varchar, wijkcode, 0.0 as teller"),
     "kolom peildatum is VARCHAR, verwacht DATE"),
    (_voorbeeld("from wm_inwoners", "from wm_inwoners;\ndelete from stg_bijstand"), "precies één SELECT-query"),
])
def test_a_broken_file_is_one_clear_error_naming_it(tmp_path, text, message):
    monitor = _config_folder(tmp_path, {f"{EIGEN}.sql": text})
    with pytest.raises(ConfigError, match=message) as raised:
        load_config(monitor)
    line = str(raised.value)
    assert line.startswith(str(tmp_path / "indicatoren" / f"{EIGEN}.sql") + ": ") and "\n" not in line


def test_an_extra_column_must_be_an_uitsplitsing(tmp_path):
    extra = _voorbeeld("1.0 as teller, 0.0 as noemer from personen", "1.0 as teller, 0.0 as noemer, 'x' as wet from personen")
    extra = extra.replace("0.0 as teller, inwoners::double as noemer", "0.0 as teller, inwoners::double as noemer, 'x'")
    with pytest.raises(ConfigError, match="onverwachte kolom wet.*uitsplitsingen"):
        load_config(_config_folder(tmp_path, {f"{EIGEN}.sql": extra}))
    ok = extra.replace("uitsplitsingen = []", 'uitsplitsingen = ["wet"]')
    indicators = load_config(_config_folder(tmp_path, {f"{EIGEN}.sql": ok})).indicators
    assert next(i for i in indicators if i.id == EIGEN).uitsplitsingen == ("wet",)


def test_a_municipality_file_cannot_reuse_a_shipped_id(tmp_path):
    shipped = PACKAGE_FILES[0]
    with pytest.raises(ConfigError, match=f"indicator '{shipped.stem}' bestaat al"):
        load_config(_config_folder(tmp_path, {shipped.name: shipped.read_text(encoding="utf-8")}))


def test_the_etl_stops_on_a_broken_file_before_loading_with_exit_code_2(tmp_path, monkeypatch, capsys):
    monitor = _config_folder(tmp_path / "config", {f"{EIGEN}.sql": _voorbeeld("from wm_inwoners", "from inwoners")})
    monkeypatch.setattr(paths, "MONITOR_CONFIG", monitor)
    sources = write_clean_sources(tmp_path / "bronnen")
    code = main(["etl", "--sources", str(sources), "--db", str(tmp_path / "monitor.duckdb")])
    err = capsys.readouterr().err.strip()
    assert code == EXIT_USAGE and not (tmp_path / "monitor.duckdb").exists()
    assert err.startswith(f"wijkmonitor etl: {monitor.parent / 'indicatoren' / f'{EIGEN}.sql'}: SQL klopt niet")
    assert "inwoners" in err and len(err.splitlines()) == 1


# --- a ninth file -------------------------------------------------------------------------------------

def test_a_ninth_file_in_the_package_folder_is_picked_up(tmp_path, monkeypatch):
    package = tmp_path / "definitions"
    shutil.copytree(registry.PACKAGE_DIR, package)
    shutil.copy(VOORBEELD, package)
    monkeypatch.setattr(registry, "PACKAGE_DIR", package)
    loaded = registry.load_indicators(None)
    expected = sorted([registry.read_indicator(p) for p in PACKAGE_FILES] + [registry.read_indicator(VOORBEELD)],
                      key=_display_key)
    assert [i.id for i in loaded] == [i.id for i in expected] and "bijstand_per_1000" in [i.id for i in loaded]


# The clean drop (tests/fixtures/sources.py) with more benefits. Active on both peildata: in Centrum
# (WK001400) P10 and P20-P24, in Oud-Zuid (WK001401) P11 and P30-P33. P40 moves: on 2015-01-01 only
# U40 (Centrum) is active; on 2016-01-01 U41 (Oud-Zuid, begun later) is the latest, so P40 lives there.
BIJSTAND = (
    "uitkering_id,persoon_id,wijkcode,begindatum,einddatum\n"
    "U1,P10,WK001400,2013-01-01,\n"
    "U2,P11,WK001401,2014-05-01,2016-03-31\n"
    + "".join(f"U2{i},P2{i},WK001400,2014-01-01,\n" for i in range(5))
    + "".join(f"U3{i},P3{i},WK001401,2014-01-01,\n" for i in range(4))
    + "U40,P40,WK001400,2014-01-01,\nU41,P40,WK001401,2015-06-01,\n"
)
# inwoners (fixture): Centrum 1000 / 1100, Oud-Zuid 2000 / 2100 on 2015-01-01 / 2016-01-01.
# 2015: Centrum 7 / 1000 = 7,0; Oud-Zuid 5 / 2000 = 2,5; gemeente 12 / 3000 = 4,0 per 1.000.
# 2016: Centrum 6 / 1100 = 5,4545 (5,5); Oud-Zuid 6 / 2100 = 2,857 (2,9); gemeente 12 / 3200 = 3,75 (3,8).
EXPECTED = {
    (date(2015, 1, 1), "WK001400"): (7.0, 1000.0, 7.0, "gelijk gebleven"),
    (date(2015, 1, 1), "WK001401"): (5.0, 2000.0, 2.5, "gelijk gebleven"),
    (date(2015, 1, 1), "GM0014"): (12.0, 3000.0, 4.0, "gelijk gebleven"),
    (date(2016, 1, 1), "WK001400"): (6.0, 1100.0, 6000 / 1100, "verbeterd"),
    (date(2016, 1, 1), "WK001401"): (6.0, 2100.0, 6000 / 2100, "binnen marge"),  # +0,4 within D = 5,0
    (date(2016, 1, 1), "GM0014"): (12.0, 3200.0, 3.75, "verbeterd"),
}
NAAM = "Bijstandsgerechtigden per 1.000 inwoners"


@pytest.fixture(scope="module")
def published_ninth(tmp_path_factory):
    """The real pipeline on the clean drop, with the worked example as a ninth file in the config folder."""
    from wijkmonitor.cli import run_etl

    folder = tmp_path_factory.mktemp("negende")
    monitor = _config_folder(folder / "config", {f"{EIGEN}.sql": EIGEN_SQL})
    sources = write_clean_sources(folder / "bronnen")
    (sources / "bijstand" / "bijstand.csv").write_text(BIJSTAND, encoding="utf-8")
    db = folder / "monitor.duckdb"
    out, err = io.StringIO(), io.StringIO()
    code = run_etl(sources, folder / "warehouse.duckdb", db, config=load_config(monitor), vandaag=date(2016, 6, 1),
                   out=out, err=err)
    assert code == 0, err.getvalue()
    return folder, db


@pytest.mark.slow  # runs the whole ETL once (module fixture)
def test_ninth_file_reaches_the_store_with_hand_computed_figures(published_ninth):
    _, db = published_ninth
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select peildatum, gebiedcode, teller, noemer, waarde, status from indicator_values "
            "where indicator = $id and gebiedcode in ('WK001400', 'WK001401', 'GM0014')", {"id": EIGEN}
        ).fetchall()
        [(naam,)] = con.execute("select naam from indicators where indicator = $id", {"id": EIGEN}).fetchall()
    assert {(p, code): (t, n, pytest.approx(w), s) for p, code, t, n, w, s in rows} == EXPECTED
    assert naam == NAAM


@pytest.mark.slow  # runs the whole ETL once (module fixture)
def test_ninth_file_reaches_the_export(published_ninth, tmp_path):
    from indicators.export import export

    _, db = published_ninth
    export(db, tmp_path / "monitor.csv")
    with (tmp_path / "monitor.csv").open(encoding="utf-8") as file:
        ninth = {(r["peildatum"], r["gebiedcode"]): r for r in csv.DictReader(file) if r["indicator"] == EIGEN}
    assert ninth[("2016-01-01", "GM0014")]["noemer"] in ("3200", "3200.0")
    assert float(ninth[("2016-01-01", "GM0014")]["waarde"]) == pytest.approx(3.75)


@pytest.fixture(scope="module")
def ninth_app(published_ninth):
    from dashboard.app import create_app

    folder, db = published_ninth
    return create_app(db, folder / "state.sqlite")


@pytest.mark.slow
@pytest.mark.parametrize(("module", "params", "expected"), [
    ("overzicht", {"peildatum": "2016-01-01"}, [NAAM, "3,8"]),
    ("wijken", {"id": EIGEN, "peildatum": "2016-01-01"}, [NAAM, "5,5", "2,9"]),
    ("indicator", {"id": EIGEN, "peildatum": "2016-01-01"}, [NAAM, "3,8", "Teller: verschillende personen met een bijstandsuitkering"]),
    ("wijkprofiel", {"wijk": "WK001401", "peildatum": "2016-01-01"}, [NAAM, "2,9"]),
    ("pdca", {"peildatum": "2016-01-01"}, [NAAM]),
    ("datakwaliteit", {}, ["Datakwaliteit"]),
    ("over", {}, [NAAM, "De Participatiewet (2015) brengt eerst meer mensen met een uitkering in beeld."]),
])
def test_ninth_file_reaches_every_page(ninth_app, module, params, expected):
    page = next(p for p in dash.page_registry.values() if p["module"].endswith(f".{module}"))
    with ninth_app.server.test_request_context():
        text = component_text(page["layout"](**params))
    assert "Er ging iets mis" not in text
    for part in expected:
        assert part in text, (module, part)


@pytest.mark.slow  # runs the whole ETL once (module fixture)
def test_ninth_file_reaches_the_council_report(published_ninth):
    from dashboard.rapport.render import report_pdf

    _, db = published_ninth
    pdf, peildatum = report_pdf(db, "2016-01-01")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert peildatum == date(2016, 1, 1)
    assert text.count(NAAM) >= 2  # the summary and its own page
    assert "3,8" in text and "5,5" in text and "2,9" in text


def test_an_analyst_can_try_one_file_on_a_warehouse(tmp_path, capsys):
    from etl.staging import create_staging_tables

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        create_staging_tables(con)
        con.execute("insert into stg_bevolking values (date '2015-01-01', 'WK000001', 1000, 200, 500)")
        con.execute("insert into stg_bijstand values ('U1', 'P1', 'WK000001', date '2014-01-01', null)")
    assert registry.main([str(VOORBEELD), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{VOORBEELD}: in orde (register, {NAAM})") and out.count("WK000001") == 2
    broken = tmp_path / f"{EIGEN}.sql"
    broken.write_text(_voorbeeld("from stg_bijstand b", "from stg_uwv b"), encoding="utf-8")
    assert registry.main([str(broken)]) == EXIT_USAGE
    assert capsys.readouterr().err.startswith(f"{broken}: SQL klopt niet")
