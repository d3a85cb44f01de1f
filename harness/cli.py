"""consent-harness command line. Thin: parses arguments, calls the pipeline, maps errors to
exit codes.

Exit codes: 0 clean; 1 findings at or above ``--fail-on``; 2 usage or input error (also: a run
incomplete because scenario steps failed or the app never settled, e.g. a web page that loops on
redirects, when no finding reaches ``--fail-on``); 3 infrastructure error (device, adb, Frida,
Appium, Chromium).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from harness import __version__
from harness.errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INFRA, EXIT_INPUT, InputError, run_guarded
from harness.findings import fails
from harness.textout import guarded_stdio, unfiltered

__all__ = ["main", "build_parser"]

T = TypeVar("T")

SEVERITY_CHOICES = ("info", "low", "medium", "high", "never")


def _add_common_judge(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jurisdiction", "--profile", dest="jurisdiction", choices=("cn", "eu"), default="cn", help="rules and wording: cn (PIPL, 认定方法, 164号, 26号, GB/T 41391) or eu (GDPR, ePrivacy, EDPB, Google Play)")
    p.add_argument("--fail-on", choices=SEVERITY_CHOICES, default="high", help="exit 1 when a finding (not merely info) reaches this severity; info = any finding, informational ones too (default: high)")
    p.add_argument("--app-type", metavar="ID", help="app-type profile (necessary personal information) to judge by, overriding the one recorded (consent-harness list profiles)")
    _add_lang(p)


def _add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("zh", "en"), default="", help="report language: findings, report.html, workbook, JSON/JUnit texts and the console table (default: zh under the cn profile, en under eu)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="consent-harness", description="Test Android apps for privacy-consent violations: decline consent, watch sensitive API calls, judge the timeline against citable rules.")
    ap.add_argument("--version", action="version", version=f"consent-harness {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run scenarios on one app, then analyse and report")
    run.add_argument("--device", default="", help="the reference device (the default; simulated) or an adb serial such as emulator-5554 (consent-harness list kinds)")
    run.add_argument("--app", required=True, help="sim: a bundled app model name or model YAML; real device: an APK path or an installed package name")
    run.add_argument("--scenario", default=None, help="S1..S5, 'all' (the standard suite, the default), a YAML path, or a comma-separated list")
    run.add_argument("--results", default="results", help="folder for run folders (default: results)")
    run.add_argument("--app-config", help="YAML with the app's label, app-type profile and feature paths (for real apps)")
    run.add_argument("--appium", metavar="URL", help="drive the device through this Appium server instead of uiautomator2")
    run.add_argument("--frida", choices=("spawn", "attach", "off"), default="spawn", help="real devices: how to instrument the app (default spawn)")
    run.add_argument("--frida-device", default="auto", help="frida device: auto (the device --device names), usb (Frida's first USB device), local, remote:HOST:PORT or a device id (default auto)")
    run.add_argument("--source", action="append", metavar="NAME", help="an event source to add to the device kind's defaults (repeatable; consent-harness list sources)")
    run.add_argument("--source-option", action="append", metavar="KEY=VALUE", default=[], help="an option for the event sources, e.g. network_route=none (repeatable; see list sources)")
    run.add_argument("--device-option", action="append", metavar="KEY=VALUE", default=[], help="an option for the device kind, e.g. browser=alipay on --device web (repeatable)")
    run.add_argument("--no-report", action="store_true", help="record and analyse only")
    _add_common_judge(run)

    an = sub.add_parser("analyze", help="judge recorded run folders again (offline)")
    an.add_argument("runs", nargs="+", help="run folders")
    _add_common_judge(an)

    rp = sub.add_parser("report", help="build reports for run folders")
    rp.add_argument("runs", nargs="+", help="run folders")
    rp.add_argument("--formats", default="html,xlsx,json,junit", help="comma-separated registered formats: html, xlsx, json, junit (the default), terminal (findings.txt)")
    rp.add_argument("--summary", metavar="DIR", help="also write a summary over all given runs into DIR")
    rp.add_argument("--fail-on", choices=SEVERITY_CHOICES[:-1], default="high", help="JUnit: findings at or above this severity are failures (default: high)")
    rp.add_argument("--no-embed", action="store_true", help="link screenshots from report.html instead of embedding them")
    _add_lang(rp)

    demo = sub.add_parser("demo", help="the standard suite over the bundled reference apps (simulated)")
    demo.add_argument("--results", default="results", help="folder for run folders (default: results)")
    demo.add_argument("--apps", default="", help="comma-separated model names (default: every bundled model)")
    demo.add_argument("--scenario", default="all")
    demo.add_argument("--jurisdiction", choices=("cn", "eu"), default="cn")
    _add_lang(demo)
    demo.add_argument("--pages", default="", help="reference H5 pages to run with the web suite in a real Chromium: all, none, or names (default: all when no --apps is given, none otherwise)")

    sc = sub.add_parser("screen", help="print what the consent-UI recogniser reads on one hierarchy dump")
    sc.add_argument("file")
    sc.add_argument("--pretty", action="store_true")

    dr = sub.add_parser("doctor", help="check adb, devices, frida-server and Appium, and say what to fix")
    dr.add_argument("--device", help="adb serial to check")
    dr.add_argument("--appium", metavar="URL", help="Appium server URL to check")

    st = sub.add_parser("static", help="static check (S0): manifest facts and the manifest rules (R25, R30, R32, R39) of an APK or a reference app")
    st.add_argument("args", nargs=argparse.REMAINDER, help="APP [--format table|json] [--app-type ID] [--jurisdiction cn|eu] [--fail-on SEVERITY]")

    fs = sub.add_parser("frida-server", help="push, start, stop or check frida-server on a device (no download: bring the binary)")
    fs.add_argument("args", nargs=argparse.REMAINDER, help="status | push BINARY | start | stop, then --device SERIAL")

    ls = sub.add_parser("list", help="list scenarios, steps, app models or rules")
    ls.add_argument("what", choices=("scenarios", "steps", "models", "rules", "profiles", "kinds", "sources"))

    from harness.batch.cli import add_parser as add_batch_parser

    add_batch_parser(sub)
    from harness.handover.cli import add_parsers as add_handover_parsers

    add_handover_parsers(sub)

    va = sub.add_parser("validate", help="check a scenario or app-model YAML without running it")
    va.add_argument("kind", choices=("scenario", "model", "app-config"))
    va.add_argument("file")
    va.add_argument("--app-config", metavar="FILE", help="scenario: also check that every feature its steps name is in this app config")
    return ap


def _print_table(run_dir: Path, lang: str = "") -> None:
    """The findings table of a run on stdout, in the run's report language."""
    from harness.reporting.build import run_lang
    from harness.reporting.terminal import print_findings_table

    lang = run_lang(run_dir, lang)
    print_findings_table(_rows(run_dir, lang), sys.stdout, lang=lang)


