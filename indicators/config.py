"""The monitor configuration (data/config/monitor.toml): nulmeting, corridors, streefwaarden."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from indicators import registry
from indicators.registry import Corridor, Indicator
from core import paths
from core.errors import WijkmonitorError

DEFAULT_NULMETING = date(2015, 1, 1)
_CORRIDOR_KEYS = {"max_verslechtering", "marge_tot", "herstel_op", "reden"}
_TOP_KEYS = {"nulmeting", "corridor", "streefwaarden"}


@dataclass(frozen=True)
class MonitorConfig:
    """Nulmeting, corridor overrides per indicator and streefwaarden per (indicator, peildatum)."""

    nulmeting: date = DEFAULT_NULMETING
    corridors: dict[str, Corridor] = field(default_factory=dict)
    streefwaarden: dict[tuple[str, date], float] = field(default_factory=dict)

    def corridor(self, indicator: Indicator) -> Corridor:
        """The configured corridor of this indicator, or the registry default."""
        return self.corridors.get(indicator.id, indicator.corridor)


def load_config(path: Path | None = None) -> MonitorConfig:
    """Read and check the monitor configuration (default: data/config/monitor.toml)."""
    path = path or paths.MONITOR_CONFIG
    try:
        with path.open("rb") as file:
            raw = tomllib.load(file)
    except FileNotFoundError:
        raise WijkmonitorError(f"{path}: configuratiebestand niet gevonden") from None
    except tomllib.TOMLDecodeError as error:
        raise WijkmonitorError(f"{path}: geen geldige TOML: {error}") from None
    return parse_config(raw, source=str(path))


def parse_config(raw: dict[str, Any], source: str = "monitor.toml") -> MonitorConfig:
    """Turn parsed TOML into a MonitorConfig; one clear error line for anything wrong."""
    _reject_unknown(raw.keys(), _TOP_KEYS, source, "")
    nulmeting = _as_date(raw.get("nulmeting", DEFAULT_NULMETING), source, "nulmeting")
    known_ids = {indicator.id for indicator in registry.INDICATORS}
    corridors = {
        indicator_id: _parse_corridor(values, source, indicator_id, nulmeting)
        for indicator_id, values in _table(raw, "corridor", source).items()
        if _known(indicator_id, known_ids, source, "corridor")
    }
    streefwaarden = {
        (indicator_id, _as_date(peildatum, source, f"streefwaarden.{indicator_id}")): _as_number(
            value, source, f"streefwaarden.{indicator_id}.{peildatum}"
        )
        for indicator_id, per_peildatum in _table(raw, "streefwaarden", source).items()
        if _known(indicator_id, known_ids, source, "streefwaarden")
        for peildatum, value in _as_table(per_peildatum, source, f"streefwaarden.{indicator_id}").items()
    }
    return MonitorConfig(nulmeting=nulmeting, corridors=corridors, streefwaarden=streefwaarden)


def _parse_corridor(values: Any, source: str, indicator_id: str, nulmeting: date) -> Corridor:
    """One [corridor.<indicator>] table, checked."""
    where = f"corridor.{indicator_id}"
    values = _as_table(values, source, where)
    _reject_unknown(values.keys(), _CORRIDOR_KEYS, source, where + ".")
    missing = sorted(_CORRIDOR_KEYS - values.keys())
    if missing:
        raise WijkmonitorError(f"{source}: [{where}] mist {', '.join(missing)}")
    corridor = Corridor(
        max_verslechtering=_as_number(values["max_verslechtering"], source, f"{where}.max_verslechtering"),
        marge_tot=_as_date(values["marge_tot"], source, f"{where}.marge_tot"),
        herstel_op=_as_date(values["herstel_op"], source, f"{where}.herstel_op"),
        reden=str(values["reden"]).strip(),
    )
    if corridor.max_verslechtering < 0:
        raise WijkmonitorError(
            f"{source}: {where}.max_verslechtering moet >= 0 zijn, is {corridor.max_verslechtering}"
        )
    if corridor.herstel_op < corridor.marge_tot:
        raise WijkmonitorError(
            f"{source}: {where}.herstel_op ({corridor.herstel_op}) ligt vóór marge_tot ({corridor.marge_tot})"
        )
    if corridor.marge_tot < nulmeting:
        raise WijkmonitorError(
            f"{source}: {where}.marge_tot ({corridor.marge_tot}) ligt vóór de nulmeting ({nulmeting})"
        )
    if not corridor.reden:
        raise WijkmonitorError(f"{source}: {where}.reden is leeg; geef in één regel de reden")
    return corridor


def _table(raw: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    """A top-level table, empty when absent."""
    return _as_table(raw.get(key, {}), source, key)


def _as_table(value: Any, source: str, where: str) -> dict[str, Any]:
    """Check that a value is a TOML table."""
    if not isinstance(value, dict):
        raise WijkmonitorError(f"{source}: {where} moet een tabel zijn, is {value!r}")
    return value


def _known(indicator_id: str, known_ids: set[str], source: str, where: str) -> bool:
    """True for a registered indicator id; an error otherwise."""
    if indicator_id not in known_ids:
        raise WijkmonitorError(
            f"{source}: onbekende indicator '{indicator_id}' in [{where}]; bekend: {', '.join(sorted(known_ids))}"
        )
    return True


def _reject_unknown(keys: Any, allowed: set[str], source: str, prefix: str) -> None:
    """Typos in keys would silently fall back to defaults, so they are errors."""
    unknown = sorted(set(keys) - allowed)
    if unknown:
        raise WijkmonitorError(f"{source}: onbekende sleutel {prefix}{unknown[0]}")


def _as_date(value: Any, source: str, where: str) -> date:
    """A TOML date or an ISO date string."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise WijkmonitorError(f"{source}: {where} is geen datum (JJJJ-MM-DD): {value!r}") from None


def _as_number(value: Any, source: str, where: str) -> float:
    """A TOML integer or float (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WijkmonitorError(f"{source}: {where} is geen getal: {value!r}")
    return float(value)
