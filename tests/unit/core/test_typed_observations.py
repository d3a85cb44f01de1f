"""Screen readings and explore results are typed values in events, with documented bounds and a
count of whatever the bounds left out; the older JSON-in-a-string forms are still read."""

from __future__ import annotations

import json
from pathlib import Path

from harness.consent_ui import read_screen
from harness.events import (
    ExploreFound,
    ExploreResult,
    StepMarker,
    UiSnapshot,
    event_from_dict,
    explore_result,
)
from harness.observations import MAX_ITEMS, MAX_TEXT, ScreenObservation
from harness.timeline import Timeline

PRIVACY = (
    '<hierarchy rotation="0"><node class="android.widget.FrameLayout" package="com.example.shop" bounds="[0,0][1080,2400]">'
    '<node class="android.widget.TextView" text="用户协议与隐私政策" bounds="[100,400][980,500]"/>'
    '<node class="android.widget.TextView" text="我们会收集设备信息用于安全风控，请阅读《隐私政策》。" bounds="[100,520][980,900]"/>'
    '<node class="android.widget.Button" text="同意" clickable="true" bounds="[560,1000][980,1120]"/>'
    '<node class="android.widget.Button" text="不同意" clickable="true" bounds="[100,1000][520,1120]"/>'
    "</node></hierarchy>"
)


def test_a_snapshot_round_trips_as_typed_json(tmp_path: Path) -> None:
    reading = read_screen(PRIVACY)
    obs = ScreenObservation.from_mapping(reading.to_dict())
    assert obs.kind == reading.kind == "privacy_dialog"
    assert {c.role for c in obs.controls} >= {"accept", "decline"}
    assert all(c.bounds != (0, 0, 0, 0) for c in obs.controls)  # what the report's wireframe needs
    snap = UiSnapshot(t=1.0, screen_kind=obs.kind, reading=obs, texts=("用户协议与隐私政策",), texts_omitted=3)
    d = snap.to_dict()
    assert isinstance(d["reading"], dict) and d["texts"] == ["用户协议与隐私政策"] and d["texts_omitted"] == 3
    line = json.dumps(d, ensure_ascii=False)
    assert event_from_dict(json.loads(line)) == snap
    with Timeline(tmp_path / "t.jsonl") as tl:
        tl.append(snap)
    [back] = list(Timeline.read(tmp_path / "t.jsonl", strict=True))
    assert isinstance(back, UiSnapshot) and back.reading == obs and back.texts == snap.texts


def test_the_older_form_is_read_texts_included() -> None:
    old = json.dumps({"kind": "privacy_dialog", "controls": [{"role": "accept", "text": "同意"}], "texts": ["a", "b", 7]}, ensure_ascii=False)
    line = {"kind": "ui", "seq": 3, "t": 1.0, "screen_kind": "privacy_dialog", "reading": old}
    snap = event_from_dict(line)
    assert isinstance(snap, UiSnapshot)
    assert snap.reading.kind == "privacy_dialog" and snap.reading.roles() == frozenset({"accept"})
    assert snap.texts == ("a", "b")
    # also when a caller passes the older form to the constructor
    assert UiSnapshot(reading=old) == UiSnapshot(reading=snap.reading, texts=("a", "b"))
    broken = UiSnapshot(reading='{"kind": "privacy_dia')
    assert broken.reading.error and broken.texts == ()


def test_bounds_are_counted_never_silent() -> None:
    big = {
        "kind": "other",
        "controls": [{"role": "other", "text": f"c{i}"} for i in range(MAX_ITEMS + 600)],
        "reasons": ["r" * (MAX_TEXT + 10)],
    }
    obs = ScreenObservation.from_mapping(big)
    assert len(obs.controls) == MAX_ITEMS
    assert len(obs.reasons[0]) == MAX_TEXT
    assert obs.omitted == 600 + 1
    # read back from the timeline, the count stays
    again = ScreenObservation.from_mapping(obs.to_dict())
    assert again.omitted == obs.omitted and again.controls == obs.controls


def test_the_explore_result_is_a_typed_event_and_the_older_marker_reads_the_same() -> None:
    res = ExploreResult(
        seq=12,
        t=25.0,
        found=(ExploreFound("policy", 1, ("隐私政策",), "abc"), ExploreFound("delete_account", 3, ("我的", "账号与安全", "注销账号"), "d", "n")),
        missing=("withdraw", "complaint"),
        max_depth=4,
        screens=9,
        taps=9,
        complete=True,
    )
    d = json.loads(json.dumps(res.to_dict(), ensure_ascii=False))
    assert d["kind"] == "explore" and d["found"][1]["path"] == ["我的", "账号与安全", "注销账号"]
    assert event_from_dict(d) == res
    assert explore_result(res) is res and res.target("policy") is not None
    legacy = StepMarker(
        seq=12,
        t=25.0,
        index=-1,
        step="explore",
        phase="result",
        status="ok",
        message=json.dumps({"found": {f.target: f.entry() for f in res.found}, "missing": list(res.missing), "max_depth": 4, "screens": 9, "taps": 9, "complete": True}, ensure_ascii=False),
    )
    assert explore_result(legacy) == res
    assert explore_result(StepMarker(step="explore", phase="result", message="{cut")) is None
    assert explore_result(StepMarker(step="explore", phase="end")) is None