def _rows(run_dir: Path, lang: str = "") -> list[dict[str, object]]:
    from harness.pipeline import read_findings
    from harness.reporting.build import localise_finding, run_lang
    from harness.reporting.frames import finding_row
    from harness.rundir import RunDir

    info = RunDir(run_dir).read_info()
    lang = run_lang(run_dir, lang)
    return [
        finding_row(localise_finding(f, lang), run_id=info.run_id, package=info.package, scenario=info.scenario, simulated=info.simulated)
        for f in read_findings(run_dir)
    ]


def _report(run_dir: Path, formats: Sequence[str], *, fail_on: str = "high", embed: bool = True, lang: str = "") -> dict[str, Path]:
    from harness.reporting.build import build_reports

    return build_reports(run_dir, formats, fail_on=fail_on if fail_on != "never" else "high", embed_screens=embed, lang=lang)


def cmd_run(a: argparse.Namespace) -> int:
    from harness.assemble import AppRequest, run_app
    from harness.i18n import ui
    from harness.reporting.build import run_lang
    from harness.rundir import results_folder

    results_folder(a.results)  # a bad --results is an input error before anything runs
    defaults = []
    if not a.device:
        defaults.append("no --device given: using the reference device (SIMULATED apps, not a real phone)")
    if a.scenario is None:
        a.scenario = "all"
        defaults.append("no --scenario given: running the standard suite S1..S5")
    for line in defaults:
        print(f"consent-harness: {line}")  # stdout: stderr is kept for errors (one line each)

    request = AppRequest(
        app=a.app,
        device=a.device or "",
        appium_url=a.appium or "",
        app_config=a.app_config or "",
        scenario=a.scenario,
        results=a.results,
        jurisdiction=a.jurisdiction,
        app_type=a.app_type or "",
        reports=() if a.no_report else None,
        fail_on=a.fail_on,
        lang=a.lang,
        sources=tuple(a.source or ()),
        source_options={**_kv_options(a.source_option), "frida": a.frida, "frida_device": a.frida_device},
        device_options=_kv_options(a.device_option, "--device-option"),
    )
    any_fail = False
    infra = ""
    step_failures: list[str] = []
    incomplete: list[str] = []
    for out in run_app(request, progress=lambda items: _progress(items, a.app)):
        any_fail |= fails(out.findings, a.fail_on)
        _print_table(out.run_dir, a.lang)
        print(ui("run folder: {path}", run_lang(out.run_dir, a.lang), path=out.run_dir) + ("  [SIMULATED]" if out.result.info.simulated else ""))
        infra = out.result.infrastructure_error or infra
        if out.result.info.status == "incomplete":
            incomplete.append(out.result.info.scenario)
        elif out.result.step_failures:
            step_failures.append(f"{out.result.info.scenario}: {out.result.step_failures}")
    if infra:
        print(f"consent-harness: infrastructure error: {infra}", file=sys.stderr)
        return EXIT_INFRA
    if incomplete:
        print(f"consent-harness: error: the app never settled in {', '.join(incomplete)}, so the runs are incomplete (status incomplete; see each report)", file=sys.stderr)
        return EXIT_FINDINGS if any_fail else EXIT_INPUT
    if step_failures:
        print(f"consent-harness: error: scenario steps failed ({', '.join(step_failures)}), so the runs are incomplete (status steps-failed; see each report)", file=sys.stderr)
        return EXIT_FINDINGS if any_fail else EXIT_INPUT
    return EXIT_FINDINGS if any_fail else EXIT_CLEAN


