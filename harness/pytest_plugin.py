"""pytest plugin for app developers' own CI (registered through the ``pytest11`` entry point,
so installing consent-harness is all it takes).

Use in a test suite::

    def test_no_collection_before_consent(consent_harness):
        outcome = consent_harness.run("app-release.apk", scenario="S2")
        outcome.assert_clean()                  # fails on high findings, like the CLI
        consent_harness.run("app-release.apk", scenario="all").assert_clean(fail_on="medium")

``scenario`` is S1..S5, a comma-separated list, ``all`` (the standard suite) or a scenario
YAML; the outcome holds every run folder and all their findings. ``fail_on`` is info | low |
medium | high | never (default ``high``, the CLI's default); ``info`` also fails on
informational findings.

Options: ``--consent-device`` (default: the reference device, SIMULATED; an adb serial for a
real emulator), ``--consent-results`` (folder for run folders; default a temporary folder),
``--consent-jurisdiction`` (cn | eu), ``--consent-app-config`` (feature paths of the app),
``--consent-fail-on`` (the default ``fail_on`` of ``assert_clean``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.findings import FAIL_ON, Finding, fails

__all__ = ["ConsentHarness", "RunOutcome", "DEFAULT_FAIL_ON", "pytest_addoption", "consent_harness"]

#: The same default bar as ``consent-harness run --fail-on``.
DEFAULT_FAIL_ON = "high"


def _check_fail_on(fail_on: str) -> str:
    if fail_on not in FAIL_ON:
        raise InputError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    return fail_on


@dataclass
class RunOutcome:
    """The runs of one ``consent_harness.run`` call: every run folder and all findings."""

    run_dir: Path
    findings: list[Finding]
    run_dirs: list[Path] = field(default_factory=list)
    default_fail_on: str = DEFAULT_FAIL_ON

    def at_least(self, severity: str) -> list[Finding]:
        """Findings that make ``fail_on=severity`` fail."""
        _check_fail_on(severity)
        return [f for f in self.findings if fails([f], severity)]

    def assert_clean(self, fail_on: str | None = None) -> None:
        bar = _check_fail_on(fail_on or self.default_fail_on)
        bad = self.at_least(bar)
        if bad:
            lines = "\n".join(f"  {f.rule_id} [{f.severity}/{f.verdict}] {f.message}" for f in bad)
            where = ", ".join(str(p) for p in (self.run_dirs or [self.run_dir]))
            pytest.fail(f"consent-harness found {len(bad)} issue(s) at or above {bar} (run folders {where}):\n{lines}", pytrace=False)


class ConsentHarness:
    def __init__(self, device: str, results: Path, jurisdiction: str, app_config: str | None, fail_on: str = DEFAULT_FAIL_ON) -> None:
        self.device = device
        self.results = results
        self.jurisdiction = jurisdiction
        self.app_config = app_config
        self.fail_on = _check_fail_on(fail_on)

    def run(self, app: str, scenario: str = "S2") -> RunOutcome:
        """Run ``scenario`` (one, a list, ``all`` or a YAML) on ``app`` and judge every run."""
        from harness.assemble import AppRequest, run_app

        request = AppRequest(app=app, device=self.device, app_config=self.app_config or "", scenario=scenario, results=str(self.results), jurisdiction=self.jurisdiction, reports=())
        run_dirs: list[Path] = []
        findings: list[Finding] = []
        for out in run_app(request):
            run_dirs.append(Path(out.run_dir))
            findings.extend(out.findings)
        return RunOutcome(run_dirs[0], findings, run_dirs, self.fail_on)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("consent-harness")
    group.addoption("--consent-device", default="", help="device for consent_harness runs: an adb serial (default: the reference device, simulated)")
    group.addoption("--consent-results", default=None, help="folder for consent-harness run folders (default: a temporary folder)")
    group.addoption("--consent-jurisdiction", default="cn", choices=("cn", "eu"))
    group.addoption("--consent-app-config", default=None, help="YAML with the app's feature paths")
    group.addoption("--consent-fail-on", default=DEFAULT_FAIL_ON, choices=FAIL_ON, help="default fail_on of assert_clean (default high, as the CLI)")


@pytest.fixture
def consent_harness(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ConsentHarness:
    cfg = request.config
    results = cfg.getoption("--consent-results")
    out = Path(results) if results else tmp_path_factory.mktemp("consent-runs")
    return ConsentHarness(
        str(cfg.getoption("--consent-device")), out, str(cfg.getoption("--consent-jurisdiction")), cfg.getoption("--consent-app-config"), str(cfg.getoption("--consent-fail-on"))
    )
