"""Load on `wijkmonitor serve` with several gunicorn workers, and PDCA actions saved by 10 users at once.

The slow tests start the real server as a subprocess on a free loopback port over the small hand-made
store; the load test replays the requests a headless Chromium recorded for every page and interaction.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from fixtures.published_store import build_published_store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import (  # noqa: E402
    Client,
    Step,
    callback_body,
    check,
    concurrent_actions,
    find_dependency,
    kind_of,
    percentile,
    record_actions,
    require_loopback,
    run_load,
    serving,
)
from dashboard.headless import CHROMEDRIVER, CHROMIUM  # noqa: E402
from dashboard.acties import actions_of  # noqa: E402
from core.errors import WijkmonitorError  # noqa: E402

USERS = 50
SECONDS = 60
WORKERS = 2
LATEST = date(2017, 1, 1)  # the fixture store's last peildatum


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, actions store) of `wijkmonitor serve --workers 2` on the fixture store."""
    folder = tmp_path_factory.mktemp("load")
    db = build_published_store(folder / "monitor.duckdb")
    state = folder / "state.sqlite"
    with serving(db, state, folder / "serve.log", workers=WORKERS) as url:
        yield url, state


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Debian chromium/chromedriver not installed")
def test_fifty_users_for_a_minute_get_no_errors(server, capsys):
    url, _state = server
    actions = record_actions(url)
    report = run_load(url, users=USERS, seconds=SECONDS, actions=actions)
    with capsys.disabled():
        print(f"\nwijkmonitor serve --workers {WORKERS}, fixture store\n{report.text()}")
    assert report.errors == 0, report.error_examples
    assert report.seconds >= SECONDS
    assert all(report.kinds[kind].requests > 0 for kind in ("page", "layout", "dependencies", "callback"))
    # interactions were replayed too, not only the callback that renders each opened page
    assert report.kinds["callback"].requests > report.kinds["page"].requests
    assert report.requests == sum(stats.requests for stats in report.kinds.values())


@pytest.mark.slow
def test_ten_users_saving_actions_at_once_lose_none(server):
    url, state = server
    report = concurrent_actions(url, writers=10)
    assert report.errors == []
    assert report.confirmed == 10
    assert sorted(report.occurrences.values()) == [1] * 10  # each action once in the page's actions view
    stored = [actie.omschrijving for actie in actions_of(state, LATEST)]
    assert sorted(text for text in stored if text in report.occurrences) == sorted(report.occurrences)


@pytest.mark.slow
def test_an_overlong_address_is_refused_by_the_server_which_keeps_serving(server):
    url, _state = server
    host, port = require_loopback(url)
    client = Client(host, port)
    try:
        status, content = client.request("GET", "/wijkprofiel?wijk=" + "A" * 3000)
        assert status == 200 and b'<html lang="nl">' in content  # the page; it says in Dutch that the wijk is unknown
        # gunicorn refuses request lines over 4094 bytes before the app sees them
        status, content = client.request("GET", "/wijkprofiel?wijk=" + "A" * 100_000)
        assert status == 414 and b"Request Line is too large" in content
        assert client.request("GET", "/_dash-layout")[0] == 200
    finally:
        client.close()


@pytest.mark.parametrize("url", ["http://10.0.0.5:8050", "http://192.168.1.2:80", "http://example.org:80",
                                 "https://127.0.0.1:443", "http://127.0.0.1"])
def test_load_refuses_anything_but_loopback(url):
    with pytest.raises(WijkmonitorError, match="alleen http://127.0.0.1"):
        require_loopback(url)


def test_loopback_addresses_are_allowed():
    assert require_loopback("http://127.0.0.1:8050") == ("127.0.0.1", 8050)
    assert require_loopback("http://localhost:9000/") == ("localhost", 9000)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.95) == 0.0


@pytest.mark.parametrize(("path", "kind"), [
    ("/wijken?id=x", "page"), ("/", "page"), ("/_dash-layout", "layout"), ("/_dash-dependencies", "dependencies"),
    ("/_dash-update-component?endId=abc", "callback"), ("/assets/style.css?m=1", None),
    ("/_dash-component-suites/dash/dcc/x.js", None), ("/_favicon.ico?v=4", None),
])
def test_recorded_paths_are_sorted_into_kinds(path, kind):
    assert kind_of(path) == kind


def test_errors_are_non_2xx_empty_or_callbacks_without_response():
    page = Step("page", "GET", "/wijken")
    callback = Step("callback", "POST", "/_dash-update-component", b"{}")
    assert check(page, 200, b"<html>") is None
    assert "HTTP 500" in check(page, 500, b"Internal Server Error")
    assert "empty" in check(page, 200, b"")
    assert check(callback, 200, b'{"response": {"a": {"children": 1}}}') is None
    assert "without 'response'" in check(callback, 200, b'{"multi": true}')
    assert "not JSON" in check(callback, 200, b"<html>")
    assert "HTTP 401" in check(callback, 401, b"Niet ingelogd.")


def test_callback_body_from_dependencies_matches_what_the_renderer_sends():
    dependencies = [
        {"output": "other.children", "inputs": [{"id": "x", "property": "value"}], "state": []},
        {"output": "..pdca-versie.data...pdca-melding.children..",
         "inputs": [{"id": "pdca-opslaan", "property": "n_clicks"}],
         "state": [{"id": "pdca-notitie", "property": "value"}, {"id": "pdca-eigenaar", "property": "value"}]},
    ]
    dependency = find_dependency(dependencies, "pdca-melding.children")
    body = callback_body(dependency, {"pdca-opslaan.n_clicks": 1, "pdca-notitie.value": "tekst"}, ["pdca-opslaan.n_clicks"])
    assert body == (
        b'{"output": "..pdca-versie.data...pdca-melding.children..", "outputs": [{"id": "pdca-versie", "property": "data"},'
        b' {"id": "pdca-melding", "property": "children"}], "inputs": [{"id": "pdca-opslaan", "property": "n_clicks",'
        b' "value": 1}], "state": [{"id": "pdca-notitie", "property": "value", "value": "tekst"}, {"id": "pdca-eigenaar",'
        b' "property": "value", "value": null}], "changedPropIds": ["pdca-opslaan.n_clicks"], "parsedChangedPropsIds":'
        b' ["pdca-opslaan.n_clicks"]}'
    )
    assert find_dependency(dependencies, "other.children") is dependencies[0]
    with pytest.raises(WijkmonitorError, match="geen callback voor nergens.value"):
        find_dependency(dependencies, "nergens.value")
