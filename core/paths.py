"""Where the project's shipped reference data lives."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
GEBIEDEN_CSV = REFERENCE_DIR / "gebieden.csv"
WIJKEN_GEOJSON = REFERENCE_DIR / "wijken_2024_groningen.geojson"
WIJKEN_2015_GEOJSON = REFERENCE_DIR / "wijken_2015_groningen_haren_tenboer.geojson"
CBS_KERNCIJFERS_CSV = REFERENCE_DIR / "kwb_groningen_wijken.csv"
MONITOR_CONFIG = PROJECT_ROOT / "data" / "config" / "monitor.toml"
