# Two commands do all the set-up: `make run` and `make test`. Each creates .venv and
# installs what the project needs (once, and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test load bench format clean

run: $(INSTALLED)
	@$(BIN)/python -m bot run

# Type checks run beside the tests (much of the tests' time is spent waiting on sockets and processes).
test: $(INSTALLED)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy > .mypy.log 2>&1 & types=$$!; \
	$(BIN)/python -m pytest -q -n auto --dist loadfile; tests=$$?; \
	wait $$types; typed=$$?; cat .mypy.log; rm -f .mypy.log; \
	exit $$(( tests || typed ))

load: $(INSTALLED)
	@$(BIN)/python -m bench.load

bench: $(INSTALLED)
	@$(BIN)/python -m bench.bench

format: $(INSTALLED)
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

$(INSTALLED): pyproject.toml
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(INSTALLED)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
