"""`wijkmonitor export`: the publication contract of indicators.md as CSV, Excel or Parquet.

Reads only the published store (read-only). One row per (indicator, peildatum, niveau, gebiedcode),
long format. Suppressed rows never carry a figure: the query blanks them again, whatever the store holds.
In the Excel file, `onderdrukking` (primair/aanvullend) and `reden` (why a figure is missing) follow the
contract's columns when the store has them; CSV and Parquet hold exactly the contract's columns.

Every file says what it holds (metadata(): peildata, source, definitions, download date, suppression,
"fictieve demogegevens" for generated data). The CSV and Parquet files keep the contract's shape exactly,
so the metadata goes into a second file beside them, <name>_toelichting.csv (veld,waarde; same dialect);
the Excel file carries it in its first sheet, "Toelichting". The dashboard's downloads use metadata() too.
"""

from __future__ import annotations

import os
import re
import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from core import niveau, publication, richting, status
from indicators import kosten
from core.errors import WijkmonitorError

CONTRACT_COLUMNS = publication.EXPORT_COLUMNS  # indicators.md "Publication contract", in order
SUPPRESSED_COLUMNS = publication.SUPPRESSED_COLUMNS  # empty in a suppressed row
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
EXTRA_COLUMNS = ("onderdrukking", "reden")  # after the contract's columns, when the store has them
EXTRA_HEADERS = {"onderdrukking": "Soort onderdrukking", "reden": "Reden ontbrekend cijfer"}
DEFINITIONS_SHEET = "Definities"
METADATA_SHEET = "Toelichting"
SUPPRESSED_TEXT = status.ONVOLDOENDE_WAARNEMINGEN
MISSING_DATA_TEXT = status.ONVOLDOENDE_GEGEVENS
FICTIEF_KEY = "fictieve_demogegevens"
FICTIEF_TEXT = "fictieve demogegevens: gegenereerd om de monitor te tonen en te testen; geen echte inwoners of cijfers"
SUPPRESSION_NOTE = (
    f"'{SUPPRESSED_TEXT}': het cijfer is niet gepubliceerd, omdat het over te weinig personen of respondenten gaat "
    "(primaire onderdrukking) of omdat een onderdrukt cijfer er anders uit terug te rekenen is (aanvullende "
    f"onderdrukking). '{MISSING_DATA_TEXT}': de aangeleverde gegevens waren onvolledig; het cijfer is niet berekend "
    "(de reden staat erbij en op de pagina Datakwaliteit)."
)
_SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _contract_column(column: str) -> str:
    """One select item; a suppressed row's figures are blanked here too (belt and braces)."""
    if column in SUPPRESSED_COLUMNS:
        return f"case when v.onderdrukt then null else v.{column} end as {column}"
    return f"v.{column}"


def _contract_sql(extra: tuple[str, ...], costs: bool = False) -> str:
    """The contract's columns, then the extra columns the store has; the cost figures after the indicators."""
    columns = [_contract_column(c) for c in CONTRACT_COLUMNS] + [f"v.{c}" for c in extra]
    costs_part = f"""
union all
select {", ".join(columns)}, v.volgorde + (select count(*) from indicators) as _volgorde
from ({_COSTS_SQL}) v""" if costs else ""
    return f"""
select * exclude (_volgorde) from (
select {", ".join(columns)}, i.volgorde as _volgorde
from indicator_values v
join indicators i on i.indicator = v.indicator{costs_part}
)
order by _volgorde, peildatum, {niveau.order_sql("niveau")}, gebiedcode
"""


# The cost figures (indicators/kosten.py, table kosten, all wetten together) in the contract's long format:
# waarde the figure, teller the prorated amount, noemer inwoners or clienten; no n, interval or status (costs
# carry no direction or corridor); the change against the nulmeting as for the indicators.
_COSTS_SQL = f"""
with figuren as (
    select unnest($figuren::varchar[]) as indicator, generate_subscripts($figuren::varchar[], 1) as volgorde
),
w as (
    select f.indicator, f.volgorde, k.peildatum, k.niveau, k.gebiedcode, k.gebiedsnaam,
           case f.indicator when '{kosten.PER_INWONER}' then k.kosten_per_inwoner else k.kosten_per_client end
               as waarde,
           k.bedrag as teller,
           (case f.indicator when '{kosten.PER_INWONER}' then k.inwoners else k.clienten end)::double as noemer,
           k.onderdrukt, k.onderdrukking,
           case when not k.onderdrukt and (case f.indicator when '{kosten.PER_INWONER}' then k.kosten_per_inwoner
                                                else k.kosten_per_client end) is null then k.reden end as reden
    from kosten k cross join figuren f
    where k.wet = '{kosten.TOTAAL}'
)
select w.indicator, w.peildatum, w.niveau, w.gebiedcode, w.gebiedsnaam, w.waarde, w.teller, w.noemer,
       null::bigint as n, null::double as ci_laag, null::double as ci_hoog, w.onderdrukt,
       w.waarde - nul.waarde as verschil_nulmeting, 100 * (w.waarde / nullif(nul.waarde, 0)) as index_nulmeting,
       null::varchar as status, w.onderdrukking, w.reden, w.volgorde
from w
left join w nul on nul.indicator = w.indicator and nul.niveau = w.niveau and nul.gebiedcode = w.gebiedcode
 and nul.peildatum = (select try_cast(waarde as date) from meta where sleutel = 'nulmeting')
"""


