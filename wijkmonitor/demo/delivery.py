"""Writing the sources as municipalities deliver them: several files, mixed encodings and notations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl


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
    """Groningen's sources as CSV files split per period, supplier or wet, in varying formats."""
    bevolking = frames["bevolking"]
    year = pl.col("peildatum").dt.year()
    write_csv(bevolking.filter(year <= 2020), out / "bevolking" / "bevolking_2015-2020.csv", UTF8)
    write_csv(bevolking.filter(year > 2020), out / "bevolking" / "CBS_bevolking_2021_2026.csv", EXCEL_NL,
              header=_HAND_TYPED_BEVOLKING_HEADER)

    bewoners = frames["bewonersenquete"].with_columns(pl.col("veldwerk_datum").dt.year().alias("jaar"))
    for (jaar,), part in bewoners.partition_by("jaar", as_dict=True, maintain_order=True).items():
        csv_format = EXCEL_NL if jaar <= 2017 else UTF8_BOM if jaar == 2018 else UTF8
        write_csv(part.drop("jaar"), out / "bewonersenquete" / f"stadspanel_{jaar}.csv", csv_format)

    clients = frames["clientervaring"]
    early = pl.col("veldwerk_datum").dt.year() <= 2019
    for wet, csv_format in (("wmo", UTF8), ("jeugdwet", EXCEL_NL)):
        of_wet = clients.filter(pl.col("wet") == wet)
        write_csv(of_wet.filter(early), out / "clientervaring" / f"cev_{wet}_2014-2019.csv", csv_format)
        write_csv(of_wet.filter(~early), out / "clientervaring" / f"cev_{wet}_2020-2025.csv", csv_format)

    trajecten = frames["ondersteuning"]
    wmo = pl.col("voorziening").is_in(["hulp_bij_huishouden", "begeleiding", "dagbesteding"])
    wijkteam = pl.col("voorziening") == "wijkteam"
    write_csv(trajecten.filter(wijkteam), out / "ondersteuning" / "wijkteams_trajecten.csv", UTF8)
    write_csv(trajecten.filter(wmo), out / "ondersteuning" / "wmo_maatwerk_export.csv", EXCEL_NL)
    write_csv(trajecten.filter(~wijkteam & ~wmo), out / "ondersteuning" / "jeugd_trajecten.csv", WINDOWS_ISO)

    before = pl.col("begindatum") < pl.date(2015, 1, 1)
    bijstand = frames["bijstand"]
    write_csv(bijstand.filter(before), out / "bijstand" / "bijstand_tm2014.csv", EXCEL_NL)
    write_csv(bijstand.filter(~before), out / "bijstand" / "bijstand_2015-2025.csv", UTF8)

    before = pl.col("begindatum") < pl.date(2018, 1, 1)
    participatie = frames["participatie"]
    write_csv(participatie.filter(before), out / "participatie" / "participatie_tm2017.csv", WINDOWS_ISO)
    write_csv(participatie.filter(~before), out / "participatie" / "participatie_2018-2025.csv", UTF8)


def deliver_parquet(frames: dict[str, pl.DataFrame], out: Path, chunk_name: str) -> None:
    """Synthetic gemeenten (benchmark sizes) as one Parquet file per source and chunk."""
    for bron, frame in frames.items():
        path = out / bron / f"{bron}_{chunk_name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, statistics=True)
