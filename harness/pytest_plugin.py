"""pytest plugin for app developers' own CI (registered through the ``pytest11`` entry point).

Use in a test suite::

    def test_no_collection_before_consent(consent_harness):
        outcome = consent_harness.run("app-release.apk", scenario="S2")
        outcome.assert_clean(fail_on="medium")

Options: ``--consent-device`` (default: the reference device; an adb serial for a real emulator),
``--consent-results`` (folder for run folders), ``--consent-jurisdiction`` (cn | eu),
``--consent-app-config`` (feature paths of the app).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.findings import Finding

__all__ = ["ConsentHarness", "RunOutcome", "pytest_addoption", "consent_harness"]


@dataclass
class RunOutcome:
    run_dir: Path
    findings: list[Finding]

    def at_least(self, severity: str) -> list[Finding]:
        from harness.findings import SEVERITIES

        bar = SEVERITIES.index(severity)
        return [f for f in self.findings if f.verdict != "info" and f.rank() >= bar]

    def assert_clean(self, fail_on: str = "medium") -> None:
        bad = self.at_least(fail_on)
        if bad:
            lines = "\n".join(f"  {f.rule_id} [{f.severity}/{f.verdict}] {f.message}" for f in bad)
            pytest.fail(f"consent-harness found {len(bad)} issue(s) at or above {fail_on} (run folder {self.run_dir}):\n{lines}", pytrace=False)


class ConsentHarness:
    def __init__(self, device: str, results: Path, jurisdiction: str, app_config: str | None) -> None:
        self.device = device
        self.results = results
        self.jurisdiction = jurisdiction
        self.app_config = app_config

    def run(self, app: str, scenario: str = "S2") -> RunOutcome:
        from harness.assemble import AppRequest, Assembly

        request = AppRequest(app=app, device=self.device, app_config=self.app_config or "", scenario=scenario, results=str(self.results), jurisdiction=self.jurisdiction, reports=())
        asm = Assembly(request)
        asm.check()
        (sc,) = asm.scenarios()
        with asm:
            asm.resolve()
            res = asm.record(sc)
        return RunOutcome(res.run_dir, asm.judge(res.run_dir))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("consent-harness")
    group.addoption("--consent-device", default="", help="device for consent_harness runs: an adb serial (default: the reference device, simulated)")
    group.addoption("--consent-results", default=None, help="folder for consent-harness run folders (default: a temporary folder)")
    group.addoption("--consent-jurisdiction", default="cn", choices=("cn", "eu"))
    group.addoption("--consent-app-config", default=None, help="YAML with the app's feature paths")


@pytest.fixture
def consent_harness(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ConsentHarness:
    cfg = request.config
    results = cfg.getoption("--consent-results")
    out = Path(results) if results else tmp_path_factory.mktemp("consent-runs")
    return ConsentHarness(str(cfg.getoption("--consent-device")), out, str(cfg.getoption("--consent-jurisdiction")), cfg.getoption("--consent-app-config"))
