"""The population table: inhabitants, inhabitants aged 0-17 and households per wijk and peildatum."""

from __future__ import annotations

import numpy as np
import polars as pl

from wijkmonitor.demo.chunk import DemoChunk
from wijkmonitor.demo.timeline import PEILJAREN, new_year_days


def generate(demo: DemoChunk) -> pl.DataFrame:
    """Inhabitants, inhabitants aged 0-17 and households per wijk on every peildatum."""
    rng, wijken = demo.rng, demo.wijken
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
