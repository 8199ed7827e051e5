"""GET /rapport.pdf?peildatum=YYYY-MM-DD: the council report from the dashboard's own server.

A plain Flask route on the Dash app's server, so the app's login, roles and security headers
(dashboard/security.py, a before_request hook for every path) guard it like every page.
Making a report takes seconds; the last few are kept in memory until the published store changes.
One report is made at a time per worker process: matplotlib's style settings are process-global and
a second request for the same report then finds it made.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path

import flask

from dashboard.data import published
from dashboard.rapport.content import UnknownPeildatum, choose_peildatum
from dashboard.rapport.render import report_pdf
from core.errors import WijkmonitorError

PATH = "/rapport.pdf"
KEPT_REPORTS = 4
_making = threading.Lock()
_kept: OrderedDict[tuple[str, int, date], bytes] = OrderedDict()


def _report(db: Path, asked: str | None) -> tuple[bytes, date]:
    """The PDF for the asked peildatum (latest when none), from memory while the store is unchanged."""
    data = published(db)
    peildatum = choose_peildatum(data, asked or None)
    key = (str(data.path), data.mtime_ns, peildatum)
    with _making:
        if key not in _kept:
            _kept[key], _ = report_pdf(db, peildatum)
            while len(_kept) > KEPT_REPORTS:
                _kept.popitem(last=False)
        _kept.move_to_end(key)
        return _kept[key], peildatum


def register(server: flask.Flask, db_path: Path) -> None:
    """Add the report route to the dashboard's Flask server."""
    db = Path(db_path)

    @server.get(PATH)
    def _rapport() -> flask.Response:
        try:
            pdf, peildatum = _report(db, flask.request.args.get("peildatum"))
        except UnknownPeildatum as error:
            return flask.Response(f"Geen rapport: {error}.", status=404, mimetype="text/plain")
        except WijkmonitorError as error:
            return flask.Response(f"Het rapport kan nu niet worden gemaakt: {error}.", status=503, mimetype="text/plain")
        return flask.Response(pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="wijkmonitor-raadsrapportage-{peildatum.isoformat()}.pdf"',
        })
