"""Comparing fairly (indicators.md v2): context per wijk, similar wijken with reference values, and the
verschil-in-verschil of organisational variants (werkwijzen). Aggregates only, from staging's bevolking
and kenmerken and from the published (post-suppression) wijk values.

tables(con, values, n_eff, indicators, config) -> {context, vergelijkbare_wijken, referentiewaarden,
werkwijze_vergelijking, werkwijzen}; con must hold wm_peildata (indicators/compute.py) and the staging tables.
"""

from __future__ import annotations

import math
from datetime import date

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from core import publication
from indicators.config import MonitorConfig, Werkwijze
from indicators.registry import Indicator

BEVOLKING_KENMERKEN = ("aandeel_0_17", "personen_per_huishouden")
Z_95 = 1.96
_BLOCK = 256  # wijken per block of the distance matrix (256 x wijken x variables doubles)
# A spread this small relative to the values is zero: identical values can leave float noise in the SD,
# and dividing by that noise would make a constant variable decide the distance.
_ZERO_SPREAD = 1e-12


def _schema(name: str) -> dict[str, pl.DataType]:
    """The polars schema of a published table (core/publication.py)."""
    return dict(pl.from_arrow(publication.arrow_schema(name).empty_table()).schema)


CONTEXT_SCHEMA = _schema("context")
BUREN_SCHEMA = _schema("vergelijkbare_wijken")
REFERENTIE_SCHEMA = _schema("referentiewaarden")
WERKWIJZE_SCHEMA = _schema("werkwijze_vergelijking")
WERKWIJZEN_SCHEMA = _schema("werkwijzen")


def _arrow(frame: pl.DataFrame, name: str) -> pa.Table:
    """A frame as the Arrow table of the published table `name`."""
    return frame.select(list(_schema(name))).to_arrow().cast(publication.arrow_schema(name))


def tables(con: duckdb.DuckDBPyConnection, values: pa.Table, n_eff: pl.DataFrame,
           indicators: tuple[Indicator, ...], config: MonitorConfig) -> dict[str, pa.Table]:
    """The five published tables. values: indicator_values as published; n_eff: (indicator, peildatum,
    gebiedcode, n_eff) of the visible survey wijk cells."""
    peildata = [row[0] for row in con.sql("select peildatum from wm_peildata order by peildatum").fetchall()]
    wijkwaarden = pl.from_arrow(values).filter(pl.col("niveau") == "wijk").select(
        "indicator", "peildatum", pl.col("gebiedcode").alias("wijkcode"), "waarde", "onderdrukt")
    context = context_table(con, config.vergelijken.kenmerken)
    buren = neighbours(context, config.vergelijken.k)
    did = [difference_in_differences(werkwijze, indicator, peildata, wijkwaarden, n_eff)
           for werkwijze in config.werkwijzen for indicator in indicators]
    return {
        "context": _arrow(context, "context"),
        "vergelijkbare_wijken": _arrow(buren, "vergelijkbare_wijken"),
        "referentiewaarden": _arrow(reference_values(buren, wijkwaarden), "referentiewaarden"),
        "werkwijze_vergelijking": _arrow(pl.concat([pl.DataFrame(schema=WERKWIJZE_SCHEMA), *did]),
                                         "werkwijze_vergelijking"),
        "werkwijzen": _arrow(pl.DataFrame(
            [{"werkwijze": w.naam, "omschrijving": w.omschrijving, "startdatum": w.startdatum, "wijkcode": code}
             for w in config.werkwijzen for code in w.wijken],
            schema=WERKWIJZEN_SCHEMA,
        ), "werkwijzen"),
    }


