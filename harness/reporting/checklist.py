"""The 认定方法 checklist report: one verdict per item for one app, from all its runs.

``assess(runs)`` reads the runs of one app (its S1..S5 run folders, loaded by
:func:`harness.reporting.build.load_run`) and gives each of the 31 items of the 2019 认定方法
(and, under the eu profile, each EU point) one verdict:

* ``non-compliant`` (不符合): a rule of the item found a violation in some run;
* ``needs-review`` (需复核): a rule asks for review, or the rules found nothing but cover only
  part of the item (what is left for a person is printed);
* ``not-tested`` (未检测): nothing tested the item; the reason is printed (network capture, an
  account, an upgrade run, a scenario that did not run, no app-type profile ...);
* ``compliant`` (符合): every condition the item needs was met, its rules cover the whole item,
  they were judged without error, and they found nothing.

So a clean run can never make an untested item compliant. ``write_checklist`` renders the
assessment as HTML (self-contained), XLSX and PDF (the HTML printed by headless Chromium).
Everything quoted from the app (finding messages, evidence) is escaped by the renderers.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from harness import __version__, fsio
from harness.catalog.checklist import UNAVAILABLE, Checklist, ChecklistItem, load_checklist
from harness.catalog.rules import RuleCatalog, load_rules
from harness.errors import InputError
from harness.events import (
    AgentStatus,
    ApiCall,
    ConsentDecision,
    PermissionResult,
    UiSnapshot,
    explore_result,
)
from harness.findings import Finding
from harness.handover.explain import CONFIDENCE_LEGEND
from harness.i18n import term, ui
from harness.reporting.build import PROBLEM_TYPES, RunData, clip, describe_event, detector_errors, load_run
from harness.reporting.checklist_model import (
    _CHECK_MEANING,
    _COUNTING,
    _VERDICT_MEANING,
    LANGS,
    VERDICT_CODES,
    VERDICT_LABELS,
    AppChecklist,
    ItemAssessment,
    ItemFinding,
)
from harness.reporting.checklist_xlsx import write_checklist_xlsx
from harness.reporting.formats import ReportOptions, report_format, write_text_atomic
from harness.reporting.target import target_of
from harness.textout import jinja_finalize

__all__ = [
    "VERDICT_CODES",
    "VERDICT_LABELS",
    "LANGS",
    "ItemFinding",
    "ItemAssessment",
    "AppChecklist",
    "run_conditions",
    "assess",
    "render_checklist_html",
    "write_checklist",
    "checklist_stem",
]


_PROMPT_KINDS = frozenset({"privacy_dialog", "cmp_dialog"})
_DENIED = frozenset({"denied", "denied_forever"})
MAX_FINDINGS_PER_ITEM = 40
MAX_EVIDENCE_SHOWN = 6


def _has_api(data: RunData) -> bool:
    """Whether the run was instrumented: API calls recorded, or the agent reported ready."""
    if any(isinstance(e, ApiCall) or (isinstance(e, AgentStatus) and e.status == "ready") for e in data.events):
        return True
    a = data.analysis or {}
    return bool(isinstance(a.get("api_calls"), int) and a["api_calls"] > 0)


def run_conditions(runs: Sequence[RunData]) -> dict[str, bool]:
    """Which checklist conditions the runs met (see checklist.yaml ``conditions``)."""
    met = dict.fromkeys(("any", "api", "decline", "deny", "accept", "explore", "prompt", "profile"), False)
    for r in runs:
        if r.has_findings:
            met["any"] = True
        if _has_api(r):
            met["api"] = True
        if r.info.profile or (r.analysis or {}).get("profile"):
            met["profile"] = True
        for e in r.events:
            if isinstance(e, ConsentDecision) and e.subject in ("privacy_policy", "cmp"):
                if e.choice == "accept":
                    met["accept"] = True
                elif e.choice == "decline":
                    met["decline"] = True
            elif isinstance(e, PermissionResult) and e.state in _DENIED:
                met["deny"] = True
            elif isinstance(e, ConsentDecision) and e.subject.startswith("permission:") and e.choice == "decline":
                met["deny"] = True
            elif explore_result(e) is not None:
                met["explore"] = True
            elif isinstance(e, UiSnapshot) and e.screen_kind in _PROMPT_KINDS:
                met["prompt"] = True
    for c in UNAVAILABLE:
        met[c] = False
    return met


def _judged_rules(runs: Sequence[RunData]) -> tuple[set[str], set[str]]:
    """(rules some run judged, rules whose detector failed in some run)."""
    judged: set[str] = set()
    failed: set[str] = set()
    for r in runs:
        for rid, _title in r.rules_checked():
            judged.add(rid)
        for err in detector_errors(r.analysis):
            m = re.match(r"^(R\d{2})\b", err["detector"])
            if m:
                failed.add(m.group(1))
    return judged, failed


def _report_link(run: RunData, out_dir: Path | None) -> str:
    target = run.path / "report.html"
    if out_dir is None or not target.is_file():
        return ""
    try:
        return Path(os.path.relpath(target, out_dir)).as_posix()
    except ValueError:
        return target.as_posix()


def _item_finding(run: RunData, f: Finding, out_dir: Path | None) -> ItemFinding:
    ev: list[str] = []
    for seq in f.evidence[:MAX_EVIDENCE_SHOWN]:
        e = run.by_seq.get(seq)
        ev.append(f"#{seq} t={e.t:.2f}s {describe_event(e, run.lang)}" if e is not None else f"#{seq}")
    if len(f.evidence) > MAX_EVIDENCE_SHOWN:
        ev.append(f"… +{len(f.evidence) - MAX_EVIDENCE_SHOWN}")
    return ItemFinding(run.run_id, run.info.scenario, f, tuple(ev), _report_link(run, out_dir))


def _assess_item(
    item: ChecklistItem,
    runs: Sequence[RunData],
    met: Mapping[str, bool],
    judged: set[str],
    failed: set[str],
    cat: RuleCatalog,
    cl: Checklist,
    jid: str,
    lang: str,
    out_dir: Path | None,
) -> ItemAssessment:
    key = "zh" if lang == "zh" else "en"
    a = ItemAssessment(item=item, verdict="not-tested")
    rules = [r for r in item.rules if cat.applies(r, jid)]
    a.rules_judged = [r for r in rules if r in judged]
    seen: dict[tuple[str, str, str, str], int] = {}
    for run in runs:
        for f in run.findings:
            if f.rule_id not in item.rules:
                continue
            target = a.info if f.verdict == "info" else a.findings
            x = _item_finding(run, f, out_dir)
            # the same rule, verdict and subject in another scenario: one entry, scenarios listed
            at = seen.get(x.key)
            if at is not None and target[at].run_id != x.run_id:
                prev = target[at]
                if x.scenario not in prev.also and x.scenario != prev.scenario:
                    target[at] = ItemFinding(prev.run_id, prev.scenario, prev.finding, prev.evidence, prev.report, (*prev.also, x.scenario))
                continue
            if len(target) < MAX_FINDINGS_PER_ITEM:
                seen[x.key] = len(target)
                target.append(x)
    verdicts = {x.finding.verdict for x in a.findings}
    if "violation" in verdicts:
        a.verdict = "non-compliant"
        return a
    if "needs-review" in verdicts:
        a.verdict = "needs-review"
        a.reasons.append(ui("a rule asks for human review", key))
        return a
    def cond(c: str) -> str:
        return cl.conditions[c][key]
    if not rules:
        a.reasons.append(ui("no automated rule of this harness tests this item", key) if item.rules else "")
        a.reasons += [cond(c) for c in item.requires]
        a.reasons = [r for r in a.reasons if r]
        return a
    if item.coverage == "none" or not a.rules_judged:
        if item.rules and not a.rules_judged and item.coverage != "none":
            a.reasons.append(ui("rules {rules} were not judged by any run (no detector, or not analysed)", key, rules=", ".join(rules)))
        a.reasons += [cond(c) for c in item.requires if not met.get(c)]
        return a
    missing = [c for c in item.requires if not met.get(c) and c not in UNAVAILABLE]
    if missing:
        a.reasons += [cond(c) for c in missing]
        a.reasons.append(ui("the runs lacked what the item needs; no finding does not mean compliant", key))
        return a
    broken = [r for r in a.rules_judged if r in failed]
    if broken:
        a.reasons.append(ui("the detector of {rules} failed", key, rules=", ".join(broken)))
        return a
    unavailable = [c for c in item.requires if c in UNAVAILABLE]
    if item.coverage == "partial" or unavailable or len(a.rules_judged) < len(rules):
        a.verdict = "needs-review"
        a.reasons.append(ui("the automated part found nothing, but it covers only part of the item", key))
        rem = item.remaining.get(key) or item.remaining.get("en", "")
        if rem:
            a.reasons.append(rem)
        a.reasons += [cond(c) for c in unavailable]
        not_judged = [r for r in rules if r not in a.rules_judged]
        if not_judged:
            a.reasons.append(ui("rules not judged: {rules}", key, rules=", ".join(not_judged)))
        return a
    a.verdict = "compliant"
    a.reasons.append(ui("every scenario the item needs ran and its rules found nothing", key))
    return a


def assess(
    runs: Sequence[RunData],
    *,
    lang: str = "",
    jurisdiction: str = "",
    out_dir: Path | None = None,
    checklist: Checklist | None = None,
    catalog: RuleCatalog | None = None,
) -> AppChecklist:
    """The checklist of one app from its runs (all of one package; InputError otherwise)."""
    if not runs:
        raise InputError("a checklist needs at least one run folder")
    packages = sorted({r.info.package for r in runs})
    if len(packages) > 1:
        raise InputError(f"a checklist covers one app; these runs are of {', '.join(packages)}")
    cl = checklist or load_checklist()
    cat = catalog or load_rules()
    notes: list[str] = []
    jids = sorted({r.jurisdiction for r in runs if r.jurisdiction})
    if len(jids) > 1:
        notes.append(f"runs were judged under different profiles ({', '.join(jids)}); verdicts mix them")
    jid = jurisdiction or (jids[0] if jids else "cn")
    if jid not in cat.jurisdictions:
        raise InputError(f"unknown jurisdiction profile {jid!r}")
    lang = lang or ("zh" if jid == "cn" else "en")
    if lang not in LANGS:
        raise InputError(f"checklist language must be zh or en, not {lang!r}")
    # finding titles and messages in the checklist's language
    runs = [r if r.lang == lang else r.relocalised(lang) for r in runs]
    met = run_conditions(runs)
    judged, failed = _judged_rules(runs)
    items = [_assess_item(it, runs, met, judged, failed, cat, cl, jid, lang, out_dir) for it in cl.items]
    eu = [_assess_item(it, runs, met, judged, failed, cat, cl, jid, lang, out_dir) for it in cl.eu_points] if jid == "eu" else []
    for r in runs:
        for n in r.notes:
            if n.level == "warning":
                notes.append(f"{r.info.scenario or r.run_id}: {n.message}")
    first = runs[0]
    manifest = first.info.extra.get("manifest") if isinstance(first.info.extra, dict) else None
    version = ""
    ident = first.info.extra.get("identity") if isinstance(first.info.extra, dict) else None
    if isinstance(ident, dict) and isinstance(ident.get("app"), dict):
        app_id = ident["app"]
        version = f"{app_id.get('version_name', '')} ({app_id.get('version_code', '')})".strip()
    elif isinstance(manifest, dict):
        version = f"{manifest.get('version_name', '')} ({manifest.get('version_code', '')})"
    return AppChecklist(
        package=packages[0],
        app=first.app_name,
        version=clip(version, 80),
        jurisdiction=jid,
        lang=lang,
        runs=sorted(runs, key=lambda r: (r.info.scenario, r.run_id)),
        items=items,
        eu_points=eu,
        conditions_met=met,
        simulated=any(r.info.simulated for r in runs),
        notes=notes[:50],
        target=target_of(first.info),
    )


# -- rendering --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness.reporting", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=jinja_finalize,  # bidi controls shown as [U+202E] markers (harness.textout)
    )
    env.filters["clip"] = clip
    return env


def _run_rows(ac: AppChecklist, out_dir: Path | None) -> list[dict[str, Any]]:
    rows = []
    for r in ac.runs:
        rows.append(
            {
                "run_id": r.run_id,
                "scenario": r.info.scenario,
                "status": term("status", r.info.status, ac.lang) if ac.lang == "zh" else r.info.status,
                "findings": len(r.findings),
                "simulated": r.info.simulated,
                "target": target_of(r.info).short,
                "report": _report_link(r, out_dir),
                "jurisdiction": r.jurisdiction,
            }
        )
    return rows


def _view(a: ItemAssessment, ac: AppChecklist, cat: RuleCatalog) -> dict[str, Any]:
    lang = ac.lang
    fixes = []
    for rid in dict.fromkeys(x.finding.rule_id for x in a.findings):
        fix = cat.rules[rid].fix("cn" if lang == "zh" else "en") if rid in cat.rules else ""
        if fix:
            fixes.append((rid, fix))
    return {
        "id": a.item.id,
        "text": a.item.text,
        "gloss": a.item.gloss,
        "check": a.item.check,
        "confirmed": a.item.wording_confirmed,
        "verdict": a.verdict,
        "verdict_label": VERDICT_LABELS[a.verdict]["zh" if lang == "zh" else "en"],
        "rules": [
            {"id": r, "title": cat.title(r, ac.jurisdiction) if r in cat.rules else r, "judged": r in a.rules_judged}
            for r in a.item.rules
        ],
        "reasons": a.reasons,
        "findings": a.findings,
        "info": a.info,
        "fixes": fixes,
    }


def render_checklist_html(ac: AppChecklist, *, out_dir: Path | None = None, catalog: RuleCatalog | None = None) -> str:
    """The checklist as one self-contained HTML page (no external assets, printable)."""
    cat = catalog or load_rules()
    cl = load_checklist()
    lang = ac.lang
    k = "zh" if lang == "zh" else "en"
    sections = []
    for sec, names in cl.sections.items():
        rows = [_view(a, ac, cat) for a in ac.items if a.item.section == sec]
        sections.append({"id": sec, "name": names[k], "other": names["en" if k == "zh" else "zh"], "rows": rows})
    ctx = {
        "lang": lang,
        "term": lambda kind, code: term(kind, code, lang),
        "_": lambda text, **args: ui(text, lang, **args),
        "ac": ac,
        "version": __version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": _run_rows(ac, out_dir),
        "sections": sections,
        "eu_rows": [_view(a, ac, cat) for a in ac.eu_points],
        "counts": ac.counts(),
        "eu_counts": ac.counts("eu") if ac.eu_points else {},
        "verdict_codes": VERDICT_CODES,
        "verdict_labels": {v: VERDICT_LABELS[v][k] for v in VERDICT_CODES},
        "verdict_meaning": {v: ui(_VERDICT_MEANING[v], lang) for v in VERDICT_CODES},
        "ptypes": [(pt, names[1] if k == "zh" else names[0]) for pt, names in PROBLEM_TYPES.items()],
        "marks": [(m, v[k]) for m, v in CONFIDENCE_LEGEND.items()],
        "checks": [(m, ui(v, lang)) for m, v in _CHECK_MEANING.items()],
        "counting": ui(_COUNTING, lang),
        "conditions": [(_short(cl.conditions[c][k]), ok) for c, ok in ac.conditions_met.items() if c not in ("any",)],
        "profile_name": term("jurisdiction", ac.jurisdiction, lang) if lang == "zh" else cat.jurisdiction(ac.jurisdiction).name,
    }
    return _env().get_template("checklist.html").render(**ctx)


def _short(condition: str) -> str:
    """A condition's label without its 'needs' wording and parenthesis, for the coverage line."""
    text = re.sub(r"[（(].*?[)）]", "", condition)
    text = re.sub(r"^(需要|needs (an? |the )?)", "", text).strip()
    return text.split("；")[0].split("; ")[0]


