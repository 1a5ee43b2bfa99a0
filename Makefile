# Two commands do all set-up on a fresh machine:
#   make run    installs into .venv on first use, then runs the default scenario
#   make test   installs into .venv on first use, then runs the test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# compat mode: Hydra discovers the project's sweeper plugin (hydra_plugins/) only
	# when the project root is on the path, as this mode installs it.
	$(BIN)/pip install --quiet -e ".[dev]" --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/servsim $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) outputs multirun
