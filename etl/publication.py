"""Build the published tables the ETL run itself owns: areas, geometry, dq_sources, dq_rules, dq_files, meta.

Their columns and types come from the publication contract (core/publication.py); indicators/compute.py
builds the indicator tables. The data-quality tables hold file names, columns, rules and counts, never a
row's content.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import pyarrow as pa

from core import publication, status
from etl.contract import BRONNEN, Bron
from etl.load import GEACCEPTEERD, HERKOMST, ONGEWIJZIGD, VERWIJDERD, FileOutcome
from etl.staging import staging_table
from core import __version__, paths

if TYPE_CHECKING:
    from expectations.gate import GateResult

BRON_GEOMETRIE = "Bron: CBS / Kadaster, Wijk- en buurtkaart (gegeneraliseerd), CC-BY 4.0"


class RunOutcome(Protocol):
    """What a run found per source (wijkmonitor.pipeline.RunReport): file outcomes and the gate's verdict."""

    files: dict[str, list[FileOutcome]]
    gates: dict[str, GateResult]


def run_tables(
    con: duckdb.DuckDBPyConnection, report: RunOutcome, config: Any, run_id: str, sources: Path | None = None
) -> dict[str, pa.Table]:
    """The tables the ETL run owns in the published store, keyed by table name."""
    return {
        "areas": areas_table(con),
        "geometry": geometry_table(paths.WIJKEN_GEOJSON),
        "dq_sources": dq_sources_table(con, report),
        "dq_rules": dq_rules_table(report),
        "dq_files": dq_files_table(con, report),
        "meta": meta_table(config, run_id, fictief=sources is not None and is_demo_drop(sources)),
    }


