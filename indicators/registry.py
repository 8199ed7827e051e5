"""The steering indicators, read from declarative files: one `<id>.sql` per indicator.

A file is a DuckDB query with its metadata as TOML in a leading block comment (`/* ... */`), so it reads
as one unit and runs as-is once the staging views exist (docs/internals.md "Add an indicator"). The
shipped indicators live in `indicators/definitions/`; a municipality adds its own in the folder
`indicatoren/` beside its monitor.toml (default data/config/indicatoren/). Every file is checked when it
is loaded — metadata fields and types, sources against the contract, the SQL bound against the staging
tables and views, the row shape per soort — and a fault is one line naming the file (ConfigError).

The query returns *unit-level rows per peildatum* with the wijk the unit belongs to on that peildatum;
`indicators.compute` groups them by wijk, gebied and gemeente, so gebied and city figures come from the
records, never from wijk figures. It may read `ref_gebieden`, the `stg_*` tables and the views of
`indicators/views/` (VIEWS). Row shapes per soort (ROW_SHAPES), plus one column per uitsplitsing:
- enquete: one row per answered response: `peildatum, wijkcode, gewicht, is_positief`;
- register: rows whose sums over an area are teller and noemer: `peildatum, wijkcode, teller, noemer`
  (a person row contributes to teller and/or noemer; a population row contributes inwoners to noemer).
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb

from indicators import fields
from core import paths
from core.errors import ConfigError

Richting = Literal["hoger_is_beter", "lager_is_beter"]
Soort = Literal["enquete", "register"]
RICHTINGEN = ("hoger_is_beter", "lager_is_beter")
SOORTEN = ("enquete", "register")

PACKAGE_DIR = Path(__file__).with_name("definitions")
VIEWS_DIR = Path(__file__).with_name("views")
CONFIG_SUBDIR = "indicatoren"  # beside monitor.toml
DEFAULT_CONFIG_DIR = paths.MONITOR_CONFIG.parent / CONFIG_SUBDIR
# The documented views an indicator may read, in creation order (each reads only those before it).
VIEWS = ("wm_peildata", "wm_persoon_ondersteuning", "wm_huishouden_ondersteuning", "wm_inwoners")
# The columns a query returns per soort, with the DuckDB types allowed ("getal": any number).
ROW_SHAPES: dict[str, dict[str, str]] = {
    "enquete": {"peildatum": "DATE", "wijkcode": "VARCHAR", "gewicht": "getal", "is_positief": "BOOLEAN"},
    "register": {"peildatum": "DATE", "wijkcode": "VARCHAR", "teller": "getal", "noemer": "getal"},
}
REQUIRED_FIELDS = ("id", "naam", "omschrijving", "definitie", "richting", "eenheid", "decimalen", "soort",
                   "bronnen", "factor", "onderdrukking", "corridor")
OPTIONAL_FIELDS = ("volgorde", "uitsplitsingen")
ONDERDRUKKING_FIELDS = {"enquete": (("min_n",), ()), "register": (("min_noemer",), ("min_teller",))}
_ID = re.compile(r"[a-z][a-z0-9_]*")
_NUMBER = re.compile(r"(DOUBLE|FLOAT|REAL|DECIMAL.*|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)")


@dataclass(frozen=True)
class Corridor:
    """Allowed temporary deterioration D, held until marge_tot, zero again by herstel_op."""

    max_verslechtering: float
    marge_tot: date
    herstel_op: date
    reden: str


@dataclass(frozen=True)
class Onderdrukking:
    """Suppression thresholds: min_n for surveys; min_noemer and min_teller for registers."""

    min_n: int | None = None
    min_noemer: int | None = None
    min_teller: int | None = None

    def primaire_regel(self) -> str:
        """The primary rule in Dutch."""
        if self.min_n is not None:
            return f"Onderdrukt bij minder dan {self.min_n} respondenten (n < {self.min_n})."
        regels = [f"noemer < {self.min_noemer}"]
        if self.min_teller is not None:
            regels.append(f"0 < teller < {self.min_teller}")
        return "Onderdrukt wanneer " + " of ".join(regels) + "."

    def omschrijving(self) -> str:
        """The whole rule in Dutch, as published: primary plus complementary suppression."""
        return f"{self.primaire_regel()} {AANVULLENDE_ONDERDRUKKING}"


# The complementary rule of indicators/suppression.py, as published with every indicator.
AANVULLENDE_ONDERDRUKKING = (
    "Aanvullend onderdrukt, zodat een onderdrukt cijfer niet uit andere gepubliceerde cijfers kan "
    "worden teruggerekend: is in een gebied (of de gemeente) precies één wijk (of gebied) met "
    "waarnemingen onderdrukt, dan ook de andere wijk (of het andere gebied) met de kleinste noemer; "
    "is een gebied onderdrukt en geen van zijn wijken, dan ook zijn wijk met de kleinste noemer; is "
    "in een uitsplitsing (zoals naar wet) precies één categorie of alleen het totaal onderdrukt, dan "
    "alle categorieën. Dit wordt herhaald tot er niets meer verandert. Tot slot wordt rekenkundig "
    "gecontroleerd dat geen onderdrukt cijfer uit een combinatie van optellingen volgt; zo nodig "
    "wordt nog een cijfer onderdrukt."
)


@dataclass(frozen=True)
class Indicator:
    """One steering indicator: metadata, unit-level query, suppression and corridor defaults."""

    id: str
    naam: str
    omschrijving: str
    definitie: str
    richting: Richting
    eenheid: str
    decimalen: int
    soort: Soort
    bronnen: tuple[str, ...]
    factor: float  # waarde = factor * teller / noemer
    sql: str
    onderdrukking: Onderdrukking
    corridor: Corridor
    uitsplitsingen: tuple[str, ...] = ()
    volgorde: int | None = None  # display order; files without one follow, by id
    bestand: Path | None = field(default=None, compare=False)  # the file it was read from

    @property
    def richting_teken(self) -> int:
        """+1 when a higher value is better, -1 when lower is better."""
        return 1 if self.richting == "hoger_is_beter" else -1


# --- reading the files ---------------------------------------------------------------------------

def read_indicator(path: Path, parser: duckdb.DuckDBPyConnection | None = None) -> Indicator:
    """One indicator file, its metadata checked (the SQL is bound by check_sql); parser: a connection to
    parse the SQL with (a new in-memory database costs about 30 ms, so a caller reading many files passes one)."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: niet te lezen: {error}") from None
    meta, sql = _split(text, source, parser)
    fields.reject_unknown(meta.keys(), REQUIRED_FIELDS + OPTIONAL_FIELDS, source, "")
    fields.require(meta.keys(), REQUIRED_FIELDS, source, "de metadata")
    indicator_id = fields.as_text(meta["id"], source, "id")
    if not _ID.fullmatch(indicator_id) or indicator_id != path.stem:
        raise ConfigError(f"{source}: id {indicator_id!r} moet de bestandsnaam zijn ({indicator_id}.sql) en "
                          "bestaan uit kleine letters, cijfers en _")
    soort = _choice(meta["soort"], SOORTEN, source, "soort")
    factor = fields.as_number(meta["factor"], source, "factor")
    if factor <= 0:
        raise ConfigError(f"{source}: factor moet groter dan 0 zijn, is {factor}")
    uitsplitsingen = fields.as_texts(meta.get("uitsplitsingen", []), source, "uitsplitsingen")
    if not all(_ID.fullmatch(name) for name in uitsplitsingen):
        raise ConfigError(f"{source}: uitsplitsingen zijn kolomnamen (kleine letters, cijfers en _): {uitsplitsingen}")
    return Indicator(
        id=indicator_id,
        naam=fields.as_text(meta["naam"], source, "naam"),
        omschrijving=fields.as_text(meta["omschrijving"], source, "omschrijving"),
        definitie=fields.as_text(meta["definitie"], source, "definitie"),
        richting=_choice(meta["richting"], RICHTINGEN, source, "richting"),
        eenheid=fields.as_text(meta["eenheid"], source, "eenheid"),
        decimalen=fields.as_integer(meta["decimalen"], source, "decimalen"),
        soort=soort,
        bronnen=_bronnen(meta["bronnen"], source),
        factor=factor,
        sql=sql,
        onderdrukking=_onderdrukking(meta["onderdrukking"], soort, source),
        corridor=Corridor(**fields.corridor_values(meta["corridor"], source, "corridor")),
        uitsplitsingen=uitsplitsingen,
        volgorde=fields.as_integer(meta["volgorde"], source, "volgorde", 1) if "volgorde" in meta else None,
        bestand=path,
    )


