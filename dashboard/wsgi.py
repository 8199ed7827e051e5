"""WSGI entry point for several read-only workers behind one published store:

    WIJKMONITOR_DB=data/demo/monitor.duckdb gunicorn -w 4 -b 127.0.0.1:8050 dashboard.wsgi:server

WIJKMONITOR_STATE optionally names the PDCA notes store (default: next to the published store).
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.app import create_app
from wijkmonitor.errors import WijkmonitorError

if "WIJKMONITOR_DB" not in os.environ:
    raise WijkmonitorError("zet WIJKMONITOR_DB op het pad van het gepubliceerde bestand (monitor.duckdb)")

_state = os.environ.get("WIJKMONITOR_STATE")
server = create_app(Path(os.environ["WIJKMONITOR_DB"]), Path(_state) if _state else None).server
