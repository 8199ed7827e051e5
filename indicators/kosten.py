"""Costs per wijk (indicators.md v2 "Costs"): kosten_per_inwoner and kosten_per_client, total and per wet.

One cost cell per (peildatum P, area, wet), wet 'totaal' or one of the contract's wetten:
- bedrag = sum over the cost lines of the area (a line counts in the wijk on the line) of
  bedrag x (days of [periode_begin, periode_eind] within W(P)) / (days of [periode_begin, periode_eind]),
  both day counts inclusive; W(P) = [P - 1 year, P), so its last day is P - 1;
- clienten = distinct persoon_id with a line overlapping W(P) in the area (once per area);
- inwoners = inwoners on P of the area's wijken (bevolking);
- kosten_per_inwoner = bedrag / inwoners, kosten_per_client = bedrag / clienten (euros, unrounded;
  shown with 0 decimals).

Suppression (dominance): the contributors of a cell are its clienten, a_p = |person p's prorated sum
in the cell|, A = sum a_p. A cell is primarily suppressed when it has fewer than 5 contributors, when
the two largest a_p exceed 0.85 A, or when inwoners < 10. The cell is suppressed as a whole (amount,
counts and both figures): with the amount and the published inhabitants, one figure gives the other.
Complementary suppression and the linear audit are indicators/suppression.py's, over the additive
amount (wijk -> gebied -> gemeente, and totaal = the sum of the wetten).

Incomplete inputs (as the other figures): a peildatum without any accepted cost line overlapping
W(P) has no cost figures at all ("onvoldoende gegevens", never 0); a wijk with data on P (cost lines or
any other source, as for the indicators) but no bevolking row on P takes kosten_per_inwoner (and
inwoners) of itself, its gebied and the gemeente: their inhabitants are not known;
kosten_per_client needs no population and stays. A source never delivered publishes no rows.

Works on the caller's connection after indicators.compute made wm_peildata, wm_gebieden_op_p,
wm_raster and wm_wijk_met_gegevens; the suppression runs in a connection of its own (its temp tables
have fixed names).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from core import eenheid, niveau, publication, status
from etl.contract import KOSTEN_WETTEN
from indicators import suppression
from indicators.config import MonitorConfig

BRON = "kosten"
TOTAAL = "totaal"
PER_INWONER, PER_CLIENT = "kosten_per_inwoner", "kosten_per_client"
# the two cost figures: their ids (columns of `kosten`, the `indicator` of their export and dq_incomplete rows) and names
FIGUREN = {PER_INWONER: "Kosten per inwoner", PER_CLIENT: "Kosten per cliënt"}
EENHEID = {PER_INWONER: eenheid.EURO_PER_INWONER.code, PER_CLIENT: eenheid.EURO_PER_CLIENT.code}
OMSCHRIJVING = {
    PER_INWONER: "De kosten van ondersteuning en bijstand in de twaalf maanden voor de peildatum, per inwoner.",
    PER_CLIENT: "De kosten van ondersteuning en bijstand in de twaalf maanden voor de peildatum, per cliënt.",
}
_TELLER = ("som over de kostenregels van de wijk van bedrag × (dagen van de regelperiode binnen de twaalf maanden "
           "voor de peildatum) / (dagen van de regelperiode), beide dagen meegeteld")
DEFINITIE = {
    PER_INWONER: f"Teller: {_TELLER}. Noemer: inwoners op de peildatum.",
    PER_CLIENT: f"Teller: {_TELLER}. Noemer: verschillende personen met ten minste één kostenregel in die periode "
                "in het gebied (een persoon telt één keer per gebied).",
}
ONDERDRUKKING = ("onderdrukt bij minder dan 5 cliënten, als de twee grootste cliënten samen meer dan 85% van het "
                 "bedrag uitmaken, of bij minder dan 10 inwoners; daarna aanvullende onderdrukking")
WETTEN = (TOTAAL, *KOSTEN_WETTEN)
MIN_BIJDRAGERS = 5
DOMINANTIE = 0.85  # the two largest contributions together may not exceed this share of the cell
MIN_INWONERS = 10
_TOLERANCE = 1e-9  # relative: sums of prorated amounts exactly at the threshold stay published
INDICATOR = "kosten"  # the cells' name in the suppression tables
REDEN_BRON = "geen geaccepteerde gegevens van bron kosten in de periode"
REDEN_BEVOLKING = "bevolking ontbreekt voor wijk {wijken} op deze peildatum (kosten per inwoner)"

KOSTEN_SCHEMA = publication.arrow_schema("kosten")
INCOMPLETE_SCHEMA = publication.arrow_schema("dq_incomplete")
BEGROTING_SCHEMA = publication.arrow_schema("begroting")


def begroting_table(config: MonitorConfig) -> pa.Table:
    """The configured budget and savings target per (calendar year, wet), as published (indicators/config.py)."""
    keys = sorted(set(config.begroting) | set(config.taakstelling))
    rows = [{"jaar": jaar, "wet": wet, "begroting": config.begroting.get((jaar, wet)),
             "taakstelling": config.taakstelling.get((jaar, wet))} for jaar, wet in keys]
    return pa.Table.from_pylist(rows, schema=BEGROTING_SCHEMA)


# Exact sums (as compute.EXACT): the same bits whatever order DuckDB's parallel aggregation adds in.
EXACT = "DECIMAL(38, 12)"

# Per P, every cost line overlapping W(P) with its prorated amount.
_LINES_SQL = f"""
select p.peildatum, k.persoon_id, k.wijkcode, k.wet,
       (k.bedrag * (datediff('day', greatest(k.periode_begin, p.venster_begin),
                                     least(k.periode_eind, (p.peildatum - 1)::date)) + 1)
                 / (datediff('day', k.periode_begin, k.periode_eind) + 1))::{EXACT} as aandeel