def _split(text: str, source: str, parser: duckdb.DuckDBPyConnection | None) -> tuple[dict[str, Any], str]:
    """(metadata, query) of a file: TOML in the leading /* ... */, then exactly one SELECT statement."""
    body = text.lstrip()
    end = body.find("*/")
    if not body.startswith("/*") or end < 0:
        raise ConfigError(f"{source}: het bestand moet beginnen met de metadata als TOML tussen /* en */")
    try:
        meta = tomllib.loads(body[2:end])
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: metadata is geen geldige TOML: {error}") from None
    sql = body[end + 2:].strip().rstrip(";").strip()
    try:
        statements = (parser or duckdb.connect()).extract_statements(sql) if sql else []
    except duckdb.Error as error:
        raise ConfigError(f"{source}: SQL is niet te lezen: {_first_line(error)}") from None
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ConfigError(f"{source}: na de metadata hoort precies één SELECT-query (WITH ... SELECT ...)")
    return meta, sql


def _choice(value: Any, allowed: tuple[str, ...], source: str, where: str) -> Any:
    if value not in allowed:
        raise ConfigError(f"{source}: {where} moet een van {', '.join(allowed)} zijn, is {value!r}")
    return value


def _bronnen(value: Any, source: str) -> tuple[str, ...]:
    """The sources of the contract the indicator is built on (they decide 'onvoldoende gegevens')."""
    from etl.contract import BRONNEN  # the source contract: the one list of sources

    bronnen = fields.as_texts(value, source, "bronnen")
    unknown = [bron for bron in bronnen if bron not in BRONNEN]
    if not bronnen or unknown:
        raise ConfigError(f"{source}: bronnen {unknown or '[]'} niet in het broncontract; "
                          f"bekend: {', '.join(sorted(BRONNEN))}")
    return bronnen