def context_table(con: duckdb.DuckDBPyConnection, kenmerken: tuple[str, ...] | None) -> pl.DataFrame:
    """Context per wijk with a bevolking row on P: aandeel_0_17, personen_per_huishouden and the kenmerken.
    "The latest peildatum on or before P" is read per kenmerk: the latest date on or before P on which that
    kenmerk was delivered, the same date for every wijk. A wijk without a figure on that date has waarde NULL
    (so the kenmerk is left out on P), never an older figure of its own: mixing years within one variable
    would compare wijken on different moments, a guess. Every wijk gets a row for every kenmerk asked for
    (configured, or by default every kenmerk delivered): said, not guessed.
    gebruikt: the variable enters the distance on P (present for every such wijk and not of zero spread)."""
    # the two bevolking variables come from bevolking (indicators.md); a delivered kenmerk of that name is not used
    asked_sql = ("select distinct kenmerk from stg_kenmerken" if kenmerken is None
                 else "select unnest($kenmerken::varchar[]) as kenmerk")
    rows = con.sql(
        f"""
        with wijken as (
            select b.peildatum, b.wijkcode, b.inwoners, b.inwoners_0_17, b.huishoudens
            from stg_bevolking b join wm_peildata p using (peildatum)
        ),
        gevraagd as (
            select kenmerk from ({asked_sql}) where kenmerk not in ('aandeel_0_17', 'personen_per_huishouden')
        ),
        kenmerk_datum as (  -- per kenmerk one date for every wijk: its latest peildatum on or before P
            select p.peildatum, g.kenmerk, max(k.peildatum) as bron_peildatum
            from wm_peildata p
            cross join gevraagd g
            join stg_kenmerken k on k.kenmerk = g.kenmerk and k.peildatum <= p.peildatum
            group by all
        ),
        kenmerken as (
            select w.peildatum, w.wijkcode, g.kenmerk, k.waarde, k.peildatum as bron_peildatum
            from wijken w
            cross join gevraagd g
            left join kenmerk_datum d on d.peildatum = w.peildatum and d.kenmerk = g.kenmerk
            left join stg_kenmerken k
                on k.wijkcode = w.wijkcode and k.kenmerk = g.kenmerk and k.peildatum = d.bron_peildatum
        )
        select peildatum, wijkcode, 'aandeel_0_17' as kenmerk,
               inwoners_0_17::double / nullif(inwoners, 0) as waarde, 'bevolking' as bron, peildatum as bron_peildatum
        from wijken
        union all
        select peildatum, wijkcode, 'personen_per_huishouden', inwoners::double / nullif(huishoudens, 0),
               'bevolking', peildatum
        from wijken
        union all
        select peildatum, wijkcode, kenmerk, waarde, 'kenmerken', bron_peildatum from kenmerken
        """,
        params=None if kenmerken is None else {"kenmerken": list(kenmerken)},
    ).pl()
    names = list(BEVOLKING_KENMERKEN) + (
        list(kenmerken) if kenmerken is not None
        else sorted(set(rows.filter(pl.col("bron") == "kenmerken")["kenmerk"].to_list()))
    )
    wijken_op_p = rows.filter(pl.col("kenmerk") == BEVOLKING_KENMERKEN[0]).group_by("peildatum").agg(
        pl.len().alias("wijken"))
    spreiding = (
        rows.filter(pl.col("waarde").is_not_null())
        .group_by("peildatum", "kenmerk")
        .agg(pl.len().alias("aanwezig"), pl.col("waarde").std(ddof=0).alias("sd"),
             pl.col("waarde").abs().max().alias("grootste"))
        .join(wijken_op_p, on="peildatum")
        .with_columns(((pl.col("aanwezig") == pl.col("wijken"))
                       & (pl.col("sd") > _ZERO_SPREAD * pl.max_horizontal(pl.col("grootste"), pl.lit(1.0))))
                      .alias("gebruikt"))
        .select("peildatum", "kenmerk", "gebruikt")
    )
    volgorde = {name: index for index, name in enumerate(names)}
    return (
        rows.join(spreiding, on=["peildatum", "kenmerk"], how="left")
        .with_columns(pl.col("gebruikt").fill_null(False), pl.col("waarde").cast(pl.Float64))
        .with_columns(pl.col("kenmerk").replace_strict(volgorde, default=len(names)).alias("_volgorde"))
        .sort("peildatum", "wijkcode", "_volgorde", "kenmerk")
        .select(list(CONTEXT_SCHEMA))
        .cast(CONTEXT_SCHEMA)
    )


