"""Choosing a wijk on Wijkprofiel when the store holds many gemeenten (3,300 wijken nationally): the gemeente
first, then a list of only its wijken; deep links (?wijk=) keep working. The store: the hand-made one (20 wijken of
one gemeente) and its copy into four gemeenten (test_dashboard_paging.py, as benchmarks/national_store.py copies)."""

from __future__ import annotations

from fixtures.components import component_text as _text
from fixtures.components import registered_page as _page
from test_dashboard_paging import GEMEENTEN, _find, _post, app, city_app, stores  # noqa: F401 - module fixtures

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
