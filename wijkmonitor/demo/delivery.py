"""Writing the sources as municipalities deliver them: several files, mixed encodings and notations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.contract import BRONNEN


@dataclass(frozen=True)
class CsvFormat:
    """How one exporting system writes CSV."""

    encoding: str  # utf-8, utf-8-sig (with BOM) or cp1252 (Windows-1252)
    separator: str
    date_format: str
    decimal_comma: bool
    line_terminator: str = "\n"


UTF8 = CsvFormat("utf-8", ",", "%Y-%m-%d", False)
UTF8_BOM = CsvFormat("utf-8-sig", ",", "%Y-%m-%d", False)  # Excel's "CSV UTF-8"
EXCEL_NL = CsvFormat("cp1252", ";", "%d-%m-%Y", True, "\r\n")  # Excel in a Dutch locale
WINDOWS_ISO = CsvFormat("cp1252", ";", "%Y-%m-%d", False, "\r\n")  # an older Windows application

# One delivered file with its header typed by hand: case and spacing vary (the contract allows it).
_HAND_TYPED_BEVOLKING_HEADER = [" Peildatum", "WijkCode ", "Inwoners", "Inwoners_0_17", "HUISHOUDENS "]


def write_csv(frame: pl.DataFrame, path: Path, csv_format: CsvFormat, header: list[str] | None = None) -> None:
    """Write `frame` as CSV in `csv_format`, optionally with a different header line."""
    text = frame.write_csv(
        separator=csv_format.separator,
        line_terminator=csv_format.line_terminator,
        date_format=csv_format.date_format,
        decimal_comma=csv_format.decimal_comma,
        float_precision=3,
    )
    if header is not None:
        text = csv_format.separator.join(header) + text[text.index(csv_format.line_terminator):]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(csv_format.encoding))


def deliver_groningen(frames: dict[str, pl.DataFrame], out: Path) -> None:
    """Groningen's sources as CSV files split per period, supplier or wet, in varying formats.

    A source without its own way of delivery below gets the default: one file per year of its date column."""
    for bron, frame in frames.items():
        _DELIVERIES.get(bron, _per_year(bron))(frame, out / bron)


def _per_year(bron: str) -> Callable[[pl.DataFrame, Path], None]:
    """Default delivery: one CSV per year of the source's date column, years alternating UTF-8 and Dutch Excel."""

    def deliver(frame: pl.DataFrame, folder: Path) -> None:
        year = pl.col(BRONNEN[bron].datumkolom).dt.year().alias("_jaar")
        for (jaar,), part in frame.with_columns(year).partition_by("_jaar", as_dict=True, maintain_order=True).items():
            write_csv(part.drop("_jaar"), folder / f"{bron}_{jaar}.csv", EXCEL_NL if jaar % 2 else UTF8)

    return deliver


def _bevolking(bevolking: pl.DataFrame, folder: Path) -> None:
    year = pl.col("peildatum").dt.year()
    write_csv(bevolking.filter(year <= 2020), folder / "bevolking_2015-2020.csv", UTF8)
    write_csv(bevolking.filter(year > 2020), folder / "CBS_bevolking_2021_2026.csv", EXCEL_NL,
              header=_HAND_TYPED_BEVOLKING_HEADER)


def _bewonersenquete(bewonersenquete: pl.DataFrame, folder: Path) -> None:
    bewoners = bewonersenquete.with_columns(pl.col("veldwerk_datum").dt.year().alias("jaar"))
    for (jaar,), part in bewoners.partition_by("jaar", as_dict=True, maintain_order=True).items():
        csv_format = EXCEL_NL if jaar <= 2017 else UTF8_BOM if jaar == 2018 else UTF8
        write_csv(part.drop("jaar"), folder / f"stadspanel_{jaar}.csv", csv_format)


def _clientervaring(clients: pl.DataFrame, folder: Path) -> None:
    early = pl.col("veldwerk_datum").dt.year() <= 2019
    for wet, csv_format in (("wmo", UTF8), ("jeugdwet", EXCEL_NL)):
        of_wet = clients.filter(pl.col("wet") == wet)
        write_csv(of_wet.filter(early), folder / f"cev_{wet}_2014-2019.csv", csv_format)
        write_csv(of_wet.filter(~early), folder / f"cev_{wet}_2020-2025.csv", csv_format)


def _ondersteuning(trajecten: pl.DataFrame, folder: Path) -> None:
    wmo = pl.col("voorziening").is_in(["hulp_bij_huishouden", "begeleiding", "dagbesteding"])
    wijkteam = pl.col("voorziening") == "wijkteam"
    write_csv(trajecten.filter(wijkteam), folder / "wijkteams_trajecten.csv", UTF8)
    write_csv(trajecten.filter(wmo), folder / "wmo_maatwerk_export.csv", EXCEL_NL)
    write_csv(trajecten.filter(~wijkteam & ~wmo), folder / "jeugd_trajecten.csv", WINDOWS_ISO)


def _bijstand(bijstand: pl.DataFrame, folder: Path) -> None:
    before = pl.col("begindatum") < pl.date(2015, 1, 1)
    write_csv(bijstand.filter(before), folder / "bijstand_tm2014.csv", EXCEL_NL)
    write_csv(bijstand.filter(~before), folder / "bijstand_2015-2025.csv", UTF8)


def _participatie(participatie: pl.DataFrame, folder: Path) -> None:
    before = pl.col("begindatum") < pl.date(2018, 1, 1)
    write_csv(participatie.filter(before), folder / "participatie_tm2017.csv", WINDOWS_ISO)
    write_csv(participatie.filter(~before), folder / "participatie_2018-2025.csv", UTF8)


def _kenmerken(kenmerken: pl.DataFrame, folder: Path) -> None:
    """As the research team exports them from CBS StatLine: per batch of years, the first in Dutch Excel notation."""
    early = pl.col("peildatum").dt.year() <= 2020
    write_csv(kenmerken.filter(early), folder / "kerncijfers_wijken_2015-2020.csv", EXCEL_NL)
    write_csv(kenmerken.filter(~early), folder / "kerncijfers_wijken_2021-2026.csv", UTF8)


# How each source's files come from the municipality's systems (a source not listed: _per_year).
_DELIVERIES: dict[str, Callable[[pl.DataFrame, Path], None]] = {
    "bevolking": _bevolking,
    "bewonersenquete": _bewonersenquete,
    "clientervaring": _clientervaring,
    "ondersteuning": _ondersteuning,
    "bijstand": _bijstand,
    "participatie": _participatie,
    "kenmerken": _kenmerken,
}


def deliver_parquet(frames: dict[str, pl.DataFrame], out: Path, chunk_name: str) -> None:
    """Synthetic gemeenten (benchmark sizes) as one Parquet file per source and chunk."""
    for bron, frame in frames.items():
        path = out / bron / f"{bron}_{chunk_name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, statistics=True)
