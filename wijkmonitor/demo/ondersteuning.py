"""The support register (ondersteuning): trajectories of adults, families and youth protection.

An arrival process per wijk and year, like the benefits register: arrivals scale with the wijk's
population and deprivation and with the policy trajectory (`transition`, `improvement`), durations
are log-normal. On a peildatum the number of active records is then about arrivals per year times mean
duration.

The story (issue 11): contact with the wijkteams falls a little below the nulmeting after the
transition, but specialist support and youth protection rise after 2015 as they did nationally, peak
around 2020 and come only partly back: above the nulmeting in deprived and lagging wijken (and so
in the city), below it in affluent ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from wijkmonitor.demo.areas import Wijken
from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.timeline import (
    EXTRACT_DAY,
    LAST_ARRIVAL_YEAR,
    REGISTER_START_YEAR,
    RegisterIds,
    decimal_year,
    improvement,
    integrated_wijkteam,
    lognormal_days,
    new_year_days,
    open_end,
    rise_and_partial_recovery,
    transition,
    trend,
)


@dataclass(frozen=True)
class _Voorziening:
    soort: str  # basis | specialistisch
    kader: str  # vrijwillig | gedwongen
    median_days: float
    sigma: float
    aanbieders: tuple[str, ...]


# Provider names are invented; a few carry non-ASCII letters as real ones do (decoding must cope).
VOORZIENINGEN: dict[str, _Voorziening] = {
    "wijkteam": _Voorziening("basis", "vrijwillig", 200, 0.9, ("WIJ-team",)),
    "hulp_bij_huishouden": _Voorziening(
        "specialistisch", "vrijwillig", 700, 0.8, ("Thuiszorg Noorderlicht", "Zorggroep Café-Noord")
    ),
    "begeleiding": _Voorziening("specialistisch", "vrijwillig", 365, 0.8, ("Zorggroep Café-Noord", "De Brêge")),
    "dagbesteding": _Voorziening("specialistisch", "vrijwillig", 500, 0.7, ("De Brêge", "Werkplaats Ommeland")),
    "jeugdhulp_ambulant": _Voorziening(
        "specialistisch", "vrijwillig", 200, 0.7, ("Elkér Jeugdhulp", "Jeugdhulp Stad en Ommeland")
    ),
    "jeugdhulp_verblijf": _Voorziening("specialistisch", "vrijwillig", 420, 0.7, ("Elkér Jeugdhulp",)),
    "ots": _Voorziening("specialistisch", "gedwongen", 450, 0.5, ("Jeugdbescherming Noord",)),
    "voogdij": _Voorziening("specialistisch", "gedwongen", 1500, 0.5, ("Jeugdbescherming Noord",)),
    "jeugdreclassering": _Voorziening("specialistisch", "gedwongen", 270, 0.5, ("Jeugdreclassering Noord",)),
}
_CODES = list(VOORZIENINGEN)
_AANBIEDERS = sorted({name for v in VOORZIENINGEN.values() for name in v.aanbieders})
_MAX_TRAJECT_DAYS = 12 * 365

# Arrivals per inhabitant per year, tuned so that on a peildatum about 6-9% of inhabitants have
# support, 3-5% specialist support, ~1% of the young are in the compulsory framework.
_ADULT_HOUSEHOLDS_PER_ADULT = 0.044
_YOUTH_HOUSEHOLDS_PER_YOUTH = 0.040
_PROTECTION_PER_YOUTH = 0.0075
_ADULT_SPECIALIST_SHARE = 0.34  # of adult clients, on the nulmeting
_YOUTH_SPECIALIST_SHARE = 0.47  # of children in support, on the nulmeting


@dataclass
class _People:
    """Persons receiving support, as parallel arrays (keys local to one chunk)."""

    wijk: np.ndarray
    household: np.ndarray
    geboortejaar: np.ndarray
    start: np.ndarray  # day the person's support starts

    def extend(self, other: _People) -> None:
        """Append `other` (its household keys are already distinct)."""
        for name in ("wijk", "household", "geboortejaar", "start"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))


@dataclass
class _Trajects:
    """Trajectories as parallel arrays: which person, which voorziening, days after the person's start."""

    person: np.ndarray
    voorziening: np.ndarray  # index into _CODES
    offset: np.ndarray

    def add(self, person: np.ndarray, voorziening: np.ndarray | int, max_offset_days: int,
            rng: np.random.Generator) -> None:
        """Add trajectories for `person`, starting up to `max_offset_days` after the person's start."""
        self.person = np.concatenate([self.person, person])
        codes = np.broadcast_to(np.asarray(voorziening), person.shape)
        self.voorziening = np.concatenate([self.voorziening, codes])
        self.offset = np.concatenate([self.offset, rng.integers(0, max_offset_days + 1, size=len(person))])


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Support trajectories of adults, families with children and youth protection, 2006 up to the extract."""
    rng, wijken, ids = demo.rng, demo.wijken, demo.ids.register
    people = _People(*(np.empty(0, dtype=np.int64) for _ in range(4)))
    trajects = _Trajects(*(np.empty(0, dtype=np.int64) for _ in range(3)))
    _adult_support(rng, wijken, people, trajects)
    _youth_support(rng, wijken, people, trajects)
    _youth_protection(rng, wijken, people, trajects)
    person_key = _repeat_clients(rng, people)
    begin = people.start[trajects.person] + trajects.offset
    median = np.array([VOORZIENINGEN[c].median_days for c in _CODES])[trajects.voorziening]
    sigma = np.array([VOORZIENINGEN[c].sigma for c in _CODES])[trajects.voorziening]
    end = begin + lognormal_days(rng, median, sigma, _MAX_TRAJECT_DAYS)
    wijk = people.wijk[trajects.person]
    household = people.household[trajects.person]
    aanbieder = _choose_aanbieder(rng, trajects.voorziening)
    professional = _professional_number(rng, wijken, wijk, aanbieder)
    frame = pl.DataFrame(
        {
            "persoon": person_key[trajects.person],
            "huishouden": household,
            "wijk": wijk,
            "geboortejaar": people.geboortejaar[trajects.person],
            "voorziening": trajects.voorziening,
            "aanbieder": aanbieder,
            "professional": professional,
            "begin": begin,
            "end": end,
            "same_professional": rng.random(len(begin)) < _same_professional_share(wijken, wijk, begin),
        }
    ).filter(pl.col("begin") < EXTRACT_DAY)
    return _ondersteuning_frame(_integrated_wijkteam_effect(_share_professionals(frame), wijken), wijken, ids)


def _integrated_wijkteam_effect(frame: pl.DataFrame, wijken: Wijken) -> pl.DataFrame:
    """The demo variant's modest effect: in its wijken, up to 10% of the voluntary specialist trajectories
    starting after 2017 do not happen (the integrated team helps earlier). Chosen by a hash of the person,
    not by the random stream, so every other figure of the demo stays as it was."""
    voluntary_specialist = np.array([VOORZIENINGEN[c].soort == "specialistisch" and VOORZIENINGEN[c].kader == "vrijwillig"
                                     for c in _CODES])
    integrated = integrated_wijkteam(wijken.wijkcode[frame["wijk"].to_numpy()], decimal_year(frame["begin"].to_numpy()))
    draw = (frame["persoon"].to_numpy().astype(np.uint64) * np.uint64(2654435761) % np.uint64(1000)) / 1000.0
    averted = voluntary_specialist[frame["voorziening"].to_numpy()] & (draw < 0.10 * integrated)
    return frame.filter(pl.Series(~averted))


def _adult_support(rng: np.random.Generator, wijken: Wijken, people: _People, trajects: _Trajects) -> None:
    """Adults (Wmo): wijkteam and/or individual support; some couples get support together."""
    households = _arrivals(rng, wijken, wijken.volwassenen, _ADULT_HOUSEHOLDS_PER_ADULT, _wijkteam_change(wijken))
    size = 1 + (rng.random(len(households.wijk)) < 0.15)
    persons = _members(rng, households, size, people)
    count = len(persons)
    older = rng.random(count) < 0.45
    age = np.where(older, rng.integers(65, 96, count), rng.integers(18, 65, count))
    people.geboortejaar[persons] = _birth_year(people.start[persons], age)
    kind = rng.random(count)  # basis only, specialist only, or both
    # Wmo maatwerk grew after 2015 (and with the flat contribution of 2019), then partly back
    rise = _specialist_rise(wijken, people.wijk[persons], people.start[persons], 0.15, 0.0)
    is_specialist = kind >= 1.0 - _ADULT_SPECIALIST_SHARE * (1.0 + rise)
    basis, specialist = persons[kind < 0.85], persons[is_specialist]
    trajects.add(basis, _CODES.index("wijkteam"), 30, rng)
    older_specialist = older[is_specialist]
    options_older = [_CODES.index(c) for c in ("hulp_bij_huishouden", "begeleiding", "dagbesteding")]
    options_younger = [_CODES.index(c) for c in ("begeleiding", "dagbesteding", "hulp_bij_huishouden")]
    choice = rng.choice(3, size=len(specialist), p=[0.6, 0.25, 0.15])
    code = np.where(older_specialist, np.array(options_older)[choice], np.array(options_younger)[choice])
    trajects.add(specialist, code, 90, rng)
    # e.g. begeleiding next to hulp bij het huishouden; more fragmented in the transition, less later
    fragmentation = _fragmentation(wijken, people.wijk[specialist], people.start[specialist])
    second = rng.random(len(specialist)) < 0.6 * fragmentation
    other = np.where(code[second] == options_older[0], options_older[1], options_older[0])
    trajects.add(specialist[second], other, 180, rng)


def _youth_support(rng: np.random.Generator, wijken: Wijken, people: _People, trajects: _Trajects) -> None:
    """Families (Jeugdwet): children with wijkteam and/or youth care, sometimes a parent with wijkteam."""
    households = _arrivals(rng, wijken, wijken.jeugdigen, _YOUTH_HOUSEHOLDS_PER_YOUTH, _wijkteam_change(wijken))
    children_per_household = 1 + rng.binomial(2, 0.2, size=len(households.wijk))
    children = _members(rng, households, children_per_household, people)
    people.geboortejaar[children] = _birth_year(people.start[children], rng.integers(0, 18, len(children)))
    kind = rng.random(len(children))
    trajects.add(children[kind < 0.8], _CODES.index("wijkteam"), 30, rng)
    rise = _specialist_rise(wijken, people.wijk[children], people.start[children], 0.35, 0.09)
    specialist = children[kind >= 1.0 - _YOUTH_SPECIALIST_SHARE * (1.0 + rise)]
    residential = rng.random(len(specialist)) < 0.10
    code = np.where(residential, _CODES.index("jeugdhulp_verblijf"), _CODES.index("jeugdhulp_ambulant"))
    trajects.add(specialist, code, 120, rng)
    _add_parents(rng, wijken, households, 0.55, people, trajects)


def _youth_protection(rng: np.random.Generator, wijken: Wijken, people: _People, trajects: _Trajects) -> None:
    """Youth in the compulsory framework (OTS, voogdij, jeugdreclassering), often with youth care alongside."""
    households = _arrivals(rng, wijken, wijken.jeugdigen, _PROTECTION_PER_YOUTH, _protection_change(wijken))
    children = _members(rng, households, np.ones(len(households.wijk), dtype=np.int64), people)
    count = len(children)
    measure = rng.choice(np.array([_CODES.index(c) for c in ("ots", "voogdij", "jeugdreclassering")]),
                         size=count, p=[0.55, 0.12, 0.33])
    lowest_age = np.where(measure == _CODES.index("jeugdreclassering"), 12, 0)
    age = lowest_age + np.floor(rng.random(count) * (18 - lowest_age)).astype(np.int64)
    people.geboortejaar[children] = _birth_year(people.start[children], age)
    trajects.add(children, measure, 0, rng)
    alongside = children[rng.random(count) < 0.5]
    trajects.add(alongside, _CODES.index("jeugdhulp_ambulant"), 90, rng)
    _add_parents(rng, wijken, households, 0.4, people, trajects)


@dataclass
class _Households:
    wijk: np.ndarray
    start: np.ndarray
    key: np.ndarray


Change = Callable[[np.ndarray], np.ndarray]  # (wijken x years) fractional years -> relative change since 2015


def _wijkteam_change(wijken: Wijken) -> Change:
    """Client households: 15% more in the transition, then a little below the nulmeting."""
    lag = wijken.lag_years[:, None]
    return lambda year: 0.15 * transition(year, lag) - 0.10 * improvement(year, lag)


def _protection_change(wijken: Wijken) -> Change:
    """Youth protection: up by a third or more until 2020, then back, but not in deprived and lagging wijken."""
    deprivation, lag = wijken.deprivation[:, None], wijken.lag_years[:, None]
    return lambda year: rise_and_partial_recovery(
        year, 0.30 + 0.30 * deprivation, -0.26 + 0.35 * deprivation + 0.05 * lag
    )


def _specialist_rise(wijken: Wijken, wijk: np.ndarray, day: np.ndarray, peak: float, end: float) -> np.ndarray:
    """Relative rise of the specialist share for clients starting on `day`: `peak` and `end` in an affluent
    wijk, more in deprived and lagging ones."""
    deprivation, lag = wijken.deprivation[wijk], wijken.lag_years[wijk]
    return rise_and_partial_recovery(
        decimal_year(day), peak + 0.25 * deprivation, end + 0.28 * deprivation + 0.03 * lag
    )


def _arrivals(rng: np.random.Generator, wijken: Wijken, population: Callable[[np.ndarray], np.ndarray],
              rate: float, change: Change) -> _Households:
    """New client households per wijk and year: population x rate x deprivation x (1 + change since 2015)."""
    years = np.arange(REGISTER_START_YEAR, LAST_ARRIVAL_YEAR + 1)
    relative = change(np.broadcast_to(years[None, :] + 0.5, (len(wijken), len(years))))
    expected = population(years) * rate * (0.55 + 0.9 * wijken.deprivation[:, None]) * (1.0 + relative)
    counts = rng.poisson(np.clip(expected, 0.0, None)).ravel()
    wijk = np.repeat(np.repeat(np.arange(len(wijken)), len(years)), counts)
    start = np.repeat(np.tile(new_year_days(years), len(wijken)), counts) + rng.integers(0, 365, size=counts.sum())
    return _Households(wijk, start, np.arange(counts.sum()))


def _members(rng: np.random.Generator, households: _Households, size: np.ndarray, people: _People) -> np.ndarray:
    """Add `size` persons per household to `people`; returns their row numbers."""
    household = np.repeat(np.arange(len(households.wijk)), size)
    first_key = people.household.max() + 1 if len(people.household) else 0
    added = _People(
        wijk=households.wijk[household],
        household=first_key + households.key[household],
        geboortejaar=np.zeros(len(household), dtype=np.int64),
        start=households.start[household] + rng.integers(0, 30, size=len(household)),
    )
    households.key = households.key + first_key  # later members (parents) join the same households
    first_row = len(people.wijk)
    people.extend(added)
    return first_row + np.arange(len(household))


def _add_parents(rng: np.random.Generator, wijken: Wijken, households: _Households, share: float, people: _People,
                 trajects: _Trajects) -> None:
    """A parent with a wijkteam trajectory in a share of the households."""
    fragmentation = _fragmentation(wijken, households.wijk, households.start)
    chosen = np.flatnonzero(rng.random(len(households.wijk)) < share * fragmentation)
    first_row = len(people.wijk)
    people.extend(
        _People(
            wijk=households.wijk[chosen],
            household=households.key[chosen],
            geboortejaar=_birth_year(households.start[chosen], rng.integers(25, 55, len(chosen))),
            start=households.start[chosen] + rng.integers(0, 60, size=len(chosen)),
        )
    )
    trajects.add(first_row + np.arange(len(chosen)), _CODES.index("wijkteam"), 0, rng)


def _repeat_clients(rng: np.random.Generator, people: _People) -> np.ndarray:
    """Person keys where about 4% of adults come back later as the same person (often in another wijk).

    The returning person keeps the key, household and birth year of an earlier client and starts one to
    four years after that client did, in their own (usually different) wijk: a move.
    """
    key = np.arange(len(people.wijk))
    adults = np.flatnonzero(people.start // 365.2425 + 1970 - people.geboortejaar >= 18)
    returning = adults[rng.random(len(adults)) < 0.04]
    earlier = rng.choice(adults, size=len(returning))
    key[returning] = earlier
    people.household[returning] = people.household[earlier]
    people.geboortejaar[returning] = people.geboortejaar[earlier]
    people.start[returning] = people.start[earlier] + rng.integers(365, 4 * 365, size=len(returning))
    return key


def _fragmentation(wijken: Wijken, wijk: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Factor on extra professionals in a household: up in the transition, down as 'one family, one plan' takes hold."""
    return 1.0 + 0.5 * trend(decimal_year(day), wijken.lag_years[wijk])


