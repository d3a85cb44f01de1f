"""A run killed with SIGKILL keeps every event recorded up to (about) the kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.timeline import Timeline

WRITER = r"""
import sys, time
from harness.events import ApiCall
from harness.timeline import Timeline
tl = Timeline(sys.argv[1])
i = 0
while True:
    tl.append(ApiCall(t=time.monotonic(), api_id="TelephonyManager.getImei", category="DEVICE_ID", count=i))
    i += 1
    if i % 50 == 0:
        # tell the parent how far we are: the last count that was appended
        sys.stdout.write(f"{i - 1}\n"); sys.stdout.flush()
    time.sleep(0.001)
"""


def test_sigkill_mid_run_keeps_what_was_recorded(tmp_path: Path) -> None:
    path = tmp_path / "timeline.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    last_reported = -1
    deadline = time.monotonic() + 30
    while last_reported < 400 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        last_reported = int(line)
    # the writer has reported that event `last_reported` was appended; kill it hard now
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert last_reported >= 400, "writer did not get going"
    events = Timeline.read(path)
    counts = [e.count for e in events]  # type: ignore[attr-defined]
    # nothing lost before the report, nothing out of order, at most a torn last line dropped
    assert counts[: last_reported + 1] == list(range(last_reported + 1))
    assert counts == list(range(len(counts)))
