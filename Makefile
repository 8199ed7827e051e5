# Wijkmonitor: `make demo` and `make test` are the two commands; the rest supports them.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := data/demo
HOST   ?= 127.0.0.1
PORT   ?= 8050

.PHONY: install install-demo system browser demo demo-data test test-fast bench bench-national plotly-bundle clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever the project's dependencies change. The demo needs only the project itself;
# the tests add pytest, selenium and openpyxl. One stamp file each.
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install-demo: system $(VENV)/.installed-demo

# Debian's Pango and fonts for WeasyPrint (council report, besluitenlijst); CI runs as root.
system:
	@if ! /sbin/ldconfig -p | grep -q libpangoft2-1.0 || ! fc-list | grep -qi 'DejaVu Sans' || ! fc-list | grep -qi 'Liberation Sans'; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core fonts-liberation; \
	fi

install: system $(VENV)/.installed-test

# Debian's Chromium and its driver for the browser tests, poppler-utils for the PDF tests (CI runs as root).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftotext >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils; \
	fi

# The provenance marker stands for the whole generated drop: made again when the generator changes
# (or when an older drop lacks the marker); the ETL then replaces the changed files.
$(DEMO)/bronnen/herkomst.json: wijkmonitor/generate.py $(wildcard wijkmonitor/demo/*.py) | $(VENV)/.installed-demo
	rm -rf $(DEMO)/bronnen
	$(BIN)/wijkmonitor generate --out $(DEMO)/bronnen --seed 2015

demo-data: install-demo $(DEMO)/bronnen/herkomst.json
	$(BIN)/wijkmonitor etl --sources $(DEMO)/bronnen --warehouse $(DEMO)/warehouse.duckdb --db $(DEMO)/monitor.duckdb

demo: demo-data
	$(BIN)/wijkmonitor serve --db $(DEMO)/monitor.duckdb --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/python -m pytest -q

# The inner loop (units, hand-computed fixtures, contracts, suppression, formatting, small ETL fixtures),
# under a minute on two cores; `make test` (CI) runs everything, integration, slow and browser included.
test-fast: install
	$(BIN)/python -m pytest -q -n 2 -m "not browser and not slow and not integration"

bench: install
	$(BIN)/python benchmarks/run.py --scales 1

bench-national: install
	$(BIN)/python benchmarks/run.py --scales 1,10,75

# The dashboard's plotly.js: only the trace types its figures use, the version plotly.py writes figures for.
# The built file is committed (dashboard/assets), so the demo, CI and a server need no Node; run this after
# upgrading plotly or drawing a new trace type (tests/test_dashboard_plotlyjs.py says when). Needs node and npm.
PLOTLY_TRACES := bar,choropleth,scatter
plotly-bundle: $(VENV)/.installed-demo
	cd dashboard/plotlyjs && npm ci --no-audit --no-fund --ignore-scripts && node build.mjs \
		--version $$(../../$(BIN)/python -c 'from plotly.offline import get_plotlyjs_version; print(get_plotlyjs_version())') \
		--traces $(PLOTLY_TRACES) --out ../assets/plotly-wijkmonitor.min.js

clean:
	rm -rf $(VENV) $(DEMO) *.egg-info
