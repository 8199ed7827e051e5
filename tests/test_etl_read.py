"""etl/read.py: one delivered file -> raw text rows, or a one-line rejection."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl import read as read_module
from etl.contract import BRONNEN
from etl.read import Gelezen, detect_delimiter, read_into
from etl.reasons import FileRejected
from core.errors import InputRejected

BEVOLKING = BRONNEN["bevolking"]
HEADER = "peildatum,wijkcode,inwoners,inwoners_0_17,huishoudens\n"


def read_into_table(con: duckdb.DuckDBPyConnection, path: Path, bron=BEVOLKING) -> Gelezen:
    """Read a delivered file into the table rijen (made here) of con; what reading said."""
    columns = ", ".join(f'"{name}"' for name in bron.kolomnamen)
    con.execute(f"CREATE TABLE rijen (_rij BIGINT, {', '.join(f'{c} VARCHAR' for c in columns.split(', '))}, "
                "_extra VARCHAR)")

    def insert(rows: str) -> int:
        return con.execute(f"INSERT INTO rijen SELECT _rij, {columns}, _extra FROM {rows}").fetchall()[0][0]

    return read_into(con, path, bron, path.parent, insert)


def read_file(path: Path, bron=BEVOLKING) -> tuple[Gelezen, pl.DataFrame]:
    """Read a delivered file into a table of an in-memory DuckDB; return what reading said and the rows."""
    con = duckdb.connect()
    gelezen = read_into_table(con, path, bron)
    frame = pl.from_arrow(con.sql("SELECT * FROM rijen ORDER BY _rij").to_arrow_table())
    assert frame.height == gelezen.rijen
    return gelezen, frame


def _read(tmp_path: Path, name: str, content: bytes) -> pl.DataFrame:
    """Write content as name, read it, return the raw rows."""
    return read_file(_written(tmp_path, name, content))[1]


def test_utf8_bom_semicolon_header_case_and_spaces(tmp_path: Path) -> None:
    content = "\ufeff Peildatum ;WIJKCODE;Inwoners; inwoners_0_17;huishoudens\n01-01-2015;wk001400;10;2;5\n"
    frame = _read(tmp_path, "a.csv", content.encode("utf-8"))
    assert frame.rows() == [(1, "01-01-2015", "wk001400", "10", "2", "5", None)]
    assert frame.columns == ["_rij", *BEVOLKING.kolomnamen, "_extra"]


def test_windows_1252_extra_column_kept_as_json(tmp_path: Path) -> None:
    content = (HEADER.rstrip("\n") + ",opmerking\n2015-01-01,WK001400,10,2,5,€ café\n").encode("cp1252")
    frame = _read(tmp_path, "a.csv", content)
    assert frame.row(0) == (1, "2015-01-01", "WK001400", "10", "2", "5", '{"opmerking":"€ café"}')


def test_empty_cell_is_null_and_rows_numbered_from_one(tmp_path: Path) -> None:
    frame = _read(tmp_path, "a.csv", (HEADER + "2015-01-01,WK001400,10,2,5\n2015-01-01,WK001401,,1,1\n").encode())
    assert frame["_rij"].to_list() == [1, 2]
    assert frame["inwoners"].to_list() == ["10", None]


def test_blank_lines_are_no_rows_and_keep_row_numbers(tmp_path: Path) -> None:
    content = HEADER + "2015-01-01,WK001400,10,2,5\r\n\r\n2015-01-01,WK001401,20,4,9\r\n,,,,\r\n\r\n"
    frame = _read(tmp_path, "a.csv", content.encode())
    assert frame.select("_rij", "wijkcode").rows() == [(1, "WK001400"), (3, "WK001401")]


def test_parquet_native_types_become_text(tmp_path: Path) -> None:
    source = pl.DataFrame(
        {"Peildatum": [date(2015, 1, 1)], "wijkcode": ["WK001400"], "inwoners": [10], "inwoners_0_17": [2],
         "huishoudens": [5]}
    )
    path = tmp_path / "a.parquet"
    source.write_parquet(path)
    gelezen, frame = read_file(path)
    assert gelezen == Gelezen(1, "parquet")
    assert frame.row(0) == (1, "2015-01-01", "WK001400", "10", "2", "5", None)


@pytest.mark.parametrize(
    ("line", "expected"), [("a;b;c", ";"), ("a,b,c", ","), ("a,b;c,d", ","), ("naam;omschrijving, kort;x", ";")]
)
def test_detect_delimiter(line: str, expected: str) -> None:
    assert detect_delimiter(line) == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "a.csv: leeg bestand (0 bytes)"),
        ("a.csv", HEADER.encode(), "a.csv: alleen een kopregel, geen gegevensrijen"),
        ("a.csv", b"\n2015-01-01,WK001400\n", "a.csv: geen kopregel (eerste regel is leeg)"),
        ("a.csv", b"peildatum,wijkcode,inwoners\n2015-01-01,WK001400,1\n",
         "a.csv: verplichte kolom ontbreekt: inwoners_0_17, huishoudens"),
        ("a.csv", (HEADER.rstrip() + ",Inwoners\n2015-01-01,WK001400,1,1,1,1\n").encode(),
         "a.csv: kolom komt vaker voor in de kopregel: inwoners"),
        ("a.csv", b"\x81\x8d\x8f\x90\x9d", "a.csv: tekencodering onleesbaar (geen UTF-8 en geen Windows-1252)"),
        ("a.csv", (HEADER + "2015-01-01,WK001400,10,2,5\n2016-01-01,WK00").encode(),
         "a.csv: bestand afgebroken: laatste regel heeft 2 van 5 kolommen"),
        ("a.csv", b"\n2015-01-01,WK001400,10,2,5\n", "a.csv: geen kopregel (eerste regel is leeg)"),
        ("a.txt", b"peildatum\n", "a.txt: geen CSV- of Parquet-bestand"),
    ],
)
def test_file_level_rejections(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputRejected) as raised:
        read_file(path)[0]
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # cut inside the last value: '950' read as '95' would be a wrong number
        (HEADER + "2015-01-01,WK001400,10,2,5\n2016-01-01,WK001401,2100,420,95",
         "a.csv: bestand afgebroken: laatste regel eindigt niet met een regeleinde"),
        (HEADER + "2015-01-01,WK001400,10,2,5\n2016-01-01,WK001401,2100,420,950\r",
         "a.csv: bestand afgebroken: laatste regel eindigt niet met een regeleinde"),
        # cut after a delimiter, with and without the rest of the line
        (HEADER + "2015-01-01,WK001400,10,2,5\n2016-01-01,WK001401,2100,",
         "a.csv: bestand afgebroken: laatste regel heeft 4 van 5 kolommen"),
        (HEADER + "2015-01-01,WK001400,10,2,5\n2016-01-01,WK001401\n",
         "a.csv: bestand afgebroken: laatste regel heeft 2 van 5 kolommen"),
        # cut inside a quoted value
        (HEADER + '2015-01-01,WK001400,10,2,5\n2016-01-01,"WK00',
         "a.csv: bestand afgebroken: aanhalingsteken niet gesloten"),
        (HEADER + '2015-01-01,"WK001400,10,2,5\n2016-01-01,WK001401,2100,420,950\n',
         "a.csv: bestand afgebroken: aanhalingsteken niet gesloten"),
    ],
)
def test_a_file_must_end_where_its_last_row_ends(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(content.encode())
    with pytest.raises(FileRejected) as raised:
        read_file(path)[0]
    assert str(raised.value) == message


def test_trailing_blank_lines_are_no_cut(tmp_path: Path) -> None:
    frame = _read(tmp_path, "a.csv", (HEADER + "2015-01-01,WK001400,10,2,5\r\n\r\n").encode())
    assert frame.height == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (("\ufeff" + HEADER).encode("utf-16-le"), "a.csv: codering UTF-16 niet ondersteund: sla op als UTF-8"),
        ((HEADER + "2015-01-01,WK001400,10,2,5\n").encode("utf-16"),
         "a.csv: codering UTF-16 niet ondersteund: sla op als UTF-8"),
        ((HEADER + "2015-01-01,WK001400,10,2,5\n").encode("utf-16-le"),
         "a.csv: codering UTF-16 niet ondersteund: sla op als UTF-8"),
        ((HEADER + "2015-01-01,WK001400,10,2,5\n").encode("utf-32"),
         "a.csv: codering UTF-32 niet ondersteund: sla op als UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00xl/workbook.xml", "a.csv: Excel-werkmap, geen CSV: sla op als CSV (UTF-8)"),
        (bytes(range(256)) * 4, "a.csv: geen tekstbestand (binaire inhoud): lever CSV (UTF-8) of Parquet aan"),
    ],
)
def test_other_encodings_and_binary_files_get_their_real_reason(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as raised:
        read_file(path)[0]
    assert str(raised.value) == message


def test_parser_message_is_detail_only_never_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes((HEADER + "2015-01-01,WK001400,10,2,5\n2015-01-01,WK001401,P77,1994,x,y\n").encode())
    with pytest.raises(FileRejected) as raised:
        read_file(path)[0]
    assert str(raised.value) == "a.csv: CSV niet leesbaar: regel 3 heeft 6 velden, de kopregel 5"
    assert "P77" not in str(raised.value) and "1994" not in str(raised.value)


def test_semicolon_file_is_dutch_notation(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(HEADER.replace(",", ";").encode() + b"2015-01-01;WK001400;1.234;2;5\n")
    assert read_file(path)[0] == Gelezen(1, "nl")
    path.write_bytes(HEADER.encode() + b"2015-01-01,WK001400,1234,2,5\n")
    assert read_file(path)[0] == Gelezen(1, "csv")


def test_corrupt_parquet_rejected(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    path.write_bytes(b"PAR1 dit is geen parquet")
    with pytest.raises(InputRejected, match=r"^a\.parquet: Parquet niet leesbaar$"):
        read_file(path)[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # a missing field is not an empty einddatum: the row would be read as a trajectory still running
        (HEADER + "2015-01-01,WK001400,10,2,5\n2015-01-01,WK001401,20,4\n2016-01-01,WK001400,10,2,5\n",
         "a.csv: CSV niet leesbaar: regel 3 heeft 4 velden, de kopregel 5"),
        (HEADER + "2015-01-01,WK001400,10,2,5,6\n2016-01-01,WK001400,10,2,5\n",
         "a.csv: CSV niet leesbaar: regel 2 heeft 6 velden, de kopregel 5"),
    ],
)
def test_every_row_has_the_header_s_fields(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(content.encode())
    with pytest.raises(FileRejected) as raised:
        read_file(path)[0]
    assert str(raised.value) == message


def test_rows_of_empty_cells_are_no_short_rows(tmp_path: Path) -> None:
    frame = _read(tmp_path, "a.csv", (HEADER + "2015-01-01,WK001400,10,2,5\n,,\n,\n").encode())
    assert frame.height == 1


# The fast paths (DuckDB reading Parquet itself, DuckDB checking field counts, rows streamed in
# batches) must give exactly what the general path gives: the same rows, numbers and messages.

def _both_parquet_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of a Parquet file read by DuckDB, and by Polars (the general path)."""
    direct = read_file(path)
    with monkeypatch.context() as patched:
        patched.setattr(read_module, "_insert_parquet_by_duckdb", lambda *args: None)
        general = read_file(path)
    assert direct[0] == general[0]
    return direct[1], general[1]


