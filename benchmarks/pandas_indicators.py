"""A straightforward pandas implementation of the eight indicators, for comparison only.

Written independently of indicators/ from the text of indicators.md, one peildatum at a time,
the way an analyst would in a notebook. The benchmark times it against the DuckDB
implementation, and a test checks both give the same teller, noemer and waarde.
It computes the raw figures only (no suppression, intervals or corridor).
"""

from __future__ import annotations

import duckdb
import pandas as pd

STAGING_TABLES = (
    "ref_gebieden",
    "stg_bevolking",
    "stg_bewonersenquete",
    "stg_clientervaring",
    "stg_ondersteuning",
    "stg_bijstand",
    "stg_participatie",
)
LEVELS = ("wijk", "gebied", "gemeente")


def read_staging(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """All staging tables as pandas DataFrames (dates as datetime64)."""
    frames = {}
    for table in STAGING_TABLES:
        frame = con.execute(f"SELECT * FROM {table}").df()
        for column in frame.columns:
            if column in ("peildatum", "veldwerk_datum", "begindatum", "einddatum", "geldig_van", "geldig_tot"):
                frame[column] = pd.to_datetime(frame[column])
        frames[table] = frame
    return frames


def compute(frames: dict[str, pd.DataFrame], nulmeting: str = "2015-01-01") -> pd.DataFrame:
    """teller, noemer, n and waarde per (indicator, peildatum, niveau, gebiedcode)."""
    peildata = sorted(p for p in frames["stg_bevolking"]["peildatum"].unique() if p >= pd.Timestamp(nulmeting))
    results = [_one_peildatum(frames, pd.Timestamp(p)) for p in peildata]
    return pd.concat(results, ignore_index=True)


def _one_peildatum(frames: dict[str, pd.DataFrame], p: pd.Timestamp) -> pd.DataFrame:
    window_start = p - pd.DateOffset(years=1)
    areas = _areas_on(frames["ref_gebieden"], p)
    parts = []

    client = frames["stg_clientervaring"]
    client = client[(client.veldwerk_datum >= window_start) & (client.veldwerk_datum < p) & client.tevreden.notna()]
    parts.append(_survey("tevredenheid", client, client.tevreden >= 4, areas))

    resident = frames["stg_bewonersenquete"]
    resident = resident[(resident.veldwerk_datum >= window_start) & (resident.veldwerk_datum < p)]
    answered = resident[resident.zelfredzaam.notna()]
    parts.append(_survey("zelfredzaamheid", answered, answered.zelfredzaam >= 4, areas))
    both = resident[resident.vrijwilligerswerk.notna() & resident.mantelzorg.notna()]
    parts.append(_survey("vrijwillige_inzet", both, (both.vrijwilligerswerk == 1) | (both.mantelzorg == 1), areas))

    benefits = _active(frames["stg_bijstand"], p)
    people = _residence(benefits, "persoon_id", "uitkering_id")
    activities = frames["stg_participatie"]
    overlapping = activities[
        (activities.begindatum < p) & (activities.einddatum.isna() | (activities.einddatum >= window_start))
    ]
    people["teller"] = people.persoon_id.isin(set(overlapping.persoon_id)).astype(float)
    people["noemer"] = 1.0
    parts.append(_share("participatie_bijstand", people, areas, scale=100.0))

    trajectories = _active(frames["stg_ondersteuning"], p)
    households = _residence(trajectories, "huishouden_id", "traject_id")
    professionals = trajectories.groupby("huishouden_id").professional_id.nunique()
    households["teller"] = households.huishouden_id.map(professionals).astype(float)
    households["noemer"] = 1.0
    parts.append(_share("professionals_per_huishouden", households, areas, scale=1.0))

    persons = _residence(trajectories, "persoon_id", "traject_id")
    population = frames["stg_bevolking"]
    population = population[population.peildatum == p]
    specialist = set(trajectories[trajectories.soort == "specialistisch"].persoon_id)
    young = trajectories[(trajectories.kader == "gedwongen") & (trajectories.geboortejaar >= p.year - 17)]
    parts.append(_rate("specialistische_ondersteuning", persons[persons.persoon_id.isin(specialist)], population, "inwoners", areas))
    parts.append(_rate("professionele_ondersteuning", persons, population, "inwoners", areas))
    parts.append(_rate("jeugd_gedwongen_kader", persons[persons.persoon_id.isin(set(young.persoon_id))], population, "inwoners_0_17", areas))

    result = pd.concat(parts, ignore_index=True)
    result.insert(1, "peildatum", p)
    return result


def _areas_on(gebieden: pd.DataFrame, p: pd.Timestamp) -> pd.DataFrame:
    valid = gebieden[(gebieden.geldig_van <= p) & (gebieden.geldig_tot.isna() | (p < gebieden.geldig_tot))]
    return valid[["wijkcode", "gebiedcode", "gemeentecode"]].assign(wijk=lambda f: f.wijkcode)


def _active(records: pd.DataFrame, p: pd.Timestamp) -> pd.DataFrame:
    return records[(records.begindatum <= p) & (records.einddatum.isna() | (records.einddatum >= p))]


def _residence(records: pd.DataFrame, unit: str, record_id: str) -> pd.DataFrame:
    """One row per unit with the wijkcode of its record with the latest start (tie: largest id)."""
    latest = records.sort_values(["begindatum", record_id], ascending=False).drop_duplicates(unit)
    return latest[[unit, "wijkcode"]].reset_index(drop=True)


def _by_level(frame: pd.DataFrame, areas: pd.DataFrame, sums: dict[str, tuple[str, str]]) -> pd.DataFrame:
    merged = frame.merge(areas, on="wijkcode")
    out = []
    for niveau, column in zip(LEVELS, ("wijk", "gebiedcode", "gemeentecode")):
        grouped = merged.groupby(column).agg(**sums).reset_index().rename(columns={column: "gebiedcode"})
        out.append(grouped.assign(niveau=niveau))
    return pd.concat(out, ignore_index=True)


def _survey(indicator: str, responses: pd.DataFrame, positive: pd.Series, areas: pd.DataFrame) -> pd.DataFrame:
    frame = responses.assign(pos=positive.astype(float) * responses.gewicht)
    result = _by_level(frame, areas, {"teller": ("pos", "sum"), "noemer": ("gewicht", "sum"), "n": ("gewicht", "size")})
    return result.assign(indicator=indicator, waarde=100.0 * result.teller / result.noemer)


def _share(indicator: str, units: pd.DataFrame, areas: pd.DataFrame, scale: float) -> pd.DataFrame:
    result = _by_level(units, areas, {"teller": ("teller", "sum"), "noemer": ("noemer", "sum")})
    return result.assign(indicator=indicator, n=pd.NA, waarde=scale * result.teller / result.noemer)


def _rate(indicator: str, persons: pd.DataFrame, population: pd.DataFrame, column: str, areas: pd.DataFrame) -> pd.DataFrame:
    counted = population[["wijkcode", column]].merge(
        persons.groupby("wijkcode").size().rename("teller").reset_index(), on="wijkcode", how="left"
    ).fillna({"teller": 0})
    result = _by_level(counted, areas, {"teller": ("teller", "sum"), "noemer": (column, "sum")})
    return result.assign(indicator=indicator, n=pd.NA, waarde=1000.0 * result.teller / result.noemer)
