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


def run_demo(*, results: Path, apps: list[str], scenario: str = "all", jurisdiction: str = "cn", lang: str = "") -> int:
    from harness.assemble import AppRequest, Assembly
    from harness.devices.kinds import reference_kind
    from harness.i18n import lang_for
    from harness.pipeline import read_findings
    from harness.reporting.build import localise_finding
    from harness.reporting.frames import finding_row
    from harness.rundir import results_folder
    from harness.scenarios import resolve_scenarios

    started = time.perf_counter()
    lang = lang_for(jurisdiction, lang)
    from harness.i18n import ui
    kind = reference_kind()
    names = apps or list(kind.bundled_apps() if kind.bundled_apps is not None else ())
    scenarios = resolve_scenarios(scenario)
    root = results_folder(results) / f"demo-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    root.mkdir(parents=True, exist_ok=True)
    print("consent-harness demo: " + ui("{apps} reference apps x {scenarios} scenarios on the reference device (SIMULATED)", lang, apps=len(names), scenarios=len(scenarios)))
    runs: list[Path] = []
    rows: list[dict[str, object]] = []
    infra = False
    work = [(n, s) for n in names for s in scenarios]
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        from harness.textout import unfiltered

        bar = tqdm(total=len(work), unit="run", desc="demo", file=unfiltered(sys.stderr))
    for name in names:
        request = AppRequest(app=name, device=kind.name, results=str(root), jurisdiction=jurisdiction, lang=lang)
        with Assembly(request) as asm:
            asm.resolve()
            for sc in scenarios:
                out = asm.run(sc)
                runs.append(out.run_dir)
                info = out.result.info
                rows += [
                    finding_row(localise_finding(f, lang), run_id=info.run_id, package=info.package, scenario=info.scenario, simulated=True)
                    for f in read_findings(out.run_dir)
                ]
                infra |= bool(out.result.infrastructure_error)
                if bar is not None:
                    bar.update(1)
    if bar is not None:
        bar.close()
    summary = _summary(runs, root, lang)
    print_findings_table(rows, sys.stdout, lang=lang)
    elapsed = time.perf_counter() - started
    print("\n" + ui("{runs} runs, {findings} findings in {seconds} s. Results: {root}", lang, runs=len(runs), findings=len(rows), seconds=f"{elapsed:.1f}", root=root))
    for kind_name, path in summary.items():
        print(ui("summary {kind}: {path}", lang, kind=kind_name, path=path))
    print(ui("Every run above used the reference device: SIMULATED apps, not real ones.", lang))
    return EXIT_INFRA if infra else EXIT_CLEAN


def _summary(runs: list[Path], root: Path, lang: str = "") -> dict[str, Path]:
    from harness.reporting.build import build_summary

    # the summary pages, and one 认定方法 checklist per app (checklist-<package>.html/.xlsx)
    return build_summary(runs, root, formats=("html", "xlsx", "checklist"), lang=lang)
