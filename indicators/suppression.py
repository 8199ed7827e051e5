"""Statistical disclosure control: primary and complementary suppression of the published figures.

Primary suppression (indicators.md) marks a figure that rests on too few units: a survey value with
n < min_n, a register value with noemer < min_noemer or 0 < teller < min_teller.

Complementary (secondary) suppression keeps a suppressed figure from being recovered by subtraction.
Teller and noemer are additive: a gebied is the sum of its wijken valid on P, the gemeente the sum
of its gebieden, and an area's total the sum of its breakdown categories (e.g. wmo + jeugdwet).
Each such sum is a *group*: one total cell and its part cells. A group with exactly one suppressed
cell gives that cell away (total minus the published parts, or the sum of the parts), so while any
group has exactly one suppressed cell, one more cell of it is suppressed:
- the suppressed cell is a part and other parts are published: the published part with the
  smallest noemer (tie: smallest gebiedcode, then categorie); for a breakdown group every other
  category;
- the suppressed cell is the total: likewise the smallest part (every category for a breakdown);
- the suppressed cell is the only part (a gebied with one wijk): the total, which has the same figures.
An empty cell (noemer 0: no respondents, no persons, no inhabitants) is suppressed because it has no
value, but it holds nobody and its emptiness shows (n = 0): it neither needs nor gives protection,
so only suppressed cells with noemer > 0 count. A cell with incomplete inputs (wm_ontbrekend: a
missing population, a source without data) is published without figures; here it counts as a
suppressed cell that holds people, whatever its noemer, so its neighbours protect it and it
protects them.
Every rule only adds suppression, so repeating the step until nothing changes terminates; a cell
suppressed in one group can make another group vulnerable (wijk -> gebied -> gemeente -> breakdown).
Each round fixes only the vulnerable groups of the highest level (gemeente, then gebied, then
breakdown): suppressing a gebied for the gemeente often protects that gebied's vulnerable wijk as
well, while suppressing a wijk never helps the gemeente, so top-down suppresses less.

The group rule is enough for the area tree alone, but where a breakdown crosses the area tree the
groups form a grid, and a cell can still follow from a chain of sums (e.g. two wijken by two
categories all suppressed, their totals known). So after the rules settle, every (indicator,
peildatum) is audited by linear algebra: a suppressed cell is *recoverable* when some combination of
the group equations pins it down. For each one, the published cell with the smallest noemer in the
groups of that combination is suppressed as well, and rules and audit run again until nothing is
recoverable. See docs/privacy.md for what this does and does not protect against.

Works on the caller's connection with the temp tables of `indicators.compute`: wm_ruw,
wm_ruw_uitsplitsing, wm_parameters, wm_ontbrekend and wm_gebieden_op_p. Result: temp table wm_cel
with one row per published cell and the columns `primair` (primary rule), `reden` (incomplete
inputs), `bezet` (holds people, or might) and `onderdrukt` (final: no figures published).

`recoverable_published` is the independent check at publication time: it reads only the published
tables, as someone outside would, and names every suppressed cell that the published sums give away.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import duckdb
import numpy as np
from threadpoolctl import threadpool_limits

TEMP_TABLES = ("wm_cel", "wm_hierarchie", "wm_groep_lid", "wm_te_controleren", "wm_audit_deel")
# memberships audited at a time: a batch's fetched rows and Python objects (some 300 bytes a row) are
# outside DuckDB's memory limit; at city scale every partition fits in one batch
_AUDIT_ROWS = 200_000
_TOLERANCE = 1e-9  # the group equations have coefficients 0 and ±1: far from rounding trouble

# The primary rule over a raw row `r` joined with its indicator's parameters `pm`: a survey is
# judged on its respondents, a register on the persons counted; noemer 0 has no value at all.
PRIMARY_RULE_SQL = """
    case when pm.soort = 'enquete' then r.n < pm.min_n or r.noemer <= 0
         else r.noemer < pm.min_noemer or r.noemer <= 0
              or (pm.min_teller is not null and r.teller > 0 and r.teller < pm.min_teller)
    end
