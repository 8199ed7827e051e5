"""The resident survey (bewonersenquete, e.g. Stadspanel): autumn fieldwork every year.

The story (issue 11): satisfaction dips in the transition and then ends clearly above the nulmeting;
self-reliance dips and comes back to about where it was (no significant change for the city);
volunteering and informal care fall in the transition and with the pandemic and stay below the
nulmeting, most in deprived wijken (significant for the city, in only a few wijken).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.surveys import five_point, missing, responses, weights, yes_no
from wijkmonitor.demo.timeline import decimal_year, improvement, integrated_wijkteam, pandemic, transition

_RESPONSES_AT_25000 = 400  # resident survey responses per year in a wijk of 25,000 (Centrum)


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Resident survey: autumn fieldwork every year, answers worse in deprived wijken and in the transition."""
    rng, wijken = demo.rng, demo.wijken
    wijk, day = responses(rng, wijken, _RESPONSES_AT_25000, np.ones(len(wijken)), first_month=10)
    deprivation, year, lag = wijken.deprivation[wijk], decimal_year(day), wijken.lag_years[wijk]
    dip, better = transition(year, lag), improvement(year, lag)
    # volunteering drifts down after 2015 (more in deprived wijken) and drops in the pandemic
    since_2015 = np.clip(year - 2015.0, 0.0, 8.0) / 8.0
    less_volunteering = (0.015 + 0.05 * deprivation) * since_2015 + 0.06 * pandemic(year)
    size = len(wijk)
    return pl.DataFrame(
        {
            "respondent_id": demo.ids.bewoner.take(size),
            "veldwerk_datum": day,
            "wijkcode": wijken.wijkcode[wijk],
            "gewicht": weights(rng, size),
            "zelfredzaam": missing(
                rng, five_point(rng, 0.82 - 0.20 * deprivation - 0.05 * dip + 0.004 * better
                                + 0.03 * integrated_wijkteam(wijken.wijkcode[wijk], year)), 0.03
            ),
            "vrijwilligerswerk": missing(
                rng, yes_no(rng, 0.30 - 0.12 * deprivation - 0.04 * dip - less_volunteering), 0.04
            ),
            "mantelzorg": missing(rng, yes_no(rng, 0.17 - 0.04 * deprivation - 0.02 * dip), 0.04),
        }
    ).with_columns(pl.col("veldwerk_datum").cast(pl.Date)).sort("veldwerk_datum", "respondent_id")
