"""App models for the reference device: what a simulated app shows and does.

An app model is YAML (see harness/devices/sim/apps/*.yaml and docs/ARCHITECTURE.md). It has:

- ``screens``: pages and in-app dialogs, each with elements (button, link, checkbox, text,
  input, tab) whose ``on_tap`` runs actions;
- app-level triggers: ``on_start`` (process start, before any screen), ``on_launch`` (each
  cold launch: usually chooses the first screen), ``on_resume``, ``on_background``,
  ``on_consent`` (accept / decline), ``self_start`` (the process starts itself while not
  running);
- ``features``: named user paths (taps by element id or text) that scenarios exercise, with
  the user intent they express and whether they are basic functions;
- ``truth``: the ground truth of planted behaviours (rule id, scenario, why), used by the
  calibration benchmark, never by the detectors.

Actions (a list of one-key mappings)::

    goto: <screen>            show a screen (a dialog stays over the current page)
    close: true               close the current in-app dialog
    consent: accept|decline   record the user's policy decision in the app's state
    call: <api id> | {api, args, ret, sdk, times, thread}
                              the app (or the SDK given by package) calls a catalogued API
    request: {permissions: [...], sdk, on_granted: [...], on_denied: [...]}
                              requestPermissions(): system dialogs for groups not yet granted
    send: {host, path, scheme, method, sdk, data: {field: value}, encode, gzip, flags, trust, encrypt}
                              the app (or the SDK) sends a request: a NetworkFlow with its body
                              kept in the run folder; ``encode`` is how each value of ``data``
                              travels (plain, md5, sha1, sha256, base64, md5+base64,
                              salted-sha256); ``flags`` are fields sent as they are, never
                              encoded (switches such as ``personalized: 1``; JSON true/false
                              stay booleans); ``trust``: ``system`` (default: the TLS client
                              refuses a CA the device does not trust) or ``any`` (it accepts any
                              certificate). In a run whose capture presents an untrusted CA
                              (the ``sim`` source's ``network_ca=untrusted`` option) a
                              ``system`` https request is a refused handshake (TlsFailure) and
                              only ``any`` requests are seen. ``encrypt: aes-cbc`` encrypts the
                              JSON body (AES-128-CBC, a per-app key, the IV in front, base64 in
                              a JSON envelope) and records the encryption as the agent's cipher
                              hook would (a CipherCall with the plaintext kept in the run folder)
    exit: <reason>            the app finishes and its process exits
    crash: <message>          the process dies with an exception
    die: <reason>             the system kills the process (low-memory killer, background
                              limits): AppState "died"; a ``self_start`` may bring it back
    set: {flag: value}        app state flag (persisted like preferences)
    if: {consent, flag, permission, launches_gte, foreground}   then: [...]   else: [...]
    after: {seconds, do}      one-shot timer
    every: {seconds, do, while: foreground|alive, max}          periodic timer

Errors name the file, line and field.

Additions made for the calibration corpus (docs/corpus.md), each backwards compatible:

- ``die`` (action): the operating system kills the process, as Android's low-memory killer
  does to a backgrounded app. Unlike ``exit`` (the app finishes itself) and ``crash`` (an
  exception), the app did not choose it; it is how a model reaches the "process not running"
  state in which a ``self_start`` (e.g. a push SDK's keep-alive service) can fire.
- ``manifest`` (optional block): what the app's AndroidManifest.xml would declare, for the
  static check (S0, :mod:`harness.static`)::

      manifest:
        min_sdk: 24                  # default 24; target_sdk defaults to api_level
        permissions: [INTERNET, ACCESS_FINE_LOCATION]   # short names mean android.permission.*
        debuggable: false            # flags default to the safe value (false)
        uses_cleartext_traffic: false
        allow_backup: false
        backup_rules: false          # fullBackupContent / dataExtractionRules given
        network_security_config: false
        components:
          - {kind: receiver, name: com.sdk.push.BootReceiver, exported: false,
             actions: [android.intent.action.BOOT_COMPLETED]}

  Component kinds: activity, activity-alias, service, receiver, provider; ``name`` may start
  with '.' (relative to the package); ``permission``, ``read_permission``,
  ``write_permission`` and ``exported`` are optional. Errors name the line, like the rest.
- Call-site stacks are sent once per instrumentation session (each ``subscribe``), not once per
  device: a second run on the same reference device gets full stacks again, so SDK attribution
  does not depend on which run came first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness import yamlio
from harness.catalog.permissions import group_of
from harness.devices.apk import COMPONENT_KINDS, ApkManifest, Component
from harness.errors import AppModelError
from harness.yamlio import MarkedDict

__all__ = [
    "Action",
    "Element",
    "Screen",
    "Feature",
    "AppModel",
    "load_model",
    "load_model_file",
    "load_bundled",
    "available_models",
    "model_path",
    "CORPORA",
    "corpus_of",
]

ELEMENT_TYPES = ("button", "link", "checkbox", "text", "input", "tab", "image", "switch")
STYLES = ("primary", "secondary", "link", "plain", "close")
LAYOUTS = ("page", "dialog")
ACTION_OPS = ("goto", "close", "consent", "call", "request", "send", "exit", "crash", "die", "set", "if", "after", "every")
#: How a ``send`` action encodes each value it sends (see harness.network.encodings for what the
#: matcher recognises): as is, hashed, base64 of the text or of the MD5 digest, or salted (a
#: value no one can recognise: the clean control).
SEND_ENCODINGS = ("plain", "md5", "sha1", "sha256", "base64", "md5+base64", "salted-sha256")
#: Which certificates the TLS client of a ``send`` accepts: the system's trust store (the
#: default: it refuses a CA the device does not trust) or any certificate (a trust-all manager:
#: planted R37 in the untrusted-CA run).
SEND_TRUST = ("system", "any")
CONSENT_STATES = ("none", "accepted", "declined")
PERM_CONDS = ("granted", "denied", "unasked")
INTENTS = ("", "camera", "scan", "mic", "location", "clipboard", "contacts", "phone", "sms", "storage", "media", "calendar", "browse", "pay", "login", "video")
_PKG_SEG = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


@dataclass(frozen=True, slots=True)
class Action:
    op: str
    arg: Any
    line: int = 0
    then: tuple[Action, ...] = ()
    otherwise: tuple[Action, ...] = ()


@dataclass(frozen=True, slots=True)
class Element:
    id: str
    type: str
    text: str = ""
    style: str = "plain"
    checked: bool = False
    on_tap: tuple[Action, ...] = ()
    intent: str = ""
    desc: str = ""
    hint: str = ""


@dataclass(frozen=True, slots=True)
class Screen:
    id: str
    layout: str = "page"
    activity: str = ""
    title: str = ""
    body: tuple[str, ...] = ()
    elements: tuple[Element, ...] = ()
    on_show: tuple[Action, ...] = ()
    on_back: tuple[Action, ...] | None = None
    on_outside: tuple[Action, ...] = ()
    buttons_row: bool = True


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    taps: tuple[str, ...]
    intent: str = ""
    basic: bool = False
    expect: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class AppModel:
    name: str
    package: str
    label: str
    version: str = "1.0"
    locale: str = "zh"
    api_level: int = 33
    profile: str = ""
    description: str = ""
    screens: dict[str, Screen] = field(default_factory=dict)
    on_start: tuple[Action, ...] = ()
    on_launch: tuple[Action, ...] = ()
    on_resume: tuple[Action, ...] = ()
    on_background: tuple[Action, ...] = ()
    on_consent_accept: tuple[Action, ...] = ()
    on_consent_decline: tuple[Action, ...] = ()
    self_start: dict[str, Any] = field(default_factory=dict)
    features: dict[str, Feature] = field(default_factory=dict)
    truth: tuple[dict[str, Any], ...] = ()
    clean: bool = False
    source: str = ""
    manifest: ApkManifest | None = None


class _V:
    """Validation helper that raises AppModelError with file:line and field path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, msg: str, obj: Any = None, key: str | int | None = None, path: str = "") -> AppModelError:
        line = yamlio.line_of(obj, key) if obj is not None else None
        where = f"{self.file}:{line}" if line else self.file
        fld = f" field '{path}'" if path else ""
        return AppModelError(f"{where}:{fld} {msg}")

    def mapping(self, obj: Any, path: str, parent: Any = None, key: str | int | None = None) -> MarkedDict:
        if not isinstance(obj, dict):
            raise self.fail(f"must be a mapping, got {type(obj).__name__}", parent, key, path)
        return obj  # type: ignore[return-value]

    def seq(self, obj: Any, path: str, parent: Any = None, key: str | int | None = None) -> list[Any]:
        if obj is None:
            return []
        if not isinstance(obj, list):
            raise self.fail(f"must be a list, got {type(obj).__name__}", parent, key, path)
        return obj

    def string(self, d: MarkedDict, key: str, path: str, *, required: bool = False, default: str = "", max_len: int = 4000) -> str:
        if key not in d or d[key] is None:
            if required:
                raise self.fail(f"missing required field '{key}'", d, None, path)
            return default
        v = d[key]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            raise self.fail(f"must be a string, got {type(v).__name__}", d, key, f"{path}.{key}")
        if len(v) > max_len:
            raise self.fail(f"longer than {max_len} characters", d, key, f"{path}.{key}")
        return v

    def known_keys(self, d: MarkedDict, allowed: tuple[str, ...], path: str) -> None:
        for k in d:
            if k not in allowed:
                raise self.fail(f"unknown field '{k}' (allowed: {', '.join(allowed)})", d, k, f"{path}.{k}")


