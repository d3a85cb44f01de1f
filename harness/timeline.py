"""Append-only, thread-safe timeline of events, mirrored to JSONL on disk.

Every ``append``/``extend`` writes its lines and hands them to the operating system before it
returns (``flush`` without ``fsync``), so a run killed with SIGKILL at any moment keeps every
event recorded up to then: the kernel owns the bytes once ``write`` returns. A batch of events
from an agent costs one write.

Write first: a batch is kept in memory only after its write succeeded, so what the detectors see
in memory is never more than what is on disk. An event whose text cannot be encoded (a lone
UTF-16 surrogate that slipped past the input sanitiser, ``harness.sanitize``) is written with that
text cleaned, and an ``ErrorRecord`` in the same batch says so; a failing write raises
``RecordError`` and keeps nothing. A timeline file is created, never appended to: opening an
existing one raises ``RecordError`` (two runs must never share one).

``Timeline.read(path)`` tolerates a truncated last line (a kill in the middle of a write); it
reads through the one JSON Lines reader (``harness.fsio.read_jsonl``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from harness.errors import RecordError
from harness.events import ErrorRecord, Event, event_from_dict
from harness.fsio import read_jsonl
from harness.sanitize import clean_value

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


def _encodable(ev: Event) -> tuple[Event, str]:
    """(event, its JSON line) with text that UTF-8 can carry; the event is rebuilt with cleaned
    text when the original could not be encoded."""
    line = _dumps(ev)
    try:
        line.encode("utf-8")
        return ev, line
    except UnicodeEncodeError:
        fixed = event_from_dict(clean_value(ev.to_dict()))
        return fixed, _dumps(fixed)


class Timeline:
    """Append-only sequence of events. ``path`` (optional) is the JSONL mirror; it must not
    exist yet."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._fh: IO[str] | None = None
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._fh = open(self.path, "x", encoding="utf-8", newline="\n")  # noqa: SIM115
            except FileExistsError:
                raise RecordError(f"{self.path}: a timeline already exists there; a run never appends to another run's timeline") from None

    # -- writing -----------------------------------------------------------------------------
    def append(self, event: Event) -> Event:
        """Stamp ``seq``, write the event through, then keep it. Returns the stamped event."""
        return self.extend((event,))[0]

    def extend(self, events: Iterable[Event]) -> list[Event]:
        """Append a batch with one write, then keep it in memory. Returns the stamped events
        (cleaned where their text could not be encoded, plus an ErrorRecord saying so).
        Raises RecordError, keeping nothing of the batch, when the write fails."""
        with self._lock:
            start = len(self._events)
            stamped = [ev.stamped(start + i) for i, ev in enumerate(events)]
            if self._fh is not None and stamped:
                lines: list[str] = []
                cleaned = 0
                for i, ev in enumerate(stamped):
                    fixed, line = _encodable(ev)
                    if fixed is not ev:
                        stamped[i] = fixed
                        cleaned += 1
                    lines.append(line)
                if cleaned:
                    note = ErrorRecord(
                        t=stamped[-1].t,
                        source="timeline",
                        where="timeline",
                        message=f"{cleaned} event(s) held text that UTF-8 cannot carry (lone UTF-16 surrogates); recorded with U+FFFD in its place",
                    ).stamped(start + len(stamped))
                    stamped.append(note)
                    lines.append(_dumps(note))
                try:
                    self._fh.write("".join(line + "\n" for line in lines))
                    self._fh.flush()
                except (OSError, ValueError) as exc:
                    raise RecordError(f"{self.path}: writing {len(lines)} event(s) failed: {exc}") from exc
            self._events.extend(stamped)
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
        for line in read_jsonl(path):
            try:
                if not line.ok:
                    raise ValueError(line.error)
                if not isinstance(line.value, dict):
                    raise ValueError("not a JSON object")
                events.append(event_from_dict(line.value))
            except (ValueError, TypeError) as exc:
                if strict or not line.last:
                    raise ValueError(f"{path}:{line.lineno}: unreadable event: {exc}") from exc
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