def test_parquet_read_by_duckdb_gives_the_polars_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.parquet"
    pl.DataFrame(
        {
            "peildatum": [date(2015, 1, 1), date(999, 12, 31), None, date(2024, 2, 29)],
            "wijkcode": ["WK001400", "", None, "wk 1;\"x\"\n"],
            "inwoners": pl.Series([10, -5, None, 2**40], dtype=pl.Int64),
            "inwoners_0_17": pl.Series([2, 0, None, 255], dtype=pl.UInt8),
            "huishoudens": [True, False, None, None],
        }
    ).write_parquet(path)
    direct, general = _both_parquet_paths(path, monkeypatch)
    assert direct.rows() == general.rows()
    # the row of nothing but empty cells holds no row; the others keep their numbers
    assert direct["_rij"].to_list() == [1, 2, 4]
    assert direct.row(0) == (1, "2015-01-01", "WK001400", "10", "2", "true", None)


@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
def test_parquet_times_read_by_duckdb_give_the_polars_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unit: str
) -> None:
    path = tmp_path / "a.parquet"
    moments = pl.Series([datetime(2015, 1, 1, 23, 59, 59, 999000), datetime(1900, 2, 3), None], dtype=pl.Datetime(unit))
    pl.DataFrame({"peildatum": moments, "wijkcode": ["WK1", "WK2", "WK3"], "inwoners": [1, 2, 3],
                  "inwoners_0_17": [1, 2, 3], "huishoudens": [1, 2, 3]}).write_parquet(path)
    direct, general = _both_parquet_paths(path, monkeypatch)
    assert direct.rows() == general.rows()
    assert direct["peildatum"].to_list() == ["2015-01-01 23:59:59", "1900-02-03 00:00:00", None]


