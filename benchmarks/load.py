"""Load test of the served dashboard: many concurrent users on loopback, and PDCA actions saved at once.

    .venv/bin/python benchmarks/load.py --db data/demo/monitor.duckdb [--users 50] [--seconds 60] [--workers 4] [--think 1.0]

Starts `wijkmonitor serve` with several gunicorn workers on a free loopback port (actions go to a scratch
store), records once in headless Chromium the requests a browser really makes for every page and a few
interactions (page HTML, /_dash-layout, /_dash-dependencies and the /_dash-update-component callback
POSTs), replays them from `users` threads for `seconds`, then lets 10 users save a PDCA action at the same
moment through the real save callback, and stops the server. Exit code 1 on any error or lost action.

Traffic goes only to the loopback address, every request has a timeout, and the run ends by itself.
The load generator runs on the same machine as the server and competes with it for the CPU.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.errors import WijkmonitorError  # noqa: E402

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
KINDS = ("page", "layout", "dependencies", "callback")
CALLBACK_PATH = "/_dash-update-component"
SAVED = "Actie opgeslagen."  # the PDCA page's confirmation (dashboard/pages/pdca.py, SAVED)
REQUEST_TIMEOUT_S = 30.0
# gunicorn closes an idle keep-alive connection after 2 s; reconnect well before that so a request
# never races the server's close (browsers retry in that case; this client does not retry at all).
REUSE_IDLE_S = 1.0
MAX_REQUESTS = 500_000  # a hard bound on one run, far above what 2 cores serve in a few minutes

# Pages as the browser tests open them, and interactions per page: (dropdown id, option value).
PAGES = {
    "overzicht": "/",
    "wijken": "/wijken",
    "indicator": "/indicator?id=zelfredzaamheid",
    "wijkprofiel": "/wijkprofiel?wijk=WK001401",
    "pdca": "/pdca",
    "datakwaliteit": "/datakwaliteit",
    "over": "/over",
}
INTERACTIONS = {
    "overzicht": [("overzicht-gebied", "GB001405")],
    "wijken": [("vergelijk-indicator", "jeugd_gedwongen_kader"), ("vergelijk-peildatum", "2015-01-01"),
               ("vergelijk-gebied", "GB001405")],
    "indicator": [("indicator-keuze", "tevredenheid")],
    "wijkprofiel": [("profiel-wijk", "WK001413"), ("profiel-peildatum", "2015-01-01")],
    "pdca": [("pdca-peildatum", "2015-01-01")],
}


@dataclass(frozen=True)
class Step:
    """One HTTP request a browser makes."""

    kind: str  # page, layout, dependencies or callback
    method: str
    path: str
    body: bytes | None = None


# What a user does at once: open a page (its HTML, layout, dependencies, routing callback) or one interaction.
Action = tuple[Step, ...]


@dataclass(frozen=True)
class KindStats:
    """Latency of one kind of request in milliseconds."""

    requests: int
    errors: int
    median_ms: float
    p95_ms: float
    max_ms: float


@dataclass(frozen=True)
class LoadReport:
    """The outcome of one load run."""

    users: int
    seconds: float
    think_s: float
    requests: int
    errors: int
    error_examples: list[str]
    kinds: dict[str, KindStats]
    overall: KindStats
    pages: dict[str, KindStats] = field(default_factory=dict)  # every request made for a page (open + interactions)

    @property
    def throughput(self) -> float:
        """Requests per second over the run."""
        return self.requests / self.seconds if self.seconds else 0.0

    def text(self) -> str:
        """The report as printed by the CLI."""
        lines = [
            f"Load: {self.users} concurrent users for {self.seconds:.1f} s, think time {self.think_s:.1f} s "
            f"(uniform {self.think_s / 2:.1f}-{self.think_s * 1.5:.1f} s) between actions",
            f"requests {self.requests}, errors {self.errors}, throughput {self.throughput:.1f} requests/s",
            f"{'kind':<13}{'requests':>9}{'errors':>8}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}",
        ]
        for kind, stats in [*self.kinds.items(), ("all", self.overall)]:
            lines.append(f"{kind:<13}{stats.requests:>9}{stats.errors:>8}{stats.median_ms:>11.1f}{stats.p95_ms:>9.1f}"
                         f"{stats.max_ms:>9.1f}")
        lines.append(f"{'page':<13}{'requests':>9}{'errors':>8}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
        for page, stats in self.pages.items():
            lines.append(f"{page:<13}{stats.requests:>9}{stats.errors:>8}{stats.median_ms:>11.1f}{stats.p95_ms:>9.1f}"
                         f"{stats.max_ms:>9.1f}")
        lines += [f"error: {example}" for example in self.error_examples]
        lines.append(f"Load generator and server share this machine ({os.cpu_count()} cores): the latencies include "
                     "the load generator's competition for the CPU.")
        return "\n".join(lines)


@dataclass(frozen=True)
class ActionsReport:
    """The outcome of saving PDCA actions concurrently: how often each action appears in the session afterwards."""

    writers: int
    confirmed: int  # responses that said 'Actie opgeslagen.'
    errors: list[str]
    occurrences: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> list[str]:
        """Actions that were sent but are not in the session."""
        return [text for text, count in self.occurrences.items() if count == 0]

    @property
    def duplicated(self) -> list[str]:
        """Actions that are in the session more than once."""
        return [text for text, count in self.occurrences.items() if count > 1]

    @property
    def ok(self) -> bool:
        """Every action confirmed and present exactly once."""
        return not self.errors and self.confirmed == self.writers and not self.lost and not self.duplicated

    def text(self) -> str:
        """The report as printed by the CLI."""
        lines = [f"PDCA actions: {self.writers} users saved at once; {self.confirmed} confirmed, "
                 f"{sum(1 for c in self.occurrences.values() if c == 1)} present exactly once, "
                 f"{len(self.lost)} lost, {len(self.duplicated)} duplicated"]
        return "\n".join(lines + [f"error: {error}" for error in self.errors])


def require_loopback(base_url: str) -> tuple[str, int]:
    """(host, port) of base_url; refuses anything but a loopback address, so this never loads another machine."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not (host in LOOPBACK_HOSTS or host.startswith("127.")) or parts.port is None:
        raise WijkmonitorError(f"load: alleen http://127.0.0.1:POORT is toegestaan, niet {base_url!r}")
    return host, parts.port


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0.0
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def kind_of(path: str) -> str | None:
    """The kind of a recorded request path, or None for static files the browser caches."""
    if path.startswith(("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/_reload-hash")):
        return None
    if path.startswith("/_dash-layout"):
        return "layout"
    if path.startswith("/_dash-dependencies"):
        return "dependencies"
    if path.startswith(CALLBACK_PATH):
        return "callback"
    return "page"


