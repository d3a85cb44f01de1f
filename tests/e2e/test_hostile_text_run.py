"""Issue 12 regressions on the reference device (SIMULATED): a lone UTF-16 surrogate in app
text costs no evidence, and U+2028-style separators in finding messages do not break reading.

The surrogate case is the one the adversarial pass found: one thread name holding half of an
emoji cut demo-precollect's S2 findings from 9 to 5 and lost the pre-consent device-ID
findings."""

from __future__ import annotations

import json
from pathlib import Path

from harness.devices.sim import SimDriver, SimInstrumentation
from harness.events import ApiCall, ErrorRecord, UiSnapshot
from harness.pipeline import analyze_run, read_findings, resolve_app
from harness.rundir import RunDir
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline

MODEL = Path(__file__).resolve().parents[2] / "harness" / "devices" / "sim" / "apps" / "demo-precollect.yaml"


def _run(tmp_path: Path, model: Path, scenario: str, driver: SimDriver | None = None) -> Path:
    driver = driver or SimDriver()
    app = resolve_app(driver, str(model))
    (sc,) = resolve_scenarios(scenario)
    return Runner(driver, SimInstrumentation(driver), tmp_path, hook_pack="sim").run(app, sc, app_ref=model.stem).run_dir


def _poisoned(tmp_path: Path) -> Path:
    text = MODEL.read_text(encoding="utf-8")
    first = text.index("thread: umeng-init}")
    bad = text[:first] + 'thread: "umeng-init-\\ud83d"}' + text[first + len("thread: umeng-init}") :]
    assert bad != text
    path = tmp_path / "precollect-surrogate.yaml"
    path.write_text(bad, encoding="utf-8")
    return path


def test_a_surrogate_in_a_thread_name_loses_no_finding(tmp_path: Path) -> None:
    clean_run = _run(tmp_path / "clean", MODEL, "S2")
    clean = sorted((f.rule_id, f.category, f.sdk) for f in analyze_run(clean_run))
    assert len(clean) >= 9

    bad_run = _run(tmp_path / "bad", _poisoned(tmp_path), "S2")
    bad = sorted((f.rule_id, f.category, f.sdk) for f in analyze_run(bad_run))
    assert bad == clean
    events = list(Timeline.read(RunDir(bad_run).timeline, strict=True))
    threads = {e.thread for e in events if isinstance(e, ApiCall)}
    assert "umeng-init-\ufffd" in threads
    assert RunDir(bad_run).read_info().status == "completed"


class _HostileScreenDriver(SimDriver):
    """The reference device, but every screen dump carries a lone surrogate in a text (an
    app label cut in the middle of an emoji by the UI layer)."""

    def hierarchy(self) -> str:
        xml = super().hierarchy()
        return xml.replace('text="', 'text="\ud83d', 1)


def test_a_surrogate_in_a_screen_dump_is_recorded_cleaned(tmp_path: Path) -> None:
    run = _run(tmp_path, MODEL, "S2", driver=_HostileScreenDriver())
    rd = RunDir(run)
    events = list(Timeline.read(rd.timeline, strict=True))
    snaps = [e for e in events if isinstance(e, UiSnapshot)]
    assert snaps and any("\ufffd" in json.dumps(s.to_dict(), ensure_ascii=False) for s in snaps)
    assert not [e for e in events if isinstance(e, ErrorRecord) and e.where in ("timeline", "emit")]
    dumps = list(rd.screens.glob("*.xml"))
    assert dumps and any("\ufffd" in p.read_text(encoding="utf-8") for p in dumps)
    assert rd.read_info().status == "completed"


def test_line_separators_in_finding_messages_do_not_break_reading(tmp_path: Path) -> None:
    """Finding messages quote app text (component names, labels). U+2028, U+2029 and U+0085 are
    line breaks for str.splitlines but legal, unescaped characters inside a JSON string."""
    from harness.batch.store import _read_timeline
    from harness.reporting.build import load_run

    run = _run(tmp_path, MODEL, "S2")
    findings = analyze_run(run)
    rd = RunDir(run)
    lines = rd.findings.read_text(encoding="utf-8").split("\n")
    hostile = "Receiver\u2028com.evil\u2029Name\u0085x\x0bv\x0cf\x1cg\x1dh\x1ei"
    first = json.loads(lines[0])
    first["message"] = first["message"] + " " + hostile
    lines[0] = json.dumps(first, ensure_ascii=False)
    rd.findings.write_text("\n".join(lines), encoding="utf-8")
    assert "\u2028" in rd.findings.read_text(encoding="utf-8")  # written raw, as json.dumps does

    got = read_findings(run)
    assert len(got) == len(findings)
    assert any(f.message.endswith(hostile) for f in got)
    data = load_run(run)
    assert len(data.findings) == len(findings) and not [n for n in data.notes if "unreadable" in n.message]

    # the same characters inside timeline events: every reader agrees with the writer
    with Timeline(tmp_path / "t" / "timeline.jsonl") as tl:
        tl.append(ApiCall(t=1.0, api_id="a", category="device_id", thread=hostile, caller=hostile))
        tl.append(ApiCall(t=2.0, api_id="b", category="device_id"))
    assert [e.thread for e in Timeline.read(tmp_path / "t" / "timeline.jsonl", strict=True)] == [hostile, ""]
    control, calls = _read_timeline(tmp_path / "t" / "timeline.jsonl")
    assert [c["thread"] for c in calls] == [hostile, ""]
