"""A bound on every call the web driver makes into a page.

A page's script can hold the page's main thread (``while (true) {}``, a very long synchronous
loop). Every call into the page then waits for it: reading the screen, a tap, the "is it quiet
yet" check. Playwright gives most of those calls no timeout, so one such page would hang the
run, and with it a batch worker, for good.

:class:`StallGuard` watches the calls from a thread of its own. A call that runs
``STALL_S`` seconds past the time it was allowed (a wait's own length, a load's timeout) ends
the page: the guard stops the page's renderer processes (the browser and the harness go on; the
driver's pending call fails with "target crashed"), and tells the driver why, which records the
run as incomplete. A call that is still stuck ``GRACE_S`` later (a raw DevTools call does not
fail when its page's renderer dies) ends the browser itself; every pending call then fails, and
the driver starts a new browser for what comes next. The guard never calls the browser's automation API (that belongs to the
driver's thread); it finds the renderers of its own browser through ``/proc``, by a marker on
the browser's command line, and ends them with a signal.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["STALL_S", "GRACE_S", "StallGuard", "renderer_pids"]

#: How far past its allowance a call into the page may run before the page is stopped. No page
#: a user would wait for holds its main thread this long; a heavily loaded machine (load 25 on
#: 2 cores, measured) slows a screen read by a few seconds, not fifteen.
STALL_S = 15.0
#: How long a stuck call may go on after the page's renderers were stopped before the browser is.
GRACE_S = 5.0


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(1 << 16)
    except OSError:
        return b""


def renderer_pids(marker: str) -> list[int]:
    """The renderer processes under the browser whose command line carries ``marker``."""
    return _pids(marker)[1]


def _pids(marker: str) -> tuple[list[int], list[int]]:
    """(browser processes carrying ``marker``, renderer processes under them)."""
    parent: dict[int, int] = {}
    browsers: set[int] = set()
    renderers: list[int] = []
    needle = marker.encode() + b" "
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        stat = _read(f"/proc/{pid}/stat")
        try:
            parent[pid] = int(stat.rsplit(b")", 1)[1].split()[1])
        except (IndexError, ValueError):
            continue
        # Chromium rewrites its processes' titles: the command line may be one string with
        # spaces rather than NUL-separated arguments, so both are read as plain text
        args = _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ")
        if needle in args and b" --type=" not in args:
            browsers.add(pid)
        elif b" --type=renderer" in args:
            renderers.append(pid)

    def under_browser(pid: int) -> bool:
        seen = 0
        while pid > 1 and seen < 64:
            pid = parent.get(pid, 0)
            if pid in browsers:
                return True
            seen += 1
        return False

    return sorted(browsers), [pid for pid in renderers if under_browser(pid)]


class StallGuard:
    """Bounds calls into one browser's pages (module docstring). ``marker``: a switch on the
    browser's command line that names it; ``on_stall(what, ended)``: called (from the guard's
    thread) just before the guard ends ``"page"`` (the renderers) or ``"browser"`` for a stalled call."""

    def __init__(self, marker: str, on_stall: Callable[[str, str], None], *, stall_s: float = STALL_S, grace_s: float = GRACE_S) -> None:
        self.marker = marker
        self.on_stall = on_stall
        self.stall_s = stall_s
        self.grace_s = grace_s
        self._stage = 0
        self._lock = threading.Lock()
        self._deadline = 0.0
        self._what = ""
        self._depth = 0
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="consent-harness-stall-guard", daemon=True)
        self._thread.start()

    @contextmanager
    def bounded(self, what: str, allowed_s: float = 0.0) -> Iterator[None]:
        """Around one call into the page, allowed ``allowed_s`` seconds (plus ``stall_s``). A
        call inside another keeps the outer one's bound."""
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._deadline = time.monotonic() + max(0.0, allowed_s) + self.stall_s
                self._what = what
                self._stage = 0
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    self._deadline = 0.0

    def _watch(self) -> None:
        while not self._closed.wait(0.25):
            with self._lock:
                late = bool(self._deadline) and time.monotonic() > self._deadline
                what, stage = self._what, self._stage
                if late:
                    # first the page's renderers; the browser only if the call is still stuck
                    self._stage = stage + 1
                    self._deadline = time.monotonic() + self.grace_s if stage == 0 else 0.0
            if not late:
                continue
            # the driver hears of it first, so the failure its stuck call then gets is read as
            # the guard's doing, never as a browser that went away by itself
            try:
                self.on_stall(what, "page" if stage == 0 else "browser")
            except Exception:  # noqa: BLE001 - the guard itself never fails
                pass
            browsers, renderers = _pids(self.marker)
            for pid in renderers if stage == 0 else browsers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=2)