def test_parquet_floats_read_by_duckdb_give_the_polars_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = []
    general = read_module._insert_batches
    monkeypatch.setattr(read_module, "_insert_batches", lambda *args: taken.append(1) or general(*args))
    values = [0.0, -0.0, 1.0, -2.5, 0.1, 1e-4, 0.30000000000000004, 22450.32, 123456789012345.0, 1e15, 1e16,
              9999999999999998.0, 1.7976931348623157e308, -1e22, None]
    path = tmp_path / "a.parquet"
    pl.DataFrame({"peildatum": ["2015-01-01"] * len(values), "wijkcode": ["WK1"] * len(values),
                  "inwoners": pl.Series(values, dtype=pl.Float64), "inwoners_0_17": [1] * len(values),
                  "huishoudens": [1] * len(values)}).write_parquet(path)
    direct, general_rows = _both_parquet_paths(path, monkeypatch)
    assert taken == [1]  # only the general path of _both_parquet_paths
    assert direct.rows() == general_rows.rows()
    assert direct["inwoners"].to_list()[:8] == ["0.0", "-0.0", "1.0", "-2.5", "0.1", "0.0001", "0.30000000000000004",
                                                "22450.32"]


@pytest.mark.parametrize("value, text", [(1e-7, "1e-7"), (1.5e-5, "0.000015"), (-9.9e-5, "-0.000099"),
                                         (float("nan"), "NaN"), (float("inf"), "inf")])
