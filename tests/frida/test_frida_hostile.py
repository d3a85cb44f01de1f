"""A hostile target cannot break the host: huge strings, a huge thread name, a very deep stack,
thousands of permissions, rapid fire from several threads, and malformed agent messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from frida_support import Run, start_spawned

from harness.events import ApiCall, ErrorRecord, PermissionRequest
from harness.instrumentation.protocol import MAX_FRAMES, MAX_STR

pytestmark = pytest.mark.frida


@pytest.fixture(scope="module")
def hostile_jvm(java_exe: str, java_classes: Path) -> Iterator[Run]:
    run = start_spawned((java_exe, "-cp", str(java_classes), "com.example.app.Main"), "com.example.app")
    yield run
    run.close()


def test_huge_values_are_bounded(hostile_jvm: Run) -> None:
    mark = hostile_jvm.mark()
    assert hostile_jvm.command("hostile", timeout=120) == 6
    events = hostile_jvm.since(mark)
    assert not [e for e in events if isinstance(e, ErrorRecord)]
    calls = [e for e in events if isinstance(e, ApiCall)]
    assert [c.api_id for c in calls] == [
        "TelephonyManager.getDeviceId",
        "LocationManager.getLastKnownLocation",
        "ContentResolver.query#contacts",
        "TelephonyManager.getDeviceId",
        "TelephonyManager.getDeviceId",
    ]
    big_ret, big_arg, big_uri, named, deep = calls
    assert big_ret.ret.startswith("9999") and big_ret.ret.endswith("\u2026") and len(big_ret.ret) <= 512
    assert big_arg.args.startswith("ppp") and len(big_arg.args) <= 1024
    assert big_uri.args.startswith("content://com.android.contacts/xxx") and len(big_uri.args) <= 1024
    assert named.thread.startswith("TTTT") and len(named.thread) <= 120
    assert len(deep.stack) <= MAX_FRAMES and all(f.startswith("com.example.app.Main.deep(") for f in deep.stack)
    assert all(len(c.args) <= MAX_STR and len(c.ret) <= MAX_STR for c in calls)
    perm = next(e for e in events if isinstance(e, PermissionRequest))
    assert len(perm.permissions) == 32 and all(len(p) <= 160 for p in perm.permissions)
    assert hostile_jvm.inst.decoder is not None and hostile_jvm.inst.decoder.rejected == 0


def test_the_agent_never_splits_a_surrogate_pair(hostile_jvm: Run) -> None:
    """An emoji straddling the agent's cut used to be split, leaving a lone surrogate that made
    the timeline write fail. The cut now stops before the pair; the host sees no U+FFFD."""
    mark = hostile_jvm.mark()
    assert hostile_jvm.command("emoji", timeout=60) == 1
    events = hostile_jvm.since(mark)
    assert not [e for e in events if isinstance(e, ErrorRecord)]
    (call,) = [e for e in events if isinstance(e, ApiCall)]
    assert call.thread == "E" * 118 + "\u2026"
    assert call.ret == "R" * 510 + "\u2026"
    assert "\ufffd" not in call.thread + call.ret
    json.dumps(call.to_dict(), ensure_ascii=False).encode("utf-8")


def test_rapid_fire_from_threads_loses_nothing(hostile_jvm: Run) -> None:
    mark = hostile_jvm.mark()
    total = hostile_jvm.command("flood 1500 4", timeout=120)
    calls = [e for e in hostile_jvm.since(mark) if isinstance(e, ApiCall)]
    assert total > 1000
    assert sum(c.count for c in calls) == total
    assert {c.thread for c in calls} == {f"flood-{i}" for i in range(4)}
    stats = hostile_jvm.inst.stats()
    assert stats["calls"] >= total and stats["buffered"] == 0


def test_malformed_messages_become_error_records(hostile_jvm: Run) -> None:
    inst = hostile_jvm.inst
    mark = hostile_jvm.mark()
    hostile = [
        "not json at all",
        b"\xff\xfe" * 10,
        {"type": "send", "payload": {"type": "events:add", "events": "nope"}},
        {"type": "send", "payload": {"type": "events:add", "events": [{"k": "api", "ts": "soon"}, 7, None]}},
        {"type": "send", "payload": {"type": "mystery"}},
        {"type": "send", "payload": [1, 2, 3]},
        {"type": "error", "description": "x" * 100_000, "stack": "y" * 100_000},
        "[" * 100_000,
        "z" * (9 * 1024 * 1024),
    ]
    for msg in hostile:
        inst.handle_message(msg, None)  # never raises
    events = hostile_jvm.since(mark)
    errors = [e for e in events if isinstance(e, ErrorRecord)]
    assert len(errors) >= len(hostile) - 1
    assert all(len(e.message) <= 600 for e in errors)
    # the live session still works afterwards
    mark = hostile_jvm.mark()
    hostile_jvm.command("burst 10 1 distinct")
    assert sum(e.count for e in hostile_jvm.since(mark) if isinstance(e, ApiCall)) == 10
