"""The only module that opens the published store: read-only, loaded once into memory per process.

The store holds a few thousand aggregate rows, so every table is read into a polars frame when the
file first is needed and again whenever its modification time changes (the ETL swaps the file in by
rename). Callbacks then only filter these frames. Display texts that every page needs (values in
nl-NL, 'onvoldoende waarnemingen' for suppressed rows) are computed here once.
"""

from __future__ import annotations

import gc
import json
import threading
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from pathlib import Path
from typing import Any, Callable

import duckdb
import polars as pl

from core import niveau as niveaus, publication, richting, status
from dashboard.format import format_change, format_index, format_value
from core.errors import WijkmonitorError

TABLES = tuple(spec.name for spec in publication.TABLES)
# Tables added to the contract later: a store published before them reads them as empty.
LATER_TABLES = {spec.name for spec in publication.TABLES if spec.later}
STATUS_ORDER = status.URGENCY


class StoreUnavailable(WijkmonitorError):
    """The published store is missing or cannot be read."""


@dataclass(frozen=True)
class Indicator:
    """One row of the published registry."""

    indicator: str
    volgorde: int
    naam: str
    omschrijving: str
    definitie: str
    richting: str
    eenheid: str
    decimalen: int
    soort: str
    bronnen: str
    onderdrukking: str

    @property
    def lager_is_beter(self) -> bool:
        """True when a lower value is better."""
        return richting.lower_is_better(self.richting)

    @property
    def is_survey(self) -> bool:
        """True for survey (enquête) indicators, which carry intervals and significance."""
        return self.soort == "enquete"