def test_parquet_floats_duckdb_writes_otherwise_take_the_general_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: float, text: str
) -> None:
    taken = []
    general = read_module._insert_batches
    monkeypatch.setattr(read_module, "_insert_batches", lambda *args: taken.append(1) or general(*args))
    # one such value among many that DuckDB would write alike: the whole file is Polars's, no row twice
    values = [1.0] * 5000 + [value] + [2.0] * 5000
    pl.DataFrame({"peildatum": ["2015-01-01"] * len(values), "wijkcode": ["WK1"] * len(values),
                  "inwoners": values, "inwoners_0_17": [1] * len(values),
                  "huishoudens": [1] * len(values)}).write_parquet(tmp_path / "a.parquet", row_group_size=1000)
    gelezen, frame = read_file(tmp_path / "a.parquet")
    assert taken == [1]
    assert gelezen.rijen == len(values) and frame["_rij"].to_list() == list(range(1, len(values) + 1))
    assert frame["inwoners"][5000] == text


def test_parquet_32_bit_floats_and_extra_columns_take_the_general_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = []
    general = read_module._insert_batches
    monkeypatch.setattr(read_module, "_insert_batches", lambda *args: taken.append(1) or general(*args))
    base = {"peildatum": ["2015-01-01"], "wijkcode": ["WK1"], "inwoners_0_17": [1], "huishoudens": [1]}
    pl.DataFrame({**base, "inwoners": pl.Series([452996384.0], dtype=pl.Float32)}).write_parquet(tmp_path / "a.parquet")
    assert read_file(tmp_path / "a.parquet")[1]["inwoners"].to_list() == ["452996380.0"]
    pl.DataFrame({**base, "inwoners": [1], "opmerking": [5]}).write_parquet(tmp_path / "b.parquet")
    assert read_file(tmp_path / "b.parquet")[1]["_extra"].to_list() == ['{"opmerking":"5"}']
    assert taken == [1, 1]


