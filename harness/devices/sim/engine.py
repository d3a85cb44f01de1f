"""The reference device's engine: simulated apps on virtual time.

Deterministic: the same model and the same inputs give the same timeline. Time only moves when
the driver asks (``advance``), so a 30-second observation costs microseconds. Everything the
simulated app does that real hooks would see is sent as agent wire-protocol messages
(:mod:`harness.instrumentation.protocol`) to the subscribed listeners, exactly like the Frida
agent does on a real device.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import heapq
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from harness.catalog.apis import api_by_id
from harness.catalog.permissions import groups_of
from harness.devices.sim.model import Action, AppModel, Screen
from harness.devices.sim.render import (
    FOREGROUND_GROUPS,
    LAUNCHER_PACKAGE,
    PERMISSION_PACKAGE,
    Node,
    render_app,
    render_launcher,
    render_permission_dialog,
)
from harness.errors import DeviceError

__all__ = ["SimDevice", "SimApp", "Listener"]

Listener = Callable[[dict[str, Any]], None]
MAX_ACTION_DEPTH = 50
MAX_ACTIONS_PER_INPUT = 100_000
FLUSH_EVENTS = 200

_FRAMEWORK_TAIL = (
    "android.os.Handler.dispatchMessage(Handler.java:106)",
    "android.os.Looper.loopOnce(Looper.java:205)",
    "android.os.Looper.loop(Looper.java:294)",
    "android.app.ActivityThread.main(ActivityThread.java:8177)",
    "java.lang.reflect.Method.invoke(Native Method)",
    "com.android.internal.os.ZygoteInit.main(ZygoteInit.java:971)",
)


#: Categories whose returned values the reference device treats as planted (honey) values.
HONEY_CATEGORIES = frozenset({"DEVICE_ID", "AD_ID", "NET_ID", "PHONE_NUMBER", "LOCATION", "CLIPBOARD", "CONTACTS", "ACCOUNTS", "APP_LIST"})


def _encode_value(value: str, how: str) -> str:
    """A value as a ``send`` action transmits it (model.SEND_ENCODINGS)."""
    raw = value.encode("utf-8")
    if how == "md5":
        return hashlib.md5(raw).hexdigest()
    if how == "sha1":
        return hashlib.sha1(raw).hexdigest()
    if how == "sha256":
        return hashlib.sha256(raw).hexdigest()
    if how == "base64":
        return base64.b64encode(raw).decode("ascii")
    if how == "md5+base64":
        return base64.b64encode(hashlib.md5(raw).digest()).decode("ascii")
    if how == "salted-sha256":
        return hashlib.sha256(b"per-install salt:" + raw).hexdigest()
    return value


@dataclass
class _Request:
    permissions: tuple[str, ...]
    queue: list[str]
    results: dict[str, bool]
    on_granted: tuple[Action, ...]
    on_denied: tuple[Action, ...]


@dataclass
class SimApp:
    """An installed simulated app: its model, persisted state and process state."""

    model: AppModel
    consent: str = "none"
    perms: dict[str, str] = field(default_factory=dict)  # group -> granted|denied|denied_forever|granted_once
    denials: dict[str, int] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)
    launches: int = 0
    # process
    pid: int = 0
    alive: bool = False
    foreground: bool = False
    pages: list[str] = field(default_factory=list)
    dialog: str | None = None
    request: _Request | None = None
    checked: dict[str, bool] = field(default_factory=dict)
    self_start_due: bool = False

    @property
    def package(self) -> str:
        return self.model.package


class SimDevice:
    """A simulated Android device (API level from the app model; 1080x2400)."""

    def __init__(self) -> None:
        self.clock = 0.0
        self.apps: dict[str, SimApp] = {}
        self.front = LAUNCHER_PACKAGE
        self.listeners: list[Listener] = []
        self._timers: list[tuple[float, int, int, str, Action, str]] = []  # due, order, pid, pkg, action, kind
        self._order = itertools.count()
        self._pids = itertools.count(4100)
        self._wire: list[dict[str, Any]] = []
        self._sites: set[str] = set()
        self._budget = MAX_ACTIONS_PER_INPUT
        self._timer_counts: dict[tuple[int, int], int] = {}
        self._nodes: list[Node] = []
        self.net_out: list[dict[str, Any]] = []
        self.honey_out: list[dict[str, Any]] = []
        #: encryptions of the models' ``send`` actions with ``encrypt`` (what the agent's cipher
        #: hook reports on a real device): {"ts", "alg", "plaintext", "ct", "sdk"}
        self.cipher_out: list[dict[str, Any]] = []
        self._ciphers = itertools.count(1)
        self._planted: set[tuple[str, str]] = set()

    # -- wire --------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        # A new instrumentation session starts with an empty call-site table, as a freshly
        # loaded agent does: its decoder has never seen a stack, so every site sends one again.
        self._sites.clear()
        self._planted.clear()  # each session learns the planted values again, as a new agent would
        self.listeners.append(listener)
        listener({"type": "agent:ready", "now": self.clock * 1000.0, "hooks": 0, "skipped": [], "pid": 0, "version": "sim"})

    def flush(self) -> None:
        if not self._wire:
            return
        batch, self._wire = self._wire, []
        msg = {"type": "events:add", "events": batch}
        for fn in list(self.listeners):
            fn(msg)

    def _tick(self) -> float:
        self.clock += 0.001
        return self.clock * 1000.0

    def _stack(self, app: SimApp, sdk: str, api_cls: str, api_method: str, site: str) -> tuple[str, list[str]]:
        pkg = app.package
        act = pkg + (app.model.screens[app.pages[-1]].activity if app.pages else ".App")
        if sdk:
            frames = [
                f"{api_cls}.{api_method}(Native Method)",
                f"{sdk}.internal.c.a(SourceFile:{40 + len(site) % 60})",
                f"{sdk}.Agent.collect(SourceFile:112)",
                f"{pkg}.App.onCreate(App.java:31)",
            ]
        else:
            frames = [
                f"{api_cls}.{api_method}(Native Method)",
                f"{pkg}.data.Collector.read(Collector.java:{20 + len(site) % 80})",
                f"{act}.onResume(Activity.java:52)" if act.startswith(pkg + ".") else f"{pkg}.MainActivity.onResume(MainActivity.java:52)",
            ]
        frames += list(_FRAMEWORK_TAIL)
        # like the Frida agent, the stack starts at the caller: the hooked method's own frame is dropped
        return frames[1], frames[1:]

    def _emit_api(self, app: SimApp, arg: dict[str, Any]) -> None:
        api = api_by_id(arg["api"])
        cls_simple = api.cls.rsplit(".", 1)[-1]
        sdk = arg.get("sdk", "")
        site = f"{app.package}|{sdk}|{api.id}"
        caller, frames = self._stack(app, sdk, api.cls, api.method, site)
        args = arg.get("args", "")
        if not args and api.arg_filter is not None and api.arg_filter.values:
            args = api.arg_filter.values[0]  # the argument the filtered hook point matches
        ret = arg.get("ret", "")
        if ret and api.category in HONEY_CATEGORIES and (api.id, ret) not in self._planted:
            # the reference device returns planted values: each is a honey plant, so a later
            # match in a request proves the value left the device
            self._planted.add((api.id, ret))
            self.honey_out.append({"ts": self.clock * 1000.0, "name": api.category.lower(), "category": api.category, "value": ret, "api": api.id})
        for _ in range(arg.get("times", 1)):
            ev: dict[str, Any] = {
                "k": "api",
                "id": api.id,
                "cat": api.category,
                "m": f"{cls_simple}.{api.method}",
                "ts": self._tick(),
                "tid": 1 if arg.get("thread", "main") == "main" else 17,
                "th": arg.get("thread", "main"),
                "args": args,
                "ret": arg.get("ret", ""),
                "caller": caller,
                "sid": site,
            }
            if site not in self._sites:
                self._sites.add(site)
                ev["stack"] = frames
            self._wire.append(ev)

    def _send(self, app: SimApp, arg: dict[str, Any]) -> None:
        """A request leaving the app: queued with its body for the sim source, which keeps the
        body in the run folder and records a NetworkFlow (see harness.devices.sim.driver)."""
        fields: dict[str, Any] = {k: _encode_value(v, arg["encode"]) for k, v in arg["data"].items()}
        fields.update(arg.get("flags") or {})
        headers = [("user-agent", f"{arg['sdk'] or app.package}/1.0 (Linux; Android)")]
        path = arg["path"]
        if arg["method"].upper() in ("GET", "HEAD"):
            query = {k: (("true" if v else "false") if isinstance(v, bool) else v) for k, v in fields.items()}
            path += ("&" if "?" in path else "?") + urlencode(query)
            body = b""
        else:
            body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers.insert(0, ("content-type", "application/json"))
        if arg.get("encrypt") and body:
            # AES-128-CBC under a per-app key, a fresh IV sent in front of the ciphertext, all in
            # base64 inside a JSON envelope: the usual shape of an SDK's encrypted upload
            from harness.devices.sim.aes import aes128_cbc_encrypt

            n = next(self._ciphers)
            key = hashlib.sha256(f"sim key|{app.package}|{arg['sdk']}".encode()).digest()[:16]
            iv = hashlib.sha256(f"sim iv|{app.package}|{n}".encode()).digest()[:16]
            ct = aes128_cbc_encrypt(body, key, iv)
            self.cipher_out.append({"ts": self._tick(), "alg": "AES/CBC/PKCS5Padding", "plaintext": body, "ct": ct, "sdk": arg["sdk"]})
            body = json.dumps({"v": 2, "d": base64.b64encode(iv + ct).decode("ascii")}, separators=(",", ":")).encode("utf-8")
        if arg["gzip"] and body:
            body = gzip.compress(body, mtime=0)
            headers.append(("content-encoding", "gzip"))
        self.net_out.append({"ts": self._tick(), "host": arg["host"], "path": path, "scheme": arg["scheme"], "method": arg["method"], "headers": headers, "body": body, "trust": arg.get("trust", "system")})

    def _emit_life(self, app: SimApp, state: str, cause: str = "", activity: str = "") -> None:
        self._wire.append({"k": "life", "ts": self._tick(), "state": state, "pid": app.pid, "cause": cause, "activity": activity})

    # -- installed apps ----------------------------------------------------------------------
    def install(self, model: AppModel) -> str:
        self.apps[model.package] = SimApp(model)
        return model.package

    def app(self, package: str) -> SimApp:
        try:
            return self.apps[package]
        except KeyError:
            raise DeviceError(f"package '{package}' is not installed on the reference device") from None

    # -- process lifecycle -------------------------------------------------------------------
    def _start_process(self, app: SimApp, cause: str) -> None:
        app.pid = next(self._pids)
        app.alive = True
        app.pages = []
        app.dialog = None
        app.request = None
        app.self_start_due = False
        self._emit_life(app, "started", cause)
        self._run(app, app.model.on_start)

    def _kill(self, app: SimApp, state: str | None, cause: str = "") -> None:
        if not app.alive:
            return
        if state:
            self._emit_life(app, state, cause)
        app.alive = False
        app.foreground = False
        app.request = None
        app.dialog = None
        app.pages = []
        for g, st in list(app.perms.items()):
            if st == "granted_once":
                del app.perms[g]
        if self.front in (app.package, PERMISSION_PACKAGE):
            self.front = LAUNCHER_PACKAGE
        self._timers = [t for t in self._timers if t[2] != app.pid]
        heapq.heapify(self._timers)
        if app.model.self_start:
            self._schedule(app, app.model.self_start["after"], Action("self_start", app.model.self_start), "self_start", pid=0)

    def launch(self, package: str) -> None:
        app = self.app(package)
        if not app.alive:
            self._start_process(app, "activity")
        app.launches += 1
        if not app.pages:
            self._run(app, app.model.on_launch)
            if not app.pages and app.alive:
                first = next(iter(app.model.screens))
                self._goto(app, first)
        if app.alive:
            self._to_foreground(app)
        self.advance(1.0)

    def _to_foreground(self, app: SimApp) -> None:
        self.front = PERMISSION_PACKAGE if app.request is not None else app.package
        if not app.foreground:
            app.foreground = True
            act = app.model.screens[app.pages[-1]].activity if app.pages else ""
            self._emit_life(app, "foreground", activity=act)
            self._run(app, app.model.on_resume)

    def _to_background(self, app: SimApp) -> None:
        if app.foreground:
            app.foreground = False
            self._emit_life(app, "background")
            self._run(app, app.model.on_background)

    def stop(self, package: str) -> None:
        app = self.app(package)
        self._kill(app, None)
        self.flush()

    def clear(self, package: str) -> None:
        app = self.app(package)
        self._kill(app, None)
        self.apps[package] = SimApp(app.model)
        self._timers = [t for t in self._timers if t[3] != package]
        heapq.heapify(self._timers)
        self.flush()

    # -- time --------------------------------------------------------------------------------
    def _schedule(self, app: SimApp, delay: float, action: Action, kind: str, pid: int | None = None) -> None:
        heapq.heappush(self._timers, (self.clock + delay, next(self._order), app.pid if pid is None else pid, app.package, action, kind))

    def advance(self, seconds: float) -> None:
        end = self.clock + max(0.0, seconds)
        while self._timers and self._timers[0][0] <= end:
            due, order, pid, pkg, action, kind = heapq.heappop(self._timers)
            self.clock = max(self.clock, due)
            app = self.apps.get(pkg)
            if app is None:
                continue
            self._budget = MAX_ACTIONS_PER_INPUT
            if kind == "self_start":
                if not app.alive:
                    self._start_process(app, str(action.arg.get("cause", "broadcast")))
                    self._run(app, action.arg.get("do", ()))
                continue
            if not app.alive or app.pid != pid:
                continue
            arg = action.arg
            if kind == "every":
                key = (pid, id(action))
                n = self._timer_counts.get(key, 0)
                if arg["max"] and n >= arg["max"]:
                    continue
                if arg["while"] == "alive" or app.foreground:
                    self._timer_counts[key] = n + 1
                    self._run(app, arg["do"])
                if app.alive and app.pid == pid:
                    self._schedule(app, arg["seconds"], action, "every")
            else:
                self._run(app, arg["do"])
            if len(self._wire) >= FLUSH_EVENTS:
                # like the agent's ~50 ms batches: a long observation delivers as it goes
                self.flush()
        self.clock = max(self.clock, end)
        self.flush()

    # -- screen ------------------------------------------------------------------------------
    def _foreground_app(self) -> SimApp | None:
        for app in self.apps.values():
            if app.alive and app.foreground:
                return app
        return None

    def hierarchy(self) -> str:
        app = self._foreground_app()
        if app is None:
            xml, self._nodes = render_launcher([a.model.label for a in self.apps.values()])
            return xml
        if app.request is not None and app.request.queue:
            xml, self._nodes = render_permission_dialog(app.model.label, app.request.queue[0], app.model.locale)
            return xml
        page = app.model.screens[app.pages[-1]] if app.pages else next(iter(app.model.screens.values()))
        dialog = app.model.screens[app.dialog] if app.dialog else None
        xml, self._nodes = render_app(page, dialog, app.package, app.checked)
        return xml

    def foreground_package(self) -> str:
        app = self._foreground_app()
        if app is None:
            return LAUNCHER_PACKAGE
        if app.request is not None and app.request.queue:
            return PERMISSION_PACKAGE
        return app.package

    # -- input -------------------------------------------------------------------------------
    def tap(self, x: int, y: int) -> None:
        self.hierarchy()  # what is on screen now decides what the tap hits
        app = self._foreground_app()
        hit = next((n for n in self._nodes if n.bounds[0] <= x < n.bounds[2] and n.bounds[1] <= y < n.bounds[3]), None)
        self._budget = MAX_ACTIONS_PER_INPUT
        self.clock += 0.05
        if app is None:
            if hit is not None and hit.element.startswith("icon:"):
                label = hit.element[5:]
                for a in self.apps.values():
                    if a.model.label == label:
                        self.launch(a.package)
                        return
            self.advance(0.5)
            return
        if app.request is not None and app.request.queue:
            if hit is not None:
                self._answer_permission(app, hit.element)
            self.advance(0.5)
            return
        if hit is None or not hit.element:
            if app.dialog is not None:
                self._run(app, app.model.screens[app.dialog].on_outside)
            self.advance(0.5)
            return
        screen = app.model.screens[app.dialog] if app.dialog else app.model.screens[app.pages[-1]]
        el = next((e for e in screen.elements if e.id == hit.element), None)
        if el is None and app.dialog:
            # a tap on the page behind a modal dialog goes nowhere
            self.advance(0.5)
            return
        if el is not None:
            if el.type in ("checkbox", "switch"):
                app.checked[el.id] = not app.checked.get(el.id, el.checked)
            self._run(app, el.on_tap)
        self.advance(0.5)

    def back(self) -> None:
        app = self._foreground_app()
        self._budget = MAX_ACTIONS_PER_INPUT
        self.clock += 0.05
        if app is not None:
            if app.request is not None and app.request.queue:
                self._answer_permission(app, "deny", count=False)
            elif app.dialog is not None:
                self._run(app, app.model.screens[app.dialog].on_back or ())
            else:
                page = app.model.screens[app.pages[-1]] if app.pages else None
                if page is not None and page.on_back is not None:
                    self._run(app, page.on_back)
                elif len(app.pages) > 1:
                    app.pages.pop()
                else:
                    self._to_background(app)
                    self.front = LAUNCHER_PACKAGE
        self.advance(0.5)

    def home(self) -> None:
        app = self._foreground_app()
        self.clock += 0.05
        if app is not None:
            self._to_background(app)
        self.front = LAUNCHER_PACKAGE
        self.advance(0.5)

    # -- permissions -------------------------------------------------------------------------
    def _request(self, app: SimApp, arg: dict[str, Any]) -> None:
        perms: tuple[str, ...] = arg["permissions"]
        sdk = arg.get("sdk", "")
        site = f"{app.package}|{sdk}|requestPermissions|{','.join(perms)}"
        caller, frames = self._stack(app, sdk, "android.app.Activity", "requestPermissions", site)
        ev: dict[str, Any] = {"k": "perm", "ts": self._tick(), "perms": list(perms), "api": "Activity.requestPermissions", "caller": caller, "sid": site}
        if site not in self._sites:
            self._sites.add(site)
            ev["stack"] = frames
        self._wire.append(ev)
        queue = []
        results: dict[str, bool] = {}
        for g in groups_of(perms):
            st = app.perms.get(g, "")
            if st in ("granted", "granted_once"):
                results[g] = True
            elif st == "denied_forever":
                results[g] = False
            else:
                queue.append(g)
        req = _Request(perms, queue, results, arg["on_granted"], arg["on_denied"])
        if queue:
            app.request = req
            if app.foreground:
                self.front = PERMISSION_PACKAGE
        else:
            self._finish_request(app, req)

    def _answer_permission(self, app: SimApp, choice: str, count: bool = True) -> None:
        req = app.request
        if req is None or not req.queue:
            return
        group = req.queue.pop(0)
        if choice in ("allow", "allow_foreground"):
            app.perms[group] = "granted"
            req.results[group] = True
        elif choice == "allow_once":
            app.perms[group] = "granted_once"
            req.results[group] = True
        else:
            n = app.denials.get(group, 0) + (1 if count else 0)
            app.denials[group] = n
            forever = app.model.api_level >= 30 and n >= 2
            app.perms[group] = "denied_forever" if forever else "denied"
            req.results[group] = False
        if not req.queue:
            app.request = None
            if app.foreground:
                self.front = app.package
            self._finish_request(app, req)

    def _finish_request(self, app: SimApp, req: _Request) -> None:
        if all(req.results.values()):
            self._run(app, req.on_granted)
        else:
            self._run(app, req.on_denied)

    def permission_state(self, package: str) -> dict[str, str]:
        app = self.app(package)
        out = {}
        for g, st in app.perms.items():
            out[g] = "granted_foreground" if st == "granted" and g in FOREGROUND_GROUPS else st
        return out

    # -- actions -----------------------------------------------------------------------------
    def _goto(self, app: SimApp, sid: str, depth: int = 0) -> None:
        screen: Screen = app.model.screens[sid]
        if screen.layout == "dialog":
            app.dialog = sid
        else:
            app.dialog = None
            if sid in app.pages:
                del app.pages[app.pages.index(sid) + 1 :]
            else:
                app.pages.append(sid)
        self._run(app, screen.on_show, depth + 1)

    def _cond(self, app: SimApp, cond: dict[str, Any]) -> bool:
        if "consent" in cond and app.consent != cond["consent"]:
            return False
        if "flag" in cond:
            for k, v in dict(cond["flag"]).items():
                if app.flags.get(k) != v:
                    return False
        if "permission" in cond:
            for g, want in dict(cond["permission"]).items():
                st = app.perms.get(str(g), "")
                have = "granted" if st.startswith("granted") else "denied" if st.startswith("denied") else "unasked"
                if have != want:
                    return False
        if "launches_gte" in cond and app.launches < int(cond["launches_gte"]):
            return False
        if "foreground" in cond and app.foreground != bool(cond["foreground"]):
            return False
        return True

    def _run(self, app: SimApp, actions: tuple[Action, ...], depth: int = 0) -> None:
        if depth > MAX_ACTION_DEPTH:
            raise DeviceError(f"{app.model.source}: actions nest deeper than {MAX_ACTION_DEPTH} (a loop in the model?)")
        for a in actions:
            if not app.alive:
                return
            self._budget -= 1
            if self._budget < 0:
                raise DeviceError(f"{app.model.source}: more than {MAX_ACTIONS_PER_INPUT} actions for one input (a loop in the model?)")
            op = a.op
            if op == "goto":
                self._goto(app, a.arg, depth + 1)
            elif op == "close":
                app.dialog = None
            elif op == "consent":
                app.consent = "accepted" if a.arg == "accept" else "declined"
                self._run(app, app.model.on_consent_accept if a.arg == "accept" else app.model.on_consent_decline, depth + 1)
            elif op == "call":
                self._emit_api(app, a.arg)
            elif op == "request":
                self._request(app, a.arg)
            elif op == "send":
                self._send(app, a.arg)
            elif op == "exit":
                self._kill(app, "exited", str(a.arg))
                return
            elif op == "crash":
                self._kill(app, "crashed", str(a.arg))
                return
            elif op == "die":
                self._kill(app, "died", str(a.arg))
                return
            elif op == "set":
                app.flags.update(a.arg)
            elif op == "if":
                self._run(app, a.then if self._cond(app, a.arg) else a.otherwise, depth + 1)
            elif op in ("after", "every"):
                self._schedule(app, a.arg["seconds"], a, op)
