"""Speed and memory of the web device: seconds per page for W1, W2 and W3 together, and the
peak memory of the browser and the harness, over the reference H5 pages shipped with the
harness (served on loopback; nothing leaves the machine).

    python bench/web.py [--pages scan-order,...] [--rounds N] [--browser wechat|alipay|chrome] [--parallel N]

Each page runs W1..W3 the way ``consent-harness run --device web --scenario W1,W2,W3`` does: the
web kind runs the three scenarios at once, each in a real Chromium of its own started for it
(``--parallel 1``: one browser for the page, the scenarios one after another, each from a fresh
browser profile), recorded and analysed as a normal run (reports are not written: they cost the
same for every device and have their own bench). The time per page counts everything from the
request to the last analysis: browser starts, loads, screens, taps, waits, analysis. Target:
W1-W3 together in <= 10 s per page on this machine.

Memory: the proportional set size (PSS, shared pages split between the processes sharing them)
of this process and every process under it (Playwright's driver, Chromium's browser, GPU,
network and renderer processes), sampled every 100 ms; the peak of the sum is reported, with
the harness's own peak RSS beside it.

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.assemble import AppRequest, run_app  # noqa: E402
from harness.devices.web.kind import KIND  # noqa: E402
from harness.devices.web.pages import page_names  # noqa: E402
from harness.scenarios import resolve_scenarios  # noqa: E402


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def _tree_kib(root: int) -> int:
    """PSS (KiB) of ``root`` and its descendants (RSS where PSS is not readable)."""
    kids = _children()
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
                continue
        except (OSError, StopIteration, ValueError):
            pass
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            pass
    return total


class _Peak(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            self.peak_kib = max(self.peak_kib, _tree_kib(me))
            self.stop.wait(0.1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default="", help="comma-separated reference pages (default: all)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--browser", default="wechat", choices=("wechat", "alipay", "chrome"))
    ap.add_argument("--parallel", type=int, default=0, help="scenarios at once (default: the web kind's own setting)")
    args = ap.parse_args()
    pages = [p for p in args.pages.split(",") if p] or page_names()
    scenarios = resolve_scenarios("W1,W2,W3", KIND.scenarios)
    # the observation windows the scenarios fix (observe steps always run in full): the part of
    # a page's time no optimisation of the harness can remove
    per_sc_observe = [sum(float(st.params.get("seconds", 30.0)) for st in sc.steps if st.name == "observe") for sc in scenarios]
    observe_s = sum(per_sc_observe)
    max_observe_s = max(per_sc_observe)
    per_page: list[float] = []
    per_scenario: dict[str, list[float]] = {}
    statuses: dict[str, int] = {}
    peak = _Peak()
    peak.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ch-bench-web-") as tmp:
        for _ in range(args.rounds):
            for page in pages:
                t0 = time.perf_counter()
                options = {"browser": args.browser, **({"parallel": str(args.parallel)} if args.parallel else {})}
                for out in run_app(AppRequest(app=page, device="web", results=tmp, reports=(), device_options=options), scenarios=scenarios):
                    # the run's own recorded duration (scenarios may run at once)
                    per_scenario.setdefault(out.result.info.scenario, []).append(float(out.result.info.extra.get("duration_s", 0.0)))
                    statuses[out.result.info.status] = statuses.get(out.result.info.status, 0) + 1
                per_page.append(time.perf_counter() - t0)
                print(f"  {page:28} W1-W3 {per_page[-1]:6.2f} s  ({', '.join(f'{k} {v[-1]:.2f}' for k, v in sorted(per_scenario.items()))})")
    total = time.perf_counter() - started
    peak.stop.set()
    peak.join()
    import resource

    harness_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = statistics.median(per_page)
    lanes = args.parallel or KIND.parallel_scenarios
    print(f"{len(pages)} reference page(s) x {args.rounds} round(s), browser={args.browser}, {min(lanes, len(scenarios))} scenario(s) at once; run statuses: {statuses}")
    print(f"seconds per page, W1-W3 together: median {median:.2f}, max {max(per_page):.2f} (target <= 10 s); wall time {total:.2f} s")
    print(f"  observation windows fixed by the scenarios: {observe_s:.1f} s in all, the longest scenario's {max_observe_s:.1f} s")
    load = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    for sc, vals in sorted(per_scenario.items()):
        print(f"  {sc}: median {statistics.median(vals):.2f} s recorded (from its first step to its last)")
    print(f"peak memory, harness + browser (PSS): {peak.peak_kib / 1024:.0f} MiB; harness process peak RSS {harness_rss_mib:.0f} MiB")
    print(
        json.dumps(
            {
                "pages": len(pages),
                "rounds": args.rounds,
                "seconds_per_page_median": round(median, 3),
                "seconds_per_page_max": round(max(per_page), 3),
                "seconds_per_scenario_median": {k: round(statistics.median(v), 3) for k, v in sorted(per_scenario.items())},
                "parallel": min(lanes, len(scenarios)),
                "observe_s_fixed": round(observe_s, 3),
                "observe_s_longest_scenario": round(max_observe_s, 3),
                "load_avg_1m": round(load, 2),
                "target_s": 10.0,
                "meets_target": median <= 10.0,
                "peak_memory_mib": round(peak.peak_kib / 1024, 1),
                "harness_peak_rss_mib": round(harness_rss_mib, 1),
                "statuses": statuses,
                "seconds": round(total, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
