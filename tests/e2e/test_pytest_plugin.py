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
