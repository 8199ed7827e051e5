"""Write the published store atomically: a new file next to the old one, checked, then renamed onto it.

Until os.replace, the previous published file is never touched, so a crash or kill at any moment
leaves it intact; after os.replace readers that open the path see the complete new file.

Three guards refuse a publication (WijkmonitorError, exit 3, the previous file stays):
- allowlist: the store holds exactly the tables and columns of the publication contract
  (core/publication.py), nothing else;
- recoverability audit (`indicators.suppression.recoverable_published`): no suppressed or
  incomplete cell that holds people follows from the published sums;
- content (`refuse_person_keys`, needs the warehouse): no text value of any published table
  contains a value of a person-level column of the warehouse.
Their messages name table, column, indicator, peildatum and area, never a value.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from core import publication
from etl.contract import persoonskolommen
from etl.faults import storage_problem
from indicators import kosten, suppression
from indicators.kosten import recoverable_kosten
from indicators.suppression import recoverable_published
from core.errors import PublicationRefused, WijkmonitorError

_TEMP_MARK = ".publiceren-"
REFUSED = "publiceren geweigerd"
KEPT = "de vorige publicatie blijft staan"
# Where a key may sit in a text: split on anything but letters and digits, and (for keys that
# hold such characters) on white space and punctuation that never belongs to an id.
_TOKEN_SPLITS = (r"[^0-9A-Za-z]+", r"[\s,;:'\"()\[\]{}<>=|]+")


def temp_path(db: Path) -> Path:
    """The new file this process writes before swapping it in (same folder, so rename is atomic)."""
    return db.with_name(f".{db.name}{_TEMP_MARK}{os.getpid()}")


def publish(db: Path, tables: dict[str, pa.Table | pl.DataFrame]) -> None:
    """Create the published schema in a new file, insert tables, check, fsync and rename onto db.

    A full disk or read-only folder raises WijkmonitorError naming db and the cause; the previous
    published file is untouched and the new file is removed.
    """
    target = temp_path(db)
    _refuse_outside_contract(tables)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_temp_files(db)
        _remove(target)
        _write_store(target, tables, db)
        _fsync(target)
        os.replace(target, db)
        _fsync_directory(db.parent)
    except BaseException as error:
        _remove_quietly(target)
        problem = storage_problem(error, db)
        if problem is not None:
            raise WijkmonitorError(f"{problem}; de vorige publicatie blijft staan") from None
        raise


@cache
def contract_columns() -> dict[str, tuple[str, ...]]:
    """The publication contract: every table of core/publication.py with its columns, in order."""
    return publication.columns()


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Table -> columns of every table (and view) in a DuckDB database."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns ORDER BY table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    return {table: tuple(names) for table, names in columns.items()}


def _refuse_outside_contract(tables: dict[str, pa.Table | pl.DataFrame]) -> None:
    """The allowlist: only tables and columns of the publication contract may be published."""
    contract = contract_columns()
    declared = [f"{t}.{c}" for t, cs in contract.items() for c in cs if c.lower() in persoonskolommen()]
    if declared:  # the contract itself must never allow a person-level key
        raise PublicationRefused(f"{REFUSED}: het publicatiecontract noemt persoonskolom {', '.join(declared)}")
    for name, table in tables.items():
        if name not in contract:
            raise PublicationRefused(f"{REFUSED}: tabel '{name}' hoort niet bij het publicatiecontract; {KEPT}")
        extra = [column for column in _arrow(table).column_names if column not in contract[name]]
        if extra:
            raise PublicationRefused(
                f"{REFUSED}: kolom {name}.{extra[0]} hoort niet bij het publicatiecontract; {KEPT}"
            )


def person_key_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table, column) of every warehouse table column that holds a person-level key of the contract."""
    keys = persoonskolommen()
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, column_name"
    ).fetchall()
    return [(table, column) for table, column in rows if column in keys]