def _onderdrukking(value: Any, soort: str, source: str) -> Onderdrukking:
    """min_n for a survey; min_noemer (and optionally min_teller) for a register."""
    required, optional = ONDERDRUKKING_FIELDS[soort]
    value = fields.as_table(value, source, "onderdrukking")
    fields.reject_unknown(value.keys(), required + optional, source, f"onderdrukking (soort {soort}).")
    fields.require(value.keys(), required, source, "[onderdrukking]")
    return Onderdrukking(**{key: fields.as_integer(number, source, f"onderdrukking.{key}", 1)
                            for key, number in value.items()})


# --- checking the SQL against the staging contract -------------------------------------------------

def view_sql(name: str) -> str:
    """The query of one documented view (indicators/views/<name>.sql)."""
    return (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8")


def create_views(con: duckdb.DuckDBPyConnection, nulmeting: date, peildata: Sequence[date] | None = None) -> None:
    """The documented views as temp tables in `con` (over its staging tables), for the given nulmeting.

    peildata: only these peildata (wm_peildata keeps their rows as over every peildatum, previous included).
    """
    con.execute(f"set variable nulmeting = date '{nulmeting.isoformat()}'")
    for name in VIEWS:
        con.execute(f"create or replace temp table {name} as {view_sql(name)}")
        if name == "wm_peildata" and peildata is not None:
            con.execute("delete from wm_peildata where not list_contains($peildata::date[], peildatum)",
                        {"peildata": list(peildata)})


def check_sql(indicators: tuple[Indicator, ...]) -> None:
    """Bind every query against empty staging tables and views; check its columns against the row shape."""
    from etl.staging import create_staging_tables  # the staging contract the queries read

    con = duckdb.connect()
    try:
        create_staging_tables(con)
        create_views(con, date(2015, 1, 1))
        for indicator in indicators:
            try:
                columns = con.execute(f"describe {indicator.sql}").fetchall()
            except duckdb.Error as error:
                raise ConfigError(f"{indicator.bestand or indicator.id}: SQL klopt niet met de stagingtabellen "
                                  f"en views: {_first_line(error)}") from None
            _check_shape(indicator, {name: kind for name, kind, *_ in columns}, len(columns))
    finally:
        con.close()


def _check_shape(indicator: Indicator, columns: dict[str, str], count: int) -> None:
    """The query returns exactly the columns of its soort plus its uitsplitsingen, with fitting types."""
    source = indicator.bestand or indicator.id
    expected = {**ROW_SHAPES[indicator.soort], **{name: "" for name in indicator.uitsplitsingen}}
    shape = ", ".join(expected)
    if count != len(columns):
        raise ConfigError(f"{source}: de query geeft een kolomnaam twee keer; verwacht: {shape}")
    missing = [name for name in expected if name not in columns]
    extra = [name for name in columns if name not in expected]
    if missing or extra:
        wrong = f"mist kolom {', '.join(missing)}" if missing else f"onverwachte kolom {', '.join(extra)}"
        raise ConfigError(f"{source}: verkeerde rijvorm voor soort {indicator.soort}: {wrong}; verwacht: {shape}"
                          + (" (een extra kolom hoort in uitsplitsingen)" if extra else ""))
    for name, kind in ROW_SHAPES[indicator.soort].items():
        fits = _NUMBER.fullmatch(columns[name]) if kind == "getal" else columns[name] == kind
        if not fits:
            raise ConfigError(f"{source}: kolom {name} is {columns[name]}, verwacht {kind}")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


# --- the set ---------------------------------------------------------------------------------------

def indicator_files(config_dir: Path | None) -> list[Path]:
    """The package's files, then those of the configuration folder (absent folder: none)."""
    folders = [PACKAGE_DIR, *([config_dir] if config_dir is not None and config_dir.is_dir() else [])]
    return [path for folder in folders for path in sorted(folder.glob("*.sql"))]


def load_indicators(config_dir: Path | None = DEFAULT_CONFIG_DIR) -> tuple[Indicator, ...]:
    """Every indicator (package plus `config_dir`), checked, in display order: by volgorde, then the
    files without one by id; a duplicate id is an error."""
    with duckdb.connect() as parser:
        indicators = [read_indicator(path, parser) for path in indicator_files(config_dir)]
    seen: dict[str, Path | None] = {}
    for indicator in indicators:
        if indicator.id in seen:
            raise ConfigError(f"{indicator.bestand}: indicator {indicator.id!r} bestaat al ({seen[indicator.id]})")
        seen[indicator.id] = indicator.bestand
    ordered = tuple(sorted(indicators, key=lambda i: (i.volgorde is None, i.volgorde or 0, i.id)))
    check_sql(ordered)
    return ordered


def __getattr__(name: str) -> Any:
    """INDICATORS: the default set (package plus data/config/indicatoren), read once on first use."""
    if name == "INDICATORS":
        globals()["INDICATORS"] = load_indicators()
        return globals()["INDICATORS"]
    raise AttributeError(name)


def indicator_by_id(indicator_id: str) -> Indicator:
    """The definition with this id in the default set (KeyError when unknown)."""
    for indicator in sys.modules[__name__].INDICATORS:
        if indicator.id == indicator_id:
            return indicator
    raise KeyError(indicator_id)


# --- trying one file (docs/internals.md "Add an indicator") ---------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """`python -m indicators.registry FILE [--warehouse W]`: check one file; with a warehouse, run it there."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m indicators.registry", description=main.__doc__)
    parser.add_argument("file", type=Path, help="indicator file <id>.sql")
    parser.add_argument("--warehouse", type=Path, help="warehouse DuckDB to run the query on (opened read-only)")
    parser.add_argument("--nulmeting", type=date.fromisoformat, default=date(2015, 1, 1), metavar="YYYY-MM-DD")
    parser.add_argument("--rijen", type=int, default=10, help="unit rows to print (default 10)")
    args = parser.parse_args(argv)
    try:
        indicator = read_indicator(args.file)
        check_sql((indicator,))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    print(f"{args.file}: in orde ({indicator.soort}, {indicator.naam})")
    if args.warehouse:
        con = duckdb.connect(str(args.warehouse), read_only=True)
        try:
            create_views(con, args.nulmeting)
            con.sql(indicator.sql).limit(args.rijen).show()
        finally:
            con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
