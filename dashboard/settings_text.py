"""The settings in force (monitor.toml with the sections edited on /instellingen laid over it, exactly as
indicators.config.load_config decides) and what each change changed, in Dutch: for the page and the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from core.eenheid import format_number
from dashboard.format import format_date
from indicators import settings
from indicators.config import DEFAULT_NULMETING, effective_raw, read_toml

WET_LABELS = {"wmo": "Wmo", "jeugdwet": "Jeugdwet", "participatiewet": "Participatiewet"}


def euros_text(value: float | None) -> str:
    """12500000 -> '12.500.000'; with cents when it has them; None -> ''."""
    if value is None:
        return ""
    return format_number(value, 0 if float(value).is_integer() else 2)


def amounts_of(section: dict | None) -> dict[tuple[int, str], float]:
    """{wet: {"2022": euros}} -> {(2022, wet): euros}."""
    return {(int(jaar), wet): float(value) for wet, per_jaar in (section or {}).items()
            for jaar, value in per_jaar.items()}


def section_of(amounts: dict[tuple[int, str], float]) -> dict[str, dict[str, float | int]]:
    """{(2022, wet): euros} -> {wet: {"2022": euros}} (whole euros as integers, as in monitor.toml)."""
    section: dict[str, dict[str, float | int]] = {}
    for (jaar, wet), value in sorted(amounts.items()):
        section.setdefault(wet, {})[str(jaar)] = int(value) if float(value).is_integer() else value
    return section


def werkwijzen_of(section: Any) -> list[dict]:
    """[[werkwijzen]] in JSON shape: dates as ISO text, wijken as upper-case codes."""
    return [{"naam": str(w.get("naam", "")), "omschrijving": str(w.get("omschrijving", "")),
             "wijken": [str(code).upper() for code in w.get("wijken", [])], "startdatum": str(w.get("startdatum", ""))}
            for w in (section or [])]


class InForce:
    """The sections in force as the ETL will read them, monitor.toml's, and the history of the edits."""

    def __init__(self, config: Path):
        self.raw = read_toml(config)
        self.changes = settings.history(settings.store_path(config))
        self.latest = settings.latest(self.changes)
        self.sections = effective_raw(self.raw, {name: c.inhoud for name, c in self.latest.items()})
        self.version = self.changes[-1] if self.changes else None

    def section_version(self, onderdeel: str) -> int:
        change = self.latest.get(onderdeel)
        return change.versie if change else 0

    def werkwijzen(self) -> list[dict]:
        return werkwijzen_of(self.sections.get("werkwijzen"))

    def amounts(self, onderdeel: str) -> dict[tuple[int, str], float]:
        return amounts_of(self.sections.get(onderdeel))

    def nulmeting_year(self) -> int:
        value = self.raw.get("nulmeting", DEFAULT_NULMETING)
        return value.year if isinstance(value, date) else date.fromisoformat(str(value)).year

    def before(self, change: settings.Change) -> Any:
        """The section as it was before `change`: the previous edit, or monitor.toml's."""
        earlier = [c for c in self.changes if c.onderdeel == change.onderdeel and c.versie < change.versie]
        previous = earlier[-1].inhoud if earlier else None
        return self.raw.get(change.onderdeel) if previous is None else previous

    def after(self, change: settings.Change) -> Any:
        return self.raw.get(change.onderdeel) if change.inhoud is None else change.inhoud


def describe(onderdeel: str, before: Any, after: Any, names: dict[str, str]) -> list[str]:
    """What a change changed, in Dutch lines (werkwijzen by name; amounts by year and wet)."""
    if onderdeel == "werkwijzen":
        old = {w["naam"]: w for w in werkwijzen_of(before)}
        new = {w["naam"]: w for w in werkwijzen_of(after)}
        lines = [f"toegevoegd: {naam}" for naam in new if naam not in old]
        lines += [f"verwijderd: {naam}" for naam in old if naam not in new]
        for naam in (n for n in new if n in old and new[n] != old[n]):
            parts = []
            if new[naam]["omschrijving"] != old[naam]["omschrijving"]:
                parts.append("omschrijving")
            added = [names.get(c, c) for c in new[naam]["wijken"] if c not in old[naam]["wijken"]]
            gone = [names.get(c, c) for c in old[naam]["wijken"] if c not in new[naam]["wijken"]]
            if added:
                parts.append("wijken erbij: " + ", ".join(added))
            if gone:
                parts.append("wijken eraf: " + ", ".join(gone))
            if new[naam]["startdatum"] != old[naam]["startdatum"]:
                parts.append(f"startdatum {format_date(old[naam]['startdatum'])} → {format_date(new[naam]['startdatum'])}")
            lines.append(f"gewijzigd: {naam} ({'; '.join(parts) or 'volgorde'})")
        return lines or ["geen verschil"]
    old_amounts, new_amounts = amounts_of(before), amounts_of(after)
    lines = []
    for key in sorted(set(old_amounts) | set(new_amounts)):
        jaar, wet = key
        where = f"{jaar} {WET_LABELS.get(wet, wet)}"
        if key not in old_amounts:
            lines.append(f"{where}: nieuw € {euros_text(new_amounts[key])}")
        elif key not in new_amounts:
            lines.append(f"{where}: verwijderd (was € {euros_text(old_amounts[key])})")
        elif old_amounts[key] != new_amounts[key]:
            lines.append(f"{where}: € {euros_text(old_amounts[key])} → € {euros_text(new_amounts[key])}")
    return lines or ["geen verschil"]
