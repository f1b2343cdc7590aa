# Two commands set up a fresh machine (Python 3.11 + pip) and do the work:
#   make reports   - create .venv if missing, install, run every notebook into reports/<run>/ [LANGUAGE=zh|en]
#                    [SCENARIO=data/scenarios/my_store.yaml: every notebook on that store]
#   make test      - create .venv if missing, install, run the test suite (with nbval over the notebooks)
#   make workshop  - student copies of the notebooks, their data and the facilitator's agenda in workshop/
#   make lab       - the no-code strategy lab page (Voila) on 127.0.0.1, a free port; prints its address
#   make calibrate FILE=orders.csv FORMAT=shopify  - a scenario of your own store (OUT=, BASE=, CALIBRATE_ARGS=)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PARAMS ?= default
# LANGUAGE=zh|en: language of the notebooks and the index (empty: the parameter set's, else zh)
LANGUAGE ?=
# SCENARIO=path.yaml: the store every notebook runs on (empty: the parameter set's, else each notebook's own)
SCENARIO ?=
CONFIG ?= data/reports.yaml
PYTEST_ARGS ?=
OUT    ?= data/scenarios/my_store.yaml
BASE   ?= data/scenarios/baseline.yaml
CALIBRATE_ARGS ?=

.PHONY: setup reports test lint bench bench-sweep run calibrate workshop lab fuzz clean

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (store-playbook)" >/dev/null
	touch $@

# The hot modules compiled by mypyc, beside their source (setup.py; sim.engine.native chooses at import). Rebuilt
# when a module of sim/ changes; the touch marks the build as of now even where the C was unchanged.  Without a
# C compiler it says so, removes any partial build, and the model runs as Python.
$(VENV)/.native: $(VENV)/.installed setup.py $(shell find sim -name '*.py')
	@echo "compiling the engine's hot modules with mypyc (about 90 s) ..."
	@if $(PY) setup.py -q build_ext --inplace >$(VENV)/native-build.log 2>&1; then \
		find sim -name '*.so' -exec touch {} +; \
	else \
		find sim -name '*.so' -delete; \
		echo "no compiled engine (the build failed, see $(VENV)/native-build.log): the model runs as Python"; \
	fi
	touch $@

setup: $(VENV)/.installed $(VENV)/.native

reports: setup
	$(PY) -m playbook reports --config $(CONFIG) --params $(PARAMS) $(if $(LANGUAGE),--language $(LANGUAGE)) \
		$(if $(SCENARIO),--scenario $(SCENARIO))

# The tests with line coverage of sim/ and playbook/ (config in pyproject.toml; fails under 90%) on the engine's
# Python source (coverage cannot see into compiled modules), the engine's tests again on its mypyc build, then
# every notebook under nbval.  The notebooks run apart: under pytest-cov their kernels never answer (queue.Empty).
test: setup
	STORE_SIM_PURE=1 $(PY) -m pytest -n 2 --cov --cov-report=term:skip-covered --cov-fail-under=90 tests $(PYTEST_ARGS)
	$(PY) -m pytest -n 2 tests/sim/engine $(PYTEST_ARGS)
	$(PY) -m pytest -n 2 --nbval-lax notebooks $(PYTEST_ARGS)

# Lint, format check and types (config in pyproject.toml); .ci/run runs it before the tests.
lint: setup
	$(VENV)/bin/ruff check sim playbook tests benchmarks notebooks setup.py
	$(VENV)/bin/ruff format --check sim playbook tests benchmarks notebooks setup.py
	$(VENV)/bin/mypy sim playbook

bench: setup
	$(PY) benchmarks/bench_sim.py

bench-sweep: setup
	$(PY) benchmarks/bench_sweep.py

run: setup
	$(PY) -m sim run data/scenarios/baseline.yaml --days 90 --seed 7

calibrate: setup
	@test -n "$(FILE)" -a -n "$(FORMAT)" || { echo "usage: make calibrate FILE=export.csv FORMAT=shopify|taobao|csv|cdnow [OUT=$(OUT)] [BASE=...] [CALIBRATE_ARGS='--tz Europe/Berlin']" >&2; exit 2; }
	$(PY) -m playbook calibrate "$(FILE)" --format $(FORMAT) --base $(BASE) --out $(OUT) $(CALIBRATE_ARGS)

workshop: setup
	$(PY) -m playbook workshop --out workshop --force

# The strategy lab as a web page for participants who do not code: Voila on 127.0.0.1, Ctrl-C stops it.
lab: setup
	$(PY) -m playbook lab

# 10,000 scenario mutations and 1,000 mutated export files; exits non-zero on any failure
fuzz: setup
	$(PY) -m fuzz.scenarios --cases 10000 --workers 2
	$(PY) -m fuzz.exports --cases 1000

clean:
	rm -rf reports results .pytest_cache build $(VENV)/.native
	find sim -name '*.so' -delete
