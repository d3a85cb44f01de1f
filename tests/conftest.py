"""Shared test fixtures and options.

``--device SERIAL`` opts into tests that need a real Android device (skipped by default).
Real-world evaluation data is read from ../shared/data beside the repo, never copied in. A
plain clone has no such folder: tests that need it skip, naming the folder. CI sets
``CONSENT_HARNESS_REQUIRE_SHARED=1`` so that a missing folder fails there instead of hiding tests.

``corpora`` is the one loader of the reference corpora's models and truth (bench/accuracy.py's
scoring) that every corpus test shares: the app corpora (``corpora.run(<corpus>, root)``, any
corpus ``harness.devices.sim.model.CORPORA`` names), the web pages' truth and the benchmark itself.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--device", action="store", default=None, help="serial of a real Android device for device tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--device"):
        return
    skip = pytest.mark.skip(reason="needs a real device: pytest --device SERIAL")
    for item in items:
        if "device" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        why = f"needs the shared evaluation data at {SHARED} (a folder beside the repository; a plain clone has none)"
        if os.environ.get("CONSENT_HARNESS_REQUIRE_SHARED"):
            pytest.fail(why + "; CONSENT_HARNESS_REQUIRE_SHARED is set")
        pytest.skip(why)
    return SHARED


@pytest.fixture(scope="session")
def device_serial(request: pytest.FixtureRequest) -> str | None:
    value = request.config.getoption("--device")
    return str(value) if value else None


def load_bench(name: str) -> ModuleType:
    """``bench/<name>.py`` as a module (bench/ holds scripts, not a package), loaded once per
    session and shared by every test that reads it."""
    key = f"consent_harness_bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[key] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def bench_script() -> Callable[[str], ModuleType]:
    """``load_bench``: a benchmark script as a module, for tests that share its inputs."""
    return load_bench


@dataclass(frozen=True)
class CorpusRun:
    """One app corpus run on the reference device and scored against its truth."""

    outcomes: list[Any]
    per_app: dict[str, float]
    models: dict[str, Any]
    truth: list[Any]
    clean: list[str]
    score: Any


class Corpora:
    """The reference corpora's models and truth as bench/accuracy.py scores them."""

    def __init__(self, bench: ModuleType) -> None:
        from harness.catalog.rules import load_rules

        self.bench = bench
        self.rules: list[str] = list(load_rules().rules)

    def app_runs(self, ca_run: str = "S3") -> list[str]:
        """The standard scenarios plus the untrusted-CA run of ``ca_run``, as the corpus tests run them."""
        from harness.scenarios import resolve_scenarios

        return [s.id for s in resolve_scenarios("all")] + ([ca_run + self.bench.CA_RUN_SUFFIX] if ca_run else [])

    def truth(self, models: Iterable[Any], scenarios: Sequence[str]) -> list[Any]:
        """Every model's truth list, validated and expanded to one item per scenario."""
        return [t for m in models for t in self.bench.truth_of(m, scenarios=list(scenarios), rules=self.rules)]

    def run(self, corpus: str, root: Path, *, ca_run: str = "S3") -> CorpusRun:
        """Every model of ``corpus`` through S1..S5 (and the untrusted-CA run of ``ca_run``) on
        the reference device, scored against the corpus's truth."""
        from harness.devices.sim.model import available_models, load_bundled

        apps = available_models(corpus)
        outcomes, per_app = self.bench.run_corpus(apps, "all", root, ca_run=ca_run)
        models = {a: load_bundled(a) for a in apps}
        truth = self.truth(models.values(), self.app_runs(ca_run))
        clean = [a for a, m in models.items() if m.clean]
        return CorpusRun(outcomes, per_app, models, truth, clean, self.bench.score(outcomes, truth, clean, self.bench.default_sdk_resolver()))


@pytest.fixture(scope="session")
def corpora() -> Corpora:
    return Corpora(load_bench("accuracy"))
