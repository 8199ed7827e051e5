"""What a source's generator gets: one chunk of wijken, its own random stream, the run's ids, earlier sources.

Every demo source is a module wijkmonitor/demo/<bron>.py with `generate(demo: DemoChunk) -> polars.DataFrame`
returning the source's contract columns; wijkmonitor/generate.py calls them in contract order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import polars as pl

from wijkmonitor.demo.areas import Chunk, Wijken
from wijkmonitor.demo.timeline import IdSequence, RegisterIds


@dataclass(frozen=True)
class RunIds:
    """All id sequences of one run: ids stay unique across chunks."""

    seed: int
    bewoner: IdSequence  # bewonersenquete respondents
    client: IdSequence  # clientervaring respondents
    register: RegisterIds  # registers; persons share one sequence across ondersteuning and bijstand
    _others: dict[str, IdSequence] = field(default_factory=dict, repr=False)

    @classmethod
    def for_seed(cls, seed: int) -> RunIds:
        """Fresh sequences for one generation run."""
        return cls(seed, IdSequence("R", seed), IdSequence("C", seed), RegisterIds.for_seed(seed))

    def sequence(self, prefix: str) -> IdSequence:
        """The run's sequence with this prefix (for a new source's own keys, e.g. 'K' for kosten_id)."""
        if prefix not in self._others:
            taken = {self.bewoner.prefix, self.client.prefix} | {s.prefix for s in vars(self.register).values()}
            if prefix in taken:
                raise ValueError(f"id prefix {prefix} belongs to another source's keys")
            self._others[prefix] = IdSequence(prefix, self.seed)
        return self._others[prefix]


@dataclass(frozen=True)
class DemoChunk:
    """The input of one source's generator for one chunk."""

    seed: int
    chunk: Chunk
    rng: np.random.Generator  # this source's own stream: default_rng([seed, chunk.index, contract position])
    ids: RunIds
    bronnen: Mapping[str, pl.DataFrame] = field(default_factory=dict)  # sources generated before, contract order

    @property
    def wijken(self) -> Wijken:
        """The chunk's wijken."""
        return self.chunk.wijken


def demo_chunk(seed: int, chunk: Chunk, position: int, ids: RunIds, bronnen: dict[str, pl.DataFrame]) -> DemoChunk:
    """The DemoChunk of the source at `position` in the contract: its stream and a read-only view of earlier sources."""
    rng = np.random.default_rng([seed, chunk.index, position])
    return DemoChunk(seed, chunk, rng, ids, MappingProxyType(dict(bronnen)))
