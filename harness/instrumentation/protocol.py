"""The agent wire protocol, decoded in one place for every source of API events.

Agent -> host messages (the ``payload`` of a Frida ``send``, or a dict from the reference
device's feed)::

    {"type": "agent:ready", "now": <device ms>, "hooks": <int>, "skipped": ["api id: why", ...],
     "pid": <int>, "version": "<agent version>", "stacks": "<how stacks are taken: jvmti,
     art-backtrace, art-throwable (Android 6/7), throwable>"}
    {"type": "agent:error", "message": "...", "where": "..."}
    {"type": "events:add", "events": [<event>, ...]}

Events inside a batch (``k`` says which)::

    {"k": "api", "id": "<catalog api id>", "cat": "<PI category>", "m": "<Class.method>",
     "ts": <device ms>, "tid": <int>, "th": "<thread name>", "args": "<summary>",
     "ret": "<summary>", "caller": "<first non-framework frame>", "sid": "<call-site id>",
     "stack": ["frame", ...],      # sent once per call site; later events name only "sid"
     "n": <int>}                   # optional: this many identical calls folded into one
    {"k": "perm", "ts": .., "perms": ["android.permission.X", ...], "api": "..", "caller": "..",
     "sid": "..", "stack": [..]}
    {"k": "life", "ts": .., "state": "started|foreground|background|exited", "activity": "..",
     "pid": <int>, "cause": ".."}

Control goes the other way through rpc exports (``init``, ``flush``, ``dispose``).

A hostile app controls what its process sends, so every field is type-checked and bounded:
strings are cut, lists are cut, unknown keys are ignored, a malformed event becomes one
``ErrorRecord`` (at most ``MAX_ERRORS_PER_BATCH`` per batch) and never stops decoding.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from harness.catalog.permissions import groups_of
from harness.errors import ProtocolError
from harness.events import AgentStatus, ApiCall, AppState, ErrorRecord, Event, PermissionRequest

__all__ = [
    "AgentDecoder",
    "Attributor",
    "MAX_MESSAGE_CHARS",
    "MAX_EVENTS_PER_BATCH",
    "MAX_STR",
    "MAX_FRAMES",
    "MAX_FRAME_CHARS",
    "encode_batch",
]

MAX_MESSAGE_CHARS = 8 * 1024 * 1024  # a str/bytes message larger than this is refused unread
MAX_EVENTS_PER_BATCH = 20_000
MAX_STR = 2048
MAX_ID = 128
MAX_FRAMES = 64
MAX_FRAME_CHARS = 400
MAX_PERMS = 32
MAX_SKIPPED = 2000
MAX_STACK_SITES = 50_000
MAX_ERRORS_PER_BATCH = 5
LIFE_STATES = frozenset({"started", "foreground", "background", "exited", "died", "crashed", "anr"})

Attributor = Callable[[Sequence[str], str], str]
"""(stack frames, caller) -> SDK id, or 'app' for first-party code."""


def _cut(v: Any, limit: int = MAX_STR) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        if isinstance(v, (int, float, bool)):
            v = str(v)
        else:
            try:
                v = json.dumps(v, ensure_ascii=False, default=str)[: limit + 1]
            except (TypeError, ValueError, RecursionError):
                v = "<unprintable>"
    text = str(v)
    if len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _num(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ProtocolError(f"field '{name}' must be a finite number, got {type(v).__name__}")
    return float(v)


def _int(v: Any, name: str, default: int = 0) -> int:
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int):
        raise ProtocolError(f"field '{name}' must be an integer, got {type(v).__name__}")
    return int(max(min(v, 2**31 - 1), -(2**31)))


def _str_list(v: Any, name: str, max_items: int, max_chars: int) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise ProtocolError(f"field '{name}' must be a list, got {type(v).__name__}")
    return tuple(_cut(x, max_chars) for x in v[:max_items])


class AgentDecoder:
    """Turns agent messages into timeline events.

    ``clock()`` returns the run's time in seconds (host monotonic since run start, or virtual
    time). The device clock is aligned at ``agent:ready``: ``t = t_ready + (ts - now_ready)/1000``.
    Until ready, device timestamps are aligned on the first one seen.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        source: str = "frida",
        attribute: Attributor | None = None,
        package: str = "",
    ) -> None:
        self.clock = clock
        self.source = source
        self.attribute = attribute
        self.package = package
        self._offset: float | None = None  # run seconds = ts/1000 + offset
        self._stacks: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._sdk_cache: dict[str, str] = {}
        self._lock = threading.Lock()
        self.ready = False
        self.hooks = 0
        self.skipped: tuple[str, ...] = ()
        self.received = 0
        self.rejected = 0

    # -- public --------------------------------------------------------------------------
    def decode(self, message: Any) -> list[Event]:
        """Decode one message; raise ProtocolError if the message as a whole is unusable."""
        payload = self._payload(message)
        mtype = payload.get("type")
        with self._lock:
            if mtype == "events:add":
                return self._batch(payload)
            if mtype == "agent:ready":
                return [self._ready(payload)]
            if mtype == "agent:error":
                return [
                    AgentStatus(
                        t=self.clock(),
                        source=self.source,
                        status="error",
                        message=_cut(f"{_cut(payload.get('where'), 200)}: {_cut(payload.get('message'))}"),
                    )
                ]
        raise ProtocolError(f"unknown message type {_cut(mtype, 60)!r}")

    def decode_safe(self, message: Any) -> list[Event]:
        """Like ``decode`` but a bad message becomes one ErrorRecord instead of an exception."""
        try:
            return self.decode(message)
        except ProtocolError as exc:
            self.rejected += 1
            return [ErrorRecord(t=self.clock(), source=self.source, where="agent-protocol", message=_cut(str(exc), 500))]

    # -- internals -----------------------------------------------------------------------
    def _payload(self, message: Any) -> dict[str, Any]:
        if isinstance(message, (bytes, bytearray)):
            if len(message) > MAX_MESSAGE_CHARS:
                raise ProtocolError(f"message of {len(message)} bytes exceeds {MAX_MESSAGE_CHARS}")
            message = bytes(message).decode("utf-8", errors="replace")
        if isinstance(message, str):
            if len(message) > MAX_MESSAGE_CHARS:
                raise ProtocolError(f"message of {len(message)} characters exceeds {MAX_MESSAGE_CHARS}")
            try:
                message = json.loads(message)
            except (ValueError, RecursionError) as exc:
                raise ProtocolError(f"message is not JSON: {_cut(str(exc), 120)}") from None
        if not isinstance(message, dict):
            raise ProtocolError(f"message must be an object, got {type(message).__name__}")
        # A raw Frida message: {"type": "send", "payload": {...}} or {"type": "error", ...}
        if message.get("type") == "send":
            message = message.get("payload")
            if not isinstance(message, dict):
                raise ProtocolError("send payload must be an object")
        elif message.get("type") == "error":
            return {
                "type": "agent:error",
                "where": "script",
                "message": f"{_cut(message.get('description'), 500)} {_cut(message.get('stack'), 1000)}",
            }
        return message

    def _ready(self, p: dict[str, Any]) -> Event:
        now = _num(p.get("now"), "now")
        self._offset = self.clock() - now / 1000.0
        self.ready = True
        self.hooks = _int(p.get("hooks"), "hooks")
        self.skipped = _str_list(p.get("skipped"), "skipped", MAX_SKIPPED, 300)
        return AgentStatus(
            t=self.clock(),
            source=self.source,
            status="ready",
            hooks=self.hooks,
            skipped=self.skipped,
            message=_cut(
                f"agent {_cut(p.get('version'), 40)} pid {_int(p.get('pid'), 'pid')} stacks {_cut(p.get('stacks'), 100) or '?'}",
                240,
            ),
        )

    def _t(self, ts: float) -> float:
        if self._offset is None:
            self._offset = self.clock() - ts / 1000.0
        return ts / 1000.0 + self._offset

    def _stack(self, ev: dict[str, Any]) -> tuple[str, ...]:
        sid = ev.get("sid")
        stack = ev.get("stack")
        if stack is not None:
            frames = _str_list(stack, "stack", MAX_FRAMES, MAX_FRAME_CHARS)
            if isinstance(sid, str) and sid:
                key = sid[:MAX_ID]
                self._stacks[key] = frames
                if len(self._stacks) > MAX_STACK_SITES:
                    self._stacks.popitem(last=False)
            return frames
        if isinstance(sid, str) and sid:
            return self._stacks.get(sid[:MAX_ID], ())
        return ()

    def _sdk(self, frames: tuple[str, ...], caller: str, sid: Any) -> str:
        if self.attribute is None:
            return ""
        key = sid if isinstance(sid, str) and sid else caller
        cached = self._sdk_cache.get(key)
        if cached is not None and key:
            return cached
        sdk = _cut(self.attribute(frames, caller), MAX_ID)
        if key and len(self._sdk_cache) < MAX_STACK_SITES:
            self._sdk_cache[key] = sdk
        return sdk

    def _batch(self, p: dict[str, Any]) -> list[Event]:
        events = p.get("events")
        if not isinstance(events, list):
            raise ProtocolError("events:add needs a list 'events'")
        out: list[Event] = []
        errors = 0
        dropped = max(0, len(events) - MAX_EVENTS_PER_BATCH)
        for raw in events[:MAX_EVENTS_PER_BATCH]:
            try:
                out.append(self._event(raw))
                self.received += 1
            except ProtocolError as exc:
                self.rejected += 1
                errors += 1
                if errors <= MAX_ERRORS_PER_BATCH:
                    out.append(ErrorRecord(t=self.clock(), source=self.source, where="agent-event", message=_cut(str(exc), 300)))
        if errors > MAX_ERRORS_PER_BATCH:
            out.append(ErrorRecord(t=self.clock(), source=self.source, where="agent-event", message=f"{errors - MAX_ERRORS_PER_BATCH} more malformed events in this batch"))
        if dropped:
            self.rejected += dropped
            out.append(ErrorRecord(t=self.clock(), source=self.source, where="agent-protocol", message=f"batch over {MAX_EVENTS_PER_BATCH} events: {dropped} dropped"))
        return out

    def _event(self, ev: Any) -> Event:
        if not isinstance(ev, dict):
            raise ProtocolError(f"event must be an object, got {type(ev).__name__}")
        k = ev.get("k")
        ts = _num(ev.get("ts"), "ts")
        t = self._t(ts)
        if k == "api":
            api_id = ev.get("id")
            if not isinstance(api_id, str) or not api_id:
                raise ProtocolError("api event needs a string 'id'")
            cat = ev.get("cat")
            if not isinstance(cat, str):
                raise ProtocolError("api event needs a string 'cat'")
            frames = self._stack(ev)
            caller = _cut(ev.get("caller"), MAX_FRAME_CHARS)
            n = _int(ev.get("n"), "n", 1)
            return ApiCall(
                t=t,
                source=self.source,
                api_id=_cut(api_id, MAX_ID),
                category=_cut(cat, 40),
                method=_cut(ev.get("m"), 200),
                args=_cut(ev.get("args")),
                ret=_cut(ev.get("ret")),
                thread=_cut(ev.get("th"), 120),
                tid=_int(ev.get("tid"), "tid"),
                caller=caller,
                stack=frames,
                sdk=self._sdk(frames, caller, ev.get("sid")),
                t_device=ts,
                count=max(1, n),
            )
        if k == "perm":
            perms = _str_list(ev.get("perms"), "perms", MAX_PERMS, 160)
            frames = self._stack(ev)
            caller = _cut(ev.get("caller"), MAX_FRAME_CHARS)
            return PermissionRequest(
                t=t,
                source=self.source,
                permissions=perms,
                groups=groups_of(perms),
                api=_cut(ev.get("api"), 200),
                caller=caller,
                sdk=self._sdk(frames, caller, ev.get("sid")) or "app",
                via="hook",
            )
        if k == "life":
            state = ev.get("state")
            if state not in LIFE_STATES:
                raise ProtocolError(f"life event has unknown state {_cut(state, 40)!r}")
            return AppState(
                t=t,
                source=self.source,
                state=str(state),
                package=self.package,
                pid=_int(ev.get("pid"), "pid"),
                cause=_cut(ev.get("cause"), 60),
                activity=_cut(ev.get("activity"), 300),
            )
        raise ProtocolError(f"unknown event kind {_cut(k, 40)!r}")


def encode_batch(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The message a source sends for a batch of wire events."""
    return {"type": "events:add", "events": events}