from stg_kosten k
join wm_peildata p on p.peildatum = $peildatum
                  and k.periode_begin < p.peildatum and k.periode_eind >= p.venster_begin
"""

# A person's prorated sum per wet (a column per contract wet, NULL without lines of it) and in total.
_PER_WET_SQL = ",\n       ".join(f"sum(aandeel) filter (where wet = '{wet}') as \"{wet}\"" for wet in KOSTEN_WETTEN)

# the cells of one peildatum ($peildatum): every step below is per peildatum
_CELLS_SQL = f"""
with lijnen as ({_LINES_SQL}),
per_persoon as (
    -- one group per person: nearly everyone has lines in one wijk only, and such a person's sum in the
    -- gebied and gemeente is their sum in the wijk, so only the few others need their sums per area
    select persoon_id, min(wijkcode) as wijkcode, min(wijkcode) = max(wijkcode) as een_wijk,
           sum(aandeel) as {TOTAAL},
           {_PER_WET_SQL}
    from lijnen
    group by persoon_id
),
een_wijk as (
    -- the contributions of persons with lines in one wijk: one row per wet they have lines of, and totaal
    unpivot (select * exclude (een_wijk) from per_persoon where een_wijk)
    on {TOTAAL}, {", ".join(f'"{wet}"' for wet in KOSTEN_WETTEN)} into name wet value bedrag
),
meer_wijken as (
    -- the others: their sum per wijk and wet first, then per area of each level (a person once per area)
    select l.wijkcode, l.wet, l.persoon_id, sum(l.aandeel) as bedrag
    from lijnen l semi join (select persoon_id from per_persoon where not een_wijk) m using (persoon_id)
    group by all
),
per_wijk as (
    -- the one-wijk persons summed per wijk and wet first (a few thousand rows), with their two largest
    -- contributions: a gebied's or gemeente's cell is the union of its wijken's, so these add up
    select wijkcode, wet, sum(bedrag) as bedrag, count(*) as clienten, sum(abs(bedrag)) as totaal_abs,
           max(abs(bedrag), 2) as grootste
    from een_wijk
    group by all
),
deel as (
    -- the parts of each cell: per wijk of the area its one-wijk persons, and each other person on their own
    select g.niveau, g.gebiedcode, w.wet, w.bedrag, w.clienten, w.totaal_abs, w.grootste
    from per_wijk w
    join wm_gebieden_op_p g on g.peildatum = $peildatum and g.wijkcode = w.wijkcode
    union all
    select niveau, gebiedcode, wet, bedrag, 1, abs(bedrag), [abs(bedrag)]
    from (
        select g.niveau, g.gebiedcode, w.wet, sum(m.bedrag) as bedrag
        from meer_wijken m
        join wm_gebieden_op_p g on g.peildatum = $peildatum and g.wijkcode = m.wijkcode
        join (select unnest($wetten::varchar[]) as wet) w on w.wet in ($totaal, m.wet)
        group by g.niveau, g.gebiedcode, w.wet, m.persoon_id
    )
),
cel as (
    select $peildatum::date as peildatum, niveau, gebiedcode, wet, sum(bedrag)::double as bedrag,
           sum(clienten)::bigint as clienten, sum(totaal_abs)::double as totaal_abs,
           list_sum(list_slice(list_reverse_sort(flatten(list(grootste))), 1, 2))::double as grootste_twee
    from deel
    group by all
),
wijk_bevolking as (
    -- a wijk with costs but no population row makes its areas' inhabitants unknown
    select g.peildatum, g.niveau, g.gebiedcode,
           sum(b.inwoners) as inwoners,
           string_agg(distinct g.wijkcode, ', ' order by g.wijkcode)
               filter (where b.wijkcode is null and m.wijkcode is not null) as zonder_bevolking
    from wm_gebieden_op_p g
    left join stg_bevolking b on b.peildatum = g.peildatum and b.wijkcode = g.wijkcode
    -- the same guard as the indicators: a wijk with data in any source on P (indicators.compute)
    left join wm_wijk_met_gegevens m on m.peildatum = g.peildatum and m.wijkcode = g.wijkcode
    group by all
),
gedekt as (select distinct peildatum from lijnen)
select r.peildatum, r.niveau, r.gebiedcode, r.gebiedsnaam, w.wet,
       coalesce(c.bedrag, 0) as bedrag, coalesce(c.clienten, 0) as clienten,
       case when b.zonder_bevolking is null then coalesce(b.inwoners, 0) end::bigint as inwoners,
       coalesce(c.totaal_abs, 0) as totaal_abs, coalesce(c.grootste_twee, 0) as grootste_twee,
       d.peildatum is not null as gedekt, b.zonder_bevolking