@dataclass(frozen=True)
class Published:
    """The published store in memory."""

    path: Path
    mtime_ns: int
    tables: dict[str, pl.DataFrame]
    indicators: dict[str, Indicator]
    values: pl.DataFrame
    peildata: list[date]
    nulmeting: date
    wijk_geojson: dict
    # Results derived from this store version (signals per peildatum, ...): computed once per process and version.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def memoised(self, key: tuple, make: Callable[[], Any]) -> Any:
        """make() once per store version and key; a new store file is a new Published, so nothing goes stale."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def indicator(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, or None."""
        return self.indicators.get(indicator_id)

    @property
    def latest(self) -> date:
        """The most recent peildatum."""
        return self.peildata[-1]

    def area_name(self, gebiedcode: str) -> str | None:
        """The name of an area of any level, or None if unknown."""
        return self._names.get(gebiedcode)

    @cached_property
    def _names(self) -> dict[str, str]:
        """Area code -> name (the first row of a code, as the store lists them)."""
        names: dict[str, str] = {}
        for code, naam in self.tables["areas"].select("gebiedcode", "gebiedsnaam").iter_rows():
            names.setdefault(code, naam)
        return names

    def areas(self, niveau: str, peildatum: date | None = None) -> pl.DataFrame:
        """Areas of one level valid on peildatum (default: the latest), sorted by name."""
        on = peildatum or self.latest
        return self.memoised(("areas", niveau, on), lambda: self.tables["areas"].filter(
            (pl.col("niveau") == niveau)
            & (pl.col("geldig_van") <= on)
            & (pl.col("geldig_tot").is_null() | (pl.col("geldig_tot") > on))
        ).sort("gebiedsnaam"))

    def areas_per_gemeente(self, levels: tuple[str, ...]) -> dict[str, list[dict[str, str]]]:
        """Gemeente code -> its areas of these levels (latest peildatum) as select options: level by level in the
        order given, by name within a level, the level in the label when several are listed. Computed once per store
        and levels, so a page that lists one gemeente's areas (4,620 areas nationally) only looks them up."""
        def make() -> dict[str, list[dict[str, str]]]:
            per: dict[str, list[dict[str, str]]] = {}
            for level in levels:
                for code, naam in self.areas(level).select("gebiedcode", "gebiedsnaam").iter_rows():
                    per.setdefault(self._gemeente_by_area[code][1], []).append(
                        {"label": f"{naam} ({niveaus.label(level)})" if len(levels) > 1 else naam, "value": code})
            return per
        return self.memoised(("areas_per_gemeente", levels), make)

    @cached_property
    def _gemeente_by_area(self) -> dict[str, tuple[str, str]]:
        """Area code (every level, latest peildatum) -> (its level, the code of the gemeente it lies in)."""
        gebieden = self.areas("gebied").select("gebiedcode", pl.col("bovenliggend").alias("gemeentecode"))
        wijken = self.areas("wijk").join(gebieden.rename({"gebiedcode": "bovenliggend"}), on="bovenliggend", how="left")
        found = {code: (niveaus.GEMEENTE, code) for code in self.areas(niveaus.GEMEENTE)["gebiedcode"]}
        found |= {code: (niveaus.GEBIED, gemeente) for code, gemeente in gebieden.iter_rows()}
        found |= {code: (niveaus.WIJK, gemeente or parent)  # a wijk right under its gemeente
                  for code, parent, gemeente in wijken.select("gebiedcode", "bovenliggend", "gemeentecode").iter_rows()}
        return found

    def gemeente_of(self, code: str, levels: tuple[str, ...] = niveaus.NIVEAUS) -> str | None:
        """The code of the gemeente an area of these levels (latest peildatum) lies in, or None for an unknown area."""
        level, gemeente = self._gemeente_by_area.get(code, (None, None))
        return gemeente if level in levels else None

    def gemeente(self) -> tuple[str, str]:
        """(code, name) of the gemeente."""
        row = self.areas("gemeente").row(0, named=True)
        return row["gebiedcode"], row["gebiedsnaam"]

    @cached_property
    def _features(self) -> dict[str, dict]:
        """The map's features by wijkcode (built once per store)."""
        return {feature["id"]: feature for feature in self.wijk_geojson["features"]}

    def geojson_of(self, codes: list[str]) -> dict:
        """A FeatureCollection of just these wijken: a map sends only the shapes it shows (3,300 wijken nationally)."""
        features = self._features
        return {"type": "FeatureCollection", "features": [features[c] for c in dict.fromkeys(codes) if c in features]}

    @cached_property
    def joined_since(self) -> dict[str, date]:
        """Area code -> the date it (for a gebied: its last wijk) joined the gemeente, for areas that joined later.

        Computed once per store instead of one filter per area and request."""
        areas = self.tables["areas"]
        if "in_gemeente_sinds" not in areas.columns:
            return {}
        joined = areas.filter(pl.col("in_gemeente_sinds").is_not_null())
        since: dict[str, date] = {}
        for code, parent, day in joined.select("gebiedcode", "bovenliggend", "in_gemeente_sinds").iter_rows():
            for key in (code, parent):
                if key is not None and (key not in since or day > since[key]):
                    since[key] = day
        return since

    @cached_property
    def _by_area(self) -> dict[str, pl.DataFrame]:
        """indicator_values per gebiedcode (a profile or card reads one area; 4,620 areas nationally)."""
        return {key[0]: frame for key, frame in self.values.partition_by("gebiedcode", as_dict=True).items()}

    @cached_property
    def _by_indicator_peildatum(self) -> dict[tuple[str, date], pl.DataFrame]:
        """indicator_values per (indicator, peildatum) (a comparison of wijken reads one of these)."""
        return self.values.partition_by("indicator", "peildatum", as_dict=True)

    def select(self, **equal: object) -> pl.DataFrame:
        """indicator_values rows whose columns equal the given values.

        Starts from a partition by area or by (indicator, peildatum) when those are given: filtering the
        whole table per request costs milliseconds each at the national area count."""
        frame = self.values
        if "gebiedcode" in equal:
            frame = self._by_area.get(equal.pop("gebiedcode"), frame.clear())
        elif "indicator" in equal and "peildatum" in equal:
            frame = self._by_indicator_peildatum.get((equal.pop("indicator"), equal.pop("peildatum")), frame.clear())
        for column, value in equal.items():
            frame = frame.filter(pl.col(column) == value)
        return frame


_lock = threading.Lock()
_cache: dict[Path, Published] = {}


