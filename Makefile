# Two commands do all the set-up: `make run` and `make test`. Each creates .venv and
# installs what the project needs (once, and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TOOLS := $(VENV)/.installed-tools

.PHONY: run test load bench format clean

# Running needs only the bot's own dependencies; testing, measuring and formatting add their tools.
run: $(RUNTIME)
	@$(BIN)/python -m bot run

# Type checks run beside the tests. Much of the tests' time is spent waiting on sockets and processes,
# so four test workers finish sooner than one per core on a 2-core machine.
test: $(TOOLS)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy > .mypy.log 2>&1 & types=$$!; \
	$(BIN)/python -m pytest -q -n 4 --dist loadfile; tests=$$?; \
	wait $$types; typed=$$?; cat .mypy.log; rm -f .mypy.log; \
	exit $$(( tests || typed ))

load: $(TOOLS)
	@$(BIN)/python -m bench.load

bench: $(TOOLS)
	@$(BIN)/python -m bench.bench

format: $(TOOLS)
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

$(RUNTIME): pyproject.toml
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(RUNTIME)

$(TOOLS): $(RUNTIME)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(TOOLS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
