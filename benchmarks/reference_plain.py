"""The plain-Python reference of issue 15: the eight indicators of indicators.md (version 2) from the delivered files.

    .venv/bin/python benchmarks/reference_plain.py --sources BRONMAP [--gebieden CSV] [--out CSV]

Issue 15 measures the full ETL against "a plain single-threaded Python script that computes the same eight
indicators from the same files". This is that script: the standard library only (csv, datetime,
collections), one thread, no DataFrame library, importing nothing of the product. It reads the source
folders the ETL reads and the area table the ETL uses (data/reference/gebieden.csv, or `gebieden.csv` beside
the source folders as the generator writes it above scale 1), and computes, for every peildatum of bevolking
on or after the nulmeting, one row per (indicator, peildatum, niveau, gebiedcode) with teller, noemer, n,
waarde, ontbreekt and onderdrukt, as benchmarks/reference.py (the vectorised pandas reference over staging)
does; tests/test_benchmarks_reference_plain.py holds them equal.

Written from indicators.md and data-contracts.md (version 2), following the readings benchmarks/reference.py
documents (windows, residence over all active records with the largest id on a tie, distinct counting per
area, incomplete inputs, primary suppression only). Records active on P and the residence on P are worked
out once per source and peildatum and shared by the indicators built on them.

What it assumes: a clean delivery as `wijkmonitor generate` writes it (no rejected file, no quarantined row,
no copy or revision of a file): the gate's work is not repeated. It does read every notation the contract
allows and the generator produces: `,` or `;` (detected from the header), UTF-8 with or without BOM or
Windows-1252, header names in any case with surrounding spaces, dates as YYYY-MM-DD or DD-MM-YYYY, a
decimal comma in `gewicht`, and in a `;` file a thousands dot in integer columns. CSV only: the Parquet
files the generator writes above scale 1 need a Parquet reader, which the standard library has not.

The last line it prints is JSON: files, source rows, rows out, seconds reading and computing.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_AREA_TABLE = ROOT / "data" / "reference" / "gebieden.csv"
AREA_TABLE_IN_DROP = "gebieden.csv"  # written beside the source folders by the generator above scale 1

LEVELS = ("wijk", "gebied", "gemeente")
SURVEYS = ("clientervaring", "bewonersenquete")  # dated by veldwerk_datum
REGISTERS = ("ondersteuning", "bijstand", "participatie")  # dated by begindatum/einddatum
BEVOLKING = "bevolking"  # dated by peildatum

# The columns read per source (data-contracts.md) and their types: d date, i integer, f decimal, t text.
COLUMNS = {
    BEVOLKING: {"peildatum": "d", "wijkcode": "t", "inwoners": "i", "inwoners_0_17": "i"},
    "bewonersenquete": {"veldwerk_datum": "d", "wijkcode": "t", "gewicht": "f", "zelfredzaam": "i",
                        "vrijwilligerswerk": "i", "mantelzorg": "i"},
    "clientervaring": {"veldwerk_datum": "d", "wijkcode": "t", "gewicht": "f", "tevreden": "i"},
    "ondersteuning": {"traject_id": "t", "persoon_id": "t", "huishouden_id": "t", "wijkcode": "t",
                      "geboortejaar": "i", "soort": "t", "kader": "t", "professional_id": "t",
                      "begindatum": "d", "einddatum": "d"},
    "bijstand": {"uitkering_id": "t", "persoon_id": "t", "wijkcode": "t", "begindatum": "d", "einddatum": "d"},
    "participatie": {"persoon_id": "t", "begindatum": "d", "einddatum": "d"},
}
AREA_COLUMNS = {"wijkcode": "t", "gebiedcode": "t", "gemeentecode": "t", "geldig_van": "d", "geldig_tot": "d"}

Row = dict  # one record of a source: column name -> typed value (None for an empty cell)
Sources = dict[str, list[Row]]
Unit = tuple  # (wijkcode, eenheid, teller, noemer, n): what is counted once per area


class NotReadable(ValueError):
    """A file this script does not read (it reads CSV as the contract describes it)."""


# --- reading the files -------------------------------------------------------------------------

def _date(text: str) -> date:
    """YYYY-MM-DD, or DD-MM-YYYY as Dutch exports write it."""
    if text[4] == "-":
        return date.fromisoformat(text)
    return date(int(text[6:10]), int(text[3:5]), int(text[0:2]))


def _parsers(semicolon: bool) -> dict[str, Callable[[str], object]]:
    """Text -> value per column type; a `;` file is a Dutch-locale export (decimal comma, thousands dot)."""
    return {
        "d": _date,
        "i": (lambda text: int(text.replace(".", ""))) if semicolon else int,
        "f": lambda text: float(text.replace(",", ".")),
        "t": str,
    }


def read_csv(path: Path, columns: dict[str, str]) -> list[Row]:
    """The rows of one CSV file, with the given columns typed (empty cell: None)."""
    if path.suffix.lower() != ".csv":
        raise NotReadable(f"{path}: alleen CSV; de standaardbibliotheek leest geen {path.suffix}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    header_line = text[:text.find("\n")]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    parse = _parsers(delimiter == ";")
    wanted = [(name, header.index(name), parse[kind]) for name, kind in columns.items()]
    return [{name: parser(row[index]) if row[index] else None for name, index, parser in wanted}
            for row in reader if row]


def read_sources(sources: Path) -> Sources:
    """Every file of every source folder the indicators need, concatenated per source."""
    return {bron: [row for path in sorted(p for p in (sources / bron).rglob("*") if p.is_file())
                   for row in read_csv(path, columns)]
            for bron, columns in COLUMNS.items()}


def area_table_for(sources: Path) -> Path:
    """The area table the ETL uses for this drop (benchmarks/run.py whole_etl passes the generator's one)."""
    beside = sources / AREA_TABLE_IN_DROP
    return beside if beside.is_file() else DEFAULT_AREA_TABLE


# --- peildata, windows and the records that count on P -----------------------------------------

@dataclass(frozen=True)
class Peildatum:
    """A reference date P with its window W(P) = [venster_begin, p)."""

    p: date

    @property
    def venster_begin(self) -> date:
        """P minus one year (29 February: 28 February)."""
        day = 28 if (self.p.month, self.p.day) == (2, 29) else self.p.day
        return self.p.replace(year=self.p.year - 1, day=day)

    def active(self, record: Row) -> bool:
        """begindatum <= P and (einddatum empty or >= P)."""
        return record["begindatum"] <= self.p and (record["einddatum"] is None or record["einddatum"] >= self.p)

    def overlaps(self, record: Row) -> bool:
        """begindatum < P and (einddatum empty or >= P minus one year)."""
        return record["begindatum"] < self.p and (
            record["einddatum"] is None or record["einddatum"] >= self.venster_begin)

    def in_window(self, response: Row) -> bool:
        """veldwerk_datum in W(P)."""
        return self.venster_begin <= response["veldwerk_datum"] < self.p

    def covers(self, bron: str, row: Row) -> bool:
        """The row is data on P: a register record active on P or overlapping W(P), a response in W(P),
        bevolking of P."""
        if bron in REGISTERS:
            return row["begindatum"] <= self.p and (
                row["einddatum"] is None or row["einddatum"] >= self.venster_begin)
        if bron in SURVEYS:
            return self.in_window(row)
        return row["peildatum"] == self.p


class OnP:
    """What the indicators of one peildatum share: the records active on P and where units live on P."""

    def __init__(self, sources: Sources, p: Peildatum) -> None:
        self.sources, self.p = sources, p
        self._active: dict[str, list[Row]] = {}
        self._residence: dict[tuple[str, str], dict[str, str]] = {}

    def active(self, bron: str) -> list[Row]:
        """The records of a register active on P."""
        if bron not in self._active:
            self._active[bron] = [r for r in self.sources[bron] if self.p.active(r)]
        return self._active[bron]

    def residence(self, bron: str, unit: str, record_id: str) -> dict[str, str]:
        """unit -> wijkcode of its active record with the latest begindatum, over ALL its active records of
        the source; on a tie the largest record id in text order."""
        key = (bron, unit)
        if key not in self._residence:
            latest: dict[str, tuple[date, str, str]] = {}
            for r in self.active(bron):
                candidate = (r["begindatum"], r[record_id], r["wijkcode"])
                if r[unit] not in latest or candidate[:2] > latest[r[unit]][:2]:
                    latest[r[unit]] = candidate
            self._residence[key] = {u: wijk for u, (_begin, _id, wijk) in latest.items()}
        return self._residence[key]

    def bevolking(self) -> list[Row]:
        """The bevolking rows of P."""
        return [row for row in self.sources[BEVOLKING] if row["peildatum"] == self.p.p]


# --- the indicators ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Definitie:
    """One indicator of indicators.md: its sources, factor, unit rows on P and primary suppression."""

    bronnen: tuple[str, ...]
    factor: float  # waarde = factor * teller / noemer
    units: Callable[[OnP], Iterable[Unit]]
    enquete: bool = False
    drempel_teller: bool = True  # register suppression also on 0 < teller < 5

    def onderdrukt(self, teller: float, noemer: float, n: float) -> bool:
        """Survey n < 30; register noemer < 10 or 0 < teller < 5 (indicator 5: noemer < 10 only)."""
        if self.enquete:
            return n < 30
        return noemer < 10 or (self.drempel_teller and 0 < teller < 5)


def _survey(bron: str, answered: Callable[[Row], bool], positive: Callable[[Row], bool]):
    """Weighted share over the answered responses in W(P): each response once (its position is its eenheid)."""
    def units(on: OnP) -> Iterable[Unit]:
        for number, r in enumerate(on.sources[bron]):
            if on.p.in_window(r) and answered(r):
                yield r["wijkcode"], number, r["gewicht"] if positive(r) else 0.0, r["gewicht"], 1
    return units


def participatie_bijstand(on: OnP) -> Iterable[Unit]:
    """Persons on bijstand on P (noemer); those with a participatie activity overlapping W(P) (teller)."""
    meedoen = {r["persoon_id"] for r in on.sources["participatie"] if on.p.overlaps(r)}
    for persoon, wijk in on.residence("bijstand", "persoon_id", "uitkering_id").items():
        yield wijk, persoon, 1.0 if persoon in meedoen else 0.0, 1.0, 0


def professionals_per_huishouden(on: OnP) -> Iterable[Unit]:
    """Households with a trajectory active on P (noemer) and their distinct professionals on P (teller)."""
    professionals = defaultdict(set)
    for r in on.active("ondersteuning"):
        professionals[r["huishouden_id"]].add(r["professional_id"])
    for huishouden, wijk in on.residence("ondersteuning", "huishouden_id", "traject_id").items():
        yield wijk, huishouden, float(len(professionals[huishouden])), 1.0, 0


def _per_1000(selected: Callable[[Row, date], bool], inwonerkolom: str):
    """Persons with a selected trajectory active on P, where all their active trajectories say they live,
    over the wijk's population on P (one unit per bevolking row)."""
    def units(on: OnP) -> Iterable[Unit]:
        woont = on.residence("ondersteuning", "persoon_id", "traject_id")
        personen = {r["persoon_id"] for r in on.active("ondersteuning") if selected(r, on.p.p)}
        for persoon in personen:
            yield woont[persoon], ("persoon", persoon), 1.0, 0.0, 0
        for row in on.bevolking():
            yield row["wijkcode"], ("bevolking", row["wijkcode"]), 0.0, float(row[inwonerkolom]), 0
    return units


DEFINITIES: dict[str, Definitie] = {
    "tevredenheid": Definitie(("clientervaring",), 100.0, enquete=True, units=_survey(
        "clientervaring", lambda r: r["tevreden"] is not None, lambda r: r["tevreden"] >= 4)),
    "zelfredzaamheid": Definitie(("bewonersenquete",), 100.0, enquete=True, units=_survey(
        "bewonersenquete", lambda r: r["zelfredzaam"] is not None, lambda r: r["zelfredzaam"] >= 4)),
    "vrijwillige_inzet": Definitie(("bewonersenquete",), 100.0, enquete=True, units=_survey(
        "bewonersenquete", lambda r: r["vrijwilligerswerk"] is not None and r["mantelzorg"] is not None,
        lambda r: r["vrijwilligerswerk"] == 1 or r["mantelzorg"] == 1)),
    "participatie_bijstand": Definitie(("bijstand", "participatie"), 100.0, units=participatie_bijstand),
    "professionals_per_huishouden": Definitie(("ondersteuning",), 1.0, units=professionals_per_huishouden,
                                              drempel_teller=False),
    "specialistische_ondersteuning": Definitie(("ondersteuning", BEVOLKING), 1000.0, units=_per_1000(
        lambda r, p: r["soort"] == "specialistisch", "inwoners")),
    "professionele_ondersteuning": Definitie(("ondersteuning", BEVOLKING), 1000.0, units=_per_1000(
        lambda r, p: True, "inwoners")),
    "jeugd_gedwongen_kader": Definitie(("ondersteuning", BEVOLKING), 1000.0, units=_per_1000(
        lambda r, p: r["kader"] == "gedwongen" and r["geboortejaar"] >= p.year - 17, "inwoners_0_17")),
}

OUTPUT = ("indicator", "peildatum", "niveau", "gebiedcode", "teller", "noemer", "n", "waarde", "ontbreekt",
          "onderdrukt")
NAN = float("nan")


def compute(sources: Sources, areas: list[Row], nulmeting: date = date(2015, 1, 1)) -> list[dict]:
    """One row per (indicator, peildatum, niveau, gebiedcode) for every area valid on P, on every peildatum of
    bevolking on or after the nulmeting (the columns of OUTPUT; NaN where there is no figure)."""
    peildata = sorted({row["peildatum"] for row in sources[BEVOLKING] if row["peildatum"] >= nulmeting})
    return [row for p in peildata for row in _one_peildatum(sources, areas, Peildatum(p))]


def _one_peildatum(sources: Sources, areas: list[Row], p: Peildatum) -> list[dict]:
    hierarchy = _areas_on(areas, p)  # wijkcode -> (wijk, gebied, gemeente)
    uncovered = {bron for bron in COLUMNS if not any(p.covers(bron, row) for row in sources[bron])}
    zonder_bevolking = {code for wijk in _wijken_without_population(sources, p, hierarchy)
                        for code in hierarchy[wijk]}  # the wijk, its gebied and its gemeente
    on = OnP(sources, p)
    rows = []
    for indicator, definitie in DEFINITIES.items():
        missing_source = bool(uncovered.intersection(definitie.bronnen))
        for niveau, code, (teller, noemer, n) in _by_level(definitie.units(on), hierarchy):
            ontbreekt = missing_source or (BEVOLKING in definitie.bronnen and code in zonder_bevolking)
            if ontbreekt:
                teller = noemer = n = NAN
            rows.append({
                "indicator": indicator, "peildatum": p.p, "niveau": niveau, "gebiedcode": code,
                "teller": teller, "noemer": noemer, "n": n if definitie.enquete else NAN,
                "waarde": definitie.factor * teller / noemer if noemer else NAN,
                "ontbreekt": ontbreekt, "onderdrukt": not ontbreekt and definitie.onderdrukt(teller, noemer, n),
            })
    return rows


def _areas_on(areas: list[Row], p: Peildatum) -> dict[str, tuple[str, str, str]]:
    """The wijken valid on P with their gebied and gemeente."""
    return {a["wijkcode"]: (a["wijkcode"], a["gebiedcode"], a["gemeentecode"]) for a in areas
            if a["geldig_van"] <= p.p and (a["geldig_tot"] is None or p.p < a["geldig_tot"])}


def _wijken_without_population(sources: Sources, p: Peildatum, hierarchy: dict) -> set[str]:
    """Wijken valid on P with data on P in some source but no bevolking row of P."""
    met_gegevens = {row["wijkcode"] for bron in (*SURVEYS, *REGISTERS) if "wijkcode" in COLUMNS[bron]
                    for row in sources[bron] if p.covers(bron, row)}
    met_bevolking = {row["wijkcode"] for row in sources[BEVOLKING] if row["peildatum"] == p.p}
    return (met_gegevens & hierarchy.keys()) - met_bevolking


def _by_level(units: Iterable[Unit], hierarchy: dict[str, tuple[str, str, str]]) -> list[tuple]:
    """(niveau, gebiedcode, [teller, noemer, n]) for every area of every level, each unit counted once per area."""
    sums = [{} for _ in LEVELS]
    for codes in hierarchy.values():
        for level, code in enumerate(codes):
            sums[level][code] = [0.0, 0.0, 0.0]
    seen = [set() for _ in LEVELS]
    for wijk, eenheid, teller, noemer, n in units:
        codes = hierarchy.get(wijk)
        if codes is None:
            continue  # a wijk not valid on P takes no part
        for level, code in enumerate(codes):
            if (code, eenheid) in seen[level]:
                continue
            seen[level].add((code, eenheid))
            total = sums[level][code]
            total[0] += teller
            total[1] += noemer
            total[2] += n
    return [(niveau, code, sums[level][code]) for level, niveau in enumerate(LEVELS) for code in sorted(sums[level])]


# --- command line ------------------------------------------------------------------------------

def write_rows(rows: list[dict], path: Path) -> None:
    """The figures as CSV (ISO dates, floats in full precision, empty where there is no figure)."""
    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if value != value else repr(value)
        return str(value).lower() if isinstance(value, bool) else str(value)

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(OUTPUT)
        writer.writerows([cell(row[column]) for column in OUTPUT] for row in rows)


def main(argv: list[str] | None = None) -> int:
    """Read the files, compute, print the timings as a JSON line (and write the figures with --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, required=True, help="the source folder (bronmap) the ETL reads")
    parser.add_argument("--gebieden", type=Path, help="the area table (default: as the ETL for this drop)")
    parser.add_argument("--nulmeting", type=date.fromisoformat, default=date(2015, 1, 1))
    parser.add_argument("--out", type=Path, help="write the figures to this CSV file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sources = read_sources(args.sources)
    areas = read_csv(args.gebieden or area_table_for(args.sources), AREA_COLUMNS)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rows = compute(sources, areas, args.nulmeting)
    compute_seconds = time.perf_counter() - started
    if args.out:
        write_rows(rows, args.out)
    files = sum(1 for bron in COLUMNS for p in (args.sources / bron).rglob("*") if p.is_file())
    print(json.dumps({"files": files, "source_rows": sum(len(rows) for rows in sources.values()), "rows": len(rows),
                      "read_seconds": read_seconds, "compute_seconds": compute_seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
