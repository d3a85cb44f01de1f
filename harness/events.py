"""Frozen event records: what happened during a run, when, and from which source.

Every event has ``seq`` (position in the timeline, stamped by :class:`harness.timeline.Timeline`),
``t`` (seconds since the run started, on the run's clock: host monotonic time on real devices,
virtual time on the reference device) and ``source`` (who saw it: ``runner``, ``driver``,
``frida``, ``sim``, ``logcat``: the event sources of harness.instrumentation.sources).

Events are values: detectors never change them (house habit 2). Each class says when it is
emitted. ``to_dict``/``event_from_dict`` give the JSONL form; ``kind`` names the class on disk.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "Event",
    "RunMarker",
    "StepMarker",
    "UiSnapshot",
    "UiAction",
    "ConsentDecision",
    "PermissionRequest",
    "PermissionResult",
    "ApiCall",
    "AppState",
    "AgentStatus",
    "ErrorRecord",
    "NetworkFlow",
    "TlsFailure",
    "HoneyPlant",
    "EVENT_TYPES",
    "event_from_dict",
]


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every timeline record."""

    kind: ClassVar[str] = "event"
    seq: int = -1
    t: float = 0.0
    source: str = "runner"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple):
                v = [list(x) if isinstance(x, tuple) else x for x in v]
            out[f.name] = v
        return out

    def stamped(self, seq: int) -> Event:
        """A copy with ``seq`` set (the timeline calls this on append)."""
        return dataclasses.replace(self, seq=seq)


@dataclass(frozen=True, slots=True)
class RunMarker(Event):
    """Emitted by the runner when a run starts (``phase='start'``) and ends (``phase='end'``)."""

    kind: ClassVar[str] = "run"
    phase: str = "start"
    scenario: str = ""
    package: str = ""
    status: str = ""  # on end: completed | aborted | error
    message: str = ""


@dataclass(frozen=True, slots=True)
class StepMarker(Event):
    """Emitted by the runner before (``phase='begin'``) and after (``phase='end'``) each scenario
    step; on end ``status`` is ok | failed | error and ``message`` says why."""

    kind: ClassVar[str] = "step"
    index: int = 0
    step: str = ""
    phase: str = "begin"
    status: str = ""
    message: str = ""
    params: str = ""  # the step's arguments as compact JSON text


@dataclass(frozen=True, slots=True)
class UiSnapshot(Event):
    """Emitted by the runner each time it reads the screen (after launch, before and after a
    decision, at each step end). ``screen_kind`` is the consent-UI recogniser's reading;
    ``reading`` keeps its compact JSON summary (controls, roles, pre-ticked boxes, asymmetry)."""

    kind: ClassVar[str] = "ui"
    screen_id: str = ""
    hierarchy_hash: str = ""
    hierarchy_path: str = ""
    screenshot_path: str = ""
    package: str = ""
    screen_kind: str = "other"
    confidence: float = 0.0
    reading: str = ""  # JSON text of the recogniser's reading (bounded)


@dataclass(frozen=True, slots=True)
class UiAction(Event):
    """Emitted by the runner for every input it sends: tap, back, home, launch, stop, clear, wait.
    ``text``/``resource_id`` describe the tapped control, ``role`` its recognised role."""

    kind: ClassVar[str] = "action"
    action: str = "tap"
    x: int = -1
    y: int = -1
    text: str = ""
    resource_id: str = ""
    role: str = ""
    user_intent: str = ""  # the feature the tap starts (e.g. 'camera', 'location'), for trigger windows


@dataclass(frozen=True, slots=True)
class ConsentDecision(Event):
    """Emitted by the runner when it takes a consent decision on screen.
    ``subject``: privacy_policy | permission:<GROUP> | cmp.  ``choice``: accept | decline |
    dismiss. ``how``: the control or gesture used (e.g. 'tap:不同意', 'back', 'timeout').
    ``confirmed``: for a decline, whether a second-confirm prompt was also answered."""

    kind: ClassVar[str] = "consent"
    subject: str = "privacy_policy"
    choice: str = "decline"
    how: str = ""
    taps: int = 1
    screen_seq: int = -1


@dataclass(frozen=True, slots=True)
class PermissionRequest(Event):
    """Emitted when the app asks for runtime permissions: from the hooks (every
    ``requestPermissions`` call, even when Android shows no dialog) or from the driver/runner
    when a system permission dialog is seen. One call = one event; ``groups`` are the dangerous
    permission groups asked together."""

    kind: ClassVar[str] = "perm_request"
    permissions: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    api: str = ""
    caller: str = ""
    sdk: str = "app"
    via: str = "hook"  # hook | dialog


@dataclass(frozen=True, slots=True)
class PermissionResult(Event):
    """Emitted when a permission group's state changes (dialog answered, state read by adb)."""

    kind: ClassVar[str] = "perm_result"
    group: str = ""
    state: str = ""  # granted | denied | denied_forever | granted_foreground | granted_once


