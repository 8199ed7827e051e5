"""Recompute only the peildata a run's changes can reach; keep the rest from the previous computation.

Everything `indicators.compute` builds per peildatum P alone — the summed unit rows (wm_ruw,
wm_ruw_uitsplitsing), the causes of incomplete inputs (wm_oorzaak), the suppressed cells (wm_cel: primary and
complementary suppression work per indicator and peildatum) and the cost cells with their suppression — is
kept in the warehouse, keyed by peildatum (tables `kept_*`). What couples peildata or reads other sources
(nulmeting and previous-peildatum comparisons, corridor and status, population, comparing fairly, the
published costs) is computed again from the kept rows on every run.

A peildatum is recomputed when
- it was not computed before (a new bevolking peildatum);
- a staging row that covers it changed: the staging tables are summarised in blocks (source, month of the
  row's first and last date) with a row count and a sum of row hashes; a block that differs from the kept
  summary makes every P with first date <= P and last date >= P - 1 year stale (a superset of each
  source's coverage of P: active on P, overlapping or in W(P), or of P itself). Only the sources the gate
  wrote again are hashed: a source whose gate verdict (`gate_verdicts.vingerafdruk`: its files under
  check, area codes, day, thresholds, contract and gate code, everything stg_<bron> is made from) and row
  count are those the kept summary was made under keeps its kept blocks;
- anything else might have changed: a different fingerprint (configuration including the indicator files,
  this code, the area table, DuckDB's version), a municipality's own indicator file (its query may read
  outside W(P)) with any staging change, or a breakdown whose set of categories changes. Then every
  peildatum is recomputed, as in a first run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from core.transaction import transaction
from etl.contract import BRONNEN
from indicators import registry
from indicators.config import MonitorConfig

_HERE = Path(__file__).parent
_ROOT = _HERE.parent
# the code whose output is kept: a change to any of it makes the kept rows doubtful
_CODE = (
    *sorted(_HERE.glob("*.py")), *sorted((_HERE / "views").glob("*.sql")),
    _ROOT / "etl" / "contract.py", _ROOT / "core" / "status.py", _ROOT / "core" / "niveau.py",
)
# temp table of indicators.compute -> the warehouse table that keeps its rows per peildatum
KEPT = {
    "wm_ruw": "kept_ruw",
    "wm_ruw_uitsplitsing": "kept_ruw_uitsplitsing",
    "wm_oorzaak": "kept_oorzaak",
    "wm_cel": "kept_cel",
    "wm_categorie": "kept_categorie",
    "wm_kosten_cel": "kept_kosten_cel",
    "wm_kosten_onderdrukking": "kept_kosten_onderdrukking",
}
_STATE = "kept_state"  # the fingerprint the kept rows were computed under
_BLOCKS = "kept_blocks"  # the staging summary they were computed from
_PEILDATA = "kept_peildata"  # the peildata they hold
_SOURCES = "kept_bronnen"  # per source the gate verdict and row count the kept blocks were made from


@dataclass(frozen=True)
class Plan:
    """Which peildata to compute in this run."""

    peildata: tuple[date, ...]
    everything: bool  # every peildatum, and the kept rows replaced whole
    reason: str  # why, for the progress line


def fingerprint(con: duckdb.DuckDBPyConnection, config: MonitorConfig) -> str:
    """Configuration, code, area table and DuckDB version in one digest."""
    digest = hashlib.sha256()
    digest.update(repr(config).encode())
    digest.update(duckdb.__version__.encode())
    for path in _CODE:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    [(areas,)] = con.execute(
        "select count(*) || ':' || coalesce(sum(hash(g)::hugeint), 0) from ref_gebieden g").fetchall()
    digest.update(str(areas).encode())
    return digest.hexdigest()


def _span(naam: str) -> tuple[str, str]:
    """The first and last date of a row of stg_<naam>, as SQL over alias t (see indicators.compute._coverage_sql)."""
    bron = BRONNEN[naam]
    if "periode_begin" in bron.kolomnamen:
        return "t.periode_begin", "t.periode_eind"
    if "begindatum" in bron.kolomnamen:
        einde = "coalesce(t.einddatum, date '9999-12-31')" if "einddatum" in bron.kolomnamen else "t.begindatum"
        return "t.begindatum", einde
    return f"t.{bron.datumkolom}", f"t.{bron.datumkolom}"


def _create_source_state(con: duckdb.DuckDBPyConnection) -> None:
    """wm_bronstand: per source the gate's verdict fingerprint (NULL without a gate) and its staging row count."""
    verdicts = "select bron, vingerafdruk from gate_verdicts" if _exists(con, "gate_verdicts") else \
        "select null::varchar as bron, null::varchar as vingerafdruk where false"
    counts = " union all ".join(f"select '{naam}' as bron, count(*) as rijen from stg_{naam}" for naam in BRONNEN)
    con.execute(f"create or replace temp table wm_bronstand as select c.bron, v.vingerafdruk, c.rijen "
                f"from ({counts}) c left join ({verdicts}) v using (bron)")


