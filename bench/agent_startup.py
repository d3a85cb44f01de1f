"""Agent start-up on the JVM test bed: the time to install every catalogue hook.

For spawn (hooks go in when JNI_CreateJavaVM returns) and attach (into a running JVM), with the
on-by-default catalogue and with every entry, it measures
  install_ms the agent's own time to install every Java hook (class look-ups, overload
             replacement and, on attach, HotSpot applying the replacements), from its stats()
             export: this is the start-up figure checked against the target;
  start_s    host wall time from launching the JVM to the program's "ready" line with the agent
             in place (JVM start, Frida spawn/attach, script load, init, hooks): context only;
  hooks      entries hooked (the others are reported as skipped: classes absent from the stub
             program, methods outside its API level).

Run: python bench/agent_startup.py [--repeat 3] [--target 1.5]. Needs java/javac (JDK 17). Exits 1
when the median install time of a configuration is above the target (seconds). The last line is
a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "frida"))

from frida_support import start_attached, start_spawned  # noqa: E402

from harness.catalog.apis import load_apis, select_apis  # noqa: E402


def compile_program(tmp: Path) -> tuple[str, Path]:
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None or javac is None:
        raise SystemExit("bench needs java and javac (Debian: openjdk-17-jdk-headless)")
    out = tmp / "classes"
    sources = [str(p) for p in (REPO / "tests" / "frida" / "java").rglob("*.java")]
    subprocess.run([javac, "--release", "17", "-d", str(out), *sources], check=True, capture_output=True)
    return os.path.realpath(java), out


def once(mode: str, every: bool, java: str, classes: Path) -> dict[str, Any]:
    apis = list(load_apis()) if every else select_apis()
    argv = (java, "-cp", str(classes), "com.example.app.Main")
    t0 = time.perf_counter()
    run = start_spawned(argv, "com.example.app", apis=apis) if mode == "spawn" else start_attached(argv, "com.example.app", apis=apis)
    started = time.perf_counter() - t0
    try:
        stats = run.inst.stats()
        status = run.inst.ready_status
        return {"start_s": started, "install_ms": int(stats.get("installMs", -1)), "hooks": int(stats.get("hooks", 0)),
                "overloads": int(stats.get("overloads", 0)), "entries": len(apis),
                "skipped": len(status.skipped) if status is not None else -1}
    finally:
        run.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--target", type=float, default=1.5, help="seconds to install every hook")
    a = ap.parse_args()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        java, classes = compile_program(Path(tmp))
        for mode in ("spawn", "attach"):
            for every in (False, True):
                key = f"{mode}_{'all' if every else 'default'}"
                runs = [once(mode, every, java, classes) for _ in range(a.repeat)]
                med = {k: statistics.median(r[k] for r in runs) for k in ("start_s", "install_ms")}
                out[key] = {"start_s": round(med["start_s"], 3), "install_ms": med["install_ms"],
                            "start_s_runs": [round(r["start_s"], 3) for r in runs], "entries": runs[0]["entries"],
                            "hooks": runs[0]["hooks"], "overloads": runs[0]["overloads"], "skipped": runs[0]["skipped"]}
                r = out[key]
                print(f"{key:16s} entries {r['entries']:4d}  hooked {r['hooks']:3d} ({r['overloads']} overloads)  skipped {r['skipped']:4d}"
                      f"  ready after {r['start_s']:.2f} s (runs {r['start_s_runs']})  agent install {r['install_ms']:.0f} ms", flush=True)
    worst = max(v["install_ms"] for v in out.values()) / 1000.0
    wall = max(v["start_s"] for v in out.values())
    ok = 0 <= worst <= a.target
    print(f"slowest median hook installation {worst:.2f} s (target {a.target} s: {'met' if ok else 'MISSED'}); "
          f"slowest median launch-to-ready {wall:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")
    print(json.dumps({**out, "target_s": a.target, "worst_install_s": worst, "worst_start_s": wall, "ok": ok,
                      "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 1)}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
