"""Time compute_publication against the test reference (benchmarks/reference.py) and check they agree.

The reference is the plain single-threaded pandas computation of indicators.md that the tests use too.
Agreement: every non-suppressed row of indicator_values must have a reference row with the same
teller, noemer and waarde (and n for surveys); a row with incomplete inputs has no figures on both
sides. Suppressed rows publish no figures, so there is nothing to compare for them. A registry
indicator the reference does not know (a municipality's own file) is not compared, and named in
`not_compared`; the indicators of indicators.md are compared strictly.

With the figures of the plain-Python reference (benchmarks/reference_plain.py, run on the delivered files in
its own process) the pandas reference is compared with them too, every row: both references are written from
indicators.md, one from staging, one from the files.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute

from benchmarks import reference
from indicators import incremental
from indicators.compute import compute_publication
from indicators.config import MonitorConfig

KEYS = ["indicator", "peildatum", "niveau", "gebiedcode"]
FIGURES = ("teller", "noemer", "waarde", "n")
FLAGS = ("ontbreekt", "onderdrukt")  # the plain reference gives them for every row
RELATIVE_TOLERANCE = 1e-9  # both sides sum the same doubles, in a different order
SHOWN_MISMATCHES = 10


@dataclass
class Comparison:
    """Timings of both implementations on the same warehouse and where their figures differ."""

    duckdb_seconds: float
    pandas_read_seconds: float
    pandas_compute_seconds: float
    rows_compared: int
    mismatches: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)  # indicators the reference does not know
    plain_rows_compared: int | None = None  # against the plain-Python reference's figures, when given
    plain_mismatches: list[str] | None = None

    @property
    def pandas_seconds(self) -> float:
        """The whole pandas route: staging tables into DataFrames, then the indicators."""
        return self.pandas_read_seconds + self.pandas_compute_seconds

    @property
    def ratio(self) -> float:
        """How many times faster compute_publication is than the whole pandas route."""
        return self.pandas_seconds / self.duckdb_seconds


def compare_with_pandas(con: duckdb.DuckDBPyConnection, config: MonitorConfig,
                        plain_figures: Path | None = None) -> Comparison:
    """Run both implementations on con's staging tables, timed, and compare their figures; and the pandas
    reference's figures with the plain-Python reference's (its --out CSV), when given."""
    incremental.forget(con)  # a whole computation, not the reuse of the ETL run's kept peildata
    started = time.perf_counter()
    published = compute_publication(con, config)["indicator_values"]
    duckdb_seconds = time.perf_counter() - started

    started = time.perf_counter()
    frames = reference.read_staging(con)
    read_seconds = time.perf_counter() - started
    ids = [indicator.id for indicator in config.indicators]
    known = [i for i in ids if i in reference.DEFINITIES]
    started = time.perf_counter()
    expected = reference.compute(frames, nulmeting=config.nulmeting.isoformat(), indicators=known)
    compute_seconds = time.perf_counter() - started

    published = published.filter(pa.compute.is_in(published["indicator"], pa.array(known)))
    compared, mismatches = find_mismatches(published, expected)
    unknown = [i for i in ids if i not in reference.DEFINITIES]
    comparison = Comparison(duckdb_seconds, read_seconds, compute_seconds, compared, mismatches, unknown)
    if plain_figures is not None:
        plain = read_plain_figures(plain_figures)
        comparison.plain_rows_compared, comparison.plain_mismatches = find_plain_mismatches(
            plain[plain["indicator"].isin(known)], expected)
    return comparison


def read_plain_figures(path: Path) -> pd.DataFrame:
    """The figures benchmarks/reference_plain.py wrote (--out): dates, floats (empty: NaN), true/false."""
    frame = pd.read_csv(path, dtype={"indicator": str, "niveau": str, "gebiedcode": str, "ontbreekt": str,
                                     "onderdrukt": str}, parse_dates=["peildatum"])
    for flag in FLAGS:
        frame[flag] = frame[flag] == "true"
    return frame


def find_plain_mismatches(plain: pd.DataFrame, pandas_figures: pd.DataFrame) -> tuple[int, list[str]]:
    """(rows compared, one line per difference) between the two references, row for row: a row on one side
    only, a figure that differs, or a different ontbreekt/onderdrukt."""
    expected = pandas_figures[[*KEYS, *FIGURES, *FLAGS]].copy()
    expected["peildatum"] = pd.to_datetime(expected["peildatum"])
    merged = plain[[*KEYS, *FIGURES, *FLAGS]].merge(expected, on=KEYS, how="outer", suffixes=("", "_pandas"),
                                                     indicator=True)
    sides = {"left_only": "alleen in de Python-uitkomst", "right_only": "alleen in de pandas-uitkomst"}
    mismatches = []
    for row in merged.to_dict("records"):
        if row["_merge"] != "both":
            mismatches.append(f"{_key(row)}: {sides[row['_merge']]}")
            continue
        for column in (*FIGURES, *FLAGS):
            ours, theirs = row[column], row[f"{column}_pandas"]
            if not (_same(ours, theirs) if column in FIGURES else bool(ours) == bool(theirs)):
                mismatches.append(f"{_key(row)}: {column} {ours!r} (Python) tegen {theirs!r} (pandas)")
    return len(merged), mismatches


def find_mismatches(published: pa.Table, reference: pd.DataFrame) -> tuple[int, list[str]]:
    """(rows compared, one line per figure that differs) over the non-suppressed published rows."""
    shown = published.select([*KEYS, *FIGURES, "onderdrukt"]).to_pandas()
    shown = shown[~shown["onderdrukt"]].drop(columns="onderdrukt")
    shown["peildatum"] = pd.to_datetime(shown["peildatum"])
    expected = reference[[*KEYS, *FIGURES]].copy()
    expected["peildatum"] = pd.to_datetime(expected["peildatum"])
    merged = shown.merge(expected, on=KEYS, how="left", suffixes=("", "_pandas"), indicator=True)
    mismatches = [
        f"{_key(row)}: ontbreekt in de pandas-uitkomst"
        for row in merged[merged["_merge"] == "left_only"].itertuples(index=False)
    ]
    for row in merged[merged["_merge"] == "both"].to_dict("records"):
        for figure in FIGURES:
            ours, theirs = row[figure], row[f"{figure}_pandas"]
            if figure == "n" and _missing(ours):
                continue  # registers publish no n
            if not _same(ours, theirs):
                mismatches.append(f"{_key(row)}: {figure} {ours!r} (DuckDB) tegen {theirs!r} (pandas)")
    return len(shown), mismatches


def _key(row) -> str:
    """indicator/peildatum/niveau/gebiedcode of a row, for a mismatch line."""
    values = row if isinstance(row, dict) else row._asdict()
    return "/".join(str(values[key].date() if key == "peildatum" else values[key]) for key in KEYS)


def _missing(value) -> bool:
    """True for None, NaN and pandas' NA."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _same(ours, theirs) -> bool:
    """Equal figures, allowing for summation order in floating point."""
    if _missing(ours) or _missing(theirs):
        return _missing(ours) and _missing(theirs)
    return math.isclose(float(ours), float(theirs), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)
