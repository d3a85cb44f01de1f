"""The frida source's gating policy, and the process on call events.

Spawn gating holds every new process of a device (Android: zygote's children, the app's ``:push``
and ``:remote`` processes among them). It cannot run on this host - Frida refuses it on the local
Linux device, and no Android device is attached here - so the policy the source applies to each
held spawn is tested with a stand-in device and a stand-in instrumentation (they record what the
source asks of them; no Frida runs in this file). Child gating runs for real in
tests/frida/test_frida_children.py."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from harness.detectors import analyze
from harness.errors import InputError
from harness.events import AgentStatus, ApiCall, ConsentDecision, Event, UiAction, UiSnapshot
from harness.instrumentation.base import Target
from harness.instrumentation.frida import _source_factory
from harness.instrumentation.frida_follow import FridaSource
from harness.instrumentation.protocol import AgentDecoder
from harness.instrumentation.sources import SourceSession
from harness.rundir import RunInfo
from harness.timeline import Timeline

PACKAGE = "com.example.app"


@dataclasses.dataclass
class Spawn:
    pid: int
    identifier: str


class Device:
    """Stands in for a frida Device: records gating calls and resumes."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.handlers: dict[str, list[Callable[..., None]]] = {}
        self.gating = False
        self.resumed: list[int] = []
        self.pending: list[Spawn] = []

    def on(self, signal: str, fn: Callable[..., None]) -> None:
        self.handlers.setdefault(signal, []).append(fn)

    def off(self, signal: str, fn: Callable[..., None]) -> None:
        self.handlers[signal].remove(fn)

    def enable_spawn_gating(self) -> None:
        if self.refuse:
            raise RuntimeError("not supported")
        self.gating = True

    def disable_spawn_gating(self) -> None:
        self.gating = False

    def resume(self, pid: int) -> None:
        self.resumed.append(pid)

    def enumerate_pending_spawn(self) -> list[Spawn]:
        return list(self.pending)

    def spawn_added(self, spawn: Spawn) -> None:
        for fn in list(self.handlers.get("spawn-added", [])):
            fn(spawn)


class Inst:
    """Stands in for FridaInstrumentation: records how it was made and started."""

    made: list[Inst] = []

    def __init__(self, **kw: Any) -> None:
        self.kw = kw
        self.pid: int | None = None
        self.gone = False
        self.stopped = False
        self.resumed: list[int] = []
        self.program = ""
        self.process = str(kw.get("process", ""))
        self.source_name = str(kw.get("source", "frida"))
        Inst.made.append(self)

    def start(self, target: Target, emit: Callable[[list[Event]], None], clock: Callable[[], float]) -> None:
        self.pid = target.pid

    def resume_pid(self, pid: int) -> None:
        self.resumed.append(pid)

    def enable_child_gating(self, on_child: Any) -> None:
        self.child_gating = True

    def stop(self) -> None:
        self.stopped = True


def source(device: Device, gating: str = "spawn") -> tuple[FridaSource, list[Event]]:
    Inst.made = []
    events: list[Event] = []
    lock = threading.Lock()

    def emit(evs: list[Event]) -> None:
        with lock:
            events.extend(evs)

    src = FridaSource(device="usb", mode="spawn", factory=Inst, honey=False, gating=gating, resolve=lambda spec: device)  # type: ignore[arg-type]
    src.start(SourceSession(target=Target(package=PACKAGE), emit=emit, clock=time.monotonic))
    return src, events


