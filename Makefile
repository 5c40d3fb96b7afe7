# WLOADCTL developer entry points. Quick start on a fresh Debian 12 machine with the Swift
# toolchain: `make demo` (the whole platform end to end) and `make test`.

SHELL := /bin/bash
SWIFT ?= swift

# The newest wloadctl that is built: `make down` and `make status` should not force a rebuild.
WLOADCTL = $(firstword $(wildcard .build/release/wloadctl .build/debug/wloadctl))

.DEFAULT_GOAL := help
.PHONY: help deps build release up down status test demo bench

help:
	@echo "make demo     install deps, build, run the example workflows on the local stack, stop it"
	@echo "make test     unit and integration tests"
	@echo "make up       start the local stack in the background (idempotent); make down stops it"
	@echo "make status   each local stack process with its health"
	@echo "make build    debug build; make release: release build"
	@echo "make deps     install missing Debian packages (needs root or sudo)"
	@echo "make bench    the benchmark (release build; BENCH_TASKS=1000000 for the full run)"

deps:
	@scripts/install-deps.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

up: deps release
	.build/release/wloadctl stack up

down:
	@if [ -z "$(WLOADCTL)" ]; then echo "wloadctl is not built, so no stack was started"; \
	else $(WLOADCTL) stack down; fi

status:
	@if [ -z "$(WLOADCTL)" ]; then echo "wloadctl is not built; run make up"; exit 1; \
	else $(WLOADCTL) stack status; fi

# Integration tests spawn the service binaries from .build/debug, so build every product first.
# The shared test Postgres cluster is stopped afterwards if this run started it; the target's
# status is swift test's. The output is also kept in .wloadctl/test.log, and a failed run ends by
# repeating its failures (CI shows only the end of a long log).
test: deps
	$(SWIFT) build
	@mkdir -p .wloadctl; if scripts/test-postgres.sh status; then was_running=1; else was_running=0; fi; \
	$(SWIFT) test 2>&1 | tee .wloadctl/test.log; status=$${PIPESTATUS[0]}; \
	if [ "$$was_running" = 0 ]; then scripts/test-postgres.sh stop; fi; \
	if [ "$$status" != 0 ]; then echo "failures (from .wloadctl/test.log):"; \
		grep -E '✘|recorded an issue|error:|Fatal error|Test Case .* failed' .wloadctl/test.log | head -40; fi; \
	exit $$status

demo: deps release
	scripts/demo.sh

# The benchmark (docs/performance.md): release binaries on a stack of their own under
# .wloadctl/bench/stack; results in .wloadctl/bench/<timestamp>.json. Sizes: BENCH_TASKS (200000),
# BENCH_EXEC_TASKS, BENCH_FLOOD_TASKS, BENCH_LATENCY_RUNS, ... e.g. `make bench BENCH_TASKS=1000000`.
export BENCH_TASKS BENCH_RUNS BENCH_TENANTS BENCH_EXEC_TASKS BENCH_LATENCY_RUNS BENCH_LATENCY_RATE BENCH_FLOOD_TASKS \
	BENCH_NEIGHBOUR_TASKS BENCH_SIM_AGENTS BENCH_SIM_SLOTS BENCH_EXEC_AGENTS BENCH_EXEC_SLOTS BENCH_PARTITIONS BENCH_TIMEOUT \
	BENCH_OUTPUT BENCH_LOG_LEVEL BENCH_KAFKA_PROPERTIES

bench: deps release
	.build/release/wloadctl-bench
