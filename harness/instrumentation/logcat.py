"""The ``logcat`` event source: process starts, deaths, crashes and ANRs of the app from the
system's event log (:class:`harness.devices.adb.LogcatCapture`), on any device kind whose driver
has an adb connection (``driver.adb``). The raw lines are kept as ``logcat.txt`` in the run
folder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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

    def start(self, session: SourceSession) -> None:
        raw = session.run_dir / "logcat.txt" if session.run_dir is not None else None
        self.capture = self.adb.logcat(session.target.package, raw_path=raw)
        self.capture.start(session.emit, session.clock)

    def stop(self) -> None:
        if self.capture is not None:
            self.capture.stop()




def _factory(driver: Driver, options: Mapping[str, str]) -> LogcatSource | None:
    adb = getattr(driver, "adb", None)
    return LogcatSource(adb) if adb is not None else None


register_source("logcat", _factory, summary="process starts, deaths, crashes and ANRs from the device's event log (adb logcat)")
