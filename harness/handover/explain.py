"""``consent-harness explain R09``: everything the catalogue says about one rule.

Title in both wordings, what is checked, the texts cited (full document names, kind, and the
confidence of each wording), the thresholds with their provenance, the suggested fix, and the
认定方法 checklist items and EU points the rule speaks to. Plain text or JSON.
"""

from __future__ import annotations

import json
from typing import Any

from harness.catalog.checklist import load_checklist
from harness.catalog.rules import RuleCatalog, load_rules

__all__ = ["CONFIDENCE_LEGEND", "explain_data", "explain_text"]

#: What a confidence mark after an article means (shown by explain and in report legends).
CONFIDENCE_LEGEND: dict[str, dict[str, str]] = {
    "V": {
        "zh": "措辞已与存储的原文副本核对",
        "en": "wording checked against a stored copy of the text",
    },
    "M": {
        "zh": "措辞未在存储副本中核实（凭对原文的了解给出），对外引用前须与官方文本核对",
        "en": "wording not confirmed in a stored copy (given as known); check against the official text before quoting",
    },
    "U": {
        "zh": "未找到任何原始文本，仅有惯例或二手来源（不是法律依据）",
        "en": "no primary text found; practice or secondary sources only (not a legal basis)",
    },
}


def _detector_name(rule_id: str) -> str:
    from harness.detectors import registry

    det = registry().get(rule_id)
    return det.name if det is not None else ""


def explain_data(rule_id: str, *, catalog: RuleCatalog | None = None) -> dict[str, Any]:
    """The rule as a JSON-ready mapping (InputError for an unknown rule id)."""
    cat = catalog or load_rules()
    rid = rule_id.strip().upper()
    rule = cat.rule(rid)
    cites = []
    for c in rule.citations:
        doc = cat.documents[c.doc]
        cites.append(
            {
                "set": doc.jurisdiction,
                "document": doc.short,
                "document_name": doc.name,
                "kind": doc.kind,
                "article": c.article,
                "confidence": c.confidence,
                "note": doc.note,
            }
        )
    ths = []
    for name in rule.thresholds:
        th = cat.thresholds[name]
        ths.append({"name": name, "value": th.value, "unit": th.unit, "provenance": th.provenance, "source": th.source})
    overrides = {}
    for jid, jur in cat.jurisdictions.items():
        ov = jur.overrides.get(rid)
        if ov is not None:
            overrides[jid] = {
                "include": ov.include,
                "severity": ov.severity,
                "max_verdict": ov.max_verdict,
                "thresholds": {k: {"value": t.value, "unit": t.unit, "provenance": t.provenance} for k, t in ov.thresholds.items()},
            }
    items = load_checklist().items_for_rule(rid)
    return {
        "rule_id": rid,
        "titles": dict(rule.titles),
        "family": rule.family,
        "problem_types": {pt: cat.problem_types.get(pt, "") for pt in rule.problem_types},
        "severity": rule.severity,
        "by_category": rule.by_category,
        "automatable": rule.automatable,
        "evidence": list(rule.evidence),
        "needs_network": {"Y": "no", "P": "partly", "N": "yes"}[rule.no_net],
        "verdicts": list(rule.verdicts),
        "detector": _detector_name(rid),
        "jurisdictions": [jid for jid in sorted(cat.jurisdictions) if cat.applies(rid, jid)],
        "check": rule.check,
        "citations": cites,
        "thresholds": ths,
        "overrides": overrides,
        "fix": dict(rule.fixes),
        "checklist_items": [it.id for it in items],
    }


def explain_text(rule_id: str, *, catalog: RuleCatalog | None = None) -> str:
    """The rule explained in plain text for a terminal."""
    d = explain_data(rule_id, catalog=catalog)
    lines = [f"{d['rule_id']}  {d['titles'].get('cn', '')}  /  {d['titles'].get('eu', '')}", ""]
    pts = ", ".join(f"{k} ({v})" for k, v in d["problem_types"].items())
    sev = d["severity"] + (" (by data category)" if d["by_category"] else "")
    lines.append(f"family {d['family']} · problem types {pts}")
    lines.append(f"default severity {sev} · verdicts {', '.join(d['verdicts'])} · automatable {d['automatable']}")
    lines.append(f"evidence {', '.join(d['evidence'])} · needs network capture: {d['needs_network']}")
    lines.append("detector " + (d["detector"] or "none: catalogue only, never reported by this version"))
    lines.append(f"judged under: {', '.join(d['jurisdictions']) or 'no profile'}")
    lines += ["", "What is checked:", f"  {d['check']}", "", "Cited texts (confidence of the wording in brackets):"]
    for c in d["citations"]:
        lines.append(f"  [{c['set']}] {c['document']} {c['article']}  [{c['confidence']}]  - {c['document_name']} ({c['kind']})")
        if c["note"]:
            lines.append(f"        note: {c['note']}")
    if d["thresholds"]:
        lines += ["", "Numbers used (provenance: only law/normative are anchored in an official text):"]
        for t in d["thresholds"]:
            lines.append(f"  {t['name']} = {t['value']} {t['unit']}".rstrip() + f"  ({t['provenance']}) {t['source']}")
    for jid, ov in d["overrides"].items():
        parts = [f"{k}={v}" for k, v in ov.items() if v not in ("", {}, True)]
        lines.append(f"  {jid} profile changes: {', '.join(parts) or 'none'}")
    if d["fix"]:
        lines += ["", "How to fix:"]
        for lang in ("cn", "en"):
            if lang in d["fix"]:
                lines.append(f"  {d['fix'][lang]}")
    if d["checklist_items"]:
        lines += ["", f"Checklist items (认定方法 / EU points): {', '.join(d['checklist_items'])}"]
    lines += ["", "Confidence marks: " + "; ".join(f"[{k}] {v['en']}" for k, v in CONFIDENCE_LEGEND.items())]
    return "\n".join(lines) + "\n"


def explain_json(rule_id: str, *, catalog: RuleCatalog | None = None) -> str:
    return json.dumps(explain_data(rule_id, catalog=catalog), ensure_ascii=False, indent=2) + "\n"
