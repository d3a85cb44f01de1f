"""Layout of one run's folder, ``results/<run-id>/``; the one place that names its files.

::

    run.json          RunInfo: app, device, scenario, harness version, hook-pack hash, simulated
    timeline.jsonl    the append-only event record (harness.timeline)
    screens/          <seq>.xml hierarchy dumps and <seq>.png screenshots
    findings.jsonl    one Finding per line, written by ``analyze`` (re-written on re-analysis)
    analysis.json     detector errors and the profile used by the last analysis
    report.html, report.xlsx, findings.json, junit.xml   reports built from the above

A run folder is created with one ``mkdir`` (:meth:`RunDir.create`): when the name is taken, by
an earlier run or by a task running in parallel for the same package and scenario, the next
suffix is tried, so two runs never share a folder. Files are replaced through unique temporary
names (``harness.fsio``); run files are read without following symlinks, and a folder that is
opened again drops the temporaries a killed process left behind.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import fsio
from harness.errors import InputError, RecordError

__all__ = ["RunDir", "RunInfo", "results_folder", "MAX_SUFFIX"]

MAX_SUFFIX = 10_000


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

    @classmethod
    def create(cls, parent: str | Path, name: str) -> RunDir:
        """Create a new, empty run folder ``parent/name`` atomically; if that name exists
        (a file, a folder, a dangling symlink), ``name-2``, ``name-3``... Raises RecordError
        when ``parent`` cannot hold it."""
        parent = Path(parent)
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordError(f"{parent}: cannot create the results folder: {exc.strerror or exc}") from None
        for n in range(1, MAX_SUFFIX + 1):
            path = parent / (name if n == 1 else f"{name}-{n}")
            try:
                os.mkdir(path)
            except FileExistsError:
                continue
            except OSError as exc:
                raise RecordError(f"{path}: cannot create the run folder: {exc.strerror or exc}") from None
            return cls(path)
        raise RecordError(f"{parent}: {MAX_SUFFIX} run folders named {name} already exist")

    def remove_stale_temps(self) -> list[Path]:
        """Drop temporaries a killed process left in this folder (harness.fsio)."""
        return fsio.remove_stale_temps(self.path)

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
        """run.json; InputError naming the folder (and what it looks like instead) when it is
        not a readable run folder."""
        self.require()
        try:
            return RunInfo.from_dict(json.loads(fsio.read_text(self.run_json)))  # never through a symlink
        except OSError as exc:
            raise InputError(f"{self.run_json}: cannot read: {exc.strerror}") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError(f"{self.run_json}: not a valid run.json ({' '.join(str(exc).split())[:200]})") from None

    def require(self) -> RunDir:
        """This folder if it holds run.json and timeline.jsonl; otherwise an InputError that
        says what it is instead (missing, a file, a batch results folder, a folder of runs)."""
        if self.run_json.is_file() and self.timeline.is_file():
            return self
        p = self.path
        if not p.exists():
            why = "run folder not found"
        elif not p.is_dir():
            why = "not a folder"
        elif (p / "batch.sqlite").exists():
            why = "a batch results folder, not a run folder: use 'consent-harness batch status|export|query' on it, or give one of its run folders"
        else:
            runs = sorted(c.name for c in _subdirs(p) if (c / "run.json").is_file())
            if runs:
                why = f"a folder of {len(runs)} run folders, not a run folder: give the runs themselves (e.g. {p / runs[0]})"
            else:
                missing = [f.name for f in (self.run_json, self.timeline) if not f.is_file()]
                why = f"no {' or '.join(missing)} (is this a run folder?)"
        raise InputError(f"{p}: {why}")

    def write_info(self, info: RunInfo) -> None:
        """Replace run.json atomically (unique temporary name: parallel writers never clash)."""
        self.path.mkdir(parents=True, exist_ok=True)
        fsio.write_text(self.run_json, json.dumps(info.to_dict(), ensure_ascii=False, indent=2))


def _subdirs(p: Path, limit: int = 10_000) -> list[Path]:
    out: list[Path] = []
    try:
        for c in p.iterdir():
            if len(out) >= limit:
                break
            if c.is_dir() and not c.is_symlink():
                out.append(c)
    except OSError:
        return out
    return out


def results_folder(path: str | Path, option: str = "--results") -> Path:
    """The folder run folders go into, created when missing and checked writable (a probe file
    is created and removed) before anything runs: an InputError naming it otherwise."""
    import tempfile

    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=p, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise InputError(f"{option} {p}: cannot create or write the results folder: {exc.strerror or exc}") from None
    return p
