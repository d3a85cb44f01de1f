"""The judge side of a run folder, shared by ``run``, ``analyze``, the batch and the plugin:
analyse a recorded run (findings.jsonl, analysis.json) and read its findings back. The record
side is assembled in :mod:`harness.assemble`."""

from __future__ import annotations

import json
from pathlib import Path

from harness import fsio
from harness.app import resolve_app  # kept here for code written before harness.assemble
from harness.errors import InputError
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
    rd.remove_stale_temps()
    info = rd.read_info()
    timeline = Timeline.read(rd.timeline)
    profile = app_profile(app_type) if app_type else None
    result = analyze(timeline, info, jurisdiction=jurisdiction, profile=profile, run_dir=rd.path)
    fsio.write_jsonl(rd.findings, (f.to_dict() for f in result.findings))
    analysis = result.to_dict() if hasattr(result, "to_dict") else {}
    analysis.pop("findings", None)
    analysis.setdefault("jurisdiction", jurisdiction)
    from harness.handover.identity import judged_with

    analysis["judged_with"] = judged_with(jurisdiction)
    fsio.write_text(rd.analysis, json.dumps(analysis, ensure_ascii=False, indent=2))
    return list(result.findings)


def read_findings(run_dir: str | Path) -> list[Finding]:
    """The findings of an analysed run ([] when not analysed), through the one JSON Lines
    reader. Raises InputError naming the file and line of a damaged record."""
    rd = RunDir(run_dir)
    if fsio.is_link(rd.findings):
        raise InputError(f"{rd.findings} is a symlink; files of a run folder are never read through links")
    if not rd.findings.is_file():
        return []
    out = []
    for line in fsio.read_jsonl(rd.findings):
        try:
            if not line.ok:
                raise ValueError(line.error)
            if not isinstance(line.value, dict):
                raise ValueError("not a JSON object")
            out.append(Finding.from_dict(line.value))
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(f"{rd.findings}:{line.lineno}: unreadable finding: {str(exc)[:200]}") from None
    return out