def areas_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every wijk, gebied and gemeente of ref_gebieden with its enclosing area, validity and merger date.

    A gebied has in_gemeente_sinds only when all its wijken joined (the latest date); a gemeente never.
    """
    return con.sql(
        """
        WITH wijken AS (
            SELECT 'wijk' AS niveau, wijkcode AS gebiedcode, wijknaam AS gebiedsnaam,
                   gebiedcode AS bovenliggend, geldig_van, geldig_tot, in_gemeente_sinds
            FROM ref_gebieden
        ), gebieden AS (
            SELECT 'gebied', gebiedcode, any_value(gebiedsnaam), any_value(gemeentecode), min(geldig_van),
                   CASE WHEN bool_or(geldig_tot IS NULL) THEN NULL ELSE max(geldig_tot) END,
                   CASE WHEN bool_and(in_gemeente_sinds IS NOT NULL) THEN max(in_gemeente_sinds) END
            FROM ref_gebieden GROUP BY gebiedcode
        ), gemeenten AS (
            SELECT 'gemeente', gemeentecode, any_value(gemeentenaam), NULL::VARCHAR, min(geldig_van),
                   CASE WHEN bool_or(geldig_tot IS NULL) THEN NULL ELSE max(geldig_tot) END, NULL::DATE
            FROM ref_gebieden GROUP BY gemeentecode
        )
        SELECT * FROM wijken UNION ALL SELECT * FROM gebieden UNION ALL SELECT * FROM gemeenten
        ORDER BY niveau, gebiedcode, geldig_van
        """
    ).to_arrow_table()


def geometry_table(geojson: Path) -> pa.Table:
    """One row per wijk of the boundary file: code, name and its GeoJSON geometry object."""
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    rows = [
        {
            "wijkcode": feature["properties"]["statcode"],
            "wijknaam": feature["properties"]["statnaam"],
            "geojson": json.dumps(feature["geometry"], separators=(",", ":")),
        }
        for feature in features
    ]
    return pa.Table.from_pylist(rows, schema=publication.arrow_schema("geometry"))


def dq_sources_table(con: duckdb.DuckDBPyConnection, report: RunOutcome) -> pa.Table:
    """Per source: last load, files, rows delivered/accepted/quarantined, warnings, freshness, status."""
    rows = [_dq_source_row(con, BRONNEN[bron], report) for bron in report.gates]
    return pa.Table.from_pylist(rows, schema=publication.arrow_schema("dq_sources"))


def _dq_source_row(con: duckdb.DuckDBPyConnection, bron: Bron, report: RunOutcome) -> dict[str, Any]:
    """The dq_sources row of one source."""
    gate = report.gates[bron.naam]
    outcomes = [o for o in report.files[bron.naam] if o.uitkomst != VERWIJDERD]
    rejected = sum(1 for o in outcomes if o.is_rejected)
    laatste_lading = con.execute("SELECT max(geladen_op) FROM bestanden WHERE bron = ?", [bron.naam]).fetchone()[0]
    recentste = con.execute(f'SELECT max("{bron.datumkolom}") FROM {staging_table(bron)}').fetchone()[0]
    if rejected or gate.quarantaine or gate.geaccepteerd == 0:
        bron_status = status.FOUT
    elif gate.waarschuwingen or any(o.is_warning for o in outcomes):
        bron_status = status.WAARSCHUWING
    else:
        bron_status = status.IN_ORDE
    return {
        "bron": bron.naam, "laatste_lading": laatste_lading, "bestanden": len(outcomes),
        "bestanden_afgewezen": rejected, "rijen_geleverd": gate.rijen, "rijen_geaccepteerd": gate.geaccepteerd,
        "rijen_quarantaine": gate.quarantaine, "waarschuwingen": gate.waarschuwingen,
        "recentste_datum": recentste, "status": bron_status,
    }


def dq_rules_table(report: RunOutcome) -> pa.Table:
    """Per source and broken rule: column, Dutch rule, severity and number of rows."""
    rows = [
        {"bron": bron, "kolom": rule.kolom, "regel": rule.regel, "ernst": rule.ernst, "aantal": rule.aantal}
        for bron, gate in report.gates.items()
        for rule in gate.regels
    ]
    return pa.Table.from_pylist(rows, schema=publication.arrow_schema("dq_rules"))


def dq_files_table(con: duckdb.DuckDBPyConnection, report: RunOutcome) -> pa.Table:
    """Per delivered file: rows, geaccepteerd / afgewezen / vorige versie behouden, reason, load time."""
    rows = []
    for bron, outcomes in report.files.items():
        for outcome in outcomes:
            if outcome.uitkomst == VERWIJDERD:
                continue
            kept = con.execute(
                "SELECT rijen, geladen_op FROM bestanden WHERE bron = ? AND bestand = ?", [bron, outcome.bestand]
            ).fetchone()
            file_status = GEACCEPTEERD if outcome.uitkomst in (GEACCEPTEERD, ONGEWIJZIGD) else outcome.uitkomst
            rows.append({
                "bron": bron, "bestand": outcome.bestand,
                "rijen": kept[0] if kept else outcome.rijen, "status": file_status, "reden": outcome.reden,
                "geladen_op": kept[1] if kept else outcome.geladen_op,
            })
    return pa.Table.from_pylist(rows, schema=publication.arrow_schema("dq_files"))


def is_demo_drop(sources: Path) -> bool:
    """True when the drop carries the demo generator's provenance marker.

    Only the generator writes it, so its presence is enough; only an explicit
    `"fictieve_demogegevens": false` clears it (an unreadable marker still marks the figures as fictitious).
    """
    marker = sources / HERKOMST
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("fictieve_demogegevens") is not False
    except (OSError, ValueError, AttributeError):
        return True


def settings_facts(config: Any) -> dict[str, str]:
    """Which version of the dashboard's settings (indicators/settings.py) the figures were computed with:
    instellingen_versie ('0': monitor.toml alone) and instellingen_op (its time, ISO; '' for version 0)."""
    moment = getattr(config, "instellingen_op", None)
    return {"instellingen_versie": str(getattr(config, "instellingen_versie", 0)),
            "instellingen_op": moment.isoformat(timespec="seconds") if moment else ""}


def meta_table(config: Any, run_id: str, fictief: bool = False) -> pa.Table:
    """Key/value facts about this publication; `fictieve_demogegevens` is 'ja' for generated demo data."""
    facts = {
        "gepubliceerd_op": datetime.now().isoformat(timespec="seconds"),
        "nulmeting": str(getattr(config, "nulmeting", "")),
        "bron_geometrie": BRON_GEOMETRIE,
        "versie": __version__,
        "run_id": run_id,
        "fictieve_demogegevens": "ja" if fictief else "nee",
        **settings_facts(config),
    }
    rows = [{"sleutel": sleutel, "waarde": waarde} for sleutel, waarde in facts.items()]
    return pa.Table.from_pylist(rows, schema=publication.arrow_schema("meta"))
