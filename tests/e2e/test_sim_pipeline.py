"""End to end on the reference device: scenario -> runner -> timeline -> detectors -> reports,
and the CLI's exit codes. (SIMULATED apps; real backends have their own tests.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.assemble import resolve_app
from harness.cli import main
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.events import ApiCall, ConsentDecision, RunMarker, StepMarker, UiAction, UiSnapshot
from harness.pipeline import analyze_run
from harness.rundir import RunDir
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline


def run_one(tmp_path: Path, model: str, scenario: str) -> Path:
    driver = SimDriver()
    app = resolve_app(driver, model)
    (sc,) = resolve_scenarios(scenario)
    res = Runner(driver, SimInstrumentation(driver), tmp_path, hook_pack="sim").run(app, sc, app_ref=model)
    return res.run_dir


def test_s2_on_precollect_records_the_decline_and_the_collection(tmp_path: Path) -> None:
    run = run_one(tmp_path, "demo-precollect", "S2")
    rd = RunDir(run)
    info = rd.read_info()
    assert info.simulated is True and info.status == "completed" and info.scenario == "S2"
    tl = Timeline.read(rd.timeline)
    events = list(tl)
    assert isinstance(events[0], RunMarker) and events[0].phase == "start"
    assert isinstance(events[-1], RunMarker) and events[-1].status == "completed"
    decisions = [e for e in events if isinstance(e, ConsentDecision)]
    # the refusal is on record before its first tap, and again (with both taps) before the
    # confirming tap: one prompt, the largest count is the refusal's cost
    first = decisions[0]
    assert (first.subject, first.choice, first.taps) == ("privacy_policy", "decline", 1)
    full = max((d for d in decisions if d.subject == "privacy_policy" and d.screen_seq == first.screen_seq), key=lambda d: d.taps)
    assert full.taps == 2 and "暂不同意" in full.how and "仍不同意" in full.how
    # the privacy dialog was recognised and its dump kept
    snaps = [e for e in events if isinstance(e, UiSnapshot) and e.screen_kind == "privacy_dialog"]
    assert snaps and (run / snaps[0].hierarchy_path).is_file()
    apis = [e for e in events if isinstance(e, ApiCall)]
    assert apis[0].t < first.t  # collected before the decision
    assert any(a.t > first.t and a.category == "NET_ID" for a in apis)  # and after the decline
    # actions are recorded before the input is sent: the decline tap precedes the MAC read
    taps = [e for e in events if isinstance(e, UiAction) and e.action == "tap"]
    assert taps and taps[0].t <= first.t
    ends = [e for e in events if isinstance(e, StepMarker) and e.phase == "end"]
    assert {e.step for e in ends} >= {"launch", "decide_privacy", "exercise", "assert_functional", "relaunch"}
    assert all(e.status == "ok" for e in ends), [(e.step, e.status, e.message) for e in ends if e.status != "ok"]
    findings = analyze_run(run)
    rules = {f.rule_id for f in findings if f.verdict == "violation"}
    assert {"R09", "R10"} <= rules
    r09 = next(f for f in findings if f.rule_id == "R09")
    assert r09.evidence and all(isinstance(tl[s], ApiCall) for s in r09.evidence)


@pytest.mark.parametrize("scenario", ["S1", "S2", "S3", "S4"])
def test_clean_control_has_no_finding_above_info(tmp_path: Path, scenario: str) -> None:
    run = run_one(tmp_path, "demo-clean", scenario)
    findings = analyze_run(run)
    bad = [(f.rule_id, f.verdict, f.message) for f in findings if f.verdict != "info"]
    assert bad == []


def test_s3_denies_the_location_dialog_and_records_it(tmp_path: Path) -> None:
    run = run_one(tmp_path, "demo-clean", "S3")
    events = list(Timeline.read(RunDir(run).timeline))
    perm = [e for e in events if isinstance(e, ConsentDecision) and e.subject.startswith("permission:")]
    assert [(e.subject, e.choice) for e in perm] == [("permission:LOCATION", "decline")]
    assert not any(isinstance(e, ApiCall) and e.category == "LOCATION" for e in events)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = str(tmp_path / "r")
    assert main(["run", "--device", "sim", "--app", "demo-precollect", "--scenario", "S1", "--results", res, "--no-report"]) == 1
    assert main(["run", "--device", "sim", "--app", "demo-precollect", "--scenario", "S1", "--results", res, "--no-report", "--fail-on", "never"]) == 0
    assert main(["run", "--device", "sim", "--app", "demo-clean", "--scenario", "S2", "--results", res, "--no-report", "--fail-on", "low"]) == 0
    capsys.readouterr()
    assert main(["run", "--device", "sim", "--app", "no-such-app", "--scenario", "S1", "--results", res]) == 2
    assert "unknown app model 'no-such-app'" in capsys.readouterr().err
    assert main(["run", "--device", "sim", "--app", "demo-clean", "--scenario", "S7", "--results", res]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: B\nsteps:\n  - launch\n  - jump\n", encoding="utf-8")
    assert main(["run", "--app", "demo-clean", "--scenario", str(bad), "--results", res]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4" in err and "unknown step 'jump'" in err
    assert main(["frobnicate"]) == 2


def test_analyze_again_offline_gives_the_same_findings(tmp_path: Path) -> None:
    run = run_one(tmp_path, "demo-precollect", "S2")
    first = analyze_run(run)
    assert main(["analyze", str(run), "--fail-on", "never"]) == 0
    again = [json.loads(x) for x in (run / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [f["rule_id"] for f in again] == [f.rule_id for f in first]
    assert main(["analyze", str(run)]) == 1
    assert main(["analyze", str(tmp_path)]) == 2  # not a run folder


def test_demo_command_writes_reports_for_every_app(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "demo", "--apps", "demo-clean,demo-precollect", "--results", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "SIMULATED" in proc.stdout
    (root,) = list(tmp_path.glob("demo-*"))
    runs = sorted(p for p in root.iterdir() if p.is_dir())
    assert len(runs) == 2 * len(resolve_scenarios("all"))
    for r in runs:
        assert (r / "report.html").is_file() and (r / "findings.json").is_file()
        assert "SIMULATED" in (r / "report.html").read_text(encoding="utf-8")


def test_bad_input_is_refused_before_any_device_is_touched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = str(tmp_path / "r")
    # no device is attached here: a device error would be exit 3; a bad package must be exit 2
    assert main(["run", "--device", "emulator-5554", "--app", "com.example;reboot", "--scenario", "S1", "--results", res]) == 2
    assert "invalid Android package name" in capsys.readouterr().err
    assert main(["run", "--device", "emulator-5554", "--app", "../../etc/passwd", "--scenario", "S1", "--results", res]) == 2
    assert main(["run", "--device", "sim", "--app", "demo-clean", "--appium", "http://127.0.0.1:4723", "--results", res]) == 2
    assert "--appium drives a real device" in capsys.readouterr().err
    broken = tmp_path / "broken.apk"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["run", "--device", "emulator-5554", "--app", str(broken), "--scenario", "S1", "--results", res]) == 2
    assert "not a readable APK" in capsys.readouterr().err
    assert main(["run", "--device", "emulator-5554", "--app", "com.example.app", "--scenario", "S1", "--results", res]) == 3
    assert "not attached" in capsys.readouterr().err


def test_a_prompt_that_ignores_back_is_not_dismissed_again_and_again(tmp_path: Path) -> None:
    # demo-precollect's privacy dialog ignores Back: the record must show the prompt still there,
    # the standing answer must not loop, and no 'dismissal treated as consent' (R14) may follow
    driver = SimDriver()
    app = resolve_app(driver, "demo-precollect")
    repo = Path(__file__).resolve().parents[2]
    (sc,) = resolve_scenarios(str(repo / "scenarios" / "example-dismiss.yaml"))
    res = Runner(driver, SimInstrumentation(driver), tmp_path).run(app, sc)
    events = list(Timeline.read(RunDir(res.run_dir).timeline))
    dismissals = [e for e in events if isinstance(e, ConsentDecision) and e.choice == "dismiss"]
    assert 1 <= len(dismissals) <= 4, len(dismissals)  # once by the step, at most once more per later settle
    first = dismissals[0]
    after = next(e for e in events if isinstance(e, UiSnapshot) and e.seq > first.seq)
    assert after.screen_kind == "privacy_dialog"  # the prompt is still on screen, and the record says so
    assert not any(f.rule_id == "R14" for f in analyze_run(res.run_dir))


def test_static_subcommand(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["static", "microloan", "--format", "json", "--fail-on", "never"]) == 0
    out = json.loads(capsys.readouterr().out)
    text = json.dumps(out, ensure_ascii=False)
    assert "QUERY_ALL_PACKAGES" in text and "R30" in text
    assert main(["static", "microloan"]) == 0  # R30 is medium, below the default 'high'
    assert main(["static", "microloan", "--fail-on", "medium"]) == 1
    broken = tmp_path / "x.apk"
    broken.write_bytes(b"not a zip")
    assert main(["static", str(broken)]) == 2
