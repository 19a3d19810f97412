# `make run` serves the service with demo data; `make test` runs every check. Both build .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# browser libraries the pages serve, from npm through the committed package-lock.json
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run test lint typecheck browser messages bench-routing bench-province bench-lighthouse clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python && $(BIN)/python -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null \
		|| (rm -rf $(VENV) && $(PYTHON) -m venv $(VENV))
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

# the system Chromium that the browser tests drive (Debian's package; Playwright downloads none)
browser:
	@command -v chromium >/dev/null || command -v /usr/bin/chromium >/dev/null \
		|| { [ "$$(id -u)" = 0 ] && apt-get update -qq \
			&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
		|| echo "Chromium is missing and cannot be installed as $$(id -un): the browser tests will skip (run 'sudo apt-get install chromium')"

# extract the texts to translate from code and templates into both catalogues (api/i18n.py)
messages: $(STAMP)
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k mark -k t -k tn:1,2 --no-location --sort-output --omit-header \
		--ignore-dirs '.* _* node_modules build var' -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d courier/locale --no-fuzzy-matching \
		--ignore-obsolete --width 100

run: $(STAMP) $(NODE_STAMP)
	$(BIN)/courier db upgrade
	$(BIN)/courier demo load
	$(BIN)/courier serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check courier routing api tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# the suite on TEST_WORKERS processes (pytest-xdist), a module at a time each, in the order they
# are collected (tests/conftest.py keeps the fault suite on one worker)
TEST_WORKERS ?= 2
test: lint typecheck $(NODE_STAMP) browser
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

bench-routing: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.literature --time-limit 30

bench-province: $(STAMP)
	$(BIN)/python -m bench.province --sizes 2000 5000 10000 --workers 2 --budget 100 --max-jobs 80

# Lighthouse scores and weights of the public pages (bench/README.md "Web pages")
bench-lighthouse: $(STAMP) $(NODE_STAMP) browser
	npm ci --prefix bench/lighthouse --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m bench.lighthouse --runs 3

clean:
	rm -rf $(VENV) node_modules build var .mypy_cache .ruff_cache .pytest_cache
