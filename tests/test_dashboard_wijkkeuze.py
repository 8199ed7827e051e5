"""Choosing an area when the store holds many gemeenten (3,300 wijken, 4,620 areas nationally): the gemeente first,
then a list of only its areas (Wijkprofiel: wijken; Indicator and the PDCA form: the gemeente, its gebieden and
wijken); deep links keep working, a city sees its one list as before. The store: the hand-made one (20 wijken of
one gemeente) and its copy into four gemeenten (test_dashboard_paging.py, as benchmarks/national_store.py copies)."""

from __future__ import annotations

import json
import re

import dash

from fixtures.components import component_text as _text
from fixtures.components import registered_page as _page
from test_dashboard_paging import (  # noqa: F401 - module fixtures
    GEMEENTEN, PEILDATUM, _find, _json, _own_areas, _post, _table_rows, app, city_app, stores,
)

from dashboard import ids
from dashboard.data import published


def _layout(application, **query):
    with application.server.test_request_context():
        return _page("wijkprofiel")["layout"](**query)


def _codes(options) -> list[str]:
    return [o["value"] for o in options]


def test_every_wijk_belongs_to_exactly_one_gemeente(stores):  # noqa: F811
    data = published(stores[1])
    per = data.areas_per_gemeente(("wijk",))
    # the copies are named GM9001.. after the original GM0014, each with the original's 20 wijken
    assert sorted(per) == ["GM0014", *(f"GM{9001 + i}" for i in range(GEMEENTEN - 1))]
    assert all(len(options) == 20 for options in per.values())
    every = [code for options in per.values() for code in _codes(options)]
    assert sorted(every) == sorted(data.areas("wijk")["gebiedcode"].to_list())
    assert all(code[2:6] == gemeente[2:6] for gemeente, options in per.items() for code in _codes(options))
    assert data.gemeente_of("WK900205", ("wijk",)) == "GM9002" and data.gemeente_of("WK999999") is None
    assert data.gemeente_of("GB900201", ("wijk",)) is None  # a gebied is no wijk
    labels = [o["label"] for o in per["GM9002"]]
    assert labels == sorted(labels)


def test_one_gemeente_lists_its_wijken_without_asking_for_the_gemeente(city_app, stores):  # noqa: F811
    layout = _layout(city_app, wijk="WK001405")
    assert _find(layout, ids.PROFIEL_GEMEENTE_KEUZE).hidden is True
    wijk = _find(layout, ids.PROFIEL_WIJK)
    assert wijk.value == "WK001405"
    assert sorted(_codes(wijk.options)) == sorted(published(stores[0]).areas("wijk")["gebiedcode"].to_list())


def test_a_deep_link_opens_the_wijk_with_only_its_gemeentes_wijken_listed(app):  # noqa: F811
    layout = _layout(app, wijk="WK900205")
    assert _find(layout, ids.PROFIEL_GEMEENTE_KEUZE).hidden is False
    gemeente = _find(layout, ids.PROFIEL_GEMEENTE)
    assert gemeente.value == "GM9002" and len(gemeente.options) == GEMEENTEN
    wijk = _find(layout, ids.PROFIEL_WIJK)
    assert wijk.value == "WK900205"
    assert len(wijk.options) == 20 and all(code.startswith("WK9002") for code in _codes(wijk.options))
    assert _find(layout, ids.PROFIEL_TITEL).children.startswith(wijk.options[_codes(wijk.options).index("WK900205")]["label"])


def test_an_unknown_wijk_says_so_and_shows_a_wijk_of_the_gemeente(app):  # noqa: F811
    layout = _layout(app, wijk="WK999999")
    assert "Wijk 'WK999999' bestaat niet" in _text(layout)
    assert _find(layout, ids.PROFIEL_GEMEENTE).value == "GM0014"
    assert _find(layout, ids.PROFIEL_WIJK).value.startswith("WK0014")


def test_choosing_a_gemeente_lists_its_wijken_and_shows_its_first(app):  # noqa: F811
    changed = f"{ids.PROFIEL_GEMEENTE}.value"
    response = _post(app, ids.PROFIEL_WIJK, {changed: "GM9003", f"{ids.PROFIEL_WIJK}.value": "WK900205"}, changed)
    options, value = response[ids.PROFIEL_WIJK]["options"], response[ids.PROFIEL_WIJK]["value"]
    assert len(options) == 20 and all(code.startswith("WK9003") for code in _codes(options))
    labels = [o["label"] for o in options]
    assert labels == sorted(labels) and value == options[0]["value"]  # the first by name
    # the wijk shown already lies in the chosen gemeente: it stays
    kept = _post(app, ids.PROFIEL_WIJK, {changed: "GM9003", f"{ids.PROFIEL_WIJK}.value": "WK900307"}, changed)
    assert kept[ids.PROFIEL_WIJK]["value"] == "WK900307"


# ---- The Indicator page and the PDCA form ask for the gemeente first too (one component: components.area_choice) ----

