# `make run` serves the service with demo data; `make test` runs every check. Both build .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck bench-routing bench-province clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python && $(BIN)/python -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null \
		|| (rm -rf $(VENV) && $(PYTHON) -m venv $(VENV))
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/courier db upgrade
	$(BIN)/courier demo load
	$(BIN)/courier serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check courier routing api tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

bench-routing: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/literature.py --time-limit 30

bench-province: $(STAMP)
	$(BIN)/python -m bench.province --sizes 2000 5000 10000 --workers 2 --budget 100 --max-jobs 80

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
