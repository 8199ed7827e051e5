"""What the two surveys (bewonersenquete, clientervaring) share: fieldwork periods, weights and answers."""

from __future__ import annotations

import numpy as np
import polars as pl

from wijkmonitor.demo.areas import Wijken
from wijkmonitor.demo.timeline import SURVEY_YEARS, new_year_days

_SAMPLE_EXPONENT = 0.8  # small wijken get relatively more respondents, but still few


def responses(
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


def weights(rng: np.random.Generator, size: int) -> np.ndarray:
    """Weighting factors around 1 (0.4 .. 2.5), three decimals."""
    return np.round(np.clip(np.exp(0.35 * rng.standard_normal(size)), 0.4, 2.5), 3)


def five_point(rng: np.random.Generator, share_agree: np.ndarray) -> np.ndarray:
    """Answers 1..5 of which about `share_agree` are 4 or 5."""
    agree = rng.random(len(share_agree)) < np.clip(share_agree, 0.05, 0.98)
    agreeing = 4 + (rng.random(len(share_agree)) < 0.4)
    disagreeing = rng.choice(np.array([1, 2, 3]), size=len(share_agree), p=[0.15, 0.30, 0.55])
    return np.where(agree, agreeing, disagreeing)


def yes_no(rng: np.random.Generator, share_yes: np.ndarray) -> np.ndarray:
    """0/1 answers with about `share_yes` ones."""
    return (rng.random(len(share_yes)) < np.clip(share_yes, 0.01, 0.99)).astype(np.int64)


def missing(rng: np.random.Generator, answers: np.ndarray, share_missing: float) -> pl.Series:
    """Answers with a share left empty (no answer)."""
    return pl.Series(answers, dtype=pl.Int64).scatter(np.flatnonzero(rng.random(len(answers)) < share_missing), None)