def _page_layout(application, page: str, **query):
    """A page's layout as the programme team sees it (the PDCA form is for those who may write actions)."""
    import flask

    from dashboard.security import User

    with application.server.test_request_context():
        flask.g.wijkmonitor_user = User("anna", "programmateam")
        return _page(page)["layout"](**query)


def test_at_city_scale_the_area_lists_are_as_before(city_app, stores):  # noqa: F811
    data = published(stores[0])
    # the one list of every area the pages showed: the gemeente, then the gebieden, then the wijken, each by name
    before = [{"label": f"{naam} ({niveau})", "value": code} for niveau in ("gemeente", "gebied", "wijk")
              for code, naam in data.areas(niveau).select("gebiedcode", "gebiedsnaam").iter_rows()]
    indicator = _page_layout(city_app, "indicator", gebied="GB001405", vergelijk="WK001402")
    for keuze in (ids.gemeente_keuze(ids.INDICATOR_GEMEENTE), ids.gemeente_keuze(ids.INDICATOR_VERGELIJK_GEMEENTE)):
        assert _find(indicator, keuze).hidden is True
    assert _find(indicator, ids.INDICATOR_GEBIEDEN).options == before
    assert _find(indicator, ids.INDICATOR_VERGELIJK).options == [{"label": "geen", "value": "geen"}, *before]
    assert (_find(indicator, ids.INDICATOR_GEBIEDEN).value, _find(indicator, ids.INDICATOR_VERGELIJK).value) \
        == ("GB001405", "WK001402")
    overzicht = _page_layout(city_app, "overzicht", gebied="GB001405")
    assert _find(overzicht, ids.gemeente_keuze(ids.OVERZICHT_GEMEENTE)).hidden is True
    assert _find(overzicht, ids.OVERZICHT_GEBIED).options == [o for o in before if not o["value"].startswith("WK")]
    assert _find(overzicht, ids.OVERZICHT_GEBIED).value == "GB001405"
    pdca = _page_layout(city_app, "pdca")
    assert _find(pdca, ids.gemeente_keuze(ids.PDCA_GEMEENTE)).hidden is True
    assert _find(pdca, ids.PDCA_GEBIED).options == before and _find(pdca, ids.PDCA_GEBIED).value == "GM0014"


def test_an_indicator_deep_link_lists_only_the_gemeentes_areas(app, stores):  # noqa: F811
    data = published(stores[1])
    layout = _page_layout(app, "indicator", id="zelfredzaamheid", gebied="GB900203", vergelijk="WK900305")
    assert _find(layout, ids.gemeente_keuze(ids.INDICATOR_GEMEENTE)).hidden is False
    assert _find(layout, ids.INDICATOR_GEMEENTE).value == "GM9002"
    gebied = _find(layout, ids.INDICATOR_GEBIEDEN)
    assert gebied.value == "GB900203" and _codes(gebied.options) == _own_areas(data, "GM9002")
    assert gebied.options[0] == {"label": f"{data.area_name('GM9002')} (gemeente)", "value": "GM9002"}
    assert all(code[2:6] == "9002" for code in _codes(gebied.options))
    assert _find(layout, ids.INDICATOR_VERGELIJK_GEMEENTE).value == "GM9003"
    vergelijk = _find(layout, ids.INDICATOR_VERGELIJK)
    assert vergelijk.value == "WK900305" and _codes(vergelijk.options) == ["geen", *_own_areas(data, "GM9003")]
    # the panels and the table: the chosen area's gemeente, the area, the comparison
    shown = [row[0] for row in _table_rows(_json(_find(layout, ids.INDICATOR_TABEL_BLOK)))]
    assert list(dict.fromkeys(shown)) == [data.area_name(code) for code in ("GM9002", "GB900203", "WK900305")]


def test_choosing_a_gemeente_on_the_indicator_page_lists_its_areas(app, stores):  # noqa: F811
    data = published(stores[1])
    changed = f"{ids.INDICATOR_GEMEENTE}.value"
    answer = _post(app, f"{ids.INDICATOR_GEBIEDEN}.options",
                      {changed: "GM9003", f"{ids.INDICATOR_GEBIEDEN}.value": "GB900203"}, changed)[ids.INDICATOR_GEBIEDEN]
    assert _codes(answer["options"]) == _own_areas(data, "GM9003") and answer["value"] == "GM9003"  # the gemeente first
    changed = f"{ids.INDICATOR_VERGELIJK_GEMEENTE}.value"
    for shown, kept in (("geen", "geen"), ("WK900305", "WK900305"), ("WK900205", "geen")):
        answer = _post(app, f"{ids.INDICATOR_VERGELIJK}.options",
                          {changed: "GM9003", f"{ids.INDICATOR_VERGELIJK}.value": shown}, changed)[ids.INDICATOR_VERGELIJK]
        assert _codes(answer["options"]) == ["geen", *_own_areas(data, "GM9003")] and answer["value"] == kept


