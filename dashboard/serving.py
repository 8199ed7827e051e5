"""Serve the dashboard with gunicorn: several worker processes on the read-only published store."""

from __future__ import annotations

from collections.abc import Callable

from gunicorn.app.base import BaseApplication


class DashboardServer(BaseApplication):
    """gunicorn run in-process; each worker builds its own app from the factory after forking."""

    def __init__(self, app_factory: Callable[[], object], options: dict):
        self._app_factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app_factory().server


def run_server(app_factory: Callable[[], object], host: str, port: int, workers: int) -> None:
    """Block serving the app on host:port with `workers` processes (4 threads each)."""
    DashboardServer(
        app_factory,
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "threads": 4,
            "worker_class": "gthread",
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": "-",
            # No admin socket in the home directory (a second server would take it over).
            "control_socket_disable": True,
            # Method, path and status only: no query strings or bodies that could carry text.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        },
    ).run()
