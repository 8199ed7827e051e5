"""Compute the published indicator tables from the warehouse staging layer, in DuckDB SQL.

Steps (each a temp table in the caller's connection, dropped afterwards):
1. the documented views of indicators/views/ (registry.VIEWS), wm_peildata first: the peildata
   (distinct peildatum in stg_bevolking on or after the nulmeting) with their windows;
2. wm_gebieden_op_p: every wijk valid on P with its wijk, gebied and gemeente (three rows);
3. wm_ruw / wm_ruw_uitsplitsing: per indicator, its unit rows (the query of its file, whole) summed per
   area of every level;
4. wm_ontbrekend: the cells whose inputs are incomplete (indicators.md "Incomplete inputs"), with
   the reason from a fixed Dutch vocabulary; they are published without figures;
5. wm_cel (`indicators.suppression`): primary and complementary suppression of every cell, where a
   cell with incomplete inputs counts as a suppressed cell that holds people;
6. one set-based query adds intervals, nulmeting comparison, corridor and status.

Sums of survey weights are exact (DECIMAL), so a second run over the same staging publishes the
same doubles bit for bit whatever order DuckDB's parallel aggregation adds them in.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from core import niveau, publication, status
from etl.contract import BRONNEN
from indicators import incremental, kosten, registry, suppression, vergelijking
from indicators.config import MonitorConfig
from indicators.registry import Indicator
from indicators.stats import n_eff_sql, wilson_sql, z_test_significant_sql
from core.errors import NothingToCompute

INDICATORS_SCHEMA = publication.arrow_schema("indicators")
CORRIDOR_SCHEMA = publication.arrow_schema("corridor")
# The fixed vocabulary of reasons for a figure with incomplete inputs (shown on Datakwaliteit).
BEVOLKING = "bevolking"
REDEN_BEVOLKING = "bevolking ontbreekt voor wijk {wijken} op deze peildatum"
REDEN_BRON = "geen geaccepteerde gegevens van bron {bron} in de periode"
# Exact sums of weights: 38 digits, 12 after the point (weights up to 10^26).
EXACT = "DECIMAL(38, 12)"

STREEFWAARDEN_SCHEMA = publication.arrow_schema("streefwaarden")

_TEMP_TABLES = (
    "wm_gebieden_op_p",
    "wm_raster",
    "wm_parameters",
    "wm_streefwaarden",
    "wm_ruw",
    "wm_ruw_uitsplitsing",
    "wm_bron_wijk",
    "wm_bron_gedekt",
    "wm_wijk_met_gegevens",
    "wm_oorzaak",
    "wm_ontbrekend",
)


def compute_publication(con: duckdb.DuckDBPyConnection, config: MonitorConfig) -> dict[str, pa.Table]:
    """All indicator tables of the published store, keyed by table name.

    The per-peildatum steps run only for the peildata `indicators.incremental` finds stale; the rows of the
    others come from the warehouse, where each run keeps what it computed. Everything that couples peildata
    is computed from those rows for every peildatum.
    """
    indicators = config.indicators
    temp_tables = (_TEMP_TABLES + suppression.TEMP_TABLES + registry.VIEWS
                   + tuple(incremental.KEPT) + ("wm_peildata_alle", "wm_blokken", "wm_bronstand", "wm_categorieen"))
    try:
        _create_all_peildata(con, config.nulmeting)
        plan = incremental.plan(con, config, "wm_peildata_alle")
        if not _compute_peildata(con, config, plan):
            plan = incremental.Plan(_every_peildatum(con), True, "uitsplitsing met andere categorieën")
            _compute_peildata(con, config, plan)
        incremental.keep(con, config, plan, "wm_peildata_alle")
        # from here on every peildatum, from the kept rows
        con.execute("create or replace temp table wm_peildata as select * from wm_peildata_alle")
        _create_areas(con)
        for temp in incremental.KEPT:
            incremental.restore(con, temp)
        values = con.sql(_VALUES_SQL).to_arrow_table()
        kosten_tabel, kosten_oorzaken = kosten.published_tables(con)
        return {
            "indicator_values": values,
            "indicator_breakdown": con.sql(_BREAKDOWN_SQL).to_arrow_table(),
            "indicators": indicators_table(indicators),
            "corridor": corridor_table(indicators, config),
            "streefwaarden": streefwaarden_table(config),
            "peildata": con.sql(
                "select peildatum, is_nulmeting from wm_peildata order by peildatum"
            ).to_arrow_table(),
            "bevolking": con.sql(_POPULATION_SQL).to_arrow_table(),
            "kosten": kosten_tabel,
            "begroting": kosten.begroting_table(config),
            "dq_incomplete": pa.concat_tables([
                con.sql(
                    """
                    select indicator, peildatum, bron, wijkcode, reden from wm_oorzaak
                    order by peildatum, bron, wijkcode nulls first, indicator
                    """
                ).to_arrow_table().cast(kosten.INCOMPLETE_SCHEMA),
                kosten_oorzaken,  # why a cost figure is missing (indicators/kosten.py)
            ]),
            # Comparing fairly (issue 12): context, similar wijken, werkwijzen, from the published values
            **vergelijking.tables(con, values, con.sql(_N_EFF_SQL).pl(), indicators, config),
        }
    finally:
        for name in temp_tables:
            con.execute(f"drop table if exists temp.{name}")


def _every_peildatum(con: duckdb.DuckDBPyConnection) -> tuple[date, ...]:
    """Every peildatum."""
    return tuple(row[0] for row in con.execute("select peildatum from wm_peildata_alle order by peildatum").fetchall())


def _compute_peildata(con: duckdb.DuckDBPyConnection, config: MonitorConfig, plan: incremental.Plan) -> bool:
    """The per-peildatum temp tables (incremental.KEPT) for the plan's peildata; False when a breakdown's
    categories differ from the kept ones (then every peildatum must be computed)."""
    indicators = config.indicators
    registry.create_views(con, config.nulmeting, plan.peildata)
    _create_areas(con)
    _create_parameters(con, indicators, config)
    _create_categories(con, indicators)
    if incremental.categories_changed(con, plan, "wm_peildata_alle"):
        return False
    _create_raw_tables(con)
    for indicator in indicators:
        _insert_aggregates(con, indicator)
        for uitsplitsing in indicator.uitsplitsingen:
            _insert_breakdown(con, indicator, uitsplitsing)
    _create_missing(con, indicators)
    suppression.create_suppression(con)
    kosten.create_cells(con)
    return True


def _create_all_peildata(con: duckdb.DuckDBPyConnection, nulmeting: date) -> None:
    """wm_peildata_alle: every peildatum (the view wm_peildata); none is an error."""
    con.execute(f"set variable nulmeting = date '{nulmeting.isoformat()}'")
    con.execute(f"create or replace temp table wm_peildata_alle as {registry.view_sql('wm_peildata')}")
    [(count,)] = con.sql("select count(*) from wm_peildata_alle").fetchall()
    if count == 0:
        raise NothingToCompute(
            f"bevolking: geen geaccepteerde peildatum op of na de nulmeting {nulmeting.isoformat()}, dus geen cijfers"
        )


def _create_categories(con: duckdb.DuckDBPyConnection, indicators: tuple[Indicator, ...]) -> None:
    """wm_categorie: the categories of every breakdown seen per peildatum (of wm_peildata)."""
    con.execute("create or replace temp table wm_categorie "
                "(indicator VARCHAR, uitsplitsing VARCHAR, peildatum DATE, categorie VARCHAR)")
    for indicator in indicators:
        for uitsplitsing in indicator.uitsplitsingen:
            con.execute(
                f"""
                insert into wm_categorie
                with eenheden as (
{indicator.sql}
                )
                select distinct $indicator, $uitsplitsing, peildatum, {uitsplitsing}::varchar
                from eenheden where {uitsplitsing} is not null
                """,
                {"indicator": indicator.id, "uitsplitsing": uitsplitsing},
            )


# Population per area on P: an area's sums only when every wijk in it on P has a bevolking row.
_POPULATION_SQL = f"""
select
    a.peildatum, a.niveau, a.gebiedcode,
    case when count(b.wijkcode) = count(*) then sum(b.inwoners) end::bigint as inwoners,
    case when count(b.wijkcode) = count(*) then sum(b.inwoners_0_17) end::bigint as inwoners_0_17,
    case when count(b.wijkcode) = count(*) then sum(b.huishoudens) end::bigint as huishoudens