@pytest.mark.parametrize(
    "body",
    [
        "1,2,3,4,5\n\n,,\n   \n6,7,8,9,10\n",  # blank lines, short lines of empty cells
        "1,\"a\nb\",3,4,5\r\n6,7,8,9,10\r\n",  # a quoted line break
        "1,2,3,4,5\r6,7\r8,9,10,11,12\n",  # lone CRs end lines for csv
        "1,2,3,4,5\n6,7\r8,9,10\n",  # a lone CR in a row: two short rows for csv
        "1,a\"b,3,4,5\n6,\"x\"y,8,9,10\n",  # quotes inside values
        "1,2,3,4,5\n6,7,8,9\n",
        "1,2,3,4,5\n6,7,8,9,10,11\n",
        "1,2,3,4,5\n6,7,8,9,\x00\n",
    ],
)
def test_quick_field_count_check_never_passes_what_csv_rejects(tmp_path: Path, body: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes((HEADER + body).encode())
    if read_module._rows_have_header_width(duckdb.connect(), path, ",", 5, read_module._scan_bytes(path).bare_cr):
        read_module._check_row_widths(path, path, ",", 5)  # raises when csv finds a row of another width


def test_rows_in_many_batches_and_dutch_notation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_module, "_BATCH_ROWS", 2)
    rows = "".join(f'01-01-2015;WK{i:06d};"1.{i:03d}";2;"5\r\n6"\r\n' for i in range(7))
    last = "01-01-2015;WK999999;1;2;3\r\n"  # a file's last line is a whole row (see the cut-file rules)
    content = ("\ufeff" + HEADER.replace(",", ";").replace("\n", "\r\n") + rows + ";;;;\r\n" + rows + last).encode()
    gelezen, frame = read_file(_written(tmp_path, "a.csv", content))
    assert gelezen == Gelezen(15, "nl")
    assert frame["_rij"].to_list() == [*range(1, 8), *range(9, 17)]
    assert frame.row(1) == (2, "01-01-2015", "WK000001", "1.001", "2", "5\r\n6", None)


def test_a_parser_failure_late_in_the_file_inserts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_module, "_BATCH_ROWS", 10)
    rows = "".join(f"2015-01-01,WK{i:06d},10,2,5\n" for i in range(100))
    path = _written(tmp_path, "a.csv", (HEADER + rows + '2015-01-01,WK"1,1,1,1\n2015-01-01,WK"2,1,1,1\n').encode())
    con = duckdb.connect()
    with pytest.raises(FileRejected) as raised:
        read_into_table(con, path)
    assert str(raised.value) == "a.csv: CSV niet leesbaar"
    assert con.execute("SELECT count(*) FROM rijen").fetchall() == [(0,)]


def _written(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "lone"),
    [(b"abc\r\nd\r\n", False), (b"ab\r\n\r\ncd\n", False), (b"a\rb\n", True), (b"abcdefg\r", True), (b"abcdefg\rh\n", True),
     (b"ab\n", False)],
)
def test_lone_carriage_returns_are_found_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, lone: bool
) -> None:
    monkeypatch.setattr(read_module, "_CHUNK_BYTES", 4)
    assert read_module._scan_bytes(_written(tmp_path, "a.csv", content)).bare_cr is lone


