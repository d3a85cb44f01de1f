"""``junit.xml``: the run's verdicts in the JUnit XML format CI systems read.

Layout (the common Ant/Surefire dialect that Jenkins, GitLab, GitHub Actions reporters and
Azure DevOps parse)::

    <testsuites name="consent-harness" tests= failures= errors= skipped=>
      <testsuite name="<package> <scenario> [<run_id>]" tests= failures= errors= skipped= time=>
        <properties> run facts: package, scenario, simulated, device, harness version, ... </properties>
        <testcase classname="consent.<package>.<scenario>" name="<rule id> <title>">
          <failure type="<severity>" message="..."> per finding at or above fail_on </failure>
          <system-out> findings below fail_on, listed for the record </system-out>
        </testcase>
        <testcase name="run completed"> <error> when the run did not finish </error> </testcase>
        <testcase name="analysis"> <skipped> when findings.jsonl is missing </skipped> </testcase>
        <testcase name="detector <id>"> <error> per detector that crashed </error> </testcase>
      </testsuite>
    </testsuites>

One test case per rule checked (``analysis.json`` ``rules_checked``, plus every rule with a
finding). A rule fails when one of its findings has a severity at or above ``fail_on``
(default ``medium``); lower findings keep the case passing but are printed in
``<system-out>``. A reference-device run's suite name carries ``[SIMULATED]``.

Text from the app is stripped of characters XML 1.0 forbids and bounded in length; markup
is escaped by the XML writer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from harness.catalog.rules import load_rules
from harness.findings import SEVERITIES, Finding
from harness.i18n import category_label, term, ui
from harness.reporting.build import RunData, clip, describe_event, note_text
from harness.reporting.formats import ReportOptions, report_format, write_text_atomic

__all__ = ["render_junit", "failing"]


def failing(f: Finding, fail_on: str) -> bool:
    """Whether a finding fails its test case at the ``fail_on`` severity."""
    return SEVERITIES.index(f.severity) >= SEVERITIES.index(fail_on)


def _safe_name(s: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in s) or "unknown"


def _finding_text(f: Finding, data: RunData) -> str:
    lang = data.lang

    def _(text: str, **args: object) -> str:
        return ui(text, lang, **args)

    lines = [
        f"{f.rule_id} {f.title}",
        f"{_('severity:')} {term('severity', f.severity, lang)}   {_('verdict:')} {term('verdict', f.verdict, lang)}   {_('types:')} {', '.join(f.problem_types) or '-'}",
        f"{_('observed:')} {f.message}",
    ]
    if f.category or f.sdk:
        lines.append(f"{_('data:')} {category_label(f.category, lang) or '-'}   {_('by:')} {f.sdk or '-'}   t={f.t:.3f} s")
    for c in f.citations:
        lines.append(f"{_('cites:')} [{c.jurisdiction}] {c}")
    for th in f.thresholds:
        unit = f" {th.unit}" if th.unit else ""
        unit = f" {_(th.unit)}" if th.unit else ""
        src = f" - {_(th.source)}" if th.source else ""
        lines.append(f"{_('threshold:')} {th.name} = {th.value}{unit} ({term('provenance', th.provenance, lang)}){src}")
    fix = load_rules().rules[f.rule_id].fix("cn" if lang == "zh" else "en") if f.rule_id in load_rules().rules else ""
    if fix:
        lines.append(f"{_('fix:')} {fix}")
    for s in f.evidence[:20]:
        ev = data.by_seq.get(s)
        lines.append(_("evidence #{n}:", n=s) + " " + (f"t={ev.t:.3f} s {describe_event(ev, lang)}" if ev is not None else _("(not in the timeline)")))
    if len(f.evidence) > 20:
        lines.append(_("... {n} more evidence events in findings.json", n=len(f.evidence) - 20))
    return clip("\n".join(lines), 8000)


def _suite(data: RunData, fail_on: str) -> ET.Element:
    info = data.info
    pkg = info.package or data.run_id
    scen = info.scenario or "unknown-scenario"
    name = f"{pkg} {scen} [{data.run_id}]" + (" [SIMULATED]" if info.simulated else "")
    suite = ET.Element("testsuite", name=clip(name, 300))
    if info.started_at:
        suite.set("timestamp", clip(info.started_at, 40))
    suite.set("time", f"{max(0.0, data.t_end):.3f}")
    props = ET.SubElement(suite, "properties")
    device = info.device if isinstance(info.device, dict) else {}
    for key, value in (
        ("run_id", data.run_id),
        ("package", info.package),
        ("app", info.app_label or info.app),
        ("scenario", info.scenario),
        ("simulated", str(info.simulated).lower()),
        ("status", info.status),
        ("device", device.get("serial", "")),
        ("api_level", device.get("api_level", "")),
        ("harness_version", info.harness_version),
        ("hook_pack", info.hook_pack),
        ("jurisdiction", data.jurisdiction),
        ("fail_on", fail_on),
    ):
        ET.SubElement(props, "property", name=key, value=clip(value, 300))

    classname = f"consent.{_safe_name(pkg)}.{_safe_name(scen)}"
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in data.findings:
        by_rule[f.rule_id].append(f)
    tests = failures = errors = skipped = 0

    if data.has_findings:
        for rule_id, title in data.rules_checked():
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=classname, name=clip(f"{rule_id} {title}".strip(), 300))
            found = by_rule.get(rule_id, [])
            bad = [f for f in found if failing(f, fail_on)]
            for f in bad:
                fail = ET.SubElement(case, "failure", type=f.severity, message=clip(f"[{term('verdict', f.verdict, data.lang)}] {f.message}", 500))
                fail.text = _finding_text(f, data)
            if bad:
                failures += 1
            low = [f for f in found if not failing(f, fail_on)]
            if low:
                out = ET.SubElement(case, "system-out")
                out.text = clip(
                    ui("{n} finding(s) below fail_on={fail_on}:", data.lang, n=len(low), fail_on=fail_on) + "\n\n" + "\n\n".join(_finding_text(f, data) for f in low), 20000
                )
    else:
        tests += 1
        skipped += 1
        case = ET.SubElement(suite, "testcase", classname=classname, name="analysis")
        ET.SubElement(case, "skipped", message=ui("findings.jsonl is missing: the run was not analysed", data.lang))

    tests += 1
    case = ET.SubElement(suite, "testcase", classname=classname, name="run completed")
    if info.status != "completed":
        errors += 1
        err = ET.SubElement(case, "error", type="run-status", message=clip(ui("run status is '{status}'", data.lang, status=info.status), 200))
        err.text = "\n".join(note_text(n, data.lang) for n in data.notes)

    for derr in data.errors():
        if derr["source"] != "detector":
            continue
        tests += 1
        errors += 1
        case = ET.SubElement(suite, "testcase", classname=classname, name=clip(f"detector {derr['where']}", 300))
        err = ET.SubElement(case, "error", type="detector-error", message=clip(derr["message"], 500))
        err.text = derr["message"]

    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    return suite


def render_junit(runs: Sequence[RunData], *, fail_on: str = "medium") -> str:
    """junit.xml text for one or more runs (one <testsuite> per run)."""
    if fail_on not in SEVERITIES:
        raise ValueError(f"fail_on must be one of {SEVERITIES}, not {fail_on!r}")
    root = ET.Element("testsuites", name="consent-harness")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for data in runs:
        suite = _suite(data, fail_on)
        for k in totals:
            totals[k] += int(suite.get(k, "0"))
        root.append(suite)
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@report_format("junit", "junit.xml", doc="one JUnit test case per rule, for CI")
def write_junit(data: RunData, target: Path, options: ReportOptions) -> None:
    write_text_atomic(target, render_junit([data], fail_on=options.fail_on))
