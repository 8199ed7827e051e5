"""The test reference: every indicator of indicators.md (version 2), computed again in plain pandas.

Written from the text of ../shared/design/indicators.md, not from the SQL in indicators/, and
importing nothing of the product. The tests compare the published figures with it
(tests/test_indicators_referentie.py) and the benchmark times it as the plain single-threaded
computation against compute_publication (benchmarks/compare.py). Vectorised per peildatum, for
clarity rather than speed.

What it follows from indicators.md:
- window W(P) = [P minus one year, P); *active on P*: begindatum <= P and (einddatum empty or >= P);
  *overlaps W(P)*: begindatum < P and (einddatum empty or >= P minus one year);
- residence: the wijkcode of the unit's active record with the latest begindatum on P, over ALL its
  active records of that source; on a tie the largest record id in text order;
- persons and households are counted distinct over each area (wijk, gebied, gemeente), never by
  adding wijk figures;
- "Incomplete inputs": a source with no data covering P makes the indicators built on it missing
  on P (never 0); a wijk with data on P but no bevolking row makes the per-1,000 indicators of that
  wijk, its gebied and its gemeente missing on P;
- primary suppression (survey n < 30; register noemer < 10 or 0 < teller < 5; indicator 5 only
  noemer < 10). Complementary suppression, intervals and the corridor are not repeated here.

The costs (kosten_per_inwoner, kosten_per_client, per wet, with the dominance rule) are at the end:
kosten_compute, on read_staging(con, KOSTEN_TABLES).

Result: one row per (indicator, peildatum, niveau, gebiedcode) for every area valid on P, with
teller, noemer, n (surveys only), waarde, ontbreekt (incomplete inputs: no figures) and onderdrukt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

LEVELS = {"wijk": "wijkcode", "gebied": "gebiedcode", "gemeente": "gemeentecode"}
DATE_COLUMNS = ("peildatum", "veldwerk_datum", "begindatum", "einddatum", "geldig_van", "geldig_tot",
                "periode_begin", "periode_eind")
SURVEYS = ("clientervaring", "bewonersenquete")  # dated by veldwerk_datum
REGISTERS = ("ondersteuning", "bijstand", "participatie")  # dated by begindatum/einddatum
BEVOLKING = "bevolking"  # dated by peildatum
STAGING_TABLES = ("ref_gebieden", *(f"stg_{bron}" for bron in (BEVOLKING, *SURVEYS, *REGISTERS)))
KOSTEN_TABLES = (*STAGING_TABLES, "stg_kosten")  # the costs need these (kosten_compute); dated by periode_*

Frames = dict[str, pd.DataFrame]


class UnknownIndicator(KeyError):
    """The reference has no definition for an indicator the product publishes."""

    def __str__(self) -> str:
        return (f"de testreferentie (benchmarks/reference.py) kent indicator {self.args[0]!r} niet: "
                "voeg de definitie uit indicators.md toe, dan vergelijken tests en benchmark hem ook")


@dataclass(frozen=True)
class Peildatum:
    """A reference date P with its window W(P) = [venster_begin, p)."""

    p: pd.Timestamp

    @property
    def venster_begin(self) -> pd.Timestamp:
        return self.p - pd.DateOffset(years=1)

    def active(self, records: pd.DataFrame) -> pd.DataFrame:
        """Records active on P."""
        return records[(records.begindatum <= self.p) & (records.einddatum.isna() | (records.einddatum >= self.p))]

    def overlapping(self, records: pd.DataFrame) -> pd.DataFrame:
        """Records overlapping W(P)."""
        return records[(records.begindatum < self.p)
                       & (records.einddatum.isna() | (records.einddatum >= self.venster_begin))]

    def in_window(self, responses: pd.DataFrame) -> pd.DataFrame:
        """Survey responses with veldwerk_datum in W(P)."""
        return responses[(responses.veldwerk_datum >= self.venster_begin) & (responses.veldwerk_datum < self.p)]

    def covered_by(self, bron: str, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of a source that are data on P: a register record active on P or overlapping
        W(P) (together: begindatum <= P and not ended before W(P)), a response in W(P), bevolking of P."""
        if bron in REGISTERS:
            return frame[(frame.begindatum <= self.p)
                         & (frame.einddatum.isna() | (frame.einddatum >= self.venster_begin))]
        if bron in SURVEYS:
            return self.in_window(frame)
        return frame[frame.peildatum == self.p]


