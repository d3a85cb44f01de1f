"""The ``logcat`` event source: process starts, deaths, crashes and ANRs of the app from the
system's event log (:class:`harness.devices.adb.LogcatCapture`), on any device kind whose driver
has an adb connection (``driver.adb``). The raw lines are kept as ``logcat.txt`` in the run
folder. Events reach the timeline through an :class:`~harness.instrumentation.protocol.EmitGuard`,
as every source's do: a failing emit is recorded, never raised into the reader thread."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from harness.events import AppState, Event
from harness.instrumentation.protocol import EmitGuard
from harness.instrumentation.sources import SourceBase, SourceSession, register_source

if TYPE_CHECKING:
    from harness.devices.base import Driver

__all__ = ["LogcatSource"]


class LogcatSource(SourceBase):
    """AppState events from the device's events buffer, for the run's package."""

    name = "logcat"
    hook_pack = ""

    def __init__(self, adb: Any) -> None:
        self.adb = adb
        self.capture: Any = None
        self._emit: EmitGuard | None = None

    def start(self, session: SourceSession) -> None:
        raw = session.run_dir / "logcat.txt" if session.run_dir is not None else None
        self._emit = EmitGuard(session.emit, session.clock, self.name)
        self.capture = self.adb.logcat(session.target.package, raw_path=raw, include_subprocesses=True)
        self.capture.start(lambda events: self._split(session, events), session.clock)

    def _split(self, session: SourceSession, events: Sequence[Event]) -> None:
        """The app's own process states go to the timeline; a sub-process's (``:push`` ...) only
        to the other sources (the Frida source attaches to it), since detectors read the app's
        own process. The raw lines of both stay in logcat.txt."""
        sub = f"process={session.target.package}:"
        keep: list[Event] = []
        for ev in events:
            if isinstance(ev, AppState) and sub in ev.cause:
                if session.notify is not None:
                    session.notify(ev)
            else:
                keep.append(ev)
        if keep and self._emit is not None:
            self._emit(keep)

    def stop(self) -> None:
        try:
            if self.capture is not None:
                self.capture.stop()
        finally:
            if self._emit is not None:
                self._emit.finish()


def _factory(driver: Driver, options: Mapping[str, str]) -> LogcatSource | None:
    adb = getattr(driver, "adb", None)
    return LogcatSource(adb) if adb is not None else None


register_source("logcat", _factory, summary="process starts, deaths, crashes and ANRs from the device's event log (adb logcat)")