def _is_package(name: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 2 and all(p and p[0].isalpha() and all(c in _PKG_SEG for c in p) for p in parts)


def _actions(v: _V, obj: Any, path: str, parent: Any = None, key: str | int | None = None) -> tuple[Action, ...]:
    items = v.seq(obj, path, parent, key)
    out = []
    for i, item in enumerate(items):
        ipath = f"{path}[{i}]"
        d = v.mapping(item, ipath, items, i)
        line = d.line
        if "if" in d:
            v.known_keys(d, ("if", "then", "else"), ipath)
            cond = v.mapping(d["if"], f"{ipath}.if", d, "if")
            v.known_keys(cond, ("consent", "flag", "permission", "launches_gte", "foreground"), f"{ipath}.if")
            if "consent" in cond and cond["consent"] not in CONSENT_STATES:
                raise v.fail(f"must be one of {CONSENT_STATES}", cond, "consent", f"{ipath}.if.consent")
            if "permission" in cond:
                pm = v.mapping(cond["permission"], f"{ipath}.if.permission", cond, "permission")
                for g, st in pm.items():
                    if st not in PERM_CONDS:
                        raise v.fail(f"must be one of {PERM_CONDS}", pm, g, f"{ipath}.if.permission.{g}")
            out.append(
                Action(
                    "if",
                    dict(cond),
                    line,
                    then=_actions(v, d.get("then"), f"{ipath}.then", d, "then"),
                    otherwise=_actions(v, d.get("else"), f"{ipath}.else", d, "else"),
                )
            )
            continue
        if len(d) != 1:
            raise v.fail(f"an action is a mapping with one key (one of {', '.join(ACTION_OPS)})", items, i, ipath)
        op, arg = next(iter(d.items()))
        apath = f"{ipath}.{op}"
        if op not in ACTION_OPS:
            raise v.fail(f"unknown action '{op}' (known: {', '.join(ACTION_OPS)})", d, op, apath)
        if op in ("goto", "crash", "exit", "die") and not isinstance(arg, (str, bool)):
            raise v.fail("must be a string", d, op, apath)
        if op == "consent" and arg not in ("accept", "decline"):
            raise v.fail("must be 'accept' or 'decline'", d, op, apath)
        if op == "call":
            if isinstance(arg, str):
                arg = {"api": arg}
            a = v.mapping(arg, apath, d, op)
            v.known_keys(a, ("api", "args", "ret", "sdk", "times", "thread"), apath)
            api = v.string(a, "api", apath, required=True, max_len=200)
            sdk = v.string(a, "sdk", apath)
            if sdk and not _is_package(sdk):
                raise v.fail(f"'{sdk}' is not a Java package name", a, "sdk", f"{apath}.sdk")
            times = a.get("times", 1)
            if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 10_000:
                raise v.fail("must be an integer from 1 to 10000", a, "times", f"{apath}.times")
            arg = {"api": api, "args": v.string(a, "args", apath), "ret": v.string(a, "ret", apath), "sdk": sdk, "times": times, "thread": v.string(a, "thread", apath, default="main")}
        if op == "request":
            a = v.mapping(arg, apath, d, op)
            v.known_keys(a, ("permissions", "sdk", "on_granted", "on_denied"), apath)
            perms = v.seq(a.get("permissions"), f"{apath}.permissions", a, "permissions")
            if not perms:
                raise v.fail("needs at least one permission", a, "permissions", f"{apath}.permissions")
            for j, p in enumerate(perms):
                if not isinstance(p, str) or not group_of(p):
                    raise v.fail(f"'{p}' is not a runtime permission", perms, j, f"{apath}.permissions[{j}]")
            sdk = v.string(a, "sdk", apath)
            if sdk and not _is_package(sdk):
                raise v.fail(f"'{sdk}' is not a Java package name", a, "sdk", f"{apath}.sdk")
            arg = {
                "permissions": tuple("android.permission." + p.rsplit(".", 1)[-1] for p in perms),
                "sdk": sdk,
                "on_granted": _actions(v, a.get("on_granted"), f"{apath}.on_granted", a, "on_granted"),
                "on_denied": _actions(v, a.get("on_denied"), f"{apath}.on_denied", a, "on_denied"),
            }
        if op == "send":
            a = v.mapping(arg, apath, d, op)
            v.known_keys(a, ("host", "path", "scheme", "method", "sdk", "data", "encode", "gzip", "flags", "trust", "encrypt"), apath)
            host = v.string(a, "host", apath, required=True, max_len=253)
            if not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", host):
                raise v.fail("must be a host name", a, "host", f"{apath}.host")
            sdk = v.string(a, "sdk", apath)
            if sdk and not _is_package(sdk):
                raise v.fail(f"'{sdk}' is not a Java package name", a, "sdk", f"{apath}.sdk")
            scheme = v.string(a, "scheme", apath, default="https")
            if scheme not in ("http", "https"):
                raise v.fail("must be 'http' or 'https'", a, "scheme", f"{apath}.scheme")
            encode = v.string(a, "encode", apath, default="plain")
            if encode not in SEND_ENCODINGS:
                raise v.fail(f"must be one of {SEND_ENCODINGS}", a, "encode", f"{apath}.encode")
            data = v.mapping(a.get("data"), f"{apath}.data", a, "data")
            fields = {}
            for k, val in data.items():
                if not isinstance(k, str) or not isinstance(val, (str, int, float)) or isinstance(val, bool):
                    raise v.fail("data maps field names to values", data, k, f"{apath}.data.{k}")
                fields[k] = str(val)[:500]
            gz = a.get("gzip", False)
            if not isinstance(gz, bool):
                raise v.fail("must be true or false", a, "gzip", f"{apath}.gzip")
            flags = {}
            if "flags" in a:
                fmap = v.mapping(a.get("flags"), f"{apath}.flags", a, "flags")
                for k, val in fmap.items():
                    if not isinstance(k, str) or not isinstance(val, (str, int, float, bool)):
                        raise v.fail("flags map field names to values", fmap, k, f"{apath}.flags.{k}")
                    flags[k] = val if isinstance(val, bool) else str(val)[:100]
            trust = v.string(a, "trust", apath, default="system")
            if trust not in SEND_TRUST:
                raise v.fail(f"must be one of {SEND_TRUST}", a, "trust", f"{apath}.trust")
            method = v.string(a, "method", apath, default="POST")
            encrypt = v.string(a, "encrypt", apath, default="")
            if encrypt not in ("", "aes-cbc"):
                raise v.fail("must be 'aes-cbc' (or left out)", a, "encrypt", f"{apath}.encrypt")
            if encrypt and method.upper() in ("GET", "HEAD"):
                raise v.fail("only a request with a body (POST, PUT) can be encrypted", a, "encrypt", f"{apath}.encrypt")
            arg = {"host": host, "path": v.string(a, "path", apath, default="/", max_len=500), "scheme": scheme, "method": method, "sdk": sdk, "data": fields, "encode": encode, "gzip": gz, "flags": flags, "trust": trust, "encrypt": encrypt}
        if op == "set":
            a = v.mapping(arg, apath, d, op)
            arg = dict(a)
        if op in ("after", "every"):
            a = v.mapping(arg, apath, d, op)
            v.known_keys(a, ("seconds", "do", "while", "max", "id"), apath)
            secs = a.get("seconds")
            if isinstance(secs, bool) or not isinstance(secs, (int, float)) or not 0.01 <= secs <= 86_400:
                raise v.fail("must be a number of seconds from 0.01 to 86400", a, "seconds", f"{apath}.seconds")
            while_ = a.get("while", "alive")
            if while_ not in ("foreground", "alive"):
                raise v.fail("must be 'foreground' or 'alive'", a, "while", f"{apath}.while")
            mx = a.get("max", 0)
            if not isinstance(mx, int) or isinstance(mx, bool) or mx < 0:
                raise v.fail("must be a non-negative integer", a, "max", f"{apath}.max")
            arg = {"seconds": float(secs), "do": _actions(v, a.get("do"), f"{apath}.do", a, "do"), "while": while_, "max": mx, "id": str(a.get("id", ""))}
        out.append(Action(op, arg, line))
    return tuple(out)


def _screen(v: _V, sid: str, d: Any, parent: MarkedDict) -> Screen:
    path = f"screens.{sid}"
    d = v.mapping(d, path, parent, sid)
    v.known_keys(d, ("layout", "activity", "title", "body", "elements", "on_show", "on_back", "on_outside", "buttons_row"), path)
    layout = v.string(d, "layout", path, default="page")
    if layout not in LAYOUTS:
        raise v.fail(f"must be one of {LAYOUTS}", d, "layout", f"{path}.layout")
    body_raw = d.get("body")
    if isinstance(body_raw, str):
        body: tuple[str, ...] = (body_raw,)
    else:
        body = tuple(str(x) for x in v.seq(body_raw, f"{path}.body", d, "body"))
    elements = []
    seen: set[str] = set()
    for i, e in enumerate(v.seq(d.get("elements"), f"{path}.elements", d, "elements")):
        epath = f"{path}.elements[{i}]"
        e = v.mapping(e, epath, d.get("elements"), i)
        v.known_keys(e, ("id", "type", "text", "style", "checked", "on_tap", "intent", "desc", "hint"), epath)
        eid = v.string(e, "id", epath, required=True, max_len=100)
        if eid in seen:
            raise v.fail(f"duplicate element id '{eid}'", e, "id", f"{epath}.id")
        seen.add(eid)
        etype = v.string(e, "type", epath, default="button")
        if etype not in ELEMENT_TYPES:
            raise v.fail(f"must be one of {ELEMENT_TYPES}", e, "type", f"{epath}.type")
        style = v.string(e, "style", epath, default="primary" if etype == "button" else "plain")
        if style not in STYLES:
            raise v.fail(f"must be one of {STYLES}", e, "style", f"{epath}.style")
        intent = v.string(e, "intent", epath)
        if intent not in INTENTS:
            raise v.fail(f"must be one of {INTENTS}", e, "intent", f"{epath}.intent")
        checked = e.get("checked", False)
        if not isinstance(checked, bool):
            raise v.fail("must be true or false", e, "checked", f"{epath}.checked")
        elements.append(
            Element(
                id=eid,
                type=etype,
                text=v.string(e, "text", epath),
                style=style,
                checked=checked,
                on_tap=_actions(v, e.get("on_tap"), f"{epath}.on_tap", e, "on_tap"),
                intent=intent,
                desc=v.string(e, "desc", epath),
                hint=v.string(e, "hint", epath),
            )
        )
    return Screen(
        id=sid,
        layout=layout,
        activity=v.string(d, "activity", path, default=".MainActivity"),
        title=v.string(d, "title", path),
        body=body,
        elements=tuple(elements),
        on_show=_actions(v, d.get("on_show"), f"{path}.on_show", d, "on_show"),
        on_back=_actions(v, d.get("on_back"), f"{path}.on_back", d, "on_back") if "on_back" in d else None,
        on_outside=_actions(v, d.get("on_outside"), f"{path}.on_outside", d, "on_outside"),
        buttons_row=bool(d.get("buttons_row", True)),
    )


def _walk(actions: tuple[Action, ...]) -> list[Action]:
    out: list[Action] = []
    for a in actions:
        out.append(a)
        out.extend(_walk(a.then))
        out.extend(_walk(a.otherwise))
        if a.op == "request":
            out.extend(_walk(a.arg["on_granted"]))
            out.extend(_walk(a.arg["on_denied"]))
        if a.op in ("after", "every"):
            out.extend(_walk(a.arg["do"]))
    return out


def load_model(data: Any, file: str = "<model>") -> AppModel:
    """Validate parsed YAML into an AppModel; AppModelError names file, line and field."""
    v = _V(file)
    d = v.mapping(data, "model")
    v.known_keys(
        d,
        ("model", "package", "label", "version", "locale", "api_level", "profile", "description", "screens", "on_start", "on_launch",
         "on_resume", "on_background", "on_consent", "self_start", "features", "truth", "clean", "manifest"),
        "model",
    )
    name = v.string(d, "model", "model", required=True, max_len=80)
    package = v.string(d, "package", "package", required=True, max_len=200)
    if not _is_package(package):
        raise v.fail(f"'{package}' is not a valid Android package name", d, "package", "package")
    screens_raw = v.mapping(d.get("screens"), "screens", d, "screens")
    if not screens_raw:
        raise v.fail("needs at least one screen", d, "screens", "screens")
    screens = {str(sid): _screen(v, str(sid), s, screens_raw) for sid, s in screens_raw.items()}
    consent = v.mapping(d.get("on_consent", MarkedDict()), "on_consent", d, "on_consent")
    v.known_keys(consent, ("accept", "decline"), "on_consent")
    features = {}
    for fname, f in v.mapping(d.get("features", MarkedDict()), "features", d, "features").items():
        fpath = f"features.{fname}"
        f = v.mapping(f, fpath, d.get("features"), fname)
        v.known_keys(f, ("taps", "intent", "basic", "expect", "description"), fpath)
        taps = tuple(str(x) for x in v.seq(f.get("taps"), f"{fpath}.taps", f, "taps"))
        if not taps:
            raise v.fail("needs at least one tap", f, "taps", f"{fpath}.taps")
        intent = v.string(f, "intent", fpath)
        if intent not in INTENTS:
            raise v.fail(f"must be one of {INTENTS}", f, "intent", f"{fpath}.intent")
        features[str(fname)] = Feature(str(fname), taps, intent, bool(f.get("basic", False)), v.string(f, "expect", fpath), v.string(f, "description", fpath))
    self_start = dict(v.mapping(d.get("self_start", MarkedDict()), "self_start", d, "self_start"))
    if self_start:
        ss = d["self_start"]
        v.known_keys(ss, ("after", "cause", "do"), "self_start")
        after = ss.get("after")
        if isinstance(after, bool) or not isinstance(after, (int, float)) or after <= 0:
            raise v.fail("must be a positive number of seconds", ss, "after", "self_start.after")
        self_start = {"after": float(after), "cause": str(ss.get("cause", "broadcast")), "do": _actions(v, ss.get("do"), "self_start.do", ss, "do")}
    api_level = d.get("api_level", 33)
    if not isinstance(api_level, int) or not 23 <= api_level <= 36:
        raise v.fail("must be an integer from 23 to 36", d, "api_level", "api_level")
    truth = tuple(dict(t) for t in v.seq(d.get("truth"), "truth", d, "truth"))
    model = AppModel(
        name=name,
        package=package,
        label=v.string(d, "label", "label", default=name),
        version=v.string(d, "version", "version", default="1.0"),
        locale=v.string(d, "locale", "locale", default="zh"),
        api_level=api_level,
        profile=v.string(d, "profile", "profile"),
        description=v.string(d, "description", "description"),
        screens=screens,
        on_start=_actions(v, d.get("on_start"), "on_start", d, "on_start"),
        on_launch=_actions(v, d.get("on_launch"), "on_launch", d, "on_launch"),
        on_resume=_actions(v, d.get("on_resume"), "on_resume", d, "on_resume"),
        on_background=_actions(v, d.get("on_background"), "on_background", d, "on_background"),
        on_consent_accept=_actions(v, consent.get("accept"), "on_consent.accept", consent, "accept"),
        on_consent_decline=_actions(v, consent.get("decline"), "on_consent.decline", consent, "decline"),
        self_start=self_start,
        features=features,
        truth=truth,
        clean=bool(d.get("clean", False)),
        source=file,
        manifest=_manifest(v, d, package, api_level) if d.get("manifest") is not None else None,
    )
    _check_refs(v, model)
    return model


_MANIFEST_KEYS = (
    "min_sdk", "target_sdk", "permissions", "debuggable", "uses_cleartext_traffic", "allow_backup",
    "backup_rules", "network_security_config", "components",
)
_COMPONENT_KEYS = ("kind", "name", "exported", "permission", "read_permission", "write_permission", "actions")
_MAX_MODEL_PERMS = 300
_MAX_MODEL_COMPONENTS = 500


def _is_dotted(name: str, *, relative: bool = False) -> bool:
    """A Java-style dotted name ('.X' allowed when ``relative``)."""
    if relative and name.startswith("."):
        name = name[1:]
    parts = name.split(".")
    return bool(name) and len(name) <= 255 and all(p and (p[0].isalpha() or p[0] == "_") and all(c in _PKG_SEG or c == "$" for c in p) for p in parts)


def _model_flag(v: _V, d: MarkedDict, key: str) -> bool:
    val = d.get(key, False)
    if not isinstance(val, bool):
        raise v.fail("must be true or false", d, key, f"manifest.{key}")
    return val


def _manifest(v: _V, d: MarkedDict, package: str, api_level: int) -> ApkManifest:
    """Validate the optional ``manifest:`` block into the same record an APK gives."""
    m = v.mapping(d.get("manifest"), "manifest", d, "manifest")
    v.known_keys(m, _MANIFEST_KEYS, "manifest")
    sdk: dict[str, int] = {}
    for key, default in (("min_sdk", 24), ("target_sdk", api_level)):
        val = m.get(key, default)
        if isinstance(val, bool) or not isinstance(val, int) or not 1 <= val <= 40:
            raise v.fail("must be an integer from 1 to 40", m, key, f"manifest.{key}")
        sdk[key] = val
    perms: list[str] = []
    raw_perms = v.seq(m.get("permissions"), "manifest.permissions", m, "permissions")
    if len(raw_perms) > _MAX_MODEL_PERMS:
        raise v.fail(f"more than {_MAX_MODEL_PERMS} permissions", m, "permissions", "manifest.permissions")
    for i, p in enumerate(raw_perms):
        if not isinstance(p, str) or not _is_dotted(p):
            raise v.fail(f"permission {str(p)[:80]!r} is not a permission name", raw_perms, i, f"manifest.permissions[{i}]")
        perms.append(p if "." in p else f"android.permission.{p}")
    comps: list[Component] = []
    raw_comps = v.seq(m.get("components"), "manifest.components", m, "components")
    if len(raw_comps) > _MAX_MODEL_COMPONENTS:
        raise v.fail(f"more than {_MAX_MODEL_COMPONENTS} components", m, "components", "manifest.components")
    for i, c in enumerate(raw_comps):
        path = f"manifest.components[{i}]"
        c = v.mapping(c, path, raw_comps, i)
        v.known_keys(c, _COMPONENT_KEYS, path)
        kind = v.string(c, "kind", path, required=True, max_len=20)
        if kind not in COMPONENT_KINDS:
            raise v.fail(f"must be one of {', '.join(COMPONENT_KINDS)}", c, "kind", f"{path}.kind")
        name = v.string(c, "name", path, required=True, max_len=255)
        if not _is_dotted(name, relative=True):
            raise v.fail(f"{name[:80]!r} is not a class name", c, "name", f"{path}.name")
        exported = c.get("exported")
        if exported is not None and not isinstance(exported, bool):
            raise v.fail("must be true or false", c, "exported", f"{path}.exported")
        guards = {k: v.string(c, k, path, max_len=255) for k in ("permission", "read_permission", "write_permission")}
        actions = tuple(str(a) for a in v.seq(c.get("actions"), f"{path}.actions", c, "actions"))
        for j, a in enumerate(actions):
            if not _is_dotted(a):
                raise v.fail(f"action {a[:80]!r} is not an intent action name", c.get("actions"), j, f"{path}.actions[{j}]")
        full = package + name if name.startswith(".") else name
        comps.append(Component(kind, full, exported, guards["permission"], guards["read_permission"], guards["write_permission"], actions, bool(actions)))
    return ApkManifest(
        package=package,
        version_code=1,
        version_name=str(d.get("version", "1.0"))[:200],
        min_sdk=sdk["min_sdk"],
        target_sdk=sdk["target_sdk"],
        permissions=tuple(dict.fromkeys(perms)),
        launcher_activity=next((c.name for c in comps if c.kind in ("activity", "activity-alias") and "android.intent.action.MAIN" in c.actions), ""),
        debuggable=_model_flag(v, m, "debuggable"),
        uses_cleartext_traffic=_model_flag(v, m, "uses_cleartext_traffic"),
        allow_backup=_model_flag(v, m, "allow_backup"),
        backup_rules=_model_flag(v, m, "backup_rules"),
        network_security_config=_model_flag(v, m, "network_security_config"),
        components=tuple(comps),
    )


def _check_refs(v: _V, m: AppModel) -> None:
    from harness.catalog.apis import api_by_id

    groups: list[tuple[Action, ...]] = [m.on_start, m.on_launch, m.on_resume, m.on_background, m.on_consent_accept, m.on_consent_decline]
    groups.append(tuple(m.self_start.get("do", ())))
    for s in m.screens.values():
        groups.append(s.on_show)
        groups.append(s.on_outside)
        if s.on_back:
            groups.append(s.on_back)
        for e in s.elements:
            groups.append(e.on_tap)
    for g in groups:
        for a in _walk(g):
            if a.op == "goto" and a.arg not in m.screens:
                raise AppModelError(f"{v.file}:{a.line}: field 'goto': unknown screen '{a.arg}'")
            if a.op == "call":
                try:
                    api = api_by_id(a.arg["api"])
                except KeyError:
                    raise AppModelError(f"{v.file}:{a.line}: field 'call.api': '{a.arg['api']}' is not in the API catalogue") from None
                if not api.available_on(m.api_level):
                    # the real agent skips hook points outside the device's API level: so does the sim
                    raise AppModelError(
                        f"{v.file}:{a.line}: field 'call.api': '{api.id}' does not exist on API {m.api_level} "
                        f"(catalogue range {api.api_min}-{api.api_max if api.api_max is not None else ''})"
                    )
    for f in m.features.values():
        ids = {e.id for s in m.screens.values() for e in s.elements}
        texts = {e.text for s in m.screens.values() for e in s.elements}
        for tap in f.taps:
            if tap not in ids and tap not in texts:
                raise AppModelError(f"{v.file}: field 'features.{f.name}.taps': no element with id or text '{tap}'")


def load_model_file(path: str | Path) -> AppModel:
    return load_model(yamlio.load_file(path), str(path))


CORPORA: dict[str, str] = {"calibration": "apps", "second": "apps_second", "third": "apps_third"}
"""Bundled reference-app corpora -> their folder next to this module. ``calibration`` is the
first corpus (demo, calibration figure); ``second`` was written independently afterwards, before
any detector was changed for it, to estimate accuracy on apps the detectors were not tuned on;
``third`` is an adversarial set written the same way (lawful but unusual clean apps in other
languages and with other SDKs, plants in new forms) (docs/corpus.md). Model names are unique
across corpora."""


def _apps_dir(corpus: str = "calibration") -> Path:
    if corpus not in CORPORA:
        raise AppModelError(f"unknown corpus '{corpus}' (known: {', '.join(CORPORA)})")
    return Path(str(resources.files("harness.devices.sim").joinpath(CORPORA[corpus])))


def model_path(name: str) -> Path:
    """Path of a bundled model by name (in any corpus), or of a YAML file given directly."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    for corpus in CORPORA:
        for cand in sorted(_apps_dir(corpus).glob("*.yaml")):
            if cand.stem == name:
                return cand
    raise AppModelError(f"unknown app model '{name}' (bundled: {', '.join(available_models('all'))})")


def corpus_of(name: str) -> str:
    """The corpus a bundled model belongs to ('' for a model given by path)."""
    for corpus in CORPORA:
        if (_apps_dir(corpus) / f"{name}.yaml").is_file():
            return corpus
    return ""


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime: float) -> AppModel:
    return load_model_file(path)


def load_bundled(name: str) -> AppModel:
    p = model_path(name)
    return _load_cached(str(p), p.stat().st_mtime)


def available_models(corpus: str = "calibration") -> list[str]:
    """Names of the bundled models of one corpus (default: the calibration corpus), or of every
    corpus with ``'all'``."""
    if corpus == "all":
        return sorted(p.stem for c in CORPORA for p in _apps_dir(c).glob("*.yaml"))
    return sorted(p.stem for p in _apps_dir(corpus).glob("*.yaml"))

