"""``consent-harness demo``: the standard suite over the bundled reference apps on the
reference device, then the web suite (W1..W4) over the harness's reference H5 pages in a real
Chromium when one is available (a line says why they were skipped when not). Everything it
writes is labelled SIMULATED: simulated apps, or simulated targets (our pages) in a real browser."""

from __future__ import annotations

import datetime as _dt
import sys
import time
from pathlib import Path
from typing import Any

from harness.errors import EXIT_CLEAN, EXIT_INFRA
from harness.reporting.terminal import print_findings_table

__all__ = ["run_demo", "other_targets", "unavailable"]


def other_targets() -> list[tuple[Any, list[str]]]:
    """Device kinds other than the reference device that ship their own targets (the web kind's
    reference H5 pages), with those targets."""
    from harness.devices.kinds import kinds, reference_kind

    ref = reference_kind()
    return [(k, list(k.bundled_apps())) for k in kinds() if k.name != ref.name and k.bundled_apps is not None]


def unavailable(kind: Any) -> str:
    """Why a kind cannot run here ("" when it can): its doctor's failed checks."""
    from harness.devices.kinds import DeviceRequest

    try:
        checks = kind.doctor(DeviceRequest(kind.name))
    except Exception as exc:  # noqa: BLE001 - a doctor that breaks is a reason too
        return f"{kind.name} doctor failed: {exc}"
    return "; ".join(f"{c.name}: {c.detail}" + (f" ({c.fix})" if c.fix else "") for c in checks if c.failed)


def run_demo(*, results: Path, apps: list[str], scenario: str = "all", jurisdiction: str = "cn", lang: str = "", pages: list[str] | None = None) -> int:
    """``pages``: reference pages (targets other kinds ship: the web kind's H5 pages) to run
    with their kind's own suite after the apps; None = all of them when no app was named (the
    full demo), none otherwise."""
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
    page_runs = 0
    for kind, shipped in other_targets():
        mine = [p for p in (shipped if pages is None and not apps else pages or []) if p in shipped]
        if not mine:
            continue
        reason = unavailable(kind)
        if reason:
            print(f"reference pages skipped: {reason}. The {len(mine)} reference pages of the {kind.name} device need it; everything else ran.")
            continue
        n, bad = _run_targets(kind, mine, root, jurisdiction, lang, runs, rows)
        page_runs += n
        infra |= bad
    summary = _summary(runs, root, lang)
    print_findings_table(rows, sys.stdout, lang=lang)
    elapsed = time.perf_counter() - started
    print("\n" + ui("{runs} runs, {findings} findings in {seconds} s. Results: {root}", lang, runs=len(runs), findings=len(rows), seconds=f"{elapsed:.1f}", root=root))
    for kind_name, path in summary.items():
        print(ui("summary {kind}: {path}", lang, kind=kind_name, path=path))
    if page_runs:
        print(ui("Every run above used the reference device (SIMULATED apps) or one of the harness's reference pages in a real browser ({n} runs: simulated targets); none is a real app or service.", lang, n=page_runs))
    else:
        print(ui("Every run above used the reference device: SIMULATED apps, not real ones.", lang))
    return EXIT_INFRA if infra else EXIT_CLEAN


def _run_targets(kind: Any, names: list[str], root: Path, jurisdiction: str, lang: str, runs: list[Path], rows: list[dict[str, object]]) -> tuple[int, bool]:
    """The kind's own suite over its shipped targets, run as ``consent-harness run`` runs them."""
    from harness.assemble import AppRequest, run_app
    from harness.pipeline import read_findings
    from harness.reporting.build import localise_finding
    from harness.reporting.frames import finding_row
    from harness.scenarios import resolve_scenarios

    suite = resolve_scenarios("all", kind.scenarios)
    print(f"reference pages: {len(names)} x {len(suite)} scenarios ({', '.join(s.id for s in suite)}) on the {kind.name} device ({kind.summary}); the pages are simulated targets served on this machine", flush=True)
    done = 0
    for name in names:
        # the kind's own way: its scenarios at once where it runs them so, each from a fresh device
        for out in run_app(AppRequest(app=name, device=kind.name, results=str(root), jurisdiction=jurisdiction, lang=lang), scenarios=suite):
            runs.append(out.run_dir)
            info = out.result.info
            rows += [finding_row(localise_finding(f, lang), run_id=info.run_id, package=info.package, scenario=info.scenario, simulated=True) for f in read_findings(out.run_dir)]
            done += 1
            if out.result.infrastructure_error:
                print(f"  {name} {info.scenario}: {out.result.infrastructure_error}", flush=True)
                return done, True
        print(f"  {name}: {len(suite)} runs", flush=True)
    return done, False


def _summary(runs: list[Path], root: Path, lang: str = "") -> dict[str, Path]:
    from harness.reporting.build import build_summary

    # the summary pages, and one 认定方法 checklist per app (checklist-<package>.html/.xlsx)
    return build_summary(runs, root, formats=("html", "xlsx", "checklist"), lang=lang)