from wm_gebieden_op_p a
left join stg_bevolking b on b.peildatum = a.peildatum and b.wijkcode = a.wijkcode
group by a.peildatum, a.niveau, a.gebiedcode
order by a.peildatum, {niveau.order_sql("a.niveau")}, a.gebiedcode
"""


def indicators_table(indicators: tuple[Indicator, ...]) -> pa.Table:
    """The registry as published: one row per indicator in display order."""
    rows = [
        {
            "indicator": indicator.id,
            "volgorde": volgorde,
            "naam": indicator.naam,
            "omschrijving": indicator.omschrijving,
            "definitie": indicator.definitie,
            "richting": indicator.richting,
            "eenheid": indicator.eenheid,
            "decimalen": indicator.decimalen,
            "soort": indicator.soort,
            "bronnen": ", ".join(indicator.bronnen),
            "onderdrukking": indicator.onderdrukking.omschrijving(),
        }
        for volgorde, indicator in enumerate(indicators, start=1)
    ]
    return pa.Table.from_pylist(rows, schema=INDICATORS_SCHEMA)


def corridor_table(indicators: tuple[Indicator, ...], config: MonitorConfig) -> pa.Table:
    """The corridor in force per indicator (configured, else the registry default)."""
    rows = [
        {"indicator": indicator.id, **vars(config.corridor(indicator))} for indicator in indicators
    ]
    return pa.Table.from_pylist(rows, schema=CORRIDOR_SCHEMA)


def streefwaarden_table(config: MonitorConfig) -> pa.Table:
    """The configured targets per (indicator, peildatum)."""
    rows = [
        {"indicator": indicator_id, "peildatum": peildatum, "streefwaarde": waarde}
        for (indicator_id, peildatum), waarde in sorted(config.streefwaarden.items())
    ]
    return pa.Table.from_pylist(rows, schema=STREEFWAARDEN_SCHEMA)


def _create_areas(con: duckdb.DuckDBPyConnection) -> None:
    """wm_gebieden_op_p (wijk -> its area of each level on P) and wm_raster (every area on P)."""
    con.execute(
        """
        create or replace temp table wm_gebieden_op_p as
        with geldig as (
            select p.peildatum, g.*
            from ref_gebieden g
            join wm_peildata p
              on g.geldig_van <= p.peildatum
             and (g.geldig_tot is null or p.peildatum < g.geldig_tot)
        )
        select peildatum, wijkcode, 'wijk' as niveau, wijkcode as gebiedcode, wijknaam as gebiedsnaam from geldig
        union all
        select peildatum, wijkcode, 'gebied', gebiedcode, gebiedsnaam from geldig
        union all
        select peildatum, wijkcode, 'gemeente', gemeentecode, gemeentenaam from geldig
        """
    )
    con.execute(
        """
        create or replace temp table wm_raster as
        select peildatum, niveau, gebiedcode, min(gebiedsnaam) as gebiedsnaam
        from wm_gebieden_op_p
        group by peildatum, niveau, gebiedcode
        """
    )


def _create_parameters(
    con: duckdb.DuckDBPyConnection, indicators: tuple[Indicator, ...], config: MonitorConfig
) -> None:
    """wm_parameters (one row per indicator) and wm_streefwaarden, for the set-based statistics."""
    con.execute(
        """
        create or replace temp table wm_parameters (
            indicator VARCHAR, volgorde INTEGER, soort VARCHAR, factor DOUBLE, richting_teken INTEGER,
            decimalen INTEGER, schaal DOUBLE, min_n INTEGER, min_noemer INTEGER, min_teller INTEGER,
            max_verslechtering DOUBLE, marge_tot DATE, herstel_op DATE
        )
        """
    )
    rows = []
    for volgorde, indicator in enumerate(indicators, start=1):
        corridor = config.corridor(indicator)
        rows.append(
            (
                indicator.id, volgorde, indicator.soort, indicator.factor, indicator.richting_teken,
                indicator.decimalen, float(10**indicator.decimalen), indicator.onderdrukking.min_n,
                indicator.onderdrukking.min_noemer, indicator.onderdrukking.min_teller,
                corridor.max_verslechtering, corridor.marge_tot, corridor.herstel_op,
            )
        )
    con.executemany("insert into wm_parameters values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(
        "create or replace temp table wm_streefwaarden (indicator VARCHAR, peildatum DATE, streefwaarde DOUBLE)"
    )
    if config.streefwaarden:
        con.executemany(
            "insert into wm_streefwaarden values (?, ?, ?)",
            [(i, p, w) for (i, p), w in config.streefwaarden.items()],
        )


def _create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Sums per indicator, peildatum and area (and per category for breakdowns)."""
    columns = """
        indicator VARCHAR, peildatum DATE, niveau VARCHAR, gebiedcode VARCHAR, gebiedsnaam VARCHAR,
        teller DOUBLE, noemer DOUBLE, n BIGINT, som_gewicht_kwadraat DOUBLE
    """
    con.execute(f"create or replace temp table wm_ruw ({columns})")
    con.execute(
        f"create or replace temp table wm_ruw_uitsplitsing ({columns}, uitsplitsing VARCHAR, categorie VARCHAR)"
    )


