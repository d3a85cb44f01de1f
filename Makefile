# consent-harness: `make demo` and `make test` do all set-up on a fresh clone.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check -q
STAMP_PY := $(VENV)/.stamp-py
STAMP_DEV := $(VENV)/.stamp-dev
STAMP_WEB := $(VENV)/.stamp-web
STAMP_SYS := .stamp-sys

.PHONY: setup setup-dev setup-web setup-system setup-appium setup-agent setup-cmp demo test test-fast lint typecheck hooks agent bench accuracy clean

setup: $(STAMP_PY)

$(STAMP_PY): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

# test and lint tools on top of the runtime
setup-dev: $(STAMP_DEV)

$(STAMP_DEV): $(STAMP_PY) pyproject.toml
	$(PIP) install -e '.[dev]'
	touch $@

# Debian packages the test suite talks to for real: adb, JDK 17 (Frida's Java bridge), gcc,
# Chromium (HTML report screenshots). Installed only when missing; needs root (CI runs as root).
setup-system: $(STAMP_SYS)

$(STAMP_SYS):
	bash tools/setup-system.sh
	touch $@

setup-appium: setup-system
	bash tools/appium/setup.sh

# npm ci in hooks/ (the pinned frida-java-bridge): needed to rebuild the agent, and by the test
# that checks the committed bundle is what the sources build to.
setup-agent: setup-system
	test -d hooks/node_modules/frida-java-bridge || sh tools/frida/setup.sh

# npm ci in tools/cmp (the pinned consent-management libraries the CMP test pages load)
setup-cmp: setup-system
	sh tools/cmp/setup.sh

# Playwright for the reference H5 pages (no browser is downloaded: the demo uses Debian's
# Chromium when it is installed and says so when it is not).
setup-web: $(STAMP_WEB)

$(STAMP_WEB): $(STAMP_PY) pyproject.toml
	$(PIP) install -e '.[web]'
	touch $@

demo: setup setup-web
	$(BIN)/consent-harness demo

test: setup-dev setup-system setup-appium setup-agent setup-cmp
	$(BIN)/pytest -q -n 2 --timeout=600

test-fast: setup-dev
	$(BIN)/pytest -q -m "not frida and not appium and not chromium"

lint: setup-dev
	$(BIN)/ruff check harness tests bench
	$(BIN)/mypy harness

typecheck: lint

hooks agent: setup setup-agent
	$(BIN)/python tools/frida/build_agent.py

accuracy: setup
	$(BIN)/python bench/accuracy.py

bench: setup
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(STAMP_SYS) build dist *.egg-info
