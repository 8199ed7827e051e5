"""The benchmark: the pandas reference agrees with compute_publication, and run.py writes a full report."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
from great_expectations.expectations.row_conditions import Column  # noqa: E402

from benchmarks.compare import find_mismatches  # noqa: E402
from benchmarks.gate_sql import failures_in_duckdb  # noqa: E402
from etl.contract import BRONNEN  # noqa: E402
from expectations import gate  # noqa: E402
from benchmarks.report import _exponent, _fit  # noqa: E402

SCALE = "0.1"
SECTIONS = (
    "# Benchmarks",
    "## Machine",
    "## Goals (issue 6)",
    f"## Scale {SCALE} (seed 2015)",
    "## Growth with the data",
    "## Indicators: DuckDB against pandas",
    "## Validation: GX on DataFrames against the same rules in DuckDB",
    "## Dashboard callback latency",
    f"### Scale {SCALE} (",
)


@pytest.fixture(scope="session")
def benchmark_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One end-to-end run of benchmarks/run.py at a tiny scale: (report path, results.json)."""
    workdir = tmp_path_factory.mktemp("bench")
    report = workdir / "benchmarks.md"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--scales", SCALE, "--workdir", str(workdir),
         "--report", str(report), "--repeat", "1", "--etl-runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return report, json.loads((workdir / "results.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_pandas_reference_gives_the_published_figures(benchmark_run: tuple[Path, dict]) -> None:
    """On generated data every non-suppressed teller, noemer, waarde and n agree."""
    _report, measured = benchmark_run
    comparison = measured["results"][0]["comparison"]
    assert comparison["mismatches"] == []
    assert comparison["rows_compared"] > 1000
    assert comparison["duckdb_seconds"] > 0 and comparison["ratio"] > 0


@pytest.mark.slow
def test_run_measures_every_stage_and_writes_every_section(benchmark_run: tuple[Path, dict]) -> None:
    """Each stage has a time, a peak RSS and the rows it saw; the report has all its sections."""
    report, measured = benchmark_run
    result = measured["results"][0]
    assert result["etl"]["exit_code"] == 0
    assert result["etl"]["rss_bytes"] > 50 * 1024**2  # an interpreter with DuckDB loaded, at least
    for stage in ("load", "validate", "indicators", "publish"):
        assert result["stages"][stage]["seconds"] > 0
        assert result["stages"][stage]["rss_bytes"] > 50 * 1024**2
    assert result["stages"]["load"]["rows"] == result["stages"]["validate"]["rows"] > 0
    assert result["dashboard"]["areas"]["wijk"] == 20
    assert all(c["p95_ms"] >= c["median_ms"] > 0 for c in result["dashboard"]["callbacks"])
    text = report.read_text(encoding="utf-8")
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


@pytest.mark.slow
def test_gate_rules_in_duckdb_agree_with_gx_on_generated_data(benchmark_run: tuple[Path, dict]) -> None:
    """Every source was validated both ways with the same (row, rule) failures."""
    _report, measured = benchmark_run
    sources = measured["results"][0]["gate_sql"]["sources"]
    assert [t["bron"] for t in sources] == list(BRONNEN)
    assert all(t["same_failures"] and t["gx_seconds"] > 0 and t["sql_seconds"] > 0 for t in sources)


def _rule(kolom: str, regel: str) -> dict[str, object]:
    """The meta the gate matches results by."""
    return {"kolom": kolom, "regel": regel, "ernst": "fout", "waarde": [kolom]}


def test_gate_rules_in_duckdb_find_what_gx_finds() -> None:
    """Each kind of expectation the suites use fails the same hand-picked rows in GX and in SQL."""
    suite = gx.ExpectationSuite(name="proef", expectations=[
        gxe.ExpectColumnValuesToNotBeNull(column="a_tekst", meta=_rule("a", "verplicht")),
        gxe.ExpectColumnValuesToNotBeNull(column="a", row_condition=Column("a_tekst").is_not_null(),
                                          meta=_rule("a", "geen geheel getal")),
        gxe.ExpectColumnValuesToBeInSet(column="code", value_set=["x", "y"], meta=_rule("code", "onbekend")),
        gxe.ExpectColumnValuesToBeBetween(column="a", min_value=0, max_value=10, strict_min=True,
                                          meta=_rule("a", "bereik")),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="a", column_B="b", or_equal=True,
                                                    ignore_row_if="either_value_is_missing",
                                                    meta=_rule("a", "a >= b")),
    ])
    frame = pd.DataFrame({
        "_id": [1, 2, 3, 4, 5],
        "a": pd.array([5, None, None, 0, 12], dtype="Int64"),
        "a_tekst": ["5", "abc", None, "0", "12"],
        "code": ["x", "x", "z", "y", None],
        "b": pd.array([3, 1, None, 2, None], dtype="Int64"),
    })
    expected = [(2, 1), (3, 0), (3, 2), (4, 3), (4, 4), (5, 3)]
    by_gx = sorted(gate._failures(suite, gate._validate(suite, frame.set_index("_id"))))
    con = duckdb.connect()
    con.register("kandidaten", frame)
    assert sorted(failures_in_duckdb(con, "kandidaten", suite)) == expected
    assert by_gx == expected


@pytest.mark.slow
def test_render_only_rewrites_the_same_report(benchmark_run: tuple[Path, dict]) -> None:
    """--render-only rebuilds the report from results.json without measuring again."""
    report, _measured = benchmark_run
    again = report.with_name("again.md")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--workdir", str(report.parent), "--report",
         str(again), "--render-only"],
        cwd=ROOT, check=True, capture_output=True,
    )
    assert again.read_text(encoding="utf-8") == report.read_text(encoding="utf-8")