def _sums_sql(indicator: Indicator) -> str:
    """Aggregates of the unit rows: teller, noemer, n and sum of squared weights."""
    if indicator.soort == "enquete":
        # exact sums: the same bits whatever order the parallel aggregation adds in
        return f"""
            coalesce(sum(e.gewicht::{EXACT}) filter (where e.is_positief), 0)::double as teller,
            sum(e.gewicht::{EXACT})::double as noemer,
            count(*) as n,
            sum((e.gewicht * e.gewicht)::{EXACT})::double as som_gewicht_kwadraat
        """
    return """
        sum(e.teller) as teller,
        sum(e.noemer) as noemer,
        null::bigint as n,
        null::double as som_gewicht_kwadraat
    """


def _insert_aggregates(con: duckdb.DuckDBPyConnection, indicator: Indicator) -> None:
    """Sum one indicator's unit rows per area; every area valid on P gets a row."""
    con.execute(
        f"""
        insert into wm_ruw
        with eenheden as (
{indicator.sql}
        ),
        per_gebied as (
            select g.peildatum, g.niveau, g.gebiedcode, {_sums_sql(indicator)}
            from eenheden e
            join wm_gebieden_op_p g on g.peildatum = e.peildatum and g.wijkcode = e.wijkcode
            group by g.peildatum, g.niveau, g.gebiedcode
        )
        select
            $indicator, r.peildatum, r.niveau, r.gebiedcode, r.gebiedsnaam,
            coalesce(a.teller, 0), coalesce(a.noemer, 0),
            {"coalesce(a.n, 0)" if indicator.soort == "enquete" else "null"},
            a.som_gewicht_kwadraat
        from wm_raster r
        left join per_gebied a
          on a.peildatum = r.peildatum and a.niveau = r.niveau and a.gebiedcode = r.gebiedcode
        """,
        {"indicator": indicator.id},
    )


