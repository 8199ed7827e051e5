"""Dates, the policy trajectory over time, and pseudonymised ids shared by the demo sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

NULMETING_YEAR = 2015
PEILJAREN = np.arange(2015, 2027)  # peildata 1 January 2015 .. 1 January 2026
SURVEY_YEARS = np.arange(2014, 2026)  # fieldwork in W(P) = [P - 1 year, P)
REGISTER_START_YEAR = 2006  # register histories start well before the nulmeting
BIJSTAND_START_YEAR = 2000  # benefits last years, so their history starts earlier still
EXTRACT_DATE = dt.date(2026, 1, 15)  # registers were extracted on this date: later ends are unknown
LAST_ARRIVAL_YEAR = EXTRACT_DATE.year - 1

_EPOCH = dt.date(1970, 1, 1)
_DAYS_PER_YEAR = 365.2425


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (the integer behind a polars Date)."""
    return (day - _EPOCH).days


EXTRACT_DAY = day_number(EXTRACT_DATE)


def new_year_days(years: np.ndarray) -> np.ndarray:
    """Day numbers of 1 January of each year."""
    since_1970 = np.asarray(years, dtype=np.int64) - 1970
    return since_1970.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def decimal_year(days: np.ndarray) -> np.ndarray:
    """Day numbers as fractional calendar years (2016.5 is mid 2016)."""
    return 1970.0 + np.asarray(days, dtype=np.float64) / _DAYS_PER_YEAR


def transition(year: np.ndarray, lag_years: np.ndarray) -> np.ndarray:
    """The temporary deterioration of the 2015 decentralisation: 0 before 2015, about +1 in 2016, then gone.

    Lagging wijken feel it longer.
    """
    t = np.asarray(year, dtype=np.float64) - NULMETING_YEAR
    lag = np.asarray(lag_years, dtype=np.float64)
    return np.clip(t / 0.5, 0.0, 1.0) * np.exp(-(((t - 1.3) / (0.9 + 0.4 * lag)) ** 2))


# The demo's organisational variant (data/config/monitor.toml [[werkwijzen]]): an integrated wijkteam
# (wijkteam, Wmo and youth care in one team) in three wijken from 2017-01-01. Its modest effect grows
# over two years: fewer clients move on to specialist support and self-reliance rises a little.
INTEGRAAL_WIJKTEAM = ("WK001403", "WK001411", "WK001412")  # Oud-Noord, Noordoost, Noorddijk e.o.
INTEGRAAL_VANAF = 2017.0


def integrated_wijkteam(wijkcode: np.ndarray, year: np.ndarray) -> np.ndarray:
    """0..1: how far the integrated wijkteam works in a wijk at a (fractional) year (0 outside the group)."""
    in_group = np.isin(np.asarray(wijkcode), INTEGRAAL_WIJKTEAM)
    return in_group * np.clip((np.asarray(year, dtype=np.float64) - INTEGRAAL_VANAF) / 2.0, 0.0, 1.0)


def improvement(year: np.ndarray, lag_years: np.ndarray) -> np.ndarray:
    """The improvement the new way of working brings: 0 until 2017, then up to 1 (less in lagging wijken)."""
    t = np.asarray(year, dtype=np.float64) - NULMETING_YEAR
    lag = np.asarray(lag_years, dtype=np.float64)
    return np.clip((t - 2.0 - lag) / 6.0, 0.0, 1.0) / (1.0 + 0.5 * lag)


def trend(year: np.ndarray, lag_years: np.ndarray) -> np.ndarray:
    """Policy effect on a wijk at a (fractional) year: 0 before 2015, up to +1 in the transition, then -1.

    Mirrors the 2013 council paper: the 2015 decentralisation brings a temporary deterioration,
    recovery and improvement from about 2017; lagging wijken recover later and improve less.
    """
    return transition(year, lag_years) - improvement(year, lag_years)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, an S-curve in between."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def rise_and_partial_recovery(year: np.ndarray, peak: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Relative change since 2015 that rises to `peak` in 2020 and falls back to `end` by 2025.

    How specialist youth support and youth protection went after the Jeugdwet (2015): a rise for
    some five years, nationally and in Groningen (facts.md), then partly back as the wijkteams and
    stricter access took hold. `end` above 0 means still above the nulmeting.
    """
    t = np.asarray(year, dtype=np.float64) - NULMETING_YEAR
    return peak * _smoothstep(t / 5.0) + (end - peak) * _smoothstep((t - 5.0) / 5.0)


def pandemic(year: np.ndarray) -> np.ndarray:
    """0 .. 1: the pandemic's hold on volunteering and informal help, deepest in autumn 2020."""
    t = np.asarray(year, dtype=np.float64)
    return np.exp(-(((t - 2020.9) / 0.7) ** 2))


def lognormal_days(
    rng: np.random.Generator, median_days: np.ndarray, sigma: np.ndarray, max_days: int
) -> np.ndarray:
    """Durations in whole days (at least two weeks), log-normally spread around a median."""
    days = np.asarray(median_days) * np.exp(np.asarray(sigma) * rng.standard_normal(np.shape(median_days)))
    return np.clip(np.round(days), 14, max_days).astype(np.int64)


class IdSequence:
    """Unique pseudonymised ids: a prefix and a 9-digit number scrambled per seed (P482019337)."""

    _MODULUS = 10**9
    _MULTIPLIER = 387_420_489  # 3**18: coprime to 10**9, so the scramble is a bijection

    def __init__(self, prefix: str, seed: int) -> None:
        self.prefix = prefix
        self._offset = int(np.random.default_rng([seed, ord(prefix[0])]).integers(self._MODULUS))
        self._next = 0

    def reserve(self, count: int) -> int:
        """Reserve `count` consecutive numbers; returns the first."""
        first = self._next
        self._next += int(count)
        if self._next > self._MODULUS:
            raise OverflowError(f"more than {self._MODULUS} ids with prefix {self.prefix}")
        return first

    def take(self, count: int) -> pl.Series:
        """`count` new ids."""
        return self.format(self.reserve(count) + np.arange(count, dtype=np.int64))

    def format(self, numbers: np.ndarray) -> pl.Series:
        """Ids for already reserved numbers."""
        scrambled = (np.asarray(numbers, dtype=np.int64) * self._MULTIPLIER + self._offset) % self._MODULUS
        return self.prefix + pl.Series(scrambled).cast(pl.String).str.zfill(9)


@dataclass(frozen=True)
class RegisterIds:
    """Id sequences of the registers; persons share one sequence across ondersteuning and bijstand."""

    traject: IdSequence
    persoon: IdSequence
    huishouden: IdSequence
    professional: IdSequence
    uitkering: IdSequence
    activiteit: IdSequence

    @classmethod
    def for_seed(cls, seed: int) -> RegisterIds:
        """Fresh sequences for one generation run."""
        return cls(*(IdSequence(prefix, seed) for prefix in ("T", "P", "H", "M", "U", "A")))


def open_end(end: pl.Series) -> pl.Series:
    """Ends after the extract date are not known yet: empty (still running)."""
    return end.set(end > EXTRACT_DAY, None) if end.len() else end
