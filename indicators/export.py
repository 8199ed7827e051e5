"""`wijkmonitor export`: the publication contract of indicators.md as CSV, Excel or Parquet.

Reads only the published store (read-only). One row per (indicator, peildatum, niveau, gebiedcode),
long format. Suppressed rows never carry a figure: the query blanks them again, whatever the store holds.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from wijkmonitor.errors import WijkmonitorError

CONTRACT_COLUMNS = (
    "indicator", "peildatum", "niveau", "gebiedcode", "gebiedsnaam", "waarde", "teller", "noemer",
    "n", "ci_laag", "ci_hoog", "onderdrukt", "verschil_nulmeting", "index_nulmeting", "status",
)
SUPPRESSED_COLUMNS = (
    "waarde", "teller", "noemer", "ci_laag", "ci_hoog", "verschil_nulmeting", "index_nulmeting",
)
DUTCH_HEADERS = {
    "indicator": "Indicator",
    "peildatum": "Peildatum",
    "niveau": "Niveau",
    "gebiedcode": "Gebiedscode",
    "gebiedsnaam": "Gebiedsnaam",
    "waarde": "Waarde",
    "teller": "Teller",
    "noemer": "Noemer",
    "n": "Aantal respondenten (n)",
    "ci_laag": "Ondergrens 95%-interval",
    "ci_hoog": "Bovengrens 95%-interval",
    "onderdrukt": "Onderdrukt",
    "verschil_nulmeting": "Verschil met nulmeting",
    "index_nulmeting": "Index (nulmeting = 100)",
    "status": "Status",
}
DEFINITION_HEADERS = {
    "indicator": "Indicator",
    "naam": "Naam",
    "omschrijving": "Omschrijving",
    "definitie": "Definitie",
    "eenheid": "Eenheid",
    "richting": "Richting",
    "soort": "Soort",
    "bronnen": "Bronnen",
    "onderdrukking": "Onderdrukking",
}
DEFINITIONS_SHEET = "Definities"
SUPPRESSED_TEXT = "onvoldoende waarnemingen"
_RICHTING_NL = {"hoger_is_beter": "hoger is beter", "lager_is_beter": "lager is beter"}
_SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _contract_column(column: str) -> str:
    """One select item; a suppressed row's figures are blanked here too (belt and braces)."""
    if column in SUPPRESSED_COLUMNS:
        return f"case when v.onderdrukt then null else v.{column} end as {column}"
    return f"v.{column}"


_CONTRACT_SQL = f"""
select {", ".join(_contract_column(c) for c in CONTRACT_COLUMNS)}
from indicator_values v
join indicators i on i.indicator = v.indicator
order by i.volgorde, v.peildatum,
    case v.niveau when 'gemeente' then 0 when 'gebied' then 1 else 2 end, v.gebiedcode
"""


