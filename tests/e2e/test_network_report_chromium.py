"""The Network section of a run report in headless Debian Chromium: coverage, the "what was not
seen" sentence and the planted values found render as text, and a request body the app controls
(shown as decoded evidence around the value) cannot inject markup.

Needs the `chromium` binary (Debian package `chromium`); missing Chromium is a failure unless
CONSENT_HARNESS_SKIP_CHROMIUM=1 (see test_report_chromium.py).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.assemble import AppRequest, run_app

pytestmark = pytest.mark.chromium

# The SDK sends the IMEI next to markup: the snippet around the value carries it into the report.
HOSTILE_SENDER = """
model: hostile-sender
package: com.example.hostilesend
label: Hostile sender
on_start:
  - call: {api: TelephonyManager.getImei, sdk: com.umeng.commonsdk, ret: "861234567890555", thread: umeng-init}
  - send: {host: ulogs.umeng.com, path: /unify_logs, sdk: com.umeng.commonsdk, data: {a: "<img src=x id=pwn>", di: "861234567890555"}, encode: plain}
on_launch:
  - goto: home
screens:
  home:
    title: Home
    body: Hello
truth: []
"""


def _chromium() -> str:
    explicit = os.environ.get("CONSENT_HARNESS_CHROMIUM")
    for candidate in (explicit, "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    if os.environ.get("CONSENT_HARNESS_SKIP_CHROMIUM") == "1":
        pytest.skip("chromium not installed and CONSENT_HARNESS_SKIP_CHROMIUM=1")
    pytest.fail("headless Chromium not found (apt-get install chromium); set CONSENT_HARNESS_SKIP_CHROMIUM=1 to skip")


def _chrome(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.network_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id") == "network" or (self.stack and tag not in ("br", "img", "meta", "link")):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.network_text.append(data)


def test_network_section_renders_as_text_in_chromium(tmp_path: Path) -> None:
    model = tmp_path / "hostile-sender.yaml"
    model.write_text(HOSTILE_SENDER, encoding="utf-8")
    (out,) = list(run_app(AppRequest(app=str(model), device="sim", scenario="S1", results=str(tmp_path / "runs"), reports=("html",), lang="en")))
    html = Path(out.run_dir) / "report.html"
    proc = _chrome(["--dump-dom", html.as_uri()], tmp_path / "profile")
    assert proc.returncode == 0 and "</html>" in proc.stdout, proc.stderr[-2000:]
    dom = _Dom()
    dom.feed(proc.stdout)
    text = " ".join(" ".join(dom.network_text).split())
    assert "Requests decrypted 1 of 1" in text
    assert "TLS handshakes refused 0" in text
    assert "QUIC attempts blocked not measured" in text
    assert "It does not see:" in text and "native TLS stacks" in text
    assert "ulogs.umeng.com" in text and "plain in the body" in text
    # the app's markup is shown as text in the decoded evidence, never as an element
    assert '<img src=x id=pwn>","di":"861234567890555"' in text
    assert not any(t == "img" and (a.get("src") == "x" or a.get("id") == "pwn") for t, a in dom.tags)
    # and it draws: a screenshot of the section alone is far from blank
    only = html.with_name("network-only.html")
    only.write_text(html.read_text(encoding="utf-8").replace("</head>", "<style>section:not(#network){display:none}</style></head>", 1), encoding="utf-8")
    shot = tmp_path / "network.png"
    proc = _chrome(["--window-size=1300,1200", f"--screenshot={shot}", only.as_uri()], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1300, 1200)
    assert len(data) > 40_000
    keep = os.environ.get("CONSENT_HARNESS_KEEP_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)
