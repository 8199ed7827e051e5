"""`make demo` on a fresh clone until the first page answers: the start a new user sees.

    .venv/bin/python benchmarks/start.py [--timeout 1200] [--json]

Clones this repository's committed HEAD into a temporary folder, runs `make demo` there on a free port
(its own .venv, only the demo's dependencies: no test extras; pip's cache as the machine has it) and
polls the port until `/` answers 200. Reports the seconds to each milestone: virtualenv, installed,
sources generated, store published, first page. The clone is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLL_S = 0.2
# What exists in the clone once each step of `make demo` finished (Makefile: demo -> demo-data -> install-demo).
MILESTONES = {
    "virtualenv": ".venv/bin/python",
    "installed": ".venv/.installed-demo",
    "generated": "data/demo/bronnen/herkomst.json",
    "published": "data/demo/monitor.duckdb",
}


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    """True when the page answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def measure(timeout: float) -> dict[str, Any]:
    """Seconds from `make demo` to each milestone and to the first page; the log tail when it failed."""
    with tempfile.TemporaryDirectory(prefix="wijkmonitor-start-") as scratch:
        clone = Path(scratch) / "wijkmonitor"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        port = free_port()
        log = Path(scratch) / "make-demo.log"
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        started = time.perf_counter()
        with log.open("w", encoding="utf-8") as out:
            process = subprocess.Popen(["make", "demo", f"PORT={port}"], cwd=clone, stdout=out, stderr=subprocess.STDOUT,
                                       env=env, start_new_session=True)
        reached: dict[str, float] = {}
        first_page = None
        try:
            while time.perf_counter() - started < timeout and process.poll() is None:
                elapsed = time.perf_counter() - started
                for name, path in MILESTONES.items():
                    if name not in reached and (clone / path).exists():
                        reached[name] = elapsed
                if answers(f"http://127.0.0.1:{port}/"):
                    first_page = time.perf_counter() - started
                    break
                time.sleep(POLL_S)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # make and the server it started, nothing else
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
    return {"first_page_s": first_page, "milestones_s": reached, "exit_code": process.returncode,
            "log_tail": [] if first_page else tail, "load": os.getloadavg(), "cores": os.cpu_count()}


def text(result: dict[str, Any]) -> str:
    """One report line per milestone."""
    lines = [f"make demo on a fresh clone: first page after "
             + (f"{result['first_page_s']:.0f} s" if result["first_page_s"] else "— (did not answer)")]
    lines += [f"  {name}: {seconds:.0f} s" for name, seconds in result["milestones_s"].items()]
    return "\n".join(lines + result["log_tail"])


def main() -> int:
    parser = argparse.ArgumentParser(description="Tijd van een verse clone tot de eerste pagina van make demo.")
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    result = measure(args.timeout)
    print(json.dumps(result) if args.json else text(result))
    return 0 if result["first_page_s"] else 1


if __name__ == "__main__":
    sys.exit(main())
