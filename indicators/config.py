"""The monitor configuration: monitor.toml (nulmeting, corridor overrides, streefwaarden, similar wijken,
werkwijzen, begroting and taakstelling) and the municipality's own indicator files in the folder
`indicatoren/` beside it (default data/config/)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from etl.contract import KOSTEN_WETTEN
from indicators import fields, registry, settings
from indicators.fields import as_date, as_integer, as_number, as_table, as_text, as_texts
from indicators.registry import Corridor, Indicator
from core import paths
from core.errors import ConfigError

DEFAULT_NULMETING = date(2015, 1, 1)
_TOP_KEYS = {"nulmeting", "corridor", "streefwaarden", "vergelijken", "werkwijzen", "begroting", "taakstelling"}
_VERGELIJKEN_KEYS = ("kenmerken", "k")
_WERKWIJZE_KEYS = ("naam", "omschrijving", "wijken", "startdatum")


@dataclass(frozen=True)
class Vergelijken:
    """Similar wijken (indicators.md v2, "Comparing fairly"): which kenmerken (None: every kenmerk present
    for all wijken) and how many neighbours."""

    kenmerken: tuple[str, ...] | None = None
    k: int = 5


@dataclass(frozen=True)
class Werkwijze:
    """An organisational variant: a group of wijken that works in a particular way from startdatum."""

    naam: str
    omschrijving: str
    wijken: tuple[str, ...]
    startdatum: date


@dataclass(frozen=True)
class MonitorConfig:
    """Nulmeting, corridor overrides per indicator, streefwaarden per (indicator, peildatum) and the
    indicators in force (default: the package's plus data/config/indicatoren/)."""

    nulmeting: date = DEFAULT_NULMETING
    corridors: dict[str, Corridor] = field(default_factory=dict)
    streefwaarden: dict[tuple[str, date], float] = field(default_factory=dict)
    indicators: tuple[Indicator, ...] = field(default_factory=lambda: registry.INDICATORS)
    vergelijken: Vergelijken = field(default_factory=Vergelijken)
    werkwijzen: tuple[Werkwijze, ...] = ()
    # euros per (calendar year, wet): the budget for the costs, and the savings target against it
    begroting: dict[tuple[int, str], float] = field(default_factory=dict)
    taakstelling: dict[tuple[int, str], float] = field(default_factory=dict)
    # the version of the dashboard's settings store laid over monitor.toml (0: monitor.toml alone) and its time
    instellingen_versie: int = 0
    instellingen_op: datetime | None = None

    def corridor(self, indicator: Indicator) -> Corridor:
        """The configured corridor of this indicator, or the registry default."""
        return self.corridors.get(indicator.id, indicator.corridor)


def load_config(path: Path | None = None) -> MonitorConfig:
    """Read and check the monitor configuration (default: data/config/monitor.toml) with the sections edited
    in the dashboard laid over it (effective_raw), and the indicator files: the package's plus those in the
    folder indicatoren/ beside the configuration file."""
    path = path or paths.MONITOR_CONFIG
    raw = read_toml(path)
    indicators = registry.load_indicators(path.parent / registry.CONFIG_SUBDIR)
    changes = settings.history(settings.store_path(path))
    if not changes:
        return parse_config(raw, source=str(path), indicators=indicators)
    newest = changes[-1]
    edited = {name: change.inhoud for name, change in settings.latest(changes).items()}
    config = parse_config(effective_raw(raw, edited), indicators=indicators,
                          source=f"{path} met {settings.STORE_NAME} versie {newest.versie}")
    return replace(config, instellingen_versie=newest.versie, instellingen_op=newest.op)


def read_toml(path: Path) -> dict[str, Any]:
    """monitor.toml as parsed TOML; one clear line when it is missing or not TOML."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuratiebestand niet gevonden") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: geen geldige TOML: {error}") from None


def effective_raw(raw: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    """The one rule for the configuration in force: a section edited in the dashboard (werkwijzen, begroting,
    taakstelling) replaces that whole section of monitor.toml; None (set back) leaves monitor.toml's."""
    merged = dict(raw)
    merged.update({name: inhoud for name, inhoud in edited.items() if inhoud is not None})
    return merged


def save_setting(path: Path, onderdeel: str, inhoud: Any, reden: str, door: str, gemaakt_op: int) -> int:
    """Store an edited section as a new settings version, checked first by parse_config exactly as the ETL
    will read it (settings.SettingRejected with the parser's line when it would be invalid)."""
    raw = read_toml(path)
    indicators = registry.load_indicators(path.parent / registry.CONFIG_SUBDIR)

    def check(edited: dict[str, Any]) -> None:
        try:
            parse_config(effective_raw(raw, edited), source="wijziging", indicators=indicators)
        except ConfigError as error:  # the parser's line without its "file: " prefix: the page names the section
            raise ConfigError(str(error).removeprefix("wijziging: ")) from None

    return settings.save(settings.store_path(path), onderdeel, inhoud, reden, door, gemaakt_op, check)


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
    return MonitorConfig(
        nulmeting=nulmeting, corridors=corridors, streefwaarden=streefwaarden, indicators=indicators,
        vergelijken=_parse_vergelijken(raw, source), werkwijzen=_parse_werkwijzen(raw, source),
        begroting=_parse_amounts(raw, "begroting", source), taakstelling=_parse_amounts(raw, "taakstelling", source),
    )


def _parse_vergelijken(raw: dict[str, Any], source: str) -> Vergelijken:
    """[vergelijken]: kenmerken (list of names) and k (a whole number >= 1)."""
    values = _table(raw, "vergelijken", source)
    fields.reject_unknown(values.keys(), _VERGELIJKEN_KEYS, source, "vergelijken.")
    k = as_integer(values.get("k", Vergelijken.k), source, "vergelijken.k", minimum=1)
    kenmerken = values.get("kenmerken")
    if kenmerken is not None:
        kenmerken = as_texts(kenmerken, source, "vergelijken.kenmerken")
    return Vergelijken(kenmerken=kenmerken, k=k)


def _parse_werkwijzen(raw: dict[str, Any], source: str) -> tuple[Werkwijze, ...]:
    """[[werkwijzen]]: naam, omschrijving, wijken (wijkcodes), startdatum; names unique."""
    entries = raw.get("werkwijzen", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: werkwijzen moet een lijst van tabellen zijn ([[werkwijzen]])")
    result: list[Werkwijze] = []
    for number, entry in enumerate(entries, start=1):
        where = f"werkwijzen[{number}]"
        entry = as_table(entry, source, where)
        fields.reject_unknown(entry.keys(), _WERKWIJZE_KEYS, source, where + ".")
        fields.require(entry.keys(), _WERKWIJZE_KEYS, source, f"[{where}]")
        naam = as_text(entry["naam"], source, f"{where}.naam")
        if naam in {werkwijze.naam for werkwijze in result}:
            raise ConfigError(f"{source}: werkwijze '{naam}' staat er twee keer in")
        wijken = tuple(code.upper() for code in as_texts(entry["wijken"], source, f"{where}.wijken"))
        if not wijken:
            raise ConfigError(f"{source}: [{where}] noemt geen wijken")
        result.append(Werkwijze(naam, as_text(entry["omschrijving"], source, f"{where}.omschrijving"), wijken,
                                as_date(entry["startdatum"], source, f"{where}.startdatum")))
    return tuple(result)


def _parse_amounts(raw: dict[str, Any], key: str, source: str) -> dict[tuple[int, str], float]:
    """[begroting.<wet>] or [taakstelling.<wet>]: euros per calendar year ("2022" = 7_500_000), >= 0."""
    amounts: dict[tuple[int, str], float] = {}
    for wet, per_jaar in _table(raw, key, source).items():
        if wet not in KOSTEN_WETTEN:
            raise ConfigError(f"{source}: onbekende wet '{wet}' in [{key}]; bekend: {', '.join(KOSTEN_WETTEN)}")
        for jaar, value in as_table(per_jaar, source, f"{key}.{wet}").items():
            where = f"{key}.{wet}.{jaar}"
            if not (str(jaar).isdigit() and len(str(jaar)) == 4):
                raise ConfigError(f"{source}: {where}: het jaar moet vier cijfers zijn")
            amount = as_number(value, source, where)
            if amount < 0:
                raise ConfigError(f"{source}: {where} moet >= 0 zijn, is {amount}")
            amounts[(int(jaar), wet)] = amount
    return amounts


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
