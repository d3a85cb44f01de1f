"""The checklist workbook (``checklist-<package>.xlsx``): sheets **Checklist** (one row per
认定方法 item: verdict, reasons, rules, findings), **EU points** (eu profile only),
**Findings** (every finding behind a verdict, with evidence) and **Legend** (verdicts, T1–T8,
confidence marks, wording checks, how counts are made). Headers follow the report language.
Cells are text, never formulas (harness.reporting.xlsx)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from harness.handover.explain import CONFIDENCE_LEGEND
from harness.i18n import term, ui
from harness.reporting.build import PROBLEM_TYPES
from harness.reporting.checklist_model import (
    _CHECK_MEANING,
    _COUNTING,
    _VERDICT_MEANING,
    VERDICT_CODES,
    VERDICT_LABELS,
    AppChecklist,
    ItemAssessment,
)
from harness.reporting.xlsx import _save, _Sheet

__all__ = ["write_checklist_xlsx"]

#: Column headers in English; ``ui`` gives the report language (catalog/report_ui.yaml, the
#: catalogue the run report and the checklist page share).
_HEAD: dict[str, str] = {
    "item": "Item",
    "section": "Section",
    "text": "Wording",
    "wording_check": "Wording check",
    "verdict": "Verdict",
    "reasons": "Why",
    "rules": "Rules",
    "findings": "Number of findings",
    "scenario": "Scenario",
    "run_id": "Run id",
    "rule_id": "Rule",
    "severity": "Severity",
    "finding_verdict": "Finding verdict",
    "message": "Message",
    "evidence": "Evidence",
    "key": "Key",
    "value": "Meaning",
}


def _labels(cols: tuple[str, ...], lang: str) -> list[str]:
    return [ui(_HEAD[c], lang) for c in cols]


def write_checklist_xlsx(ac: AppChecklist, path: Path) -> None:
    """Write the checklist workbook of one app."""
    k = "zh" if ac.lang == "zh" else "en"
    wb = Workbook(write_only=True)
    cols = ("item", "section", "text", "wording_check", "verdict", "reasons", "rules", "findings")

    def rows(sheet: _Sheet, items: list[ItemAssessment]) -> None:
        for a in items:
            sheet.append_plain(
                {
                    "item": a.item.id,
                    "section": a.item.section,
                    "text": a.item.text if k == "zh" else f"{a.item.text}\n{a.item.gloss}".strip(),
                    "wording_check": a.item.check + ("" if a.item.wording_confirmed else f" - {ui('wording not confirmed in a stored copy: check against the CAC publication before regulator-facing use', k)}"),
                    "verdict": VERDICT_LABELS[a.verdict][k],
                    "reasons": "\n".join(a.reasons),
                    "rules": ", ".join(a.item.rules),
                    "findings": len(a.findings),
                }
            )

    sheet = _Sheet(wb, ui("Checklist", k), cols, labels=_labels(cols, k))
    rows(sheet, ac.items)
    sheet.close()
    if ac.eu_points:
        sheet = _Sheet(wb, "EU points", cols, labels=_labels(cols, k))
        rows(sheet, ac.eu_points)
        sheet.close()
    fcols = ("item", "scenario", "run_id", "rule_id", "severity", "finding_verdict", "message", "evidence")
    sheet = _Sheet(wb, ui("Findings", k), fcols, labels=_labels(fcols, k))
    for a in [*ac.items, *ac.eu_points]:
        for x in [*a.findings, *a.info]:
            f = x.finding
            sheet.append_plain(
                {
                    "item": a.item.id,
                    "scenario": x.scenario,
                    "run_id": x.run_id,
                    "rule_id": f.rule_id,
                    "severity": term("severity", f.severity, k) if k == "zh" else f.severity,
                    "finding_verdict": term("verdict", f.verdict, k) if k == "zh" else f.verdict,
                    "message": f.message,
                    "evidence": "\n".join(x.evidence),
                }
            )
    sheet.close()
    lcols = ("key", "value")
    sheet = _Sheet(wb, ui("Legend", k), lcols, labels=_labels(lcols, k))
    if ac.target is not None:  # what was tested: a reference app or page (simulated), a real URL or app
        sheet.append_plain({"key": ui("Target", k), "value": ac.target.sentence_zh if k == "zh" else ac.target.sentence})
    for v in VERDICT_CODES:
        sheet.append_plain({"key": VERDICT_LABELS[v][k], "value": ui(_VERDICT_MEANING[v], k)})
    for pt, names in PROBLEM_TYPES.items():
        sheet.append_plain({"key": pt, "value": names[1] if k == "zh" else names[0]})
    for m, meaning in CONFIDENCE_LEGEND.items():
        sheet.append_plain({"key": f"[{m}]", "value": meaning[k]})
    for m, meaning2 in _CHECK_MEANING.items():
        sheet.append_plain({"key": f"[{m}]", "value": ui(meaning2, k)})
    sheet.append_plain({"key": ui("How counts are made", k), "value": ui(_COUNTING, k)})
    sheet.close()
    _save(wb, path)
