"""The per-run event budget (issue 12, Medium 10): past it, instrumentation events are counted
instead of stored, the run records why and finishes. Figures for a real flood: bench/flood.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from harness.errors import InputError
from harness.events import ApiCall, AppState, ErrorRecord, RunMarker, StepMarker
from harness.timeline import BUDGET_WHERE, EventBudget, Timeline


def test_past_the_budget_instrumentation_is_counted_not_stored(tmp_path: Path) -> None:
    path = tmp_path / "timeline.jsonl"
    with Timeline(path, budget=EventBudget(max_events=10, max_bytes=10**9)) as tl:
        tl.append(RunMarker(t=0.0, phase="start"))
        for i in range(50):
            tl.extend([ApiCall(t=float(i), source="sim", api_id="TelephonyManager.getImei", category="DEVICE_ID", count=2), AppState(t=float(i), source="sim", state="foreground")])
            tl.append(StepMarker(t=float(i), step="observe", phase="begin"))  # the runner's own events stay
        assert len(tl) < 10 + 1 + 50 + 2
        tl.append(RunMarker(t=60.0, phase="end", status="completed"))
    events = list(Timeline.read(path, strict=True))
    assert isinstance(events[-1], RunMarker) and events[-1].phase == "end"  # still last
    budget = [e for e in events if isinstance(e, ErrorRecord) and e.where == BUDGET_WHERE]
    assert len(budget) == 2 and "budget reached" in budget[0].message
    stored_calls = sum(e.count for e in events if isinstance(e, ApiCall))
    assert budget[1].message.startswith(f"{(100 - stored_calls) + (50 - sum(isinstance(e, AppState) for e in events))} event(s)")
    assert "api TelephonyManager.getImei x" in budget[1].message and "app x" in budget[1].message
    assert sum(isinstance(e, StepMarker) for e in events) == 50
    assert [e.seq for e in events] == list(range(len(events)))


def test_byte_budget_and_summary_at_close(tmp_path: Path) -> None:
    path = tmp_path / "timeline.jsonl"
    tl = Timeline(path, budget=EventBudget(max_events=10**6, max_bytes=2000))
    for i in range(100):
        tl.append(ApiCall(t=float(i), source="frida", api_id="a", category="x", args="y" * 100))
    tl.close()  # no end marker (a killed source): the summary is still written
    events = list(Timeline.read(path, strict=True))
    assert path.stat().st_size < 2000 + 1500
    budget = [e for e in events if isinstance(e, ErrorRecord) and e.where == BUDGET_WHERE]
    assert len(budget) == 2 and "past the event budget" in budget[1].message


def test_budget_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CONSENT_HARNESS_MAX_EVENTS", "1234")
    assert EventBudget.from_env().max_events == 1234
    with Timeline(tmp_path / "t.jsonl") as tl:
        assert tl.budget is not None and tl.budget.max_events == 1234
    assert Timeline().budget is None  # in-memory timelines (tests, replays) are not bounded
    monkeypatch.setenv("CONSENT_HARNESS_MAX_EVENTS", "lots")
    with pytest.raises(InputError, match="integers"):
        EventBudget.from_env()
    with pytest.raises(InputError, match="positive"):
        EventBudget(0, 10)


def test_a_flooding_reference_app_finishes_with_an_error_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bench_script: Callable[[str], ModuleType]) -> None:
    from harness.devices.sim import SimDriver, SimInstrumentation
    from harness.pipeline import analyze_run, resolve_app
    from harness.reporting.build import load_run
    from harness.rundir import RunDir
    from harness.runner import Runner
    from harness.scenarios import resolve_scenarios

    monkeypatch.setenv("CONSENT_HARNESS_MAX_EVENTS", "2000")
    model = tmp_path / "flood.yaml"
    model.write_text(bench_script("flood").flood_model(times=20), encoding="utf-8")  # the app bench/flood.py floods with
    driver = SimDriver()
    app = resolve_app(driver, str(model))
    (sc,) = resolve_scenarios("S1")
    res = Runner(driver, SimInstrumentation(driver), tmp_path / "r", hook_pack="sim").run(app, sc)
    rd = RunDir(res.run_dir)
    assert rd.read_info().status == "completed"
    events = list(Timeline.read(rd.timeline, strict=True))
    assert 2000 <= len(events) < 2100
    assert isinstance(events[-1], RunMarker) and events[-1].status == "completed"
    assert [e for e in events if isinstance(e, ErrorRecord) and e.where == BUDGET_WHERE]
    findings = analyze_run(res.run_dir)
    assert any(f.rule_id for f in findings)  # the stored part is still judged
    data = load_run(res.run_dir)
    assert any("event budget" in n.message for n in data.notes)