def refuse_person_keys(warehouse: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table | pl.DataFrame]) -> None:
    """The content guard: refuse when a published text holds a value of a person-level warehouse column.

    A key is found when a text, or a piece of it between separators (_TOKEN_SPLITS), equals a key
    (trimmed) in any warehouse table: raw deliveries (quarantined rows too) and staging alike. Every key
    column of every table is checked on every run; `_key_hit` says how without reading every key.
    """
    sleutels = person_key_columns(warehouse)
    if not sleutels:
        return
    warehouse.execute("create or replace temp table wm_tekststukken (tabel VARCHAR, kolom VARCHAR, stuk VARCHAR)")
    try:
        for name, table in tables.items():
            arrow = _arrow(table)
            texts = [field.name for field in arrow.schema
                     if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)]
            if texts:
                _add_pieces(warehouse, name, arrow.select(texts))
        stukken = [row[0] for row in warehouse.execute("select distinct stuk from wm_tekststukken").fetchall()]
        if not stukken:
            return
        types = dict(((table, column), data_type) for table, column, data_type in warehouse.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = 'main'"
        ).fetchall())
        for table, key_column in sleutels:
            if types[(table, key_column)] == "VARCHAR":
                hit = _key_hit(warehouse, table, key_column, stukken)
            else:  # a key stored as a number or date: compared as text, every key read
                hit = warehouse.execute(_key_hit_sql(table, key_column)).fetchone()
            if hit:
                raise PublicationRefused(
                    f"{REFUSED}: tabel {hit[0]}, kolom {hit[1]} bevat een waarde uit {table}.{key_column} van "
                    f"het warehouse (persoonsgegevens); {KEPT}"
                )
    finally:
        warehouse.execute("drop table if exists temp.wm_tekststukken")


# How many key lengths the variants with trailing spaces cover; keys of other lengths are read whole.
_LENGTH_WINDOW = 8


def _key_hit(con: duckdb.DuckDBPyConnection, table: str, column: str, stukken: list[str]) -> tuple | None:
    """The first (tabel, kolom) of wm_tekststukken that equals a key of table.column (VARCHAR), or trim(key).

    The same test as _key_hit_sql, written as filters DuckDB answers from each row group's statistics
    (min and max, string lengths, whether it holds non-ASCII text) so that a group that cannot hold a
    hit is never read. trim() strips only the space among ASCII characters (other white space it strips
    is non-ASCII), so trim(key) = piece means one of
    - key = piece || n spaces: the key is in the list of those variants (n = 0 is the piece itself);
    - the key starts with a space, or holds a non-ASCII character;
    and every key of those last two kinds, and every key whose length lies outside the lengths the
    variants cover, is a candidate that gets the exact test. The lengths covered come from the column's
    statistics but only decide speed: a key of another length is a candidate whatever they say.
    """
    stats = con.execute(f'select stats("{column}") from "{table}" limit 1').fetchall()
    if not stats:
        return None  # no rows, no keys
    info = stats[0][0] if isinstance(stats[0][0], dict) else {}
    kortste = max(1, int(info.get("min_string_length") or 1))
    langste = max(kortste, min(int(info.get("max_string_length") or kortste), kortste + _LENGTH_WINDOW - 1))
    varianten = set(stukken)
    for stuk in stukken:
        lengte = len(stuk.encode())
        varianten.update(stuk + " " * n for n in range(max(1, kortste - lengte), langste - lengte + 1))
    key = f'k."{column}"'
    [hit] = con.execute(
        f"""
        with kandidaat as (
            select {key} as sleutel from "{table}" k where list_contains($varianten::varchar[], {key})
            union all
            select {key} from "{table}" k
            where prefix({key}, ' ') or strlen({key}) <> length({key}) or strlen({key}) not between $kortste and $langste
        )
        -- the candidates (normally none) are the small side of the semi-join
        select min([s.tabel, s.kolom]) from wm_tekststukken s
        where s.stuk in (select sleutel from kandidaat union select trim(sleutel) from kandidaat)
        """,
        {"varianten": sorted(varianten), "kortste": kortste, "langste": langste},
    ).fetchall()
    return tuple(hit[0]) if hit[0] else None


