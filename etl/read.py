"""Read one delivered file as municipalities send it: raw text rows, numbered, with the contract's names.

CSV: UTF-8 (with or without BOM) or Windows-1252, `,` or `;`, header names in any case with
surrounding spaces. Parquet: native types, turned into text so the raw layer holds one shape.
Every file-level problem raises InputRejected with one line: file and reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from pathlib import Path

import polars as pl

from etl.contract import Bron
from wijkmonitor.errors import InputRejected

CSV_SUFFIX = ".csv"
PARQUET_SUFFIX = ".parquet"
RIJ = "_rij"  # 1-based data row number in the delivered file
EXTRA = "_extra"  # columns outside the contract, as JSON text
_CHUNK_BYTES = 1 << 20
_TAIL_BYTES = 1 << 16


def is_delivery(path: Path) -> bool:
    """True for a file the reader accepts by its name (.csv or .parquet, any case)."""
    return path.suffix.lower() in (CSV_SUFFIX, PARQUET_SUFFIX)


def normalise_name(name: str) -> str:
    """Header name as the contract spells it: BOM and surrounding spaces gone, lower case."""
    return name.replace("\ufeff", "").strip().lower()


def read_to_parquet(path: Path, bron: Bron, out: Path) -> int:
    """Read a delivered file into a Parquet file of raw text rows; return the number of data rows."""
    if path.stat().st_size == 0:
        raise InputRejected(f"{path.name}: leeg bestand (0 bytes)")
    suffix = path.suffix.lower()
    if suffix == CSV_SUFFIX:
        return _csv_to_parquet(path, bron, out)
    if suffix == PARQUET_SUFFIX:
        return _parquet_to_parquet(path, bron, out)
    raise InputRejected(f"{path.name}: geen CSV- of Parquet-bestand")


def detect_encoding(path: Path) -> str:
    """'utf-8' when the whole file decodes strictly as UTF-8, else 'cp1252' when that decodes."""
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(_CHUNK_BYTES):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputRejected(f"{path.name}: tekencodering onleesbaar (geen UTF-8 en geen Windows-1252)")


def detect_delimiter(header_line: str) -> str:
    """';' when the header line holds more semicolons than commas, else ','."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _csv_to_parquet(path: Path, bron: Bron, out: Path) -> int:
    """CSV branch of read_to_parquet."""
    encoding = detect_encoding(path)
    with tempfile.TemporaryDirectory(prefix=".wijkmonitor-lezen-", dir=out.parent) as scratch:
        utf8_path = path if encoding == "utf-8" else _transcode_to_utf8(path, Path(scratch))
        header_line = _first_line(utf8_path)
        if not header_line.strip():
            raise InputRejected(f"{path.name}: geen kopregel (eerste regel is leeg)")
        delimiter = detect_delimiter(header_line)
        names = [normalise_name(name) for name in next(csv.reader([header_line], delimiter=delimiter))]
        _check_header(path, names, bron)
        _check_not_truncated(path, utf8_path, delimiter, len(names))
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
            rows = _write_raw(frame, bron, names, out)
        except pl.exceptions.PolarsError as error:
            raise InputRejected(f"{path.name}: CSV niet leesbaar ({_first_line_of(error)})") from None
    if rows == 0:
        raise InputRejected(f"{path.name}: alleen een kopregel, geen gegevensrijen")
    return rows


def _parquet_to_parquet(path: Path, bron: Bron, out: Path) -> int:
    """Parquet branch of read_to_parquet: same names rule, every value turned into text."""
    try:
        frame = pl.scan_parquet(path)
        delivered = frame.collect_schema().names()
    except pl.exceptions.PolarsError as error:
        raise InputRejected(f"{path.name}: Parquet niet leesbaar ({_first_line_of(error)})") from None
    names = [normalise_name(name) for name in delivered]
    _check_header(path, names, bron)
    frame = frame.rename(dict(zip(delivered, names))).with_row_index(RIJ, offset=1)
    frame = frame.with_columns(_as_text(name, frame.collect_schema()[name]) for name in names)
    try:
        rows = _write_raw(frame, bron, names, out)
    except pl.exceptions.PolarsError as error:
        raise InputRejected(f"{path.name}: Parquet niet leesbaar ({_first_line_of(error)})") from None
    if rows == 0:
        raise InputRejected(f"{path.name}: geen gegevensrijen")
    return rows


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A Parquet column as the text a CSV export would hold (ISO dates, '.' decimals)."""
    column = pl.col(name)
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S").alias(name)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d").alias(name)
    return column.cast(pl.String).alias(name)


def _write_raw(frame: pl.LazyFrame, bron: Bron, names: list[str], out: Path) -> int:
    """Select row number, contract columns and the extra columns as JSON; sink to Parquet.

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
    selected.sink_parquet(out)
    return pl.scan_parquet(out).select(pl.len()).collect().item()


def _check_header(path: Path, names: list[str], bron: Bron) -> None:
    """Reject a header with a missing contract column or a column named twice."""
    missing = [name for name in bron.verplichte_kolommen if name not in names]
    if missing:
        raise InputRejected(f"{path.name}: verplichte kolom ontbreekt: {', '.join(missing)}")
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        raise InputRejected(f"{path.name}: kolom komt vaker voor in de kopregel: {', '.join(doubles)}")


def _check_not_truncated(path: Path, utf8_path: Path, delimiter: str, columns: int) -> None:
    """Reject a file whose last line is cut off: no final newline and fewer fields than the header."""
    with utf8_path.open("rb") as stream:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(max(0, size - _TAIL_BYTES))
        tail = stream.read()
    if tail.endswith(b"\n"):
        return
    last_line = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    fields = next(csv.reader([last_line], delimiter=delimiter), [])
    if len(fields) < columns:
        raise InputRejected(
            f"{path.name}: bestand afgebroken: laatste regel heeft {len(fields)} van {columns} kolommen"
        )


def _transcode_to_utf8(path: Path, scratch: Path) -> Path:
    """Copy a Windows-1252 file to UTF-8 in scratch, streaming, and return the copy."""
    target = scratch / (path.stem + ".utf8.csv")
    with path.open("r", encoding="cp1252", newline="") as source, target.open(
        "w", encoding="utf-8", newline=""
    ) as sink:
        while chunk := source.read(_CHUNK_BYTES):
            sink.write(chunk)
    return target


def _first_line(path: Path) -> str:
    """The first line of a UTF-8 file without BOM and line ending."""
    with path.open("r", encoding="utf-8-sig", newline="") as stream:
        return stream.readline().rstrip("\r\n")


def _first_line_of(error: Exception) -> str:
    """First line of a library error, for a one-line operator message."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
