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

Event budget: a timeline with a file has an :class:`EventBudget` (events and bytes; defaults far
above what a real app produces, overridable with ``CONSENT_HARNESS_MAX_EVENTS`` and
``CONSENT_HARNESS_MAX_BYTES``). Past it, events from instrumentation (any source other than the
runner and the driver) are counted by kind and API instead of stored, so a flooding app cannot
exhaust memory or disk; an ``ErrorRecord(where="event-budget")`` says when the budget was
reached, and another one, written right before the run's end marker (or at ``close``), gives
the counts. The runner's own events (steps, screens, decisions) are still stored, up to a hard
cap of ``RUNNER_EXTRA`` more.

``Timeline.read(path)`` tolerates a truncated last line (a kill in the middle of a write); it
reads through the one JSON Lines reader (``harness.fsio.read_jsonl``).
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from harness.errors import InputError, RecordError
from harness.events import ApiCall, ErrorRecord, Event, RunMarker, event_from_dict
from harness.fsio import read_jsonl
from harness.sanitize import clean_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Timeline", "FRAME_COLUMNS", "EventBudget", "BUDGET_WHERE", "RUNNER_SOURCES"]

BUDGET_WHERE = "event-budget"
RUNNER_SOURCES = frozenset({"runner", "driver", "timeline"})  # events the budget never counts out
RUNNER_EXTRA = 50_000  # runner events still stored past the budget (a hard cap on everything)
MAX_FLOOD_KEYS = 200  # distinct (kind, api) counters kept past the budget


@dataclass(frozen=True, slots=True)
class EventBudget:
    """What one run may store: ``max_events`` events and ``max_bytes`` bytes of timeline.jsonl.
    The defaults are far above what real apps produce in a scenario (the agent folds repeated
    calls); a flood past them is counted, not stored (module docstring)."""

    max_events: int = 100_000
    max_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.max_events < 1 or self.max_bytes < 1:
            raise InputError(f"event budget must be positive, got {self.max_events} events / {self.max_bytes} bytes")

    @classmethod
    def from_env(cls) -> EventBudget:
        """The default budget, or CONSENT_HARNESS_MAX_EVENTS / CONSENT_HARNESS_MAX_BYTES."""
        d = cls()
        try:
            events = int(os.environ.get("CONSENT_HARNESS_MAX_EVENTS", "") or d.max_events)
            size = int(os.environ.get("CONSENT_HARNESS_MAX_BYTES", "") or d.max_bytes)
        except ValueError:
            raise InputError("CONSENT_HARNESS_MAX_EVENTS and CONSENT_HARNESS_MAX_BYTES must be integers") from None
        return cls(events, size)

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

    def __init__(self, path: str | Path | None = None, *, budget: EventBudget | None = None) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._fh: IO[str] | None = None
        self.path = Path(path) if path is not None else None
        #: None for an in-memory timeline; a file-backed one gets the default budget
        self.budget = budget if budget is not None else (EventBudget.from_env() if path is not None else None)
        self.bytes_written = 0
        self.over_budget = False
        self.not_stored: Counter[str] = Counter()
        self._summary_written = False
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._fh = open(self.path, "x", encoding="utf-8", newline="\n")  # noqa: SIM115
            except FileExistsError:
                raise RecordError(f"{self.path}: a timeline already exists there; a run never appends to another run's timeline") from None

    # -- writing -----------------------------------------------------------------------------
    def append(self, event: Event) -> Event:
        """Stamp ``seq``, write the event through, then keep it. Returns the stamped event."""
        out = self._extend((event,))
        return next((ev for ev, own in out if own), event)  # counted past the budget: not stamped

    def extend(self, events: Iterable[Event]) -> list[Event]:
        """Append a batch with one write, then keep it in memory. Returns the stamped events
        (cleaned where their text could not be encoded, plus an ErrorRecord saying so).
        Raises RecordError, keeping nothing of the batch, when the write fails."""
        return [ev for ev, _own in self._extend(events)]

    def _extend(self, events: Iterable[Event]) -> list[tuple[Event, bool]]:
        """``extend``, each stamped event paired with whether it is one of ``events`` (False for
        the timeline's own records)."""
        with self._lock:
            batch = self._within_budget(list(events))
            start = len(self._events)
            stamped = [ev.stamped(start + i) for i, (ev, _own) in enumerate(batch)]
            own = [o for _ev, o in batch]
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
                    own.append(False)
                    lines.append(_dumps(note))
                data = "".join(line + "\n" for line in lines)
                try:
                    self._fh.write(data)
                    self._fh.flush()
                except (OSError, ValueError) as exc:
                    raise RecordError(f"{self.path}: writing {len(lines)} event(s) failed: {exc}") from exc
                self.bytes_written += len(data)
            self._events.extend(stamped)
            return list(zip(stamped, own, strict=True))

    # -- the event budget ----------------------------------------------------------------------
    def _within_budget(self, events: list[Event]) -> list[tuple[Event, bool]]:
        """The part of a batch the budget lets through (paired with True), plus the budget's
        own records (paired with False)."""
        b = self.budget
        if b is None or not events:
            return [(ev, True) for ev in events]
        out: list[tuple[Event, bool]] = []
        n = len(self._events)
        for ev in events:
            if not self.over_budget and (n + len(out) >= b.max_events or self.bytes_written >= b.max_bytes):
                self.over_budget = True
                out.append(
                    (
                        ErrorRecord(
                            t=ev.t,
                            source="timeline",
                            where=BUDGET_WHERE,
                            message=f"event budget reached ({b.max_events} events or {b.max_bytes} bytes): later instrumentation events are counted, not stored",
                        ),
                        False,
                    )
                )
            if isinstance(ev, RunMarker) and ev.phase == "end" and self.not_stored and not self._summary_written:
                out.append((self._summary(ev.t), False))
            if self.over_budget and (ev.source not in RUNNER_SOURCES or n + len(out) >= b.max_events + RUNNER_EXTRA):
                key = f"{ev.kind} {ev.api_id}" if isinstance(ev, ApiCall) else ev.kind
                if key not in self.not_stored and len(self.not_stored) >= MAX_FLOOD_KEYS:
                    key = "other"
                self.not_stored[key] += ev.count if isinstance(ev, ApiCall) else 1
                continue
            out.append((ev, True))
        return out

    def _summary(self, t: float) -> ErrorRecord:
        self._summary_written = True
        total = sum(self.not_stored.values())
        top = ", ".join(f"{k} x{v}" for k, v in self.not_stored.most_common(20))
        return ErrorRecord(t=t, source="timeline", where=BUDGET_WHERE, message=f"{total} event(s) past the event budget were counted, not stored: {top}"[:2000])

    def close(self) -> None:
        """Write the budget's summary if it is still owed (no end marker came), then close."""
        if self.not_stored and not self._summary_written and self._fh is not None:
            try:
                self.extend((self._summary(self._events[-1].t if self._events else 0.0),))
            except RecordError:
                pass
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
