"""``consent-harness explain R09``: everything the catalogue says about one rule.

Title in both wordings, what is checked, the texts cited (full document names, kind, and the
confidence of each wording), the thresholds with their provenance, the suggested fix, and the
认定方法 checklist items and EU points the rule speaks to. Plain text (zh or en: the wording
from the report catalogues, harness.i18n, including each rule's ``check`` text) or JSON (codes,
the catalogue's own wordings).
"""

from __future__ import annotations

import json
from typing import Any

from harness.catalog.checklist import load_checklist
from harness.catalog.rules import RuleCatalog, load_rules
from harness.i18n import term, ui

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


def explain_text(rule_id: str, *, catalog: RuleCatalog | None = None, lang: str = "en") -> str:
    """The rule explained in plain text for a terminal, in ``lang`` (zh | en)."""
    d = explain_data(rule_id, catalog=catalog)
    zh = lang == "zh"

    def t(text: str, **args: Any) -> str:
        return ui(text, lang, **args)

    def names(kind: str, codes: list[str]) -> str:
        return ", ".join(term(kind, c, lang) if zh else c for c in codes)

    lines = [f"{d['rule_id']}  {d['titles'].get('cn', '')}  /  {d['titles'].get('eu', '')}", ""]
    pts = ", ".join(f"{k} ({term('problem_type', k, 'zh') if zh else v})" for k, v in d["problem_types"].items())
    sev = (term("severity", d["severity"], lang) if zh else d["severity"]) + (t(" (by data category)") if d["by_category"] else "")
    lines.append(t("family {family} · problem types {types}", family=d["family"], types=pts))
    lines.append(t("default severity {severity} · verdicts {verdicts} · automatable {automatable}", severity=sev, verdicts=names("verdict", d["verdicts"]), automatable=t(d["automatable"]) if zh else d["automatable"]))
    lines.append(t("evidence {evidence} · needs network capture: {network}", evidence=", ".join(d["evidence"]), network=t(d["needs_network"]) if zh else d["needs_network"]))
    lines.append(t("detector {name}", name=d["detector"]) if d["detector"] else t("detector none: catalogue only, never reported by this version"))
    lines.append(t("judged under: {profiles}", profiles=", ".join(d["jurisdictions"]) or t("no profile")))
    lines += ["", t("What is checked:"), f"  {t(d['check'])}", "", t("Cited texts (confidence of the wording in brackets):")]
    for c in d["citations"]:
        article = t(c["article"]) if zh else c["article"]
        lines.append(f"  [{c['set']}] {c['document']} {article}  [{c['confidence']}]  - {c['document_name']} ({t(c['kind']) if zh else c['kind']})")
        if c["note"]:
            lines.append("        " + t("note: {note}", note=c["note"]))
    if d["thresholds"]:
        lines += ["", t("Numbers used (provenance: only law/normative are anchored in an official text):")]
        for th in d["thresholds"]:
            unit = t(th["unit"]) if zh and th["unit"] else th["unit"]
            prov = term("provenance", th["provenance"], lang) if zh else th["provenance"]
            source = t(th["source"]) if zh and th["source"] else th["source"]
            lines.append(f"  {th['name']} = {th['value']} {unit}".rstrip() + f"  ({prov}) {source}")
    for jid, ov in d["overrides"].items():
        parts = [f"{k}={v}" for k, v in ov.items() if v not in ("", {}, True)]
        lines.append(t("  {profile} profile changes: {changes}", profile=jid, changes=", ".join(parts) or t("none")))
    if d["fix"]:
        lines += ["", t("How to fix:")]
        for fix_lang in ("cn",) if zh else ("cn", "en"):
            if fix_lang in d["fix"]:
                lines.append(f"  {d['fix'][fix_lang]}")
    if d["checklist_items"]:
        lines += ["", t("Checklist items (认定方法 / EU points): {items}", items=", ".join(d["checklist_items"]))]
    marks = "; ".join(f"[{k}] {v['zh' if zh else 'en']}" for k, v in CONFIDENCE_LEGEND.items())
    lines += ["", t("Confidence marks: {marks}", marks=marks)]
    return "\n".join(lines) + "\n"


def explain_json(rule_id: str, *, catalog: RuleCatalog | None = None) -> str:
    return json.dumps(explain_data(rule_id, catalog=catalog), ensure_ascii=False, indent=2) + "\n"
