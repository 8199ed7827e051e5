"""`wijkmonitor generate`: synthetic demo sources in the data-contract format.

Groningen's 20 wijken get realistic magnitudes (see ../shared/data/facts.md) and are delivered as a
municipality would: CSV files per period or supplier in mixed encodings and notations. For scale > 1
synthetic gemeenten (GM9001, ...) are added as Parquet, generated and written one chunk at a time so
that memory stays bounded, and their area rows are written to `out/gebieden.csv`. Every drop carries
`out/herkomst.json`, so that whatever is made from it says "fictieve demogegevens".

The figures tell a mixed story on purpose, to exercise the steering cycle (docs/internals.md).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

import polars as pl

from etl.load import HERKOMST as MARKER
from etl.contract import BRONNEN
from wijkmonitor.demo.areas import Chunk, area_table, chunks
from wijkmonitor.demo.chunk import RunIds, demo_chunk
from wijkmonitor.demo.delivery import UTF8, deliver_groningen, deliver_parquet, write_csv
from wijkmonitor import __version__
from core.errors import WijkmonitorError

AREA_TABLE = "gebieden.csv"
# Provenance marker next to the source folders: the ETL publishes meta fictieve_demogegevens = 'ja'
# when it is present (wijkmonitor/pipeline.py), so every page, export and report says the figures are made up.
GEMEENTEN_PER_CHUNK = 8  # ~20 x 8 wijken per chunk keeps a chunk's registers at a few million rows


def generate(out: Path, seed: int = 2015, scale: float = 1.0) -> None:
    """Write every source of the contract into `out/<bron>/`, the marker `out/herkomst.json` (and `out/gebieden.csv`
    when scale > 1)."""
    out = Path(out)
    all_chunks = chunks(seed, scale, GEMEENTEN_PER_CHUNK)
    _check_empty(out)
    ids = RunIds.for_seed(seed)
    for chunk in all_chunks:
        if len(all_chunks) > 1:
            print(f"generate: {chunk.name} ({chunk.index + 1}/{len(all_chunks)})", file=sys.stderr, flush=True)
        frames = _sources(seed, chunk, ids)
        if chunk.index == 0:
            deliver_groningen(frames, out)
        else:
            deliver_parquet(frames, out, chunk.name)
    if len(all_chunks) > 1:
        write_csv(area_table(all_chunks), out / AREA_TABLE, UTF8)
    _write_marker(out, seed, scale)


def _write_marker(out: Path, seed: int, scale: float) -> None:
    """Say in the drop itself that it is generated (provenance, not a source: the loader reads only <bron>/)."""
    herkomst = {
        "fictieve_demogegevens": True,
        "generator": f"wijkmonitor generate {__version__}",
        "seed": seed,
        "scale": scale,
        "toelichting": "Fictieve demogegevens: gegenereerd, geen echte cijfers van de gemeente Groningen.",
    }
    (out / MARKER).write_text(json.dumps(herkomst, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _sources(seed: int, chunk: Chunk, ids: RunIds) -> dict[str, pl.DataFrame]:
    """Every source of the contract for one chunk, in contract order; each draws from its own random stream
    (seeded by its position in the contract) and sees the sources generated before it."""
    frames: dict[str, pl.DataFrame] = {}
    for position, bron in enumerate(BRONNEN):
        frames[bron] = _generator(bron).generate(demo_chunk(seed, chunk, position, ids, frames))
    return frames


def _generator(bron: str) -> ModuleType:
    """The generator module of a contract source: every source has one (wijkmonitor/demo/<bron>.py)."""
    try:
        return importlib.import_module(f"wijkmonitor.demo.{bron}")
    except ModuleNotFoundError as error:
        if error.name != f"wijkmonitor.demo.{bron}":
            raise
        raise WijkmonitorError(f"source {bron} is in etl/contract.py but has no generator wijkmonitor/demo/{bron}.py"
                               ) from None


def _check_empty(out: Path) -> None:
    """Refuse to mix with earlier output: stale files would silently become part of the sources."""
    earlier = [out / name for name in (AREA_TABLE, MARKER) if (out / name).exists()]
    earlier += [path for bron in BRONNEN if (out / bron).is_dir() for path in sorted((out / bron).iterdir())]
    if earlier:
        raise WijkmonitorError(f"{out}: already holds sources (e.g. {earlier[0]}); generate into an empty folder")
