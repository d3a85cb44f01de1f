"""Harness overhead per scenario step on the reference device.

The reference device runs on virtual time, so wall time spent in a step is the harness's own
cost: reading and recognising the screen, recording events and screens, deciding. Runs the
standard suite over every bundled model N times and reports the median and p95 wall time per
step (goal: median <= 50 ms).

    python bench/steps.py [--rounds N]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.assemble import resolve_app  # noqa: E402
from harness.devices.sim import SimDriver, SimInstrumentation  # noqa: E402
from harness.devices.sim.model import available_models  # noqa: E402
from harness.runner import Runner  # noqa: E402
from harness.scenarios import (
    registry,  # noqa: E402
    standard_suite,  # noqa: E402
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    suite = standard_suite()
    per_step: list[float] = []
    by_name: dict[str, list[float]] = {}
    runs = 0
    events = 0
    real_fns = {name: spec for name, spec in registry.STEPS.items()}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                dt = (time.perf_counter() - t0) * 1000
                per_step.append(dt)
                by_name.setdefault(name, []).append(dt)

        return wrapper

    for name, spec in real_fns.items():
        registry.STEPS[name] = registry.StepSpec(spec.name, timed(name, spec.fn), spec.params, spec.doc, spec.shorthand)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for model in available_models():
                driver = SimDriver()
                app = resolve_app(driver, model)
                runner = Runner(driver, SimInstrumentation(driver), tmp, hook_pack="sim")
                for sc in suite:
                    res = runner.run(app, sc, app_ref=model)
                    runs += 1
                    events += sum(1 for _ in open(res.run_dir / "timeline.jsonl", encoding="utf-8"))
    total = time.perf_counter() - started
    per_step.sort()
    median = statistics.median(per_step)
    p95 = per_step[int(0.95 * (len(per_step) - 1))]
    print(f"reference device, {len(available_models())} models x {len(suite)} scenarios x {args.rounds} rounds = {runs} runs")
    print(f"steps: {len(per_step)}; events recorded: {events}; wall time {total:.2f} s")
    print(f"harness overhead per step: median {median:.2f} ms, p95 {p95:.2f} ms, max {per_step[-1]:.2f} ms (goal: median <= 50 ms)")
    for name, vals in sorted(by_name.items()):
        print(f"  {name:20} n={len(vals):4}  median {statistics.median(vals):7.2f} ms")
    print(json.dumps({"median_ms_per_step": round(median, 3), "p95_ms_per_step": round(p95, 3), "steps": len(per_step), "runs": runs, "events": events, "seconds": round(total, 3)}))


if __name__ == "__main__":
    main()
