"""Benchmark: a flooding app against the per-run event budget (issue 12, Medium 10).

Run: ``python bench/flood.py [--scenario S2] [--times 300] [--budget N]``

A 1 KB reference-device model (SIMULATED) whose SDK calls an identifier API ``--times`` times
every 10 ms for as long as the process lives. ``consent-harness run`` (record, analyse, reports)
runs it once in a fresh process; the figures are that process's peak memory (RSS), its time,
the size of timeline.jsonl, the events stored, and whether the run finished with its
event-budget error record. ``--budget`` sets CONSENT_HARNESS_MAX_EVENTS (default: the
harness's default budget); ``--budget 0`` sets a budget so large it never applies, to show the
unbounded figures for comparison.

Prints readable figures, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: the flooding app (tests/unit/core/test_event_budget.py runs it too, through ``flood_model``)
MODEL = """\
# SIMULATED flooding app for bench/flood.py
model: flood
package: com.example.flood
label: Flood
profile: online_shopping
locale: en
api_level: 33
on_start:
  - every: {seconds: 0.01, while: alive, do: [call: {api: TelephonyManager.getImei, sdk: com.umeng.commonsdk, args: "0", ret: "861234567890123", thread: flood, times: TIMES}]}
on_launch: [goto: home]
screens:
  home: {title: Home, body: hello}
"""


def flood_model(times: int) -> str:
    """The flooding app's model YAML: its SDK reads the IMEI ``times`` times every 10 ms."""
    return MODEL.replace("TIMES", str(int(times)))


def run(scenario: str, times: int, budget: int | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ch-flood-") as tmp:
        model = Path(tmp) / "flood.yaml"
        model.write_text(flood_model(times), encoding="utf-8")
        env = dict(os.environ)
        if budget is not None:
            env["CONSENT_HARNESS_MAX_EVENTS"] = str(budget if budget > 0 else 10**12)
            if budget == 0:
                env["CONSENT_HARNESS_MAX_BYTES"] = str(10**15)
        results = Path(tmp) / "results"
        code = (
            "import resource, sys\n"
            "from harness.cli import main\n"
            "rc = main(sys.argv[1:])\n"
            "print('RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)\n"
            "sys.exit(rc)\n"
        )
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", code, "run", "--app", str(model), "--scenario", scenario, "--results", str(results), "--fail-on", "never"],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=1800,
        )
        elapsed = time.perf_counter() - t0
        rss_kb = max([int(line.split()[1]) for line in proc.stdout.splitlines() if line.startswith("RSS_KB")] or [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss])
        runs = [p for p in results.iterdir() if (p / "timeline.jsonl").is_file()]
        if proc.returncode not in (0, 1) or len(runs) != 1:
            raise SystemExit(f"run failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
        tl = runs[0] / "timeline.jsonl"
        lines = 0
        budget_records = 0
        end_ok = False
        with open(tl, encoding="utf-8", newline="\n") as fh:
            for line in fh:
                lines += 1
                if '"where":"event-budget"' in line:
                    budget_records += 1
                if '"kind":"run"' in line and '"phase":"end"' in line and '"status":"completed"' in line:
                    end_ok = True
        info = json.loads((runs[0] / "run.json").read_text(encoding="utf-8"))
        return {
            "scenario": scenario,
            "times_per_tick": times,
            "budget_events": budget,
            "seconds": round(elapsed, 1),
            "peak_rss_mb": round(rss_kb / 1024, 1),
            "timeline_mb": round(tl.stat().st_size / 2**20, 1),
            "events_stored": lines,
            "budget_error_records": budget_records,
            "run_completed": bool(end_ok and info.get("status") == "completed"),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--scenario", default="S2")
    ap.add_argument("--times", type=int, default=300)
    ap.add_argument("--budget", type=int, default=None, help="CONSENT_HARNESS_MAX_EVENTS (0: no budget in effect)")
    a = ap.parse_args()
    r = run(a.scenario, a.times, a.budget)
    print(f"flood model, {a.times} calls every 10 ms, scenario {a.scenario} (SIMULATED), budget {a.budget or 'default' if a.budget != 0 else 'off'}")
    print(f"  peak RSS of `consent-harness run` (record + analyse + reports): {r['peak_rss_mb']} MB")
    print(f"  timeline.jsonl: {r['timeline_mb']} MB, {r['events_stored']} events stored; {r['seconds']} s")
    print(f"  event-budget error records: {r['budget_error_records']}; run completed: {r['run_completed']}")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