def _display_columns(values: pl.DataFrame, indicators: dict[str, Indicator]) -> pl.DataFrame:
    """Add waarde_tekst, verschil_tekst, index_tekst, vorige_tekst and interval_tekst (nl-NL)."""
    rows = values.select("indicator", "waarde", "verschil_nulmeting", "index_nulmeting", "verschil_vorige",
                         "ci_laag", "ci_hoog", "onderdrukt").iter_rows()
    texts: dict[str, list[str]] = {k: [] for k in ("waarde_tekst", "verschil_tekst", "index_tekst", "vorige_tekst", "interval_tekst")}
    for indicator, waarde, verschil, index, vorige, laag, hoog, onderdrukt in rows:
        meta = indicators[indicator]
        texts["waarde_tekst"].append(format_value(waarde, meta.eenheid, meta.decimalen, onderdrukt))
        texts["verschil_tekst"].append(format_change(verschil, meta.eenheid, meta.decimalen, onderdrukt))
        texts["index_tekst"].append(format_index(index, onderdrukt))
        texts["vorige_tekst"].append(format_change(vorige, meta.eenheid, meta.decimalen, onderdrukt))
        texts["interval_tekst"].append(
            "" if onderdrukt or laag is None else
            f"{format_value(laag, meta.eenheid, meta.decimalen)} – {format_value(hoog, meta.eenheid, meta.decimalen)}"
        )
    return values.with_columns(pl.Series(name, column, dtype=pl.String) for name, column in texts.items())


def _read_tables(path: Path) -> dict[str, pl.DataFrame]:
    """Every table of the store as a polars frame."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise StoreUnavailable(f"het gepubliceerde bestand {path} is niet te openen: {error}") from error
    try:
        present = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return {
            table: con.sql(f"SELECT * FROM {table}").pl() if table in present or table not in LATER_TABLES
            else pl.from_arrow(publication.arrow_schema(table).empty_table())
            for table in TABLES
        }
    except duckdb.Error as error:
        raise StoreUnavailable(f"het gepubliceerde bestand {path} is onvolledig: {error}") from error
    finally:
        con.close()


def _load(path: Path, mtime_ns: int) -> Published:
    """Read the store and precompute what the pages need."""
    tables = _read_tables(path)
    indicators = {
        row["indicator"]: Indicator(**row) for row in tables["indicators"].sort("volgorde").iter_rows(named=True)
    }
    peildata = sorted(tables["peildata"]["peildatum"].to_list())
    if not indicators or not peildata:
        raise StoreUnavailable(f"het gepubliceerde bestand {path} bevat nog geen indicatoren of peildata")
    nulmeting_rows = tables["peildata"].filter(pl.col("is_nulmeting"))["peildatum"].to_list()
    values = _display_columns(tables["indicator_values"], indicators).sort("indicator", "niveau", "gebiedcode", "peildatum")
    features = [
        {"type": "Feature", "id": code, "properties": {"naam": naam}, "geometry": json.loads(geometry)}
        for code, naam, geometry in tables["geometry"].iter_rows()
    ]
    return Published(
        path=path, mtime_ns=mtime_ns, tables=tables, indicators=indicators, values=values, peildata=peildata,
        nulmeting=nulmeting_rows[0] if nulmeting_rows else peildata[0],
        wijk_geojson={"type": "FeatureCollection", "features": features},
    )


def published(path: Path) -> Published:
    """The store at path, from memory unless the file changed since it was read."""
    path = Path(path)
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError as error:
        raise StoreUnavailable(
            f"het gepubliceerde bestand {path} ontbreekt; draai eerst 'wijkmonitor etl --db {path}'"
        ) from error
    cached = _cache.get(path)
    if cached is not None and cached.mtime_ns == mtime_ns:
        return cached
    with _lock:
        cached = _cache.get(path)
        if cached is None or cached.mtime_ns != mtime_ns:
            cached = _loaded(path, mtime_ns)
            _cache[path] = cached
        return cached


def _loaded(path: Path, mtime_ns: int) -> Published:
    """_load with its partitions made, then kept out of the garbage collector's full collections.

    The store lives until the next publication; at the national area count a full collection that walks it
    pauses every request of the process for 0.3 s (measured), which is what the slowest calls were."""
    enabled = gc.isenabled()
    gc.disable()  # reading creates many objects at once: no collections halfway
    try:
        loaded = _load(path, mtime_ns)
        loaded._by_area, loaded._by_indicator_peildatum, loaded._features  # noqa: B018 - built now, frozen below
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return loaded
