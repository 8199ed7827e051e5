"""The monitor configuration: monitor.toml (nulmeting, corridor overrides, streefwaarden) and the
municipality's own indicator files in the folder `indicatoren/` beside it (default data/config/)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from indicators import fields, registry
from indicators.fields import as_date, as_number, as_table
from indicators.registry import Corridor, Indicator
from core import paths
from core.errors import ConfigError

DEFAULT_NULMETING = date(2015, 1, 1)
_TOP_KEYS = {"nulmeting", "corridor", "streefwaarden"}


@dataclass(frozen=True)
class MonitorConfig:
    """Nulmeting, corridor overrides per indicator, streefwaarden per (indicator, peildatum) and the
    indicators in force (default: the package's plus data/config/indicatoren/)."""

    nulmeting: date = DEFAULT_NULMETING
    corridors: dict[str, Corridor] = field(default_factory=dict)
    streefwaarden: dict[tuple[str, date], float] = field(default_factory=dict)
    indicators: tuple[Indicator, ...] = field(default_factory=lambda: registry.INDICATORS)

    def corridor(self, indicator: Indicator) -> Corridor:
        """The configured corridor of this indicator, or the registry default."""
        return self.corridors.get(indicator.id, indicator.corridor)


def load_config(path: Path | None = None) -> MonitorConfig:
    """Read and check the monitor configuration (default: data/config/monitor.toml) and the indicator
    files: the package's plus those in the folder indicatoren/ beside the configuration file."""
    path = path or paths.MONITOR_CONFIG
    try:
        with path.open("rb") as file:
            raw = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuratiebestand niet gevonden") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: geen geldige TOML: {error}") from None
    indicators = registry.load_indicators(path.parent / registry.CONFIG_SUBDIR)
    return parse_config(raw, source=str(path), indicators=indicators)


def parse_config(
    raw: dict[str, Any], source: str = "monitor.toml", indicators: tuple[Indicator, ...] | None = None
) -> MonitorConfig:
    """Turn parsed TOML into a MonitorConfig; one clear error line for anything wrong."""
    indicators = registry.INDICATORS if indicators is None else indicators
    fields.reject_unknown(raw.keys(), _TOP_KEYS, source, "")
    nulmeting = as_date(raw.get("nulmeting", DEFAULT_NULMETING), source, "nulmeting")
    known_ids = {indicator.id for indicator in indicators}
    corridors = {
        indicator_id: _parse_corridor(values, source, indicator_id, nulmeting)
        for indicator_id, values in _table(raw, "corridor", source).items()
        if _known(indicator_id, known_ids, source, "corridor")
    }
    streefwaarden = {
        (indicator_id, as_date(peildatum, source, f"streefwaarden.{indicator_id}")): as_number(
            value, source, f"streefwaarden.{indicator_id}.{peildatum}"
        )
        for indicator_id, per_peildatum in _table(raw, "streefwaarden", source).items()
        if _known(indicator_id, known_ids, source, "streefwaarden")
        for peildatum, value in as_table(per_peildatum, source, f"streefwaarden.{indicator_id}").items()
    }
    return MonitorConfig(nulmeting=nulmeting, corridors=corridors, streefwaarden=streefwaarden, indicators=indicators)


def _parse_corridor(values: Any, source: str, indicator_id: str, nulmeting: date) -> Corridor:
    """One [corridor.<indicator>] table, checked; it overrides the default of the indicator's file."""
    where = f"corridor.{indicator_id}"
    corridor = Corridor(**fields.corridor_values(values, source, where))
    if corridor.marge_tot < nulmeting:
        raise ConfigError(
            f"{source}: {where}.marge_tot ({corridor.marge_tot}) ligt vóór de nulmeting ({nulmeting})"
        )
    return corridor


def _table(raw: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    """A top-level table, empty when absent."""
    return as_table(raw.get(key, {}), source, key)


def _known(indicator_id: str, known_ids: set[str], source: str, where: str) -> bool:
    """True for a registered indicator id; an error otherwise."""
    if indicator_id not in known_ids:
        raise ConfigError(
            f"{source}: onbekende indicator '{indicator_id}' in [{where}]; bekend: {', '.join(sorted(known_ids))}"
        )
    return True
