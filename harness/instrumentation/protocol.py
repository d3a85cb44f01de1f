"""The agent wire protocol, decoded in one place for every source of API events.

Agent -> host messages (the ``payload`` of a Frida ``send``, or a dict from the reference
device's feed)::

    {"type": "agent:ready", "now": <device ms>, "hooks": <int>, "skipped": ["api id: why", ...],
     "pid": <int>, "version": "<agent version>", "stacks": "<how stacks are taken: jvmti,
     art-backtrace, art-throwable (Android 6/7), throwable>",
     "net": "<traffic routing on: redirect+quic+trust+unpin, N hooks>"}   # "net" only when on
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
    {"k": "honey", "ts": .., "name": "..", "cat": "..", "value": "..", "api": ".."}
                                   # a hook returned a planted value (once per api and value)
    {"k": "life", "ts": .., "state": "started|foreground|background|exited", "activity": "..",
     "pid": <int>, "cause": ".."}
    {"k": "conn", "ts": .., "tok": "<correlation token>", "host": "..", "ip": "..", "port": <int>,
     "via": "<hooked API>", "ms": <number>, "tid": .., "th": "..", "caller": "..", "sid": "..",
     "stack": [..]}                # a TCP connect redirected to the harness proxy
    {"k": "quic", "ts": .., "host": "..", "port": <int>, "via": "..", "caller": "..", "sid": "..",
     "stack": [..], "n": <int>}    # UDP to port 443 refused (folded per call site)
    {"k": "pin", "ts": .., "host": "..", "via": "..", "caller": "..", "sid": "..", "stack": [..]}
                                   # a pinning check after the handshake refused the proxy's
                                   # certificate (unpinning off): a TlsFailure from the agent
    {"k": "cipher", "ts": .., "alg": "AES/CBC/PKCS5Padding", "pt": "<base64 of the plaintext,
     at most 64 KiB>", "ptLen": <int>, "ct": "<base64 of the first <= 48 ciphertext bytes>",
     "ctLen": <int>, "caller": "..", "sid": "..", "stack": [..], "n": <int>}
                                   # one finished encryption (Cipher.doFinal, ENCRYPT mode);
                                   # the plaintext goes to the run folder (``keep_plaintext``),
                                   # the event names the file

Control goes the other way through rpc exports (``init``, ``flush``, ``dispose``).

A hostile app controls what its process sends, so every field is type-checked and bounded:
strings are cleaned of lone UTF-16 surrogates (``harness.sanitize``) and cut, lists are cut,
unknown keys are ignored, a malformed event becomes one ``ErrorRecord`` (at most
``MAX_ERRORS_PER_BATCH`` per batch) and never stops decoding. ``decode_safe`` never raises,
whatever the message holds (a non-string state, a 400-digit timestamp, a nested list where a
string belongs): the bad event becomes a bounded ErrorRecord and the other events of the
message go on.

Device clocks are not trusted: an event whose aligned time falls outside the run window
(before the run's start or after "now", with ``CLOCK_SLACK_S`` of slack) is clamped to the
window's edge (``t_device`` keeps the device's stamp) and each batch with such events gets
one ``ErrorRecord(where="agent-clock")``; the report turns those into a note.

:func:`guarded_emit` hands decoded events to the timeline; an emit that fails (a full disk, a
consumer bug) is reported as an ErrorRecord when anything can still be recorded, and counted
in ``emit_failures`` otherwise; the instrumentation reports that count when it stops.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from harness.catalog.permissions import groups_of
from harness.errors import ProtocolError
from harness.events import (
    AgentStatus,
    ApiCall,
    AppState,
    CipherCall,
    ErrorRecord,
    Event,
    HoneyPlant,
    NetworkConnect,
    PermissionRequest,
    QuicBlocked,
    TlsFailure,
)
from harness.sanitize import clean_text

__all__ = [
    "AgentDecoder",
    "Attributor",
    "CLOCK_SLACK_S",
    "CLOCK_WHERE",
    "EmitGuard",
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
CLOCK_SLACK_S = 5.0  # device times this far outside the run window are clamped and flagged
CLOCK_WHERE = "agent-clock"
MAX_ERROR_CHARS = 300
MAX_PLAINTEXT = 64 * 1024  # bytes of a cipher event's plaintext kept (harness.network.cipher)
MAX_CT_HEAD = 48  # bytes of a cipher event's ciphertext head
LIFE_STATES = frozenset({"started", "foreground", "background", "exited", "died", "crashed", "anr"})

Attributor = Callable[[Sequence[str], str], str]
"""(stack frames, caller) -> SDK id, or 'app' for first-party code."""


def _cut(v: Any, limit: int = MAX_STR) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        if isinstance(v, (int, float, bool)):
            try:
                v = str(v)
            except ValueError:  # an integer past Python's digit limit for str()
                v = f"<integer of about {int(v.bit_length() * 0.30103)} digits>"
        else:
            try:
                v = json.dumps(v, ensure_ascii=False, default=str)[: limit + 1]
            except (TypeError, ValueError, RecursionError):
                v = "<unprintable>"
    text = clean_text(str(v))
    if len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _num(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ProtocolError(f"field '{name}' must be a finite number, got {type(v).__name__}")
    try:
        f = float(v)
    except OverflowError:
        raise ProtocolError(f"field '{name}' is a number too large for a time") from None
    if not math.isfinite(f):
        raise ProtocolError(f"field '{name}' must be a finite number, got {f}")
    return f


def _int(v: Any, name: str, default: int = 0) -> int:
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int):
        raise ProtocolError(f"field '{name}' must be an integer, got {type(v).__name__}")
    return int(max(min(v, 2**31 - 1), -(2**31)))


def _b64(v: Any, name: str, limit: int) -> bytes:
    """Bytes of a base64 field, refused when longer than ``limit`` bytes could need."""
    if v is None or v == "":
        return b""
    if not isinstance(v, str):
        raise ProtocolError(f"field '{name}' must be base64 text, got {type(v).__name__}")
    if len(v) > 4 * ((limit + 2) // 3):
        raise ProtocolError(f"field '{name}' holds more than {limit} bytes")
    try:
        return base64.b64decode(v, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError(f"field '{name}' is not base64") from None


def _str_list(v: Any, name: str, max_items: int, max_chars: int) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise ProtocolError(f"field '{name}' must be a list, got {type(v).__name__}")
    return tuple(_cut(x, max_chars) for x in v[:max_items])


#: call events that name the app process they came from (``pid``, ``process``)
_PROCESS_STAMPED = (ApiCall, NetworkConnect, QuicBlocked, CipherCall)


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
        keep_plaintext: Callable[[bytes], str] | None = None,
        pid: int = 0,
        process: str = "",
    ) -> None:
        self.clock = clock
        #: the app process this agent runs in: stamped on every call event it sends (ApiCall,
        #: NetworkConnect, QuicBlocked, CipherCall), whatever the agent itself claims
        self.pid = pid
        self.process = process
        #: where cipher plaintexts go (harness.network.cipher.CipherStore.keep): returns the
        #: file name, or '' when not kept; None: plaintexts are not kept (digest only)
        self.keep_plaintext = keep_plaintext
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
        self.clamped = 0
        self._now = 0.0
        self._clamps: list[str] = []

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
        """Like ``decode`` but never raises: a bad message becomes one ErrorRecord."""
        try:
            return self.decode(message)
        except ProtocolError as exc:
            self.rejected += 1
            return [ErrorRecord(t=self._safe_clock(), source=self.source, where="agent-protocol", message=_cut(str(exc), 500))]
        except Exception as exc:  # noqa: BLE001 - hostile input must never stop a run
            self.rejected += 1
            return [ErrorRecord(t=self._safe_clock(), source=self.source, where="agent-protocol", message=_cut(f"undecodable message: {type(exc).__name__}: {exc}", 500))]

    def _safe_clock(self) -> float:
        try:
            return float(self.clock())
        except Exception:  # noqa: BLE001
            return 0.0

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
                f"agent {_cut(p.get('version'), 40)} pid {_int(p.get('pid'), 'pid')}"
                + (f" process {_cut(self.process, 120)}" if self.process else "")
                + f" stacks {_cut(p.get('stacks'), 100) or '?'}"
                + (f" net {_cut(p.get('net'), 80)}" if p.get("net") else ""),
                320,
            ),
        )

    def _t(self, ts: float) -> float:
        """Run time of a device stamp, clamped to the run window (see module docstring)."""
        if self._offset is None:
            self._offset = self._now - ts / 1000.0
        t = ts / 1000.0 + self._offset
        if -CLOCK_SLACK_S <= t <= self._now + CLOCK_SLACK_S:
            return t
        self.clamped += 1
        clamped = min(max(t, 0.0), self._now)
        if len(self._clamps) < 3:
            self._clamps.append(f"device {ts:.0f} ms -> {t:.3f} s, clamped to {clamped:.3f} s")
        return clamped

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
        self._now = self.clock()
        self._clamps = []
        clamped_before = self.clamped
        for raw in events[:MAX_EVENTS_PER_BATCH]:
            try:
                ev = self._event(raw)
                if (self.pid or self.process) and isinstance(ev, _PROCESS_STAMPED):
                    ev = dataclasses.replace(ev, pid=self.pid, process=self.process)
                out.append(ev)
                self.received += 1
            except Exception as exc:  # noqa: BLE001 - one bad event never loses the others
                self.rejected += 1
                errors += 1
                if errors <= MAX_ERRORS_PER_BATCH:
                    why = str(exc) if isinstance(exc, ProtocolError) else f"undecodable event: {type(exc).__name__}: {exc}"
                    out.append(ErrorRecord(t=self._now, source=self.source, where="agent-event", message=_cut(why, MAX_ERROR_CHARS)))
        if errors > MAX_ERRORS_PER_BATCH:
            out.append(ErrorRecord(t=self._now, source=self.source, where="agent-event", message=f"{errors - MAX_ERRORS_PER_BATCH} more malformed events in this batch"))
        if dropped:
            self.rejected += dropped
            out.append(ErrorRecord(t=self._now, source=self.source, where="agent-protocol", message=f"batch over {MAX_EVENTS_PER_BATCH} events: {dropped} dropped"))
        n_clamped = self.clamped - clamped_before
        if n_clamped:
            out.append(
                ErrorRecord(
                    t=self._now,
                    source=self.source,
                    where=CLOCK_WHERE,
                    message=_cut(
                        f"{n_clamped} event(s) stamped outside the run window (0 to {self._now:.3f} s, {CLOCK_SLACK_S:.0f} s slack) were clamped to its edge: "
                        + "; ".join(self._clamps),
                        MAX_ERROR_CHARS,
                    ),
                )
            )
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
            if not isinstance(state, str) or state not in LIFE_STATES:
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
        if k == "honey":
            value = ev.get("value")
            if not isinstance(value, str) or not value:
                raise ProtocolError("honey event needs a string 'value'")
            return HoneyPlant(
                t=t,
                source=self.source,
                name=_cut(ev.get("name"), 64),
                category=_cut(ev.get("cat"), 40),
                value=_cut(value, 256),
                api_id=_cut(ev.get("api"), MAX_ID),
            )
        if k == "conn":
            token = ev.get("tok")
            if not isinstance(token, str) or not token:
                raise ProtocolError("conn event needs a string 'tok'")
            frames = self._stack(ev)
            caller = _cut(ev.get("caller"), MAX_FRAME_CHARS)
            ms = ev.get("ms")
            return NetworkConnect(
                t=t,
                source=self.source,
                token=_cut(token, MAX_ID),
                host=_cut(ev.get("host"), 253),
                ip=_cut(ev.get("ip"), 64),
                port=max(0, min(_int(ev.get("port"), "port"), 65535)),
                via=_cut(ev.get("via"), 120),
                thread=_cut(ev.get("th"), 120),
                caller=caller,
                stack=frames,
                sdk=self._sdk(frames, caller, ev.get("sid")),
                ms=max(0.0, min(_num(ms, "ms"), 1e7)) if ms is not None else 0.0,
            )
        if k == "quic":
            frames = self._stack(ev)
            caller = _cut(ev.get("caller"), MAX_FRAME_CHARS)
            return QuicBlocked(
                t=t,
                source=self.source,
                host=_cut(ev.get("host"), 253),
                port=max(0, min(_int(ev.get("port"), "port"), 65535)),
                via=_cut(ev.get("via"), 120),
                caller=caller,
                sdk=self._sdk(frames, caller, ev.get("sid")),
                count=max(1, _int(ev.get("n"), "n", 1)),
            )
        if k == "pin":
            frames = self._stack(ev)
            caller = _cut(ev.get("caller"), MAX_FRAME_CHARS)
            via = _cut(ev.get("via"), 120) or "a pinning check"
            return TlsFailure(
                t=t,
                source=self.source,
                host=_cut(ev.get("host"), 253),
                sni=_cut(ev.get("host"), 253),
                error=_cut(f"{via} refused the proxy's certificate after the handshake (certificate pinning; unpinning off), called from {caller or 'unknown code'}", 300),
            )
        if k == "cipher":
            pt = _b64(ev.get("pt"), "pt", MAX_PLAINTEXT)
            ct = _b64(ev.get("ct"), "ct", MAX_CT_HEAD)
            frames = self._stack(ev)
            caller = _cut(ev.get("caller"), MAX_FRAME_CHARS)
            pt_len = max(_int(ev.get("ptLen"), "ptLen", len(pt)), len(pt))
            name = ""
            if pt and self.keep_plaintext is not None:
                name = self.keep_plaintext(pt)
            return CipherCall(
                t=t,
                source=self.source,
                algorithm=_cut(ev.get("alg"), 80),
                plaintext=_cut(name, 80),
                plaintext_len=pt_len,
                plaintext_cut=pt_len > len(pt),
                plaintext_sha256=hashlib.sha256(pt).hexdigest() if pt else "",
                ct_head=ct.hex(),
                ct_len=max(_int(ev.get("ctLen"), "ctLen", len(ct)), len(ct)),
                caller=caller,
                sdk=self._sdk(frames, caller, ev.get("sid")),
                n=max(1, _int(ev.get("n"), "n", 1)),
            )
        raise ProtocolError(f"unknown event kind {_cut(k, 40)!r}")


class EmitGuard:
    """Hands events to an ``emit`` callback and never raises. A failing emit (a full disk, a
    consumer bug) is recorded as an ErrorRecord naming how many events were lost and why; when
    even that cannot be recorded it is counted in ``unreported``. ``finish`` records the totals
    once more at the end of a run (call it before the run's end marker)."""

    def __init__(self, emit: Callable[[list[Event]], Any], clock: Callable[[], float], source: str) -> None:
        self.emit = emit
        self.clock = clock
        self.source = source
        self.failures = 0
        self.lost = 0
        self.unreported = 0
        self.last_error = ""

    def _t(self) -> float:
        try:
            return float(self.clock())
        except Exception:  # noqa: BLE001
            return 0.0

    def __call__(self, events: list[Event]) -> None:
        if not events:
            return
        try:
            self.emit(events)
            return
        except Exception as exc:  # noqa: BLE001 - a failing consumer must not kill the source
            self.failures += 1
            self.lost += len(events)
            self.last_error = _cut(f"{type(exc).__name__}: {exc}", MAX_ERROR_CHARS)
        try:
            self.emit([ErrorRecord(t=self._t(), source=self.source, where="emit", message=f"{len(events)} event(s) could not be recorded: {self.last_error}")])
        except Exception:  # noqa: BLE001
            self.unreported += 1

    def finish(self) -> None:
        """Record the totals when anything failed (once; never raises)."""
        if not self.failures:
            return
        msg = f"{self.failures} emit(s) failed during the run, {self.lost} event(s) lost; {self.unreported} failure(s) could not be recorded when they happened; last: {self.last_error}"
        try:
            self.emit([ErrorRecord(t=self._t(), source=self.source, where="emit", message=_cut(msg, 500))])
            self.unreported = 0
        except Exception:  # noqa: BLE001
            pass
        self.failures = 0


def encode_batch(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The message a source sends for a batch of wire events."""
    return {"type": "events:add", "events": events}