def _key_hit_sql(table: str, column: str) -> str:
    """The first (tabel, kolom) of wm_tekststukken holding trim(key) of a row of table.column.

    trim() of every key costs more than reading it, so it runs only where it can change the key: DuckDB's
    trim strips spaces and Unicode white space, so a key without a leading or trailing space and without a
    non-ASCII character (its byte length is its length) is its own trim and is joined as it is.
    """
    key = f'k."{column}"::varchar'
    return f"""
        select s.tabel, s.kolom from "{table}" k join wm_tekststukken s on s.stuk = {key}
        union
        select s.tabel, s.kolom from (
            select trim({key}) as sleutel from "{table}" k
            where prefix({key}, ' ') or suffix({key}, ' ') or strlen({key}) <> length({key})
        ) k join wm_tekststukken s on s.stuk = k.sleutel
        order by all limit 1
    """


def _add_pieces(warehouse: duckdb.DuckDBPyConnection, name: str, texts: pa.Table) -> None:
    """Every distinct text of every column of `texts` and its pieces between separators, into wm_tekststukken."""
    # a text repeats over many rows (an area code in every row of its area): split each distinct one once
    teksten = " union all ".join(f'select ${index + 2} as kolom, t."{column}" as tekst from te_controleren t'
                                 for index, column in enumerate(texts.column_names))
    splits = len(texts.column_names) + 2
    stukken = " union all ".join(
        ["select kolom, trim(tekst) as stuk from teksten"]
        + [f"select kolom, unnest(regexp_split_to_array(tekst, ${splits + i})) from teksten"
           for i in range(len(_TOKEN_SPLITS))]
    )
    warehouse.register("te_controleren", texts)
    try:
        warehouse.execute(
            f"""insert into wm_tekststukken
                with teksten as (select distinct kolom, tekst from ({teksten}) where tekst is not null)
                select distinct $1, kolom, stuk from ({stukken}) where stuk <> ''""",
            [name, *texts.column_names, *_TOKEN_SPLITS],
        )
    finally:
        warehouse.unregister("te_controleren")


# The tables the recoverability audit reads, and the partition its relations never cross: every sum is
# over the areas or categories of one indicator on one peildatum (costs: one peildatum).
_AUDITED = {"indicator_values": "indicator, peildatum", "indicator_breakdown": "indicator, peildatum",
            "kosten": "peildatum"}
# meta row of a store whose every partition passed the audit of this code (`_audit_code`)
AUDIT_KEY = "publicatiecontrole"


@cache
def _audit_code() -> str:
    """A digest of the audit: its code, the contract it reads and the libraries it computes with."""
    digest = hashlib.sha256(f"{duckdb.__version__} {np.__version__}".encode())
    for module in (suppression, kosten, publication, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _refuse_recoverable(con: duckdb.DuckDBPyConnection, previous: Path | None) -> None:
    """The recoverability audit over the store as written (every column, as a reader will see it).

    A partition (_AUDITED) whose rows are all those of the previous store, when that store passed this
    same audit over the same area table (its AUDIT_KEY), holds no leak now either: its relations are the
    same. Only the other partitions are read; the store as written is then marked as audited whole.
    """
    changed = _changed_partitions(con, previous)
    published = {"areas": con.sql("SELECT * FROM areas").to_arrow_table()}
    for name, partition in _AUDITED.items():
        if not changed:
            published[name] = con.sql(f"SELECT * FROM {name}").to_arrow_table()
        else:
            published[name] = con.sql(f"SELECT * FROM {name} WHERE ({partition}) IN (SELECT ({partition}) FROM "
                                       f"wm_gewijzigd_{name})").to_arrow_table()
    leaks = recoverable_published(published) + recoverable_kosten(published)
    if leaks:
        more = f" en {len(leaks) - 1} meer" if len(leaks) > 1 else ""
        raise PublicationRefused(
            f"{REFUSED}: onderdrukt cijfer terug te rekenen uit de gepubliceerde sommen ({leaks[0]}{more}); {KEPT}"
        )
    [(figures,)] = con.execute("SELECT " + " + ".join(f"(SELECT count(*) FROM {name})" for name in _AUDITED)).fetchall()
    if figures:  # a store without figures needs no mark
        con.execute("INSERT INTO meta VALUES (?, ?)", [AUDIT_KEY, _audit_code()])


def _changed_partitions(con: duckdb.DuckDBPyConnection, previous: Path | None) -> bool:
    """Temp tables wm_gewijzigd_<table>: the partitions whose rows differ from the previous store's.

    False (audit everything) without a previous store that this audit passed over the same area table.
    """
    if previous is None or not previous.is_file():
        return False
    try:
        con.execute("ATTACH ? AS vorige (READ_ONLY)", [str(previous)])
    except duckdb.Error:  # unreadable or locked: it vouches for nothing
        return False
    try:
        marks = con.execute("SELECT waarde FROM vorige.meta WHERE sleutel = ?", [AUDIT_KEY]).fetchall()
        if marks != [(_audit_code(),)] or _differ(con, "areas"):
            return False
        for name, partition in _AUDITED.items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE wm_gewijzigd_{name} AS "
                        f"SELECT DISTINCT {partition} FROM ({_differ_sql(name)})")
        return True
    except duckdb.Error:  # an older store without a table or column of this contract
        return False
    finally:
        con.execute("DETACH vorige")


