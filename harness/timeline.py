"""Append-only, thread-safe timeline of events, mirrored to JSONL on disk.

Every ``append``/``extend`` writes its lines and hands them to the operating system before it
returns (``flush`` without ``fsync``), so a run killed with SIGKILL at any moment keeps every
event recorded up to then: the kernel owns the bytes once ``write`` returns. A batch of events
from an agent costs one write.

``Timeline.read(path)`` tolerates a truncated last line (a kill in the middle of a write).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from harness.events import Event, event_from_dict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Timeline", "FRAME_COLUMNS"]

# Columns of Timeline.to_frame(): name -> pandas dtype. Event fields not listed stay out of
# the frame (detectors needing them read the events).
FRAME_COLUMNS: dict[str, str] = {
    "seq": "int64",
    "t": "float64",
    "kind": "category",
    "source": "category",
    # api
    "api_id": "category",
    "category": "category",
    "sdk": "category",
    "caller": "string",
    "thread": "string",
    "count": "int64",
    # consent / permissions / app state / ui
    "subject": "string",
    "choice": "string",
    "groups": "string",
    "state": "string",
    "action": "string",
    "user_intent": "string",
    "screen_kind": "string",
    "step": "string",
}


def _dumps(ev: Event) -> str:
    return json.dumps(ev.to_dict(), ensure_ascii=False, separators=(",", ":"))


class Timeline:
    """Append-only sequence of events. ``path`` (optional) is the JSONL mirror."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._fh: IO[str] | None = None
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115

    # -- writing -----------------------------------------------------------------------------
    def append(self, event: Event) -> Event:
        """Stamp ``seq``, keep the event, write it through. Returns the stamped event."""
        return self.extend((event,))[0]

    def extend(self, events: Iterable[Event]) -> list[Event]:
        """Append a batch with one write. Returns the stamped events."""
        with self._lock:
            start = len(self._events)
            stamped = [ev.stamped(start + i) for i, ev in enumerate(events)]
            self._events.extend(stamped)
            if self._fh is not None and stamped:
                self._fh.write("".join(_dumps(ev) + "\n" for ev in stamped))
                self._fh.flush()
            return stamped

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> Timeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.snapshot())

    def __getitem__(self, seq: int) -> Event:
        return self._events[seq]

    def snapshot(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def of(self, *types: type[Event]) -> list[Event]:
        return [e for e in self.snapshot() if isinstance(e, types)]

    @classmethod
    def from_events(cls, events: Sequence[Event]) -> Timeline:
        tl = cls()
        tl.extend(events)
        return tl

    @classmethod
    def read(cls, path: str | Path, *, strict: bool = False) -> Timeline:
        """Load a timeline.jsonl. A truncated or unreadable last line is dropped (a killed run);
        with ``strict`` any bad line raises ValueError naming the line."""
        tl = cls()
        events: list[Event] = []
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().split("\n")
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                events.append(event_from_dict(json.loads(line)))
            except (ValueError, TypeError) as exc:
                is_last = all(not rest.strip() for rest in lines[lineno:])
                if strict or not is_last:
                    raise ValueError(f"{path}:{lineno}: unreadable event: {exc}") from exc
        # keep the recorded seq numbers
        tl._events = events
        return tl

    def to_frame(self) -> pd.DataFrame:
        """One row per event with the typed columns of FRAME_COLUMNS."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for ev in self.snapshot():
            d = ev.to_dict()
            if "groups" in d:
                d["groups"] = ",".join(d["groups"])
            rows.append({k: d.get(k) for k in FRAME_COLUMNS})
        frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
        for col, dtype in FRAME_COLUMNS.items():
            if dtype == "int64":
                frame[col] = frame[col].fillna(0 if col != "seq" else -1).astype("int64")
            else:
                frame[col] = frame[col].astype(dtype)
        return frame
