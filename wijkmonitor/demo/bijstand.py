"""The benefits register (bijstand): social-assistance benefits, one row per benefit period.

An arrival process per wijk and year, as for ondersteuning: on a peildatum the number of running
benefits is about arrivals per year times mean duration.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.timeline import (
    BIJSTAND_START_YEAR,
    EXTRACT_DAY,
    LAST_ARRIVAL_YEAR,
    lognormal_days,
    new_year_days,
    open_end,
    trend,
)

# Running benefits per adult on a peildatum: ~1% in affluent, up to ~8% in deprived wijken.
_BIJSTAND_STOCK_AFFLUENT, _BIJSTAND_STOCK_DEPRIVED = 0.008, 0.068
_BIJSTAND_MEDIAN_DAYS, _BIJSTAND_SIGMA = 2.2 * 365, 1.0


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Social-assistance benefits since 2000: more and longer in deprived wijken, a peak around 2017."""
    rng, wijken, ids = demo.rng, demo.wijken, demo.ids.register
    stock_share = _BIJSTAND_STOCK_AFFLUENT + _BIJSTAND_STOCK_DEPRIVED * wijken.deprivation**1.5
    mean_days = _BIJSTAND_MEDIAN_DAYS * np.exp(_BIJSTAND_SIGMA**2 / 2) * 0.85  # the cap shortens the tail
    years = np.arange(BIJSTAND_START_YEAR, LAST_ARRIVAL_YEAR + 1)
    effect = trend(years[None, :] + 0.5, wijken.lag_years[:, None])
    expected = wijken.volwassenen(years) * (stock_share * 365.0 / mean_days)[:, None] * (1.0 + 0.12 * effect)
    counts = rng.poisson(expected).ravel()
    wijk = np.repeat(np.repeat(np.arange(len(wijken)), len(years)), counts)
    begin = np.repeat(np.tile(new_year_days(years), len(wijken)), counts) + rng.integers(0, 365, size=len(wijk))
    person = np.arange(len(wijk))
    end = begin + lognormal_days(rng, np.full(len(wijk), _BIJSTAND_MEDIAN_DAYS), np.full(len(wijk), _BIJSTAND_SIGMA),
                                 15 * 365)
    wijk, person, begin, end = _bijstand_returns(rng, len(wijken), wijk, person, begin, end)
    frame = pl.DataFrame({"wijk": wijk, "persoon": person, "begin": begin, "end": end})
    frame = frame.filter(pl.col("begin") < EXTRACT_DAY).sort("begin", "persoon")
    first_person = ids.persoon.reserve(len(person))
    return pl.DataFrame(
        {
            "uitkering_id": ids.uitkering.take(frame.height),
            "persoon_id": ids.persoon.format(first_person + frame["persoon"].to_numpy()),
            "wijkcode": wijken.wijkcode[frame["wijk"].to_numpy()],
            "begindatum": frame["begin"],
            "einddatum": open_end(frame["end"]),
        }
    ).with_columns(pl.col("begindatum", "einddatum").cast(pl.Date))


def _bijstand_returns(rng: np.random.Generator, wijk_count: int, wijk: np.ndarray, person: np.ndarray,
                      begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, ...]:
    """Add a second benefit for about 12% of persons, after a gap, a third of them in another wijk."""
    back = np.flatnonzero(rng.random(len(wijk)) < 0.12)
    new_begin = end[back] + rng.integers(60, 3 * 365, size=len(back))
    moved = rng.random(len(back)) < 0.33
    new_wijk = np.where(moved, rng.integers(0, wijk_count, size=len(back)), wijk[back])
    new_end = new_begin + lognormal_days(rng, np.full(len(back), 0.7 * _BIJSTAND_MEDIAN_DAYS),
                                         np.full(len(back), _BIJSTAND_SIGMA), 10 * 365)
    return (np.concatenate([wijk, new_wijk]), np.concatenate([person, person[back]]),
            np.concatenate([begin, new_begin]), np.concatenate([end, new_end]))
