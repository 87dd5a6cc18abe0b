# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
JOBS   ?= 4

.PHONY: demo test lint check bench install system-deps node-deps clean docker ci-fresh-root

# crack itself: a venv and pip, nothing from apt (the Redis demo grades the Python
# reference solution and needs nothing else).
$(BIN)/crack: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/crack

## What the test suite grades against: toolchains and real servers, through apt.
system-deps:
	bash scripts/install-system-deps.sh

## The npm packages testers load (mini-react: jsdom, react-dom, preact), from their lock files.
node-deps:
	bash scripts/install-node-deps.sh

## Grade the Redis reference solution through every stage.
demo: install
	$(BIN)/crack demo redis

## The engine and base image of the docker isolation mode (skipped, with the reason, where
## they cannot be had: its tests then skip and say why).
docker:
	-bash scripts/docker-setup.sh

## The whole test suite, in parallel. worksteal: a worker that runs out of items takes
## some of another's, so a few long gradings left at the end do not idle the other cores.
test: system-deps node-deps install docker
	$(BIN)/python -m pytest -n $(JOBS) --dist worksteal -q -rs

lint: install
	$(BIN)/ruff check runner tests challenges bench
	MYPY=$(BIN)/mypy bash scripts/typecheck.sh

check: lint test

## CI (.ci/run) on a clean clone of HEAD, in a fresh Debian 12 root that has nothing but
## Python: proves a new machine sets itself up (needs root; apt, pip and the whole suite: ~30 min).
ci-fresh-root:
	CI_NICE=$${CI_NICE:-10} bash scripts/ci-in-fresh-root.sh

## Speed targets, measured side by side in one run.
bench: install
	$(BIN)/python bench/bench_grading.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_complexity.py
	$(BIN)/python bench/bench_containment.py
	$(BIN)/python bench/bench_isolation.py
	$(BIN)/python bench/bench_oneshot.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
