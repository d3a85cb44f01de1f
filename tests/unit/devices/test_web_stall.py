"""The web driver's stall guard on real processes: a call that outlives its allowance gets the
renderers of its own browser (found by the marker on the browser's command line) ended, then,
if still stuck, the browser; other processes, and a call that ends in time, are left alone."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from harness.devices.web.stall import StallGuard, renderer_pids

# a "browser" (carries the marker) that starts a "renderer" child; both just sleep
TREE = "import subprocess,sys,time; subprocess.Popen([sys.executable,'-c','import time; time.sleep(60)','--type=renderer']); time.sleep(60)"


@pytest.fixture
def tree() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    marker = f"--consent-harness-browser=test.{time.monotonic_ns()}"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "--type=renderer"])
    browser = subprocess.Popen([sys.executable, "-c", TREE, marker])
    deadline = time.monotonic() + 10
    while not renderer_pids(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield marker, browser
    for p in (other, browser):
        p.kill()
        p.wait()
    assert other.returncode is not None


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_stuck_call_ends_the_renderers_then_the_browser(tree: tuple[str, subprocess.Popen[bytes]]) -> None:
    marker, browser = tree
    (renderer,) = renderer_pids(marker)  # the unrelated --type=renderer process is not ours
    seen: list[tuple[str, str]] = []
    guard = StallGuard(marker, lambda what, ended: seen.append((what, ended)), stall_s=0.3, grace_s=0.5)
    try:
        with guard.bounded("reading the screen"):
            deadline = time.monotonic() + 5
            while _alive(browser.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        guard.close()
    assert seen == [("reading the screen", "page"), ("reading the screen", "browser")]
    assert not _alive(renderer) and browser.wait(timeout=5) is not None


def test_a_call_within_its_allowance_is_left_alone(tree: tuple[str, subprocess.Popen[bytes]]) -> None:
    marker, browser = tree
    seen: list[tuple[str, str]] = []
    guard = StallGuard(marker, lambda what, ended: seen.append((what, ended)), stall_s=0.2)
    try:
        with guard.bounded("waiting", 0.6):  # its own length is allowed, plus the stall margin
            with guard.bounded("inner call"):  # nested: the outer bound holds
                time.sleep(0.7)
        time.sleep(0.5)  # nothing armed: nothing happens
    finally:
        guard.close()
    assert seen == [] and renderer_pids(marker) and browser.poll() is None
