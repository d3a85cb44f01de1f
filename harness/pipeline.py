"""The judge side of a run folder, shared by ``run``, ``analyze``, the batch and the plugin:
analyse a recorded run (findings.jsonl, analysis.json) and read its findings back. The record
side is assembled in :mod:`harness.assemble`."""

from __future__ import annotations

import json
from pathlib import Path

from harness.app import resolve_app  # kept here for code written before harness.assemble
from harness.findings import FAIL_ON, Finding, fails, worst_severity
from harness.rundir import RunDir
from harness.timeline import Timeline

__all__ = ["analyze_run", "read_findings", "worst_severity", "fails", "FAIL_ON", "resolve_app"]


def analyze_run(run_dir: str | Path, *, jurisdiction: str = "cn", app_type: str | None = None) -> list[Finding]:
    """Judge a recorded run: write findings.jsonl and analysis.json; return the findings.
    ``app_type`` overrides the app-type profile recorded in run.json."""
    from harness.catalog.profiles import app_profile
    from harness.detectors import analyze

    rd = RunDir(run_dir).require()
    info = rd.read_info()
    timeline = Timeline.read(rd.timeline)
    profile = app_profile(app_type) if app_type else None
    result = analyze(timeline, info, jurisdiction=jurisdiction, profile=profile)
    tmp = rd.findings.with_suffix(".jsonl.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for f in result.findings:
            fh.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
    tmp.replace(rd.findings)
    analysis = result.to_dict() if hasattr(result, "to_dict") else {}
    analysis.pop("findings", None)
    analysis.setdefault("jurisdiction", jurisdiction)
    from harness.handover.identity import judged_with

    analysis["judged_with"] = judged_with(jurisdiction)
    rd.analysis.write_text(json.dumps(analysis, ensure_ascii=False, indent=2), encoding="utf-8")
    return list(result.findings)


def read_findings(run_dir: str | Path) -> list[Finding]:
    rd = RunDir(run_dir)
    if not rd.findings.is_file():
        return []
    out = []
    for line in rd.findings.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(Finding.from_dict(json.loads(line)))
    return out