@pytest.mark.parametrize(
    ("content", "blank"),
    [(b"ab\ncd\n", False), (b"ab\ncd\n\n\r\n", False), (b"ab\r\n\r\ncd\r\n", True), (b"abc\n\ncd\n", True),
     (b"abcdefg\n\nh\n", True), (b"abcdefgh\n\r\n", False), (b"a\n\n", False)],
)
def test_blank_lines_between_rows_are_found_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, blank: bool
) -> None:
    monkeypatch.setattr(read_module, "_CHUNK_BYTES", 4)
    assert read_module._scan_bytes(_written(tmp_path, "a.csv", content)).blank_line is blank


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_byte_pass_finds_encoding_and_quotes_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(read_module, "_CHUNK_BYTES", chunk)
    facts = read_module._scan_bytes(_written(tmp_path, "a.csv", 'a,"b""",€\n'.encode()))
    assert (facts.utf8, facts.quotes) == (True, 4)
    assert read_module._scan_bytes(_written(tmp_path, "b.csv", "a,€\n".encode("cp1252"))).utf8 is False
    assert read_module._scan_bytes(_written(tmp_path, "c.csv", "a,€".encode()[:-1])).utf8 is False


@pytest.mark.parametrize(
    ("content", "utf8"),
    [(b"ab\xe2cd\n", False),  # a sequence cut off, then a chunk of ASCII (which alone would be valid)
     (b"ab\xe2cd\n\x82\xac\n", False),  # ... and the rest of the sequence after the ASCII chunk
     ("ab€cd\nef\n".encode(), True),  # a sequence across the chunk edge, then ASCII chunks
     (b"abc\xe2\x82", False)],  # ends inside a sequence
)
def test_ascii_chunks_after_a_cut_sequence_are_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, utf8: bool
) -> None:
    monkeypatch.setattr(read_module, "_CHUNK_BYTES", 3)
    assert read_module._scan_bytes(_written(tmp_path, "a.csv", content)).utf8 is utf8