def _insert_breakdown(con: duckdb.DuckDBPyConnection, indicator: Indicator, uitsplitsing: str) -> None:
    """Sum one indicator's unit rows per area and category of `uitsplitsing` (e.g. wet)."""
    con.execute(
        f"""
        insert into wm_ruw_uitsplitsing
        with eenheden as (
{indicator.sql}
        ),
        categorieen as (
            -- every category seen on any peildatum, kept ones included (indicators/incremental.py)
            select distinct categorie from wm_categorieen where indicator = $indicator and uitsplitsing = $uitsplitsing
        ),
        per_gebied as (
            select g.peildatum, g.niveau, g.gebiedcode, e.{uitsplitsing}::varchar as categorie,
                   {_sums_sql(indicator)}
            from eenheden e
            join wm_gebieden_op_p g on g.peildatum = e.peildatum and g.wijkcode = e.wijkcode
            group by g.peildatum, g.niveau, g.gebiedcode, e.{uitsplitsing}
        )
        select
            $indicator, r.peildatum, r.niveau, r.gebiedcode, r.gebiedsnaam,
            coalesce(a.teller, 0), coalesce(a.noemer, 0),
            {"coalesce(a.n, 0)" if indicator.soort == "enquete" else "null"},
            a.som_gewicht_kwadraat, $uitsplitsing, c.categorie
        from wm_raster r
        cross join categorieen c
        left join per_gebied a
          on a.peildatum = r.peildatum and a.niveau = r.niveau and a.gebiedcode = r.gebiedcode
         and a.categorie = c.categorie
        """,
        {"indicator": indicator.id, "uitsplitsing": uitsplitsing},
    )


