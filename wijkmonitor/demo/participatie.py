"""Participation activities of people on social assistance (participatie), during their bijstand."""

from __future__ import annotations

import numpy as np
import polars as pl

from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.timeline import EXTRACT_DAY, decimal_year, lognormal_days, open_end, trend

_ACTIVITEITEN = np.array(
    ["vrijwilligerswerk", "re_integratie", "tegenprestatie", "deeltijdwerk", "opleiding", "mantelzorg"]
)
_ACTIVITEIT_SHARES = [0.22, 0.30, 0.12, 0.14, 0.14, 0.08]


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Activities of people on bijstand during their benefit: fewer in deprived wijken, more after 2017."""
    rng, wijken, ids, bijstand_frame = demo.rng, demo.wijken, demo.ids.register, demo.bronnen["bijstand"]
    index = {code: i for i, code in enumerate(wijken.wijkcode)}
    wijk = bijstand_frame["wijkcode"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
    begin = bijstand_frame["begindatum"].cast(pl.Int64).to_numpy()
    until = bijstand_frame["einddatum"].cast(pl.Int64).fill_null(EXTRACT_DAY).to_numpy()
    most_per_year = 0.9
    candidates = rng.poisson(most_per_year * (until - begin + 1) / 365.0)
    row = np.repeat(np.arange(len(begin)), candidates)
    start = begin[row] + np.floor(rng.random(len(row)) * (until[row] - begin[row] + 1)).astype(np.int64)
    effect = trend(decimal_year(start), wijken.lag_years[wijk[row]])
    per_year = np.clip(0.50 - 0.25 * wijken.deprivation[wijk[row]] - 0.10 * effect, 0.02, most_per_year)
    kept = (rng.random(len(row)) < per_year / most_per_year) & (start < EXTRACT_DAY)
    row, start = row[kept], start[kept]
    end = start + lognormal_days(rng, np.full(len(row), 150.0), np.full(len(row), 0.8), 3 * 365)
    frame = pl.DataFrame(
        {
            "persoon_id": bijstand_frame["persoon_id"].gather(row),
            "activiteit": _ACTIVITEITEN[rng.choice(len(_ACTIVITEITEN), size=len(row), p=_ACTIVITEIT_SHARES)],
            "begin": start,
            "end": end,
        }
    ).sort("begin", "persoon_id", "activiteit")
    return pl.DataFrame(
        {
            "activiteit_id": ids.activiteit.take(frame.height),
            "persoon_id": frame["persoon_id"],
            "activiteit": frame["activiteit"],
            "begindatum": frame["begin"],
            "einddatum": open_end(frame["end"]),
        }
    ).with_columns(pl.col("begindatum", "einddatum").cast(pl.Date))
