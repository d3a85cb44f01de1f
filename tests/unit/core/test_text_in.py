"""App text entering the harness (issue 12, High 1): lone UTF-16 surrogates never cost evidence.

One sanitiser (harness.sanitize) at every boundary; the timeline writes first and keeps in memory
only what reached the disk; an emit that fails is recorded, not swallowed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import yamlio
from harness.errors import RecordError
from harness.events import ApiCall, ErrorRecord, Event, RunMarker
from harness.instrumentation.protocol import AgentDecoder, EmitGuard
from harness.sanitize import clean_text, clean_value, has_lone_surrogate
from harness.timeline import Timeline

LONE_HIGH = "\ud83d"  # first half of 😀 (U+1F600)
LONE_LOW = "\ude00"


def test_clean_text_replaces_lone_surrogates_and_joins_pairs() -> None:
    assert clean_text("plain") == "plain"
    assert clean_text("中文 ok") == "中文 ok"
    assert clean_text(f"umeng-{LONE_HIGH}") == "umeng-\ufffd"
    assert clean_text(f"{LONE_LOW}x{LONE_HIGH}") == "\ufffdx\ufffd"
    assert clean_text(LONE_HIGH + LONE_LOW) == "\U0001f600"  # a pair held as two code points
    assert not has_lone_surrogate(clean_text(f"a{LONE_HIGH}b"))
    clean_text("x").encode("utf-8")


def test_clean_value_keeps_container_types_and_line_numbers() -> None:
    data = yamlio.load("a: ok\nb: [x, y]\n", "m.yaml")
    data["b"].append(f"z{LONE_HIGH}")
    data[f"k{LONE_LOW}"] = {"deep": [f"v{LONE_HIGH}"]}
    out = clean_value(data)
    assert isinstance(out, yamlio.MarkedDict) and out.line_of("b") == 2
    assert isinstance(out["b"], yamlio.MarkedList) and out["b"][-1] == "z\ufffd"
    assert out["k\ufffd"] == {"deep": ["v\ufffd"]}
    untouched = {"a": ["b"]}
    assert clean_value(untouched) is untouched


def test_yaml_reader_cleans_surrogate_escapes() -> None:
    data = yamlio.load('label: "shop \\ud83d"\nthread: "\\ud83d\\ude00"\n', "model.yaml")
    assert data["label"] == "shop \ufffd"
    assert data["thread"] == "\U0001f600"


def _decoder() -> AgentDecoder:
    return AgentDecoder(lambda: 1.0, source="frida", attribute=lambda frames, caller: "com.umeng" if "umeng" in caller else "app")


def test_decoder_cleans_every_string_field() -> None:
    d = _decoder()
    raw = {
        "type": "events:add",
        "events": [
            {
                "k": "api",
                "id": f"TelephonyManager.getImei{LONE_HIGH}",
                "cat": "device_id",
                "m": f"m{LONE_LOW}",
                "ts": 1000,
                "th": "umeng-" + LONE_HIGH,
                "args": LONE_HIGH,
                "ret": "861234567890123" + LONE_HIGH,
                "caller": "com.umeng.A.b(A.java:1)" + LONE_HIGH,
                "sid": "s1",
                "stack": ["com.umeng.A.b(A.java:1)" + LONE_LOW],
            },
            {"k": "perm", "ts": 1000, "perms": ["android.permission.CAMERA" + LONE_HIGH], "api": LONE_HIGH},
            {"k": "life", "ts": 1000, "state": "started", "activity": "x" + LONE_HIGH, "cause": LONE_LOW},
        ],
    }
    # both as a dict and as JSON text with \\ud83d escapes (what a Frida message carries)
    for message in (raw, json.dumps(raw)):
        events = d.decode_safe(message)
        assert [e.kind for e in events] == ["api", "perm_request", "app"]
        for ev in events:
            line = json.dumps(ev.to_dict(), ensure_ascii=False)
            line.encode("utf-8")  # would raise on a lone surrogate
            assert "\ufffd" in line
        api = events[0]
        assert isinstance(api, ApiCall) and api.thread == "umeng-\ufffd" and api.sdk == "com.umeng"


def test_agent_error_and_ready_messages_are_cleaned() -> None:
    d = _decoder()
    (ready,) = d.decode_safe({"type": "agent:ready", "now": 5, "hooks": 3, "skipped": ["a" + LONE_HIGH], "version": LONE_LOW})
    (err,) = d.decode_safe({"type": "agent:error", "where": LONE_HIGH, "message": "boom" + LONE_LOW})
    for ev in (ready, err):
        json.dumps(ev.to_dict(), ensure_ascii=False).encode("utf-8")


def test_timeline_writes_an_unencodable_event_cleaned_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "timeline.jsonl"
    with Timeline(path) as tl:
        tl.append(RunMarker(t=0.0, phase="start"))
        out = tl.extend([ApiCall(t=1.0, api_id="a", category="device_id", thread="umeng-" + LONE_HIGH), ApiCall(t=1.1, api_id="b", category="device_id")])
        assert [type(e).__name__ for e in out] == ["ApiCall", "ApiCall", "ErrorRecord"]
        in_memory = [e.to_dict() for e in tl]
    on_disk = [e.to_dict() for e in Timeline.read(path, strict=True)]
    assert on_disk == in_memory and len(on_disk) == 4
    assert on_disk[1]["thread"] == "umeng-\ufffd" and on_disk[2]["api_id"] == "b"
    assert on_disk[3]["kind"] == "error" and "surrogate" in on_disk[3]["message"]


class _BrokenFile:
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_timeline_keeps_nothing_in_memory_that_failed_to_reach_disk(tmp_path: Path) -> None:
    tl = Timeline(tmp_path / "timeline.jsonl")
    tl.append(RunMarker(t=0.0, phase="start"))
    real = tl._fh
    tl._fh = _BrokenFile()  # type: ignore[assignment]  # the disk fills up
    try:
        with pytest.raises(RecordError, match="No space left"):
            tl.extend([ApiCall(t=1.0, api_id="a", category="device_id")])
        assert len(tl) == 1  # memory never holds more than the disk
    finally:
        tl._fh = real
        tl.close()


def test_timeline_refuses_to_append_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "timeline.jsonl"
    with Timeline(path) as tl:
        tl.append(RunMarker(t=0.0, phase="start"))
    with pytest.raises(RecordError, match="already exists"):
        Timeline(path)
    assert len(Timeline.read(path)) == 1


def test_emit_guard_records_a_failed_emit() -> None:
    recorded: list[Event] = []
    fail = {"n": 1}

    def emit(events: list[Event]) -> None:
        if fail["n"]:
            fail["n"] -= 1
            raise RecordError("timeline.jsonl: writing 2 event(s) failed: disk full")
        recorded.extend(events)

    guard = EmitGuard(emit, lambda: 2.0, "frida")
    guard([ApiCall(t=1.0, api_id="a", category="x"), ApiCall(t=1.0, api_id="b", category="x")])
    guard.finish()
    errs = [e for e in recorded if isinstance(e, ErrorRecord)]
    assert len(errs) == 2 and "2 event(s) could not be recorded" in errs[0].message and "disk full" in errs[0].message
    assert "1 emit(s) failed" in errs[1].message and "2 event(s) lost" in errs[1].message


def test_frida_message_path_records_emit_failures_instead_of_counting_them() -> None:
    """The Frida callback used to swallow a failed emit into a counter nothing reported."""
    from harness.instrumentation.frida import FridaInstrumentation

    inst = FridaInstrumentation()
    recorded: list[Any] = []
    calls = {"n": 0}

    def emit(events: list[Event]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("consumer bug")
        recorded.extend(events)

    inst._emit = emit
    inst._clock = lambda: 3.0
    inst._guard = EmitGuard(emit, inst._clock, "frida")
    inst.decoder = AgentDecoder(inst._clock, source="frida")
    inst.handle_message({"type": "send", "payload": {"type": "events:add", "events": [{"k": "life", "ts": 1, "state": "started"}]}})
    assert inst.emit_errors == 1
    assert [e.where for e in recorded if isinstance(e, ErrorRecord)] == ["emit"]
    assert "consumer bug" in recorded[0].message