def _birth_year(start_day: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Birth year of someone of `age` on `start_day`."""
    return np.floor(decimal_year(start_day)).astype(np.int64) - age


def _choose_aanbieder(rng: np.random.Generator, voorziening: np.ndarray) -> np.ndarray:
    """A provider (index into _AANBIEDERS) among those offering each trajectory's voorziening."""
    result = np.empty(len(voorziening), dtype=np.int64)
    for index, code in enumerate(_CODES):
        rows = np.flatnonzero(voorziening == index)
        offered = np.array([_AANBIEDERS.index(name) for name in VOORZIENINGEN[code].aanbieders])
        result[rows] = offered[rng.integers(0, len(offered), size=len(rows))]
    return result


def _professional_number(rng: np.random.Generator, wijken: Wijken, wijk: np.ndarray,
                         aanbieder: np.ndarray) -> np.ndarray:
    """A professional from the provider's team for the wijk (teams grow with the wijk)."""
    team_size = np.clip(np.round(wijken.inwoners_2024 / 2000.0), 2, 999).astype(np.int64)[wijk]
    member = np.floor(rng.random(len(wijk)) * team_size).astype(np.int64)
    return (wijken.number[wijk] * len(_AANBIEDERS) + aanbieder) * 1000 + member


def _same_professional_share(wijken: Wijken, wijk: np.ndarray, begin: np.ndarray) -> np.ndarray:
    """Chance a trajectory goes to the household's professional at that provider ('one family, one plan').

    Falls in the transition and rises as the wijk improves, so professionals per household follow the
    policy trajectory.
    """
    effect = trend(decimal_year(begin), wijken.lag_years[wijk])
    return np.clip(0.10 - 0.30 * effect, 0.02, 0.9)


def _share_professionals(frame: pl.DataFrame) -> pl.DataFrame:
    """Give chosen trajectories the professional of the household's first trajectory at the same provider."""
    first = pl.col("professional").first().over("huishouden", "aanbieder", order_by="begin")
    return frame.with_columns(
        pl.when(pl.col("same_professional")).then(first).otherwise(pl.col("professional")).alias("professional")
    )


def _ondersteuning_frame(frame: pl.DataFrame, wijken: Wijken, ids: RegisterIds) -> pl.DataFrame:
    """The trajectories in the contract's columns, sorted by begindatum, with pseudonymised ids."""
    frame = frame.sort("begin", "persoon", "voorziening")
    persons = ids.persoon.reserve(int(frame["persoon"].max()) + 1 if frame.height else 0)
    households = ids.huishouden.reserve(int(frame["huishouden"].max()) + 1 if frame.height else 0)
    voorziening = frame["voorziening"].to_numpy()
    return pl.DataFrame(
        {
            "traject_id": ids.traject.take(frame.height),
            "persoon_id": ids.persoon.format(persons + frame["persoon"].to_numpy()),
            "huishouden_id": ids.huishouden.format(households + frame["huishouden"].to_numpy()),
            "wijkcode": wijken.wijkcode[frame["wijk"].to_numpy()],
            "geboortejaar": frame["geboortejaar"],
            "voorziening": np.array(_CODES)[voorziening],
            "soort": np.array([VOORZIENINGEN[c].soort for c in _CODES])[voorziening],
            "kader": np.array([VOORZIENINGEN[c].kader for c in _CODES])[voorziening],
            "aanbieder": np.array(_AANBIEDERS)[frame["aanbieder"].to_numpy()],
            "professional_id": ids.professional.format(frame["professional"].to_numpy()),
            "begindatum": frame["begin"],
            "einddatum": open_end(frame["end"]),
        }
    ).with_columns(pl.col("begindatum", "einddatum").cast(pl.Date))