def _coverage_sql(naam: str) -> str | None:
    """Condition on a row `t` of stg_<naam> and a peildatum `p`: the row covers P (None: unknown source).

    A register (begindatum/einddatum) covers P when its record is active on P or overlaps W(P);
    bevolking when it is of P itself; a survey when its fieldwork lies in W(P).
    """
    bron = BRONNEN.get(naam)
    if bron is None:
        return None
    if "periode_begin" in bron.kolomnamen:  # a cost line (kosten) covers P when its period overlaps W(P)
        return "t.periode_begin < p.peildatum and t.periode_eind >= p.venster_begin"
    if "begindatum" in bron.kolomnamen:
        einde = "coalesce(t.einddatum, date '9999-12-31')" if "einddatum" in bron.kolomnamen else "t.begindatum"
        return f"t.begindatum <= p.peildatum and {einde} >= p.venster_begin"
    if bron.datumkolom == "peildatum":
        return "t.peildatum = p.peildatum"
    return f"t.{bron.datumkolom} >= p.venster_begin and t.{bron.datumkolom} < p.peildatum"


def _create_missing(con: duckdb.DuckDBPyConnection, indicators: tuple[Indicator, ...]) -> None:
    """wm_oorzaak (indicator, peildatum, bron, wijkcode, reden) and wm_ontbrekend (the cells they hit).

    From staging alone: a source without any row covering P takes every figure built on it on P;
    a wijk with data in some source on P but no bevolking row takes its per-inhabitant figures and
    those of its gebied and gemeente (their teller would count people whose population is missing).
    """
    # per source the wijken with a row covering P: one pass over each source gives both the wijken with data
    # and whether the source covers P at all (it does when it has a row covering P, so a wijk)
    met_wijk = {naam for naam, bron in BRONNEN.items() if naam != BEVOLKING and "wijkcode" in bron.kolomnamen}
    con.execute("create or replace temp table wm_bron_wijk as " + " union all ".join(
        f"select distinct '{naam}' as bron, p.peildatum, t.wijkcode from stg_{naam} t "
        f"join wm_peildata p on {_coverage_sql(naam)}"
        for naam in sorted(met_wijk)))
    con.execute("create or replace temp table wm_wijk_met_gegevens as "
                "select distinct peildatum, wijkcode from wm_bron_wijk")
    bronnen = sorted({bron for indicator in indicators for bron in indicator.bronnen} | {BEVOLKING})
    dekking = [
        f"select '{naam}' as bron, p.peildatum, exists (select 1 from wm_bron_wijk t "
        f"where t.bron = '{naam}' and t.peildatum = p.peildatum) as gedekt from wm_peildata p"
        if naam in met_wijk else
        f"select '{naam}' as bron, p.peildatum, exists (select 1 from stg_{naam} t where {conditie}) as gedekt "
        f"from wm_peildata p"
        for naam in bronnen
        if (conditie := _coverage_sql(naam)) is not None
    ]
    con.execute(f"create or replace temp table wm_bron_gedekt as {' union all '.join(dekking)}")
    con.execute("create or replace temp table wm_oorzaak (indicator VARCHAR, peildatum DATE, bron VARCHAR, "
                "wijkcode VARCHAR, reden VARCHAR)")
    for indicator in indicators:
        con.execute(
            """
            insert into wm_oorzaak
            select $indicator, d.peildatum, d.bron, null, replace($reden, '{bron}', d.bron)
            from wm_bron_gedekt d
            where not d.gedekt and list_contains($bronnen, d.bron)
            """,
            {"indicator": indicator.id, "reden": REDEN_BRON, "bronnen": list(indicator.bronnen)},
        )
        if BEVOLKING in indicator.bronnen:
            con.execute(
                """
                insert into wm_oorzaak
                select distinct $indicator, w.peildatum, $bevolking, w.wijkcode, replace($reden, '{wijken}', w.wijkcode)
                from wm_wijk_met_gegevens w
                join wm_gebieden_op_p g on g.peildatum = w.peildatum and g.wijkcode = w.wijkcode
                where not exists (select 1 from stg_bevolking b
                                  where b.peildatum = w.peildatum and b.wijkcode = w.wijkcode)
                """,
                {"indicator": indicator.id, "bevolking": BEVOLKING, "reden": REDEN_BEVOLKING},
            )
    # a whole source missing hits every area on P; a wijk's missing population its own areas
    con.execute(
        f"""
        create or replace temp table wm_ontbrekend as
        with getroffen as (
            select o.indicator, r.peildatum, r.niveau, r.gebiedcode, o.reden, null as wijkcode
            from wm_oorzaak o join wm_raster r on r.peildatum = o.peildatum
            where o.wijkcode is null
            union all
            select o.indicator, g.peildatum, g.niveau, g.gebiedcode, null, o.wijkcode
            from wm_oorzaak o join wm_gebieden_op_p g on g.peildatum = o.peildatum and g.wijkcode = o.wijkcode
        )
        select indicator, peildatum, niveau, gebiedcode,
               concat_ws('; ',
                   string_agg(distinct reden, '; ' order by reden),
                   replace($reden, '{{wijken}}', string_agg(distinct wijkcode, ', ' order by wijkcode))
               ) as reden
        from getroffen
        group by indicator, peildatum, niveau, gebiedcode
        """,
        {"reden": REDEN_BEVOLKING},
    )


