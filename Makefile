# Two commands for a newcomer: `make run` and `make test`. Everything else is for us.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run start test lint format bench bench-quick restore clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

## run: install, create an SQLite database with demo data on first start, serve everything
run: $(STAMP)
	@test -f config.toml || $(BIN)/brigadir init --demo
	$(BIN)/brigadir run

## start: a real firm — an empty database (no demo data), the director's password printed once, serve
start: $(STAMP)
	@test -f config.toml || $(BIN)/brigadir init
	$(BIN)/brigadir run

## test: lint, then the whole suite on SQLite and on PostgreSQL (127.0.0.1:5432, database test)
test: $(STAMP) lint
	BRIGADIR_TEST_DB=sqlite $(BIN)/python -m pytest -q
	BRIGADIR_TEST_DB=postgres $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: figures at 100 000 and 1 000 000 orders on SQLite and PostgreSQL, beside raw baselines
bench: $(STAMP)
	$(BIN)/python -m bench

## bench-quick: the same at 100 000 orders only
bench-quick: $(STAMP)
	BENCH_SIZES=100000 $(BIN)/python -m bench

## restore: a new server from a backup archive (README: "Backups and restoring on a new server")
restore: $(STAMP)
	@test -n "$(FILE)" || { echo "Укажите архив: make restore FILE=/путь/к/brigadir-….tar"; exit 2; }
	$(BIN)/brigadir restore $(FILE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