def neighbours(context: pl.DataFrame, k: int) -> pl.DataFrame:
    """The k nearest other wijken per wijk and P: Euclidean distance over the z-scores (population SD)
    of the variables used on P; equal distances ordered by wijkcode. One distance matrix per P (numpy),
    so memory grows with the wijken of one P squared, not with every pair of every variable."""
    used = context.filter(pl.col("gebruikt"))
    frames = []
    for (peildatum,), of_p in used.partition_by("peildatum", as_dict=True, maintain_order=True).items():
        wide = of_p.pivot(on="kenmerk", index="wijkcode", values="waarde").sort("wijkcode")
        names = sorted(c for c in wide.columns if c != "wijkcode")
        values = wide.select(names).to_numpy().astype(np.float64)
        z = (values - values.mean(axis=0)) / values.std(axis=0)  # population SD (ddof 0); zero spread left out before
        codes = wide["wijkcode"].to_numpy()
        count = min(k, len(codes) - 1)
        if count < 1:
            continue
        rows_wijk, rows_buur, rows_afstand = [], [], []
        for start in range(0, len(codes), _BLOCK):
            block = z[start:start + _BLOCK]
            squares = np.zeros((len(block), len(codes)))
            for column in range(z.shape[1]):  # one variable at a time: no block x wijken x variables array
                squares += (block[:, column, None] - z[None, :, column]) ** 2
            afstand = np.sqrt(squares)
            # equal distances must tie although z-scores carry rounding noise (2 vs 1.9999999999999998)
            key = np.round(afstand, 9)
            own = np.arange(start, start + len(block))
            key[np.arange(len(block)), own] = np.inf  # a wijk is not its own neighbour
            order = _nearest(key, count)
            rows_wijk.append(np.repeat(codes[own], count))
            rows_buur.append(codes[order].ravel())
            rows_afstand.append(np.take_along_axis(afstand, order, axis=1).ravel())
        wijken = np.concatenate(rows_wijk)
        frames.append(pl.DataFrame({
            "peildatum": peildatum, "wijkcode": wijken, "rang": np.tile(np.arange(1, count + 1), len(codes)),
            "buur_wijkcode": np.concatenate(rows_buur), "afstand": np.concatenate(rows_afstand),
            "kenmerken": ", ".join(names),
        }, schema_overrides={"peildatum": pl.Date}).cast(BUREN_SCHEMA))
    if not frames:
        return pl.DataFrame(schema=BUREN_SCHEMA)
    return pl.concat(frames).select(list(BUREN_SCHEMA)).sort("peildatum", "wijkcode", "rang")


def _nearest(key: np.ndarray, count: int) -> np.ndarray:
    """Per row the column indices of the `count` smallest keys, ordered by key and, among equal keys, by
    index (codes are sorted, so ties go by wijkcode). Only the keys up to each row's count-th smallest
    are sorted: every key equal to it is a candidate, so a tie at the boundary is decided by index."""
    grens = np.partition(key, count - 1, axis=1)[:, count - 1:count]
    rows, columns = np.nonzero(key <= grens)
    order = np.lexsort((columns, key[rows, columns], rows))  # by row, then key, then index
    rows, columns = rows[order], columns[order]
    first = np.searchsorted(rows, np.arange(len(key)))  # where each row's candidates begin
    position = np.arange(len(rows)) - first[rows]
    return columns[position < count].reshape(len(key), count)


def reference_values(buren: pl.DataFrame, wijkwaarden: pl.DataFrame) -> pl.DataFrame:
    """Per indicator, P and wijk: the unweighted mean of the neighbours' published values; suppressed
    neighbours (and neighbours without a figure) left out and counted. One P at a time: every neighbour
    pair of every P times every indicator at once grew with the peildata (outside DuckDB's memory limit)."""
    if buren.is_empty():
        return pl.DataFrame(schema=REFERENTIE_SCHEMA)
    indicators = wijkwaarden.select("indicator").unique()
    parts = [_reference_values_on(of_p, wijkwaarden.filter(pl.col("peildatum") == peildatum), indicators)
             for (peildatum,), of_p in buren.partition_by("peildatum", as_dict=True, maintain_order=True).items()]
    return pl.concat(parts).sort("indicator", "peildatum", "wijkcode")


