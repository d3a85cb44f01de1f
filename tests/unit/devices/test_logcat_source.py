"""The logcat source: the app's own process states go to the timeline; a sub-process's start
(``:push``) is passed to the other sources only (the Frida source attaches to it), never
recorded as the app's own state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.events import AppState, Event
from harness.instrumentation.base import Target
from harness.instrumentation.logcat import LogcatSource
from harness.instrumentation.sources import SourceBase, SourceSession, SourceSet

PKG = "com.example.shop"
LINES = [
    "11-28 10:15:02.114  1520  1560 I am_proc_start: [0,31337,10211,com.example.shop,pre-top-activity,{com.example.shop/com.example.shop.Main}]",
    "11-28 10:15:07.500  1520  1560 I am_proc_start: [0,31400,10211,com.example.shop:push,service,{com.example.shop/com.example.shop.push.PushService}]",
    "11-28 10:15:10.010  1520  1600 I am_proc_died: [0,31400,com.example.shop:push,905,19]",
]


class FakeCapture:
    def __init__(self, package: str, include_subprocesses: bool) -> None:
        from harness.devices.adb import LogcatParser

        self.parser = LogcatParser(package, trusted_pids=frozenset({1520}), include_subprocesses=include_subprocesses)

    def start(self, emit: Callable[[Sequence[Event]], None], clock: Callable[[], float]) -> None:
        for i, line in enumerate(LINES):
            events = self.parser.feed(line, float(i))
            if events:
                emit(events)

    def stop(self) -> None:
        pass


class FakeAdb:
    def logcat(self, package: str, *, raw_path: Any = None, include_subprocesses: bool = False) -> FakeCapture:
        return FakeCapture(package, include_subprocesses)


class Listener(SourceBase):
    name = "listener"

    def __init__(self) -> None:
        self.seen: list[AppState] = []

    def start(self, session: SourceSession) -> None:
        pass

    def stop(self) -> None:
        pass

    def on_process_event(self, event: AppState) -> None:
        self.seen.append(event)


def test_sub_processes_reach_the_sources_not_the_timeline(tmp_path: Path) -> None:
    timeline: list[Event] = []
    listener = Listener()
    sources = SourceSet([listener, LogcatSource(FakeAdb())], timeline.extend, PKG)
    sources.start(Target(package=PKG), lambda: 0.0, tmp_path, None)
    sources.stop()
    recorded = [e for e in timeline if isinstance(e, AppState)]
    assert [(e.state, e.pid) for e in recorded] == [("started", 31337)]
    assert [(e.state, e.pid) for e in listener.seen] == [("started", 31337), ("started", 31400), ("died", 31400)]
    assert "process=com.example.shop:push" in listener.seen[1].cause
