"""``consent-harness demo``: the standard suite over the bundled reference apps on the
reference device. Everything it writes is labelled SIMULATED."""

from __future__ import annotations

import datetime as _dt
import sys
import time
from pathlib import Path

from harness.errors import EXIT_CLEAN, EXIT_INFRA
from harness.reporting.terminal import print_findings_table

__all__ = ["run_demo"]


def run_demo(*, results: Path, apps: list[str], scenario: str = "all", jurisdiction: str = "cn") -> int:
    from harness.devices.sim import SimDriver, SimInstrumentation
    from harness.devices.sim.model import available_models
    from harness.pipeline import analyze_run, read_findings, resolve_app
    from harness.reporting.frames import finding_row
    from harness.runner import Runner
    from harness.scenarios import resolve_scenarios

    started = time.perf_counter()
    names = apps or available_models()
    scenarios = resolve_scenarios(scenario)
    root = results / f"demo-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    root.mkdir(parents=True, exist_ok=True)
    print(f"consent-harness demo: {len(names)} reference apps x {len(scenarios)} scenarios on the reference device (SIMULATED)")
    runs: list[Path] = []
    rows: list[dict[str, object]] = []
    infra = False
    work = [(n, s) for n in names for s in scenarios]
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(work), unit="run", desc="demo")
    for name in names:
        driver = SimDriver()
        app = resolve_app(driver, name)
        runner = Runner(driver, SimInstrumentation(driver), root, hook_pack="sim")
        for sc in scenarios:
            res = runner.run(app, sc, app_ref=name)
            analyze_run(res.run_dir, jurisdiction=jurisdiction)
            _reports(res.run_dir)
            runs.append(res.run_dir)
            info = res.info
            rows += [finding_row(f, run_id=info.run_id, package=info.package, scenario=info.scenario, simulated=True) for f in read_findings(res.run_dir)]
            infra |= bool(res.infrastructure_error)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    summary = _summary(runs, root)
    print_findings_table(rows, sys.stdout)
    elapsed = time.perf_counter() - started
    print(f"\n{len(runs)} runs, {len(rows)} findings in {elapsed:.1f} s. Results: {root}")
    for kind, path in summary.items():
        print(f"summary {kind}: {path}")
    print("Every run above used the reference device: SIMULATED apps, not real ones.")
    return EXIT_INFRA if infra else EXIT_CLEAN


def _reports(run_dir: Path) -> None:
    from harness.reporting.build import build_reports

    build_reports(run_dir, ("html", "json", "junit", "xlsx"))


def _summary(runs: list[Path], root: Path) -> dict[str, Path]:
    from harness.reporting.build import build_summary

    return build_summary(runs, root)
