"""The client experience survey (clientervaring, Wmo and Jeugdwet clients): spring fieldwork every year.

The story (issue 11): satisfaction dips in the transition and then ends clearly above the nulmeting.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.surveys import five_point, missing, responses, weights
from wijkmonitor.demo.timeline import decimal_year, improvement, transition

_CLIENT_RESPONSES_AT_25000 = 320  # fewer than the resident survey; a handful of small wijken stay below 30


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Client experience survey (Wmo and Jeugdwet clients): spring fieldwork, a dip in the transition."""
    rng, wijken = demo.rng, demo.wijken
    client_factor = 0.6 + 0.6 * wijken.deprivation  # more clients, so more respondents, in deprived wijken
    wijk, day = responses(rng, wijken, _CLIENT_RESPONSES_AT_25000, client_factor, first_month=3)
    deprivation, year, lag = wijken.deprivation[wijk], decimal_year(day), wijken.lag_years[wijk]
    effect = 0.09 * transition(year, lag) - 0.05 * improvement(year, lag)
    size = len(wijk)
    jeugdwet = rng.random(size) < 0.2 + 0.8 * wijken.share_0_17[wijk]
    return pl.DataFrame(
        {
            "respondent_id": demo.ids.client.take(size),
            "veldwerk_datum": day,
            "wijkcode": wijken.wijkcode[wijk],
            "wet": np.where(jeugdwet, "jeugdwet", "wmo"),
            "gewicht": weights(rng, size),
            "tevreden": missing(rng, five_point(rng, 0.80 - 0.08 * deprivation - effect), 0.05),
        }
    ).with_columns(pl.col("veldwerk_datum").cast(pl.Date)).sort("veldwerk_datum", "respondent_id")