def _differ_sql(name: str) -> str:
    """The rows of one table that are not (as often) in both the new and the previous store.

    A table with a primary key holds each row once in both stores (the same contract: the audit's mark
    covers core/publication.py), so comparing sets is exact and costs less than comparing multisets.
    """
    keyed = any(table.name == name and table.primary_key for table in publication.TABLES)
    except_ = "EXCEPT" if keyed else "EXCEPT ALL"
    return (f"(SELECT * FROM main.{name} {except_} SELECT * FROM vorige.{name}) UNION ALL "
            f"(SELECT * FROM vorige.{name} {except_} SELECT * FROM main.{name})")


def _differ(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table differs between the new and the previous store."""
    return bool(con.execute(f"SELECT EXISTS ({_differ_sql(name)})").fetchall()[0][0])


def _arrow(table: pa.Table | pl.DataFrame) -> pa.Table:
    """A table as Arrow."""
    return table.to_arrow() if isinstance(table, pl.DataFrame) else table


def _write_store(target: Path, tables: dict[str, pa.Table | pl.DataFrame], previous: Path | None = None) -> None:
    """Fill a fresh DuckDB file with the published schema and tables; check it holds the contract only."""
    con = duckdb.connect(str(target))
    try:
        con.execute(publication.ddl())
        for name, table in tables.items():
            _insert(con, name, table)
        if _columns(con) != contract_columns():
            raise PublicationRefused(f"{REFUSED}: de opslag wijkt af van het publicatiecontract; {KEPT}")
        _refuse_recoverable(con, previous)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        raise WijkmonitorError(f"publiceren: {wal.name} niet verwerkt")


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table | pl.DataFrame) -> None:
    """Insert one table by column name (columns checked against the contract beforehand)."""
    con.register("te_publiceren", _arrow(table))
    try:
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM te_publiceren")
    except duckdb.Error as error:
        reason = str(error).splitlines()[0]
        raise WijkmonitorError(f"publiceren: tabel {name} past niet in het schema ({reason})") from None
    finally:
        con.unregister("te_publiceren")


def _remove_abandoned_temp_files(db: Path) -> None:
    """Delete temp files of earlier publishing processes that no longer run (killed mid-publish)."""
    for path in db.parent.glob(f".{db.name}{_TEMP_MARK}*"):
        pid_text = path.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _process_alive(int(pid_text)):
            _remove(path)


def _process_alive(pid: int) -> bool:
    """True when a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    """Delete a file and its DuckDB WAL, if present."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def _remove_quietly(path: Path) -> None:
    """_remove while already handling an error: a second failure must not replace the first."""
    try:
        _remove(path)
    except OSError:
        pass


def _fsync(path: Path) -> None:
    """Flush a file's contents to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_directory(folder: Path) -> None:
    """Flush a directory entry (the rename) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
