"""Read one delivered file as municipalities send it: raw text rows, numbered, with the contract's names.

CSV: UTF-8 (with or without BOM) or Windows-1252, `,` or `;`, header names in any case with
surrounding spaces. Parquet: native types, turned into text so the raw layer holds one shape.
Every file-level problem raises FileRejected (etl/reasons.py): file and a reason from the fixed
vocabulary, never the parser's own message (that quotes delivered lines); its detail is for the
operator only. A CSV must end where its last row ends: with a line ending, every field, every
quote closed, so a cut file is never read as a shorter complete one.

Rows go straight into the warehouse (the caller's insert), with no copy in between. Polars's
row numbers and empty-cell rules are the contract. A CSV without quote characters, lone CRs, blank
lines between rows or columns outside the contract is inserted by DuckDB's strict parser itself,
which reads such a file exactly as Polars does (tests/test_etl_read.py compares the two); any other
CSV is parsed by Polars and streamed in batches, after DuckDB checks every row's field count in one
parallel scan (Python's csv module only names the offending line when DuckDB finds one). A Parquet
file whose column types DuckDB writes as text exactly as Polars does (floats within a range) is read
by DuckDB itself.
One pass over a file's bytes gathers what the checks need (encoding, quotes, line endings).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl
import pyarrow as pa

from etl.contract import Bron
from etl.reasons import rejected, shorten

CSV_SUFFIX = ".csv"
PARQUET_SUFFIX = ".parquet"
RIJ = "_rij"  # 1-based data row number in the delivered file
EXTRA = "_extra"  # columns outside the contract, as JSON text
_CHUNK_BYTES = 1 << 20
_TAIL_BYTES = 1 << 16
_SNIFF_BYTES = 1 << 12
_BATCH_ROWS = 250_000  # rows per batch handed to the warehouse: bounds memory whatever the file's size
_ROWS = "gelezen_rijen"  # name of the batch the insert reads
# Python's csv module refuses fields over 128 KiB; a delivered value may be far longer (it is then
# quarantined with its value shortened), so the field count of such a line must still be read.
csv.field_size_limit(2**31 - 1)
# Notation of a delivered file: how its numbers are written (etl/staging.py reads them by it).
Notatie = Literal["csv", "nl", "parquet"]  # nl: ';'-delimited, Dutch Excel (decimal comma, '.' thousands)
_UTF16_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16",
               b"\xfe\xff": "UTF-16"}
_BINARY_MAGIC = {b"PK\x03\x04": "excel", b"\xd0\xcf\x11\xe0": "excel", b"%PDF": "geen_tekst",
                 b"\x1f\x8b": "geen_tekst", b"PAR1": "geen_tekst"}


@dataclass(frozen=True)
class _ByteFacts:
    """What one pass over a CSV's bytes found."""

    utf8: bool  # the whole file decodes strictly as UTF-8
    quotes: int  # number of '"' bytes
    bare_cr: bool  # a CR byte not followed by LF
    blank_line: bool  # an empty line with a row after it (DuckDB skips it; Polars numbers it); sought without quotes


@dataclass(frozen=True)
class Gelezen:
    """What reading one file gave: its data rows and the notation its numbers are written in."""

    rijen: int
    notatie: Notatie


# Inserts the rows of a relation (SQL: columns _rij, the contract's columns as text, _extra); returns their number.
Insert = Callable[[str], int]
# Parquet column types DuckDB turns into the same text as Polars (_as_text): strings, whole numbers,
# booleans, dates and times without zone, and 64-bit floats within _SAME_FLOAT_TEXT.
_SAME_TEXT = (pl.String, pl.Boolean, pl.Date, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32,
              pl.UInt64, pl.Float64)
# A 64-bit float both write alike (shortest round-trip digits): zero and finite values from 1e-4 up. Below,
# Polars writes 0.00001 and 1e-6 where DuckDB writes 1e-05 and 1e-06; NaN is Polars's "NaN", DuckDB's "nan".
# 32-bit floats differ more widely (Polars 452996380.0, DuckDB 452996384.0) and stay Polars's.
_SAME_FLOAT_TEXT = "{column} = 0 OR (isfinite({column}) AND abs({column}) >= 1e-4)"


def is_delivery(path: Path) -> bool:
    """True for a file the reader accepts by its name (.csv or .parquet, any case)."""
    return path.suffix.lower() in (CSV_SUFFIX, PARQUET_SUFFIX)


def normalise_name(name: str) -> str:
    """Header name as the contract spells it: BOM and surrounding spaces gone, lower case."""
    return name.replace("\ufeff", "").strip().lower()


