"""`wijkmonitor generate`: synthetic demo sources in the data-contract format.

Groningen's 20 wijken get realistic magnitudes (see ../shared/data/facts.md) and are delivered as a
municipality would: CSV files per period or supplier in mixed encodings and notations. For scale > 1
synthetic gemeenten (GM9001, ...) are added as Parquet, generated and written one chunk at a time so
that memory stays bounded, and their area rows are written to `out/gebieden.csv`. Every drop carries
`out/herkomst.json`, so that whatever is made from it says "fictieve demogegevens".

The figures tell a mixed story on purpose, to exercise the steering cycle (docs/internals.md).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from etl.load import HERKOMST as MARKER
from wijkmonitor.demo.areas import Chunk, area_table, chunks
from wijkmonitor.demo.delivery import UTF8, deliver_groningen, deliver_parquet, write_csv
from wijkmonitor.demo.bijstand import bijstand, participatie
from wijkmonitor.demo.ondersteuning import ondersteuning
from wijkmonitor.demo.surveys import bevolking, bewonersenquete, clientervaring
from wijkmonitor.demo.timeline import IdSequence, RegisterIds
from wijkmonitor import __version__
from core.errors import WijkmonitorError

SOURCES = ("bevolking", "bewonersenquete", "clientervaring", "ondersteuning", "bijstand", "participatie")
AREA_TABLE = "gebieden.csv"
# Provenance marker next to the source folders: the ETL publishes meta fictieve_demogegevens = 'ja'
# when it is present (wijkmonitor/pipeline.py), so every page, export and report says the figures are made up.
GEMEENTEN_PER_CHUNK = 8  # ~20 x 8 wijken per chunk keeps a chunk's registers at a few million rows


@dataclass(frozen=True)
class _Ids:
    """All id sequences of one run (ids stay unique across chunks)."""

    bewoner: IdSequence
    client: IdSequence
    register: RegisterIds


def generate(out: Path, seed: int = 2015, scale: float = 1.0) -> None:
    """Write the six demo sources into `out/<bron>/`, the marker `out/herkomst.json` (and `out/gebieden.csv`
    when scale > 1)."""
    out = Path(out)
    all_chunks = chunks(seed, scale, GEMEENTEN_PER_CHUNK)
    _check_empty(out)
    ids = _Ids(IdSequence("R", seed), IdSequence("C", seed), RegisterIds.for_seed(seed))
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


def _sources(seed: int, chunk: Chunk, ids: _Ids) -> dict[str, pl.DataFrame]:
    """The six sources for one chunk; every source draws from its own random stream."""

    def rng(source: str) -> np.random.Generator:
        return np.random.default_rng([seed, chunk.index, SOURCES.index(source)])

    wijken = chunk.wijken
    benefits = bijstand(rng("bijstand"), wijken, ids.register)
    return {
        "bevolking": bevolking(rng("bevolking"), wijken),
        "bewonersenquete": bewonersenquete(rng("bewonersenquete"), wijken, ids.bewoner),
        "clientervaring": clientervaring(rng("clientervaring"), wijken, ids.client),
        "ondersteuning": ondersteuning(rng("ondersteuning"), wijken, ids.register),
        "bijstand": benefits,
        "participatie": participatie(rng("participatie"), wijken, benefits, ids.register),
    }


def _check_empty(out: Path) -> None:
    """Refuse to mix with earlier output: stale files would silently become part of the sources."""
    earlier = [out / name for name in (AREA_TABLE, MARKER) if (out / name).exists()]
    earlier += [path for bron in SOURCES if (out / bron).is_dir() for path in sorted((out / bron).iterdir())]
    if earlier:
        raise WijkmonitorError(f"{out}: already holds sources (e.g. {earlier[0]}); generate into an empty folder")
