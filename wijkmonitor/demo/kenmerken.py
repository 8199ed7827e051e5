"""Source `kenmerken`: context figures per wijk and year (long format, as exported from CBS Kerncijfers).

Calibrated where real figures exist: `bevolkingsdichtheid` of Groningen's wijken is CBS Kerncijfers wijken
en buurten 2024 (85984NED, CC-BY 4.0; ../shared/data/cbs/), carried to other years with the wijk's demo
population. CBS figures for income, age, households and housing per wijk were not found, so those are
synthetic, drawn from the wijk's demo profile (deprivation, household size); synthetic gemeenten (scale > 1)
get only synthetic figures. Every row says which in the extra column `herkomst` (kept in the raw layer,
ignored downstream); the drop's herkomst.json marks the whole delivery as fictieve demogegevens.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from core.paths import CBS_KERNCIJFERS_CSV
from wijkmonitor.demo.areas import Wijken
from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.timeline import PEILJAREN, new_year_days

CBS_2024 = "CBS Kerncijfers wijken en buurten 2024 (85984NED, CC-BY 4.0), andere jaren met de demobevolking"
SYNTHETISCH = "synthetisch (fictieve demogegevens)"
KENMERKEN = (
    "gemiddeld_inkomen",                # x 1.000 euro per inwoner per jaar
    "aandeel_65_plus",                  # % of inhabitants
    "aandeel_eenpersoonshuishoudens",   # % of households
    "aandeel_huurwoningen",             # % of dwellings
    "bevolkingsdichtheid",              # inhabitants per km2
)


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Context figures per wijk on 1 January of every peiljaar; columns peildatum, wijkcode, kenmerk,
    waarde, and the extra column herkomst (real CBS figure or synthetic)."""
    rng, wijken = demo.rng, demo.wijken
    years = PEILJAREN
    shape = (len(wijken), len(years))
    deprivation = wijken.deprivation[:, None]
    per_household = wijken.persons_per_household[:, None]
    since_2015 = (years[None, :] - 2015).astype(np.float64)
    noise = lambda scale: scale * rng.standard_normal(shape)  # noqa: E731 - small local helper
    income = (34.0 - 16.0 * deprivation) * 1.02 ** since_2015 * (1.0 + noise(0.01))
    older = 6.0 + 22.0 * (1.0 - deprivation) * np.clip((per_household - 1.2) / 1.0, 0.1, 1.0) + 0.15 * since_2015
    single = 100.0 * np.clip(0.80 - 0.35 * (per_household - 1.3), 0.12, 0.9)
    rented = 100.0 * np.clip(0.28 + 0.52 * deprivation, 0.05, 0.95)
    density, real = _density(wijken, years, rng)
    figures = {
        "gemiddeld_inkomen": np.round(income, 1),
        "aandeel_65_plus": np.round(np.clip(older + noise(0.3), 1.0, 60.0), 1),
        "aandeel_eenpersoonshuishoudens": np.round(np.clip(single + noise(0.5), 5.0, 95.0), 1),
        "aandeel_huurwoningen": np.round(np.clip(rented - 0.3 * since_2015 + noise(0.5), 2.0, 98.0), 1),
        "bevolkingsdichtheid": np.round(density),
    }
    frames = [
        pl.DataFrame({
            "peildatum": np.tile(new_year_days(years), len(wijken)),
            "wijkcode": np.repeat(wijken.wijkcode, len(years)),
            "kenmerk": kenmerk,
            "waarde": values.ravel(),
            "herkomst": np.repeat(np.where(real, CBS_2024, SYNTHETISCH), len(years))
            if kenmerk == "bevolkingsdichtheid" else SYNTHETISCH,
        })
        for kenmerk, values in figures.items()
    ]
    return pl.concat(frames).with_columns(pl.col("peildatum").cast(pl.Date)).sort("peildatum", "wijkcode", "kenmerk")


def _density(wijken: Wijken, years: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inhabitants per km2 per wijk and year, and per wijk whether it rests on the real CBS 2024 figure."""
    kwb = pl.read_csv(CBS_KERNCIJFERS_CSV).filter((pl.col("jaar") == 2024) & pl.col("Bevolkingsdichtheid").is_not_null())
    real_2024 = dict(zip(kwb["wijkcode"], kwb["Bevolkingsdichtheid"].cast(pl.Float64)))
    real = np.array([code in real_2024 for code in wijken.wijkcode])
    synthetic = 11_000.0 / wijken.persons_per_household ** 3 * rng.lognormal(0.0, 0.3, len(wijken))
    in_2024 = np.where(real, [real_2024.get(code, 0.0) for code in wijken.wijkcode], synthetic)
    growth = wijken.inwoners(years) / wijken.inwoners(np.array([2024]))
    return in_2024[:, None] * growth, real
