"""Wijkmonitor Sociaal Domein: command line, demo-data generator and shared settings."""

__version__ = "0.1.0"