@dataclass(frozen=True, slots=True)
class ApiCall(Event):
    """Emitted for every call of a catalogued sensitive API seen by an event source (the Frida
    agent or the reference device's feed). ``t_device`` is the device clock in ms; ``sdk`` is the attributed
    third-party SDK id, or 'app' for first-party code, or '' when unknown."""

    kind: ClassVar[str] = "api"
    api_id: str = ""
    category: str = ""
    method: str = ""
    args: str = ""
    ret: str = ""
    thread: str = ""
    tid: int = 0
    caller: str = ""
    stack: tuple[str, ...] = ()
    sdk: str = ""
    t_device: float = 0.0
    count: int = 1


@dataclass(frozen=True, slots=True)
class AppState(Event):
    """Emitted when the app's process or visibility changes: started, foreground, background,
    exited (clean), died (killed / crashed), crashed, anr. ``cause`` says why a process started
    (activity, service, broadcast, provider, ...) when known."""

    kind: ClassVar[str] = "app"
    state: str = "started"
    package: str = ""
    pid: int = 0
    cause: str = ""
    activity: str = ""


@dataclass(frozen=True, slots=True)
class AgentStatus(Event):
    """Emitted when an instrumentation agent reports in: ready (hook count, skipped hooks) or a
    recoverable error inside the agent."""

    kind: ClassVar[str] = "agent"
    status: str = "ready"
    hooks: int = 0
    skipped: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True, slots=True)
class ErrorRecord(Event):
    """Emitted when something went wrong but the run went on: a hostile agent message, a step
    that failed, a driver hiccup. ``where`` names the component."""

    kind: ClassVar[str] = "error"
    where: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class NetworkFlow(Event):
    """Emitted by the ``network`` source for every request the proxy saw complete or fail
    (mitmproxy). ``t_wall`` is the proxy host's wall clock (seconds) when the request started;
    ``headers`` are ``name: value`` strings (bounded); ``body`` names the request body kept in
    the run folder (``network/bodies/``, cut at a bound; ``body_cut`` says so) and
    ``body_sha256`` digests the whole body as sent (still compressed). ``tls`` is true when
    the client spoke TLS to the proxy (so the flow was decrypted). ``client`` is the peer
    ``ip:port`` that joins the flow to the app's connect-time stack."""

    kind: ClassVar[str] = "flow"
    flow_id: str = ""
    t_wall: float = 0.0
    client: str = ""
    method: str = ""
    scheme: str = ""
    host: str = ""
    port: int = 0
    path: str = ""
    http_version: str = ""
    tls: bool = False
    sni: str = ""
    headers: tuple[str, ...] = ()
    req_bytes: int = 0
    body_sha256: str = ""
    body: str = ""
    body_cut: bool = False
    status: int = 0
    resp_bytes: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class TlsFailure(Event):
    """Emitted by the ``network`` source when a client refused the proxy's TLS certificate
    (certificate pinning, or a trust store without the proxy's CA): the flow stays unreadable."""

    kind: ClassVar[str] = "tls_failure"
    t_wall: float = 0.0
    client: str = ""
    host: str = ""
    port: int = 0
    sni: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class HoneyPlant(Event):
    """Emitted when a hook returned a planted value instead of the real one (honey data), so a
    later match in a flow proves the value left the device: ``name`` (imei, android_id, ...),
    the PI ``category``, the ``value`` planted and the ``api_id`` that returned it."""

    kind: ClassVar[str] = "honey"
    name: str = ""
    category: str = ""
    value: str = ""
    api_id: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        RunMarker,
        StepMarker,
        UiSnapshot,
        UiAction,
        ConsentDecision,
        PermissionRequest,
        PermissionResult,
        ApiCall,
        AppState,
        AgentStatus,
        ErrorRecord,
        NetworkFlow,
        TlsFailure,
        HoneyPlant,
    )
}

_FIELDS: dict[str, dict[str, dataclasses.Field[Any]]] = {
    k: {f.name: f for f in dataclasses.fields(c)} for k, c in EVENT_TYPES.items()
}


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its JSON form. Unknown fields are ignored (forward compatible);
    raises ``ValueError`` for an unknown kind or a field of the wrong type."""
    kind = data.get("kind")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown event kind {kind!r}")
    fields = _FIELDS[cls.kind]
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in data:
            continue
        v = data[name]
        default = f.default if f.default is not dataclasses.MISSING else None
        if isinstance(default, tuple):
            if not isinstance(v, list):
                raise ValueError(f"{cls.kind}.{name}: expected a list")
            v = tuple(str(x) for x in v)
        elif isinstance(default, bool):
            v = bool(v)
        elif isinstance(default, int):
            if not isinstance(v, int) or isinstance(v, bool):
                raise ValueError(f"{cls.kind}.{name}: expected an integer")
        elif isinstance(default, float):
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                raise ValueError(f"{cls.kind}.{name}: expected a number")
            v = float(v)
        elif isinstance(default, str):
            if not isinstance(v, str):
                raise ValueError(f"{cls.kind}.{name}: expected a string")
        kwargs[name] = v
    return cls(**kwargs)