from wm_raster r
cross join (select unnest($wetten::varchar[]) as wet) w
left join cel c on c.peildatum = r.peildatum and c.niveau = r.niveau and c.gebiedcode = r.gebiedcode and c.wet = w.wet
left join wijk_bevolking b on b.peildatum = r.peildatum and b.niveau = r.niveau and b.gebiedcode = r.gebiedcode
left join gedekt d on d.peildatum = r.peildatum
where r.peildatum = $peildatum
"""

# The dominance rule, in the suppression module's terms (r: a raw row, noemer = contributors).
_PRIMARY_RULE_SQL = f"""
    r.noemer < {MIN_BIJDRAGERS}
    or r.grootste_twee - {DOMINANTIE} * r.totaal_abs > {_TOLERANCE} * greatest(r.totaal_abs, 1)
    or (r.inwoners is not null and r.inwoners < {MIN_INWONERS})
"""


def dominant(bijdragen: list[float]) -> bool:
    """The primary rule on one cell's per-person contributions (for tests and the reference)."""
    a = sorted((abs(x) for x in bijdragen), reverse=True)
    total = sum(a)
    return len(a) < MIN_BIJDRAGERS or sum(a[:2]) - DOMINANTIE * total > _TOLERANCE * max(total, 1.0)


def kosten_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The published table `kosten`, one row per (peildatum, area, wet); empty when kosten was never delivered."""
    return kosten_tables(con)[0]


def kosten_tables(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    """The published `kosten` and the causes of its missing figures (rows of `dq_incomplete`)."""
    try:
        create_cells(con)
        return published_tables(con)
    finally:
        con.execute("drop table if exists temp.wm_kosten_cel")
        con.execute("drop table if exists temp.wm_kosten_onderdrukking")


def create_cells(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables wm_kosten_cel (every cost cell on the peildata of wm_peildata) and wm_kosten_onderdrukking
    (its suppression); each peildatum on its own, so indicators/incremental.py can keep them per peildatum.

    One query per peildatum: a person's sums are one group per person, so all peildata at once made one hash
    table of every line's person (19.5M groups at scale 10 with every area and wet, the indicator step's peak
    memory); per peildatum it is a twelfth of that, whatever the number of peildata. Within it only persons with
    lines in more than one wijk are summed per area; everyone else's sums roll up from the wijk (_CELLS_SQL).
    """
    parameters = {"wetten": list(WETTEN), "totaal": TOTAAL}
    con.execute(f"create or replace temp table wm_kosten_cel as {_CELLS_SQL}", {**parameters, "peildatum": None})
    for (peildatum,) in con.execute("select peildatum from wm_peildata order by peildatum").fetchall():
        con.execute(f"insert into wm_kosten_cel {_CELLS_SQL}", {**parameters, "peildatum": peildatum})
    cellen = con.sql("select * from wm_kosten_cel").to_arrow_table()
    onderdrukking = _suppress(cellen, con.sql("select * from wm_gebieden_op_p").to_arrow_table())
    con.register("wm_kosten_onderdrukking_arrow", onderdrukking)
    try:
        con.execute("create or replace temp table wm_kosten_onderdrukking as "
                    "select * from wm_kosten_onderdrukking_arrow")
    finally:
        con.unregister("wm_kosten_onderdrukking_arrow")