@dataclass(frozen=True)
class Definitie:
    """One indicator as indicators.md defines it.

    `units` gives the unit-level rows on P: `wijkcode, eenheid, teller, noemer` (surveys add `n`),
    where `eenheid` identifies what is counted distinct over an area (a person, a household, a
    response, or a wijk's population row).
    """

    bronnen: tuple[str, ...]
    factor: float  # waarde = factor * teller / noemer
    units: Callable[[Frames, Peildatum], pd.DataFrame]
    enquete: bool = False
    drempel_teller: bool = True  # register suppression also on 0 < teller < 5

    def onderdrukt(self, cells: pd.DataFrame) -> pd.Series:
        """Primary suppression of indicators.md."""
        if self.enquete:
            return cells.n < 30
        if self.drempel_teller:
            return (cells.noemer < 10) | ((cells.teller > 0) & (cells.teller < 5))
        return cells.noemer < 10


# --- unit rows per indicator -------------------------------------------------------------------

def _survey(table: str, answered: Callable, positive: Callable) -> Callable[[Frames, Peildatum], pd.DataFrame]:
    """Weighted survey share: one row per answered response in W(P)."""
    def units(frames: Frames, p: Peildatum) -> pd.DataFrame:
        responses = p.in_window(frames[table])
        responses = responses[answered(responses)]
        return pd.DataFrame({
            "wijkcode": responses.wijkcode, "eenheid": responses.index,  # each response once
            "teller": responses.gewicht.where(positive(responses), 0.0), "noemer": responses.gewicht, "n": 1,
        })
    return units


def _residence(records: pd.DataFrame, unit: str, record_id: str) -> pd.Series:
    """unit -> wijkcode of its record with the latest begindatum (tie: the largest id in text order)."""
    latest = records.sort_values(["begindatum", record_id], ascending=False, kind="stable").drop_duplicates(unit)
    return latest.set_index(unit).wijkcode


def participatie_bijstand(frames: Frames, p: Peildatum) -> pd.DataFrame:
    """Persons on bijstand on P (noemer); those with an activity overlapping W(P) (teller)."""
    wijk = _residence(p.active(frames["stg_bijstand"]), "persoon_id", "uitkering_id")
    meedoen = set(p.overlapping(frames["stg_participatie"]).persoon_id)
    return pd.DataFrame({"wijkcode": wijk.values, "eenheid": wijk.index,
                         "teller": wijk.index.isin(meedoen).astype(float), "noemer": 1.0})


def professionals_per_huishouden(frames: Frames, p: Peildatum) -> pd.DataFrame:
    """Households with a trajectory active on P (noemer) and their distinct professionals (teller)."""
    trajecten = p.active(frames["stg_ondersteuning"])
    wijk = _residence(trajecten, "huishouden_id", "traject_id")
    professionals = trajecten.groupby("huishouden_id").professional_id.nunique()
    return pd.DataFrame({"wijkcode": wijk.values, "eenheid": wijk.index,
                         "teller": professionals.reindex(wijk.index).astype(float).values, "noemer": 1.0})