def _progress(items: Sequence[T], desc: str) -> Iterable[T]:
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    bar: Iterable[T] = tqdm(items, desc=desc, unit="scenario", leave=False, file=unfiltered(sys.stderr))
    return bar


def cmd_analyze(a: argparse.Namespace) -> int:
    from harness.pipeline import analyze_run

    any_fail = False
    for run in a.runs:
        findings = analyze_run(run, jurisdiction=a.jurisdiction, app_type=a.app_type)
        any_fail |= fails(findings, a.fail_on)
        _print_table(Path(run), a.lang)
        _refresh_reports(Path(run), a.fail_on, a.lang)
    return EXIT_FINDINGS if any_fail else EXIT_CLEAN


def _refresh_reports(run_dir: Path, fail_on: str, lang: str = "") -> None:
    """Re-render the report files a run folder already has, so none is left stale after a new
    judgement (report.html, report.xlsx, findings.json, junit.xml ...)."""
    from harness.reporting.build import build_reports
    from harness.reporting.formats import formats as registered

    present = [name for name, fmt in registered("run").items() if (run_dir / fmt.filename).is_file()]
    if present:
        for kind, path in build_reports(run_dir, present, fail_on=fail_on if fail_on != "never" else "high", lang=lang).items():
            print(f"{kind} re-rendered: {path}")


def cmd_report(a: argparse.Namespace) -> int:
    formats = [f.strip() for f in a.formats.split(",") if f.strip()]
    from harness.reporting.formats import formats as registered_formats

    bad = [f for f in formats if f not in registered_formats("run")]
    if bad:
        raise InputError(f"unknown report format(s): {', '.join(bad)}")
    for run in a.runs:
        _print_table(Path(run), a.lang)
        for kind, path in _report(Path(run), formats, fail_on=a.fail_on, embed=not a.no_embed, lang=a.lang).items():
            print(f"{kind}: {path}")
    if a.summary:
        from harness.reporting.build import build_summary

        for kind, path in build_summary([Path(r) for r in a.runs], Path(a.summary), lang=a.lang).items():
            print(f"summary {kind}: {path}")
    return EXIT_CLEAN


def cmd_demo(a: argparse.Namespace) -> int:
    from harness.demo import run_demo

    pages: list[str] | None = None
    if a.pages:
        from harness.demo import other_targets

        shipped = [p for _, names in other_targets() for p in names]
        pages = shipped if a.pages == "all" else [] if a.pages == "none" else [x.strip() for x in a.pages.split(",") if x.strip()]
        unknown = [p for p in pages if p not in shipped]
        if unknown:
            raise InputError(f"unknown reference page(s) {', '.join(u[:80] for u in unknown)} (known: {', '.join(shipped)})")
    return run_demo(results=Path(a.results), apps=[x for x in a.apps.split(",") if x], scenario=a.scenario, jurisdiction=a.jurisdiction, lang=a.lang, pages=pages)


def cmd_screen(a: argparse.Namespace) -> int:
    from harness.consent_ui.cli import main as screen_main

    return screen_main([a.file] + (["--pretty"] if a.pretty else []))


def cmd_doctor(a: argparse.Namespace) -> int:
    from harness.doctor import main as doctor_main

    argv = []
    if a.device:
        argv += ["--device", a.device]
    if a.appium:
        argv += ["--appium", a.appium]
    return doctor_main(argv)


def cmd_static(a: argparse.Namespace) -> int:
    from harness.static_check import main as static_main

    return int(static_main(list(a.args)))


def cmd_frida_server(a: argparse.Namespace) -> int:
    from harness.devices.frida_server import main as fs_main

    return int(fs_main(list(a.args)))