def _has_costs(con: duckdb.DuckDBPyConnection) -> bool:
    """The store has a kosten table (older stores lack it) with rows."""
    tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    return "kosten" in tables and con.execute("select count(*) from kosten").fetchall()[0][0] > 0


def _cost_definitions() -> list[dict[str, Any]]:
    """The cost figures as rows shaped like the published `indicators` table (sheets, metadata)."""
    return [{"indicator": figuur, "naam": naam, "omschrijving": kosten.OMSCHRIJVING[figuur],
             "definitie": kosten.DEFINITIE[figuur], "eenheid": kosten.EENHEID[figuur], "richting": "geen richting",
             "decimalen": 0, "soort": "kosten", "bronnen": "kosten, bevolking", "onderdrukking": kosten.ONDERDRUKKING}
            for figuur, naam in kosten.FIGUREN.items()]


def _params(costs: bool) -> dict[str, Any] | None:
    return {"figuren": list(kosten.FIGUREN)} if costs else None


def _extra_columns(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    present = {row[0] for row in con.execute("describe indicator_values").fetchall()}
    return tuple(c for c in EXTRA_COLUMNS if c in present)


def nl_date(value: date | str) -> str:
    """A date as dd-mm-jjjj (the Dutch way, never mm/dd/yyyy)."""
    return (date.fromisoformat(value[:10]) if isinstance(value, str) else value).strftime("%d-%m-%Y")


def metadata(meta: dict[str, str], definitions: list[dict[str, Any]], *, onderwerp: str, peildatum: str,
             gemeente: str, gedownload: datetime) -> list[tuple[str, str]]:
    """(veld, waarde) lines that say what an export holds; shared by `wijkmonitor export` and the dashboard.

    `definitions` are rows of the published `indicators` table (naam, omschrijving, definitie, eenheid,
    bronnen, onderdrukking) for the indicators in the file.
    """
    lines = [("Wijkmonitor Sociaal Domein", onderwerp)]
    if meta.get(FICTIEF_KEY) == "ja":
        lines.append(("Let op", FICTIEF_TEXT))
    bronnen = sorted({b.strip() for d in definitions for b in str(d.get("bronnen") or "").split(",") if b.strip()})
    published = meta.get("gepubliceerd_op")
    lines += [
        ("Gemeente", gemeente),
        ("Peildatum", peildatum),
        ("Bron", f"gepubliceerde cijfers van de Wijkmonitor Sociaal Domein, gemeente {gemeente}"
                 + (f", gepubliceerd op {nl_date(published)}" if published else "")
                 + (f"; registraties en enquêtes: {', '.join(bronnen)}" if bronnen else "")),
        ("Gedownload op", gedownload.strftime("%d-%m-%Y %H:%M")),
    ]
    if meta.get("nulmeting"):
        lines.append(("Nulmeting", nl_date(meta["nulmeting"])))
    lines.append(("Onderdrukking", SUPPRESSION_NOTE))
    rules: dict[str, list[str]] = {}
    for definition in definitions:
        if definition.get("onderdrukking"):
            rules.setdefault(definition["onderdrukking"], []).append(definition["naam"])
    for rule, names in rules.items():  # one line per distinct rule, not one per indicator
        lines.append((f"Onderdrukkingsregel ({', '.join(names)})", rule))
    for definition in definitions:
        lines.append((f"Definitie: {definition['naam']}",
                      f"{definition.get('omschrijving') or ''} Berekening: {definition.get('definitie') or ''} "
                      f"Eenheid: {definition.get('eenheid') or ''}; "
                      f"{richting.label(definition.get('richting') or '')}.".strip()))
    return lines


def _store_metadata(con: duckdb.DuckDBPyConnection, definitions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The metadata of a full export of this store."""
    meta = dict(con.execute("select sleutel, waarde from meta").fetchall())
    peildata = [row[0] for row in con.execute("select distinct peildatum from indicator_values order by 1").fetchall()]
    gemeente = con.execute(
        f"select any_value(gebiedsnaam) from indicator_values where niveau = '{niveau.GEMEENTE}'"
    ).fetchone()[0]
    span = f"{nl_date(peildata[0])} tot en met {nl_date(peildata[-1])} ({len(peildata)} peildata)" if peildata else "–"
    return metadata(meta, definitions, onderwerp="alle gepubliceerde cijfers (publicatiecontract, lang formaat)",
                    peildatum=span, gemeente=gemeente or "", gedownload=datetime.now())


def sidecar_path(out: Path) -> Path:
    """Where the metadata of a CSV or Parquet export goes: <stem>_toelichting.csv beside it."""
    return out.with_name(f"{out.stem}_toelichting.csv")


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
    sidecar = sidecar_path(out) if out.suffix.lower() != ".xlsx" else None
    partial_sidecar = sidecar.with_name(f".{sidecar.name}.deel") if sidecar else None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            writer(con, partial)
            if sidecar:
                definitions = _records(con, "select * from indicators order by volgorde")
                definitions += _cost_definitions() if _has_costs(con) else []
                write_metadata_csv(_store_metadata(con, definitions), partial_sidecar)
        os.replace(partial, out)
        if sidecar:
            os.replace(partial_sidecar, sidecar)
    except duckdb.Error as error:
        raise WijkmonitorError(f"{db}: kan de gepubliceerde monitor niet lezen: {error}") from None
    except OSError as error:
        raise WijkmonitorError(f"{out}: kan niet schrijven: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
        if partial_sidecar:
            partial_sidecar.unlink(missing_ok=True)


def write_metadata_csv(lines: list[tuple[str, str]], out: Path) -> None:
    """The metadata as a two-column CSV (veld,waarde) in the contract's dialect: UTF-8, comma."""
    with out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(("veld", "waarde"))
        writer.writerows(lines)


def _write_csv(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Exactly the contract's columns; UTF-8, comma, dot decimals, ISO dates, true/false, empty for NULL."""
    costs = _has_costs(con)
    con.execute(
        f"copy ({_contract_sql((), costs)}) to '{_sql_path(out)}' "
        "(format csv, header true, delimiter ',', null '', dateformat '%Y-%m-%d')", _params(costs)
    )


def _write_parquet(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Exactly the contract's columns, with native types."""
    costs = _has_costs(con)
    con.execute(f"copy ({_contract_sql((), costs)}) to '{_sql_path(out)}' (format parquet)", _params(costs))


def _write_xlsx(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """The 'Toelichting' sheet, one sheet per indicator (Dutch headers), then the 'Definities' sheet."""
    costs = _has_costs(con)
    definitions = _records(con, "select * from indicators order by volgorde") + (_cost_definitions() if costs else [])
    extra = _extra_columns(con)
    values = _records(con, _contract_sql(extra, costs), _params(costs))
    with xlsxwriter.Workbook(str(out)) as workbook:
        formats = {
            "kop": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
            "datum": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "tekst": workbook.add_format({"text_wrap": True, "valign": "top"}),
        }
        write_metadata_sheet(workbook.add_worksheet(METADATA_SHEET), _store_metadata(con, definitions), formats)
        used_names = {DEFINITIONS_SHEET.lower(), METADATA_SHEET.lower()}
        for definition in definitions:
            sheet = workbook.add_worksheet(sheet_name(definition["naam"], used_names))
            rows = [r for r in values if r["indicator"] == definition["indicator"]]
            _write_values_sheet(workbook, sheet, rows, definition["decimalen"], formats, extra)
        _write_definitions_sheet(workbook.add_worksheet(DEFINITIONS_SHEET), definitions, formats)


def write_metadata_sheet(sheet: Any, lines: list[tuple[str, str]], formats: dict[str, Any]) -> None:
    """The metadata as a two-column sheet (bold field names, wrapped values)."""
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 110)
    for y, (field, value) in enumerate(lines):
        sheet.write_string(y, 0, field, formats["kop"])
        sheet.write_string(y, 1, value, formats["tekst"])


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
    workbook: xlsxwriter.Workbook, sheet: Any, rows: list[dict[str, Any]], decimalen: int, formats: dict[str, Any],
    extra: tuple[str, ...] = (),
) -> None:
    """Header row plus one row per value; a missing value says why ('onvoldoende waarnemingen' or '... gegevens')."""
    number = workbook.add_format({"num_format": "0." + "0" * decimalen if decimalen else "0"})
    columns = CONTRACT_COLUMNS + extra
    sheet.write_row(0, 0, [DUTCH_HEADERS.get(c) or EXTRA_HEADERS[c] for c in columns], formats["kop"])
    for index, record in enumerate(rows, start=1):
        for column_number, column in enumerate(columns):
            value = record.get(column)
            if column == "waarde" and record["onderdrukt"]:
                sheet.write_string(index, column_number, SUPPRESSED_TEXT)
            elif column == "waarde" and value is None:
                sheet.write_string(index, column_number, MISSING_DATA_TEXT)
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
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    sheet.set_column(0, len(columns) - 1, 14)


def _write_definitions_sheet(sheet: Any, definitions: list[dict[str, Any]], formats: dict[str, Any]) -> None:
    """Every indicator's definition, unit, direction, source and suppression rule."""
    sheet.write_row(0, 0, list(DEFINITION_HEADERS.values()), formats["kop"])
    for index, definition in enumerate(definitions, start=1):
        cells = [
            richting.label(definition[c]) if c == "richting" else definition[c]
            for c in DEFINITION_HEADERS
        ]
        sheet.write_row(index, 0, cells, formats["tekst"])
    sheet.set_column(0, len(DEFINITION_HEADERS) - 1, 30)
    sheet.set_column(3, 3, 80)


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Query result as a list of dicts."""
    return con.sql(sql, params=params).to_arrow_table().to_pylist()


def _sql_path(path: Path) -> str:
    """A path as a single-quoted SQL string literal body."""
    return str(path).replace("'", "''")