def _create_blocks(con: duckdb.DuckDBPyConnection, reuse: bool) -> None:
    """wm_blokken: per source and (month of first date, month of last date) the rows, their hash sum and span.

    With `reuse`, a source the gate left as it was (same verdict fingerprint and row count as when the kept
    blocks were made) takes its kept blocks instead of hashing every row again.
    """
    _create_source_state(con)
    unchanged = set()
    if reuse:
        unchanged = {row[0] for row in con.execute(
            f"select n.bron from wm_bronstand n join {_SOURCES} o using (bron) "
            f"where n.vingerafdruk is not null and n.vingerafdruk = o.vingerafdruk and n.rijen = o.rijen"
        ).fetchall()}
    parts = []
    for naam in BRONNEN:
        if naam in unchanged:
            parts.append(f"select * from {_BLOCKS} where bron = '{naam}'")
            continue
        begin, einde = _span(naam)
        parts.append(
            f"select '{naam}' as bron, date_trunc('month', {begin}) as begin_maand, "
            f"date_trunc('month', {einde}) as eind_maand, count(*) as rijen, sum(hash(t)::hugeint) as som, "
            f"min({begin}) as begin, max({einde}) as einde from stg_{naam} t group by all"
        )
    con.execute(f"create or replace temp table wm_blokken as {' union all '.join(parts)}")


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    [(count,)] = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() and not temporary "
        "and table_name = ?", [table]
    ).fetchall()
    return count > 0


def plan(con: duckdb.DuckDBPyConnection, config: MonitorConfig, peildata: str) -> Plan:
    """The peildata to compute; `peildata` names the table of every peildatum (column peildatum)."""
    alle = tuple(row[0] for row in con.execute(f"select peildatum from {peildata} order by peildatum").fetchall())
    kept = all(_exists(con, table) for table in (*KEPT.values(), _STATE, _BLOCKS, _PEILDATA, _SOURCES))
    vorige = con.execute(f"select max(fingerprint) from {_STATE}").fetchall()[0][0] if kept else None
    # kept blocks are reused only when made by this code over the same area table
    same = kept and vorige == fingerprint(con, config)
    _create_blocks(con, reuse=same)
    if not kept:
        return Plan(alle, True, "eerste berekening")
    if not same:
        return Plan(alle, True, "configuratie, code of gebieden gewijzigd")
    con.execute(
        f"""
        create or replace temp table wm_gewijzigd as
        select least(o.begin, n.begin) as begin, greatest(o.einde, n.einde) as einde
        from {_BLOCKS} o
        full join wm_blokken n using (bron, begin_maand, eind_maand)
        where o.rijen is distinct from n.rijen or o.som is distinct from n.som
        """
    )
    [(changes,)] = con.execute("select count(*) from wm_gewijzigd").fetchall()
    if changes and any(not _shipped(indicator) for indicator in config.indicators):
        return Plan(alle, True, "eigen indicatorbestand en gewijzigde gegevens")
    stale = con.execute(
        f"""
        select p.peildatum from {peildata} p
        where p.peildatum not in (select peildatum from {_PEILDATA})
           or exists (select 1 from wm_gewijzigd w
                      where w.begin <= p.peildatum and w.einde >= (p.peildatum - interval 1 year)::date)
        order by p.peildatum
        """
    ).fetchall()
    con.execute("drop table if exists temp.wm_gewijzigd")
    return Plan(tuple(row[0] for row in stale), False, "de andere bewaard uit de vorige berekening")