def read_into(con: duckdb.DuckDBPyConnection, path: Path, bron: Bron, scratch: Path, insert: Insert) -> Gelezen:
    """Read a delivered file as raw text rows through insert; return rows and notation.

    insert runs one statement over all rows of the file, streamed (so memory does not grow with
    the file). scratch: a folder for a transcoded copy.
    """
    if path.stat().st_size == 0:
        raise rejected(path.name, "leeg")
    suffix = path.suffix.lower()
    if suffix == CSV_SUFFIX:
        return _read_csv(con, path, bron, scratch, insert)
    if suffix == PARQUET_SUFFIX:
        return Gelezen(_read_parquet(con, path, bron, insert), "parquet")
    raise rejected(path.name, "geen_soort")


def check_text_file(path: Path) -> None:
    """Reject UTF-16/32 and binary content with its real reason (not as a header without columns)."""
    with path.open("rb") as stream:
        head = stream.read(_SNIFF_BYTES)
    for bom, name in _UTF16_BOMS.items():
        if head.startswith(bom):
            raise rejected(path.name, "codering_niet_ondersteund", codering=name)
    for magic, code in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise rejected(path.name, code)
    first_line = head.split(b"\n", 1)[0]
    if b"\x00" in first_line:
        # UTF-16 without a byte-order mark: every other byte of an ASCII header is NUL.
        if first_line[1::2].count(0) > len(first_line) // 4 or first_line[0::2].count(0) > len(first_line) // 4:
            raise rejected(path.name, "codering_niet_ondersteund", codering="UTF-16")
        raise rejected(path.name, "geen_tekst")
    if any(byte < 32 and byte not in (9, 10, 13) for byte in first_line):
        raise rejected(path.name, "geen_tekst")


