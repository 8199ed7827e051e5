"""Synthetic demo sources in the data-contract format (see `wijkmonitor.generate`).

The figures are made up; only their magnitudes follow the real city (docs: ../shared/data/facts.md).
"""