def _statistics_sql(raw_table: str, uitsplitsing: str, categorie: str) -> str:
    """Suppression (from wm_cel), share and effective sample size per row of a raw table."""
    n_eff = n_eff_sql("r.noemer", "r.som_gewicht_kwadraat")
    p = "(r.teller / r.noemer)"
    return f"""
        select r.*, pm.* exclude (indicator),
            c.onderdrukt as verborgen,                      -- no figures: suppressed or incomplete
            c.onderdrukt and c.reden is null as onderdrukt,  -- suppressed (published column)
            case when c.reden is null and c.onderdrukt
                 then case when c.primair then '{status.PRIMAIR}' else '{status.AANVULLEND}' end end as onderdrukking,
            c.reden,
            {p} as aandeel,
            {n_eff} as n_eff
        from {raw_table} r
        join wm_parameters pm on pm.indicator = r.indicator
        join wm_cel c on {suppression.join_sql("r", uitsplitsing, categorie)}
    """


def _visible_sql(source: str) -> str:
    """Published value columns: NULL for a suppressed or incomplete row, so nothing downstream can leak it."""
    wilson_laag = wilson_sql("aandeel", "n_eff", -1)
    wilson_hoog = wilson_sql("aandeel", "n_eff", +1)
    return f"""
        select s.*,
            case when not verborgen then factor * aandeel end as waarde,
            case when not verborgen then teller end as teller_zichtbaar,
            case when not verborgen then noemer end as noemer_zichtbaar,
            case when not verborgen and soort = 'enquete' then factor * {wilson_laag} end as ci_laag,
            case when not verborgen and soort = 'enquete' then factor * {wilson_hoog} end as ci_hoog,
            case when not verborgen and soort = 'enquete' then aandeel end as p_zichtbaar,
            case when not verborgen and soort = 'enquete' then n_eff end as n_eff_zichtbaar
        from ({source}) s
    """


_SIGNIFICANT = z_test_significant_sql("h.p_zichtbaar", "h.n_eff_zichtbaar", "nul.p_zichtbaar", "nul.n_eff_zichtbaar")

