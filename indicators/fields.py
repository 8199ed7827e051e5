"""Checked reading of TOML values shared by monitor.toml and the indicator files: one clear line per fault."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.errors import ConfigError

CORRIDOR_KEYS = ("max_verslechtering", "marge_tot", "herstel_op", "reden")


def as_table(value: Any, source: str, where: str) -> dict[str, Any]:
    """A TOML table."""
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {where} moet een tabel zijn, is {value!r}")
    return value


def reject_unknown(keys: Any, allowed: Any, source: str, prefix: str) -> None:
    """Typos in keys would silently fall back to defaults, so they are errors."""
    unknown = sorted(set(keys) - set(allowed))
    if unknown:
        raise ConfigError(f"{source}: onbekende sleutel {prefix}{unknown[0]}; bekend: {', '.join(sorted(allowed))}")


def require(keys: Any, required: Any, source: str, where: str) -> None:
    """Every required key is present."""
    missing = [key for key in required if key not in set(keys)]
    if missing:
        raise ConfigError(f"{source}: {where} mist {', '.join(sorted(missing))}")


def as_date(value: Any, source: str, where: str) -> date:
    """A TOML date or an ISO date string."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{source}: {where} is geen datum (JJJJ-MM-DD): {value!r}") from None


def as_number(value: Any, source: str, where: str) -> float:
    """A TOML integer or float (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{source}: {where} is geen getal: {value!r}")
    return float(value)


def as_integer(value: Any, source: str, where: str, minimum: int = 0) -> int:
    """A TOML integer of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{source}: {where} moet een geheel getal >= {minimum} zijn, is {value!r}")
    return value


def as_text(value: Any, source: str, where: str) -> str:
    """A non-empty TOML string, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: {where} moet een niet-lege tekst zijn, is {value!r}")
    return value.strip()


def as_texts(value: Any, source: str, where: str) -> tuple[str, ...]:
    """A TOML array of distinct non-empty strings."""
    if not isinstance(value, list):
        raise ConfigError(f"{source}: {where} moet een lijst van teksten zijn, is {value!r}")
    texts = tuple(as_text(item, source, where) for item in value)
    if len(set(texts)) != len(texts):
        raise ConfigError(f"{source}: {where} noemt een waarde twee keer: {list(texts)!r}")
    return texts


def corridor_values(values: Any, source: str, where: str) -> dict[str, Any]:
    """A corridor table checked field by field: max_verslechtering >= 0, marge_tot <= herstel_op, a reason."""
    values = as_table(values, source, where)
    reject_unknown(values.keys(), CORRIDOR_KEYS, source, where + ".")
    require(values.keys(), CORRIDOR_KEYS, source, f"[{where}]")
    checked = {
        "max_verslechtering": as_number(values["max_verslechtering"], source, f"{where}.max_verslechtering"),
        "marge_tot": as_date(values["marge_tot"], source, f"{where}.marge_tot"),
        "herstel_op": as_date(values["herstel_op"], source, f"{where}.herstel_op"),
        "reden": str(values["reden"]).strip(),
    }
    if checked["max_verslechtering"] < 0:
        raise ConfigError(f"{source}: {where}.max_verslechtering moet >= 0 zijn, is {checked['max_verslechtering']}")
    if checked["herstel_op"] < checked["marge_tot"]:
        raise ConfigError(
            f"{source}: {where}.herstel_op ({checked['herstel_op']}) ligt vóór marge_tot ({checked['marge_tot']})"
        )
    if not checked["reden"]:
        raise ConfigError(f"{source}: {where}.reden is leeg; geef in één regel de reden")
    return checked
