"""Stack capture on runtimes without the newer ART functions (Android 6/7 lack what
Java.backtrace() needs): the Throwable route, forced on the JVM test bed, gives the same events
with the same callers; and when stack capture fails outright the events are still sent, without
a stack, with one agent error that says so. The chosen way is reported in agent:ready."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from frida_support import Run, start_spawned
from test_frida_jvm import SCENARIO, _shape, check_scenario

from harness.events import AgentStatus, ApiCall

pytestmark = pytest.mark.frida
APP = "com.example.app"


def _spawn(java_exe: str, java_classes: Path, impl: str) -> Run:
    return start_spawned((java_exe, "-cp", str(java_classes), "com.example.app.Main"), APP, agent_options={"stackImpl": impl})


@pytest.fixture(scope="module")
def jvm_throwable(java_exe: str, java_classes: Path) -> Iterator[Run]:
    run = _spawn(java_exe, java_classes, "throwable")
    yield run
    run.close()


@pytest.fixture(scope="module")
def jvm_broken(java_exe: str, java_classes: Path) -> Iterator[Run]:
    run = _spawn(java_exe, java_classes, "broken")
    yield run
    run.close()


def _ready(run: Run) -> AgentStatus:
    return next(e for e in run.since(0) if isinstance(e, AgentStatus) and e.status == "ready")


def test_throwable_route_gives_every_event_its_stack(jvm_throwable: Run) -> None:
    assert "stacks throwable (forced)" in _ready(jvm_throwable).message
    check_scenario(jvm_throwable)  # same events, callers and SDK attribution as the default way


def test_failed_stack_capture_still_sends_the_event(jvm_broken: Run) -> None:
    assert "stacks broken (forced)" in _ready(jvm_broken).message
    mark = jvm_broken.mark()
    assert jvm_broken.command("run") == 17
    events = jvm_broken.since(mark)
    # the same calls in the same order; without a stack no SDK can be named (a permission
    # request without a caller is the app's own, as the decoder reads it)
    assert [s for s in _shape(events) if s[0] != "app"] == [
        (kind, name, "app" if kind == "perm" else "") for kind, name, _sdk in SCENARIO if kind != "app"
    ]
    calls = [e for e in events if isinstance(e, ApiCall)]
    assert calls and all(c.stack == () and c.caller == "" for c in calls)
    imei = next(c for c in calls if c.api_id == "TelephonyManager.getDeviceId")
    assert imei.ret == "860000000000001"
    errors = [e for e in jvm_broken.since(0) if isinstance(e, AgentStatus) and e.status == "error"]
    assert any("stack capture failed" in e.message and "without a stack" in e.message for e in errors), errors
