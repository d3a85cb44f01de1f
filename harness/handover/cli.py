"""Sub-commands of the hand-over features, registered into the main parser by harness.cli:
``explain``, ``checklist``, ``bundle``, ``compare``.

Each command maps its errors the same way as the rest of the CLI (HarnessError -> exit code).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from harness.errors import EXIT_CLEAN

__all__ = ["add_parsers", "COMMANDS"]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ex = sub.add_parser("explain", help="everything the catalogue says about a rule: checks, citations with confidence, numbers, fix")
    ex.add_argument("rule", help="rule id, e.g. R09")
    ex.add_argument("--format", choices=("text", "json"), default="text")
    ex.add_argument("--lang", choices=("zh", "en"), default="", help="text language (default: zh with --jurisdiction cn, else en)")
    ex.add_argument("--jurisdiction", choices=("cn", "eu"), default="", help="the profile the reader works under: cn gives zh text unless --lang says otherwise")

    ck = sub.add_parser("checklist", help="the 认定方法 checklist of each app among the run folders: one verdict per item (HTML, XLSX, PDF)")
    ck.add_argument("runs", nargs="+", help="run folders (all scenarios of an app; several apps give one checklist each)")
    ck.add_argument("-o", "--out", metavar="DIR", help="folder for the checklists (default: the folder holding the first run)")
    ck.add_argument("--formats", default="html,xlsx,pdf", help="comma-separated: html, xlsx, pdf (headless Chromium), json (default html,xlsx,pdf)")
    ck.add_argument("--lang", choices=("zh", "en"), default="", help="report language (default: zh for the cn profile, en for eu)")
    ck.add_argument("--jurisdiction", choices=("cn", "eu"), default="", help="profile to list items for (default: the one the runs were judged under)")

    bd = sub.add_parser("bundle", help="seal run folders into a zip with a SHA-256 manifest of every file, or verify one (--verify)")
    bd.add_argument("runs", nargs="*", help="run folders to bundle")
    bd.add_argument("-o", "--out", metavar="FILE.zip", help="the bundle to write")
    bd.add_argument("--include", action="append", default=[], metavar="FILE", help="another file to seal with the runs (e.g. a checklist PDF); repeatable")
    bd.add_argument("--verify", metavar="FILE.zip", help="verify a bundle: exit 0 when every file matches its manifest, 1 when not")
    bd.add_argument("--expect", metavar="DIGEST", default="", help="with --verify: the bundle digest stated by the sender")

    cp = sub.add_parser("compare", help="new / fixed / unchanged findings between two runs, two suites of an app, or two batches")
    cp.add_argument("a", help="before: a run folder, a folder of run folders, or a batch results folder")
    cp.add_argument("b", help="after: the same kinds")
    cp.add_argument("--html", metavar="FILE", help="also write the comparison as HTML")
    cp.add_argument("--json", metavar="FILE", help="also write the comparison as JSON")
    cp.add_argument("--format", choices=("text", "json"), default="text", help="what to print (default text)")
    cp.add_argument("--fail-on", choices=("info", "low", "medium", "high", "never"), default="low", help="exit 1 when B has a new finding at or above this severity (default low: any new non-informational finding)")
    cp.add_argument("--include-info", action="store_true", help="compare informational findings too")
    cp.add_argument("--lang", choices=("zh", "en"), default="", help="language of the table and the HTML (default: zh when every run was judged under cn, else en); JSON keeps codes")


def cmd_explain(a: argparse.Namespace) -> int:
    from harness.handover.explain import explain_json, explain_text
    from harness.i18n import lang_for

    lang = lang_for(a.jurisdiction, a.lang) if (a.lang or a.jurisdiction) else "en"
    sys.stdout.write(explain_json(a.rule) if a.format == "json" else explain_text(a.rule, lang=lang))
    return EXIT_CLEAN


def cmd_checklist(a: argparse.Namespace) -> int:
    from pathlib import Path

    from harness.reporting.checklist import write_checklist
    from harness.rundir import RunDir

    # each must be a run folder: a missing folder, a folder of runs or a batch folder is named
    runs = [RunDir(r).require().path for r in a.runs]
    out = Path(a.out) if a.out else runs[0].resolve().parent
    formats = [f.strip() for f in a.formats.split(",") if f.strip()]
    for package, paths in write_checklist(runs, out, formats=formats, lang=a.lang, jurisdiction=a.jurisdiction).items():
        for kind, path in paths.items():
            print(f"{package} checklist {kind}: {path}")
    return EXIT_CLEAN


def cmd_bundle(a: argparse.Namespace) -> int:
    from pathlib import Path

    from harness.errors import EXIT_FINDINGS, InputError
    from harness.handover.bundle import verify_bundle, write_bundle

    if a.verify:
        if a.runs or a.out:
            raise InputError("--verify takes one bundle and no run folders or -o")
        v = verify_bundle(Path(a.verify), expect=a.expect)
        if v.ok:
            print(f"{a.verify}: OK, {v.files} files match the manifest; bundle digest {v.digest}")
            return EXIT_CLEAN
        print(f"{a.verify}: VERIFICATION FAILED ({len(v.problems)} problem(s)); bundle digest {v.digest or '-'}")
        for p in v.problems[:200]:
            print(f"  {p}")
        return EXIT_FINDINGS
    if a.expect:
        raise InputError("--expect goes with --verify")
    if not a.runs or not a.out:
        raise InputError("bundle needs run folders and -o FILE.zip (or --verify FILE.zip)")
    res = write_bundle([Path(r) for r in a.runs], Path(a.out), extra_files=[Path(f) for f in a.include])
    print(f"bundle: {res.path} ({res.files} files sealed)")
    print(f"bundle digest (state it with the hand-over; check with --verify --expect): {res.digest}")
    for s in res.skipped:
        print(f"  skipped (not a regular file): {s}")
    return EXIT_CLEAN


def cmd_compare(a: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from harness.errors import EXIT_FINDINGS
    from harness.handover.compare import compare, compare_lang, render_text, to_json, write_outputs

    cmp = compare(Path(a.a), Path(a.b), include_info=a.include_info)
    lang = compare_lang(cmp, a.lang)
    if a.format == "json":
        sys.stdout.write(json.dumps(to_json(cmp), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(cmp, lang))
    for p in write_outputs(cmp, html_path=Path(a.html) if a.html else None, json_path=Path(a.json) if a.json else None, lang=lang):
        print(f"written: {p}", file=sys.stderr)
    return EXIT_FINDINGS if cmp.new_at_or_above(a.fail_on) else EXIT_CLEAN


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "compare": cmd_compare,
    "bundle": cmd_bundle,
    "explain": cmd_explain,
    "checklist": cmd_checklist,
}
