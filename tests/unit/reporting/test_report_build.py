"""Loading a run folder for the reports: derived views, and tolerance of missing or bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportkit import make_run

from harness.errors import InputError
from harness.events import UiSnapshot
from harness.reporting.build import build_reports, clip, load_run, scenario_description
from harness.timeline import Timeline


def test_phases_background_and_groups(tmp_path: Path) -> None:
    data = load_run(make_run(tmp_path), lang="en")
    assert [p.phase for p in data.phases] == ["pre_prompt", "prompt", "declined"]
    assert data.phases[0].t1 == pytest.approx(1.5)  # the privacy dialog is first read at 1.5 s
    assert data.phases[1].t1 == pytest.approx(3.6)  # declined (through the second confirm) at 3.6 s
    assert data.phase_at(0.8) == "pre_prompt"
    assert data.phase_at(2.0) == "prompt"
    assert data.phase_at(26.0) == "declined"
    [(bg_start, bg_end)] = data.background
    assert bg_start == pytest.approx(20.1) and bg_end == pytest.approx(40.2)
    assert data.in_background(26.0) and not data.in_background(44.0)

    groups = {(g.category, g.phase, g.sdk): g for g in data.api_groups()}
    imei_after = groups[("DEVICE_ID", "declined", "umeng")]
    assert imei_after.calls == 6 and imei_after.first_t == pytest.approx(5.0) and imei_after.last_t == pytest.approx(15.0)
    assert groups[("LOCATION", "declined", "baidu_location")].calls == 3  # count=3 on one event
    assert groups[("DEVICE_ID", "pre_prompt", "app")].apis == {"settings.androidId": 1}


def test_phases_come_from_the_analysis_and_old_analyses_are_rebuilt_alike(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    stored = load_run(run, lang="en")
    doc = json.loads((run / "analysis.json").read_text(encoding="utf-8"))
    # the report shows what analysis.json says, not a phase of its own making
    doc["consent_phases"]["changes"] = [{"t": 0.5, "seq": 1, "phase": "accepted"}]
    (run / "analysis.json").write_text(json.dumps(doc), encoding="utf-8")
    told = load_run(run, lang="en")
    assert told.phase_at(0.4) == "pre_prompt" and told.phase_at(0.5) == "accepted" and told.phase_at(30.0) == "accepted"
    # an analysis written before phases were stored: rebuilt by the detectors' rules, with a note
    del doc["consent_phases"]
    (run / "analysis.json").write_text(json.dumps(doc), encoding="utf-8")
    old = load_run(run, lang="en")
    assert [(p.phase, p.t0, p.t1) for p in old.phases] == [(p.phase, p.t0, p.t1) for p in stored.phases]
    assert any("rebuilt from the timeline" in n.message for n in old.notes)
    # an unreadable stored form is said so, and rebuilt as well
    doc["consent_phases"] = {"changes": [{"t": 1.0, "seq": 1, "phase": "after_decline"}]}
    (run / "analysis.json").write_text(json.dumps(doc), encoding="utf-8")
    bad = load_run(run, lang="en")
    assert [p.phase for p in bad.phases] == [p.phase for p in stored.phases]
    assert any(n.level == "warning" and "consent_phases unreadable" in n.message for n in bad.notes)


def test_counts_and_overall(tmp_path: Path) -> None:
    data = load_run(make_run(tmp_path), lang="en")
    assert data.severity_counts() == {"high": 2, "medium": 1, "low": 1, "info": 1}
    assert data.verdict_counts() == {"violation": 3, "needs-review": 1, "info": 1}
    assert data.problem_type_counts()["T3"] == 4 and data.problem_type_counts()["T4"] == 2
    assert data.overall() == ("violation", "3 violations found")
    assert [f.rule_id for f in data.findings][:2] == ["R09", "R10"]  # worst first, then by time
    assert [r for r, _ in data.rules_checked()] == ["R01", "R09", "R10", "R22", "R26", "R27", "R33", "R42"]
    assert data.errors()[-1]["source"] == "detector" and data.errors()[-1]["where"] == "R26"


def test_screens_dedupe_and_embed(tmp_path: Path) -> None:
    data = load_run(make_run(tmp_path), lang="en")
    screens = data.screens()
    assert [s.kind for s in screens] == ["privacy_dialog", "second_confirm", "permission_dialog"]
    assert screens[0].image_src.startswith("data:image/png;base64,")
    assert screens[0].image_path == "screens/7.png" and screens[0].xml_path == "screens/7.xml"
    assert screens[1].image_src == ""  # no screenshot recorded for the second confirm
    linked = data.screens(embed=False)
    assert linked[0].image_src == "screens/7.png"


def test_screenshot_path_outside_run_folder_is_ignored(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    run = tmp_path / "run"
    run.mkdir()
    with Timeline(run / "timeline.jsonl") as tl:
        tl.append(UiSnapshot(t=1.0, screen_kind="privacy_dialog", screenshot_path="../secret.png", hierarchy_path="/etc/passwd"))
    (run / "findings.jsonl").write_text("", encoding="utf-8")
    [view] = load_run(run, lang="en").screens()
    assert view.image_src == "" and view.xml_path == ""


def test_missing_everything_but_the_folder(tmp_path: Path) -> None:
    run = tmp_path / "empty-run"
    run.mkdir()
    data = load_run(run, lang="en")
    text = " ".join(n.message for n in data.notes)
    assert "run.json is missing" in text and "timeline.jsonl is missing" in text and "findings.jsonl is missing" in text
    assert data.run_id == "empty-run" and data.events == [] and data.findings == []
    assert data.overall()[0] == "not-analysed"
    written = build_reports(run, lang="en")
    assert set(written) == {"html", "xlsx", "json", "junit"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in written.values())


def test_killed_run_without_findings_says_so(tmp_path: Path) -> None:
    run = make_run(tmp_path, with_findings=False, with_analysis=False)
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    info["status"] = "running"
    (run / "run.json").write_text(json.dumps(info), encoding="utf-8")
    data = load_run(run, lang="en")
    messages = [n.message for n in data.notes]
    assert any("not been analysed" in m for m in messages)
    assert any("did not finish normally" in m for m in messages)
    assert not data.has_findings and data.overall()[0] == "not-analysed"


def test_malformed_lines_become_notes(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    lines = (run / "timeline.jsonl").read_text(encoding="utf-8").splitlines()
    n_events = len(lines)
    lines.insert(3, "{not json")
    lines.insert(5, json.dumps({"kind": "warp-drive", "t": 1}))
    lines.insert(7, json.dumps({"kind": "api", "t": "NaN-ish"}))
    lines.append('{"kind":"api","t":1e999}')  # infinite time
    lines.append('{"kind": "api", "t": 3.0, "api_i')  # truncated by a kill
    (run / "timeline.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with open(run / "findings.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"rule_id": "R99", "severity": "catastrophic", "verdict": "violation"}) + "\n")
        fh.write("[1, 2, 3]\n")
    (run / "analysis.json").write_text("{broken", encoding="utf-8")
    data = load_run(run, lang="en")
    assert len(data.events) == n_events
    assert len(data.findings) == 5
    notes = " | ".join(n.message for n in data.notes)
    assert "timeline.jsonl line 4" in notes and "unknown event kind" in notes
    assert "time is not a finite number" in notes
    assert "severity must be one of" in notes
    assert "analysis (analysis.json) is not valid JSON" in notes
    assert data.analysis is None


def test_missing_folder_and_bad_format_raise_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="run folder not found"):
        load_run(tmp_path / "nope", lang="en")
    run = make_run(tmp_path)
    with pytest.raises(InputError, match="unknown report format"):
        build_reports(run, ("html", "pdf"), lang="en")
    with pytest.raises(InputError, match="fail_on"):
        build_reports(run, ("junit",), fail_on="extreme", lang="en")


def test_build_reports_writes_only_what_is_asked(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    out = build_reports(run, ("json",), lang="en")
    assert out == {"json": run / "findings.json"}
    assert not (run / "report.html").exists() and not (run / "junit.xml").exists()
    assert not list(run.glob(".*.tmp"))  # temporary files are renamed into place


def test_helpers() -> None:
    assert clip("a\x00b\x1bc", 10) == "abc"
    assert clip("x" * 50, 10) == "x" * 9 + "…"
    assert scenario_description("S2-decline").startswith("Decline the privacy policy")
    assert scenario_description("s1") .startswith("Observe")
    assert scenario_description("custom") == ""
    assert scenario_description("S1", {"scenario_description": "own words"}) == "own words"


def test_light_loading_keeps_only_the_asked_kinds(tmp_path: Path) -> None:
    run = make_run(tmp_path, extra_api_calls=50)
    full = load_run(run, lang="en")
    light = load_run(run, events_kinds=frozenset({"error", "step"}), lang="en")
    assert {e.kind for e in light.events} == {"error", "step"}
    assert [e.seq for e in light.events] == [e.seq for e in full.events if e.kind in ("error", "step")]
    assert light.errors() == full.errors() and light.findings == full.findings


def test_analysis_notes_are_shown(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    doc = json.loads((run / "analysis.json").read_text(encoding="utf-8"))
    doc["notes"] = ["app-type profile unknown: necessity rules skipped"]
    (run / "analysis.json").write_text(json.dumps(doc), encoding="utf-8")
    notes = load_run(run, lang="en").notes
    assert [(n.level, n.message) for n in notes] == [("info", "analysis: app-type profile unknown: necessity rules skipped")]