def cmd_list(a: argparse.Namespace) -> int:
    if a.what == "scenarios":
        from harness.scenarios import standard_suite

        for s in standard_suite():
            print(f"{s.id:4} {s.name:16} {s.title}")
    elif a.what == "steps":
        from harness.scenarios.registry import get_step, step_names

        for n in step_names():
            spec = get_step(n)
            params = ", ".join(f"{k}={p.default!r}" for k, p in spec.params.items())
            print(f"{n:20} ({params})  {spec.doc.splitlines()[0] if spec.doc else ''}")
    elif a.what == "models":
        from harness.devices.kinds import reference_kind

        kind = reference_kind()
        for n in kind.bundled_apps() if kind.bundled_apps is not None else ():
            print(kind.describe_app(n))
    elif a.what == "kinds":
        from harness.devices.kinds import kinds

        for k in kinds():
            print(f"{k.name:12} {k.summary}  (sources: {', '.join(k.default_sources) or '-'})")
    elif a.what == "sources":
        from harness.instrumentation.sources import source_names, source_spec

        for n in source_names():
            print(f"{n:12} {source_spec(n).summary}")
    elif a.what == "profiles":
        from harness.catalog.profiles import load_profiles

        for prof in load_profiles().profiles.values():
            print(f"{prof.id:28} {prof.name_zh}  {prof.name_en}")
    else:
        from harness.catalog.rules import load_rules

        for r in load_rules().rules.values():
            detected = "detector" if r.id in _detector_rules() else "catalogue only"
            print(f"{r.id:4} {r.severity:7} {','.join(r.problem_types):8} {r.titles.get('cn', '')}  ({detected})")
    return EXIT_CLEAN


def _detector_rules() -> set[str]:
    from harness.detectors import registry

    return set(registry())


def cmd_validate(a: argparse.Namespace) -> int:
    if a.kind == "scenario":
        from harness.scenarios import load_scenario_file

        s = load_scenario_file(a.file)
        if a.app_config:
            from harness.app import load_app_config

            cfg = load_app_config(a.app_config, "(package from the device)")
            known = {f.name for f in cfg.features}
            for i, step in enumerate(s.steps):
                name = step.params.get("feature")
                if isinstance(name, str) and name not in ("all", "basic") and name not in known:
                    raise InputError(f"{a.file}: step {i} ({step.name}) names feature {name!r}, which {a.app_config} does not define (known: {', '.join(sorted(known)) or 'none'})")
        print(f"{a.file}: OK, scenario {s.id} with {len(s.steps)} steps")
    elif a.kind == "app-config":
        from harness.app import load_app_config

        cfg = load_app_config(a.file, "(package from the device)")
        basic = [f.name for f in cfg.features if f.basic]
        print(f"{a.file}: OK, app config with profile {cfg.profile or '(none)'} and {len(cfg.features)} feature(s) ({len(basic)} basic: {', '.join(basic) or 'none'})")
        if cfg.profile:
            from harness.catalog.profiles import app_profile

            app_profile(cfg.profile)
    else:
        from harness.devices.kinds import kinds

        validators = [k.validate_app_file for k in kinds() if k.validate_app_file is not None]
        if not validators:
            raise InputError("no device kind reads app-model files")
        print(f"{a.file}: OK, {validators[0](a.file)}")
    return EXIT_CLEAN


def cmd_batch(a: argparse.Namespace) -> int:
    from harness.batch.cli import cmd_batch as batch_main

    return int(batch_main(a))


COMMANDS = {
    "run": cmd_run,
    "analyze": cmd_analyze,
    "report": cmd_report,
    "demo": cmd_demo,
    "screen": cmd_screen,
    "doctor": cmd_doctor,
    "frida-server": cmd_frida_server,
    "static": cmd_static,
    "list": cmd_list,
    "validate": cmd_validate,
    "batch": cmd_batch,
}


def _handover_commands() -> None:
    from harness.handover.cli import COMMANDS as HANDOVER

    COMMANDS.update(HANDOVER)


def _kv_options(items: list[str], flag: str = "--source-option") -> dict[str, str]:
    """``KEY=VALUE`` pairs of a repeatable option; InputError for anything else."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.replace("_", "").isalnum() or len(item) > 1000:
            raise InputError(f"{flag} expects KEY=VALUE, got {item[:80]!r}")
        out[key] = value
    return out


def main(argv: Sequence[str] | None = None) -> int:
    _handover_commands()
    # every line printed, by whichever module, loses terminal escapes and bidi controls: app
    # text (version names, UI texts, error messages quoting them) must not drive the terminal
    with guarded_stdio():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        a = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_INPUT
    return run_guarded(lambda: COMMANDS[a.command](a), "consent-harness")


if __name__ == "__main__":
    sys.exit(main())
