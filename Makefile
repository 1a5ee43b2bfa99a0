# Two commands do all set-up on a fresh machine:
#   make run    installs into .venv on first use, then runs the default scenario
#   make test   installs into .venv on first use, then runs the test suite
#   make reference   reruns every experiment afresh and refreshes results/reference/
# and one opens the classroom dashboard:
#   make dashboard
# (make bench measures speed and memory into benchmarks/results.md, about 15 minutes)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench install dashboard lesson-figures offline-assets browser clean experiments reference

LESSONS := $(notdir $(basename $(wildcard sim/classroom/syllabus/*.yaml)))

# Install a missing Debian package (needs root, as CI has); otherwise say how.
apt_install = if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	else echo "make: $(1) is not installed; install it with: sudo apt-get install $(1)" >&2; fi

$(STAMP): pyproject.toml sim/classroom/fill_solara_cdn.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# compat mode: Hydra discovers the project's sweeper plugin (hydra_plugins/) only
	# when the project root is on the path, as this mode installs it.
	# [ray]: the Ray launcher, which tests/test_launchers.py runs on a private local Ray. One
	# resolve for all extras keeps the set consistent: the plugin's cloudpickle<3 makes pip pick
	# joblib 1.5 (which bundles its own cloudpickle) instead of 1.6 (which needs cloudpickle>=3).
	$(BIN)/pip install --quiet -e ".[dev,dashboard,ray,calibrate,robust]" --config-settings editable_mode=compat
	$(MAKE) --no-print-directory offline-assets browser
	touch $(STAMP)

install: $(STAMP)

# The dashboard page's JavaScript, from the npm registry into Solara's CDN cache:
# without it the page stays blank on machines that reach only package registries.
offline-assets:
	command -v npm >/dev/null || { $(call apt_install,npm); }
	$(BIN)/python -m sim.classroom.fill_solara_cdn

# Debian's chromium drives the dashboard's browser test (playwright needs no browser download).
browser:
	test -x /usr/bin/chromium || { $(call apt_install,chromium); }

run: $(STAMP)
	$(BIN)/servsim $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

dashboard: $(STAMP)
	$(BIN)/servsim-dashboard $(ARGS)

# From the lesson YAMLs (sim/classroom/syllabus/): the Hydra presets, the generated blocks of
# docs/teaching.md, and the lesson figures embedded there.
lesson-figures: $(STAMP)
	$(BIN)/python -m sim.classroom.publish
	for lesson in $(LESSONS); do \
		$(BIN)/servsim-lesson $$lesson --out docs/lessons --formats png || exit 1; \
	done

clean:
	rm -rf $(VENV) outputs multirun

# The replicated experiments: every YAML of configs/experiment/ (docs/results.md shows their reports).
EXPERIMENTS := $(notdir $(basename $(wildcard configs/experiment/*.yaml)))

# Run every experiment into results/multirun/<name>/; a rerun resumes where it stopped.
experiments: $(STAMP)
	set -e; for name in $(EXPERIMENTS); do $(BIN)/servsim -m experiment=$$name; done

# Every committed reference number and figure, from fresh sweeps, with each sweep's wall time;
# then docs/results.md, the page that shows them.
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
	$(BIN)/servsim-report --results-page
