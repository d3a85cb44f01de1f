"""Events round-trip through JSONL; the timeline is append-only, thread-safe and typed."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from harness.events import (
    EVENT_TYPES,
    ApiCall,
    AppState,
    ConsentDecision,
    PermissionRequest,
    UiSnapshot,
    event_from_dict,
)
from harness.timeline import FRAME_COLUMNS, Timeline


def test_every_event_type_round_trips() -> None:
    samples = {
        "api": ApiCall(t=1.5, api_id="TelephonyManager.getImei", category="DEVICE_ID", stack=("a.b.C.d(X.java:1)",), sdk="umeng", count=3),
        "perm_request": PermissionRequest(t=2.0, permissions=("android.permission.CAMERA",), groups=("CAMERA",)),
        "consent": ConsentDecision(t=3.0, subject="privacy_policy", choice="decline", taps=2),
        "app": AppState(t=4.0, state="background"),
        "ui": UiSnapshot(t=5.0, screen_kind="privacy_dialog", reading='{"kind":"privacy_dialog"}'),
    }
    for kind, cls in EVENT_TYPES.items():
        ev = samples.get(kind, cls(t=0.25))
        back = event_from_dict(json.loads(json.dumps(ev.stamped(7).to_dict())))
        assert back == ev.stamped(7), kind


def test_event_from_dict_rejects_wrong_types() -> None:
    with pytest.raises(ValueError, match="unknown event kind"):
        event_from_dict({"kind": "nope"})
    with pytest.raises(ValueError, match="expected a number"):
        event_from_dict({"kind": "api", "t": "soon"})
    with pytest.raises(ValueError, match="expected a list"):
        event_from_dict({"kind": "api", "stack": "a.b"})


def test_timeline_stamps_seq_and_mirrors_to_disk(tmp_path: Path) -> None:
    path = tmp_path / "timeline.jsonl"
    with Timeline(path) as tl:
        a = tl.append(AppState(t=0.1, state="started"))
        rest = tl.extend([ApiCall(t=0.2, api_id="x", category="DEVICE_ID"), ApiCall(t=0.3, api_id="y", category="LOCATION")])
    assert [a.seq] + [e.seq for e in rest] == [0, 1, 2]
    again = Timeline.read(path)
    assert [e.seq for e in again] == [0, 1, 2]
    assert again[1] == rest[0]


def test_timeline_is_thread_safe(tmp_path: Path) -> None:
    tl = Timeline(tmp_path / "t.jsonl")

    def worker(n: int) -> None:
        for i in range(500):
            tl.append(ApiCall(t=float(i), api_id=f"w{n}", category="DEVICE_ID"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    tl.close()
    seqs = [e.seq for e in tl]
    assert seqs == list(range(2000))
    assert [e.seq for e in Timeline.read(tmp_path / "t.jsonl")] == seqs


def test_truncated_last_line_is_dropped_but_a_bad_middle_line_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with Timeline(path) as tl:
        tl.append(AppState(t=0.1, state="started"))
        tl.append(AppState(t=0.2, state="foreground"))
    text = path.read_text()
    path.write_text(text + '{"kind":"api","t":0.3,"api_')
    assert len(Timeline.read(path)) == 2
    with pytest.raises(ValueError, match=":3: unreadable"):
        Timeline.read(path, strict=True)
    lines = text.splitlines()
    path.write_text(lines[0] + "\nnot json\n" + lines[1] + "\n")
    with pytest.raises(ValueError, match=":2: unreadable"):
        Timeline.read(path)


def test_to_frame_has_typed_columns() -> None:
    tl = Timeline.from_events([AppState(t=0.1, state="started"), ApiCall(t=0.2, api_id="x", category="DEVICE_ID", sdk="umeng"), PermissionRequest(t=0.3, groups=("CAMERA", "LOCATION"))])
    df = tl.to_frame()
    assert list(df.columns) == list(FRAME_COLUMNS)
    assert str(df["seq"].dtype) == "int64" and str(df["t"].dtype) == "float64"
    assert str(df["category"].dtype) == "category"
    assert df.loc[1, "sdk"] == "umeng"
    assert df.loc[2, "groups"] == "CAMERA,LOCATION"
    assert df["kind"].tolist() == ["app", "api", "perm_request"]
