"""The pytest plugin app developers use in their own CI: a run with findings fails their test,
a clean app passes (on the reference device here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TEST = '''
def test_decline_path(consent_harness):
    outcome = consent_harness.run("{app}", scenario="S2")
    assert outcome.run_dir.is_dir()
    outcome.assert_clean(fail_on="medium")
'''


def run_user_suite(tmp_path: Path, app: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_app.py").write_text(USER_TEST.format(app=app), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--consent-device", "sim", "--consent-results", str(tmp_path / "runs"), str(tmp_path / "test_app.py")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )


def test_findings_fail_the_developers_test(tmp_path: Path) -> None:
    proc = run_user_suite(tmp_path, "demo-precollect")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "consent-harness found" in proc.stdout and "R09" in proc.stdout and "R10" in proc.stdout
    assert list((tmp_path / "runs").glob("*-S2"))


def test_a_clean_app_passes(tmp_path: Path) -> None:
    proc = run_user_suite(tmp_path, "demo-clean")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


ROUGH_EDGES = '''
import pytest
from harness.errors import InputError


def test_all_scenarios(consent_harness):
    outcome = consent_harness.run("demo-clean", scenario="all")
    assert len(outcome.run_dirs) == 5 and all(p.is_dir() for p in outcome.run_dirs)
    outcome.assert_clean()


def test_bad_fail_on_is_named(consent_harness):
    outcome = consent_harness.run("demo-clean", scenario="S1")
    with pytest.raises(InputError, match="fail_on must be one of info, low, medium, high, never, not 'hihg'"):
        outcome.assert_clean(fail_on="hihg")


def test_default_bar_is_the_clis(consent_harness):
    # demo-precollect has high findings (R09): the default bar (high) fails it, like the CLI
    outcome = consent_harness.run("demo-precollect", scenario="S1")
    assert outcome.default_fail_on == "high"
    with pytest.raises(pytest.fail.Exception, match="at or above high"):
        outcome.assert_clean()
'''


def test_scenario_all_fail_on_errors_and_default_bar(tmp_path: Path) -> None:
    (tmp_path / "test_edges.py").write_text(ROUGH_EDGES, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--consent-results", str(tmp_path / "runs"), str(tmp_path / "test_edges.py")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout
