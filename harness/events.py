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
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from harness.observations import MAX_JSON_CHARS, ScreenObservation

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
    "ExploreFound",
    "ExploreResult",
    "explore_result",
    "NetworkFlow",
    "TlsFailure",
    "NetworkConnect",
    "QuicBlocked",
    "HoneyPlant",
    "NetworkCapture",
    "CipherCall",
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
                v = [list(x) if isinstance(x, tuple) else x.to_dict() if hasattr(x, "to_dict") else x for x in v]
            elif hasattr(v, "to_dict"):
                v = v.to_dict()
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
    """Emitted by the runner when the screen read differs from the previous read, and on the
    first read after any input. ``screen_kind`` is the consent-UI recogniser's verdict;
    ``reading`` its typed reading (:class:`~harness.observations.ScreenObservation`: controls and
    roles, pre-ticked boxes, asymmetry; bounded, with a count of what the bounds left out);
    ``texts`` the page's visible texts (at most 200 of 400 characters, 30 000 in all, from
    :func:`harness.consent_ui.parse.page_texts`) and ``texts_omitted`` how many texts those
    bounds left out.

    Older run folders hold ``reading`` as JSON text with the texts inside; that form is still
    read (also when passed to the constructor)."""

    kind: ClassVar[str] = "ui"
    screen_id: str = ""
    hierarchy_hash: str = ""
    hierarchy_path: str = ""
    screenshot_path: str = ""
    package: str = ""
    screen_kind: str = "other"
    confidence: float = 0.0
    reading: ScreenObservation = field(default_factory=ScreenObservation)
    texts: tuple[str, ...] = ()
    texts_omitted: int = 0

    def __post_init__(self) -> None:
        raw: object = self.reading
        if isinstance(raw, ScreenObservation):
            return
        if isinstance(raw, str):  # the older form: JSON text, page texts inside
            obs = ScreenObservation.from_json(raw)
            if not self.texts and not obs.error and raw:
                texts, omitted = _legacy_texts(raw)
                object.__setattr__(self, "texts", texts)
                object.__setattr__(self, "texts_omitted", self.texts_omitted + omitted)
        elif isinstance(raw, Mapping):
            obs = ScreenObservation.from_mapping(raw)
        else:
            obs = ScreenObservation(error=f"reading of type {type(raw).__name__} ignored")
        object.__setattr__(self, "reading", obs)


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
    ``subject``: privacy_policy | permission:<GROUP> | cmp | personalisation (the app's own
    switch for personalised ads or recommendations; ``decline`` = switched off).  ``choice``:
    accept | decline | dismiss. ``how``: the control or gesture used (e.g. 'tap:不同意', 'back', 'timeout').
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
    third-party SDK id, or 'app' for first-party code, or '' when unknown. ``pid`` and ``process``
    name the app process that made the call (the main process is the package; a sub-process such
    as ``pkg:push``, or a child the app forked or exec'd, carries its own pid): detectors judge a
    call the same whichever process of the app made it; 0 / '' when the source does not know."""

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
    pid: int = 0
    process: str = ""


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
    conn: str = ""


@dataclass(frozen=True, slots=True)
class TlsFailure(Event):
    """Emitted by the ``network`` source when a client refused the proxy's TLS certificate
    (certificate pinning, or a trust store without the proxy's CA): the flow stays unreadable.
    Also emitted by the Frida agent (source ``frida``) when a pinning check that runs after the
    handshake (OkHttp's CertificatePinner) refused the proxy's certificate with unpinning off:
    the proxy never sees that refusal. ``conn`` is the agent's correlation token when known."""

    kind: ClassVar[str] = "tls_failure"
    t_wall: float = 0.0
    client: str = ""
    host: str = ""
    port: int = 0
    sni: str = ""
    error: str = ""
    conn: str = ""


@dataclass(frozen=True, slots=True)
class NetworkConnect(Event):
    """Emitted by the Frida agent when it redirected one TCP connect of the app to the harness
    proxy: ``token`` (the correlation token sent in the CONNECT request; flows of that connection
    carry it as ``NetworkFlow.conn``), the destination the app asked for (``host`` as the app named
    it, '' for a bare address; ``ip``; ``port``), ``via`` (the hooked API), the Java ``stack`` at
    connect time with its ``caller`` and attributed ``sdk``, and ``ms`` spent reaching the proxy
    and opening the tunnel. ``pid`` / ``process``: the app process, as on ApiCall."""

    kind: ClassVar[str] = "connect"
    token: str = ""
    host: str = ""
    ip: str = ""
    port: int = 0
    via: str = ""
    thread: str = ""
    caller: str = ""
    stack: tuple[str, ...] = ()
    sdk: str = ""
    ms: float = 0.0
    pid: int = 0
    process: str = ""


@dataclass(frozen=True, slots=True)
class QuicBlocked(Event):
    """Emitted by the Frida agent when it refused UDP to port 443 (QUIC), so the app falls back to
    TCP through the proxy: destination ``host`` and ``port``, ``via`` (the hooked API), the
    ``caller`` and attributed ``sdk``; ``count`` identical attempts from one call site are folded
    into one event. ``pid`` / ``process``: the app process, as on ApiCall."""

    kind: ClassVar[str] = "quic_blocked"
    host: str = ""
    port: int = 0
    via: str = ""
    caller: str = ""
    sdk: str = ""
    count: int = 1
    pid: int = 0
    process: str = ""


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


@dataclass(frozen=True, slots=True)
class NetworkCapture(Event):
    """Emitted once by a source that captures the app's traffic (the ``network`` source, or the
    reference device's model of it), when capture starts: what the proxy presented.
    ``ca``: ``trusted`` (the lab's CA, installed on the device or trusted by the agent) or
    ``untrusted`` (a CA made for this run that nothing trusts: a client that completes a TLS
    handshake with it accepts any certificate). ``ca_sha256``: the CA certificate's fingerprint.
    ``scope``: whose traffic reaches the proxy: ``app`` (only the app under test: the agent's
    connect redirect, a test client, the reference device) or ``device`` (every app: the global
    proxy setting)."""

    kind: ClassVar[str] = "capture"
    ca: str = "trusted"
    ca_sha256: str = ""
    scope: str = "app"
    proxy: str = ""


@dataclass(frozen=True, slots=True)
class CipherCall(Event):
    """Emitted when the app finished one encryption (``javax.crypto.Cipher.doFinal`` in
    ENCRYPT mode, seen by the agent's cipher hook; on the reference device, a model's encrypted
    ``send``), so a flow carrying the ciphertext can be tied to what was encrypted.
    ``algorithm`` is the transformation (AES/CBC/PKCS5Padding); ``plaintext`` names the file
    under the run folder's ``cipher/`` holding the plaintext (its first 64 KiB; ``plaintext_cut``
    when longer; '' when not kept), ``plaintext_len`` its full length and
    ``plaintext_sha256`` the digest of the kept part; ``ct_head`` is the hex of the first bytes
    of the ciphertext (at most 48), the fingerprint the matcher looks for in flows, and
    ``ct_len`` the ciphertext length. ``n`` > 1 when identical calls were folded. ``pid`` / ``process``: the app process, as on ApiCall."""

    kind: ClassVar[str] = "cipher"
    algorithm: str = ""
    plaintext: str = ""
    plaintext_len: int = 0
    plaintext_cut: bool = False
    plaintext_sha256: str = ""
    ct_head: str = ""
    ct_len: int = 0
    caller: str = ""
    sdk: str = ""
    n: int = 1
    pid: int = 0
    process: str = ""


@dataclass(frozen=True, slots=True)
class ExploreFound:
    """One target ``explore`` reached: the fewest taps from the main screen, the labels of the
    controls tapped (each at most 24 characters; at most max_depth + 1 of them), the screen id of
    the page the target is (the policy page, the deletion page it opened) and of the page where
    its control was seen (``near``), each '' when not recorded."""

    target: str
    clicks: int
    path: tuple[str, ...] = ()
    screen: str = ""
    near: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "clicks": self.clicks, "path": list(self.path), "screen": self.screen, "near": self.near}

    def entry(self) -> dict[str, Any]:
        """The older JSON entry form: clicks, path and the screen ids that were recorded."""
        out: dict[str, Any] = {"clicks": self.clicks, "path": list(self.path)}
        if self.screen:
            out["screen"] = self.screen
        if self.near:
            out["near"] = self.near
        return out


@dataclass(frozen=True, slots=True)
class ExploreResult(Event):
    """Emitted once by the ``explore`` step when it ends: each target found (``found``, at most
    one per target of the step's list, which has at most the five known targets), the targets
    not found (``missing``), the depth limit, the screens visited, the taps made and whether the
    search ended before its limits (``complete``). Bounded by construction: nothing is cut.

    Older run folders hold the same as JSON in the message of a ``StepMarker(step='explore',
    phase='result')``; :func:`explore_result` reads both."""

    kind: ClassVar[str] = "explore"
    found: tuple[ExploreFound, ...] = ()
    missing: tuple[str, ...] = ()
    max_depth: int = 0
    screens: int = 0
    taps: int = 0
    complete: bool = False

    def target(self, name: str) -> ExploreFound | None:
        return next((f for f in self.found if f.target == name), None)


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
        ExploreResult,
        NetworkFlow,
        TlsFailure,
        NetworkConnect,
        QuicBlocked,
        HoneyPlant,
        NetworkCapture,
        CipherCall,
    )
}

_FIELDS: dict[str, dict[str, dataclasses.Field[Any]]] = {
    k: {f.name: f for f in dataclasses.fields(c)} for k, c in EVENT_TYPES.items()
}


def _decode_found(v: Any) -> tuple[ExploreFound, ...]:
    if not isinstance(v, list):
        raise ValueError("explore.found: expected a list")
    out: list[ExploreFound] = []
    for x in v[:_MAX_FOUND]:
        if not isinstance(x, Mapping):
            raise ValueError("explore.found: expected objects")
        found = _found(str(x.get("target", "")), x)
        if found is not None:
            out.append(found)
    return tuple(out)


def _decode_reading(v: Any) -> ScreenObservation:
    if isinstance(v, (str, Mapping)):
        return v  # type: ignore[return-value]  # UiSnapshot.__post_init__ reads either form
    raise ValueError("ui.reading: expected an object (or, in older runs, JSON text)")


#: Fields whose JSON form is not a plain value: (event kind, field) -> decoder.
_DECODERS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("ui", "reading"): _decode_reading,
    ("explore", "found"): _decode_found,
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
        decoder = _DECODERS.get((cls.kind, name))
        if decoder is not None:
            kwargs[name] = decoder(v)
            continue
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


_MAX_FOUND = 50
_MAX_LEGACY_MESSAGE = 4000


def _found(target: str, entry: Mapping[str, Any]) -> ExploreFound | None:
    clicks = entry.get("clicks")
    if not target or not isinstance(clicks, int) or isinstance(clicks, bool) or clicks < 0:
        return None
    path = entry.get("path")
    screen = entry.get("screen")
    near = entry.get("near")
    return ExploreFound(
        target=target[:40],
        clicks=clicks,
        path=tuple(str(p)[:40] for p in path[:20]) if isinstance(path, list) else (),
        screen=screen[:64] if isinstance(screen, str) else "",
        near=near[:64] if isinstance(near, str) else "",
    )


def explore_result(ev: Event) -> ExploreResult | None:
    """The explore result an event holds: an :class:`ExploreResult` as is, or the older form (a
    ``StepMarker(step='explore', phase='result')`` whose message is the result as JSON, read
    tolerantly); None for any other event or an unreadable older record."""
    if isinstance(ev, ExploreResult):
        return ev
    if not isinstance(ev, StepMarker) or ev.step != "explore" or ev.phase != "result":
        return None
    try:
        data = json.loads(ev.message[:_MAX_LEGACY_MESSAGE])
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("found"), dict):
        return None
    found = [f for k, v in list(data["found"].items())[:_MAX_FOUND] if isinstance(v, dict) and (f := _found(str(k), v)) is not None]
    missing = data.get("missing")

    def num(key: str) -> int:
        v = data.get(key, 0)
        return v if isinstance(v, int) and not isinstance(v, bool) else 0

    return ExploreResult(
        seq=ev.seq,
        t=ev.t,
        source=ev.source,
        found=tuple(found),
        missing=tuple(str(x)[:40] for x in missing[:_MAX_FOUND]) if isinstance(missing, list) else (),
        max_depth=num("max_depth"),
        screens=num("screens"),
        taps=num("taps"),
        complete=bool(data.get("complete", False)),
    )


def _legacy_texts(raw: str) -> tuple[tuple[str, ...], int]:
    """Page texts kept inside an older reading's JSON text (bounded as the runner bounds them)."""
    if len(raw) > MAX_JSON_CHARS:
        return (), 0
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return (), 0
    texts = data.get("texts") if isinstance(data, dict) else None
    if not isinstance(texts, list):
        return (), 0
    kept = [t for t in texts[:_MAX_LEGACY_TEXTS] if isinstance(t, str)]
    return tuple(kept), max(0, len(texts) - _MAX_LEGACY_TEXTS)


_MAX_LEGACY_TEXTS = 400
