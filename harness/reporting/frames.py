"""The ONE place that defines report table columns.

Every report (terminal, HTML, Excel, JSON, JUnit, batch Parquet) builds its tables here, so a
column is named, ordered and documented once.

Findings table (``FINDING_COLUMNS``), one row per finding:

=============  ==============================================================================
run_id         run folder name
package        app package
scenario       scenario id (S1..S5)
simulated      True when the run used the reference device (never a real app)
rule_id        catalogue rule id (R01..R46)
title          rule short name
severity       info | low | medium | high
verdict        violation | needs-review | info
problem_types  seed problem types T1..T8, comma-separated
category       personal-information category involved (DEVICE_ID, LOCATION, ...); for the
               permission rules the permission group(s) asked, comma-separated (R20: 'LOCATION,PHONE'); or ''
sdk            attributed third-party SDK id, 'app' for first-party, '' when not applicable
t              run time of the first evidence event, seconds
message        what was observed, in one sentence
evidence       timeline seqs of the evidence events, comma-separated
citations      cited rules, '; '-separated (document + article)
thresholds     'name=value unit (provenance)' entries, '; '-separated
detector       detector id that produced the finding
=============  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from harness.findings import Finding

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FINDING_COLUMNS", "finding_row", "findings_frame"]

FINDING_COLUMNS: tuple[str, ...] = (
    "run_id",
    "package",
    "scenario",
    "simulated",
    "rule_id",
    "title",
    "severity",
    "verdict",
    "problem_types",
    "category",
    "sdk",
    "t",
    "message",
    "evidence",
    "citations",
    "thresholds",
    "detector",
)


def _threshold_text(f: Finding) -> str:
    parts = []
    for th in f.thresholds:
        unit = f" {th.unit}" if th.unit else ""
        parts.append(f"{th.name}={th.value}{unit} ({th.provenance})")
    return "; ".join(parts)


def finding_row(f: Finding, *, run_id: str = "", package: str = "", scenario: str = "", simulated: bool = False) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "package": package,
        "scenario": scenario,
        "simulated": simulated,
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity,
        "verdict": f.verdict,
        "problem_types": ",".join(f.problem_types),
        "category": f.category,
        "sdk": f.sdk,
        "t": round(f.t, 3),
        "message": f.message,
        "evidence": ",".join(str(s) for s in f.evidence),
        "citations": "; ".join(str(c) for c in f.citations),
        "thresholds": _threshold_text(f),
        "detector": f.detector,
    }


def findings_frame(
    findings: Iterable[Finding], *, run_id: str = "", package: str = "", scenario: str = "", simulated: bool = False
) -> pd.DataFrame:
    import pandas as pd

    rows = [finding_row(f, run_id=run_id, package=package, scenario=scenario, simulated=simulated) for f in findings]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
