"""The cost register (kosten): what the trajectories and benefits of the demo cost, line by line.

Every ondersteuning trajectory with a product that is paid per client (not the wijkteam, which is
subsidised as a whole) and every bijstand benefit is booked per year counted from its start (as a
financial system summarises a client's payments per indication year; the periods straddle the turn of
the year, so the windows prorate them; one line per year keeps the source at about a line per
trajectory-year, some 330.000 lines at scale 1), from 2014 (the nulmeting's window) up to
the extract. The amount of a line is the product's yearly tariff for the days of the trajectory in
the period, varied per trajectory for intensity; about one line in 200 gets a correction (a negative
line for part of its amount). Tariffs are orders of magnitude of Dutch municipal tariffs (2015-2025),
so that the city's yearly totals lie in the range of Groningen's budgets: youth care about 70 million,
Wmo maatwerk some tens of millions, bijstand benefits well over a hundred million.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.timeline import EXTRACT_DATE, day_number

FIRST_DAY = day_number(dt.date(2014, 1, 1))  # the nulmeting's window W(2015-01-01) starts here
LAST_DAY = day_number(EXTRACT_DATE.replace(day=1)) - 1  # the last month billed before the extract
LINE_DAYS = 365  # one line per year of a trajectory or benefit, counted from its start
# Euros per client per year: (wet, tariff).
TARIEVEN: dict[str, tuple[str, float]] = {
    "hulp_bij_huishouden": ("wmo", 3_600.0),
    "begeleiding": ("wmo", 9_500.0),
    "dagbesteding": ("wmo", 11_000.0),
    "jeugdhulp_ambulant": ("jeugdwet", 34_000.0),
    "jeugdhulp_verblijf": ("jeugdwet", 120_000.0),
    "ots": ("jeugdwet", 20_000.0),
    "voogdij": ("jeugdwet", 26_000.0),
    "jeugdreclassering": ("jeugdwet", 15_000.0),
    "algemene_bijstand": ("participatiewet", 15_500.0),
}
BIJSTAND_VOORZIENING = "algemene_bijstand"
CORRECTION_SHARE = 0.005
_INTENSITY_SIGMA = 0.25  # trajectories differ in hours and tariff level
_DAYS_PER_YEAR = 365.25


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Cost lines of the demo's ondersteuning and bijstand (in demo.bronnen) in the contract's columns.

    kosten_id comes from the run's own sequence "K"; persoon_id and wijkcode from the trajectories and benefits.
    """
    trajecten = demo.bronnen["ondersteuning"].select(
        "persoon_id", "wijkcode", "voorziening", "begindatum", "einddatum"
    ).filter(pl.col("voorziening").is_in(list(TARIEVEN)))
    uitkeringen = demo.bronnen["bijstand"].select(
        "persoon_id", "wijkcode", pl.lit(BIJSTAND_VOORZIENING).alias("voorziening"), "begindatum", "einddatum"
    )
    records = pl.concat([trajecten, uitkeringen])
    begin = records["begindatum"].cast(pl.Int64).to_numpy()
    end = records["einddatum"].cast(pl.Int64).fill_null(LAST_DAY).to_numpy()
    begin, end = np.maximum(begin, FIRST_DAY), np.minimum(end, LAST_DAY)
    keep = begin <= end
    records, begin, end = records.filter(pl.Series(keep)), begin[keep], end[keep]
    voorziening = records["voorziening"].to_numpy()
    tarief = np.array([TARIEVEN[v][1] for v in voorziening]) * demo.rng.lognormal(
        -_INTENSITY_SIGMA**2 / 2, _INTENSITY_SIGMA, size=len(voorziening))
    row, period_begin, period_end = _periods(begin, end, LINE_DAYS)
    days = (np.minimum(end[row], period_end) - np.maximum(begin[row], period_begin) + 1).astype(np.float64)
    line_begin = np.maximum(begin[row], period_begin)
    line_end = np.minimum(end[row], period_end)
    bedrag = np.round(tarief[row] * days / _DAYS_PER_YEAR, 2)
    lines = pl.DataFrame({
        "persoon_id": records["persoon_id"].gather(row),
        "wijkcode": records["wijkcode"].gather(row),
        "wet": np.array([TARIEVEN[v][0] for v in voorziening])[row],
        "voorziening": voorziening[row],
        "periode_begin": line_begin,
        "periode_eind": line_end,
        "bedrag": bedrag,
    })
    corrected = np.flatnonzero(demo.rng.random(lines.height) < CORRECTION_SHARE)
    corrections = lines[corrected].with_columns(
        (-(pl.col("bedrag") * pl.Series(demo.rng.uniform(0.05, 1.0, size=len(corrected)))).round(2)).alias("bedrag")
    )
    lines = pl.concat([lines, corrections]).sort("periode_begin", "persoon_id", "voorziening", "bedrag")
    return lines.select(
        pl.Series("kosten_id", demo.ids.sequence("K").take(lines.height)), pl.exclude("kosten_id")
    ).with_columns(pl.col("periode_begin", "periode_eind").cast(pl.Date))


def _periods(begin: np.ndarray, end: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every billing period of each record, counted from its begin in steps of `days`: (record row, first day, last day)."""
    count = (end - begin) // days + 1
    row = np.repeat(np.arange(len(begin)), count)
    index = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    period_begin = begin[row] + index * days
    return row, period_begin, period_begin + days - 1
