"""Per-call overhead and event throughput of Java hooks on a live JVM (same stub program as the
Frida tests), for:

  none         no agent at all
  bare_hook    the agent's hook only calls the original (the Java bridge's own cost)
  naive        the usual approach: one send() per call, a full Java stack on every call
               (Throwable.getStackTrace(), one JNI call per frame)
  naive_log    same, stack via android.util.Log.getStackTraceString (one JNI call)
  ours         this project's agent: call-site key per call, full stack once per site,
               50 ms batches, identical calls folded
  ours_nofold  ours without folding (every call its own wire event)

Run: python bench/hooks.py [--quick]. Needs java/javac (JDK 17). The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.events import ApiCall, Event  # noqa: E402
from harness.instrumentation.base import Target  # noqa: E402
from harness.instrumentation.frida import FridaInstrumentation  # noqa: E402

VARIANTS: dict[str, dict[str, Any] | None] = {
    "none": None,
    "bare_hook": {"agent_options": {"record": False}},
    "naive": {"stack": "frames", "batch": False, "fold": False},
    "naive_log": {"stack": "every", "batch": False, "fold": False},
    "ours": {},
    "ours_nofold": {"fold": False},
}


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.events = 0
        self.first = 0.0
        self.last = 0.0
        self.lock = threading.Lock()

    def emit(self, events: list[Event] | Any) -> None:
        now = time.perf_counter()
        with self.lock:
            for e in events:
                if isinstance(e, ApiCall) and e.api_id == "TelephonyManager.getDeviceId":
                    self.calls += e.count
                    self.events += 1
                    if self.first == 0.0:
                        self.first = now
                    self.last = now


def compile_program(tmp: Path) -> tuple[str, Path]:
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None or javac is None:
        raise SystemExit("bench needs java and javac (Debian: openjdk-17-jdk-headless)")
    out = tmp / "classes"
    sources = [str(p) for p in (REPO / "tests" / "frida" / "java").rglob("*.java")]
    subprocess.run([javac, "--release", "17", "-d", str(out), *sources], check=True, capture_output=True)
    return os.path.realpath(java), out


def run_variant(name: str, java: str, classes: Path, n: int, rounds: int) -> dict[str, Any]:
    proc = subprocess.Popen([java, "-cp", str(classes), "com.example.app.Main", "bench-warm"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready"):
        raise SystemExit(f"{name}: JVM did not start: {line!r}")
    counter = Counter()
    inst = None
    opts = VARIANTS[name]
    try:
        if opts is not None:
            inst = FridaInstrumentation("local", "attach", **opts)
            t0 = time.monotonic()
            inst.start(Target(package="com.example.app", pid=proc.pid, spawn=False), counter.emit, lambda: time.monotonic() - t0)
        proc.stdin.write(f"bench {n} {rounds}\n")
        proc.stdin.flush()
        per_call: list[float] = []
        while True:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"{name}: JVM ended early")
            if line.startswith("round"):
                per_call.append(float(line.rsplit("ns/call=", 1)[1]) / 1000.0)
            if line.startswith("done bench"):
                break
        if inst is not None:
            inst.flush(timeout=600)
        expected = n * rounds
        span = counter.last - counter.first
        result = {
            "calls": expected,
            "us_per_call": round(statistics.median(per_call), 3),
            "us_per_call_rounds": [round(x, 3) for x in per_call],
            "delivered": counter.calls,
            "wire_events": counter.events,
            "delivered_per_s": round(counter.calls / span) if span > 0 else None,
            "events_lost": (expected - counter.calls) if opts is not None and name != "bare_hook" else 0,
        }
        return result
    finally:
        try:
            proc.stdin.write("exit\n")
            proc.stdin.flush()
            proc.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(5)
        if inst is not None:
            inst.stop()
        proc.stdin.close()
        proc.stdout.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer calls (smoke run)")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    plan = {  # variant -> (calls per round, rounds)
        "none": (1_000_000 // scale, 3),
        "bare_hook": (100_000 // scale, 3),
        "naive": (10_000 // scale, 3),
        "naive_log": (10_000 // scale, 3),
        "ours": (250_000 // scale, 4),  # 1e6 calls
        "ours_nofold": (100_000 // scale, 3),
    }
    with tempfile.TemporaryDirectory() as tmpdir:
        java, classes = compile_program(Path(tmpdir))
        results: dict[str, dict[str, Any]] = {}
        for name, (n, rounds) in plan.items():
            t = time.perf_counter()
            results[name] = r = run_variant(name, java, classes, n, rounds)
            print(f"{name:12s} {r['calls']:>9,d} calls  {r['us_per_call']:9.3f} us/call  delivered {r['delivered']:>9,d}"
                  f" in {r['wire_events']:>8,d} wire events  {r['delivered_per_s'] or 0:>9,d} calls/s at the host"
                  f"  lost {r['events_lost']}  ({time.perf_counter() - t:.1f} s)", flush=True)
    ours = results["ours"]["us_per_call"]
    summary = {
        "us_per_call": {k: v["us_per_call"] for k, v in results.items()},
        "delivered_per_s": {k: v["delivered_per_s"] for k, v in results.items() if k != "none"},
        "calls": {k: v["calls"] for k, v in results.items()},
        "ratio_naive_over_ours": round(results["naive"]["us_per_call"] / ours, 2),
        "ratio_naive_log_over_ours": round(results["naive_log"]["us_per_call"] / ours, 2),
        "ratio_ours_over_bare_hook": round(ours / results["bare_hook"]["us_per_call"], 2),
        "events_lost": sum(v["events_lost"] for v in results.values()),
        "events_lost_by_variant": {k: v["events_lost"] for k, v in results.items()},
        "host_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
    }
    print(f"naive / ours = {summary['ratio_naive_over_ours']}x (naive_log / ours = {summary['ratio_naive_log_over_ours']}x); "
          f"ours / bare hook = {summary['ratio_ours_over_bare_hook']}x; events lost: {summary['events_lost']}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