def _per_1000(selectie: Callable[[pd.DataFrame, Peildatum], pd.Series], inwonerkolom: str):
    """Persons with a selected trajectory active on P, living where all their active trajectories say,
    over the wijk's population on P."""
    def units(frames: Frames, p: Peildatum) -> pd.DataFrame:
        trajecten = p.active(frames["stg_ondersteuning"])
        wijk = _residence(trajecten, "persoon_id", "traject_id")  # over ALL active trajectories
        geteld = wijk[wijk.index.isin(set(trajecten[selectie(trajecten, p)].persoon_id))]
        bevolking = frames["stg_bevolking"]
        bevolking = bevolking[bevolking.peildatum == p.p]
        return pd.concat([
            pd.DataFrame({"wijkcode": geteld.values, "eenheid": "persoon " + geteld.index,
                          "teller": 1.0, "noemer": 0.0}),
            pd.DataFrame({"wijkcode": bevolking.wijkcode, "eenheid": "bevolking " + bevolking.wijkcode, "teller": 0.0,
                          "noemer": bevolking[inwonerkolom].astype(float)}),
        ], ignore_index=True)
    return units


DEFINITIES: dict[str, Definitie] = {
    "tevredenheid": Definitie(("clientervaring",), 100.0, enquete=True, units=_survey(
        "stg_clientervaring", lambda r: r.tevreden.notna(), lambda r: r.tevreden >= 4)),
    "zelfredzaamheid": Definitie(("bewonersenquete",), 100.0, enquete=True, units=_survey(
        "stg_bewonersenquete", lambda r: r.zelfredzaam.notna(), lambda r: r.zelfredzaam >= 4)),
    "vrijwillige_inzet": Definitie(("bewonersenquete",), 100.0, enquete=True, units=_survey(
        "stg_bewonersenquete", lambda r: r.vrijwilligerswerk.notna() & r.mantelzorg.notna(),
        lambda r: (r.vrijwilligerswerk == 1) | (r.mantelzorg == 1))),
    "participatie_bijstand": Definitie(("bijstand", "participatie"), 100.0, units=participatie_bijstand),
    "professionals_per_huishouden": Definitie(("ondersteuning",), 1.0, units=professionals_per_huishouden,
                                              drempel_teller=False),
    "specialistische_ondersteuning": Definitie(("ondersteuning", BEVOLKING), 1000.0, units=_per_1000(
        lambda t, p: t.soort == "specialistisch", "inwoners")),
    "professionele_ondersteuning": Definitie(("ondersteuning", BEVOLKING), 1000.0, units=_per_1000(
        lambda t, p: pd.Series(True, index=t.index), "inwoners")),
    "jeugd_gedwongen_kader": Definitie(("ondersteuning", BEVOLKING), 1000.0, units=_per_1000(
        lambda t, p: (t.kader == "gedwongen") & (t.geboortejaar >= p.p.year - 17), "inwoners_0_17")),
}


# --- reading and computing ---------------------------------------------------------------------

def read_staging(con: duckdb.DuckDBPyConnection, tables: Iterable[str] = STAGING_TABLES) -> Frames:
    """The staging tables as pandas DataFrames (dates as datetime64); KOSTEN_TABLES for the costs."""
    frames = {}
    for table in tables:
        frame = con.execute(f"SELECT * FROM {table}").df()
        for column in frame.columns.intersection(DATE_COLUMNS):
            frame[column] = pd.to_datetime(frame[column])
        frames[table] = frame
    return frames


