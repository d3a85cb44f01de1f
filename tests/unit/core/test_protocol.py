"""The agent wire protocol decoder: correct decoding, and hostile messages bounded."""

from __future__ import annotations

import json

import pytest

from harness.errors import ProtocolError
from harness.events import AgentStatus, ApiCall, AppState, ErrorRecord, PermissionRequest
from harness.instrumentation.protocol import MAX_EVENTS_PER_BATCH, MAX_FRAMES, MAX_STR, AgentDecoder


def make(clock: float = 10.0) -> AgentDecoder:
    return AgentDecoder(lambda: clock, source="frida", attribute=lambda frames, caller: "umeng" if caller.startswith("com.umeng") else "app", package="com.example.app")


def test_ready_aligns_device_clock() -> None:
    d = make(10.0)
    (ready,) = d.decode({"type": "agent:ready", "now": 5000.0, "hooks": 212, "skipped": ["Camera.open: no such class"], "pid": 77})
    assert isinstance(ready, AgentStatus) and ready.hooks == 212 and ready.skipped == ("Camera.open: no such class",)
    (ev,) = d.decode({"type": "events:add", "events": [{"k": "api", "id": "TelephonyManager.getImei", "cat": "DEVICE_ID", "ts": 5250.0, "caller": "com.umeng.a.b", "sid": "s1", "stack": ["x", "com.umeng.a.b"], "args": "", "ret": "8612", "th": "main", "tid": 1}]})
    assert isinstance(ev, ApiCall)
    assert ev.t == pytest.approx(10.25) and ev.t_device == 5250.0
    assert (ev.api_id, ev.category, ev.ret, ev.sdk, ev.thread) == ("TelephonyManager.getImei", "DEVICE_ID", "8612", "umeng", "main")


def test_stack_is_sent_once_per_call_site() -> None:
    d = make()
    d.decode({"type": "agent:ready", "now": 0})
    evs = d.decode({"type": "events:add", "events": [
        {"k": "api", "id": "a", "cat": "LOCATION", "ts": 1, "sid": "site", "stack": ["f1", "f2"], "caller": "com.x.Y.z"},
        {"k": "api", "id": "a", "cat": "LOCATION", "ts": 2, "sid": "site", "caller": "com.x.Y.z"},
    ]})
    assert [e.stack for e in evs] == [("f1", "f2"), ("f1", "f2")]  # type: ignore[attr-defined]


def test_perm_and_life_events() -> None:
    d = make()
    evs = d.decode({"type": "events:add", "events": [
        {"k": "perm", "ts": 1, "perms": ["android.permission.CAMERA", "android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_COARSE_LOCATION"], "caller": "com.example.app.Main"},
        {"k": "life", "ts": 2, "state": "background", "pid": 9},
    ]})
    assert isinstance(evs[0], PermissionRequest) and evs[0].groups == ("CAMERA", "LOCATION")
    assert isinstance(evs[1], AppState) and evs[1].state == "background" and evs[1].package == "com.example.app"


@pytest.mark.parametrize(
    "message, fragment",
    [
        ("not json at all", "not JSON"),
        ("[1,2,3]", "must be an object"),
        ({"type": "events:add", "events": "lots"}, "needs a list"),
        ({"type": "launch-missiles"}, "unknown message type"),
        ({"type": "agent:ready", "now": "noon"}, "finite number"),
        ({"type": "agent:ready", "now": float("nan")}, "finite number"),
        ("x" * (9 * 1024 * 1024), "exceeds"),
        ({"type": "send", "payload": 5}, "payload must be an object"),
    ],
)
def test_hostile_messages_become_error_records(message: object, fragment: str) -> None:
    d = make()
    with pytest.raises(ProtocolError, match=fragment):
        d.decode(message)
    (err,) = d.decode_safe(message)
    assert isinstance(err, ErrorRecord) and fragment in err.message


def test_bad_events_in_a_batch_do_not_stop_the_good_ones() -> None:
    d = make()
    good = {"k": "api", "id": "a", "cat": "DEVICE_ID", "ts": 1}
    evs = d.decode({"type": "events:add", "events": [good, {"k": "api", "ts": 1}, 7, {"k": "zzz", "ts": 1}, {"k": "api", "id": "a", "cat": "X", "ts": "x"}, good] + [{"k": "life", "ts": 1, "state": "hacked"}] * 20})
    apis = [e for e in evs if isinstance(e, ApiCall)]
    errors = [e for e in evs if isinstance(e, ErrorRecord)]
    assert len(apis) == 2
    assert 1 <= len(errors) <= 6  # bounded: five, then one summary line
    assert "more malformed events" in errors[-1].message


def test_fields_are_bounded() -> None:
    d = make()
    huge = "A" * 1_000_000
    (ev,) = d.decode(json.dumps({"type": "events:add", "events": [{"k": "api", "id": huge, "cat": huge, "ts": 1, "args": huge, "ret": {"nested": [huge]}, "stack": ["B" * 500] * 5000, "caller": huge, "th": "T" * 5000, "tid": 10**30}]}))
    assert isinstance(ev, ApiCall)
    assert len(ev.api_id) <= 128 and len(ev.args) <= MAX_STR and len(ev.ret) <= MAX_STR
    assert len(ev.stack) == MAX_FRAMES and all(len(f) <= 400 for f in ev.stack) and len(ev.thread) <= 120
    assert ev.tid == 2**31 - 1


def test_batches_over_the_limit_are_cut() -> None:
    d = make()
    evs = d.decode({"type": "events:add", "events": [{"k": "api", "id": "a", "cat": "DEVICE_ID", "ts": 1}] * (MAX_EVENTS_PER_BATCH + 10)})
    assert sum(isinstance(e, ApiCall) for e in evs) == MAX_EVENTS_PER_BATCH
    assert "10 dropped" in evs[-1].message  # type: ignore[attr-defined]


def test_frida_script_error_message_is_recorded() -> None:
    d = make()
    (ev,) = d.decode({"type": "error", "description": "ReferenceError: x is not defined", "stack": "at agent.js:1"})
    assert isinstance(ev, AgentStatus) and ev.status == "error" and "ReferenceError" in ev.message