def _both_csv_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of a CSV inserted by DuckDB's parser, and by Polars (the general path); DuckDB's path taken."""
    taken = []
    direct_insert = read_module._insert_csv_by_duckdb
    with monkeypatch.context() as patched:
        patched.setattr(read_module, "_insert_csv_by_duckdb", lambda *args: taken.append(1) or direct_insert(*args))
        patched.setattr(read_module, "_insert_csv_by_polars", lambda *args: pytest.fail("Polars read the file"))
        direct = read_file(path)
    assert taken == [1]
    with monkeypatch.context() as patched:
        patched.setattr(read_module, "_duckdb_reads_as_polars", lambda *args: False)
        general = read_file(path)
    assert direct[0] == general[0]
    assert direct[1].schema == general[1].schema
    return direct[1], general[1]


@pytest.mark.parametrize(
    "content",
    [
        (HEADER + "2015-01-01,WK001400,10,2,5\n2015-01-01,WK001401,,1,1\n").encode(),
        # CRLF, BOM, ';', rows of empty cells (no rows, but numbered), spaces and tabs kept, trailing blank lines
        ("\ufeff" + HEADER.replace(",", ";").replace("\n", "\r\n")
         + "01-01-2015;WK1;1.000; 2 ;\t\r\n;;;;\r\n01-01-2015;WK2;NULL;;0\r\n;;;;\r\n\r\n\r\n").encode(),
        # Windows-1252, columns in another order, upper case names
        ("WIJKCODE,peildatum,inwoners,huishoudens,inwoners_0_17\nWK1,2015-01-01,10,5,2\nWK2,caf\u00e9 \u20ac,,,\n"
         ).encode("cp1252"),
        # thousands of rows: numbered across DuckDB's vectors and Polars's batches
        (HEADER + "".join(f"2015-01-01,WK{i:06d},{i},,{i % 7}\n" if i % 1000 else ",,,,\n" for i in range(1, 9000))
         ).encode(),
    ],
)
def test_csv_read_by_duckdb_gives_the_polars_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    direct, general = _both_csv_paths(_written(tmp_path, "a.csv", content), monkeypatch)
    assert direct.rows() == general.rows()


def test_csv_read_by_duckdb_numbers_rows_as_the_file_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = HEADER.replace("\n", "\r\n") + "2015-01-01,WK1,1,1,1\r\n,,,,\r\n2015-01-01,WK3,3,3,3\r\n\r\n"
    direct, _ = _both_csv_paths(_written(tmp_path, "a.csv", content.encode()), monkeypatch)
    assert direct.select("_rij", "wijkcode").rows() == [(1, "WK1"), (3, "WK3")]


@pytest.mark.parametrize(
    "content",
    [
        HEADER + '2015-01-01,"WK1",1,1,1\n',  # quotes
        HEADER + "2015-01-01,WK1,1,1,1\n\n2015-01-01,WK3,1,1,1\n",  # a blank line between rows
        HEADER + "2015-01-01,WK1,1,1,1\r2015-01-01,WK2,1,1,1\n2015-01-01,WK3,1,1,1\n",  # a lone CR
        HEADER.rstrip("\n") + ",opmerking\n2015-01-01,WK1,1,1,1,x\n",  # a column outside the contract
    ],
)
def test_csv_that_duckdb_may_read_otherwise_goes_to_polars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            content: str) -> None:
    monkeypatch.setattr(read_module, "_insert_csv_by_duckdb", lambda *args: pytest.fail("DuckDB read the file"))
    try:
        read_file(_written(tmp_path, "a.csv", content.encode()))
    except FileRejected:
        pass  # Polars refuses the lone CR (as before): what counts is that DuckDB never read the file


@pytest.mark.slow
def test_duckdb_numbers_the_rows_of_a_large_file_in_file_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Over 32 MB: several of DuckDB's CSV buffers, which it would read in parallel without the window.
    rows = "".join(f"2015-01-01,WK{i:06d},{i},1,1\n" if i % 997 else ",,,,\n" for i in range(1, 1_500_001))
    path = _written(tmp_path, "a.csv", (HEADER + rows).encode())
    taken = []
    direct_insert = read_module._insert_csv_by_duckdb
    monkeypatch.setattr(read_module, "_insert_csv_by_duckdb", lambda *args: taken.append(1) or direct_insert(*args))
    con = duckdb.connect(config={"threads": 4})
    con.execute("CREATE TABLE rijen (_rij BIGINT, inwoners VARCHAR)")
    gelezen = read_into(
        con, path, BEVOLKING, tmp_path,
        lambda rows: con.execute(f"INSERT INTO rijen SELECT _rij, inwoners FROM {rows}").fetchall()[0][0],
    )
    assert taken == [1]
    assert gelezen.rijen == 1_500_000 - 1_500_000 // 997
    assert con.execute("SELECT count(*) FROM rijen WHERE _rij <> inwoners::BIGINT").fetchall() == [(0,)]


def test_a_short_row_late_in_a_plain_file_inserts_nothing_and_is_named(tmp_path: Path) -> None:
    rows = "".join(f"2015-01-01,WK{i:06d},10,2,5\n" for i in range(5000))
    path = _written(tmp_path, "a.csv", (HEADER + rows + "2015-01-01,WK1,1,1\n" + rows).encode())
    con = duckdb.connect()
    with pytest.raises(FileRejected) as raised:
        read_into_table(con, path)
    assert str(raised.value) == "a.csv: CSV niet leesbaar: regel 5002 heeft 4 velden, de kopregel 5"
    assert con.execute("SELECT count(*) FROM rijen").fetchall() == [(0,)]


def test_a_lone_cr_in_the_last_line_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    path = _written(tmp_path, "a.csv", (HEADER + "2015-01-01,WK1,1,1,1\r2015-01-01,WK2,1,1,1\n").encode())
    with pytest.raises(FileRejected) as raised:
        read_file(path)
    assert str(raised.value) == "a.csv: CSV niet leesbaar"
