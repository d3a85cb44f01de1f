"""Layout of one run's folder, ``results/<run-id>/``; the one place that names its files.

::

    run.json          RunInfo: app, device, scenario, harness version, hook-pack hash, simulated
    timeline.jsonl    the append-only event record (harness.timeline)
    screens/          <seq>.xml hierarchy dumps and <seq>.png screenshots
    findings.jsonl    one Finding per line, written by ``analyze`` (re-written on re-analysis)
    analysis.json     detector errors and the profile used by the last analysis
    report.html, report.xlsx, findings.json, junit.xml   reports built from the above
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RunDir", "RunInfo"]


@dataclass(slots=True)
class RunInfo:
    """What run.json says about a run."""

    run_id: str
    package: str
    app: str
    scenario: str
    device: dict[str, Any]
    simulated: bool
    harness_version: str
    hook_pack: str = ""
    started_at: str = ""
    finished_at: str = ""
    status: str = "running"  # running | completed | aborted | error
    profile: str = ""  # app-type profile id (necessary-PI profile), if known
    app_label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunInfo:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})


class RunDir:
    """Paths inside one run folder."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @property
    def run_json(self) -> Path:
        return self.path / "run.json"

    @property
    def timeline(self) -> Path:
        return self.path / "timeline.jsonl"

    @property
    def screens(self) -> Path:
        return self.path / "screens"

    @property
    def findings(self) -> Path:
        return self.path / "findings.jsonl"

    @property
    def analysis(self) -> Path:
        return self.path / "analysis.json"

    @property
    def report_html(self) -> Path:
        return self.path / "report.html"

    @property
    def report_xlsx(self) -> Path:
        return self.path / "report.xlsx"

    @property
    def findings_json(self) -> Path:
        return self.path / "findings.json"

    @property
    def junit(self) -> Path:
        return self.path / "junit.xml"

    def read_info(self) -> RunInfo:
        return RunInfo.from_dict(json.loads(self.run_json.read_text(encoding="utf-8")))

    def write_info(self, info: RunInfo) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.run_json.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(info.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(self.run_json)
