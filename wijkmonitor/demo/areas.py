"""The wijken the demo data is generated for: Groningen's 20 and, at scale > 1, synthetic copies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from core.errors import UsageError, WijkmonitorError
from core.paths import CBS_KERNCIJFERS_CSV, GEBIEDEN_CSV


class ScaleOutOfRange(UsageError):
    """--scale outside what the generator supports."""


@dataclass(frozen=True)
class WijkProfile:
    """How a wijk differs from the city: the levers of its synthetic figures."""

    deprivation: float  # 0 = affluent .. 1 = deprived; drives support, bijstand and survey answers
    share_0_17: float  # share of inhabitants aged 0-17
    persons_per_household: float
    growth_per_year: float  # population growth, relative
    lag_years: float  # how many years later the wijk recovers after the 2015 transition


# Hand-set from what is publicly known about the wijken (student centre, post-war estates in
# Vinkhuizen/Oosterpark/De Hoogte, affluent Haren and Helpman, new-build Meerstad).
PROFILES: dict[str, WijkProfile] = {
    "WK001400": WijkProfile(0.45, 0.06, 1.30, 0.012, 0),  # Centrum
    "WK001401": WijkProfile(0.30, 0.10, 1.50, 0.010, 0),  # Oud-Zuid
    "WK001402": WijkProfile(0.45, 0.11, 1.50, 0.007, 0),  # Oud-West
    "WK001403": WijkProfile(0.75, 0.13, 1.60, 0.006, 0),  # Oud-Noord
    "WK001404": WijkProfile(0.90, 0.14, 1.60, 0.005, 2),  # Oosterparkwijk
    "WK001405": WijkProfile(0.40, 0.15, 1.80, 0.008, 0),  # Zuidoost
    "WK001406": WijkProfile(0.15, 0.17, 1.85, 0.006, 0),  # Helpman e.o.
    "WK001407": WijkProfile(0.75, 0.17, 1.75, 0.004, 1),  # Zuidwest
    "WK001408": WijkProfile(0.40, 0.21, 2.25, 0.010, 0),  # Hoogkerk e.o.
    "WK001409": WijkProfile(0.80, 0.19, 2.05, 0.004, 2),  # Nieuw-West
    "WK001410": WijkProfile(0.85, 0.18, 1.85, 0.007, 2),  # Noordwest
    "WK001411": WijkProfile(0.60, 0.20, 2.00, 0.005, 0),  # Noordoost
    "WK001412": WijkProfile(0.55, 0.19, 2.05, 0.008, 0),  # Noorddijk e.o.
    "WK001413": WijkProfile(0.20, 0.19, 2.35, 0.004, 0),  # Meerdorpen
    "WK001414": WijkProfile(0.10, 0.28, 2.70, 0.130, 0),  # Meerstad e.o.
    "WK001415": WijkProfile(0.35, 0.21, 2.25, 0.003, 0),  # Ten Boer e.o.
    "WK001416": WijkProfile(0.30, 0.19, 2.15, -0.002, 2),  # Ten Post e.o.
    "WK001417": WijkProfile(0.10, 0.19, 2.15, 0.004, 0),  # Haren-West e.o.
    "WK001418": WijkProfile(0.10, 0.20, 2.20, 0.004, 0),  # Haren-Oost e.o.
    "WK001419": WijkProfile(0.05, 0.19, 2.35, 0.002, 0),  # Glimmen-Onnen-Noordlaren
}

GRONINGEN = "GM0014"
SYNTHETIC_GEMEENTE_FIRST = 9001  # GM9001.. cannot clash with real CBS gemeente codes
MAX_SCALE = 400.0
# At scale 75 (about 18 million inhabitants, the Netherlands) there are about 3,300 wijken:
# 164 synthetic gemeenten of 20 wijken next to Groningen.
_SYNTHETIC_GEMEENTEN_PER_SCALE = 164 / 74


@dataclass(frozen=True)
class Wijken:
    """A set of wijken as parallel arrays (one chunk of generation)."""

    wijkcode: np.ndarray  # str
    number: np.ndarray  # unique small integer per wijk over the whole run (professional pools)
    inwoners_2024: np.ndarray
    deprivation: np.ndarray
    share_0_17: np.ndarray
    persons_per_household: np.ndarray
    growth_per_year: np.ndarray
    lag_years: np.ndarray

    def __len__(self) -> int:
        return len(self.wijkcode)

    def inwoners(self, years: np.ndarray) -> np.ndarray:
        """Expected inhabitants per wijk (rows) and year (columns)."""
        exponent = np.asarray(years, dtype=np.float64)[None, :] - 2024.0
        return self.inwoners_2024[:, None] * (1.0 + self.growth_per_year[:, None]) ** exponent

    def jeugdigen(self, years: np.ndarray) -> np.ndarray:
        """Expected inhabitants aged 0-17 per wijk and year."""
        return self.inwoners(years) * self.share_0_17[:, None]

    def volwassenen(self, years: np.ndarray) -> np.ndarray:
        """Expected inhabitants aged 18+ per wijk and year."""
        return self.inwoners(years) * (1.0 - self.share_0_17[:, None])


@dataclass(frozen=True)
class Chunk:
    """One unit of generation and writing: Groningen, or a group of synthetic gemeenten."""

    index: int
    name: str
    wijken: Wijken
    gebieden: pl.DataFrame  # rows of the reference area table for these wijken


def groningen_gebieden() -> pl.DataFrame:
    """The shipped reference area table."""
    return pl.read_csv(GEBIEDEN_CSV, schema_overrides={"geldig_tot": pl.String, "in_gemeente_sinds": pl.String})


def _inwoners_2024() -> dict[str, float]:
    """Real inhabitants per wijk in 2024 (CBS Kerncijfers wijken en buurten)."""
    kwb = pl.read_csv(CBS_KERNCIJFERS_CSV).filter(pl.col("jaar") == 2024)
    return dict(zip(kwb["wijkcode"], kwb["AantalInwoners"].cast(pl.Float64)))


def _wijken(codes: list[str], profile_codes: list[str], first_number: int, size_factor: float,
            deprivation_shift: np.ndarray) -> Wijken:
    """Wijken with the profiles of `profile_codes`, sizes times `size_factor`."""
    sizes = _inwoners_2024()
    profiles = [PROFILES[code] for code in profile_codes]
    return Wijken(
        wijkcode=np.array(codes),
        number=first_number + np.arange(len(codes)),
        inwoners_2024=np.array([sizes[code] for code in profile_codes]) * size_factor,
        deprivation=np.clip(np.array([p.deprivation for p in profiles]) + deprivation_shift, 0.02, 0.95),
        share_0_17=np.array([p.share_0_17 for p in profiles]),
        persons_per_household=np.array([p.persons_per_household for p in profiles]),
        growth_per_year=np.array([p.growth_per_year for p in profiles]),
        lag_years=np.array([p.lag_years for p in profiles], dtype=np.float64),
    )


def synthetic_gemeente_count(scale: float) -> int:
    """How many synthetic gemeenten a scale adds next to Groningen."""
    if scale <= 1.0:
        return 0
    return max(1, round((scale - 1.0) * _SYNTHETIC_GEMEENTEN_PER_SCALE))


def chunks(seed: int, scale: float, gemeenten_per_chunk: int) -> list[Chunk]:
    """Groningen first (its size times scale when scale <= 1), then the synthetic gemeenten in groups."""
    if not 0.0 < scale <= MAX_SCALE:
        raise ScaleOutOfRange(f"--scale {scale:g}: must be above 0 and at most {MAX_SCALE:g}")
    gebieden = groningen_gebieden()
    codes = gebieden["wijkcode"].unique(maintain_order=True).to_list()
    _check_profiles(codes)
    groningen = Chunk(0, "groningen", _wijken(codes, codes, 0, min(scale, 1.0), np.zeros(len(codes))), gebieden)
    count = synthetic_gemeente_count(scale)
    if count == 0:
        return [groningen]
    size_factor = (scale - 1.0) / count
    rng = np.random.default_rng([seed, 7])
    result = [groningen]
    for first in range(0, count, gemeenten_per_chunk):
        digits = [str(SYNTHETIC_GEMEENTE_FIRST + i) for i in range(first, min(first + gemeenten_per_chunk, count))]
        table = pl.concat([_synthetic_gebieden(gebieden, number) for number in digits])
        synthetic_codes = [f"WK{number}{code[-2:]}" for number in digits for code in codes]
        shift = rng.uniform(-0.1, 0.1, size=len(synthetic_codes))
        wijken = _wijken(synthetic_codes, codes * len(digits), len(codes) * (1 + first), size_factor, shift)
        result.append(Chunk(len(result), f"gm{digits[0]}-gm{digits[-1]}", wijken, table))
    return result


def _synthetic_gebieden(gebieden: pl.DataFrame, digits: str) -> pl.DataFrame:
    """Groningen's area table copied into synthetic gemeente GM<digits> (codes WK<digits>NN, GB<digits>NN)."""
    if len(digits) != 4:
        raise WijkmonitorError(f"synthetic gemeente GM{digits} does not fit a 4-digit code")
    return gebieden.with_columns(
        pl.col("wijkcode").str.replace(r"^WK0014", f"WK{digits}"),
        pl.col("gebiedcode").str.replace(r"^GB0014", f"GB{digits}"),
        pl.lit(f"GM{digits}").alias("gemeentecode"),
        pl.lit(f"Demogemeente {digits}").alias("gemeentenaam"),
        pl.lit(None, dtype=pl.String).alias("in_gemeente_sinds"),  # the 2019 merger is Groningen's alone
    )


def area_table(all_chunks: list[Chunk]) -> pl.DataFrame:
    """The reference area table covering every generated wijk."""
    return pl.concat([chunk.gebieden for chunk in all_chunks])


def _check_profiles(codes: list[str]) -> None:
    """Every wijk of the shipped area table has a profile and a 2024 size (else the generator is stale)."""
    sizes = _inwoners_2024()
    missing = [code for code in codes if code not in PROFILES or code not in sizes]
    if missing:
        raise WijkmonitorError(f"{GEBIEDEN_CSV}: no demo profile or 2024 size for wijk {', '.join(missing)}")
