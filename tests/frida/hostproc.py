"""A test-only device kind, ``hostproc``: the reference device's screens with a real process
under the real Frida agent behind them.

No Android boots here, yet the real instrumentation path must be tried where apps really die.
On this kind the screens, taps and permission dialogs come from a reference-app model (the sim
engine), while the app's *process* is the stub Java "app" (tests/frida/java) on the local JVM:

- launching the app spawns that JVM under the agent (the ``hostproc-frida`` source, a
  :class:`FridaSource` with the JVM command line), and opens the model's first screen;
- force-stop and clear kill every JVM of the run, as ``am force-stop`` and ``pm clear`` do;
- each launch also starts a second, uninstrumented JVM of the same "package" standing in for a
  ``:push`` sub-process, reported the way logcat reports a process start, so the Frida source
  must find and attach to it.

The stub collects device identifiers (through a stub of the umeng SDK) as soon as it starts, so
every launch must leave API events from the agent in the timeline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.devices.kinds import DeviceKind, DeviceRequest, register_kind, unregister_kind
from harness.devices.sim.driver import SimDriver
from harness.events import AppState
from harness.instrumentation.frida_follow import FridaSource
from harness.instrumentation.sources import SourceSession, register_source, unregister_source

NAME = "hostproc"


def _read_until(proc: subprocess.Popen[bytes], prefix: bytes, timeout: float) -> bytes:
    """The first stdout line of ``proc`` starting with ``prefix``; AssertionError on EOF or when
    ``timeout`` seconds pass (never blocks forever)."""
    import select
    import time

    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    buf = b""
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.startswith(prefix):
                return line
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {prefix!r} line from pid {proc.pid} within {timeout} s")
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"pid {proc.pid} closed its output before a {prefix!r} line")
            buf += chunk


class HostProcDriver(SimDriver):
    backend = NAME

    def __init__(self, java: str, classes: Path) -> None:
        super().__init__()
        self.java = java
        self.classes = classes
        self.marker = f"-Dch.run={uuid.uuid4().hex}"
        self.extra: list[subprocess.Popen[bytes]] = []

    def argv(self) -> tuple[str, ...]:
        return (self.java, self.marker, "-cp", str(self.classes), "com.example.app.Main")

    def _kill_all(self) -> None:
        import psutil

        for p in psutil.process_iter(["pid", "cmdline"]):
            cmd = p.info.get("cmdline") or []
            if self.marker in cmd:
                try:
                    os.kill(p.info["pid"], signal.SIGKILL)
                except OSError:
                    pass
        for proc in self.extra:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            for s in (proc.stdin, proc.stdout):
                if s is not None:
                    s.close()
        self.extra.clear()

    def stop(self, package: str) -> None:
        self._kill_all()
        super().stop(package)

    def clear_data(self, package: str) -> None:
        self._kill_all()
        super().clear_data(package)

    def close(self) -> None:
        self._kill_all()
        super().close()


class HostProcFrida(FridaSource):
    """The Frida source of this kind: spawns the JVM for the app, opens the model's screens,
    and starts the ``:push`` stand-in after each cold launch."""

    def __init__(self, driver: HostProcDriver) -> None:
        super().__init__(device="local", mode="spawn", options={"stdio": "pipe"})
        self.driver = driver
        self.session: SourceSession | None = None

    def start(self, session: SourceSession) -> None:
        self.session = SourceSession(
            target=session.target.__class__(package=session.target.package, argv=self.driver.argv()),
            emit=session.emit,
            clock=session.clock,
            run_dir=session.run_dir,
            driver=session.driver,
            notify=session.notify,
        )
        super().start(self.session)

    def launch(self, package: str) -> bool:
        cold = super().launch(package)
        if not cold:
            return False
        SimDriver.launch(self.driver, package)
        push = subprocess.Popen(self.driver.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.driver.extra.append(push)
        assert push.stdout is not None
        _read_until(push, b"ready", 60)  # its start-up calls are done, uninstrumented
        s = self.session
        assert s is not None
        # as the logcat source does: the other sources hear of it, the timeline does not
        assert s.notify is not None
        s.notify(AppState(t=s.clock(), source="logcat", state="started", package=package, pid=push.pid, cause=f"service process={package}:push"))
        child = self.children.get(push.pid)
        if child is not None:  # attached: what the sub-process does from now on is recorded
            assert push.stdin is not None
            push.stdin.write(b"run\n")
            push.stdin.flush()
            _read_until(push, b"done run", 90)
            child.flush()
        return True


def register(java: str, classes: Path) -> None:
    def _open(request: DeviceRequest) -> HostProcDriver:
        return HostProcDriver(java, classes)

    from harness.devices.sim.kind import KIND as SIM

    register_kind(
        DeviceKind(
            name=NAME,
            summary="test only: reference-device screens over a real JVM process under the real Frida agent",
            claims=lambda r: r.device == NAME,
            open=_open,
            check_app=SIM.check_app,
            resolve_app=SIM.resolve_app,
            default_sources=("hostproc-frida",),
            simulated=True,
            outlives_worker=False,
            priority=100,
        ),
        replace=True,
    )

    def _source(driver: Any, options: Mapping[str, str]) -> HostProcFrida:
        assert isinstance(driver, HostProcDriver)
        return HostProcFrida(driver)

    register_source("hostproc-frida", _source, summary="test only", replace=True)


def unregister() -> None:
    unregister_kind(NAME)
    unregister_source("hostproc-frida")

