"""The publication contract: every table and column of the published store, in one declaration.

The published store holds aggregates only, suppression applied; it is the one thing the dashboard and
the export read. Everything else is derived from TABLES below:
- the DDL etl/publish.py creates the store with (`ddl()`), and its allowlist (`columns()`);
- the Arrow schemas the builders fill (`arrow_schema(name)`);
- the dashboard's list of tables and the empty frames of tables an older store lacks (`later`);
- the export columns of indicators.md "Publication contract" (`EXPORT_COLUMNS`) and the figures a
  suppressed row never carries (`SUPPRESSED_COLUMNS`).
A new published table = one `Table` entry here plus its builder. No person-level column may ever be
declared here (etl/publish.py refuses such a contract).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# The DuckDB types the contract uses, and their Arrow counterparts.
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    """One published column: name, DuckDB type, whether it may be NULL, and what it means."""

    name: str
    type: str
    nullable: bool
    meaning: str
    export: bool = False  # part of the export contract (indicators.md, long format)
    hidden_when_suppressed: bool = False  # NULL in every view and export when onderdrukt


@dataclass(frozen=True)
class Table:
    """One published table: what one row is, its columns in order, its key, and whether older stores lack it."""

    name: str
    meaning: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    later: bool = False  # added after the first publications: a reader treats a store without it as empty

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(column.name for column in self.columns)


def _c(name: str, type_: str, meaning: str, *, null: bool = True, export: bool = False, hidden: bool = False) -> Column:
    """A column declaration, short enough to read the tables below as a list."""
    return Column(name, type_, null, meaning, export, hidden)


TABLES: tuple[Table, ...] = (
    Table(
        "indicator_values",
        "One row per (indicator, peildatum, niveau, gebiedcode): the export contract plus what the dashboard "
        "needs precomputed.",
        (
            _c("indicator", "VARCHAR", "indicator id of the registry", null=False, export=True),
            _c("peildatum", "DATE", "reference date P", null=False, export=True),
            _c("niveau", "VARCHAR", "wijk | gebied | gemeente (core.niveau)", null=False, export=True),
            _c("gebiedcode", "VARCHAR", "WK001401 | gebied code of the area table | GM0014", null=False,
               export=True),
            _c("gebiedsnaam", "VARCHAR", "name of the area", null=False, export=True),
            _c("waarde", "DOUBLE", "the figure, in the indicator's unit", export=True, hidden=True),
            _c("teller", "DOUBLE", "numerator (weighted sum for surveys)", export=True, hidden=True),
            _c("noemer", "DOUBLE", "denominator (weighted sum for surveys)", export=True, hidden=True),
            _c("n", "BIGINT", "survey: unweighted responses; register: NULL", export=True),
            _c("ci_laag", "DOUBLE", "survey: lower bound of the Wilson 95% interval on n_eff; register: NULL",
               export=True, hidden=True),
            _c("ci_hoog", "DOUBLE", "survey: upper bound of that interval; register: NULL", export=True, hidden=True),
            _c("onderdrukt", "BOOLEAN", "true when the figure is suppressed (statistical disclosure control)",
               null=False, export=True),
            _c("verschil_nulmeting", "DOUBLE", "waarde minus the nulmeting's waarde (same area)", export=True,
               hidden=True),
            _c("index_nulmeting", "DOUBLE", "100 x waarde / the nulmeting's waarde", export=True, hidden=True),
            _c("significant", "BOOLEAN", "survey: change against the nulmeting significant (5%); register: NULL"),
            _c("status", "VARCHAR", "status against nulmeting and corridor (core.status)", null=False, export=True),
            _c("marge_grens", "DOUBLE", "worst value still inside the corridor on this peildatum"),
            _c("streefwaarde", "DOUBLE", "target for this peildatum, if one is set"),
            _c("verschil_vorige", "DOUBLE", "change since the previous peildatum (same area), NULL if unknown"),
            _c("onderdrukking", "VARCHAR", "only when onderdrukt: primair (below the threshold) | aanvullend "
               "(complementary)"),
            _c("reden", "VARCHAR", "for a figure with incomplete inputs (onderdrukt false, status onvoldoende "
               "gegevens): the Dutch reason (indicators/compute.py REDEN_*)"),
        ),
        primary_key=("indicator", "peildatum", "niveau", "gebiedcode"),
    ),
    Table(
        "indicator_breakdown",
        "Breakdowns (e.g. tevredenheid by wet), same suppression rules; n is NULL for a suppressed or empty "
        "category.",
        (
            _c("indicator", "VARCHAR", "indicator id", null=False),
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("niveau", "VARCHAR", "wijk | gebied | gemeente", null=False),
            _c("gebiedcode", "VARCHAR", "area code", null=False),
            _c("uitsplitsing", "VARCHAR", "what the breakdown is by, e.g. wet", null=False),
            _c("categorie", "VARCHAR", "the category, e.g. wmo | jeugdwet", null=False),
            _c("waarde", "DOUBLE", "the figure of the category", hidden=True),
            _c("teller", "DOUBLE", "numerator", hidden=True),
            _c("noemer", "DOUBLE", "denominator", hidden=True),
            _c("n", "BIGINT", "survey: unweighted responses; NULL when suppressed or empty"),
            _c("ci_laag", "DOUBLE", "lower bound of the 95% interval", hidden=True),
            _c("ci_hoog", "DOUBLE", "upper bound of the 95% interval", hidden=True),
            _c("onderdrukt", "BOOLEAN", "true when suppressed", null=False),
            _c("onderdrukking", "VARCHAR", "as indicator_values.onderdrukking"),
            _c("reden", "VARCHAR", "as indicator_values.reden (the reason of the area's own figure)"),
        ),
    ),
    Table(
        "indicators",
        "The registry as published: one row per indicator, in display order.",
        (
            _c("indicator", "VARCHAR", "indicator id", null=False),
            _c("volgorde", "INTEGER", "display order, from 1", null=False),
            _c("naam", "VARCHAR", "Dutch UI name", null=False),
            _c("omschrijving", "VARCHAR", "one or two Dutch sentences", null=False),
            _c("definitie", "VARCHAR", "the exact computation, in Dutch", null=False),
            _c("richting", "VARCHAR", "hoger_is_beter | lager_is_beter (core.richting)", null=False),
            _c("eenheid", "VARCHAR", "the unit (core.eenheid), e.g. % | ratio | per 1.000 inwoners", null=False),
            _c("decimalen", "INTEGER", "digits shown after the comma", null=False),
            _c("soort", "VARCHAR", "enquete | register", null=False),
            _c("bronnen", "VARCHAR", "comma-separated source names", null=False),
            _c("onderdrukking", "VARCHAR", "the suppression rule, in Dutch", null=False),
        ),
        primary_key=("indicator",),
    ),
    Table(
        "corridor",
        "The tolerance corridor in force per indicator.",
        (
            _c("indicator", "VARCHAR", "indicator id", null=False),
            _c("max_verslechtering", "DOUBLE", "D, the maximum temporary deterioration in the indicator's unit",
               null=False),
            _c("marge_tot", "DATE", "D holds until this date", null=False),
            _c("herstel_op", "DATE", "then narrows linearly to 0 by this date", null=False),
            _c("reden", "VARCHAR", "why this corridor", null=False),
        ),
        primary_key=("indicator",),
    ),
    Table(
        "streefwaarden",
        "Configured targets per indicator and peildatum.",
        (
            _c("indicator", "VARCHAR", "indicator id", null=False),
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("streefwaarde", "DOUBLE", "the target value", null=False),
        ),
    ),
    Table(
        "peildata",
        "Every published peildatum.",
        (
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("is_nulmeting", "BOOLEAN", "true for the nulmeting P0", null=False),
        ),
        primary_key=("peildatum",),
    ),
    Table(
        "areas",
        "Every area of every level with its enclosing area and validity.",
        (
            _c("niveau", "VARCHAR", "wijk | gebied | gemeente", null=False),
            _c("gebiedcode", "VARCHAR", "area code", null=False),
            _c("gebiedsnaam", "VARCHAR", "area name", null=False),
            _c("bovenliggend", "VARCHAR", "enclosing area: wijk -> gebied, gebied -> gemeente, gemeente -> NULL"),
            _c("geldig_van", "DATE", "valid from", null=False),
            _c("geldig_tot", "DATE", "valid until (exclusive), NULL while valid"),
            _c("in_gemeente_sinds", "DATE", "joined the gemeente on this date (earlier figures recomputed to "
               "today's borders); NULL: always part of it"),
        ),
    ),
    Table(
        "geometry",
        "One row per wijk of the boundary file.",
        (
            _c("wijkcode", "VARCHAR", "CBS wijk code", null=False),
            _c("wijknaam", "VARCHAR", "wijk name", null=False),
            _c("geojson", "VARCHAR", "the GeoJSON geometry object of the wijk (WGS84)", null=False),
        ),
        primary_key=("wijkcode",),
    ),
    Table(
        "dq_sources",
        "Data quality of the run that produced this file: one row per source.",
        (
            _c("bron", "VARCHAR", "source name", null=False),
            _c("laatste_lading", "TIMESTAMP", "when a file of the source was last loaded"),
            _c("bestanden", "INTEGER", "files delivered", null=False),
            _c("bestanden_afgewezen", "INTEGER", "files rejected or held back", null=False),
            _c("rijen_geleverd", "BIGINT", "rows delivered", null=False),
            _c("rijen_geaccepteerd", "BIGINT", "rows accepted", null=False),
            _c("rijen_quarantaine", "BIGINT", "rows quarantined", null=False),
            _c("waarschuwingen", "BIGINT", "rows with a warning (kept)", null=False),
            _c("recentste_datum", "DATE", "freshness: latest peildatum/veldwerk/begindatum in the data"),
            _c("status", "VARCHAR", "in orde | waarschuwing | fout", null=False),
        ),
        primary_key=("bron",),
    ),
    Table(
        "dq_rules",
        "Data quality: one row per source and broken rule.",
        (
            _c("bron", "VARCHAR", "source name", null=False),
            _c("kolom", "VARCHAR", "the column the rule is about"),
            _c("regel", "VARCHAR", "Dutch description of the rule", null=False),
            _c("ernst", "VARCHAR", "fout (row quarantined) | waarschuwing (row kept)", null=False),
            _c("aantal", "BIGINT", "number of rows", null=False),
        ),
    ),
    Table(
        "dq_files",
        "Data quality: one row per delivered file.",
        (
            _c("bron", "VARCHAR", "source name", null=False),
            _c("bestand", "VARCHAR", "file name", null=False),
            _c("rijen", "BIGINT", "rows in the file"),
            _c("status", "VARCHAR", "geaccepteerd | afgewezen | vorige versie behouden | ...", null=False),
            _c("reden", "VARCHAR", "why (file, row, column and rule; never a row's content)"),
            _c("geladen_op", "TIMESTAMP", "when it was loaded"),
        ),
    ),
    Table(
        "meta",
        "Key/value facts about this publication (gepubliceerd_op, nulmeting, bron_geometrie, versie, ...).",
        (
            _c("sleutel", "VARCHAR", "the fact's name", null=False),
            _c("waarde", "VARCHAR", "its value", null=False),
        ),
        primary_key=("sleutel",),
    ),
    Table(
        "dq_incomplete",
        "The causes of figures with incomplete inputs, per indicator and peildatum: a source without accepted "
        "data covering the period (wijkcode NULL), or a wijk with register data but no bevolking row.",
        (
            _c("indicator", "VARCHAR", "indicator id", null=False),
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("bron", "VARCHAR", "the source whose data is missing", null=False),
            _c("wijkcode", "VARCHAR", "the wijk without a bevolking row; NULL for a whole source"),
            _c("reden", "VARCHAR", "the same Dutch text as indicator_values.reden", null=False),
        ),
        later=True,
    ),
    Table(
        "bevolking",
        "Population per area and peildatum as delivered; a gebied or the gemeente is NULL when one of its "
        "wijken has no bevolking row then.",
        (
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("niveau", "VARCHAR", "wijk | gebied | gemeente", null=False),
            _c("gebiedcode", "VARCHAR", "area code", null=False),
            _c("inwoners", "BIGINT", "inhabitants"),
            _c("inwoners_0_17", "BIGINT", "inhabitants aged 0-17"),
            _c("huishoudens", "BIGINT", "households"),
        ),
        primary_key=("peildatum", "niveau", "gebiedcode"),
        later=True,
    ),
    # ---- Comparing fairly (indicators.md v2; indicators/vergelijking.py) ----
    Table(
        "context",
        "The context of every wijk with a bevolking row on P: aandeel_0_17 and personen_per_huishouden from "
        "bevolking, and the configured kenmerken (their latest peildatum on or before P).",
        (
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("wijkcode", "VARCHAR", "the wijk", null=False),
            _c("kenmerk", "VARCHAR", "aandeel_0_17 | personen_per_huishouden | a kenmerk of the source kenmerken",
               null=False),
            _c("waarde", "DOUBLE", "the figure (aandeel_0_17 as a fraction); NULL when it cannot be computed "
               "(0 inwoners or huishoudens)"),
            _c("bron", "VARCHAR", "bevolking | kenmerken", null=False),
            _c("bron_peildatum", "DATE", "the peildatum of the figure used; NULL when the wijk has none on or "
               "before P"),
            _c("gebruikt", "BOOLEAN", "the variable enters the distance on P (present for every wijk, spread > 0)",
               null=False),
        ),
        primary_key=("peildatum", "wijkcode", "kenmerk"),
        later=True,
    ),
    Table(
        "vergelijkbare_wijken",
        "The k most similar other wijken per wijk and P (Euclidean distance over z-scores; ties by wijkcode).",
        (
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("wijkcode", "VARCHAR", "the wijk", null=False),
            _c("rang", "INTEGER", "1 = most similar", null=False),
            _c("buur_wijkcode", "VARCHAR", "the similar wijk", null=False),
            _c("afstand", "DOUBLE", "Euclidean distance over the z-scores of the variables used", null=False),
            _c("kenmerken", "VARCHAR", "the context variables used on P, comma-separated", null=False),
        ),
        primary_key=("peildatum", "wijkcode", "rang"),
        later=True,
    ),
    Table(
        "referentiewaarden",
        "Per indicator, P and wijk: the unweighted mean of the published values of its similar wijken.",
        (
            _c("indicator", "VARCHAR", "indicator id", null=False),
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("wijkcode", "VARCHAR", "the wijk", null=False),
            _c("waarde", "DOUBLE", "the reference value; NULL when no similar wijk has a published value"),
            _c("n_buren", "INTEGER", "similar wijken whose value is in the mean", null=False),
            _c("n_onderdrukt", "INTEGER", "left out: suppressed (onvoldoende waarnemingen)", null=False),
            _c("n_ontbrekend", "INTEGER", "left out: no figure (onvoldoende gegevens, or no row)", null=False),
        ),
        primary_key=("indicator", "peildatum", "wijkcode"),
        later=True,
    ),
    Table(
        "werkwijze_vergelijking",
        "Verschil-in-verschil per werkwijze, indicator and peildatum P after its startdatum, from the published "
        "wijk values.",
        (
            _c("werkwijze", "VARCHAR", "the werkwijze's naam", null=False),
            _c("indicator", "VARCHAR", "indicator id", null=False),
            _c("peildatum", "DATE", "reference date P (> startdatum)", null=False),
            _c("peildatum_start", "DATE", "P_S: the last peildatum on or before the startdatum", null=False),
            _c("did", "DOUBLE", "mean change of the group minus that of the other wijken; NULL when a group has "
               "no wijk with both values"),
            _c("ci_laag", "DOUBLE", "survey: lower bound of the 95% interval; register: NULL"),
            _c("ci_hoog", "DOUBLE", "survey: upper bound of the 95% interval; register: NULL"),
            _c("groep_n", "INTEGER", "wijken of the group in the mean", null=False),
            _c("overig_n", "INTEGER", "other wijken in the mean", null=False),
            _c("groep_weggelaten", "INTEGER", "wijken of the group left out: a value missing on P or P_S", null=False),
            _c("overig_weggelaten", "INTEGER", "other wijken left out likewise", null=False),
            _c("groep_verandering", "DOUBLE", "mean change of the group since P_S"),
            _c("overig_verandering", "DOUBLE", "mean change of the other wijken since P_S"),
        ),
        primary_key=("werkwijze", "indicator", "peildatum"),
        later=True,
    ),
    Table(
        "werkwijzen",
        "The werkwijzen of the configuration as used in this publication: one row per werkwijze and wijk.",
        (
            _c("werkwijze", "VARCHAR", "its naam", null=False),
            _c("omschrijving", "VARCHAR", "one Dutch sentence", null=False),
            _c("startdatum", "DATE", "from when the group works this way", null=False),
            _c("wijkcode", "VARCHAR", "a wijk of the group", null=False),
        ),
        primary_key=("werkwijze", "wijkcode"),
        later=True,
    ),
    # Costs (indicators.md v2 "Costs"; indicators/kosten.py) and the configured begroting / taakstelling.
    Table(
        "kosten",
        "Costs per area, peildatum and wet ('totaal' or a wet of the source kosten): the cost lines prorated "
        "over W(P). A suppressed row (dominance: fewer than 5 clients, the two largest above 85%, or fewer than "
        "10 inhabitants; or complementary) carries no amount and no counts. Empty when kosten was never delivered.",
        (
            _c("peildatum", "DATE", "reference date P", null=False),
            _c("niveau", "VARCHAR", "wijk | gebied | gemeente", null=False),
            _c("gebiedcode", "VARCHAR", "area code", null=False),
            _c("gebiedsnaam", "VARCHAR", "area name", null=False),
            _c("wet", "VARCHAR", "totaal | wmo | jeugdwet | participatiewet", null=False),
            _c("bedrag", "DOUBLE", "euros: the lines' amounts prorated over W(P)"),
            _c("inwoners", "BIGINT", "inhabitants on P (NULL when a wijk with costs lacks its bevolking row)"),
            _c("clienten", "BIGINT", "distinct persons with a cost line overlapping W(P) in the area"),
            _c("kosten_per_inwoner", "DOUBLE", "bedrag / inwoners, euros per inhabitant"),
            _c("kosten_per_client", "DOUBLE", "bedrag / clienten, euros per client"),
            _c("onderdrukt", "BOOLEAN", "suppressed: no amount, counts or figures", null=False),
            _c("onderdrukking", "VARCHAR", "primair | aanvullend when suppressed"),
            _c("reden", "VARCHAR", "why a figure is missing for incomplete inputs (Dutch)"),
        ),
        primary_key=("peildatum", "niveau", "gebiedcode", "wet"),
        later=True,
    ),
    Table(
        "begroting",
        "The configured budget and savings target per calendar year and wet (monitor.toml); the realisation of "
        "year J is kosten.bedrag of the gemeente on 1 January J+1.",
        (
            _c("jaar", "INTEGER", "calendar year", null=False),
            _c("wet", "VARCHAR", "wmo | jeugdwet | participatiewet", null=False),
            _c("begroting", "DOUBLE", "budget in euros"),
            _c("taakstelling", "DOUBLE", "savings target in euros"),
        ),
        primary_key=("jaar", "wet"),
        later=True,
    ),
)

_BY_NAME = {table.name: table for table in TABLES}


def table(name: str) -> Table:
    """The declaration of one published table (KeyError for a table outside the contract)."""
    return _BY_NAME[name]


def columns() -> dict[str, tuple[str, ...]]:
    """Table -> its column names, in order: the allowlist of the published store."""
    return {t.name: t.column_names for t in TABLES}


# indicators.md "Publication contract": the export's columns, in order, and the figures a suppressed row leaves empty.
EXPORT_COLUMNS: tuple[str, ...] = tuple(c.name for c in table("indicator_values").columns if c.export)
SUPPRESSED_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in table("indicator_values").columns if c.export and c.hidden_when_suppressed
)


def ddl(only: str | None = None) -> str:
    """CREATE TABLE statements of every published table (or of one)."""
    return "\n".join(_create(t) for t in TABLES if only is None or t.name == only)


def _create(spec: Table) -> str:
    """The CREATE TABLE statement of one table."""
    lines = [f"    {c.name} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in spec.columns]
    if spec.primary_key:
        lines.append(f"    PRIMARY KEY ({', '.join(spec.primary_key)})")
    return f"CREATE TABLE {spec.name} (\n" + ",\n".join(lines) + "\n);"


def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema a builder fills for one published table."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in table(name).columns])
