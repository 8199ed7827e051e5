"""A published store at the national area count, made from a city store without the national ETL.

    .venv/bin/python benchmarks/national_store.py --city data/demo/monitor.duckdb --out build/bench/national.duckdb

`wijkmonitor generate --scale 75` makes 165 gemeenten of Groningen's 20 wijken (3,300 wijken); running the
ETL on it takes many minutes. The dashboard only reads the published store, so for its latency this
copies every area-bearing row of a city store once per synthetic gemeente (codes GM9001.., WK9001NN,
GB9001NN as the generator names them, map shapes shifted on a grid) and writes the result through
the real publish code (etl.publish.publish: contract, suppression audit, atomic rename). Tables
without area codes (registry, peildata, meta, data quality) are kept as they are. Tables added to the
contract later are copied the same way, as long as their area codes are in text columns.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl.publish import AUDIT_KEY, contract_columns, publish  # noqa: E402

GEMEENTEN = 165  # as `wijkmonitor generate --scale 75`: Groningen and 164 synthetic gemeenten
FIRST = 9001  # wijkmonitor/demo/areas.py SYNTHETIC_GEMEENTE_FIRST
CODE = re.compile(r"^(WK|GB|GM)0014")
GRID = 13  # map copies per row
STEP = (0.25, 0.15)  # degrees between copies (Groningen's wijken span about 0.2 x 0.1)


def read_store(path: Path) -> dict[str, pl.DataFrame]:
    """Every contract table of a published store, without its audit mark (publish audits and marks anew)."""
    with duckdb.connect(str(path), read_only=True) as con:
        present = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        tables = {table: con.sql(f'SELECT * FROM "{table}"').pl() for table in contract_columns() if table in present}
    tables["meta"] = tables["meta"].filter(pl.col("sleutel") != AUDIT_KEY)
    return tables


def _code_columns(frame: pl.DataFrame) -> list[str]:
    """Text columns holding Groningen's area codes."""
    return [name for name, dtype in frame.schema.items()
            if dtype == pl.String and frame[name].drop_nulls().str.contains(CODE.pattern).any()]


def _shift(geojson: str, dx: float, dy: float) -> str:
    """A GeoJSON geometry moved by (dx, dy) degrees."""
    def move(coordinates):
        if coordinates and isinstance(coordinates[0], (int, float)):
            return [round(coordinates[0] + dx, 5), round(coordinates[1] + dy, 5), *coordinates[2:]]
        return [move(part) for part in coordinates]

    geometry = json.loads(geojson)
    geometry["coordinates"] = move(geometry["coordinates"])
    return json.dumps(geometry, separators=(",", ":"))


def copy(frame: pl.DataFrame, number: int, position: int) -> pl.DataFrame:
    """The rows of one table for synthetic gemeente GM<number> (position on the map grid)."""
    columns = _code_columns(frame)
    digits = str(number)
    changed = [pl.col(name).str.replace(CODE.pattern, "${1}" + digits) for name in columns]
    names = [pl.col(name) + f" ({digits})" for name in frame.columns
             if name.endswith("naam") and frame.schema[name] == pl.String]
    result = frame.with_columns(*changed, *names)
    if "geojson" in frame.columns:
        dx, dy = STEP[0] * (position % GRID), -STEP[1] * (position // GRID)
        result = result.with_columns(pl.col("geojson").map_elements(lambda g: _shift(g, dx, dy), return_dtype=pl.String))
    return result


def national(city: dict[str, pl.DataFrame], gemeenten: int = GEMEENTEN) -> dict[str, pl.DataFrame]:
    """The city's tables with gemeenten - 1 synthetic copies of every area-bearing row added."""
    tables = {}
    for name, frame in city.items():
        if not _code_columns(frame):
            tables[name] = frame
            continue
        tables[name] = pl.concat([frame, *(copy(frame, FIRST + i, i + 1) for i in range(gemeenten - 1))])
    return tables


def main() -> int:
    parser = argparse.ArgumentParser(description="Published store at the national area count, for dashboard benchmarks.")
    parser.add_argument("--city", type=Path, required=True, help="a published city store (make demo-data)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--gemeenten", type=int, default=GEMEENTEN)
    args = parser.parse_args()
    tables = national(read_store(args.city), args.gemeenten)
    publish(args.out, tables)
    wijken = tables["areas"].filter(pl.col("niveau") == "wijk").height
    print(f"national store: {args.out} ({wijken} wijken, {args.gemeenten} gemeenten)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
