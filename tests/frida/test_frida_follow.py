"""The Frida source follows the app across launches (real Frida, the project's agent, the stub
Java "app" on the local JVM): every launch after a kill is spawned under the agent again, a
warm launch is left alone, a sub-process of the package is attached to and its events are
tagged with the process name, and a process that cannot be instrumented is on record."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from frida_support import Lines

from harness.events import ApiCall, AppState, ErrorRecord
from harness.instrumentation.base import Target
from harness.instrumentation.frida_follow import FridaSource
from harness.instrumentation.sources import SourceSession, source_spec
from harness.timeline import Timeline

pytestmark = pytest.mark.frida
APP = "com.example.app"


def _session(tl: Timeline, argv: tuple[str, ...]) -> SourceSession:
    t0 = time.monotonic()
    return SourceSession(target=Target(package=APP, argv=argv), emit=tl.extend, clock=lambda: time.monotonic() - t0)


def test_the_registered_source_follows_launches() -> None:
    src = source_spec("frida").factory(None, {"frida": "spawn", "frida_device": "local"})  # type: ignore[arg-type]
    assert isinstance(src, FridaSource) and src.mode == "spawn"
    assert source_spec("frida").factory(None, {"frida": "off"}) is None  # type: ignore[arg-type]


def test_every_launch_after_a_kill_is_instrumented(java_exe: str, java_classes: Path, tmp_path: Path) -> None:
    tl = Timeline(tmp_path / "timeline.jsonl")
    lines = Lines()
    src = FridaSource(device="local", mode="spawn", options={"stdio": "pipe", "on_output": lines.feed})
    src.start(_session(tl, (java_exe, "-cp", str(java_classes), "com.example.app.Main")))
    pids: list[int] = []
    try:
        for _ in range(3):
            assert src.launch(APP) is True  # nothing instrumented is alive: the source spawns
            lines.wait("ready", 60)
            main = src.main
            assert main is not None and main.pid is not None
            pids.append(main.pid)
            assert src.launch(APP) is False  # warm launch: left to the driver
            main.input(b"run\n")
            lines.wait("done run", 90)
            main.flush()
            os.kill(main.pid, signal.SIGKILL)  # what force-stop and pm clear do to the app
            assert main.wait_gone(15)
            src.on_app_stopped(APP, "force-stop")
    finally:
        src.stop()
        tl.close()
    events = tl.snapshot()
    assert len(set(pids)) == 3
    deaths = [e for e in events if isinstance(e, AppState) and e.source == "frida" and e.state in ("died", "crashed", "exited")]
    assert sorted(e.pid for e in deaths) == sorted(pids)  # the agent's side records each kill
    imei = [e.seq for e in events if isinstance(e, ApiCall) and e.api_id == "TelephonyManager.getDeviceId"]
    bounds = [-1, *sorted(e.seq for e in deaths)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        assert any(lo < q < hi for q in imei), (lo, hi)  # the agent was in every launch's process
    assert src.launches == 3


def test_a_sub_process_is_attached_and_tagged(java_exe: str, java_classes: Path, tmp_path: Path) -> None:
    tl = Timeline(tmp_path / "timeline.jsonl")
    src = FridaSource(device="local", mode="spawn")
    session = _session(tl, (java_exe, "-cp", str(java_classes), "com.example.app.Main"))
    src.start(session)
    push = subprocess.Popen([java_exe, "-cp", str(java_classes), "com.example.app.Main"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert push.stdin is not None and push.stdout is not None
    lines = Lines()
    pump = threading.Thread(target=lines.pump, args=(push.stdout,), daemon=True)
    pump.start()
    try:
        lines.wait("ready", 60)
        # logcat reports a process of the package that nobody instrumented
        src.on_process_event(AppState(t=1.0, source="logcat", state="started", package=APP, pid=push.pid, cause="service process=com.example.app:push"))
        child = src.children.get(push.pid)
        assert child is not None
        push.stdin.write(b"run\n")
        push.stdin.flush()
        lines.wait("done run", 90)
        child.flush()
        # a process that is gone before anyone could attach is on record, with its time
        dead = subprocess.Popen(["true"])
        dead.wait(10)
        src.on_process_event(AppState(t=2.5, source="logcat", state="started", package=APP, pid=dead.pid, cause="service process=com.example.app:sync"))
    finally:
        src.stop()
        try:
            push.stdin.write(b"exit\n")
            push.stdin.flush()
        except OSError:
            pass
        try:
            push.wait(15)
        except subprocess.TimeoutExpired:
            push.kill()
            push.wait(5)
        pump.join(5)
        push.stdin.close()
        push.stdout.close()
        tl.close()
    events = tl.snapshot()
    tagged = [e for e in events if isinstance(e, ApiCall) and e.source == "frida:push"]
    assert tagged and any(e.api_id == "TelephonyManager.getDeviceId" for e in tagged)
    errors = [e for e in events if isinstance(e, ErrorRecord) and "without the agent" in e.message]
    assert errors and "com.example.app:sync" in errors[0].message and "t=2.50 s" in errors[0].message


def test_honey_values_reach_the_app_and_are_reported(java_exe: str, java_classes: Path, tmp_path: Path) -> None:
    """The agent hands the app planted identifiers instead of the real ones, reports each once
    as a HoneyPlant, and the ApiCall shows what the app got."""
    from harness.events import HoneyPlant

    tl = Timeline(tmp_path / "timeline.jsonl")
    lines = Lines()
    src = FridaSource(device="local", mode="spawn", options={"stdio": "pipe", "on_output": lines.feed})
    src.start(_session(tl, (java_exe, "-cp", str(java_classes), "com.example.app.Main")))
    try:
        assert src.launch(APP)
        lines.wait("ready", 60)
        assert src.main is not None
        src.main.input(b"run\n")
        lines.wait("done run", 90)
        src.main.flush()
    finally:
        src.stop()
        tl.close()
    events = tl.snapshot()
    planted = dict(src.planted)
    honey = [e for e in events if isinstance(e, HoneyPlant)]
    imei_calls = [e for e in events if isinstance(e, ApiCall) and e.api_id == "TelephonyManager.getDeviceId"]
    assert imei_calls and all(c.ret == planted["TelephonyManager.getDeviceId"] for c in imei_calls)
    assert all(c.ret != "860000000000001" for c in imei_calls)  # the stub's real value never shows
    by_api = {h.api_id: h for h in honey}
    assert by_api["TelephonyManager.getDeviceId"].value == planted["TelephonyManager.getDeviceId"]
    assert len([h for h in honey if h.api_id == "TelephonyManager.getDeviceId"]) == 1  # once per value
    sub = [e for e in events if isinstance(e, ApiCall) and e.api_id == "TelephonyManager.getSubscriberId"]
    assert sub and sub[0].ret == planted["TelephonyManager.getSubscriberId"]
