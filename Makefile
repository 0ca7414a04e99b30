# Every target installs what it needs first (scripts/bootstrap is idempotent).
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/bin
REGION ?= us-east-1

.PHONY: help setup tools lock demo test bench loadtest lint typecheck template-check build check clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup:  ## Create .venv (Python 3.13) with newswatch and its development tools
	@scripts/bootstrap

tools:  ## Also install SAM CLI and cfn-lint (.tools) and checkov (.tools-checkov), apart from .venv
	@scripts/bootstrap --tools

# The hash locks every install uses: requirements/dev.lock (.venv: pyproject.toml's [dev] and
# requirements/dev.in), tools.lock (.tools), checkov.lock (.tools-checkov) and the layer's
# requirements.lock (requirements.txt at the dev lock's versions, for arm64 Lambda). uv keeps the
# versions already locked; UPGRADE="--upgrade-package NAME" (or --upgrade) moves them.
UV := .tools-lock/bin/uv
LOCK := $(UV) pip compile --quiet --generate-hashes --python-version 3.13 \
	--custom-compile-command "make lock" $(UPGRADE)

lock:  ## Regenerate the hash locks, keeping their versions (UPGRADE="--upgrade-package NAME")
	test -x $(UV) || { python3 -m venv .tools-lock && .tools-lock/bin/pip install --quiet uv==0.13.9; }
	$(LOCK) --python-platform x86_64-manylinux_2_28 pyproject.toml requirements/dev.in --extra dev \
		-o requirements/dev.lock
	$(LOCK) --python-platform x86_64-manylinux_2_28 requirements/tools.in -o requirements/tools.lock
	$(LOCK) --python-platform x86_64-manylinux_2_28 requirements/checkov.in \
		-o requirements/checkov.lock
	cd layers/newswatch && ../../$(LOCK) --python-platform aarch64-manylinux2014 requirements.txt \
		-c ../../requirements/dev.lock -o requirements.lock

demo: setup  ## Start the local stack, drop samples/ into the bucket, show records and alerts
	$(BIN)/newswatch local --demo samples

test: setup  ## Run the whole test suite
	$(BIN)/python -m pytest

# Pages of sites the extractor was never tuned on (newspaper4k's test data, MIT), fetched from
# PyPI into .cache/ and never committed: the extraction benchmark's "other sites" table.
OTHER_SITES := .cache/other-sites/newspaper4k-0.9.6/tests/data

$(OTHER_SITES):
	mkdir -p .cache/other-sites
	$(BIN)/pip download --quiet --no-deps --no-binary :all: newspaper4k==0.9.6 -d .cache/other-sites
	tar xzf .cache/other-sites/newspaper4k-0.9.6.tar.gz -C .cache/other-sites

bench: setup $(OTHER_SITES)  ## Print the extraction and watchlist benchmark tables
	NEWSWATCH_OTHER_SITES_DIR=$(OTHER_SITES) $(BIN)/python -m benchmarks

loadtest: setup  ## 5,000 articles through the local stack, 4 workers, 5% injected AWS faults (ARTICLES=N)
	$(BIN)/python -m benchmarks.loadtest --articles $(or $(ARTICLES),5000)

lint: setup  ## ruff (lint and format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup  ## mypy --strict
	$(BIN)/mypy

template-check: tools  ## sam validate --lint, cfn-lint (template and SAM translation), checkov
	AWS_DEFAULT_REGION=$(REGION) $(TOOLS)/sam validate --lint --template template.yaml
	$(TOOLS)/cfn-lint template.yaml
	$(TOOLS)/python scripts/translate_template.py template.yaml > .aws-sam-translated.json
	$(TOOLS)/cfn-lint .aws-sam-translated.json
	rm -f .aws-sam-translated.json
	BC_SKIP_MAPPING=TRUE .tools-checkov/bin/checkov --quiet --compact --framework cloudformation \
		--file template.yaml

build: tools  ## sam build (no Docker needed)
	PATH="$(CURDIR)/$(TOOLS):$$PATH" AWS_DEFAULT_REGION=$(REGION) $(TOOLS)/sam build --template template.yaml

check: test lint typecheck template-check build  ## Everything CI runs

clean:  ## Remove build output and caches (keeps the venvs)
	rm -rf .aws-sam outbox .pytest_cache .mypy_cache .ruff_cache