def settle(cond: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_apps_spawns_are_instrumented_before_they_run_and_others_resumed_untouched() -> None:
    dev = Device()
    src, events = source(dev)
    assert dev.gating
    dev.spawn_added(Spawn(101, "com.other.browser"))
    dev.spawn_added(Spawn(102, f"{PACKAGE}:push"))
    dev.spawn_added(Spawn(103, f"{PACKAGE}.evil"))  # a look-alike package is another package
    settle(lambda: 101 in dev.resumed and 103 in dev.resumed and any(i.resumed for i in Inst.made))
    assert sorted(dev.resumed) == [101, 103]  # resumed at once, nothing attached
    (push,) = Inst.made
    assert push.kw["source"] == "frida:push" and push.kw["process"] == f"{PACKAGE}:push" and push.kw["role"] == "sub"
    assert push.pid == 102 and push.resumed == [102] and src.children[102] is push  # started first, then resumed
    # the main process spawned by the system (no instrumented main alive) becomes the main
    dev.spawn_added(Spawn(104, PACKAGE))
    settle(lambda: src.main is not None)
    assert src.main is not None and src.main.pid == 104 and Inst.made[-1].kw["role"] == "main"
    dev.pending = [Spawn(105, "com.other.late")]
    src.stop()
    assert not dev.gating and 105 in dev.resumed and not dev.handlers["spawn-added"]  # nothing stays held
    assert push.stopped


def test_a_device_without_spawn_gating_says_so_and_gating_off_asks_nothing() -> None:
    src, events = source(Device(refuse=True))
    notes = [e.message for e in events if isinstance(e, AgentStatus) and e.status == "ok"]
    assert notes and notes[0].startswith("spawn gating not available on frida device usb: not supported")
    src.stop()
    dev = Device()
    src, events = source(dev, gating="off")
    assert not dev.gating and not dev.handlers and not events
    src.stop()


def test_the_gating_option() -> None:
    assert _source_factory(None, {}).gating == "spawn"  # type: ignore[union-attr]
    assert _source_factory(None, {"gating": "all"}).gating == "all"  # type: ignore[union-attr]
    with pytest.raises(InputError, match="gating must be one of spawn, all, off"):
        _source_factory(None, {"gating": "on"})


def test_call_events_carry_the_process_the_host_knows_not_what_the_agent_claims() -> None:
    dec = AgentDecoder(lambda: 1.0, source="frida:push", pid=4242, process=f"{PACKAGE}:push")
    batch = {"type": "events:add", "events": [{"k": "api", "id": "TelephonyManager.getDeviceId", "cat": "DEVICE_ID", "m": "x", "ts": 1000, "pid": 1, "process": "forged"}]}
    (call,) = dec.decode({"type": "send", "payload": batch})
    assert isinstance(call, ApiCall) and call.pid == 4242 and call.process == f"{PACKAGE}:push"
    # and it survives the timeline's JSON round trip; an old timeline without the fields reads as 0 / ''
    again = Timeline.from_events([call]).snapshot()[0]
    assert isinstance(again, ApiCall) and (again.pid, again.process) == (4242, f"{PACKAGE}:push")


def test_detectors_judge_a_sub_process_call_like_a_main_process_call() -> None:
    """The same run, once with the pre-consent IMEI read in the main process and once in the
    ``:push`` process (another pid): the same findings, with the same evidence."""

    def run(pid: int, process: str) -> list[tuple[str, str, tuple[int, ...]]]:
        events = [
            UiAction(t=0.0, action="launch"),
            UiSnapshot(t=1.0, screen_kind="privacy_dialog", package=PACKAGE, reading='{"controls":[{"role":"accept","text":"同意"},{"role":"decline","text":"不同意"},{"role":"policy_link","text":"政策"}]}'),
            ApiCall(t=1.5, source="frida", category="DEVICE_ID", sdk="com.umeng.analytics", api_id="TelephonyManager.getImei", pid=pid, process=process),
            ConsentDecision(t=2.0, choice="decline"),
            ApiCall(t=3.0, source="frida", category="LOCATION", sdk="app", api_id="LocationManager.getLastKnownLocation", pid=pid, process=process),
        ]
        info = RunInfo(run_id="r", package=PACKAGE, app="x", scenario="S2", device={}, simulated=True, harness_version="t")
        return sorted((f.rule_id, f.verdict, tuple(f.evidence)) for f in analyze(Timeline.from_events(events), info).findings)

    main = run(1000, PACKAGE)
    assert main and any(r == "R09" for r, _, _ in main)
    assert run(2000, f"{PACKAGE}:push") == main