def published_tables(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    """`kosten` and its dq_incomplete rows from wm_kosten_cel and wm_kosten_onderdrukking; none without cost lines."""
    [(regels,)] = con.execute("select count(*) from stg_kosten").fetchall()
    if regels == 0:
        return KOSTEN_SCHEMA.empty_table(), INCOMPLETE_SCHEMA.empty_table()
    cellen = con.sql("select * from wm_kosten_cel").to_arrow_table()
    onderdrukking = con.sql("select * from wm_kosten_onderdrukking").to_arrow_table()
    return _published(cellen, onderdrukking), _causes(cellen)


def _causes(cellen: pa.Table) -> pa.Table:
    """Why a cost figure is 'onvoldoende gegevens', for the data-quality page (published table dq_incomplete).

    No cost line overlapping W(P): both figures of every area (wijkcode NULL); a wijk with cost lines in
    W(P) but no bevolking row: its per-inhabitant figure (and its gebied's and gemeente's).
    """
    with duckdb.connect() as local:
        local.register("cel", cellen)
        return local.sql(
            f"""
            select f.figuur as indicator, c.peildatum, $kosten as bron, null::varchar as wijkcode, $reden_bron as reden
            from (select distinct peildatum from cel where not gedekt) c
            cross join (select unnest($figuren::varchar[]) as figuur) f
            union all
            select $per_inwoner, peildatum, $bevolking, gebiedcode,
                   replace($reden_bevolking, '{{wijken}}', gebiedcode)
            from cel
            where gedekt and niveau = $wijk and wet = $totaal and zonder_bevolking is not null
            order by peildatum, bron, wijkcode nulls first, indicator
            """,
            params={"kosten": BRON, "bevolking": "bevolking", "reden_bron": REDEN_BRON,
                    "reden_bevolking": REDEN_BEVOLKING, "figuren": list(FIGUREN), "per_inwoner": PER_INWONER,
                    "wijk": niveau.WIJK, "totaal": TOTAAL},
        ).to_arrow_table().cast(INCOMPLETE_SCHEMA)


def _published(cellen: pa.Table, onderdrukking: pa.Table) -> pa.Table:
    """The kosten rows as published: figures only where covered and not suppressed."""
    with duckdb.connect() as local:
        local.register("cel", cellen)
        local.register("onderdrukking", onderdrukking)
        return local.sql(
            f"""
            with c as (
                select c.*, o.primair, coalesce(o.onderdrukt, false) as onderdrukt,
                       c.gedekt and not coalesce(o.onderdrukt, false) as zichtbaar
                from cel c left join onderdrukking o using (peildatum, niveau, gebiedcode, wet)
            )
            select c.peildatum, c.niveau, c.gebiedcode, c.gebiedsnaam, c.wet,
                   case when c.zichtbaar then c.bedrag end as bedrag,
                   case when c.zichtbaar then c.inwoners end as inwoners,
                   case when c.zichtbaar then c.clienten end as clienten,
                   case when c.zichtbaar and c.inwoners > 0 then c.bedrag / c.inwoners end as kosten_per_inwoner,
                   case when c.zichtbaar and c.clienten > 0 then c.bedrag / c.clienten end as kosten_per_client,
                   c.onderdrukt,
                   case when c.onderdrukt then case when c.primair then $primair else $aanvullend end end
                       as onderdrukking,
                   case when not c.gedekt then $reden_bron
                        when c.zonder_bevolking is not null and not c.onderdrukt
                        then replace($reden_bevolking, '{{wijken}}', c.zonder_bevolking) end as reden
            from c
            order by c.peildatum, {niveau.order_sql('c.niveau')},
                     c.gebiedcode, list_position($wetten::varchar[], c.wet)
            """,
            params={"reden_bron": REDEN_BRON, "reden_bevolking": REDEN_BEVOLKING, "wetten": list(WETTEN),
                    "primair": status.PRIMAIR, "aanvullend": status.AANVULLEND},
        ).to_arrow_table().cast(KOSTEN_SCHEMA)


def _suppress(cellen: pa.Table, hierarchie: pa.Table) -> pa.Table:
    """Primary (dominance) and complementary suppression of the covered cells, by indicators/suppression.py.

    The amount is the additive figure (teller); noemer is the number of contributors, so an empty
    cell holds nobody and the smallest cell is the one suppressed to protect another.
    """
    with duckdb.connect() as con:
        con.register("cel", cellen)
        con.register("g", hierarchie)
        con.execute("create temp table wm_gebieden_op_p as select * from g where peildatum in "
                    "(select peildatum from cel where gedekt)")
        con.execute("create temp table wm_parameters as select $indicator as indicator, 'kosten' as soort",
                    {"indicator": INDICATOR})
        kolommen = f"""$indicator as indicator, peildatum, niveau, gebiedcode, gebiedsnaam, bedrag as teller,
                       clienten::double as noemer, null::bigint as n, null::double as som_gewicht_kwadraat,
                       totaal_abs, grootste_twee, inwoners"""
        con.execute(f"create temp table wm_ruw as select {kolommen} from cel where gedekt and wet = $totaal",
                    {"indicator": INDICATOR, "totaal": TOTAAL})
        con.execute(f"create temp table wm_ruw_uitsplitsing as select {kolommen}, 'wet' as uitsplitsing, "
                    "wet as categorie from cel where gedekt and wet <> $totaal",
                    {"indicator": INDICATOR, "totaal": TOTAAL})
        suppression.create_suppression(con, _PRIMARY_RULE_SQL)
        return con.sql(
            "select peildatum, niveau, gebiedcode, coalesce(categorie, $totaal) as wet, primair, onderdrukt "
            "from wm_cel",
            params={"totaal": TOTAAL},
        ).to_arrow_table()


def recoverable_kosten(tables: dict) -> list[str]:
    """The publication audit for `kosten`: the published amounts read as someone outside would.

    The amount is the additive figure; it goes through `suppression.recoverable_published` as the
    teller of an indicator 'kosten' with its wet breakdown (clienten as noemer: distinct persons do
    not add up over areas, so only the amount is audited as a sum).
    """
    kosten = tables.get("kosten")
    if kosten is None or kosten.num_rows == 0:
        return []
    with duckdb.connect() as con:
        con.register("k", kosten)
        select = """select 'kosten' as indicator, peildatum, niveau, gebiedcode, bedrag as teller,
                           bedrag as noemer, null::bigint as n, onderdrukt, reden {extra}
                    from k where wet {where}"""
        values = con.sql(select.format(extra="", where="= 'totaal'")).to_arrow_table()
        breakdown = con.sql(select.format(extra=", 'wet' as uitsplitsing, wet as categorie",
                                          where="<> 'totaal'")).to_arrow_table()
    # a missing per-inwoner figure keeps its amount: only a hidden amount is an unknown here
    values = _amount_hidden(values)
    breakdown = _amount_hidden(breakdown)
    return [f"kosten: {leak}" for leak in suppression.recoverable_published(
        {"indicator_values": values, "indicator_breakdown": breakdown, "areas": tables.get("areas")})]


def _amount_hidden(table: pa.Table) -> pa.Table:
    """reden only where the amount itself is absent (a peildatum without cost data)."""
    with duckdb.connect() as con:
        con.register("t", table)
        return con.sql("select * replace (case when teller is null then reden end as reden) from t").to_arrow_table()
