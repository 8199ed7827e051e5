"""Typed staging: ref_gebieden, the typed candidate rows the gate checks, and stg_<bron> from what passed.

Candidate rows (kandidaat_<bron>) carry both the delivered text (`<kolom>__tekst`, for quarantine
messages) and the typed value (`<kolom>`, NULL when empty or unparseable); GX checks them row by row.
Candidates are the raw rows of the file versions to validate (by default all listed in
`controle_bestanden`, etl/load.py: accepted files plus new versions still on trial).

Rules across rows (the unique key of every source, and the contract's `bronregels` such as the
plausibility of inwoners against the previous peildatum) are checked here, in DuckDB, over all
counted rows of a source (`source_rules_sql`): they need other files' rows, so their verdict cannot
be kept per file version the way the per-row verdict is. Values are never guessed: a date has a four-digit
year; an integer is digits only, with '.' thousands groups only in a Dutch-locale file (notatie
'nl'), so `1.000` is 1000 there and quarantined elsewhere, never 1.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from core.errors import WijkmonitorError
from etl.contract import BRONNEN, FOUT, MAX_TEKST, Bron, Groei, Kolom, staging_ddl
from etl.reasons import VALUE_CHARS

STAGING_SCHEMA = Path(__file__).with_name("staging_schema.sql")
TEKST = "__tekst"  # suffix of the delivered-text copy of a column
ID = "_id"
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
    """Name of the typed-candidate view of a source (build_candidates)."""
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


def checked_rows_sql(bron: Bron, versions: str = CONTROLE_BESTANDEN) -> str:
    """SELECT of the raw rows of the file versions listed in the table versions, with their notation."""
    return (
        f"SELECT r.*, c.notatie AS {NOTATIE} FROM {raw_table(bron)} r "
        f"JOIN {versions} c ON c.bron = '{bron.naam}' AND c.bestand = r._bestand "
        f"AND c.sha256 = r._sha256"
    )


def typed_rows_sql(
    bron: Bron, columns: list[str], texts: list[str] | None = None, versions: str = CONTROLE_BESTANDEN
) -> str:
    """SELECT _bestand, _sha256, _rij and the typed values of columns, over the rows of the versions listed.

    texts: columns whose delivered text comes along as `<kolom>__tekst`.
    """
    delivered = ", ".join(f'"{name}" AS "{name}{TEKST}"' for name in bron.kolomnamen)
    typed = ", ".join(f'{typed_expression(bron.kolom(name))} AS "{name}"' for name in columns)
    kept = "".join(f', "{name}{TEKST}"' for name in texts or [])
    return (
        f"SELECT _bestand, _sha256, _rij, {typed}{kept} "
        f"FROM (SELECT _bestand, _sha256, _rij, {NOTATIE}, {delivered} FROM ({checked_rows_sql(bron, versions)}))"
    )


def value_text_sql(columns: list[str] | tuple[str, ...], alias: str = "k") -> str:
    """SQL for the delivered text of the columns a failure is about, joined with ', ', at most VALUE_CHARS long."""
    texts = [f'coalesce({alias}."{name}{TEKST}", \'\')' for name in columns]
    joined = texts[0] if len(texts) == 1 else "concat_ws(', ', " + ", ".join(texts) + ")"
    return f"CASE WHEN length({joined}) > {VALUE_CHARS} THEN left({joined}, {VALUE_CHARS}) || '…' ELSE {joined} END"


def key_rule(bron: Bron) -> str:
    """The unique-key rule of a source in Dutch (column 'kolom' of its failures is the key's names)."""
    return f"sleutel ({','.join(bron.sleutel)}) komt vaker voor"


def source_rules_sql(bron: Bron) -> str:
    """SELECT _bestand, _rij, kolom, regel, ernst, waarde of the rows under check breaking a rule across rows.

    The unique key of every source (a fout on every row of a repeated key) and the source's
    bronregels from the contract, in that order; one narrow typed projection, so the cost is a scan.
    """
    needed = list(dict.fromkeys([*bron.sleutel, *(n for r in bron.bronregels for n in (*r.per, r.datum, r.kolom))]))
    shown = list(dict.fromkeys([*bron.sleutel, *(n for r in bron.bronregels for n in r.waarde)]))
    keys = ", ".join(f'"{name}"' for name in bron.sleutel)
    present = " AND ".join(f'"{name}" IS NOT NULL' for name in bron.sleutel)
    parts = [
        f"SELECT k._bestand, k._rij, {sql_literal(','.join(bron.sleutel))} AS kolom, {sql_literal(key_rule(bron))} AS regel, "
        f"{sql_literal(FOUT)} AS ernst, {value_text_sql(bron.sleutel)} AS waarde "
        f"FROM rijen k JOIN (SELECT {keys} FROM rijen WHERE {present} GROUP BY ALL HAVING count(*) > 1) "
        f"USING ({keys})"
    ]
    parts.extend(_growth_sql(regel) for regel in bron.bronregels)
    # Not materialised: a materialised CTE would hold every row's key (text and typed) at once;
    # typing the few columns again in each scan costs the same CPU (measured at scale 10).
    return (
        f"WITH rijen AS NOT MATERIALIZED ({typed_rows_sql(bron, needed, shown)}) "
        + " UNION ALL ".join(f"({part})" for part in parts)
    )


def _growth_sql(regel: Groei) -> str:
    """Rows whose kolom differs more than regel.marge from the previous datum of its group."""
    per = ", ".join(f'"{name}"' for name in regel.per)
    # Per (group, datum) first, so duplicate rows (quarantined anyway) cannot be each other's
    # "previous" value and the result does not depend on row order.
    return f"""
        WITH per_datum AS (
            SELECT {per}, "{regel.datum}", max("{regel.kolom}") AS waarde
            FROM rijen
            WHERE {" AND ".join(f'"{n}" IS NOT NULL' for n in (*regel.per, regel.datum, regel.kolom))}
            GROUP BY ALL
        ), vorige AS (
            SELECT {per}, "{regel.datum}",
                   lag(waarde) OVER (PARTITION BY {per} ORDER BY "{regel.datum}") AS vorige_waarde
            FROM per_datum
        )
        SELECT k._bestand, k._rij, {sql_literal(regel.kolom)}, {sql_literal(regel.regel)}, {sql_literal(regel.ernst)},
               {value_text_sql(regel.waarde)}
        FROM rijen k JOIN vorige v USING ({per}, "{regel.datum}")
        WHERE NOT (k."{regel.kolom}" / NULLIF(v.vorige_waarde, 0) BETWEEN {1 - regel.marge} AND {1 + regel.marge})
    """


def sql_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def build_candidates(con: duckdb.DuckDBPyConnection, bron: Bron, versions: str = CONTROLE_BESTANDEN) -> int:
    """Create the view kandidaat_<bron> over the raw rows of the file versions listed in versions; return its rows.

    A view, not a table: GX's aggregate scans type the rows as they read them, which measured
    cheaper than writing every row a second time (delivered text and typed value) and reading it
    back, and its memory does not grow with the rows. It is a view of the warehouse, visible to
    GX's own cursor (the SQL route), so the versions are written into it as values (versions may
    be a TEMP table of this connection); the caller drops it (drop_candidates).
    """
    listed = con.execute(f"SELECT bestand, sha256, notatie FROM {versions} WHERE bron = ?", [bron.naam]).fetchall()
    values = ", ".join(f"({sql_literal(bestand)}, {sql_literal(sha256)}, {sql_literal(notatie)})"
                       for bestand, sha256, notatie in listed) or "(NULL, NULL, NULL)"
    typed = ", ".join(f'{typed_expression(kolom)} AS "{kolom.naam}"' for kolom in bron.kolommen)
    # Flags computed here, checked by GX as boolean value sets: string functions on pandas object
    # columns run per value in Python, which made the gate twice as slow on text-heavy sources.
    flags = "".join(
        f', {control_character_expression(kolom)} AS "{kolom.naam}{STUURTEKEN}"'
        f', length({typed_expression(kolom)}) > {MAX_TEKST} AS "{kolom.naam}{TE_LANG}"'
        for kolom in bron.kolommen if kolom.type == "tekst"
    )
    # The raw table's rowid is the row id: unique, and no sort of the rows (a window over them was
    # most of the gate's time at scale 10).
    delivered = ", ".join(f'r."{name}" AS "{name}{TEKST}"' for name in bron.kolomnamen)
    drop_candidates(con, bron)
    con.execute(
        f"""
        CREATE VIEW {candidate_table(bron)} AS
        SELECT {ID}, _bestand, _sha256, _rij, {", ".join(f'"{n}{TEKST}"' for n in bron.kolomnamen)}, {typed}{flags}
        FROM (
            SELECT r.rowid AS {ID}, r._bestand, r._sha256, r._rij, c.notatie AS {NOTATIE}, {delivered}
            FROM {raw_table(bron)} r
            JOIN (VALUES {values}) c(bestand, sha256, notatie) ON c.bestand = r._bestand AND c.sha256 = r._sha256
        )
        """
    )
    return con.execute(f"SELECT count(*) FROM {candidate_table(bron)}").fetchone()[0]


def drop_candidates(con: duckdb.DuckDBPyConnection, bron: Bron) -> None:
    """Drop kandidaat_<bron>: the view, or a table left by an earlier version of the gate."""
    kind = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND NOT internal "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ?",
        [candidate_table(bron), candidate_table(bron)],
    ).fetchall()
    for (what,) in kind:
        con.execute(f"DROP {what} IF EXISTS {candidate_table(bron)}")


def fill_staging(con: duckdb.DuckDBPyConnection, bron: Bron, rejected_rows: str) -> int:
    """Replace stg_<bron> with the typed rows under check that are not in rejected_rows (_bestand, _rij).

    The rows are typed here as they are written (the candidates are a view, nothing typed is kept).
    """
    columns = ", ".join(f'"{name}"' for name in bron.kolomnamen)
    con.execute(f"DELETE FROM {staging_table(bron)}")
    con.execute(
        f"""
        INSERT INTO {staging_table(bron)} BY NAME
        SELECT {columns} FROM ({typed_rows_sql(bron, bron.kolomnamen)}) k
        WHERE NOT EXISTS (SELECT 1 FROM {rejected_rows} f WHERE f._bestand = k._bestand AND f._rij = k._rij)
        """
    )
    return con.execute(f"SELECT count(*) FROM {staging_table(bron)}").fetchone()[0]