def test_the_pdca_form_asks_for_the_gemeente_and_stores_the_chosen_code(app, stores):  # noqa: F811
    from dashboard.acties import actions_of
    from pathlib import Path

    from dashboard.components import STATE_KEY

    data = published(stores[1])
    layout = _page_layout(app, "pdca")
    assert _find(layout, ids.gemeente_keuze(ids.PDCA_GEMEENTE)).hidden is False
    assert _codes(_find(layout, ids.PDCA_GEBIED).options) == _own_areas(data, "GM0014")
    changed = f"{ids.PDCA_GEMEENTE}.value"
    answer = _post(app, f"{ids.PDCA_GEBIED}.options", {changed: "GM9002", f"{ids.PDCA_GEBIED}.value": "GM0014"},
                      changed)[ids.PDCA_GEBIED]
    assert _codes(answer["options"]) == _own_areas(data, "GM9002") and answer["value"] == "GM9002"
    values = {"pdca-opslaan.n_clicks": 1, "pdca-peildatum.value": "2017-01-01", "pdca-indicator.value": "zelfredzaamheid",
              "pdca-gebied.value": "WK900205", "pdca-omschrijving.value": "Huisbezoeken", "pdca-status.value": "open",
              "pdca-versie.data": 0}
    answer = _post(app, "pdca-versie.data", values, "pdca-opslaan.n_clicks")
    assert answer["pdca-versie"]["data"] == 1
    stored = [a for a in actions_of(Path(app.server.config[STATE_KEY]), PEILDATUM) if a.omschrijving == "Huisbezoeken"]
    assert [a.gebiedcode for a in stored] == ["WK900205"]


def test_a_signal_of_another_gemeente_chooses_that_gemeente_in_the_form(app, stores):  # noqa: F811
    from dashboard.signals import signals

    data = published(stores[1])
    signal = next(r for r in signals(data, PEILDATUM).iter_rows(named=True) if r["gebiedcode"][2:6] == "9003")
    pdca = __import__(_page("pdca")["module"], fromlist=["form_values"])
    with app.server.test_request_context():
        filled = pdca.form_values({"type": ids.PDCA_SIGNAAL_KNOP, "index": f"{signal['indicator']}|{signal['gebiedcode']}"},
                                  PEILDATUM.isoformat(), "zelfredzaamheid", "GM0014")
    form = {f"{o.component_id}.{o.component_property}": value for o, value in zip(pdca.FORM_FIELDS, filled, strict=False)}
    assert (form["pdca-gemeente.value"], form["pdca-gebied.value"]) == ("GM9003", signal["gebiedcode"])
    with app.server.test_request_context():  # from an area of the same gemeente: the choice stays (no second request)
        again = pdca.form_values({"type": ids.PDCA_SIGNAAL_KNOP, "index": f"{signal['indicator']}|{signal['gebiedcode']}"},
                                 PEILDATUM.isoformat(), "zelfredzaamheid", "GB900301")
    assert again[[f"{o.component_id}.{o.component_property}" for o in pdca.FORM_FIELDS].index("pdca-gemeente.value")] \
        is dash.no_update
    # the chosen gemeente then lists its areas and keeps the signal's area
    changed = f"{ids.PDCA_GEMEENTE}.value"
    listed = _post(app, f"{ids.PDCA_GEBIED}.options", {changed: "GM9003", f"{ids.PDCA_GEBIED}.value": signal["gebiedcode"]},
                      changed)[ids.PDCA_GEBIED]
    assert listed["value"] == signal["gebiedcode"] and signal["gebiedcode"] in _codes(listed["options"])


def test_overzicht_asks_for_the_gemeente_and_shows_that_gemeentes_attention_points(app, stores):  # noqa: F811
    data = published(stores[1])
    layout = _page_layout(app, "overzicht", gebied="GM9002", peildatum=PEILDATUM.isoformat())
    assert _find(layout, ids.gemeente_keuze(ids.OVERZICHT_GEMEENTE)).hidden is False
    gebied = _find(layout, ids.OVERZICHT_GEBIED)
    assert gebied.value == "GM9002" and _codes(gebied.options) == [c for c in _own_areas(data, "GM9002") if c[:2] != "WK"]
    # its attention points are those of its own areas: the gemeente, its gebieden and wijken (not only the gemeente's)
    hrefs = re.findall(r"gebied=(\w+)", json.dumps(_json(_find(layout, ids.OVERZICHT_AANDACHT))))
    assert hrefs and {code[2:6] for code in hrefs} == {"9002"} and {code[:2] for code in hrefs} - {"GM"}
    # the gemeente the store names first (the default view) shows its own too, not the country's
    default = re.findall(r"gebied=(\w+)", json.dumps(_json(_find(_page_layout(app, "overzicht", peildatum=PEILDATUM.isoformat()),
                                                               ids.OVERZICHT_AANDACHT))))
    assert default and {code[2:6] for code in default} == {data.gemeente()[0][2:6]}
    changed = f"{ids.OVERZICHT_GEMEENTE}.value"
    answer = _post(app, f"{ids.OVERZICHT_GEBIED}.options", {changed: "GM9003", f"{ids.OVERZICHT_GEBIED}.value": "GM9002"},
                      changed)[ids.OVERZICHT_GEBIED]
    assert answer["value"] == "GM9003" and all(code[2:6] == "9003" for code in _codes(answer["options"]))
