"""The Instrumentation protocol: something that watches an app and emits events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from harness.events import Event

__all__ = ["Emit", "Target", "Instrumentation"]

Emit = Callable[[Sequence[Event]], object]
"""Where a source delivers a batch of events (e.g. ``Timeline.extend``); its result is ignored."""


@dataclass(frozen=True, slots=True)
class Target:
    """What to instrument: an Android package (spawn or attach), or a local pid/program."""

    package: str
    pid: int | None = None
    spawn: bool = True
    argv: tuple[str, ...] = ()


@runtime_checkable
class Instrumentation(Protocol):
    """``start`` begins observing and delivers events through ``emit`` (possibly from another
    thread, in batches); ``clock()`` is the run's time in seconds, used to align the device clock
    (pass it to :class:`harness.instrumentation.protocol.AgentDecoder`). ``stop`` flushes what the
    agent still holds and never raises."""

    name: str

    def start(self, target: Target, emit: Emit, clock: Callable[[], float]) -> None: ...

    def stop(self) -> None: ...