def detect_delimiter(header_line: str) -> str:
    """';' when the header line holds more semicolons than commas, else ','."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, bron: Bron, scratch: Path, insert: Insert) -> Gelezen:
    """CSV branch of read_into."""
    check_text_file(path)
    facts = _scan_bytes(path)
    with contextlib.ExitStack() as stack:
        utf8_path = path
        if not facts.utf8:  # Windows-1252 when the whole file decodes as that, else unreadable
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix=".wijkmonitor-lezen-", dir=scratch))
            utf8_path = _transcode_to_utf8(path, Path(workdir))
        header_line = _first_line(utf8_path)
        if not header_line.strip():
            raise rejected(path.name, "geen_kopregel")
        delimiter = detect_delimiter(header_line)
        names = [normalise_name(name) for name in next(csv.reader([header_line], delimiter=delimiter))]
        _check_header(path, names, bron)
        _check_not_truncated(path, utf8_path, delimiter, len(names), facts.quotes)
        rows = None
        if _duckdb_reads_as_polars(facts, names, bron):
            rows = _insert_csv_by_duckdb(con, utf8_path, bron, names, delimiter, insert)
            if rows is None:  # DuckDB's strict parser refused a row: csv names it, or Polars reads the file
                _check_row_widths(path, utf8_path, delimiter, len(names))
        elif not _rows_have_header_width(con, utf8_path, delimiter, len(names), facts.bare_cr):
            _check_row_widths(path, utf8_path, delimiter, len(names))
        if rows is None:
            rows = _insert_csv_by_polars(con, path, utf8_path, bron, names, delimiter, insert)
    if rows == 0:
        raise rejected(path.name, "geen_rijen")
    return Gelezen(rows, "nl" if delimiter == ";" else "csv")


def _insert_csv_by_polars(
    con: duckdb.DuckDBPyConnection, path: Path, utf8_path: Path, bron: Bron, names: list[str], delimiter: str,
    insert: Insert,
) -> int:
    """Parse a CSV with Polars and insert its rows batch by batch (the general path)."""
    try:
        frame = pl.scan_csv(
            utf8_path,
            separator=delimiter,
            has_header=True,
            new_columns=names,
            infer_schema=False,
            quote_char='"',
            encoding="utf8",
            row_index_name=RIJ,
            row_index_offset=1,
        )
        return _insert_batches(con, frame, bron, names, insert)
    except pl.exceptions.PolarsError as error:
        raise _unreadable_csv(path, utf8_path, delimiter, len(names), error) from None


def _duckdb_reads_as_polars(facts: _ByteFacts, names: list[str], bron: Bron) -> bool:
    """True when DuckDB's strict parser reads the CSV's rows as Polars would, numbered the same.

    Quotes are left to Polars (DuckDB drops spaces before a quoted value and accepts a quote inside
    an unquoted one, which Polars refuses), and so are lone CRs and blank lines between rows (DuckDB
    skips a blank line where Polars counts it as a row) and columns outside the contract (their
    JSON is Polars's).
    """
    return (facts.quotes == 0 and not facts.bare_cr and not facts.blank_line
            and all(name in bron.kolomnamen for name in names))


def _insert_csv_by_duckdb(
    con: duckdb.DuckDBPyConnection, utf8_path: Path, bron: Bron, names: list[str], delimiter: str, insert: Insert
) -> int | None:
    """Insert a CSV's rows with DuckDB's strict parser reading it (one scan); None when it refuses the file.

    The insert is one statement, so a refusal leaves no row behind. row_number() OVER () runs as
    DuckDB's streaming window, which numbers rows in the scan's order on one thread (so the file's).
    """
    fields = ", ".join(f"'k{index}': 'VARCHAR'" for index in range(len(names)))
    by_name = {name: f"k{index}" for index, name in enumerate(names)}
    blank = " AND ".join(f"k{index} IS NULL" for index in range(len(names)))
    relation = (
        f"(SELECT {RIJ}, "
        + ", ".join(f"{by_name[name]} AS {_identifier(name)}" for name in bron.kolomnamen)
        + f", NULL::VARCHAR AS {EXTRA} FROM (SELECT row_number() OVER () AS {RIJ}, * "
        f"FROM read_csv({_literal(str(utf8_path))}, header = true, auto_detect = false, "
        f"delim = {_literal(delimiter)}, quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
        f"allow_quoted_nulls = false, columns = {{{fields}}})) WHERE NOT ({blank}))"
    )
    try:
        return insert(relation)
    except duckdb.Error:
        return None


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, bron: Bron, insert: Insert) -> int:
    """Parquet branch of read_into: same names rule, every value turned into text."""
    try:
        frame = pl.scan_parquet(path)
        delivered = frame.collect_schema().names()
    except pl.exceptions.PolarsError as error:
        raise rejected(path.name, "parquet_onleesbaar", _first_line_of(error)) from None
    names = [normalise_name(name) for name in delivered]
    _check_header(path, names, bron)
    types = frame.collect_schema().dtypes()
    rows = _insert_parquet_by_duckdb(con, path, bron, dict(zip(delivered, names)), types, insert)
    if rows is None:
        frame = frame.rename(dict(zip(delivered, names))).with_row_index(RIJ, offset=1)
        frame = frame.with_columns(_as_text(name, frame.collect_schema()[name]) for name in names)
        try:
            rows = _insert_batches(con, frame, bron, names, insert)
        except pl.exceptions.PolarsError as error:
            raise rejected(path.name, "parquet_onleesbaar", _first_line_of(error)) from None
    if rows == 0:
        raise rejected(path.name, "parquet_geen_rijen")
    return rows


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A Parquet column as the text a CSV export would hold (ISO dates, '.' decimals)."""
    column = pl.col(name)
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S").alias(name)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d").alias(name)
    return column.cast(pl.String).alias(name)


def _insert_batches(
    con: duckdb.DuckDBPyConnection, frame: pl.LazyFrame, bron: Bron, names: list[str], insert: Insert
) -> int:
    """Select row number, contract columns and the extra columns as JSON; insert batch by batch.

    Blank lines (every cell empty, e.g. the trailing empty lines of Excel exports) hold no row and
    are left out; the row numbers of the other rows stay those of the delivered file.
    """
    extra = [name for name in names if name not in bron.kolomnamen]
    extra_expr = pl.struct(extra).struct.json_encode() if extra else pl.lit(None, dtype=pl.String)
    selected = frame.filter(~pl.all_horizontal(pl.col(names).is_null())).select(
        pl.col(RIJ).cast(pl.Int64),
        *(pl.col(name).cast(pl.String) for name in bron.kolomnamen),
        extra_expr.alias(EXTRA),
    )
    chunks = iter(selected.collect_batches(chunk_size=_BATCH_ROWS))
    first = next(chunks, None)
    if first is None:
        return 0
    first_batch = first.to_arrow()
    failure: list[BaseException] = []

    def batches() -> Iterator[pa.RecordBatch]:
        yield from first_batch.to_batches()
        try:
            for chunk in chunks:
                yield from chunk.to_arrow().to_batches()
        except BaseException as error:  # raised again below: DuckDB only says its scan failed
            failure.append(error)
            raise

    # One INSERT over a stream of batches: one statement (all rows or none), full row groups.
    con.register(_ROWS, pa.RecordBatchReader.from_batches(first_batch.schema, batches()))
    try:
        return insert(_ROWS)
    except duckdb.Error:
        if failure:
            raise failure[0] from None
        raise
    finally:
        con.unregister(_ROWS)


def _insert_parquet_by_duckdb(
    con: duckdb.DuckDBPyConnection, path: Path, bron: Bron, names: dict[str, str], types: list[pl.DataType],
    insert: Insert,
) -> int | None:
    """Insert a Parquet file's rows with DuckDB reading it (no Polars in between); None when Polars must.

    Only when every column is of a type DuckDB writes as Polars does (_SAME_TEXT, times without
    zone) and no column is outside the contract (their JSON is Polars's); DuckDB failing on the
    file leaves it to Polars too, whose message the operator then gets. A float that DuckDB would
    write otherwise than Polars fails the statement (error()), so the file is Polars's after all.
    """
    if any(name not in bron.kolomnamen for name in names.values()) or not all(map(_same_text, types)):
        return None
    texts = {}
    for (delivered, name), dtype in zip(names.items(), types):
        column = _identifier(delivered)
        if isinstance(dtype, pl.Datetime):
            texts[name] = f"strftime({column}, '%Y-%m-%d %H:%M:%S')"
        elif dtype == pl.Float64:
            same = _SAME_FLOAT_TEXT.format(column=column)
            texts[name] = (f"CASE WHEN {column} IS NULL OR {same} THEN CAST({column} AS VARCHAR) "
                           "ELSE error('float written otherwise by Polars') END")
        else:
            texts[name] = f"CAST({column} AS VARCHAR)"
    blank = " AND ".join(f"{column} IS NULL" for column in map(_identifier, names))
    relation = (
        f"(SELECT file_row_number + 1 AS {RIJ}, "
        + ", ".join(f"{texts[name]} AS {_identifier(name)}" for name in bron.kolomnamen)
        + f", NULL::VARCHAR AS {EXTRA} FROM read_parquet({_literal(str(path))}, file_row_number = true) "
        f"WHERE NOT ({blank}))"
    )
    try:
        return insert(relation)
    except duckdb.Error:
        return None


def _same_text(dtype: pl.DataType) -> bool:
    """True for a Parquet column type DuckDB turns into the same text as _as_text does."""
    if isinstance(dtype, pl.Datetime):
        return dtype.time_zone is None
    return any(dtype == same for same in _SAME_TEXT)


def _rows_have_header_width(
    con: duckdb.DuckDBPyConnection, utf8_path: Path, delimiter: str, columns: int, bare_cr: bool
) -> bool:
    """True when DuckDB's strict parser finds every row with the header's number of fields.

    A quick check in one parallel scan; False (a short or long row, or anything DuckDB reads
    otherwise than Python's csv module, such as lines of empty cells) leaves the verdict and its
    line number to _check_row_widths. bare_cr: the file holds a lone CR.
    """
    if bare_cr:
        return False  # csv ends a line at a lone CR where DuckDB may not
    fields = ", ".join(f"'k{index}': 'VARCHAR'" for index in range(columns))
    try:
        con.execute(
            f"SELECT count(*) FROM read_csv({_literal(str(utf8_path))}, header = true, auto_detect = false, "
            f"delim = {_literal(delimiter)}, quote = '\"', escape = '\"', strict_mode = true, "
            f"null_padding = false, columns = {{{fields}}})"
        ).fetchall()
    except duckdb.Error:
        return False
    return True


def _scan_bytes(path: Path) -> _ByteFacts:
    """Read a file's bytes once for what the checks need: UTF-8 or not, quotes, lone CRs, blank lines."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    utf8, quotes, bare_cr = True, 0, False
    first_blank = last_text = -1  # offsets of the first blank line's start and of the last byte of text
    offset, carry = 0, b""  # carry: the end of the previous chunk, for patterns across chunks
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            # An ASCII chunk with no sequence left open before it is valid UTF-8: skip decoding it (the
            # common case, and isascii is many times quicker than decoding).
            if utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            quotes += chunk.count(b'"')
            joined = carry + chunk
            if not bare_cr and b"\r" in joined:
                bare_cr = joined.count(b"\r") != joined.count(b"\r\n") + joined.endswith(b"\r")
            if first_blank < 0 and not quotes:  # a file with quotes is Polars's anyway
                found = [at for at in (joined.find(b"\n\n"), joined.find(b"\n\r\n") if b"\r" in joined else -1)
                         if at >= 0]
                if found:
                    first_blank = offset - len(carry) + min(found)
            text = chunk.rstrip(b"\r\n")
            if text:
                last_text = offset + len(text) - 1
            offset += len(chunk)
            carry = joined[-2:]
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return _ByteFacts(utf8, quotes, bare_cr or carry.endswith(b"\r"), 0 <= first_blank < last_text)


def _identifier(name: str) -> str:
    """A SQL identifier (delivered column names may hold any character)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _check_header(path: Path, names: list[str], bron: Bron) -> None:
    """Reject a header with a missing contract column or a column named twice."""
    missing = [name for name in bron.verplichte_kolommen if name not in names]
    if missing:
        raise rejected(path.name, "kolom_ontbreekt", kolommen=", ".join(missing))
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        # Header names outside the contract are delivered text: named in the detail only.
        named = [name for name in doubles if name in bron.kolomnamen] or ["(buiten het contract)"]
        raise rejected(path.name, "kolom_dubbel", shorten(", ".join(doubles)), kolommen=", ".join(named))


def _check_not_truncated(path: Path, utf8_path: Path, delimiter: str, columns: int, quotes: int) -> None:
    """Reject a file that does not end where its last row ends.

    An odd number of quote characters leaves a value open; a last line with fewer fields than the
    header, or without a line ending, may have lost the rest of the row (a cut "950" reads as "95").
    """
    if quotes % 2:
        raise rejected(path.name, "afgebroken_aanhaling")
    tail = _tail_with_last_line(utf8_path)
    ends_with_newline = tail.endswith(b"\n")
    last_line = tail.rstrip(b"\r\n").rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    try:
        fields = next(csv.reader([last_line], delimiter=delimiter), [])
    except csv.Error:  # a lone CR outside quotes ends a line for csv: the last row is what follows it
        fields = next(csv.reader([last_line.rsplit("\r", 1)[-1]], delimiter=delimiter), [])
    if any(cell.strip() for cell in fields) and len(fields) < columns:
        raise rejected(path.name, "afgebroken_velden", velden=len(fields), kolommen=columns)
    if not ends_with_newline:
        raise rejected(path.name, "afgebroken_regeleinde")


def _tail_with_last_line(path: Path) -> bytes:
    """The end of a file, reaching back far enough to hold its whole last non-empty line."""
    with path.open("rb") as stream:
        size = stream.seek(0, io.SEEK_END)
        length = _TAIL_BYTES
        while True:
            stream.seek(max(0, size - length))
            tail = stream.read()
            if length >= size or b"\n" in tail.rstrip(b"\r\n"):
                return tail
            length *= 4


def _check_row_widths(path: Path, utf8_path: Path, delimiter: str, columns: int) -> None:
    """Reject a file with a row of more or fewer fields than its header (a missing field is no empty cell).

    Blank lines and lines of empty cells (Excel's trailing rows) hold no row and pass.
    """
    with utf8_path.open("r", encoding="utf-8-sig", newline="") as stream:
        for number, row in enumerate(csv.reader(stream, delimiter=delimiter)):
            if len(row) != columns and any(cell.strip() for cell in row):
                raise rejected(path.name, "velden_per_regel", None, regel=number + 1, velden=len(row),
                               kolommen=columns)


def _unreadable_csv(path: Path, utf8_path: Path, delimiter: str, columns: int, error: Exception):
    """The rejection of a CSV the parser refused: the first row with too many fields, if that is it."""
    with utf8_path.open("r", encoding="utf-8-sig", newline="") as stream:
        for number, row in enumerate(csv.reader(stream, delimiter=delimiter)):
            if len(row) > columns:
                return rejected(path.name, "velden_per_regel", _first_line_of(error), regel=number + 1,
                                velden=len(row), kolommen=columns)
    return rejected(path.name, "csv_onleesbaar", _first_line_of(error))


def _transcode_to_utf8(path: Path, scratch: Path) -> Path:
    """Copy a Windows-1252 file to UTF-8 in scratch, streaming, and return the copy (rejected when not cp1252)."""
    target = scratch / (path.stem + ".utf8.csv")
    with path.open("r", encoding="cp1252", newline="") as source, target.open(
        "w", encoding="utf-8", newline=""
    ) as sink:
        try:
            while chunk := source.read(_CHUNK_BYTES):
                sink.write(chunk)
        except UnicodeDecodeError:
            raise rejected(path.name, "codering_onleesbaar") from None
    return target


def _first_line(path: Path) -> str:
    """The first line of a UTF-8 file without BOM and line ending."""
    with path.open("r", encoding="utf-8-sig", newline="") as stream:
        return stream.readline().rstrip("\r\n")


def _first_line_of(error: Exception) -> str:
    """First line of a library error, shortened: operator detail, never published (it may quote data)."""
    text = str(error).strip()
    return shorten(text.splitlines()[0]) if text else type(error).__name__
