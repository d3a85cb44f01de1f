"""``make demo`` and the reference H5 pages: on a machine without Chromium the demo still runs
(exit 0) and says in one line that the pages were skipped and why; the page names it is given
are checked before anything runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def test_demo_says_why_the_pages_were_skipped(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent), CONSENT_HARNESS_CHROMIUM="")
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "demo", "--apps", "demo-clean", "--scenario", "S1", "--pages", "parking-implied,powerbank-clean", "--lang", "en", "--results", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    skipped = [line for line in proc.stdout.splitlines() if line.startswith("reference pages skipped:")]
    assert len(skipped) == 1 and "Chromium" in skipped[0] and "2 reference pages" in skipped[0]
    assert "Every run above used the reference device: SIMULATED apps" in proc.stdout


def test_demo_refuses_an_unknown_page(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "demo", "--apps", "demo-clean", "--pages", "no-such-page", "--results", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown reference page" in proc.stderr


@pytest.mark.chromium
def test_demo_runs_the_pages_when_chromium_is_there(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("needs Debian's chromium")
    pytest.importorskip("playwright")
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "demo", "--apps", "demo-clean", "--scenario", "S1", "--pages", "parking-implied", "--lang", "en", "--results", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "reference pages: 1 x" in proc.stdout and "parking-implied:" in proc.stdout
    assert "reference pages in a real browser" in proc.stdout
    (root,) = list(tmp_path.glob("demo-*"))
    summary = (root / "summary.html").read_text(encoding="utf-8")
    assert "parking_implied" in summary and "reference pages" in summary