_VALUES_SQL = f"""
with zichtbaar as ({_visible_sql(_statistics_sql("wm_ruw", "null", "null"))}),
vergeleken as (
    select
        h.*,
        nul.waarde as waarde_nulmeting,
        vorig.waarde as waarde_vorige,
        pd.is_nulmeting,
        case when h.soort = 'enquete' and h.waarde is not null and nul.waarde is not null
             then {_SIGNIFICANT} end as significant,
        -- D(P): held until marge_tot, then linear to zero at herstel_op
        case when h.peildatum <= h.marge_tot then h.max_verslechtering
             when h.peildatum >= h.herstel_op then 0.0
             else h.max_verslechtering * datediff('day', h.peildatum, h.herstel_op)
                  / datediff('day', h.marge_tot, h.herstel_op)
        end as marge
    from zichtbaar h
    join wm_peildata pd on pd.peildatum = h.peildatum
    left join zichtbaar nul
      on nul.indicator = h.indicator and nul.niveau = h.niveau and nul.gebiedcode = h.gebiedcode
     and nul.peildatum = pd.nulmeting
    left join zichtbaar vorig
      on vorig.indicator = h.indicator and vorig.niveau = h.niveau and vorig.gebiedcode = h.gebiedcode
     and vorig.peildatum = pd.vorige_peildatum
),
beoordeeld as (
    select *,
        -- compared as displayed, so a status never contradicts the figures on screen
        round(richting_teken * (round(waarde * schaal) - round(waarde_nulmeting * schaal))) / schaal
            as verbetering
    from vergeleken
)
select
    indicator, peildatum, niveau, gebiedcode, gebiedsnaam,
    waarde,
    teller_zichtbaar as teller,
    noemer_zichtbaar as noemer,
    case when soort = 'enquete' and reden is null then n end::bigint as n,
    ci_laag, ci_hoog, onderdrukt,
    waarde - waarde_nulmeting as verschil_nulmeting,
    100 * (waarde / nullif(waarde_nulmeting, 0)) as index_nulmeting,
    significant,
    case when waarde is null or waarde_nulmeting is null then '{status.ONVOLDOENDE_GEGEVENS}'
         when is_nulmeting then '{status.GELIJK_GEBLEVEN}'
         when soort = 'enquete' and not significant then '{status.GELIJK_GEBLEVEN}'
         when verbetering > 0 then '{status.VERBETERD}'
         when verbetering = 0 then '{status.GELIJK_GEBLEVEN}'
         when -verbetering <= marge then '{status.BINNEN_MARGE}'
         else '{status.BUITEN_MARGE}'
    end as status,
    waarde_nulmeting - richting_teken * marge as marge_grens,
    s.streefwaarde,
    waarde - waarde_vorige as verschil_vorige,
    onderdrukking,
    reden
from beoordeeld
left join wm_streefwaarden s using (indicator, peildatum)
order by volgorde, peildatum, {niveau.order_sql()}, gebiedcode
"""

# n_eff of the published survey wijk values: the variance of a change in verschil-in-verschil.
_N_EFF_SQL = f"""
with zichtbaar as ({_visible_sql(_statistics_sql("wm_ruw", "null", "null"))})
select indicator, peildatum, gebiedcode, n_eff_zichtbaar as n_eff
from zichtbaar where niveau = 'wijk' and n_eff_zichtbaar is not null
"""

_BREAKDOWN_SQL = f"""
with zichtbaar as ({_visible_sql(_statistics_sql("wm_ruw_uitsplitsing", "r.uitsplitsing", "r.categorie"))})
select
    indicator, peildatum, niveau, gebiedcode, uitsplitsing, categorie,
    waarde, teller_zichtbaar as teller, noemer_zichtbaar as noemer,
    -- a category's respondent count is a count of its clients (e.g. jeugdwet): not published while
    -- suppressed, not even 0: beside the area's published n an empty category gives the other away
    case when soort = 'enquete' and not verborgen then n end::bigint as n,
    ci_laag, ci_hoog, onderdrukt, onderdrukking, reden
from zichtbaar
order by volgorde, peildatum, {niveau.order_sql()}, gebiedcode, uitsplitsing, categorie
"""
