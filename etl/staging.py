"""Typed staging: ref_gebieden, the typed candidate rows the gate checks, and stg_<bron> from what passed.

Candidate rows (kandidaat_<bron>) carry both the delivered text (`<kolom>__tekst`, for quarantine
messages) and the typed value (`<kolom>`, NULL when empty or unparseable), plus helper columns for
rules that need other rows: how often the row's key occurs, and the growth of inwoners since the
previous peildatum of the same wijk.

Candidates are the raw rows of the file versions listed in `controle_bestanden` (etl/load.py):
accepted files plus new versions still on trial. Values are never guessed: a date has a four-digit
year; an integer is digits only, with '.' thousands groups only in a Dutch-locale file (notatie
'nl'), so `1.000` is 1000 there and quarantined elsewhere, never 1.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from core.errors import WijkmonitorError
from etl.contract import BRONNEN, MAX_TEKST, Bron, Kolom, staging_ddl

STAGING_SCHEMA = Path(__file__).with_name("staging_schema.sql")
TEKST = "__tekst"  # suffix of the delivered-text copy of a column
ID = "_id"
SLEUTEL_AANTAL = "_sleutel_aantal"
GROEI_INWONERS = "_groei_inwoners"
NOTATIE = "_notatie"
STUURTEKEN = "__stuurteken"  # suffix of the per-column flag: text holds a control character
TE_LANG = "__te_lang"  # suffix of the per-column flag: text longer than MAX_TEKST
CONTROLE_BESTANDEN = "controle_bestanden"  # (bron, bestand, sha256, notatie) the gate checks
_CONTROL_CHARACTERS = "[\\x00-\\x1f\\x7f]"
_YEAR = "(19|20)[0-9]{2}"
_THOUSANDS = "[+-]?[1-9][0-9]{0,2}(\\.[0-9]{3})+"
GEBIEDEN_KOLOMMEN = (
    "wijkcode", "wijknaam", "gebiedcode", "gebiedsnaam", "gemeentecode", "gemeentenaam",
    "geldig_van", "geldig_tot",
)
# Optional: a municipality's own table may leave it out (then no wijk joined by a merger).
IN_GEMEENTE_SINDS = "in_gemeente_sinds"


def create_staging_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create ref_gebieden and the stg_<bron> tables of the source contract (if absent)."""
    con.execute(STAGING_SCHEMA.read_text(encoding="utf-8"))
    for bron in BRONNEN.values():
        con.execute(staging_ddl(bron))


def raw_table(bron: Bron) -> str:
    """Name of the raw table of a source."""
    return f"raw_{bron.naam}"


def candidate_table(bron: Bron) -> str:
    """Name of the temporary typed-candidate table of a source."""
    return f"kandidaat_{bron.naam}"


def staging_table(bron: Bron) -> str:
    """Name of the staging table of a source."""
    return f"stg_{bron.naam}"


