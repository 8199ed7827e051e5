"""The page /instellingen without a browser: only beheer edits (refused on the server for the other roles, not only
hidden), Dutch amounts, errors by their fields, the parser's line, the history and the published version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import flask
import pytest
from fixtures.components import component_text as _text
from fixtures.published_store import build_published_store

from dashboard import ids
from dashboard.app import create_app
from dashboard.security import SecuritySettings, User
from dashboard.users import UserStore
from indicators import settings
from indicators.config import load_config

PASSWORD = "lang-genoeg-wachtwoord-42"
ROLES = {"raadslid": "raad", "anna": "programmateam", "beheerder": "beheer"}
CONFIG = """[[werkwijzen]]
naam = "Integraal wijkteam"
omschrijving = "Alles in één team."
wijken = ["WK001403", "WK001411"]
startdatum = 2017-01-01

[begroting.wmo]
"2016" = 64_000_000

[taakstelling.jeugdwet]
"2019" = 1_500_000
"""


@pytest.fixture()
def site(tmp_path: Path):
    config = tmp_path / "config" / "monitor.toml"
    config.parent.mkdir()
    config.write_text(CONFIG, encoding="utf-8")
    state = tmp_path / "state.sqlite"
    users = UserStore(state)
    for name, role in ROLES.items():
        users.add(name, PASSWORD, role)
    db = build_published_store(tmp_path / "monitor.duckdb")
    app = create_app(db, state, SecuritySettings(auth="login", secure_cookies=False), config=config)
    return app, config, db


@pytest.fixture()
def page(site):
    """The page module as Dash imported it for the app."""
    return __import__("pages.instellingen", fromlist=["_"])


def _client(app, user: str):
    client = app.server.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
    assert client.post("/login", data={"csrf": token, "gebruiker": user, "wachtwoord": PASSWORD, "next": "/"}).status_code == 302
    return client


def _callback(app, trigger: str) -> tuple[str, dict]:
    return next((key, cb) for key, cb in app.callback_map.items()
                if [i["id"] for i in cb["inputs"]] == [trigger])


def _post(app, client, trigger: str, state: list) -> dict:
    """Call the callback fired by the button `trigger` as the Dash renderer does; its outputs by 'id.property'."""
    key, cb = _callback(app, trigger)
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in key.strip(".").split("...")]
    body = {"output": key, "outputs": outputs, "inputs": [{"id": trigger, "property": "n_clicks", "value": 1}],
            # a pattern-matching state (ALL) is sent as the list of its matches, with their ids
            "state": [value if declared["id"].startswith("{") else dict(declared, value=value)
                      for declared, value in zip(cb["state"], state)],
            "changedPropIds": [f"{trigger}.n_clicks"]}
    response = client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {f"{o['id']}.{o['property']}": props for o in outputs
            for props in [response.get_json()["response"].get(o["id"], {}).get(o["property"].split("@")[0])]}


def _werkwijze(app, client, naam="Buurtteam", omschrijving="Eén team per buurt.", wijken=("WK001401",),
               startdatum="01-03-2018", reden="Proef", bewerkt=None, gemaakt_op=0) -> dict:
    return _post(app, client, ids.INSTELLINGEN_WW_OPSLAAN,
                 [bewerkt, naam, omschrijving, list(wijken), startdatum, reden, gemaakt_op])


def _amounts(app, client, onderdeel: str, cells: dict[str, str], reden="Voorjaarsnota", gemaakt_op=0) -> dict:
    pattern = [{"id": {"type": f"{ids.INSTELLINGEN_BEDRAG}-{onderdeel}", "index": index}, "property": "value", "value": text}
               for index, text in cells.items()]
    return _post(app, client, f"{ids.INSTELLINGEN_OPSLAAN}-{onderdeel}", [pattern, reden, gemaakt_op])


def _melding(outputs: dict, key: str) -> str:
    return _text_of(outputs[key])


def _text_of(node) -> str:
    if isinstance(node, dict):
        return _text_of(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return " ".join(_text_of(n) for n in node)
    return "" if node is None else str(node)


@pytest.mark.parametrize("user", ["raadslid", "anna"])
def test_other_roles_get_a_refusal_without_controls_and_their_posts_are_refused_on_the_server(site, page, user):
    app, config, _db = site
    client = _client(app, user)
    with app.server.test_request_context():
        flask.g.wijkmonitor_user = User(user, ROLES[user])
        shown = page.layout()
    assert "Alleen de rol beheer kan de instellingen wijzigen" in _text(shown)
    assert ids.INSTELLINGEN_WW_OPSLAAN not in str(shown) and "Opslaan" not in _text(shown)
    outputs = _werkwijze(app, client)
    assert "Uw rol mag de instellingen niet wijzigen" in _melding(outputs, f"{ids.INSTELLINGEN_WW_MELDING}.children")
    outputs = _amounts(app, client, "begroting", {"2016|wmo": "1"})
    assert "Uw rol mag de instellingen niet wijzigen" in _melding(outputs, f"{ids.INSTELLINGEN_MELDING}-begroting.children")
    assert not settings.store_path(config).exists() and load_config(config).instellingen_versie == 0


def test_beheer_adds_changes_and_removes_a_werkwijze_each_a_version_with_its_reason(site):
    app, config, _db = site
    client = _client(app, "beheerder")
    outputs = _werkwijze(app, client)
    assert "Opgeslagen als versie 1" in _melding(outputs, f"{ids.INSTELLINGEN_WW_MELDING}.children")
    assert outputs[f"{ids.INSTELLINGEN_STAND}-werkwijzen.data"] == 1
    outputs = _werkwijze(app, client, wijken=("WK001401", "WK001402"), startdatum="1-4-2018", reden="Uitbreiding",
                         bewerkt={"modus": "wijzig", "naam": "Buurtteam"}, gemaakt_op=1)
    assert "versie 2" in _melding(outputs, f"{ids.INSTELLINGEN_WW_MELDING}.children")
    outputs = _werkwijze(app, client, reden="Opgeheven", bewerkt={"modus": "verwijder", "naam": "Integraal wijkteam"},
                         gemaakt_op=2)
    assert "versie 3" in _melding(outputs, f"{ids.INSTELLINGEN_WW_MELDING}.children")
    history = _text_of(outputs[f"{ids.INSTELLINGEN_GESCHIEDENIS}-werkwijzen.children"])
    assert "Opgeheven" in history and "verwijderd: Integraal wijkteam" in history and "beheerder" in history
    loaded = load_config(config)
    assert [(w.naam, w.wijken, w.startdatum.isoformat()) for w in loaded.werkwijzen] == [
        ("Buurtteam", ("WK001401", "WK001402"), "2018-04-01")]
    assert [(c.versie, c.reden, c.door) for c in settings.history(settings.store_path(config))] == [
        (1, "Proef", "beheerder"), (2, "Uitbreiding", "beheerder"), (3, "Opgeheven", "beheerder")]


def test_werkwijze_errors_are_named_by_their_fields_and_the_parser_decides_the_rest(site):
    app, config, _db = site
    client = _client(app, "beheerder")
    outputs = _werkwijze(app, client, naam=" ", wijken=(), startdatum="2018-03-01", reden="")
    assert outputs[f"{ids.INSTELLINGEN_WW_NAAM}-fout.children"] == "Vul een naam in."
    assert outputs[f"{ids.INSTELLINGEN_WW_NAAM}-fout-label.children"] == " — Vul een naam in."
    assert outputs[f"{ids.INSTELLINGEN_WW_WIJKEN}-fout.children"] == "Kies ten minste één wijk."
    assert "dd-mm-jjjj" in outputs[f"{ids.INSTELLINGEN_WW_STARTDATUM}-fout.children"]
    assert outputs[f"{ids.INSTELLINGEN_WW_REDEN}-fout.children"] == "Vul de reden van de wijziging in."
    assert outputs[f"{ids.INSTELLINGEN_WW_OMSCHRIJVING}-fout.children"] == ""
    assert "4 velden verbeteren" in _melding(outputs, f"{ids.INSTELLINGEN_WW_MELDING}.children")
    outputs = _werkwijze(app, client, naam="Integraal wijkteam")  # a second one of that name: the parser's line
    assert _melding(outputs, f"{ids.INSTELLINGEN_WW_MELDING}.children") == (
        "Niet opgeslagen: werkwijze 'Integraal wijkteam' staat er twee keer in.")
    assert not settings.store_path(config).exists() or settings.history(settings.store_path(config)) == []


def test_a_werkwijze_edit_on_a_stale_page_is_refused_and_the_other_edit_kept(site):
    app, config, _db = site
    first, second = _client(app, "beheerder"), _client(app, "beheerder")
    _werkwijze(app, first, reden="Eerste")
    outputs = _werkwijze(app, second, naam="Ander team", reden="Tweede, op de oude stand")
    assert "intussen gewijzigd (versie 1)" in _melding(outputs, f"{ids.INSTELLINGEN_WW_MELDING}.children")
    assert [c.reden for c in settings.history(settings.store_path(config))] == ["Eerste"]


def test_amounts_in_dutch_notation_are_saved_and_wrong_ones_named_by_their_cell(site):
    app, config, _db = site
    client = _client(app, "beheerder")
    outputs = _amounts(app, client, "begroting", {"2016|wmo": "64.000.000", "2017|wmo": "", "2017|jeugdwet": "1.250.000,50",
                                                  "2018|participatiewet": "€ 130000000"})
    assert "Opgeslagen als versie 1" in _melding(outputs, f"{ids.INSTELLINGEN_MELDING}-begroting.children")
    assert load_config(config).begroting == {(2016, "wmo"): 64_000_000.0, (2017, "jeugdwet"): 1_250_000.5,
                                             (2018, "participatiewet"): 130_000_000.0}
    assert "2017 Jeugdwet: nieuw € 1.250.000,50" in _text_of(outputs[f"{ids.INSTELLINGEN_GESCHIEDENIS}-begroting.children"])
    outputs = _amounts(app, client, "begroting", {"2016|wmo": "64,000,000", "2017|wmo": "−5"}, gemaakt_op=1)
    melding = _melding(outputs, f"{ids.INSTELLINGEN_MELDING}-begroting.children")
    assert melding.startswith("Niet opgeslagen: Begroting 2016, Wmo: ‘64,000,000’ is geen bedrag in euro") and "1 andere" in melding
    table = json.dumps(outputs[f"{ids.INSTELLINGEN_BEDRAGEN}-begroting.children"], ensure_ascii=False)
    assert "Begroting 2017, Wmo, in euro" in table and "— ‘−5’ is geen bedrag" in table  # the error is in the cell's label
    outputs = _amounts(app, client, "begroting", {"2016|wmo": "64.000.000", "2017|jeugdwet": "1.250.000,50",
                                                  "2018|participatiewet": "130.000.000"}, gemaakt_op=1)
    assert _melding(outputs, f"{ids.INSTELLINGEN_MELDING}-begroting.children") == "Niet opgeslagen: er is niets gewijzigd."
    outputs = _amounts(app, client, "taakstelling", {"2019|jeugdwet": "2.000.000"}, reden=" ")
    assert _melding(outputs, f"{ids.INSTELLINGEN_MELDING}-taakstelling.children") == (
        "Niet opgeslagen: vul de reden van de wijziging in.")
    assert outputs[f"{ids.INSTELLINGEN_REDEN}-taakstelling-fout-label.children"] == " — Vul de reden van de wijziging in."
    assert len(settings.history(settings.store_path(config))) == 1


def test_the_page_says_which_version_the_published_figures_use(site, page):
    app, config, db = site
    client = _client(app, "beheerder")
    _amounts(app, client, "taakstelling", {"2019|jeugdwet": "2.000.000"})
    with app.server.test_request_context():
        flask.g.wijkmonitor_user = User("beheerder", "beheer")
        shown = _text(page.layout())
        assert "monitor.toml zonder wijzigingen uit dit scherm (versie 0)" in shown
        assert "staan nu op versie 1: uw wijziging gaat in bij de volgende verwerking" in shown
        with duckdb.connect(str(db)) as con:
            con.execute("INSERT INTO meta VALUES ('instellingen_versie', '1'), ('instellingen_op', '2026-11-30T21:05:00')")
        shown = _text(page.layout())
        assert "gebruiken versie 1 van de instellingen (30 november 2026 21:05)" in shown
        assert "volgende verwerking (wijkmonitor" not in shown


@pytest.mark.parametrize(("text", "expected"), [
    ("1.250.000", 1_250_000.0), ("1250000", 1_250_000.0), ("1.250.000,5", 1_250_000.5), ("€ 7.500.000", 7_500_000.0),
    ("0", 0.0), ("", None), (" ", None),
])
def test_dutch_amounts_are_read(page, text, expected):
    assert page.parse_euros(text) == expected


@pytest.mark.parametrize("text", ["1,250,000", "1.25", "12.3456", "-5", "−5", "1.250.000,505", "veel"])
def test_ambiguous_or_negative_amounts_are_refused(page, text):
    with pytest.raises(ValueError):
        page.parse_euros(text)


def test_what_changed_is_said_in_dutch(page):
    before = [{"naam": "A", "omschrijving": "x", "wijken": ["WK1", "WK2"], "startdatum": "2017-01-01"},
              {"naam": "B", "omschrijving": "y", "wijken": ["WK3"], "startdatum": "2017-01-01"}]
    after = [{"naam": "A", "omschrijving": "x", "wijken": ["WK2", "WK4"], "startdatum": "2018-01-01"},
             {"naam": "C", "omschrijving": "z", "wijken": ["WK3"], "startdatum": "2019-01-01"}]
    assert page.describe("werkwijzen", before, after, {"WK1": "Centrum", "WK4": "Oost"}) == [
        "toegevoegd: C", "verwijderd: B",
        "gewijzigd: A (wijken erbij: Oost; wijken eraf: Centrum; startdatum 1 januari 2017 → 1 januari 2018)"]
    assert page.describe("begroting", {"wmo": {"2020": 1_000_000, "2021": 5}}, {"wmo": {"2020": 1_500_000}, "jeugdwet": {"2020": 7}},
                         {}) == ["2020 Jeugdwet: nieuw € 7", "2020 Wmo: € 1.000.000 → € 1.500.000",
                                 "2021 Wmo: verwijderd (was € 5)"]


def _revert(app, client, onderdeel: str, reden="Terug naar de raadsbegroting", gemaakt_op=0) -> dict:
    outputs = _post(app, client, f"{ids.INSTELLINGEN_TERUG}-{onderdeel}", [reden, gemaakt_op])
    return {key.split("@")[0]: value for key, value in outputs.items()}  # outputs shared with the save: 'x.data@hash'


def test_a_section_goes_back_to_monitor_toml_with_reason_history_and_the_same_checks(site):
    app, config, _db = site
    client = _client(app, "beheerder")
    melding = f"{ids.INSTELLINGEN_TERUG_MELDING}-begroting.children"
    # nothing edited yet: monitor.toml already holds, nothing stored
    assert "komen al uit monitor.toml" in _melding(_revert(app, client, "begroting"), melding)
    _amounts(app, client, "begroting", {"2016|wmo": "70.000.000"})
    assert load_config(config).begroting == {(2016, "wmo"): 70_000_000.0}
    # a reason is required; a stale page (made on version 0 while the begroting is at 1) is refused
    outputs = _revert(app, client, "begroting", reden=" ", gemaakt_op=1)
    assert outputs[f"{ids.INSTELLINGEN_TERUG_REDEN}-begroting-fout.children"] == "Vul de reden van het terugzetten in."
    assert "intussen gewijzigd (versie 1)" in _melding(_revert(app, client, "begroting", gemaakt_op=0), melding)
    # other roles are refused on the server
    assert "Uw rol mag de instellingen niet wijzigen" in _melding(_revert(app, _client(app, "anna"), "begroting",
                                                                          gemaakt_op=1), melding)
    outputs = _revert(app, client, "begroting", gemaakt_op=1)
    assert "Teruggezet naar monitor.toml als versie 2" in _melding(outputs, melding)
    assert outputs[f"{ids.INSTELLINGEN_STAND}-begroting.data"] == 2
    assert _text_of(outputs[f"{ids.INSTELLINGEN_BEDRAGEN}-begroting-bron.children"]) == "Bron: monitor.toml."
    history = _text_of(outputs[f"{ids.INSTELLINGEN_GESCHIEDENIS}-begroting.children"])
    assert "Terug naar de raadsbegroting" in history and "2016 Wmo: € 70.000.000 → € 64.000.000" in history
    assert load_config(config).begroting == {(2016, "wmo"): 64_000_000.0}
    assert [(c.versie, c.inhoud is None) for c in settings.history(settings.store_path(config))] == [(1, False), (2, True)]


def test_werkwijzen_go_back_to_monitor_toml(site):
    app, config, _db = site
    client = _client(app, "beheerder")
    _werkwijze(app, client)  # Buurtteam added: version 1
    outputs = _revert(app, client, "werkwijzen", reden="Proef gestopt", gemaakt_op=1)
    assert "versie 2" in _melding(outputs, f"{ids.INSTELLINGEN_TERUG_MELDING}-werkwijzen.children")
    assert "Buurtteam" not in _text_of(outputs[f"{ids.INSTELLINGEN_WERKWIJZEN}.children"])
    assert "verwijderd: Buurtteam" in _text_of(outputs[f"{ids.INSTELLINGEN_GESCHIEDENIS}-werkwijzen.children"])
    assert [w.naam for w in load_config(config).werkwijzen] == ["Integraal wijkteam"]