def _reference_values_on(buren: pl.DataFrame, wijkwaarden: pl.DataFrame, indicators: pl.DataFrame) -> pl.DataFrame:
    """reference_values for the neighbours and values of one P."""
    paren = buren.select("peildatum", "wijkcode", "buur_wijkcode").join(indicators, how="cross")
    met_waarde = paren.join(
        wijkwaarden.rename({"wijkcode": "buur_wijkcode"}), on=["indicator", "peildatum", "buur_wijkcode"], how="left"
    )
    return (
        met_waarde.group_by("indicator", "peildatum", "wijkcode")
        .agg(
            pl.col("waarde").mean().alias("waarde"),
            pl.col("waarde").is_not_null().sum().alias("n_buren"),
            (pl.col("onderdrukt").fill_null(False)).sum().alias("n_onderdrukt"),
            (pl.col("waarde").is_null() & ~pl.col("onderdrukt").fill_null(False)).sum().alias("n_ontbrekend"),
        )
        .select(list(REFERENTIE_SCHEMA))
        .cast(REFERENTIE_SCHEMA)
    )


def difference_in_differences(werkwijze: Werkwijze, indicator: Indicator, peildata: list[date],
                              wijkwaarden: pl.DataFrame, n_eff: pl.DataFrame) -> pl.DataFrame:
    """Verschil-in-verschil of one werkwijze and indicator for every P > S (P_S: the last peildatum on or
    before S); survey indicators get the 95% interval of indicators.md v2."""
    voor = [p for p in peildata if p <= werkwijze.startdatum]
    if not voor:
        return pl.DataFrame(schema=WERKWIJZE_SCHEMA)
    start = voor[-1]
    van = wijkwaarden.filter(pl.col("indicator") == indicator.id)
    if indicator.soort == "enquete":
        neff = n_eff.filter(pl.col("indicator") == indicator.id).rename({"gebiedcode": "wijkcode"}).drop("indicator")
        van = van.join(neff, on=["peildatum", "wijkcode"], how="left").with_columns(
            (100.0 ** 2 * (pl.col("waarde") / 100) * (1 - pl.col("waarde") / 100) / pl.col("n_eff")).alias("v"))
    else:
        van = van.with_columns(pl.lit(None, dtype=pl.Float64).alias("v"))
    op_start = van.filter(pl.col("peildatum") == start).select("wijkcode", pl.col("waarde").alias("w0"),
                                                               pl.col("v").alias("v0"))
    groep = set(werkwijze.wijken)
    rows = []
    for peildatum in (p for p in peildata if p > werkwijze.startdatum):
        op_p = van.filter(pl.col("peildatum") == peildatum).select("wijkcode", "waarde", "v")
        alle = op_p.join(op_start, on="wijkcode", how="full", coalesce=True)
        overig_wijken = alle.filter(~pl.col("wijkcode").is_in(list(groep)))
        groep_wijken = pl.DataFrame({"wijkcode": sorted(groep)}).join(alle, on="wijkcode", how="left")
        rows.append({"werkwijze": werkwijze.naam, "indicator": indicator.id, "peildatum": peildatum,
                     "peildatum_start": start,
                     **_did(_changes(groep_wijken), _changes(overig_wijken), indicator.soort == "enquete")})
    return pl.DataFrame(rows, schema=WERKWIJZE_SCHEMA) if rows else pl.DataFrame(schema=WERKWIJZE_SCHEMA)


def _changes(wijken: pl.DataFrame) -> tuple[list[float], list[float | None], int]:
    """Changes value(P) - value(P_S) of the wijken with both values, their variances, and how many were left out."""
    compleet = wijken.filter(pl.col("waarde").is_not_null() & pl.col("w0").is_not_null())
    return ((compleet["waarde"] - compleet["w0"]).to_list(), (compleet["v"] + compleet["v0"]).to_list(),
            len(wijken) - len(compleet))


def _did(groep: tuple, overig: tuple, enquete: bool) -> dict:
    """The DiD with its group means, counts and (survey) interval."""
    (dg, vg, wg), (do, vo, wo) = groep, overig
    mean_g = sum(dg) / len(dg) if dg else None
    mean_o = sum(do) / len(do) if do else None
    did = mean_g - mean_o if mean_g is not None and mean_o is not None else None
    laag = hoog = None
    if enquete and did is not None and all(v is not None for v in vg + vo):
        marge = Z_95 * math.sqrt(sum(vg) / len(vg) ** 2 + sum(vo) / len(vo) ** 2)
        laag, hoog = did - marge, did + marge
    return {"did": did, "ci_laag": laag, "ci_hoog": hoog, "groep_n": len(dg), "overig_n": len(do),
            "groep_weggelaten": wg, "overig_weggelaten": wo, "groep_verandering": mean_g,
            "overig_verandering": mean_o}
