"""WSGI entry point for several read-only workers behind one published store:

    WIJKMONITOR_DB=data/demo/monitor.duckdb WIJKMONITOR_AUTH=login gunicorn -w 4 -b 127.0.0.1:8050 dashboard.wsgi:server

WIJKMONITOR_STATE optionally names the app-state store (default: next to the published store).
WIJKMONITOR_AUTH is login (default: every request needs a user), sso (WIJKMONITOR_SSO_HEADER names the
header the proxy sets, WIJKMONITOR_TRUSTED_PROXIES its comma-separated addresses) or demo (no login;
only for a gunicorn bound to loopback - gunicorn's bind is not visible here, so that is the operator's
promise). `wijkmonitor serve` does the same with options and checks the bind address itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.app import create_app
from dashboard.acties import default_state_path
from dashboard.security import AUTH_MODES, SecuritySettings, resolve_settings
from core.errors import WijkmonitorError

if "WIJKMONITOR_DB" not in os.environ:
    raise WijkmonitorError("zet WIJKMONITOR_DB op het pad van het gepubliceerde bestand (monitor.duckdb)")
_db = Path(os.environ["WIJKMONITOR_DB"])
_state = Path(os.environ.get("WIJKMONITOR_STATE") or default_state_path(_db))
_auth = os.environ.get("WIJKMONITOR_AUTH", "login")
if _auth not in AUTH_MODES:
    raise WijkmonitorError(f"WIJKMONITOR_AUTH moet een van {', '.join(AUTH_MODES)} zijn, niet '{_auth}'")
os.umask(0o077)  # the state file and its journal: this account only
if _auth == "demo":
    _security = SecuritySettings(auth="demo")
else:
    _security = resolve_settings(
        "wsgi", _state, _auth, os.environ.get("WIJKMONITOR_SSO_HEADER") or None,
        [a for a in os.environ.get("WIJKMONITOR_TRUSTED_PROXIES", "").split(",") if a.strip()],
    )
server = create_app(_db, _state, _security).server