def compute(frames: Frames, nulmeting: str = "2015-01-01", indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """The reference figures of `indicators` (default: all it knows) on every peildatum of bevolking
    on or after the nulmeting. Raises UnknownIndicator for an id it has no definition for."""
    ids = list(DEFINITIES if indicators is None else indicators)
    for indicator in ids:
        if indicator not in DEFINITIES:
            raise UnknownIndicator(indicator)
    peildata = sorted(p for p in frames["stg_bevolking"].peildatum.unique() if p >= pd.Timestamp(nulmeting))
    return pd.concat([_one_peildatum(frames, Peildatum(pd.Timestamp(p)), ids) for p in peildata], ignore_index=True)


def _one_peildatum(frames: Frames, p: Peildatum, ids: list[str]) -> pd.DataFrame:
    areas = _areas_on(frames["ref_gebieden"], p)
    uncovered = {bron for bron in (BEVOLKING, *SURVEYS, *REGISTERS) if p.covered_by(bron, frames[f"stg_{bron}"]).empty}
    zonder_bevolking = _wijken_without_population(frames, p, areas)
    parts = []
    for indicator in ids:
        definitie = DEFINITIES[indicator]
        cells = _by_level(definitie.units(frames, p), areas)
        cells["ontbreekt"] = bool(uncovered.intersection(definitie.bronnen))
        if BEVOLKING in definitie.bronnen:
            hit = areas[areas.wijkcode.isin(zonder_bevolking)]
            for niveau, column in LEVELS.items():
                cells.loc[(cells.niveau == niveau) & cells.gebiedcode.isin(hit[column]), "ontbreekt"] = True
        cells.loc[cells.ontbreekt, ["teller", "noemer", "n"]] = float("nan")
        cells["waarde"] = definitie.factor * cells.teller / cells.noemer.where(cells.noemer != 0)
        cells["onderdrukt"] = ~cells.ontbreekt & definitie.onderdrukt(cells)
        if not definitie.enquete:
            cells["n"] = float("nan")
        parts.append(cells.assign(indicator=indicator))
    result = pd.concat(parts, ignore_index=True).assign(peildatum=p.p)
    return result[["indicator", "peildatum", "niveau", "gebiedcode", "teller", "noemer", "n", "waarde",
                   "ontbreekt", "onderdrukt"]]


def _areas_on(gebieden: pd.DataFrame, p: Peildatum) -> pd.DataFrame:
    """The wijken valid on P with their gebied and gemeente."""
    valid = gebieden[(gebieden.geldig_van <= p.p) & (gebieden.geldig_tot.isna() | (p.p < gebieden.geldig_tot))]
    return valid[list(LEVELS.values())].reset_index(drop=True)


def _wijken_without_population(frames: Frames, p: Peildatum, areas: pd.DataFrame) -> set[str]:
    """Wijken valid on P with data on P in some source but no bevolking row of P."""
    met_gegevens = set()
    for bron in (*SURVEYS, *REGISTERS):
        frame = frames[f"stg_{bron}"]
        if "wijkcode" in frame:
            met_gegevens |= set(p.covered_by(bron, frame).wijkcode)
    bevolking = frames["stg_bevolking"]
    return (met_gegevens & set(areas.wijkcode)) - set(bevolking[bevolking.peildatum == p.p].wijkcode)


def _by_level(units: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """teller, noemer and n per area of every level, each unit counted once per area."""
    if "n" not in units:
        units = units.assign(n=0)
    located = units.merge(areas, on="wijkcode")
    out = []
    for niveau, column in LEVELS.items():
        distinct = located.drop_duplicates([column, "eenheid"])
        sums = distinct.groupby(column)[["teller", "noemer", "n"]].sum()
        every_area = pd.Index(sorted(areas[column].unique()), name=column)
        sums = sums.reindex(every_area, fill_value=0).astype(float)
        out.append(sums.rename_axis("gebiedcode").reset_index().assign(niveau=niveau))
    return pd.concat(out, ignore_index=True)


# --- comparing fairly (indicators.md v2, "Comparing fairly") -----------------------------------
# Context, similar wijken, reference values and verschil-in-verschil, from the text of the design:
# the context and distances from staging (bevolking, kenmerken), reference values and DiD from the
# published wijk values (as the definition says), n_eff of a survey wijk cell from the unit rows above.

ZERO_SPREAD = 1e-12  # relative: a spread this small is float noise of identical values, i.e. zero
Z_95 = 1.96


def context_on(frames: Frames, p: pd.Timestamp, kenmerken: Iterable[str] | None = None) -> pd.DataFrame:
    """Wijken with a bevolking row on P (index) x the context variables that enter the distance on P."""
    bevolking = frames["stg_bevolking"]
    b = bevolking[bevolking.peildatum == p].set_index("wijkcode")
    context = pd.DataFrame({
        "aandeel_0_17": b.inwoners_0_17 / b.inwoners.where(b.inwoners != 0),
        "personen_per_huishouden": b.inwoners / b.huishoudens.where(b.huishoudens != 0),
    }, dtype=float)
    k = frames["stg_kenmerken"]
    k = k[(pd.to_datetime(k.peildatum) <= p) & ~k.kenmerk.isin(context.columns)]  # bevolking's own two come from bevolking
    if kenmerken is not None:
        k = k[k.kenmerk.isin(list(kenmerken))]
    if not k.empty:  # per kenmerk its latest peildatum on or before P, one date for all wijken (no older
        # figure for a wijk missing on that date: the kenmerk is then missing for it and left out)
        k = k.assign(peildatum=pd.to_datetime(k.peildatum))
        latest = k[k.peildatum == k.groupby("kenmerk").peildatum.transform("max")]
        latest = latest.set_index(["wijkcode", "kenmerk"]).waarde.unstack()
        context = context.join(latest.astype(float), how="left")
    keep = [c for c in context.columns if context[c].notna().all()
            and context[c].std(ddof=0) > ZERO_SPREAD * max(context[c].abs().max(), 1.0)]
    return context[sorted(keep)]


def similar_wijken(context: pd.DataFrame, k: int) -> pd.DataFrame:
    """wijkcode, rang, buur_wijkcode, afstand: the k nearest other wijken by Euclidean distance over
    z-scores (population SD); equal distances (on 9 decimals) by wijkcode."""
    columns = ["wijkcode", "rang", "buur_wijkcode", "afstand"]
    if context.shape[1] == 0 or len(context) < 2:
        return pd.DataFrame(columns=columns)
    z = (context - context.mean()) / context.std(ddof=0)
    rows = []
    for wijk in sorted(z.index):
        afstand = ((z - z.loc[wijk]) ** 2).sum(axis=1) ** 0.5
        others = sorted((w for w in z.index if w != wijk), key=lambda w: (round(afstand[w], 9), w))
        rows += [(wijk, rang, w, afstand[w]) for rang, w in enumerate(others[:k], start=1)]
    return pd.DataFrame(rows, columns=columns)


def reference_value(buren: list[str], values: pd.DataFrame) -> tuple[float | None, int, int]:
    """(mean, used, suppressed) over the neighbours' published wijk values of one indicator and P;
    values: wijkcode, waarde, onderdrukt. Suppressed neighbours and neighbours without a figure are left out."""
    own = values.set_index("wijkcode").reindex(buren)
    shown = own.waarde.dropna()
    return (float(shown.mean()) if len(shown) else None, len(shown),
            int(own.onderdrukt.fillna(False).astype(bool).sum()))


def survey_n_eff(frames: Frames, indicator: str, p: pd.Timestamp) -> pd.Series:
    """wijkcode -> n_eff = (sum of weights)^2 / sum of squared weights of the answered responses in W(P)."""
    units = DEFINITIES[indicator].units(frames, Peildatum(p))
    grouped = units.groupby("wijkcode").noemer
    return grouped.sum() ** 2 / grouped.apply(lambda w: (w ** 2).sum())


def verschil_in_verschil(values: pd.DataFrame, groep: Iterable[str], start: pd.Timestamp, peildata: list,
                         n_eff: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per P > start: DiD of the group against all other wijken, with P_S the last peildatum on or before
    start; values: peildatum, wijkcode, waarde (published wijk values, NULL when not shown); n_eff (surveys):
    peildatum, wijkcode, n_eff -> the 95% interval."""
    peildata = sorted(pd.Timestamp(p) for p in peildata)
    before = [p for p in peildata if p <= start]
    if not before:
        return pd.DataFrame()
    p_s, groep = before[-1], set(groep)
    values = values.assign(peildatum=pd.to_datetime(values.peildatum))
    if n_eff is not None:
        values = values.merge(n_eff.assign(peildatum=pd.to_datetime(n_eff.peildatum)), how="left",
                              on=["peildatum", "wijkcode"])
        share = values.waarde / 100
        values["v"] = 100 ** 2 * share * (1 - share) / values.n_eff
    rows = []
    for p in (q for q in peildata if q > start):
        now = values[values.peildatum == p].set_index("wijkcode")
        then = values[values.peildatum == p_s].set_index("wijkcode")
        wijken = set(now.index) | set(then.index) | groep
        result = {"peildatum": p, "peildatum_start": p_s}
        means, variances = {}, {}
        for naam, members in (("groep", groep), ("overig", wijken - groep)):
            both = [w for w in members if w in now.index and w in then.index
                    and pd.notna(now.waarde[w]) and pd.notna(then.waarde[w])]
            changes = [now.waarde[w] - then.waarde[w] for w in both]
            result[f"{naam}_n"], result[f"{naam}_weggelaten"] = len(both), len(members) - len(both)
            means[naam] = sum(changes) / len(changes) if changes else None
            if n_eff is not None and both:
                variances[naam] = sum(now.v[w] + then.v[w] for w in both) / len(both) ** 2
        result["groep_verandering"], result["overig_verandering"] = means["groep"], means["overig"]
        did = None if None in means.values() else means["groep"] - means["overig"]
        result["did"] = did
        result["ci_laag"] = result["ci_hoog"] = None
        if did is not None and len(variances) == 2 and all(pd.notna(v) for v in variances.values()):
            marge = Z_95 * (variances["groep"] + variances["overig"]) ** 0.5
            result["ci_laag"], result["ci_hoog"] = did - marge, did + marge
        rows.append(result)
    return pd.DataFrame(rows)


# --- costs (indicators.md v2, "Costs") ---------------------------------------------------------
# kosten_per_inwoner and kosten_per_client per area, P and wet (`totaal` = all wetten together), from
# stg_kosten and stg_bevolking:
# - a line's prorated amount on P is bedrag x (days of [periode_begin, periode_eind] within W(P)) /
#   (days of [periode_begin, periode_eind]), both day counts inclusive; W(P) = [P - 1 year, P), so its
#   last day is P - 1 day; the line counts in the wijk on the line (a wijk valid on P);
# - teller = the sum of the prorated amounts; inwoners = the population of the area on P (bevolking);
#   clienten = distinct persoon_id with a line overlapping W(P) in the area (once per area, also at
#   gebied and gemeente: never by adding wijk figures);
# - dominance: contributors = those clienten, a_p = |sum of p's prorated amounts in the cell|, A = sum
#   a_p; primary suppression when clienten < 5 or the two largest a_p > 0.85 A; and when inwoners < 10
#   (the text puts it on the per-inhabitant figure; `onderdrukt_inwoners` keeps it apart, `onderdrukt`
#   is either);
# - incomplete inputs as for the other indicators: no cost line overlapping W(P) at all -> both
#   figures missing on P (never 0); a wijk with data on P (any source, costs included) but no
#   bevolking row of P -> kosten_per_inwoner missing for that wijk, its gebied and its gemeente.
#   kosten is an optional source (data-contracts.md): with no cost line at all there are no cost cells.
# Values are not rounded here: "0 decimals" is how the euros are shown.

KOSTEN_WETTEN = ("wmo", "jeugdwet", "participatiewet")
TOTAAL = "totaal"
DOMINANTIE_MIN_BIJDRAGERS = 5
DOMINANTIE_AANDEEL = 0.85
MIN_INWONERS = 10


def prorated_kosten(kosten: pd.DataFrame, p: Peildatum) -> pd.DataFrame:
    """The cost lines overlapping W(P) with `deel` = their amount prorated over W(P)."""
    begin, eind = pd.to_datetime(kosten.periode_begin), pd.to_datetime(kosten.periode_eind)
    laatste_dag = p.p - pd.Timedelta(days=1)
    overlap = (begin < p.p) & (eind >= p.venster_begin)
    lines, begin, eind = kosten[overlap], begin[overlap], eind[overlap]
    binnen = (eind.clip(upper=laatste_dag) - begin.clip(lower=p.venster_begin)).dt.days + 1
    totaal = (eind - begin).dt.days + 1
    return lines.assign(deel=lines.bedrag.astype(float) * binnen / totaal)


def _dominant(bijdragen: pd.Series) -> bool:
    """The two largest a_p together exceed 0.85 of their sum A."""
    a = bijdragen.abs().sort_values(ascending=False)
    return bool(a.iloc[:2].sum() > DOMINANTIE_AANDEEL * a.sum())


def kosten_compute(frames: Frames, nulmeting: str = "2015-01-01") -> pd.DataFrame:
    """One row per (peildatum, niveau, gebiedcode, wet) for every area valid on P and wet in
    (totaal, *KOSTEN_WETTEN): bedrag, inwoners, clienten, kosten_per_inwoner, kosten_per_client,
    ontbreekt_inwoner, ontbreekt_client, onderdrukt_dominantie, onderdrukt_inwoners, onderdrukt.
    No rows at all when there are no cost lines (the optional source not delivered, or nothing accepted)."""
    if frames["stg_kosten"].empty:
        return pd.DataFrame(columns=["peildatum", "niveau", "gebiedcode", "wet"])
    peildata = sorted(p for p in frames["stg_bevolking"].peildatum.unique() if p >= pd.Timestamp(nulmeting))
    parts = [_kosten_on(frames, Peildatum(pd.Timestamp(p))) for p in peildata]
    return pd.concat(parts, ignore_index=True)


def _kosten_on(frames: Frames, p: Peildatum) -> pd.DataFrame:
    areas = _areas_on(frames["ref_gebieden"], p)
    overlapping = prorated_kosten(frames["stg_kosten"], p)
    geen_kosten = overlapping.empty  # whatever wijk the lines name: the source covers P or not
    lines = overlapping.merge(areas, on="wijkcode")
    bevolking = frames["stg_bevolking"]
    bevolking = bevolking[bevolking.peildatum == p.p].merge(areas, on="wijkcode")
    zonder_bevolking = _wijken_without_population(frames, p, areas) | (set(lines.wijkcode) - set(bevolking.wijkcode))
    zonder_bevolking = areas[areas.wijkcode.isin(zonder_bevolking)]
    rows = []
    for niveau, column in LEVELS.items():
        inwoners = bevolking.groupby(column).inwoners.sum()
        for code in sorted(areas[column].unique()):
            in_area = lines[lines[column] == code]
            for wet in (TOTAAL, *KOSTEN_WETTEN):
                cell = in_area if wet == TOTAAL else in_area[in_area.wet == wet]
                per_persoon = cell.groupby("persoon_id").deel.sum()
                bedrag, clienten = float(cell.deel.sum()), len(per_persoon)
                n_inwoners = float(inwoners.get(code, 0))
                ontbreekt_inwoner = geen_kosten or code in set(zonder_bevolking[column])
                dominantie = clienten < DOMINANTIE_MIN_BIJDRAGERS or _dominant(per_persoon)
                rows.append({
                    "peildatum": p.p, "niveau": niveau, "gebiedcode": code, "wet": wet,
                    "bedrag": bedrag, "inwoners": n_inwoners, "clienten": clienten,
                    "kosten_per_inwoner": bedrag / n_inwoners if n_inwoners else float("nan"),
                    "kosten_per_client": bedrag / clienten if clienten else float("nan"),
                    "ontbreekt_inwoner": ontbreekt_inwoner, "ontbreekt_client": geen_kosten,
                    "onderdrukt_dominantie": not geen_kosten and dominantie,
                    "onderdrukt_inwoners": not ontbreekt_inwoner and n_inwoners < MIN_INWONERS,
                })
    cells = pd.DataFrame(rows)
    cells["onderdrukt"] = cells.onderdrukt_dominantie | cells.onderdrukt_inwoners
    return cells
