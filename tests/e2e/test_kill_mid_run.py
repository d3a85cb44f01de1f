"""A real `consent-harness run` killed with SIGKILL in the middle of a scenario leaves a
readable timeline with everything recorded so far; the run can still be analysed and reported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.events import ApiCall, RunMarker, StepMarker
from harness.pipeline import analyze_run
from harness.reporting.build import build_reports
from harness.timeline import Timeline

MODEL = """
model: chatty
package: com.example.chatty
label: Chatty
screens:
  home:
    title: Home
on_start:
  - every: {seconds: 0.05, while: alive, do: [{call: {api: TelephonyManager.getImei, sdk: com.umeng.commonsdk}}]}
"""

SCENARIO = """
id: LONG
steps:
  - launch: {clear: true}
  - observe: 80000
"""


def test_sigkill_mid_scenario_keeps_a_readable_timeline(tmp_path: Path) -> None:
    (tmp_path / "chatty.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "long.yaml").write_text(SCENARIO, encoding="utf-8")
    results = tmp_path / "results"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "--device", "sim", "--app", str(tmp_path / "chatty.yaml"), "--scenario", str(tmp_path / "long.yaml"), "--results", str(results), "--no-report"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    # wait until the run is well into its observation (the timeline keeps growing), then kill
    deadline = time.monotonic() + 60
    timeline_path: Path | None = None
    while time.monotonic() < deadline:
        found = list(results.glob("*/timeline.jsonl"))
        if found and found[0].stat().st_size > 300_000:
            timeline_path = found[0]
            break
        time.sleep(0.05)
    assert timeline_path is not None, "the run did not get going"
    size_before_kill = timeline_path.stat().st_size
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.stderr is not None
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    # everything written before the kill is there and readable (a torn last line is dropped)
    assert timeline_path.stat().st_size >= size_before_kill
    tl = Timeline.read(timeline_path)
    events = list(tl)
    assert isinstance(events[0], RunMarker) and events[0].phase == "start"
    assert not any(isinstance(e, RunMarker) and e.phase == "end" for e in events)
    assert any(isinstance(e, StepMarker) and e.step == "observe" and e.phase == "begin" for e in events)
    calls = [e for e in events if isinstance(e, ApiCall)]
    assert len(calls) > 300  # ~700 bytes a call: at least what the 300 KB seen before the kill holds
    assert [e.seq for e in events] == list(range(len(events)))
    ts = [c.t for c in calls]
    assert ts == sorted(ts)
    run_dir = timeline_path.parent
    assert json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["status"] == "running"
    # judged and reported like any run; the report says the run did not finish
    findings = analyze_run(run_dir)
    assert any(f.rule_id == "R09" for f in findings)
    out = build_reports(run_dir, ("html",))
    assert "running" in out["html"].read_text(encoding="utf-8")
