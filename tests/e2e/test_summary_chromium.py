"""summary.html in headless Chromium: the charts are there, the table script runs under its
CSP nonce (no external asset), and a script smuggled into an app text does not run."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import InfrastructureError
from harness.reporting.build import build_summary
from harness.reporting.pdf import find_chromium

pytestmark = pytest.mark.chromium


def _chromium() -> str:
    try:
        return find_chromium()
    except InfrastructureError:
        if os.environ.get("CONSENT_HARNESS_SKIP_CHROMIUM") == "1":
            pytest.skip("chromium not installed and CONSENT_HARNESS_SKIP_CHROMIUM=1")
        raise


def test_summary_charts_and_sortable_tables(tmp_path: Path) -> None:
    chromium = _chromium()
    results = tmp_path / "runs"
    assert main(["run", "--app", "demo-precollect", "--scenario", "S1,S2", "--results", str(results), "--fail-on", "never", "--no-report"]) == 0
    runs = sorted(p for p in results.iterdir() if p.is_dir())
    # a hostile finding message: escaped text, never a script
    fj = runs[0] / "findings.jsonl"
    lines = fj.read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    first["message"] = "<script>document.body.setAttribute('data-pwned','1')</script>"
    fj.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    html_path = build_summary(runs, tmp_path / "summary", formats=("html",))["html"]
    html = html_path.read_text("utf-8")
    for chart in ("chart-rules", "chart-sdks", "chart-types"):
        assert f'id="{chart}"' in html
    assert not re.search(r'(src|href)="https?://', html)
    nonce = re.search(r"script-src 'nonce-([A-Za-z0-9_-]+)'", html)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in html
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'prof'}", "--dump-dom", html_path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert 'data-tables-ready="1"' in dom  # our script ran under the nonce
    assert "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]  # the smuggled one did not
    assert dom.count("bar-row") >= 3
