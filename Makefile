# `make run` serves the API locally; `make test` runs everything CI runs. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT

.PHONY: run test lint unit integration job bench bench-nearest clean help

help:
	@echo "make run                      serve the API on http://127.0.0.1:$(PORT) with a local stack"
	@echo "make test                     lint, unit tests (moto) and integration tests (DynamoDB Local)"
	@echo "make job NAME=<job> [NOW=..]  run one scheduled job once against the running local stack"
	@echo "make bench                    print the benchmark figures"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m local

test: lint unit integration

lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/python -m pytest -n auto tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

job: $(STAMP)
	$(BIN)/python -m local.job $(NAME) $(if $(NOW),--now $(NOW))

bench: $(STAMP)
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/routes.py

bench-nearest: $(STAMP)
	$(BIN)/python bench/nearest.py

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache
