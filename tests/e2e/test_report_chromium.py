"""Open report.html in headless Debian Chromium: the page renders, shows every finding row, and
hostile app texts stay text (no injected element, no executed script).

Needs the `chromium` binary (Debian package `chromium`). Missing Chromium is a FAILURE, not a
skip, unless CONSENT_HARNESS_SKIP_CHROMIUM=1 is set; CONSENT_HARNESS_CHROMIUM names another
binary.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from harness.reporting.build import build_reports

pytestmark = pytest.mark.chromium


def _reportkit() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "unit" / "reporting" / "reportkit.py"
    spec = importlib.util.spec_from_file_location("reportkit_e2e", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _chromium() -> str:
    explicit = os.environ.get("CONSENT_HARNESS_CHROMIUM")
    for candidate in (explicit, "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    if os.environ.get("CONSENT_HARNESS_SKIP_CHROMIUM") == "1":
        pytest.skip("chromium not installed and CONSENT_HARNESS_SKIP_CHROMIUM=1")
    pytest.fail("headless Chromium not found (apt-get install chromium); set CONSENT_HARNESS_SKIP_CHROMIUM=1 to skip")


def _run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        # the document title only (the first <title>; SVG marks have titles too)
        self._in_title = tag == "title" and not any(t == "title" for t, _ in self.tags[:-1])

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def test_hostile_report_renders_as_text(tmp_path: Path) -> None:
    kit = _reportkit()
    run = kit.make_run(tmp_path / "runs", hostile=True)
    html = build_reports(run, ("html",))["html"]
    proc = _run_chromium(["--dump-dom", html.as_uri()], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom_text = proc.stdout
    assert "</html>" in dom_text, proc.stderr[-2000:]
    dom = _Dom()
    dom.feed(dom_text)
    finding_rows = [a for t, a in dom.tags if t == "tr" and "finding" in (a.get("class") or "").split()]
    assert len(finding_rows) == 5
    # an executed script would have replaced the whole title with 'PWNED' (a cn run: Chinese title)
    assert dom.title.startswith("个人信息收集合规检测报告 · ") and dom.title != "PWNED"
    body = [a for t, a in dom.tags if t == "body"]
    assert body and "data-pwned" not in body[0]
    assert not any(t == "script" for t, _ in dom.tags)
    assert not any(t == "img" and a.get("src") == "x" for t, a in dom.tags)
    assert not any(k.startswith("on") for _t, a in dom.tags for k in a)
    # the hostile strings are visible as text in the rendered page
    assert "&lt;script&gt;document.title='PWNED'" in dom_text
    assert re.search(r"&lt;img src=x onerror=", dom_text)


def test_report_screenshot(tmp_path: Path) -> None:
    kit = _reportkit()
    run = kit.make_run(tmp_path / "runs")
    html = build_reports(run, ("html",))["html"]
    shot = tmp_path / "report.png"
    proc = _run_chromium(["--window-size=1400,2000", f"--screenshot={shot}", html.as_uri()], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 2000)
    # a rendered report is far from a blank page: a blank 1400x2000 PNG compresses to a few KB
    assert len(data) > 60_000
    keep = os.environ.get("CONSENT_HARNESS_KEEP_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)


def _cjk_font() -> str:
    """The font fontconfig gives Chromium for Chinese text ('' when it has none: the page would
    show empty boxes instead of characters)."""
    out = subprocess.run(["fc-match", "-f", "%{family}|%{lang}", ":lang=zh-cn"], capture_output=True, text=True, timeout=30, check=False)
    family, _, langs = out.stdout.partition("|")
    return family if "zh-cn" in langs.split("|") else ""


def test_cn_report_renders_chinese_with_a_cjk_font(tmp_path: Path) -> None:
    """A cn run's report in Chromium: Chinese headings, Chinese finding text, and a font that
    covers Chinese (no tofu). The screenshot is kept with CONSENT_HARNESS_KEEP_SCREENSHOT_CN."""
    from harness.assemble import AppRequest, run_app

    assert _cjk_font(), "no font covers Chinese: install fonts-wqy-microhei (tools/setup-system.sh)"
    outs = list(run_app(AppRequest(app="demo-precollect", device="sim", scenario="S2", results=str(tmp_path / "r"), reports=("html",))))
    html = outs[0].run_dir / "report.html"
    proc = _run_chromium(["--dump-dom", html.as_uri()], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert '<html lang="zh-CN">' in dom
    for heading in ("结论摘要", "同意时间线", "发现", "证据", "敏感 API 调用"):
        assert f">{heading}<" in dom, heading
    assert "拒绝隐私政策后" in dom  # an R10 message, rendered from the catalogue
    shot = tmp_path / "report-cn.png"
    proc = _run_chromium(["--window-size=1400,2400", f"--screenshot={shot}", html.as_uri()], tmp_path / "profile2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("CONSENT_HARNESS_KEEP_SCREENSHOT_CN")
    if keep:
        shutil.copyfile(shot, keep)