def _shipped(indicator) -> bool:
    """An indicator file of the product itself (its query keeps to W(P) and the rows active on P)."""
    return indicator.bestand is not None and indicator.bestand.parent.resolve() == registry.PACKAGE_DIR.resolve()


def categories_changed(con: duckdb.DuckDBPyConnection, plan: Plan, peildata: str) -> bool:
    """wm_categorieen: every breakdown category over every peildatum; whether it differs from the kept rows'.

    wm_categorie holds (indicator, uitsplitsing, peildatum, categorie) seen on the peildata of the plan; a
    breakdown has a row for every category seen on any peildatum, so a new or vanished one touches them all.
    """
    kept = "" if plan.everything else f"""
        union
        select indicator, uitsplitsing, categorie from {KEPT['wm_categorie']}
        where list_contains($alle::date[], peildatum) and not list_contains($nu::date[], peildatum)"""
    alle = [row[0] for row in con.execute(f"select peildatum from {peildata}").fetchall()]
    con.execute(
        f"""
        create or replace temp table wm_categorieen as
        select indicator, uitsplitsing, categorie from wm_categorie {kept}
        """,
        {} if plan.everything else {"alle": alle, "nu": list(plan.peildata)},
    )
    if plan.everything:
        return False
    [(differs,)] = con.execute(
        f"""
        with toen as (select distinct indicator, uitsplitsing, categorie from {KEPT['wm_ruw_uitsplitsing']})
        select exists (select * from wm_categorieen except select * from toen)
            or exists (select * from toen except select * from wm_categorieen)
        """
    ).fetchall()
    return differs


def keep(con: duckdb.DuckDBPyConnection, config: MonitorConfig, plan: Plan, peildata: str) -> None:
    """Store the rows computed for the plan's peildata in the warehouse, in one transaction."""
    stand = fingerprint(con, config)
    alle = [row[0] for row in con.execute(f"select peildatum from {peildata}").fetchall()]
    with transaction(con):
        for temp, table in KEPT.items():
            if plan.everything:
                con.execute(f"create or replace table {table} as select * from temp.{temp}")
                continue
            con.execute(f"delete from {table} where not list_contains($alle::date[], peildatum) "
                        f"or list_contains($nu::date[], peildatum)", {"alle": alle, "nu": list(plan.peildata)})
            con.execute(f"insert into {table} select * from temp.{temp}")
        con.execute(f"create or replace table {_BLOCKS} as select * from wm_blokken")
        con.execute(f"create or replace table {_SOURCES} as select * from wm_bronstand")
        con.execute(f"create or replace table {_PEILDATA} as select peildatum from {peildata}")
        con.execute(f"create or replace table {_STATE} as select ?::varchar as fingerprint, ?::varchar as reden, "
                    "?::integer as berekend, ?::integer as peildata",
                    [stand, plan.reason, len(plan.peildata), len(alle)])
    con.execute("drop table if exists temp.wm_blokken")
    con.execute("drop table if exists temp.wm_bronstand")


def summary(con: duckdb.DuckDBPyConnection) -> str | None:
    """What the last computation computed, for the progress line (None: nothing kept)."""
    if not _exists(con, _STATE):
        return None
    rows = con.execute(f"select berekend, peildata, reden from {_STATE}").fetchall()
    return f"{rows[0][0]} van {rows[0][1]} peildata berekend, {rows[0][2]}" if rows else None


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Make the next computation compute every peildatum (its fingerprint is gone)."""
    con.execute(f"drop table if exists {_STATE}")


def restore(con: duckdb.DuckDBPyConnection, temp: str) -> None:
    """The temp table `temp` with the kept rows of every peildatum."""
    con.execute(f"create or replace temp table {temp} as select * from {KEPT[temp]}")
