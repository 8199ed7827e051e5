"""WSGI entry point for several read-only workers behind one published store:

    WIJKMONITOR_DB=data/demo/monitor.duckdb gunicorn -w 4 -b 127.0.0.1:8050 dashboard.wsgi:server

WIJKMONITOR_STATE optionally names the PDCA notes store (default: next to the published store).
Login is required unless WIJKMONITOR_REQUIRE_LOGIN=0 (only for a server bound to loopback);
WIJKMONITOR_TRUSTED_USER_HEADER names the header of a single-sign-on proxy (off when unset).
`wijkmonitor serve` does the same without environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.app import create_app
from dashboard.security import SecuritySettings
from wijkmonitor.errors import WijkmonitorError

if "WIJKMONITOR_DB" not in os.environ:
    raise WijkmonitorError("zet WIJKMONITOR_DB op het pad van het gepubliceerde bestand (monitor.duckdb)")

_state = os.environ.get("WIJKMONITOR_STATE")
_security = SecuritySettings(
    require_login=os.environ.get("WIJKMONITOR_REQUIRE_LOGIN", "1") != "0",
    trusted_user_header=os.environ.get("WIJKMONITOR_TRUSTED_USER_HEADER") or None,
)
server = create_app(Path(os.environ["WIJKMONITOR_DB"]), Path(_state) if _state else None, _security).server