def checklist_stem(package: str) -> str:
    """File-name stem of an app's checklist: ``checklist-<package>`` with unsafe characters replaced."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", package)[:150] or "app"
    return f"checklist-{safe}"


def write_checklist(
    run_dirs: Sequence[Path],
    out_dir: Path,
    *,
    formats: Sequence[str] = ("html", "xlsx", "pdf"),
    lang: str = "",
    jurisdiction: str = "",
) -> dict[str, dict[str, Path]]:
    """Write one checklist per app found among ``run_dirs`` into ``out_dir``:
    {package: {format: path}}. PDF needs headless Chromium (harness.reporting.pdf)."""
    bad = [f for f in formats if f not in ("html", "xlsx", "pdf", "json")]
    if bad:
        raise InputError(f"unknown checklist format(s) {', '.join(bad)}; choose from html, xlsx, pdf, json")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_app: dict[str, list[RunData]] = {}
    for rd in run_dirs:
        data = load_run(rd)
        by_app.setdefault(data.info.package or data.run_id, []).append(data)
    written: dict[str, dict[str, Path]] = {}
    for package, runs in sorted(by_app.items()):
        ac = assess(runs, lang=lang, jurisdiction=jurisdiction, out_dir=out_dir)
        stem = checklist_stem(package)
        out: dict[str, Path] = {}
        html_path = out_dir / f"{stem}.html"
        if "html" in formats or "pdf" in formats:
            _write_text(html_path, render_checklist_html(ac, out_dir=out_dir))
            if "html" in formats:
                out["html"] = html_path
        if "xlsx" in formats:
            out["xlsx"] = out_dir / f"{stem}.xlsx"
            write_checklist_xlsx(ac, out["xlsx"])
        if "json" in formats:
            out["json"] = out_dir / f"{stem}.json"
            _write_text(out["json"], json.dumps(checklist_json(ac), ensure_ascii=False, indent=2) + "\n")
        if "pdf" in formats:
            from harness.reporting.pdf import print_to_pdf

            out["pdf"] = print_to_pdf(html_path, out_dir / f"{stem}.pdf")
            if "html" not in formats:
                html_path.unlink(missing_ok=True)
        written[package] = out
    return written


@report_format(
    "checklist",
    "checklists.json",
    scope="summary",
    default=False,
    doc="the 认定方法 checklist of each app among the runs (checklist-<package>.html and .xlsx; an index in checklists.json)",
)
def write_summary_checklists(runs: Sequence[RunData], target: Path, options: ReportOptions) -> None:
    """Summary-scope writer: the runs are re-read with the events a checklist needs (the summary
    loads only error records), one checklist per app goes beside ``target``, and ``target`` indexes them."""
    written = write_checklist([r.path for r in runs], target.parent, formats=("html", "xlsx"))
    index = []
    for package, paths in written.items():
        index.append({"package": package, "files": {k: p.name for k, p in paths.items()}})
    write_text_atomic(target, json.dumps({"checklists": index}, ensure_ascii=False, indent=2) + "\n")


def checklist_json(ac: AppChecklist) -> dict[str, Any]:
    """The assessment as JSON-ready data (verdict codes in English, reasons in the report language)."""

    def row(a: ItemAssessment) -> dict[str, Any]:
        return {
            "item": a.item.id,
            "verdict": a.verdict,
            "wording_check": a.item.check,
            "rules": list(a.item.rules),
            "rules_judged": a.rules_judged,
            "reasons": a.reasons,
            "findings": [
                {"run_id": x.run_id, "scenario": x.scenario, "rule_id": x.finding.rule_id, "verdict": x.finding.verdict, "severity": x.finding.severity, "message": x.finding.message, "evidence": list(x.finding.evidence)}
                for x in a.findings
            ],
        }

    return {
        "package": ac.package,
        "app": ac.app,
        "version": ac.version,
        "jurisdiction": ac.jurisdiction,
        "simulated": ac.simulated,
        "target": (ac.target or target_of(ac.runs[0].info if ac.runs else None)).to_dict(),
        "runs": [r.run_id for r in ac.runs],
        "conditions_met": ac.conditions_met,
        "counts": ac.counts(),
        "items": [row(a) for a in ac.items],
        "eu_points": [row(a) for a in ac.eu_points],
    }


def _write_text(path: Path, text: str) -> None:
    fsio.write_text(path, text)  # unique temporary, atomic rename
