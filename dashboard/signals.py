"""Signals for one peildatum: which figures need attention, ranked, from the published values alone.

Used by Overzicht (the attention block), the PDCA session (signals that start an action) and the
council report, so all three name the same figures in the same order.

Kinds of signal (a figure may have several):
- BUITEN_MARGE: the status is 'buiten marge' (worse than the nulmeting by more than the corridor allows);
- SIGNIFICANT_SLECHTER: a survey figure significantly worse than its nulmeting (still within the corridor);
- GROTE_BEWEGING: among the largest relative changes since the previous peildatum, either way.

Attention points are the first two kinds. A gebied that holds one wijk only has the same figure as that
wijk: it is left out, so a signal is never listed twice. Suppressed figures and figures without a value
give no signal.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from core import niveau, status
from dashboard.data import Published

BUITEN_MARGE = status.BUITEN_MARGE
SIGNIFICANT_SLECHTER = "significant slechter"
GROTE_BEWEGING = "grote beweging"
KINDS = (BUITEN_MARGE, SIGNIFICANT_SLECHTER, GROTE_BEWEGING)
ATTENTION_KINDS = (BUITEN_MARGE, SIGNIFICANT_SLECHTER)
TOP_MOVERS = 5  # the largest movers since the previous peildatum that count as a signal
NIVEAU_ORDER = niveau.ORDER

SIGNAL_COLUMNS = (
    "indicator", "naam", "niveau", "gebiedcode", "gebiedsnaam", "peildatum", "waarde", "waarde_tekst",
    "verschil_tekst", "vorige_tekst", "status", "soorten", "signaal", "ernst", "rang",
)


def signals(data: Published, peildatum: date, kinds: tuple[str, ...] = KINDS) -> pl.DataFrame:
    """Figures on peildatum with at least one signal of the given kinds, most serious first.

    Columns: SIGNAL_COLUMNS. `soorten` is the list of kinds, `signaal` the same as Dutch text,
    `ernst` the score used for ranking within a kind (see _severity), `rang` 1, 2, ... in order.
    Computed once per store version, peildatum and kinds (nationally tens of thousands of figures).
    """
    return data.memoised(("signals", peildatum, tuple(kinds)), lambda: _signals(data, peildatum, tuple(kinds)))


def _signals(data: Published, peildatum: date, kinds: tuple[str, ...]) -> pl.DataFrame:
    """signals(), computed from the figures with every kind they have (computed once per peildatum)."""
    frame = data.memoised(("signal candidates", peildatum), lambda: _candidates(data, peildatum))
    if frame is None:
        return _empty()
    frame = frame.with_columns(pl.col("soorten").list.set_intersection(pl.lit(list(kinds), dtype=pl.List(pl.String))))
    frame = frame.filter(pl.col("soorten").list.len() > 0)
    if frame.is_empty():
        return _empty()
    kind_rank = (
        pl.when(pl.col("soorten").list.contains(BUITEN_MARGE)).then(0)
        .when(pl.col("soorten").list.contains(SIGNIFICANT_SLECHTER)).then(1)
        .otherwise(2)
    )
    ranked = frame.with_columns(
        kind_rank.alias("_soort"),
        pl.col("niveau").replace_strict(NIVEAU_ORDER, return_dtype=pl.Int8).alias("_niveau"),
        pl.col("indicator").replace_strict({i: m.naam for i, m in data.indicators.items()}).alias("naam"),
        pl.col("soorten").list.join(", ").alias("signaal"),
    ).sort(
        ["_soort", "ernst", "_beweging", "_niveau", "gebiedcode", "indicator"],
        descending=[False, True, True, False, False, False],
        nulls_last=True,
    )
    return ranked.with_row_index("rang", offset=1).select(SIGNAL_COLUMNS)


def _candidates(data: Published, peildatum: date) -> pl.DataFrame | None:
    """The figures on peildatum with at least one kind of signal, `soorten` listing all their kinds (None: no figures)."""
    frame = _without_single_wijk_gebieden(data, data.select(peildatum=peildatum)).filter(pl.col("waarde").is_not_null())
    if frame.is_empty():
        return None
    richting = pl.col("indicator").replace_strict(
        {i: (-1 if meta.lager_is_beter else 1) for i, meta in data.indicators.items()}, return_dtype=pl.Int8
    )
    worse = (richting * pl.col("verschil_nulmeting")) < 0
    previous = pl.col("waarde") - pl.col("verschil_vorige")
    movement = (pl.col("verschil_vorige") / previous).abs()
    frame = frame.with_columns(
        worse.fill_null(False).alias("_slechter"),
        pl.when(previous != 0).then(movement).alias("_beweging"),
        _severity(data, richting).alias("ernst"),
    )
    movers = (
        frame.filter(pl.col("niveau") != "gemeente", pl.col("_beweging") > 0)
        .sort("_beweging", "gebiedcode", descending=[True, False])
        .head(TOP_MOVERS)
        .select("indicator", "gebiedcode", pl.lit(True).alias("_mover"))
    )
    frame = frame.join(movers, on=["indicator", "gebiedcode"], how="left")
    soorten = pl.concat_list(
        pl.when(pl.col("status") == BUITEN_MARGE).then(pl.lit([BUITEN_MARGE])).otherwise(pl.lit([], dtype=pl.List(pl.String))),
        pl.when((pl.col("status") != BUITEN_MARGE) & pl.col("significant").fill_null(False) & pl.col("_slechter"))
        .then(pl.lit([SIGNIFICANT_SLECHTER])).otherwise(pl.lit([], dtype=pl.List(pl.String))),
        pl.when(pl.col("_mover").fill_null(False)).then(pl.lit([GROTE_BEWEGING]))
        .otherwise(pl.lit([], dtype=pl.List(pl.String))),
    )
    return frame.with_columns(soorten.alias("soorten")).filter(pl.col("soorten").list.len() > 0)


def attention_points(data: Published, peildatum: date) -> pl.DataFrame:
    """Figures outside the corridor or significantly worse than the nulmeting, most serious first."""
    return signals(data, peildatum, ATTENTION_KINDS)


def _severity(data: Published, richting: pl.Expr) -> pl.Expr:
    """How far a figure is past its corridor boundary, in units of the indicator's largest allowed deterioration.

    Within the corridor (or without one) the deterioration since the nulmeting in the same units is used,
    so figures of different indicators and units can be ranked on one scale. Improvements score below zero.
    """
    corridor = data.tables["corridor"]
    allowed = dict(zip(corridor["indicator"].to_list(), corridor["max_verslechtering"].to_list(), strict=True))
    scale = pl.col("indicator").replace_strict(
        {i: (allowed.get(i) or 1.0) for i in data.indicators}, return_dtype=pl.Float64
    )
    past_boundary = richting * (pl.col("marge_grens") - pl.col("waarde")) / scale
    deterioration = -richting * pl.col("verschil_nulmeting") / scale
    return pl.when(pl.col("status") == BUITEN_MARGE).then(past_boundary).otherwise(deterioration)


def _without_single_wijk_gebieden(data: Published, frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the rows of gebieden that hold exactly one wijk on the frame's peildatum (they repeat that wijk)."""
    if frame.is_empty():
        return frame
    peildatum = frame["peildatum"][0]
    wijken = data.areas("wijk", peildatum)
    single = wijken.group_by("bovenliggend").len().filter(pl.col("len") == 1)["bovenliggend"].to_list()
    return frame.filter(~((pl.col("niveau") == "gebied") & pl.col("gebiedcode").is_in(single)))


def _empty() -> pl.DataFrame:
    """A signal frame without rows, with the same columns."""
    schema = {column: pl.String for column in SIGNAL_COLUMNS}
    schema |= {"peildatum": pl.Date, "waarde": pl.Float64, "ernst": pl.Float64, "rang": pl.UInt32,
               "soorten": pl.List(pl.String)}
    return pl.DataFrame(schema=schema)
