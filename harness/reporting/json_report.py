"""``findings.json``: the machine-readable report of one run.

Schema (``schema`` = 2; keys are only ever added, never renamed or removed within a schema)::

    {
      "schema": 2,
      "generator": "consent-harness <version>",
      "run": {...} | null,          run.json as recorded (RunInfo.to_dict()); null if missing/unreadable
      "analysis": {...} | null,     analysis.json as recorded: {"jurisdiction", "errors", "profile", ...}
      "findings": [                 one Finding.to_dict() per finding, worst first, plus:
        {..., "row": {...}}         the FINDING_COLUMNS row of harness.reporting.frames
      ],
      "summary": {
        "status": "violation" | "needs-review" | "clean" | "not-analysed",
        "target": {"kind", "simulated", "label", "sentence", "sentence_zh", "where"}:
                                    what was tested: "reference-app" (the reference device),
                                    "reference-page" (one of the harness's H5 pages: a simulated
                                    target in a real browser), "url" (a real page), "app"
        "headline": "...",          the same sentence the HTML report shows
        "analysed": bool,           false when findings.jsonl is missing
        "findings": int,
        "by_severity": {"high": n, "medium": n, "low": n, "info": n},
        "by_verdict": {"violation": n, "needs-review": n, "info": n},
        "worst_severity": "high" | ... | "",
        "problem_types": {"T1": n, ..., "T8": n},     findings per seed problem type
        "rules_checked": ["R01", ...],
        "api_calls": {"total": n, "by_category": {...}, "by_phase": {...}, "by_sdk": {...}},
        "phases": [{"phase", "t0", "t1"}],             consent phases of the run (seconds): the
                                                       detectors' phases from analysis.json
                                                       (pre_prompt, prompt, dismissed, declined,
                                                       accepted); "by_phase" counts calls in each
        "errors": [{"source", "where", "message", "t"}],
        "notes": [{"level", "message", "text"}]       missing or unreadable inputs (message: English; text: in "lang")
        "lang": "zh" | "en"                          the language of titles, messages and texts
      }
    }

Output is deterministic for the same inputs (sorted keys inside ``summary`` counters, findings
in a fixed order) so CI can diff two runs' files.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from harness import __version__
from harness.reporting.build import PHASES, RunData, note_text
from harness.reporting.formats import ReportOptions, report_format, write_text_atomic
from harness.reporting.target import target_of

__all__ = ["SCHEMA_VERSION", "findings_document", "render_findings_json"]

#: 2: consent phases are the detectors' (pre_prompt, prompt, dismissed, declined, accepted), read
#: from analysis.json; 1 had the reports' own four phases (before_prompt ... after_decline)
SCHEMA_VERSION = 2


def findings_document(data: RunData) -> dict[str, Any]:
    """The findings.json document of a run, as a JSON-ready dict."""
    calls = data.api_calls()
    by_cat: Counter[str] = Counter()
    by_phase: Counter[str] = Counter()
    by_sdk: Counter[str] = Counter()
    for c in calls:
        n = max(1, c.count)
        by_cat[c.category or "UNCATEGORISED"] += n
        by_phase[data.phase_at(c.t)] += n
        by_sdk[c.sdk or "unknown"] += n
    code, headline = data.overall()
    rows = data.finding_rows()
    findings = []
    for f, row in zip(data.findings, rows, strict=True):
        d = f.to_dict()
        d["row"] = row
        findings.append(d)
    return {
        "schema": SCHEMA_VERSION,
        "generator": f"consent-harness {__version__}",
        "run": data.info_raw if data.info_raw is not None else None,
        "analysis": data.analysis,
        "findings": findings,
        "summary": {
            "target": target_of(data.info).to_dict(),
            "status": code,
            "headline": headline,
            "analysed": data.has_findings,
            "findings": len(data.findings),
            "by_severity": data.severity_counts(),
            "by_verdict": data.verdict_counts(),
            "worst_severity": data.worst_severity(),
            "problem_types": data.problem_type_counts(),
            "rules_checked": [r for r, _ in data.rules_checked()],
            "api_calls": {
                "total": sum(by_cat.values()),
                "by_category": dict(sorted(by_cat.items())),
                "by_phase": {p: by_phase.get(p, 0) for p in PHASES},
                "by_sdk": dict(sorted(by_sdk.items())),
            },
            "phases": [{"phase": p.phase, "t0": round(p.t0, 3), "t1": round(p.t1, 3)} for p in data.phases],
            "errors": [{k: e[k] for k in ("source", "where", "message", "t")} for e in data.errors()],
            "notes": [{"level": n.level, "message": n.message, "text": note_text(n, data.lang)} for n in data.notes],
            "lang": data.lang,
        },
    }


def _finite(value: Any) -> Any:
    """NaN and infinities (which json.loads accepts in run.json) become null: strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def render_findings_json(data: RunData) -> str:
    """findings.json text: strict UTF-8 JSON, Chinese kept as text, two-space indent."""
    return json.dumps(_finite(findings_document(data)), ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n"


@report_format("json", "findings.json", doc="findings and a summary as JSON (schema in this module)")
def write_findings_json(data: RunData, target: Path, options: ReportOptions) -> None:
    write_text_atomic(target, render_findings_json(data))
