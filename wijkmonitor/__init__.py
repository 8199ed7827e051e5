"""Wijkmonitor Sociaal Domein: command line, demo-data generator and shared settings."""

from core import __version__

__all__ = ["__version__"]