def _published(rows: list[tuple]) -> pa.Table:
    """indicator_values with only the columns the comparison reads."""
    names = ["indicator", "peildatum", "niveau", "gebiedcode", "teller", "noemer", "waarde", "n", "onderdrukt"]
    return pa.Table.from_pylist([dict(zip(names, row)) for row in rows])


def test_find_mismatches_names_each_differing_figure_and_missing_row() -> None:
    """A differing teller and a row pandas lacks are reported; a suppressed row is not compared."""
    p = date(2016, 1, 1)
    published = _published([
        ("tevredenheid", p, "wijk", "WK001400", 30.0, 40.0, 75.0, 40, False),
        ("tevredenheid", p, "wijk", "WK001401", 12.0, 20.0, 60.0, 20, False),
        ("tevredenheid", p, "wijk", "WK001402", None, None, None, None, True),
        ("participatie_bijstand", p, "gemeente", "GM0014", 500.0, 1000.0, 50.0, None, False),
    ])
    reference = pd.DataFrame({
        "indicator": ["tevredenheid", "tevredenheid", "tevredenheid"],
        "peildatum": [pd.Timestamp(p)] * 3,
        "niveau": ["wijk", "wijk", "wijk"],
        "gebiedcode": ["WK001400", "WK001401", "WK001402"],
        "teller": [30.0, 13.0, 1.0],
        "noemer": [40.0, 20.0, 2.0],
        "waarde": [75.0, 60.0, 50.0],
        "n": [40, 20, 2],
    })
    compared, mismatches = find_mismatches(published, reference)
    assert compared == 3
    assert mismatches == [
        "participatie_bijstand/2016-01-01/gemeente/GM0014: ontbreekt in de pandas-uitkomst",
        "tevredenheid/2016-01-01/wijk/WK001401: teller 12.0 (DuckDB) tegen 13.0 (pandas)",
    ]


def test_growth_fit_and_exponent() -> None:
    """time = 1 s + 2 s per million rows is recovered; doubling rows and time is exponent 1."""
    fixed, per_million = _fit([1_000_000, 2_000_000, 3_000_000], [3.0, 5.0, 7.0])
    assert fixed == pytest.approx(1.0) and per_million == pytest.approx(2.0)
    assert _exponent(4.0, 8.0, 100, 200) == pytest.approx(1.0)
    assert _exponent(4.0, 4.0, 100, 200) == pytest.approx(0.0)
    assert math.isnan(_exponent(4.0, 8.0, 100, 100))


def _result(scale: float, rows: int, etl_seconds: float, etl_gib: float, stage_gib: float, p95_ms: float,
            wijken: int) -> dict:
    """A hand-made measurement of one scale, in the shape run.py saves."""
    gib = 1024**3
    stage = {"seconds": etl_seconds / 5, "wall_seconds": etl_seconds / 4, "rss_bytes": stage_gib * gib, "rows": rows}
    return {
        "scale": scale, "seed": 2015,
        "generate": {"wall_seconds": 1.0, "rss_bytes": gib / 4, "bytes": 1000, "reused": True},
        "etl": {"wall_seconds": etl_seconds, "rss_bytes": etl_gib * gib, "exit_code": 0, "warehouse_bytes": 10},
        "stages": {
            "load": dict(stage, files=3, rejected_files=0),
            "validate": dict(stage, quarantined=0),
            "indicators": dict(stage, rows=100, breakdown_rows=10),
            "publish": dict(stage, bytes=10),
        },
        "comparison": None, "gate_sql": None,
        "dashboard": {"areas": {"wijk": wijken}, "repeat": 5,
                      "callbacks": [{"name": "Wijkprofiel: wijk kiezen", "median_ms": p95_ms / 2, "p95_ms": p95_ms}]},
    }


def test_goals_are_judged_on_the_measured_figures() -> None:
    """Scale 1 within 15 s / 1.5 GiB passes; national over 10 min and with RSS growing with the data fails."""
    from benchmarks.report import render

    context = {"command": "benchmarks/run.py --scales 1,75", "started": "2026-11-22 15:00 UTC",
               "load_before": (0.1, 0.1, 0.1), "load_after": (0.2, 0.1, 0.1),
               "machine": {"cores": 2, "memory_bytes": 24 * 1024**3, "cpu": "test", "os": "Linux"},
               "versions": {"python": "3.11"}}
    city = _result(1.0, 500_000, etl_seconds=12.0, etl_gib=1.0, stage_gib=0.5, p95_ms=120.0, wijken=20)
    national = _result(75.0, 37_500_000, etl_seconds=900.0, etl_gib=8.0, stage_gib=6.0, p95_ms=250.0, wijken=3300)
    text = render(context, [city, national])
    goals = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert goals["scale 1: `wijkmonitor etl` <= 15 s, <= 1.5 GiB"].endswith("| 12.0 s, 1.00 GiB | yes |")
    assert "15.0 min, 8.00 GiB | **NO**" in goals["scale ~75: `wijkmonitor etl` <= 10 min, <= 12 GiB"]
    # stage RSS 0.5 -> 6 GiB for 75x the rows: exponent log(12)/log(75) = 0.58 > 0.5
    assert "load 0.58" in goals["scale ~75: no stage needs all data in memory (proxy: stage peak RSS grows far slower than data)"]
    assert "**NO**" in goals["scale ~75: no stage needs all data in memory (proxy: stage peak RSS grows far slower than data)"]
    assert goals["dashboard callback p95 <= 150 ms at scale 1"].endswith("| yes |")
    assert goals["dashboard callback p95 <= 300 ms at national area count"].endswith("| yes |")
    assert goals["indicators >= 10x faster than pandas at scale 10"].endswith("| not measured in this run | — |")
