"""Device slots and leases: which device an app test may use, decided by file locks.

A *slot* is one device of the pool: ``--devices sim,sim,emulator-5554`` gives the slots
``sim``, ``sim.2`` and ``emulator-5554`` (each ``sim`` slot is a fresh reference device). A
*lease* is an exclusive ``fcntl.flock`` on ``<results>/.locks/<slot>.lock``. Locks are the
whole coordination: any process on any host that sees the results folder (Dask workers on a
shared file system too) takes the same locks, and the operating system frees a lock when the
process holding it dies, so a crashed coordinator or worker never leaves a device reserved.

The lease is taken by the process that starts the app test and its file descriptor is passed
down to the test's own process: the lock stays held while either of them lives, so a device is
never handed out while an orphaned test still drives it.

The lock file holds one line naming the holder (pid, host, slot, since) for ``batch status``;
the lock itself, not that text, is what counts.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import InfrastructureError, InputError

__all__ = ["DeviceSlot", "Lease", "parse_devices", "try_lease", "acquire", "holder_of", "lock_dir", "LeaseTimeout"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_DEVICES = 512


class LeaseTimeout(InfrastructureError):
    """No device of the pool became free in time."""


@dataclass(frozen=True, slots=True)
class DeviceSlot:
    """One device of the pool. ``name`` is unique in the pool and names the lock file;
    ``serial`` is what the driver opens ('sim' or an adb serial)."""

    name: str
    serial: str

    @property
    def lock_name(self) -> str:
        safe = _SAFE.sub("_", self.name)
        if safe != self.name:  # keep distinct serials distinct after sanitising
            safe = f"{safe}-{hashlib.sha1(self.name.encode()).hexdigest()[:8]}"
        return f"{safe}.lock"


def parse_devices(spec: str | Iterable[str]) -> tuple[DeviceSlot, ...]:
    """``'sim,sim'`` or ``['emulator-5554', 'R58M...']`` -> slots. Repeated serials get the
    suffixes ``.2``, ``.3``, ...; real serials are checked with adb's serial syntax."""
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [s for s in items if s]
    if not items:
        raise InputError("no devices given (use --devices sim or adb serials, comma-separated)")
    if len(items) > MAX_DEVICES:
        raise InputError(f"more than {MAX_DEVICES} devices in one pool")
    from harness.devices.kinds import kind_for

    seen: dict[str, int] = {}
    slots: list[DeviceSlot] = []
    for serial in items:
        check = kind_for(serial).serial_check
        if check is not None:
            check(serial)
        n = seen.get(serial, 0) + 1
        seen[serial] = n
        slots.append(DeviceSlot(serial if n == 1 else f"{serial}.{n}", serial))
    return tuple(slots)


def lock_dir(results: str | Path) -> Path:
    return Path(results) / ".locks"


class Lease:
    """An exclusive hold on one device slot. ``fd`` stays open (and locked) until
    :meth:`release`; pass it to a child process to keep the lock alive with it."""

    def __init__(self, slot: DeviceSlot, fd: int, path: Path) -> None:
        self.slot = slot
        self.fd = fd
        self.path = path
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self.fd >= 0

    def release(self) -> None:
        """Unlock and close (idempotent). A child that inherited the descriptor keeps the lock
        until it exits too."""
        with self._lock:
            if self.fd >= 0:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_UN)
                finally:
                    os.close(self.fd)
                    self.fd = -1

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def try_lease(locks: Path, slot: DeviceSlot) -> Lease | None:
    """Take the slot's lock without waiting; None when another process holds it."""
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / slot.lock_name
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:
        os.close(fd)
        raise
    try:
        os.ftruncate(fd, 0)
        note = f"pid={os.getpid()} host={socket.gethostname()[:64]} slot={slot.name} since={time.strftime('%Y-%m-%dT%H:%M:%S')}\n"
        os.pwrite(fd, note.encode("utf-8", "replace"), 0)
    except OSError:
        pass  # the note is informational; the lock is what counts
    return Lease(slot, fd, path)


def holder_of(locks: Path, slot: DeviceSlot) -> str:
    """Who holds the slot ('' when it is free): the note its holder wrote."""
    path = locks / slot.lock_name
    if not path.exists():
        return ""
    probe = try_lease(locks, slot)
    if probe is not None:
        probe.release()
        return ""
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:300].strip() or "held"
    except OSError:
        return "held"


def acquire(
    locks: Path,
    slots: Sequence[DeviceSlot],
    *,
    avoid: Iterable[str] = (),
    timeout: float = 600.0,
    poll: float = 0.05,
    stop: threading.Event | None = None,
) -> Lease:
    """Lease the first free slot, waiting up to ``timeout`` seconds.

    Slots named in ``avoid`` (devices on which this task already failed) are used only when
    every slot of the pool is in ``avoid``; otherwise the task waits for another device, so an
    infrastructure failure is retried elsewhere. Raises :class:`LeaseTimeout`, or
    InfrastructureError when ``stop`` is set while waiting.
    """
    if not slots:
        raise InputError("no devices to lease")
    avoided = set(avoid)
    preferred = [s for s in slots if s.name not in avoided] or list(slots)
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        for slot in preferred:
            lease = try_lease(locks, slot)
            if lease is not None:
                return lease
        if stop is not None and stop.is_set():
            raise InfrastructureError("batch interrupted while waiting for a device")
        if time.monotonic() >= deadline:
            names = ", ".join(s.name for s in preferred)
            raise LeaseTimeout(f"no device free within {timeout:g} s (waited for: {names})")
        time.sleep(poll)
