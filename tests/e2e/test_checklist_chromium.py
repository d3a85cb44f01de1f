"""The checklist printed to PDF by headless Debian Chromium, and rendered by it: Chinese text
in an embedded CJK font, every item row present. Missing Chromium is a failure unless
CONSENT_HARNESS_SKIP_CHROMIUM=1 (as in test_report_chromium)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from harness.assemble import resolve_app
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.errors import InfrastructureError
from harness.pipeline import analyze_run
from harness.reporting.checklist import write_checklist
from harness.reporting.pdf import find_chromium, print_to_pdf
from harness.runner import Runner
from harness.scenarios import resolve_scenarios

pytestmark = pytest.mark.chromium


def _chromium_or_skip() -> str:
    try:
        return find_chromium()
    except InfrastructureError:
        if os.environ.get("CONSENT_HARNESS_SKIP_CHROMIUM") == "1":
            pytest.skip("chromium not installed and CONSENT_HARNESS_SKIP_CHROMIUM=1")
        raise


def test_checklist_pdf_and_render(tmp_path: Path) -> None:
    chromium = _chromium_or_skip()
    driver = SimDriver()
    app = resolve_app(driver, "parking-pay")
    runs = []
    for sc in resolve_scenarios("all"):
        res = Runner(driver, SimInstrumentation(driver), tmp_path / "runs", hook_pack="sim").run(app, sc, app_ref="parking-pay")
        analyze_run(res.run_dir, jurisdiction="cn")
        runs.append(res.run_dir)
    out = write_checklist(runs, tmp_path / "ck", formats=("html", "pdf"))
    paths = out["com.refapp.etingche.pay"]
    pdf = paths["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 3  # 31 items do not fit one page
    assert b"WenQuanYi" in pdf or b"CJK" in pdf or b"Noto" in pdf  # a CJK font was embedded for the Chinese text
    # Chromium's DOM: every item row, a verdict in each
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'prof'}", "--dump-dom", paths["html"].as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert dom.count('<td class="id">') == 31
    verdicts = re.findall(r'<td class="verdict v-([a-z-]+)">', dom)
    assert len(verdicts) == 31 and set(verdicts) <= {"non-compliant", "needs-review", "not-tested", "compliant"}


def test_pdf_errors_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = tmp_path / "x.html"
    html.write_text("<p>x</p>", "utf-8")
    monkeypatch.setenv("CONSENT_HARNESS_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(InfrastructureError, match="no-such-chromium is not an executable"):
        print_to_pdf(html, tmp_path / "x.pdf")
    # a "browser" that prints nothing: the missing PDF is an error, not a silent success
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 0\n", "utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("CONSENT_HARNESS_CHROMIUM", str(fake))
    with pytest.raises(InfrastructureError, match="could not print x.html to PDF"):
        print_to_pdf(html, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
