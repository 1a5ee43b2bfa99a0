# Two commands do all set-up on a fresh machine:
#   make run    installs into .venv on first use, then runs the default scenario
#   make test   installs into .venv on first use, then runs the test suite
#   make reference   reruns every experiment afresh and refreshes results/reference/
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install clean experiments reference

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

# The replicated experiments of configs/experiment/ (README, "The three answers").
EXPERIMENTS := promise_level recovery_speed surprise_trap sensitivity sensitivity_sobol

# Run every experiment into results/multirun/<name>/; a rerun resumes where it stopped.
experiments: $(STAMP)
	set -e; for name in $(EXPERIMENTS); do $(BIN)/servsim -m experiment=$$name; done

# Every committed reference number and figure, from fresh sweeps, with each sweep's wall time.
reference: $(STAMP)
	rm -rf $(addprefix results/multirun/,$(EXPERIMENTS))
	mkdir -p results/reference
	echo "sweep wall times on $$(nproc) cores, $$(date -u +%Y-%m-%d)" > results/reference/wall_times.txt
	set -e; for name in $(EXPERIMENTS); do \
	  start=$$(date +%s); \
	  $(BIN)/servsim -m experiment=$$name; \
	  echo "$$name: $$(( $$(date +%s) - start )) s" >> results/reference/wall_times.txt; \
	  $(BIN)/servsim-report results/multirun/$$name --out results/reference/$$name; \
	done
