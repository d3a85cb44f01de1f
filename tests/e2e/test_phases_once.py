"""Consent phases are computed once, by the detectors, and the reports show those: for every API
call of every bundled app under S1-S5 on the reference device, the phase the report gives (read
back from analysis.json) is the phase the vectorised API core judged the call in, and the one the
Python detectors look up."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from harness.assemble import resolve_app
from harness.catalog.rules import load_rules
from harness.detectors.core import ApiColumns, JudgeParams, RunTables, _Chunk
from harness.detectors.phases import PHASE_NAMES, build_phases
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.devices.sim.model import available_models
from harness.events import ApiCall
from harness.pipeline import analyze_run
from harness.reporting.build import load_run
from harness.reporting.json_report import findings_document
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline

APPS = available_models()


def _core_phases(run_dir: Path) -> tuple[dict[int, str], dict[int, str]]:
    """seq -> phase name, for every API call: as the vectorised core judged it, and as the
    Python detectors' Phases look it up."""
    cat = load_rules()
    events = list(Timeline.read(run_dir / "timeline.jsonl"))
    info_pkg = next((e.package for e in events if getattr(e, "kind", "") == "run" and getattr(e, "package", "")), "")
    control = sorted((e for e in events if not isinstance(e, ApiCall)), key=lambda e: e.seq)
    phases = build_phases(control, cat, package=info_pkg)
    api = ApiColumns.from_events(events, cat)
    if not len(api):
        return {}, {}
    tables = RunTables.build([(phases, None)], cat, api.cat_names)
    chunk = _Chunk(api, tables, JudgeParams.from_catalog(cat, "cn"), 0, 1, 0, len(api))
    core = {int(s): PHASE_NAMES[int(p)] for s, p in zip(chunk.seq, chunk.phase, strict=True)}
    python = {e.seq: PHASE_NAMES[phases.phase_at(e.t)] for e in events if isinstance(e, ApiCall)}
    return core, python


@pytest.mark.parametrize("app", APPS)
def test_report_phase_is_the_detectors_phase_for_every_call(tmp_path: Path, app: str) -> None:
    calls_seen = 0
    phases_seen: set[str] = set()
    for scenario in resolve_scenarios("S1,S2,S3,S4,S5"):
        driver = SimDriver()
        res = Runner(driver, SimInstrumentation(driver), tmp_path).run(resolve_app(driver, app), scenario)
        analyze_run(res.run_dir)
        data = load_run(res.run_dir)
        assert not [n for n in data.notes if "consent" in n.message], data.notes  # read from analysis.json
        core, python = _core_phases(res.run_dir)
        shown = {ev.seq: data.phase_at(ev.t) for ev in data.api_calls()}
        assert shown.keys() == core.keys()
        wrong = {s: (shown[s], core[s]) for s in shown if shown[s] != core[s]}
        assert not wrong, f"{app} {scenario.id}: report vs detectors (seq: shown, judged) {wrong}"
        assert python == core
        # the JSON report's per-phase counts are the detectors' phases too
        weights = {ev.seq: max(1, ev.count) for ev in data.api_calls()}
        judged = Counter[str]()
        for seq, phase in core.items():
            judged[phase] += weights[seq]
        by_phase = findings_document(data)["summary"]["api_calls"]["by_phase"]
        assert {k: v for k, v in by_phase.items() if v} == dict(judged)
        calls_seen += len(shown)
        phases_seen |= set(shown.values())
    if app == "demo-precollect":
        assert calls_seen >= 10  # collects before the prompt and after a decline
        assert {"pre_prompt", "declined", "accepted"} <= phases_seen, phases_seen
