"""expectations/gx_import.py: the modules GX imports for expectations the gate never uses stay unloaded
during a gate run, the gate's verdicts do not depend on it, and a caller that does use them gets them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from expectations.gx_import import UNUSED_BY_THE_GATE
from fixtures.sources import write_clean_sources

ROOT = Path(__file__).resolve().parents[1]

# A drop with failing rows: an unknown wijkcode, an unreadable number and a date in the future.
_BROKEN_BEVOLKING = (
    "peildatum,wijkcode,inwoners,inwoners_0_17,huishoudens\n"
    "2015-01-01,WK001400,1000,200,500\n"
    "2015-01-01,WK001401,2000,400,900\n"
    "2016-01-01,WK001400,1100,210,520\n"
    "2016-01-01,WK001401,2100,420,950\n"
    "2017-01-01,WK001400,1150,220,530\n"
    "2017-01-01,WK009999,2000,400,900\n"
    "2018-01-01,WK001400,11x0,210,520\n"
    "2099-01-01,WK001401,2100,420,950\n"
)


def _gate_run(folder: Path, defer: bool) -> dict:
    """An etl over folder/bronnen in a fresh process; its findings and which deferred modules got loaded."""
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "from pathlib import Path\n"
        "from expectations import gx_import\n"
        + ("" if defer else "gx_import.UNUSED_BY_THE_GATE = ()\n")
        + "import duckdb\n"
        "from fixtures.sources import run_fake_etl\n"
        f"folder = Path({str(folder)!r})\n"
        "code = run_fake_etl(folder)[0]\n"
        "con = duckdb.connect(str(folder / 'warehouse.duckdb'), read_only=True)\n"
        "findings = con.execute(\"SELECT bron, bestand, rij, kolom, regel, waarde FROM quarantine UNION ALL \"\n"
        "    \"SELECT bron, bestand, rij, kolom, regel, waarde FROM waarschuwingen ORDER BY ALL\").fetchall()\n"
        "print(json.dumps({'code': code, 'findings': findings, 'gx': 'great_expectations' in sys.modules,\n"
        f"    'loaded': [n for n in {UNUSED_BY_THE_GATE!r} if n in sys.modules\n"
        "               and not isinstance(sys.modules[n], gx_import.Deferred)],\n"
        f"    'deferred': [n for n in {UNUSED_BY_THE_GATE!r} if isinstance(sys.modules.get(n), gx_import.Deferred)]}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_a_gate_run_leaves_the_deferred_modules_unloaded_and_finds_the_same(tmp_path: Path) -> None:
    runs = {}
    for defer in (True, False):
        folder = tmp_path / f"defer_{defer}"
        write_clean_sources(folder / "bronnen")
        (folder / "bronnen" / "bevolking" / "bevolking.csv").write_text(_BROKEN_BEVOLKING, encoding="utf-8")
        runs[defer] = _gate_run(folder, defer)
    deferred, real = runs[True], runs[False]
    assert deferred["gx"] and deferred["code"] == 1
    assert deferred["deferred"] == list(UNUSED_BY_THE_GATE)
    assert deferred["loaded"] == []  # fails as soon as a gate run touches altair or scipy.stats
    assert real["loaded"] == list(UNUSED_BY_THE_GATE)  # without the stand-ins GX imports them all
    assert len(deferred["findings"]) >= 3
    assert deferred["findings"] == real["findings"]


def test_a_deferred_module_is_the_real_one_once_used() -> None:
    script = (
        "import sys\n"
        "from expectations import gx_import\n"
        "gx_import.defer_unused()\n"
        "import great_expectations\n"
        "assert gx_import.loaded_for_real() == []\n"
        "from scipy import stats\n"
        "from scipy.stats import entropy\n"
        "import altair as alt\n"
        "import jsonschema\n"
        "print(round(stats.entropy([0.5, 0.5]), 4), round(entropy([1, 1]), 4), alt.Chart.__name__,\n"
        "      jsonschema.ValidationError.__name__,\n"
        "      gx_import.loaded_for_real(), sys.modules['scipy'].stats is sys.modules['scipy.stats'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split() == ["0.6931", "0.6931", "Chart", "ValidationError", "['altair',", "'scipy.stats',",
                                   "'jsonschema']", "True"]