def load_ref_gebieden(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Replace ref_gebieden with the area table in path; return its number of rows."""
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (OSError, pl.exceptions.PolarsError) as error:
        raise WijkmonitorError(f"{path}: gebiedentabel niet leesbaar ({error})") from None
    frame = frame.rename({name: name.strip().lower() for name in frame.columns})
    missing = [name for name in GEBIEDEN_KOLOMMEN if name not in frame.columns]
    if missing:
        raise WijkmonitorError(f"{path}: gebiedentabel mist kolom {', '.join(missing)}")
    if IN_GEMEENTE_SINDS not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(IN_GEMEENTE_SINDS))
    con.register("gebieden_geleverd", frame.select(*GEBIEDEN_KOLOMMEN, IN_GEMEENTE_SINDS).to_arrow())
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM ref_gebieden")
    try:
        con.execute(
            """
            INSERT INTO ref_gebieden
            SELECT upper(trim(wijkcode)), trim(wijknaam), upper(trim(gebiedcode)), trim(gebiedsnaam),
                   upper(trim(gemeentecode)), trim(gemeentenaam),
                   CAST(geldig_van AS DATE), CAST(NULLIF(trim(geldig_tot), '') AS DATE),
                   CAST(NULLIF(trim(in_gemeente_sinds), '') AS DATE)
            FROM gebieden_geleverd
            """
        )
    except duckdb.Error as error:
        con.execute("ROLLBACK")
        raise WijkmonitorError(f"{path}: gebiedentabel ongeldig ({str(error).splitlines()[0]})") from None
    finally:
        con.unregister("gebieden_geleverd")
    con.execute("COMMIT")
    return con.execute("SELECT count(*) FROM ref_gebieden").fetchone()[0]


def typed_expression(kolom: Kolom) -> str:
    """SQL turning the delivered text of a column into its staging type (NULL when unparseable).

    Reads the row's file notation from the column _notatie ('csv', 'nl' or 'parquet').
    """
    text = f"NULLIF(trim(\"{kolom.naam}{TEKST}\"), '')"
    if kolom.type == "code":
        return f"upper({text})"
    if kolom.type == "enum":
        return f"lower({text})"
    if kolom.type == "tekst":
        return text
    if kolom.type == "datum":
        return (
            f"CAST(CASE WHEN regexp_full_match({text}, '{_YEAR}-[0-9]{{1,2}}-[0-9]{{1,2}}') "
            f"THEN try_strptime({text}, '%Y-%m-%d') "
            f"WHEN regexp_full_match({text}, '[0-9]{{1,2}}-[0-9]{{1,2}}-{_YEAR}') "
            f"THEN try_strptime({text}, '%d-%m-%Y') "
            f"WHEN regexp_full_match({text}, '{_YEAR}-[0-9]{{2}}-[0-9]{{2}} [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}') "
            f"THEN try_strptime({text}, '%Y-%m-%d %H:%M:%S') END AS DATE)"
        )
    if kolom.type == "geheel":
        return (
            f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+') THEN TRY_CAST({text} AS BIGINT) "
            f"WHEN {NOTATIE} = 'nl' AND regexp_full_match({text}, '{_THOUSANDS}') "
            f"THEN TRY_CAST(replace({text}, '.', '') AS BIGINT) "
            # Parquet written from pandas holds whole numbers with NULLs as floats ('5.0').
            f"WHEN {NOTATIE} = 'parquet' AND regexp_full_match({text}, '[+-]?[0-9]+\\.0+') "
            f"THEN TRY_CAST(TRY_CAST({text} AS DECIMAL(38, 1)) AS BIGINT) END"
        )
    if kolom.type == "decimaal":
        number = (
            f"CASE WHEN {NOTATIE} = 'nl' AND regexp_full_match({text}, '{_THOUSANDS}(,[0-9]+)?') "
            f"THEN TRY_CAST(replace(replace({text}, '.', ''), ',', '.') AS DOUBLE) "
            f"WHEN regexp_full_match({text}, '[+-]?[0-9]+([.,][0-9]+)?') "
            f"THEN TRY_CAST(replace({text}, ',', '.') AS DOUBLE) "
            f"WHEN {NOTATIE} = 'parquet' THEN TRY_CAST({text} AS DOUBLE) END"
        )
        return f"CASE WHEN isfinite({number}) THEN {number} END"
    raise ValueError(f"unknown column type {kolom.type}")


def control_character_expression(kolom: Kolom) -> str:
    """SQL: true when a text column's delivered value holds a control character (NUL, tab, line break)."""
    return f"regexp_matches(\"{kolom.naam}{TEKST}\", '{_CONTROL_CHARACTERS}')"


def checked_rows_sql(bron: Bron) -> str:
    """SELECT of the raw rows of the file versions under check, with their notation."""
    return (
        f"SELECT r.*, c.notatie AS {NOTATIE} FROM {raw_table(bron)} r "
        f"JOIN {CONTROLE_BESTANDEN} c ON c.bron = '{bron.naam}' AND c.bestand = r._bestand "
        f"AND c.sha256 = r._sha256"
    )


def typed_rows_sql(bron: Bron, columns: list[str]) -> str:
    """SELECT _bestand, _sha256, _rij and the typed values of columns, over the rows under check."""
    texts = ", ".join(f'"{name}" AS "{name}{TEKST}"' for name in bron.kolomnamen)
    typed = ", ".join(f'{typed_expression(bron.kolom(name))} AS "{name}"' for name in columns)
    return (
        f"SELECT _bestand, _sha256, _rij, {typed} "
        f"FROM (SELECT _bestand, _sha256, _rij, {NOTATIE}, {texts} FROM ({checked_rows_sql(bron)}))"
    )


def build_candidates(con: duckdb.DuckDBPyConnection, bron: Bron) -> int:
    """Create kandidaat_<bron> from raw_<bron>; return its number of rows."""
    texts = ", ".join(f'"{name}" AS "{name}{TEKST}"' for name in bron.kolomnamen)
    typed = ", ".join(f'{typed_expression(kolom)} AS "{kolom.naam}"' for kolom in bron.kolommen)
    # Flags computed here, checked by GX as boolean value sets: string functions on pandas object
    # columns run per value in Python, which made the gate twice as slow on text-heavy sources.
    flags = "".join(
        f', {control_character_expression(kolom)} AS "{kolom.naam}{STUURTEKEN}"'
        f', length({typed_expression(kolom)}) > {MAX_TEKST} AS "{kolom.naam}{TE_LANG}"'
        for kolom in bron.kolommen if kolom.type == "tekst"
    )
    key_columns = ", ".join(f'"{name}"' for name in bron.sleutel)
    key_present = " AND ".join(f'"{name}" IS NOT NULL' for name in bron.sleutel)
    # Row ids and key counts are computed on narrow projections and joined back: windows over
    # the wide rows made DuckDB sort and partition every text column (2.5x slower at 3M rows).
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {candidate_table(bron)} AS
        WITH checked AS ({checked_rows_sql(bron)}),
        ids AS (
            SELECT _bestand, _rij, row_number() OVER (ORDER BY _bestand, _rij) AS {ID}
            FROM checked
        ), delivered AS (
            SELECT {ID}, _bestand, _rij, {NOTATIE}, {texts}
            FROM checked JOIN ids USING (_bestand, _rij)
        ), typed AS (
            SELECT {ID}, _bestand, _rij, {", ".join(f'"{n}{TEKST}"' for n in bron.kolomnamen)}, {typed}{flags}
            FROM delivered
        ), key_counts AS (
            SELECT {key_columns}, count(*) AS {SLEUTEL_AANTAL}
            FROM typed WHERE {key_present} GROUP BY ALL
        )
        SELECT typed.*, key_counts.{SLEUTEL_AANTAL}
        FROM typed LEFT JOIN key_counts USING ({key_columns})
        """
    )
    if bron.naam == "bevolking":
        _add_population_growth(con, candidate_table(bron))
    return con.execute(f"SELECT count(*) FROM {candidate_table(bron)}").fetchone()[0]


def _add_population_growth(con: duckdb.DuckDBPyConnection, candidates: str) -> None:
    """Add inwoners / inwoners on the wijk's previous peildatum (NULL for its first peildatum)."""
    # Per (wijk, peildatum) first, so duplicate rows (quarantined anyway) cannot be each other's
    # "previous" value and the result does not depend on row order.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {candidates} AS
        WITH per_peildatum AS (
            SELECT wijkcode, peildatum, max(inwoners) AS inwoners
            FROM {candidates}
            WHERE wijkcode IS NOT NULL AND peildatum IS NOT NULL AND inwoners IS NOT NULL
            GROUP BY wijkcode, peildatum
        ), previous AS (
            SELECT wijkcode, peildatum,
                   lag(inwoners) OVER (PARTITION BY wijkcode ORDER BY peildatum) AS inwoners_vorige
            FROM per_peildatum
        )
        SELECT k.*, k.inwoners / NULLIF(p.inwoners_vorige, 0) AS {GROEI_INWONERS}
        FROM {candidates} k LEFT JOIN previous p USING (wijkcode, peildatum)
        """
    )


def fill_staging(con: duckdb.DuckDBPyConnection, bron: Bron, rejected_ids: str) -> int:
    """Replace stg_<bron> with the candidates whose _id is not in the table rejected_ids."""
    columns = ", ".join(f'"{name}"' for name in bron.kolomnamen)
    con.execute(f"DELETE FROM {staging_table(bron)}")
    con.execute(
        f"""
        INSERT INTO {staging_table(bron)} BY NAME
        SELECT {columns} FROM {candidate_table(bron)}
        WHERE {ID} NOT IN (SELECT {ID} FROM {rejected_ids})
        """
    )
    return con.execute(f"SELECT count(*) FROM {staging_table(bron)}").fetchone()[0]
