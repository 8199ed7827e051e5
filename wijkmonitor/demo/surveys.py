"""The population table and the two surveys (resident survey and client experience survey).

The story (issue 11): satisfaction dips in the transition and then ends clearly above the nulmeting;
self-reliance dips and comes back to about where it was (no significant change for the city);
volunteering and informal care fall in the transition and with the pandemic and stay below the
nulmeting, most in deprived wijken (significant for the city, in only a few wijken).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from wijkmonitor.demo.areas import Wijken
from wijkmonitor.demo.timeline import (
    PEILJAREN,
    SURVEY_YEARS,
    IdSequence,
    decimal_year,
    improvement,
    new_year_days,
    pandemic,
    transition,
)

_RESPONSES_AT_25000 = 400  # resident survey responses per year in a wijk of 25,000 (Centrum)
_CLIENT_RESPONSES_AT_25000 = 320  # fewer than the resident survey; a handful of small wijken stay below 30
_SAMPLE_EXPONENT = 0.8  # small wijken get relatively more respondents, but still few


def bevolking(rng: np.random.Generator, wijken: Wijken) -> pl.DataFrame:
    """Inhabitants, inhabitants aged 0-17 and households per wijk on every peildatum."""
    expected = wijken.inwoners(PEILJAREN)
    inwoners = np.round(expected * (1.0 + 0.004 * rng.standard_normal(expected.shape)))
    share_0_17 = wijken.share_0_17[:, None] + 0.003 * rng.standard_normal(expected.shape)
    per_household = wijken.persons_per_household[:, None] * (1.0 + 0.01 * rng.standard_normal(expected.shape))
    return pl.DataFrame(
        {
            "peildatum": np.tile(new_year_days(PEILJAREN), len(wijken)),
            "wijkcode": np.repeat(wijken.wijkcode, len(PEILJAREN)),
            "inwoners": inwoners.ravel(),
            "inwoners_0_17": np.round(inwoners * np.clip(share_0_17, 0.01, 0.6)).ravel(),
            "huishoudens": np.round(inwoners / per_household).ravel(),
        }
    ).with_columns(pl.col("peildatum").cast(pl.Date), pl.col("^inwoners.*|huishoudens$").cast(pl.Int64))


def bewonersenquete(rng: np.random.Generator, wijken: Wijken, ids: IdSequence) -> pl.DataFrame:
    """Resident survey: autumn fieldwork every year, answers worse in deprived wijken and in the transition."""
    wijk, day = _responses(rng, wijken, _RESPONSES_AT_25000, np.ones(len(wijken)), first_month=10)
    deprivation, year, lag = wijken.deprivation[wijk], decimal_year(day), wijken.lag_years[wijk]
    dip, better = transition(year, lag), improvement(year, lag)
    # volunteering drifts down after 2015 (more in deprived wijken) and drops in the pandemic
    since_2015 = np.clip(year - 2015.0, 0.0, 8.0) / 8.0
    less_volunteering = (0.015 + 0.05 * deprivation) * since_2015 + 0.06 * pandemic(year)
    size = len(wijk)
    return pl.DataFrame(
        {
            "respondent_id": ids.take(size),
            "veldwerk_datum": day,
            "wijkcode": wijken.wijkcode[wijk],
            "gewicht": _weights(rng, size),
            "zelfredzaam": _missing(
                rng, _five_point(rng, 0.82 - 0.20 * deprivation - 0.05 * dip + 0.004 * better), 0.03
            ),
            "vrijwilligerswerk": _missing(
                rng, _yes_no(rng, 0.30 - 0.12 * deprivation - 0.04 * dip - less_volunteering), 0.04
            ),
            "mantelzorg": _missing(rng, _yes_no(rng, 0.17 - 0.04 * deprivation - 0.02 * dip), 0.04),
        }
    ).with_columns(pl.col("veldwerk_datum").cast(pl.Date)).sort("veldwerk_datum", "respondent_id")


def clientervaring(rng: np.random.Generator, wijken: Wijken, ids: IdSequence) -> pl.DataFrame:
    """Client experience survey (Wmo and Jeugdwet clients): spring fieldwork, a dip in the transition."""
    client_factor = 0.6 + 0.6 * wijken.deprivation  # more clients, so more respondents, in deprived wijken
    wijk, day = _responses(rng, wijken, _CLIENT_RESPONSES_AT_25000, client_factor, first_month=3)
    deprivation, year, lag = wijken.deprivation[wijk], decimal_year(day), wijken.lag_years[wijk]
    effect = 0.09 * transition(year, lag) - 0.05 * improvement(year, lag)
    size = len(wijk)
    jeugdwet = rng.random(size) < 0.2 + 0.8 * wijken.share_0_17[wijk]
    return pl.DataFrame(
        {
            "respondent_id": ids.take(size),
            "veldwerk_datum": day,
            "wijkcode": wijken.wijkcode[wijk],
            "wet": np.where(jeugdwet, "jeugdwet", "wmo"),
            "gewicht": _weights(rng, size),
            "tevreden": _missing(rng, _five_point(rng, 0.80 - 0.08 * deprivation - effect), 0.05),
        }
    ).with_columns(pl.col("veldwerk_datum").cast(pl.Date)).sort("veldwerk_datum", "respondent_id")


def _responses(
    rng: np.random.Generator, wijken: Wijken, at_25000: float, factor: np.ndarray, first_month: int
) -> tuple[np.ndarray, np.ndarray]:
    """Wijk index and fieldwork day of every response: one fieldwork period of six weeks per year."""
    inwoners = wijken.inwoners(SURVEY_YEARS)
    response_rate = rng.uniform(0.8, 1.2, size=len(SURVEY_YEARS))  # panel sizes vary by year
    expected = at_25000 * (inwoners / 25_000.0) ** _SAMPLE_EXPONENT * factor[:, None] * response_rate[None, :]
    counts = rng.poisson(expected).ravel()
    wijk = np.repeat(np.repeat(np.arange(len(wijken)), len(SURVEY_YEARS)), counts)
    year_index = np.repeat(np.tile(np.arange(len(SURVEY_YEARS)), len(wijken)), counts)
    fieldwork_start = new_year_days(SURVEY_YEARS) + 30 * (first_month - 1) + rng.integers(0, 20, len(SURVEY_YEARS))
    day = fieldwork_start[year_index] + rng.integers(0, 42, size=len(wijk))
    return wijk, day


def _weights(rng: np.random.Generator, size: int) -> np.ndarray:
    """Weighting factors around 1 (0.4 .. 2.5), three decimals."""
    return np.round(np.clip(np.exp(0.35 * rng.standard_normal(size)), 0.4, 2.5), 3)


def _five_point(rng: np.random.Generator, share_agree: np.ndarray) -> np.ndarray:
    """Answers 1..5 of which about `share_agree` are 4 or 5."""
    agree = rng.random(len(share_agree)) < np.clip(share_agree, 0.05, 0.98)
    agreeing = 4 + (rng.random(len(share_agree)) < 0.4)
    disagreeing = rng.choice(np.array([1, 2, 3]), size=len(share_agree), p=[0.15, 0.30, 0.55])
    return np.where(agree, agreeing, disagreeing)


def _yes_no(rng: np.random.Generator, share_yes: np.ndarray) -> np.ndarray:
    """0/1 answers with about `share_yes` ones."""
    return (rng.random(len(share_yes)) < np.clip(share_yes, 0.01, 0.99)).astype(np.int64)


def _missing(rng: np.random.Generator, answers: np.ndarray, share_missing: float) -> pl.Series:
    """Answers with a share left empty (no answer)."""
    return pl.Series(answers, dtype=pl.Int64).scatter(np.flatnonzero(rng.random(len(answers)) < share_missing), None)