"""


def create_suppression(con: duckdb.DuckDBPyConnection, primary_rule: str = PRIMARY_RULE_SQL) -> int:
    """Build wm_cel with primary and complementary suppression; return the rounds needed.

    primary_rule: an SQL condition over a raw row `r` and its parameters `pm` (another rule than the
    indicators', e.g. the dominance rule of indicators/kosten.py).
    """
    _create_cells(con, primary_rule)
    _create_groups(con)
    rounds = 0
    audited: dict[tuple, int] | None = None  # suppressed cells per (indicator, peildatum) at the last audit
    memo: dict[tuple[str, bytes], set[int]] = {}
    while True:
        while _suppress_one_round(con) > 0:
            rounds += 1
        # Partitions are independent and suppression only grows, so a partition with as many suppressed
        # cells as at its last audit is in the same state and would give the same (empty) answer again.
        state = {(indicator, peildatum): count for indicator, peildatum, count in con.execute(
            "select indicator, peildatum, count(*) filter (where onderdrukt) from wm_cel group by all").fetchall()}
        changed = None if audited is None else [key for key, count in state.items() if audited.get(key) != count]
        if _close_linear_leaks(con, changed, memo) == 0:
            return rounds
        audited = state
        rounds += 1


def join_sql(raw_alias: str, uitsplitsing: str, categorie: str) -> str:
    """Join condition of a raw row to its cell in wm_cel (alias c); pass 'null' for a total."""
    return f"""
        c.indicator = {raw_alias}.indicator and c.peildatum = {raw_alias}.peildatum
        and c.niveau = {raw_alias}.niveau and c.gebiedcode = {raw_alias}.gebiedcode
        and c.uitsplitsing is not distinct from {uitsplitsing}
        and c.categorie is not distinct from {categorie}
    """


def _create_cells(con: duckdb.DuckDBPyConnection, primary_rule: str) -> None:
    """wm_cel: every value cell (uitsplitsing NULL) and breakdown cell, with the primary rule.

    A cell with incomplete inputs is not primary (it has no figure to judge) but starts hidden.
    """
    # without the computation's list of incomplete cells (tests of this module alone): none
    con.execute("create temp table if not exists wm_ontbrekend "
                "(indicator VARCHAR, peildatum DATE, niveau VARCHAR, gebiedcode VARCHAR, reden VARCHAR)")
    con.execute(
        f"""
        create or replace temp table wm_cel as
        with cellen as (
            select r.indicator, r.peildatum, r.niveau, r.gebiedcode,
                   null::varchar as uitsplitsing, null::varchar as categorie,
                   r.noemer, {primary_rule} as primair
            from wm_ruw r join wm_parameters pm on pm.indicator = r.indicator
            union all
            select r.indicator, r.peildatum, r.niveau, r.gebiedcode, r.uitsplitsing, r.categorie,
                   r.noemer, {primary_rule}
            from wm_ruw_uitsplitsing r join wm_parameters pm on pm.indicator = r.indicator
        )
        select row_number() over (order by c.indicator, c.peildatum, c.niveau, c.gebiedcode,
                                           c.uitsplitsing nulls first, c.categorie nulls first) as cel,
               c.* exclude (primair),
               c.primair and o.reden is null as primair,
               o.reden,
               c.noemer > 0 or o.reden is not null as bezet,
               c.primair or o.reden is not null as onderdrukt
        from cellen c
        left join wm_ontbrekend o
          on o.indicator = c.indicator and o.peildatum = c.peildatum
         and o.niveau = c.niveau and o.gebiedcode = c.gebiedcode
        """
    )


def _create_groups(con: duckdb.DuckDBPyConnection) -> None:
    """wm_groep_lid: the cells of every additive group, the total flagged by is_totaal."""
    con.execute(
        """
        create or replace temp table wm_hierarchie as
        select distinct kind.peildatum, ouder.niveau as ouder_niveau, ouder.gebiedcode as ouder,
               kind.niveau as kind_niveau, kind.gebiedcode as kind
        from wm_gebieden_op_p kind
        join wm_gebieden_op_p ouder on ouder.peildatum = kind.peildatum and ouder.wijkcode = kind.wijkcode
        where (kind.niveau = 'wijk' and ouder.niveau = 'gebied')
           or (kind.niveau = 'gebied' and ouder.niveau = 'gemeente')
        """
    )
    con.execute(
        """
        create or replace temp table wm_groep_lid as
        -- an area and the areas directly below it, for the total and for every category
        select c.cel, c.indicator, c.peildatum,
               concat_ws('|', 'gebied', c.niveau, c.gebiedcode, c.uitsplitsing, c.categorie) as groep,
               true as is_totaal, false as alle_delen,
               case c.niveau when 'gemeente' then 0 else 1 end as volgorde
        from wm_cel c
        where exists (select 1 from wm_hierarchie h
                      where h.peildatum = c.peildatum and h.ouder_niveau = c.niveau and h.ouder = c.gebiedcode)
        union all
        select c.cel, c.indicator, c.peildatum,
               concat_ws('|', 'gebied', h.ouder_niveau, h.ouder, c.uitsplitsing, c.categorie),
               false, false, case h.ouder_niveau when 'gemeente' then 0 else 1 end
        from wm_cel c
        join wm_hierarchie h on h.peildatum = c.peildatum and h.kind_niveau = c.niveau and h.kind = c.gebiedcode
        union all
        -- an area's total and its categories of one breakdown
        select c.cel, c.indicator, c.peildatum,
               concat_ws('|', 'uitsplitsing', c.niveau, c.gebiedcode, u.uitsplitsing),
               c.uitsplitsing is null, true, 2
        from wm_cel c
        join (select distinct indicator, peildatum, niveau, gebiedcode, uitsplitsing
              from wm_cel where uitsplitsing is not null) u
          on u.indicator = c.indicator and u.peildatum = c.peildatum
         and u.niveau = c.niveau and u.gebiedcode = c.gebiedcode
         and (c.uitsplitsing is null or c.uitsplitsing = u.uitsplitsing)
        """
    )


def _suppress_one_round(con: duckdb.DuckDBPyConnection) -> int:
    """Suppress one more cell in each highest-level group with exactly one suppressed cell; return the count."""
    [(changed,)] = con.execute(
        """
        update wm_cel set onderdrukt = true
        where cel in (
            with leden as (
                select g.*, c.onderdrukt, c.bezet, c.noemer, c.gebiedcode, c.categorie
                from wm_groep_lid g join wm_cel c on c.cel = g.cel
            ),
            kwetsbaar as (
                select indicator, peildatum, groep,
                       count(*) filter (where not is_totaal and not onderdrukt) as open_delen
                from leden
                group by indicator, peildatum, groep, volgorde
                having count(*) filter (where onderdrukt and bezet) = 1
                qualify volgorde = min(volgorde) over (partition by indicator, peildatum)
            ),
            kandidaten as (
                -- the parts while any is published, otherwise the total (a group with one part)
                select l.cel, l.is_totaal, l.alle_delen,
                       row_number() over (partition by l.indicator, l.peildatum, l.groep
                                          order by l.noemer, l.gebiedcode, l.categorie) as rang
                from leden l
                join kwetsbaar k on k.indicator = l.indicator and k.peildatum = l.peildatum and k.groep = l.groep
                where not l.onderdrukt and l.is_totaal = (k.open_delen = 0)
            )
            select cel from kandidaten where is_totaal or alle_delen or rang = 1
        )
        """
    ).fetchall()
    return changed


class _Member(NamedTuple):
    """One cell in one group, as the audit of one system of sums needs it."""

    groep: str
    is_totaal: bool
    cel: int
    onbekend: bool  # its figure is not known from the publication
    gevoelig: bool  # unknown and holding people: must not follow from the sums
    kandidaat: bool  # suppressing it hides its figure in this system
    noemer: float
    sorteer: tuple[str, str]


def _close_linear_leaks(con: duckdb.DuckDBPyConnection, only: list[tuple] | None = None,
                        memo: dict[tuple[str, bytes], set[int]] | None = None) -> int:
    """Suppress a published cell for every recoverable suppressed cell; return how many were added.

    Two systems of sums are audited. teller and noemer: every suppressed cell is unknown. n of a
    survey: an area's own respondent count is published even when suppressed (only a breakdown
    category's is hidden), so there only categories (and cells without inputs) are unknown and only
    a category can be suppressed to protect one. An empty category, or one that holds all
    respondents of its area (the area's published n), tells nothing when it is pinned down.
    only: the (indicator, peildatum) partitions to audit (None: all); memo: the answers for parts audited
    before in the same state (a part without a change since gives the same answer).

    The partitions are fetched and audited a batch at a time (_AUDIT_ROWS memberships): the fetched rows
    and their Python objects are outside DuckDB's memory limit, so all at once they grew with the data.
    """
    memo = {} if memo is None else memo
    where = ""
    if only is not None:
        if not only:
            return 0
        con.execute("create or replace temp table wm_te_controleren (indicator VARCHAR, peildatum DATE)")
        con.executemany("insert into wm_te_controleren values (?, ?)", only)
        where = "where (indicator, peildatum) in (select (indicator, peildatum) from wm_te_controleren)"
    sizes = con.execute(f"select indicator, peildatum, count(*) from wm_groep_lid {where} "
                        "group by all order by all").fetchall()
    extra: set[int] = set()
    for batch in _batches(sizes, _AUDIT_ROWS):
        con.execute("create or replace temp table wm_audit_deel (indicator VARCHAR, peildatum DATE)")
        con.executemany("insert into wm_audit_deel values (?, ?)", batch)
        extra |= _leaks_of_batch(con, memo)
    con.execute("drop table if exists temp.wm_audit_deel")
    if extra:
        con.execute("update wm_cel set onderdrukt = true where list_contains($cellen, cel)", {"cellen": sorted(extra)})
    return len(extra)


def _batches(sizes: list[tuple], limit: int) -> Iterator[list[tuple]]:
    """(indicator, peildatum, rows) in order -> lists of (indicator, peildatum) of at most `limit` rows each
    (a partition larger than that on its own)."""
    batch: list[tuple] = []
    rows = 0
    for indicator, peildatum, count in sizes:
        if batch and rows + count > limit:
            yield batch
            batch, rows = [], 0
        batch.append((indicator, peildatum))
        rows += count
    if batch:
        yield batch


def _leaks_of_batch(con: duckdb.DuckDBPyConnection, memo: dict[tuple[str, bytes], set[int]]) -> set[int]:
    """The cells to suppress for the partitions in wm_audit_deel (see _close_linear_leaks)."""
    deel = "(indicator, peildatum) in (select (indicator, peildatum) from wm_audit_deel)"
    rows = con.execute(
        f"""
        with cel as (
            select *, uitsplitsing is not null and noemer >= max(noemer) filter (where uitsplitsing is null)
                      over (partition by indicator, peildatum, niveau, gebiedcode) as heel_gebied
            from wm_cel where {deel}
        )
        select dense_rank() over (order by g.indicator, g.peildatum, g.groep) - 1 as groep_nr,
               g.groep, g.is_totaal, c.cel, c.onderdrukt, c.bezet,
               c.bezet and not coalesce(c.heel_gebied, false) as bezet_n, c.uitsplitsing is not null as is_deel,
               c.reden is not null as ontbreekt, c.noemer, c.gebiedcode, coalesce(c.categorie, '') as categorie,
               pm.soort = 'enquete' as enquete
        from (select * from wm_groep_lid where {deel}) g
        join cel c on c.cel = g.cel join wm_parameters pm on pm.indicator = g.indicator
        """
    ).fetchnumpy()
    extra: set[int] = set()
    if len(rows["cel"]) == 0:
        return extra
    onderdrukt, bezet, is_deel = rows["onderdrukt"], rows["bezet"], rows["is_deel"]
    verborgen_n = rows["enquete"] & onderdrukt & (is_deel | rows["ontbreekt"])
    part = _independent_parts(rows["groep_nr"], rows["cel"])
    # only parts with a cell that must not follow from the sums can add anything (_cells_to_add)
    systems = (
        ("teller en noemer", np.ones_like(onderdrukt), onderdrukt & bezet, onderdrukt & bezet, ~onderdrukt),
        ("n", rows["enquete"], verborgen_n, verborgen_n & rows["bezet_n"], is_deel & ~onderdrukt),
    )
    # thousands of matrices of some 50 x 50: BLAS threads cost more to start and wait for than they save
    with threadpool_limits(limits=1, user_api="blas"):
        for system, member, onbekend, gevoelig, kandidaat in systems:
            audited = np.flatnonzero(member & np.isin(part, part[member & gevoelig]))
            components: dict[int, list[_Member]] = defaultdict(list)
            for nr, groep, is_totaal, cel, *flags, noemer, gebiedcode, categorie in zip(*(
                    column[audited].tolist() for column in (
                        part, rows["groep"], rows["is_totaal"], rows["cel"], onbekend, gevoelig, kandidaat,
                        rows["noemer"], rows["gebiedcode"], rows["categorie"]))):
                components[nr].append(_Member(groep, is_totaal, cel, *flags, noemer, (gebiedcode, categorie)))
            for component in components.values():
                # the answer depends on the members only, not their order; the memo keeps a digest of them,
                # not the members (all of them over every round would grow with the data)
                key = (system, _digest(component))
                if key not in memo:
                    memo[key] = _cells_to_add(component)
                extra |= memo[key]
    return extra


def _digest(component: list[_Member]) -> bytes:
    """The members of a part, in an order of their own (a group holds a cell once), as a 32-byte digest."""
    return hashlib.blake2b(repr(sorted(component)).encode(), digest_size=32).digest()


def _independent_parts(groep_nr: np.ndarray, cel: np.ndarray) -> np.ndarray:
    """Per membership row, its part: groups linked by a shared cell, in practice one gemeente per
    (indicator, peildatum) (groep_nr numbers the groups of every partition apart).

    Groups that share no cell are independent equations, so auditing each part on its own gives
    the same answer while keeping every matrix small: the cost grows linearly with the number of
    gemeenten instead of cubically with the number of cells in the country.
    """
    # imported here: scipy takes about 0.4 s to import, which a run with nothing to compute need not pay
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    groups = int(groep_nr.max()) + 1
    _, cel_nr = np.unique(cel, return_inverse=True)
    nodes = groups + int(cel_nr.max()) + 1
    graph = coo_matrix((np.ones(len(cel)), (groep_nr, groups + cel_nr)), shape=(nodes, nodes))
    _, label = connected_components(graph, directed=False)
    return label[groep_nr]


def _linked(groepen: Iterable[str], cells: Iterable[tuple[str, int]]) -> dict[str, str]:
    """Union-find: every group -> one representative group of the groups linked to it by a shared cell."""
    parent: dict[str, str] = {}

    def root(groep: str) -> str:
        while parent.setdefault(groep, groep) != groep:
            parent[groep] = parent[parent[groep]]
            groep = parent[groep]
        return groep

    for groep in groepen:
        root(groep)
    first_group_of_cell: dict[int, str] = {}
    for groep, cel in cells:
        parent[root(groep)] = root(first_group_of_cell.setdefault(cel, groep))
    return {groep: root(groep) for groep in list(parent)}


def _cells_to_add(members: list[_Member]) -> set[int]:
    """Within one partition: for each recoverable cell, the published cell that protects it."""
    unknown = sorted({m.cel for m in members if m.onbekend})
    gevoelig = {m.cel for m in members if m.gevoelig}
    if not gevoelig:
        return set()
    column = {cel: i for i, cel in enumerate(unknown)}
    group_names = sorted({m.groep for m in members})
    row = {groep: i for i, groep in enumerate(group_names)}
    # each group: total - sum(parts) = 0; published and empty cells are known numbers (right-hand side)
    matrix = np.zeros((len(group_names), len(unknown)))
    for m in members:
        if m.cel in column:
            matrix[row[m.groep], column[m.cel]] += 1.0 if m.is_totaal else -1.0
    # a cell is pinned down when every solution of the homogeneous system leaves it unchanged,
    # i.e. its coordinate is zero in every null-space vector
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > _TOLERANCE).sum())
    null_space = vt[rank:]
    norms = np.linalg.norm(null_space, axis=0)
    recoverable = [cel for cel, i in column.items() if cel in gevoelig and norms[i] < _TOLERANCE]
    published = [m for m in members if m.kandidaat]  # one entry per group a cell is in
    added: set[int] = set()
    if not published:  # nothing left that suppression could hide
        return added
    for cel in recoverable:
        target = np.zeros(len(unknown))
        target[column[cel]] = 1.0
        weights = np.linalg.lstsq(matrix.T, target, rcond=None)[0]  # the combination that gives it away
        used = {group_names[i] for i in np.flatnonzero(np.abs(weights) > _TOLERANCE)}
        candidates = [m for m in published if m.groep in used] or published
        added.add(min(candidates, key=lambda m: (m.noemer, m.sorteer)).cel)
    return added


# --- the audit at publication time, on the published tables alone ----------------------------------

_FIGURES = ("teller", "noemer", "n")  # the additive published columns
_LEAK_TOLERANCE = 1e-6  # a recovered sum this close to 0 shows an empty cell, which gives nobody away


def recoverable_published(tables: dict) -> list[str]:
    """Every hidden cell that holds people and follows from the published sums, described without values.

    Reads indicator_values, indicator_breakdown and areas (pyarrow tables) as someone outside would:
    a cell whose figure is hidden (onderdrukt, or a reason for incomplete inputs) is an unknown; the
    relations are every area = the sum of the areas directly below it (also per breakdown category)
    and every total = the sum of its breakdown categories, for teller, noemer and n separately. A
    relation with a member whose figure is absent without being hidden (n of a register) is not one.
    An unknown pinned down by those relations is a leak when its recovered value is not 0 (an empty
    cell gives nobody away) and, for n, not the area's own published n (a category holding all of
    the area's respondents tells nothing the published total does not).
    """
    if "indicator_values" not in tables:
        return []
    con = duckdb.connect()
    try:
        con.register("v", tables["indicator_values"])
        breakdown = tables.get("indicator_breakdown")
        has_breakdown = breakdown is not None and breakdown.num_rows > 0
        if has_breakdown:
            con.register("b", breakdown)
        con.execute(_PUBLISHED_CELLS_SQL.format(breakdown=_BREAKDOWN_CELLS_SQL if has_breakdown else ""))
        areas = tables.get("areas")
        con.execute("create temp table lid (groep VARCHAR, cel BIGINT, teken DOUBLE)")
        if areas is not None and areas.num_rows:
            con.register("a", areas)
            con.execute(_AREA_RELATIONS_SQL)
        con.execute(_BREAKDOWN_RELATIONS_SQL)
        leaks: list[str] = []
        for figure in _FIGURES:
            leaks.extend(_recovered(con, figure))
        return sorted(set(leaks))
    finally:
        con.close()


_PUBLISHED_CELLS_SQL = """
create temp table cel as
select row_number() over (order by indicator, peildatum, niveau, gebiedcode, uitsplitsing nulls first,
                                   categorie nulls first) as id, *,
       max(n) filter (where uitsplitsing is null) over (partition by indicator, peildatum, niveau, gebiedcode)
           as gebied_n
from (
    select indicator, peildatum, niveau, gebiedcode, null::varchar as uitsplitsing, null::varchar as categorie,
           teller, noemer, n::double as n, onderdrukt or reden is not null as verborgen
    from v
    {breakdown}
)
"""
_BREAKDOWN_CELLS_SQL = """
    union all
    select indicator, peildatum, niveau, gebiedcode, uitsplitsing, categorie,
           teller, noemer, n::double, onderdrukt or reden is not null
    from b
"""
# area -> the areas directly below it on P, from the published area table with its validity
_AREA_RELATIONS_SQL = """
insert into lid
with p as (select distinct peildatum from cel),
wijk as (
    select p.peildatum, a.gebiedcode as kind, a.bovenliggend as ouder
    from a join p on a.niveau = 'wijk' and a.geldig_van <= p.peildatum
                 and (a.geldig_tot is null or p.peildatum < a.geldig_tot)
),
gebied as (
    select distinct w.peildatum, w.ouder as kind, g.bovenliggend as ouder
    from wijk w join a g on g.niveau = 'gebied' and g.gebiedcode = w.ouder
),
boom as (
    select peildatum, 'gebied' as ouder_niveau, ouder, 'wijk' as kind_niveau, kind from wijk
    union all
    select peildatum, 'gemeente', ouder, 'gebied', kind from gebied
),
kinderen as (
    select 'a' || o.id as groep, o.id as ouder, k.id as kind
    from boom h
    join cel o on o.peildatum = h.peildatum and o.niveau = h.ouder_niveau and o.gebiedcode = h.ouder
    join cel k on k.indicator = o.indicator and k.peildatum = o.peildatum
              and k.niveau = h.kind_niveau and k.gebiedcode = h.kind
              and k.uitsplitsing is not distinct from o.uitsplitsing and k.categorie is not distinct from o.categorie
)
select distinct groep, ouder, 1.0 from kinderen
union all
select groep, kind, -1.0 from kinderen
"""
# an area's total -> its categories of one breakdown
_BREAKDOWN_RELATIONS_SQL = """
insert into lid
with delen as (
    select 'b' || t.id || '|' || c.uitsplitsing as groep, t.id as totaal, c.id as deel
    from cel c
    join cel t on t.uitsplitsing is null and c.uitsplitsing is not null and t.indicator = c.indicator
              and t.peildatum = c.peildatum and t.niveau = c.niveau and t.gebiedcode = c.gebiedcode
)
select distinct groep, totaal, 1.0 from delen
union all
select groep, deel, -1.0 from delen
"""


def _recovered(con: duckdb.DuckDBPyConnection, figure: str) -> list[str]:
    """The leaks for one published figure (teller, noemer or n)."""
    rows = con.execute(
        f"""
        with relevant as (
            -- relations with an unknown in them and no member that is absent without being hidden
            select l.groep
            from lid l join cel c on c.id = l.cel
            group by l.groep
            having count(*) filter (where c.{figure} is null and c.verborgen) > 0
               and count(*) filter (where c.{figure} is null and not c.verborgen) = 0
        )
        select l.groep, l.cel, l.teken, c.{figure}, {"c.gebied_n" if figure == "n" else "null"}
        from lid l join cel c on c.id = l.cel
        where l.groep in (select groep from relevant)
        order by l.groep, l.cel
        """
    ).fetchall()
    if not rows:
        return []
    equations: dict[str, list[tuple[int, float, float | None]]] = defaultdict(list)
    harmless: dict[int, set[float]] = defaultdict(lambda: {0.0})  # recovered values that reveal nobody
    for groep, cel, teken, waarde, gebied_n in rows:
        equations[groep].append((cel, teken, waarde))
        if gebied_n is not None:
            harmless[cel].add(float(gebied_n))
    leaks = []
    for component in _components(equations):
        for cel, value in _pinned_down(component, equations):
            if not any(abs(value - h) <= _LEAK_TOLERANCE * max(1.0, abs(h)) for h in harmless[cel]):
                leaks.append(cel)
    if not leaks:
        return []
    described = con.execute(
        """select indicator, peildatum, niveau, gebiedcode, uitsplitsing, categorie from cel
           where list_contains($ids, id) order by id""",
        {"ids": leaks},
    ).fetchall()
    return [
        f"indicator {i}, peildatum {p.isoformat()}, {niveau} {code}"
        + (f", {u} {c}" if u is not None else "") + f", {figure}"
        for i, p, niveau, code, u, c in described
    ]


def _components(equations: dict[str, list[tuple[int, float, float | None]]]) -> list[list[str]]:
    """Relations linked by a shared unknown: each set can be solved on its own."""
    unknowns = ((groep, cel) for groep, members in equations.items() for cel, _, waarde in members if waarde is None)
    component = _linked(equations, unknowns)
    components: dict[str, list[str]] = defaultdict(list)
    for groep in equations:
        components[component[groep]].append(groep)
    return list(components.values())


def _pinned_down(
    groepen: list[str], equations: dict[str, list[tuple[int, float, float | None]]]
) -> list[tuple[int, float]]:
    """Unknowns of these relations that the relations determine, with their recovered value."""
    unknown = sorted({cel for g in groepen for cel, _, waarde in equations[g] if waarde is None})
    column = {cel: i for i, cel in enumerate(unknown)}
    matrix = np.zeros((len(groepen), len(unknown)))
    rhs = np.zeros(len(groepen))
    for row, groep in enumerate(groepen):
        for cel, teken, waarde in equations[groep]:
            if waarde is None:
                matrix[row, column[cel]] += teken
            else:
                rhs[row] -= teken * waarde
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > _TOLERANCE).sum())
    null_space = vt[rank:]
    pinned = []
    for cel, i in column.items():
        if np.linalg.norm(null_space[:, i]) >= _TOLERANCE:
            continue
        target = np.zeros(len(unknown))
        target[i] = 1.0
        weights = np.linalg.lstsq(matrix.T, target, rcond=None)[0]
        pinned.append((cel, float(weights @ rhs)))
    return pinned