def export(db: Path, out: Path) -> None:
    """Write the publication contract to `out`; the format follows the extension."""
    writers = {".csv": _write_csv, ".xlsx": _write_xlsx, ".parquet": _write_parquet}
    writer = writers.get(out.suffix.lower())
    if writer is None:
        raise WijkmonitorError(
            f"{out}: onbekend exportformaat '{out.suffix}'; kies .csv, .xlsx of .parquet"
        )
    if not db.is_file():
        raise WijkmonitorError(f"{db}: gepubliceerde monitor niet gevonden")
    if not out.parent.is_dir():
        raise WijkmonitorError(f"{out.parent}: map bestaat niet")
    partial = out.with_name(f".{out.name}.deel")
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            writer(con, partial)
        os.replace(partial, out)
    except duckdb.Error as error:
        raise WijkmonitorError(f"{db}: kan de gepubliceerde monitor niet lezen: {error}") from None
    except OSError as error:
        raise WijkmonitorError(f"{out}: kan niet schrijven: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


def _write_csv(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """UTF-8, comma, dot decimals, ISO dates, true/false, empty for NULL."""
    con.execute(
        f"copy ({_CONTRACT_SQL}) to '{_sql_path(out)}' "
        "(format csv, header true, delimiter ',', null '', dateformat '%Y-%m-%d')"
    )


def _write_parquet(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """The contract columns with native types."""
    con.execute(f"copy ({_CONTRACT_SQL}) to '{_sql_path(out)}' (format parquet)")


def _write_xlsx(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """One sheet per indicator (Dutch headers) plus the 'Definities' sheet."""
    definitions = _records(con, "select * from indicators order by volgorde")
    values = _records(con, _CONTRACT_SQL)
    with xlsxwriter.Workbook(str(out)) as workbook:
        formats = {
            "kop": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
            "datum": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "tekst": workbook.add_format({"text_wrap": True, "valign": "top"}),
        }
        used_names = {DEFINITIONS_SHEET.lower()}
        for definition in definitions:
            sheet = workbook.add_worksheet(sheet_name(definition["naam"], used_names))
            rows = [r for r in values if r["indicator"] == definition["indicator"]]
            _write_values_sheet(workbook, sheet, rows, definition["decimalen"], formats)
        _write_definitions_sheet(workbook.add_worksheet(DEFINITIONS_SHEET), definitions, formats)


def sheet_name(naam: str, used_names: set[str]) -> str:
    """The Dutch name as an Excel sheet name: allowed characters, 31 characters, unique."""
    base = _SHEET_NAME_FORBIDDEN.sub("-", naam)[:_SHEET_NAME_MAX]
    candidate, number = base, 2
    while candidate.lower() in used_names:
        suffix = f" ({number})"
        candidate, number = base[: _SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    used_names.add(candidate.lower())
    return candidate


def _write_values_sheet(
    workbook: xlsxwriter.Workbook, sheet: Any, rows: list[dict[str, Any]], decimalen: int, formats: dict[str, Any]
) -> None:
    """Header row plus one row per value; a suppressed value reads 'onvoldoende waarnemingen'."""
    number = workbook.add_format({"num_format": "0." + "0" * decimalen if decimalen else "0"})
    sheet.write_row(0, 0, [DUTCH_HEADERS[c] for c in CONTRACT_COLUMNS], formats["kop"])
    for index, record in enumerate(rows, start=1):
        for column_number, column in enumerate(CONTRACT_COLUMNS):
            value = record[column]
            if column == "waarde" and record["onderdrukt"]:
                sheet.write_string(index, column_number, SUPPRESSED_TEXT)
            elif value is None:
                sheet.write_blank(index, column_number, None)
            elif isinstance(value, bool):
                sheet.write_string(index, column_number, "ja" if value else "nee")
            elif isinstance(value, date):
                sheet.write_datetime(index, column_number, value, formats["datum"])
            elif isinstance(value, float):
                sheet.write_number(index, column_number, value, number)
            else:
                sheet.write(index, column_number, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(CONTRACT_COLUMNS) - 1)
    sheet.set_column(0, len(CONTRACT_COLUMNS) - 1, 14)


def _write_definitions_sheet(sheet: Any, definitions: list[dict[str, Any]], formats: dict[str, Any]) -> None:
    """Every indicator's definition, unit, direction, source and suppression rule."""
    sheet.write_row(0, 0, list(DEFINITION_HEADERS.values()), formats["kop"])
    for index, definition in enumerate(definitions, start=1):
        cells = [
            _RICHTING_NL.get(definition[c], definition[c]) if c == "richting" else definition[c]
            for c in DEFINITION_HEADERS
        ]
        sheet.write_row(index, 0, cells, formats["tekst"])
    sheet.set_column(0, len(DEFINITION_HEADERS) - 1, 30)
    sheet.set_column(3, 3, 80)


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Query result as a list of dicts."""
    return con.sql(sql).to_arrow_table().to_pylist()


def _sql_path(path: Path) -> str:
    """A path as a single-quoted SQL string literal body."""
    return str(path).replace("'", "''")
