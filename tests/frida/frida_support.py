"""Helpers for the real-Frida tests: a target's stdout lines, and a Run bundling the
instrumentation, its timeline and a way to send commands to the target."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.events import Event
from harness.instrumentation.base import Target
from harness.instrumentation.frida import FridaInstrumentation
from harness.timeline import Timeline

HERE = Path(__file__).resolve().parent
JAVA_SRC = HERE / "java"
C_SRC = HERE / "native" / "idreader.c"
APP_PACKAGE = "com.example.app"


class Lines:
    """Collects a target's stdout lines (from a pipe or from Frida's output signal)."""

    def __init__(self) -> None:
        self._buf = b""
        self._lines: list[str] = []
        self._cv = threading.Condition()
        self._next = 0

    def feed(self, fd: int, data: bytes) -> None:
        if fd != 1:
            return
        with self._cv:
            self._buf += data
            while b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                self._lines.append(line.decode("utf-8", "replace"))
            self._cv.notify_all()

    def pump(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.feed(1, raw)

    def wait(self, prefix: str, timeout: float = 60.0) -> str:
        """The next unread line starting with ``prefix`` (earlier lines are consumed)."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                while self._next < len(self._lines):
                    line = self._lines[self._next]
                    self._next += 1
                    if line.startswith(prefix):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line starting with {prefix!r} within {timeout} s; got {self._lines[-5:]}")
                self._cv.wait(left)


@dataclass
class Run:
    """A target under the agent: send commands, read results, see the timeline."""

    inst: FridaInstrumentation
    lines: Lines
    timeline: Timeline
    send: Callable[[str], None]
    raw: list[Any] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    pump: threading.Thread | None = None

    def command(self, cmd: str, timeout: float = 90.0) -> int:
        """Send a command, wait for its "done" line, flush the agent; returns the count printed."""
        self.send(cmd + "\n")
        line = self.lines.wait(f"done {cmd.split()[0]}", timeout)
        self.inst.flush()
        return int(line.split()[2])

    def mark(self) -> int:
        return len(self.timeline)

    def since(self, mark: int) -> list[Event]:
        return self.timeline.snapshot()[mark:]

    def close(self) -> None:
        try:
            if not self.inst.wait_gone(0):
                self.send("exit\n")
                self.inst.wait_gone(10)
        except Exception:  # noqa: BLE001 - the target may be gone already
            pass
        self.inst.stop()
        if self.proc is not None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            if self.pump is not None:
                self.pump.join(5)
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass
        self.timeline.close()


def _clock() -> Callable[[], float]:
    t0 = time.monotonic()
    return lambda: time.monotonic() - t0


def start_spawned(argv: tuple[str, ...], package: str, timeline_path: Path | None = None, **kw: Any) -> Run:
    lines = Lines()
    raw: list[Any] = []
    timeline = Timeline(timeline_path)
    inst = FridaInstrumentation("local", "spawn", stdio="pipe", on_output=lines.feed, tap=raw.append, **kw)
    inst.start(Target(package=package, argv=argv), timeline.extend, _clock())
    run = Run(inst=inst, lines=lines, timeline=timeline, send=lambda s: inst.input(s.encode()), raw=raw)
    lines.wait("ready", 60)
    inst.flush()  # what the target did before printing "ready" is in the timeline from here on
    return run


def start_attached(argv: tuple[str, ...], package: str, **kw: Any) -> Run:
    lines = Lines()
    raw: list[Any] = []
    proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdin is not None
    pump = threading.Thread(target=lines.pump, args=(proc.stdout,), daemon=True)
    pump.start()
    lines.wait("ready", 60)
    timeline = Timeline()
    inst = FridaInstrumentation("local", "attach", tap=raw.append, **kw)
    stdin = proc.stdin

    def send(s: str) -> None:
        stdin.write(s.encode())
        stdin.flush()

    try:
        inst.start(Target(package=package, pid=proc.pid, spawn=False), timeline.extend, _clock())
    except Exception:
        proc.kill()
        proc.wait(5)
        pump.join(5)
        stdin.close()
        proc.stdout.close()
        raise
    return Run(inst=inst, lines=lines, timeline=timeline, send=send, raw=raw, proc=proc, pump=pump)