class Client:
    """One user's HTTP connection (keep-alive), reopened when it sat idle."""

    def __init__(self, host: str, port: int, timeout: float = REQUEST_TIMEOUT_S):
        self._host, self._port, self._timeout = host, port, timeout
        self._connection: http.client.HTTPConnection | None = None
        self._last_used = 0.0

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        """Send one request; (status, body). Any failure closes the connection and raises."""
        if self._connection is None or time.monotonic() - self._last_used > REUSE_IDLE_S:
            self.close()
            self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        headers = {"Accept": "application/json" if body is not None else "text/html,*/*"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self._connection.request(method, path, body=body, headers=headers)
            response = self._connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        self._last_used = time.monotonic()
        if response.will_close:
            self.close()
        return response.status, content

    def close(self) -> None:
        """Close the connection if open."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def check(step: Step, status: int, content: bytes) -> str | None:
    """Why a response is an error, or None: any non-2xx, an empty page, a callback without its response."""
    if not 200 <= status < 300:
        return f"{step.method} {step.path[:80]}: HTTP {status} {content[:120]!r}"
    if not content:
        return f"{step.method} {step.path[:80]}: empty response"
    if step.kind == "callback":
        try:
            answer = json.loads(content)
        except ValueError:
            return f"POST {step.path[:60]}: callback answer is not JSON"
        if not isinstance(answer, dict) or "response" not in answer:
            return f"POST {step.path[:60]}: callback answer without 'response'"
    return None


# ---------------------------------------------------------------- recording in a real browser


def _recording_driver():
    """Headless Chromium with the DevTools performance log (network events) switched on."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from dashboard.headless import CHROMEDRIVER, CHROMIUM, CHROMIUM_ARGS

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGS:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def _recorded_steps(driver, base_url: str) -> list[Step]:
    """The requests to base_url in the performance log since it was last read, in order."""
    steps = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        if not request["url"].startswith(base_url + "/"):
            continue
        path = request["url"][len(base_url):]
        kind = kind_of(path)
        if kind is None:
            continue
        body = None
        if request.get("hasPostData"):
            if "postData" not in request:
                raise WijkmonitorError(f"load: opname zonder inhoud voor {path}")
            body = request["postData"].encode("utf-8")
        steps.append(Step(kind, request["method"], path, body))
    return steps


def _choose(driver, dropdown_id: str, value: str) -> None:
    """Pick an option in a native select or a Dash dropdown by value, as a user would, and wait for the callback."""
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from dashboard.headless import wait_for_dash

    control = WebDriverWait(driver, 20).until(lambda d: d.find_element("id", dropdown_id))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", control)
    if control.tag_name == "select":
        Select(control).select_by_value(value)
        time.sleep(0.3)
        wait_for_dash(driver)
        return
    control.click()
    option = WebDriverWait(driver, 10).until(lambda d: d.find_element("css selector", f"[role=option] input[value='{value}']"))
    # A script click: in a long list the dropdown's sticky search box can cover the option for a pointer click.
    driver.execute_script("arguments[0].click()", option.find_element("xpath", "./ancestor::*[@role='option']"))
    time.sleep(0.3)  # the callback request starts after the dropdown closes
    wait_for_dash(driver)


def record_actions(base_url: str) -> dict[str, list[Action]]:
    """Per page: opening it, then each recorded interaction, as the browser sent them."""
    from dashboard.headless import wait_for_dash

    require_loopback(base_url)
    driver = _recording_driver()
    try:
        actions: dict[str, list[Action]] = {}
        for name, path in PAGES.items():
            driver.get(base_url + path)
            wait_for_dash(driver)
            recorded = [tuple(_recorded_steps(driver, base_url))]
            for dropdown_id, value in INTERACTIONS.get(name, []):
                _choose(driver, dropdown_id, value)
                recorded.append(tuple(_recorded_steps(driver, base_url)))
            actions[name] = [action for action in recorded if action]
    finally:
        driver.quit()
    callbacks = sum(step.kind == "callback" for page in actions.values() for action in page for step in action)
    if callbacks <= len(PAGES):
        raise WijkmonitorError(f"load: slechts {callbacks} callbacks opgenomen; de interacties zijn niet vastgelegd")
    return actions


# ---------------------------------------------------------------- replaying


@dataclass
class _Sample:
    kind: str
    ms: float
    error: str | None
    page: str = ""


def _user(host: str, port: int, actions: list[tuple[str, Action]], start: int, deadline: float, think_s: float, seed: int,
          budget: list[int], lock: threading.Lock) -> list[_Sample]:
    """One virtual user: opens pages and interacts in turn, thinking between actions, until the deadline."""
    rng = random.Random(seed)
    client = Client(host, port)
    samples: list[_Sample] = []
    index = start
    time.sleep(rng.uniform(0, think_s))  # users do not all arrive in the same millisecond
    try:
        while time.monotonic() < deadline:
            page, action = actions[index % len(actions)]
            for step in action:
                with lock:
                    if budget[0] <= 0:
                        return samples
                    budget[0] -= 1
                begin = time.perf_counter()
                try:
                    status, content = client.request(step.method, step.path, step.body)
                    error = check(step, status, content)
                except (OSError, http.client.HTTPException) as exception:
                    error = f"{step.method} {step.path[:80]}: {type(exception).__name__}: {exception}"
                samples.append(_Sample(step.kind, (time.perf_counter() - begin) * 1000, error, page))
            index += 1
            pause = rng.uniform(think_s / 2, think_s * 1.5)
            time.sleep(max(0.0, min(pause, deadline - time.monotonic())))
    finally:
        client.close()
    return samples


def _stats(samples: list[_Sample]) -> KindStats:
    """Latency statistics of a group of samples."""
    times = sorted(s.ms for s in samples)
    return KindStats(len(samples), sum(s.error is not None for s in samples),
                     statistics.median(times) if times else 0.0, percentile(times, 0.95), times[-1] if times else 0.0)


def run_load(base_url: str, users: int = 50, seconds: float = 60, *, actions: dict[str, list[Action]] | None = None,
             think_s: float = 1.0, seed: int = 2015, max_requests: int = MAX_REQUESTS) -> LoadReport:
    """Replay recorded browser actions from `users` concurrent users for `seconds` against a loopback server."""
    host, port = require_loopback(base_url)
    if users < 1 or seconds <= 0:
        raise WijkmonitorError("load: users moet minstens 1 zijn en seconds groter dan 0")
    recorded = actions if actions is not None else record_actions(base_url)
    # Each user walks the pages in turn, doing every recorded interaction on a page before the next.
    sequence = [(name, action) for name, page in recorded.items() for action in page]
    results: list[list[_Sample]] = [[] for _ in range(users)]
    budget, lock = [max_requests], threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def work(i: int) -> None:
        # Start users at different places in the walk (7 is coprime to the usual 15 actions) so all pages get load.
        results[i] = _user(host, port, sequence, i * 7, deadline, think_s, seed + i, budget, lock)

    threads = [threading.Thread(target=work, args=(i,), name=f"load-user-{i}", daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S * 2)
    elapsed = time.monotonic() - started
    samples = [sample for user in results for sample in user]
    errors = [s.error for s in samples if s.error is not None]
    return LoadReport(
        users=users, seconds=elapsed, think_s=think_s, requests=len(samples), errors=len(errors),
        error_examples=list(dict.fromkeys(errors))[:5],
        kinds={kind: _stats([s for s in samples if s.kind == kind]) for kind in KINDS},
        overall=_stats(samples),
        pages={page: _stats([s for s in samples if s.page == page]) for page in recorded},
    )


SERVER_PROBLEMS = ("[ERROR]", "[CRITICAL]", "[WARNING]", "WORKER TIMEOUT", "Traceback", "Error", "exited")


def server_problems(log: Path) -> list[str]:
    """The server log's lines that say something went wrong (a failing request is often only visible there)."""
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line[:200] for line in lines if any(word in line for word in SERVER_PROBLEMS)][:20]


# ---------------------------------------------------------------- concurrent PDCA actions


def _property_ids(spec: str) -> list[tuple[str, str]]:
    """(id, property) pairs of a Dash output spec: 'a.b' for one output, '..a.b...c.d..' for several."""
    parts = spec.removeprefix("..").removesuffix("..").split("...") if spec.startswith("..") else [spec]
    return [tuple(part.rsplit(".", 1)) for part in parts]


def callback_body(dependency: dict, values: dict[str, object], changed: list[str]) -> bytes:
    """The JSON body the Dash renderer posts for one callback from /_dash-dependencies, with these values."""
    def items(specs: list[dict]) -> list[dict]:
        return [{"id": s["id"], "property": s["property"], "value": values.get(f"{s['id']}.{s['property']}")}
                for s in specs]

    return json.dumps({
        "output": dependency["output"],
        "outputs": [{"id": i, "property": p} for i, p in _property_ids(dependency["output"])],
        "inputs": items(dependency["inputs"]), "state": items(dependency["state"]),
        "changedPropIds": changed, "parsedChangedPropsIds": changed,
    }).encode("utf-8")


def find_dependency(dependencies: list[dict], output: str) -> dict:
    """The callback that updates `output` (e.g. 'pdca-versie.data')."""
    for dependency in dependencies:
        if output in {f"{i}.{p}" for i, p in _property_ids(dependency["output"])}:
            return dependency
    raise WijkmonitorError(f"load: geen callback voor {output} in /_dash-dependencies")


def dependencies_of(base_url: str) -> list[dict]:
    """The app's callbacks as the renderer fetches them."""
    host, port = require_loopback(base_url)
    client = Client(host, port)
    try:
        status, content = client.request("GET", "/_dash-dependencies")
    finally:
        client.close()
    if status != 200:
        raise WijkmonitorError(f"load: /_dash-dependencies gaf HTTP {status}")
    return json.loads(content)


def save_action_body(dependencies: list[dict], text: str, indicator: str, gebied: str) -> bytes:
    """The body of a click on 'Actie opslaan' for a new action with this text (peildatum left to the latest)."""
    return callback_body(
        find_dependency(dependencies, "pdca-versie.data"),
        {"pdca-opslaan.n_clicks": 1, "pdca-indicator.value": indicator, "pdca-gebied.value": gebied,
         "pdca-omschrijving.value": text, "pdca-status.value": "open", "pdca-versie.data": 0},
        ["pdca-opslaan.n_clicks"],
    )


def session_actions_json(base_url: str, dependencies: list[dict]) -> str:
    """The actions view of the latest session as the PDCA page's refresh callback returns it (JSON text)."""
    host, port = require_loopback(base_url)
    body = callback_body(find_dependency(dependencies, "pdca-acties.children"), {"pdca-versie.data": 1},
                         ["pdca-versie.data"])
    client = Client(host, port)
    try:
        status, content = client.request("POST", CALLBACK_PATH, body)
    finally:
        client.close()
    if status != 200:
        raise WijkmonitorError(f"load: acties ophalen gaf HTTP {status}")
    return content.decode("utf-8")


def concurrent_actions(base_url: str, writers: int = 10, indicator: str = "tevredenheid",
                       gebied: str = "GM0014") -> ActionsReport:
    """`writers` users, each on its own connection, click 'Actie opslaan' at the same moment; then count."""
    host, port = require_loopback(base_url)
    dependencies = dependencies_of(base_url)
    run = secrets.token_hex(4)  # unique per run, so an earlier run's actions in the same store do not count
    texts = [f"Gelijktijdige actie {i + 1} van {writers} (run {run})" for i in range(writers)]
    bodies = [save_action_body(dependencies, text, indicator, gebied) for text in texts]
    barrier = threading.Barrier(writers)
    answers: list[str | None] = [None] * writers

    def write(i: int) -> None:
        client = Client(host, port)
        try:
            barrier.wait(timeout=REQUEST_TIMEOUT_S)
            status, content = client.request("POST", CALLBACK_PATH, bodies[i])
            answers[i] = content.decode("utf-8", "replace") if status == 200 else f"HTTP {status}"
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            answers[i] = f"{type(error).__name__}: {error}"
        finally:
            client.close()

    threads = [threading.Thread(target=write, args=(i,), name=f"action-writer-{i}") for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S * 2)
    confirmed = sum(1 for answer in answers if answer and SAVED in answer)
    errors = [f"schrijver {i + 1}: {(answer or 'geen antwoord')[:200]}" for i, answer in enumerate(answers)
              if not answer or SAVED not in answer]
    view = session_actions_json(base_url, dependencies)
    return ActionsReport(writers, confirmed, errors, {text: view.count(text) for text in texts})


# ---------------------------------------------------------------- the server under test


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(process: subprocess.Popen, base_url: str, log: Path, timeout: float) -> None:
    """Poll until the server answers /_dash-layout with 200, or fail with the end of its log."""
    host, port = require_loopback(base_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        client = Client(host, port, timeout=5)
        try:
            if client.request("GET", "/_dash-layout")[0] == 200:
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
        finally:
            client.close()
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
    raise WijkmonitorError(f"load: wijkmonitor serve kwam niet op binnen {timeout:.0f} s:\n{tail}")


@contextmanager
def serving(db: Path, state: Path, log: Path, workers: int = 4, startup_timeout: float = 90) -> Iterator[str]:
    """Run `wijkmonitor serve --workers N` on a free loopback port in a subprocess; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "wijkmonitor.cli", "serve", "--db", str(db), "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--state", str(state)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base_url, log, startup_timeout)
        yield base_url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and its workers: TERM (gunicorn's graceful stop), KILL if that takes too long."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # its own session: the group is this server and its workers only
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Serve the store, run the load and the concurrent actions, print both reports."""
    parser = argparse.ArgumentParser(description="Belastingtest van het dashboard op loopback.")
    parser.add_argument("--db", type=Path, required=True, help="published monitor DuckDB")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="duration of the load (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between actions in s (default 1.0)")
    parser.add_argument("--writers", type=int, default=10, help="users saving a PDCA action at once (default 10)")
    parser.add_argument("--json", type=Path, help="also write the figures (p95 per kind and per page) to this JSON file")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"load: {args.db} bestaat niet", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="wijkmonitor-load-") as scratch:
        folder = Path(scratch)
        with serving(args.db.resolve(), folder / "state.sqlite", folder / "serve.log", args.workers) as url:
            print(f"Server: wijkmonitor serve --workers {args.workers} on {url} ({args.db})")
            actions = record_actions(url)
            recorded = sum(len(page) for page in actions.values())
            print(f"Recorded {recorded} browser actions on {len(actions)} pages in headless Chromium")
            report = run_load(url, args.users, args.seconds, actions=actions, think_s=args.think)
            print(report.text())
            actions = concurrent_actions(url, args.writers)
            print(actions.text())
        for line in server_problems(folder / "serve.log"):
            print(f"server: {line}")
    if args.json:
        args.json.write_text(json.dumps({"report": asdict(report), "actions_ok": actions.ok, "cores": os.cpu_count(),
                                         "load": os.getloadavg()}), encoding="utf-8")
    return 0 if report.errors == 0 and actions.ok else 1


if __name__ == "__main__":
    sys.exit(main())
