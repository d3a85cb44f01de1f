"""The ``frida`` event source: the Frida agent bound to the app's processes, not to the run.

A real scenario kills the app again and again: ``launch: {clear: true}`` runs ``pm clear``,
``relaunch`` and cold starts run ``am force-stop``. An agent loaded once at the start of the run
would be gone after the first step, and the rest of the run would look clean. So this source
follows the app through the lifecycle hooks of :mod:`harness.instrumentation.sources`:

- ``launch`` (spawn mode): when no instrumented process of the app is alive, the source spawns
  the app itself under the agent, hooks in before any app code runs, then resumes it, and tells
  the runner it took the launch. A warm launch (the instrumented process is alive, e.g. after
  Home) is left to the driver.
- ``on_launched`` (attach mode): attach to the app's process as soon as it runs.
- ``on_app_stopped``: the instrumented processes are gone (force-stop, clear): the source lets go
  of them, and the next launch spawns afresh.
- ``on_process_event``: a process of the package that started without the agent (a sub-process
  such as ``:push``, or the app restarted by the system) is attached to, its events tagged with
  the process name (source ``frida:<process>``); if that fails, an ErrorRecord says from when the
  process ran uninstrumented. A death of the instrumented main process is recorded by the agent's
  side (AppState from the Frida session) as well as by logcat; a sub-process's or child's end is
  an AgentStatus note (AppState is the app's own process, for detectors).
- gating (option ``gating``): ``spawn`` (default) turns on Frida's spawn gating on the device, so
  the package's other processes (``pkg:push``...) are held and instrumented before their first
  instruction while every other process is resumed untouched; ``all`` adds child gating on every
  instrumented process (the app's forks and execs of its own program get the agent, other
  programs are let go and noted); ``off`` leaves sub-processes to ``on_process_event``.

Every instrumentation stamps its pid and process name on the call events it decodes (``pid``,
``process`` on ApiCall, NetworkConnect, QuicBlocked, CipherCall).

Honey data and the cipher hook: at start the source chooses the run's planted values
(:mod:`harness.network.honey`: identifiers and objects, as the ``honey`` option selects) and
passes them, with the ``cipher`` switch, to every agent it loads; each instrumentation keeps the
plaintexts of cipher events in the run folder (``use_run_dir``).

Each spawn or attach is its own :class:`~harness.instrumentation.frida.FridaInstrumentation`
(own session, own decoder); they all emit through the one session ``emit``.

Network capture: when the run's ``network`` source published its proxy
(``SourceSession.shared["network"]``), every agent this source loads gets a ``net`` config (see
:class:`NetOptions` and ``hooks/src/net.ts``): redirect TCP connects to the proxy with a
correlation token, refuse UDP/443 (QUIC), trust the proxy's CA in-process, unpin. The network
source starts before this one (``start_order``), so attach mode at the run's start gets them too.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import InputError
from harness.events import AgentStatus, AppState, ErrorRecord
from harness.instrumentation.base import Target
from harness.instrumentation.frida import FridaInstrumentation, hook_pack_hash, resolve_device
from harness.instrumentation.sources import SourceBase, SourceSession

__all__ = ["FridaSource", "NetOptions", "DEFAULT_DIRECT", "GATING"]

#: values of the source option ``gating`` (see FridaSource.gating)
GATING: tuple[str, ...] = ("spawn", "all", "off")

Factory = Callable[..., FridaInstrumentation]

#: never redirected by default: the loopback networks (in-app servers, the proxy's own port)
DEFAULT_DIRECT: tuple[str, ...] = ("127.0.0.0/8", "::1/128")


@dataclass(frozen=True, slots=True)
class NetOptions:
    """What the agent does with the app's traffic when a network source runs (source options
    ``redirect``, ``ca_trust``, ``unpin``, ``quic``, ``redirect_direct``)."""

    redirect: bool = True
    trust: bool = True
    unpin: bool = True
    quic_block: bool = True
    direct: tuple[str, ...] = DEFAULT_DIRECT

    def agent_config(self, proxy: str, ca: str) -> dict[str, Any]:
        """The ``net`` object of the agent's init config."""
        return {
            "proxy": proxy if self.redirect else "",
            "direct": list(self.direct),
            "quic": "block" if self.quic_block else "allow",
            "ca": ca if (self.trust or self.unpin) else "",
            "trust": self.trust,
            "unpin": self.unpin,
        }

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> NetOptions:
        """Parse the source options; InputError names a bad value."""

        def onoff(key: str, default: bool) -> bool:
            v = options.get(key, "") or ("on" if default else "off")
            if v not in ("on", "off"):
                raise InputError(f"{key} must be 'on' or 'off', got {v[:20]!r}")
            return v == "on"

        quic = options.get("quic", "") or "block"
        if quic not in ("block", "allow"):
            raise InputError(f"quic must be 'block' or 'allow', got {quic[:20]!r}")
        direct: tuple[str, ...] = DEFAULT_DIRECT
        raw = options.get("redirect_direct")
        if raw is not None:
            items = tuple(x.strip() for x in raw.split(",") if x.strip())
            for item in items:
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise InputError(f"redirect_direct: {item[:60]!r} is not an address or network (CIDR)") from None
            direct = items
        return cls(redirect=onoff("redirect", True), trust=onoff("ca_trust", True), unpin=onoff("unpin", True), quic_block=quic == "block", direct=direct)


class FridaSource(SourceBase):
    name = "frida"

    def __init__(
        self,
        device: str = "usb",
        mode: str = "spawn",
        *,
        factory: Factory | None = None,
        options: Mapping[str, Any] | None = None,
        honey: bool | frozenset[str] = True,
        net: NetOptions | None = None,
        cipher: bool = True,
        gating: str = "spawn",
        resolve: Callable[[str], Any] | None = None,
    ) -> None:
        from harness.network.honey import HONEY_KINDS, ObjectHoney

        self.device = device
        self.net = net if net is not None else NetOptions()
        self.mode = mode
        #: what to plant (harness.network.honey.HONEY_KINDS): True = all, False = nothing
        self.honey: frozenset[str] = frozenset(HONEY_KINDS) if honey is True else frozenset() if honey is False else frozenset(honey)
        #: the cipher hook (hooks/src/cipher.ts): plaintexts of encryptions, for the matcher
        self.cipher = cipher
        self.planted: list[tuple[str, str]] = []
        self.objects = ObjectHoney()
        self.hook_pack = hook_pack_hash()
        self._factory: Factory = factory or FridaInstrumentation
        self._options = dict(options or {})
        self._session: SourceSession | None = None
        self._lock = threading.RLock()
        self.main: FridaInstrumentation | None = None
        self.children: dict[int, FridaInstrumentation] = {}
        self.launches = 0
        self._reported: set[int] = set()
        #: source option ``gating``: 'spawn' (default) holds every new process of the device and
        #: instruments the package's (``pkg``, ``pkg:push``...) before their first instruction,
        #: resuming every other one untouched; 'all' adds child gating (forks and execs of the
        #: app's processes); 'off' attaches to sub-processes only when they are reported
        if gating not in GATING:
            raise InputError(f"gating must be one of {', '.join(GATING)}, got {str(gating)[:20]!r}")
        self.gating = gating
        self._held: list[Any] = []  # bare sessions on children let go (see _let_child_go)
        self._launched = threading.Event()  # clear while launch() spawns the app itself
        self._launched.set()
        self._resolve: Callable[[str], Any] = resolve or resolve_device
        self._spawn_device: Any = None
        self._spawn_handler: Any = None
        self._stopping = False
        #: pids let go without the agent (other programs), and what they ran
        self.let_go: dict[int, str] = {}

    # -- helpers ----------------------------------------------------------------------------
    def _new(self, mode: str, **extra: Any) -> FridaInstrumentation:
        options = {**self._options, **extra}
        published = self._session.shared.get("network") if self._session is not None else None
        if isinstance(published, dict) and isinstance(published.get("proxy"), str):
            agent = dict(options.get("agent_options") or {})
            net = self.net if published.get("trust") is not False else dataclasses.replace(self.net, trust=False, unpin=False)
            agent["net"] = net.agent_config(published["proxy"], str(published.get("ca") or ""))
            options["agent_options"] = agent
        inst = self._factory(device=self.device, mode=mode, **options)
        use_run_dir = getattr(inst, "use_run_dir", None)
        if callable(use_run_dir) and self._session is not None:
            use_run_dir(self._session.run_dir)
        return inst

    def _error(self, message: str) -> None:
        s = self._session
        if s is not None:
            try:
                s.emit([ErrorRecord(t=s.clock(), source="frida", where="frida.follow", message=message[:500])])
            except Exception:  # noqa: BLE001
                pass

    def _note(self, message: str) -> None:
        """A record of what the source decided (not an error): an AgentStatus 'ok'."""
        s = self._session
        if s is not None:
            try:
                s.emit([AgentStatus(t=s.clock(), source="frida", status="ok", message=message[:500])])
            except Exception:  # noqa: BLE001
                pass

    def _alive(self, inst: FridaInstrumentation | None) -> bool:
        return inst is not None and inst.pid is not None and not inst.gone

    def _instrumented_pids(self) -> set[int]:
        pids = {p for p, i in self.children.items() if not i.gone}
        if self._alive(self.main) and self.main is not None and self.main.pid is not None:
            pids.add(self.main.pid)
        return pids

    def _let_go(self) -> None:
        with self._lock:
            insts = [i for i in (self.main, *self.children.values()) if i is not None]
            self.main = None
            self.children.clear()
        for inst in insts:
            inst.stop()

    # -- gating ------------------------------------------------------------------------------
    def _gate_children(self, inst: FridaInstrumentation) -> None:
        """Child gating on one instrumented process (fork, exec, posix_spawn)."""
        if self.gating != "all":
            return
        try:
            inst.enable_child_gating(self._on_child)
        except Exception as exc:  # noqa: BLE001 - the run goes on without it; said once per process
            self._error(f"child gating failed in pid {inst.pid}: children it starts run without the agent: {exc}")

    def _child_is_app(self, parent: FridaInstrumentation, child: Any) -> bool:
        """A fork is the app's own program; an exec or spawn is the app's when it runs the
        package (its identifier) or the parent's executable again. Anything else (a shell,
        getprop, a helper binary) is another program."""
        origin = str(getattr(child, "origin", "") or "")
        if origin == "fork":
            return True
        package = self._session.target.package if self._session is not None else ""
        ident = str(getattr(child, "identifier", "") or "")
        if package and (ident == package or ident.startswith(package + ":")):
            return True
        path = str(getattr(child, "path", "") or "")
        return bool(path) and bool(parent.program) and path == parent.program

    def _on_child(self, parent: FridaInstrumentation, child: Any) -> None:
        """A gated child of an instrumented process (called on its own thread, child suspended):
        instrument it with the same agent and resume it, or let it go untouched."""
        s = self._session
        pid = int(child.pid)
        if s is None or self._stopping or self.gating != "all":
            self._let_child_go(parent, pid)
            return
        origin = str(getattr(child, "origin", "") or "")
        path = str(getattr(child, "path", "") or "")
        argv = getattr(child, "argv", None)
        ran = " ".join(str(a) for a in argv[:8])[:200] if isinstance(argv, (list, tuple)) else path
        parent_name = parent.process or s.target.package
        with self._lock:
            old = self.children.pop(pid, None) if origin == "exec" else None
        if old is not None:
            old.forget()  # the fork-stage agent went with the old image
        if not self._child_is_app(parent, child):
            self.let_go[pid] = ran or path
            self._note(f"pid {pid} started by {parent_name} (pid {parent.pid}, {origin}) runs {ran or path or '?'}: another program, let go without the agent")
            self._let_child_go(parent, pid)
            return
        java = "off" if origin == "fork" else ("wait" if os.path.basename(path).startswith("java") else "auto")
        inst = self._new("attach", source=parent.source_name, process=parent_name, role="sub", java=java, ready_timeout=15.0)
        inst.program = path or parent.program
        try:
            inst.start(Target(package=s.target.package, pid=pid, spawn=False), s.emit, s.clock)
        except Exception as exc:  # noqa: BLE001 - the child runs anyway, and the timeline says so
            self._error(f"child pid {pid} of {parent_name} (pid {parent.pid}, {origin}) runs without the agent from t={s.clock():.2f} s: {exc}")
            self._let_child_go(parent, pid)
            return
        with self._lock:
            stale = self._stopping
            if not stale:
                self.children[pid] = inst
                self._reported.add(pid)
        if stale:
            inst.resume_pid(pid)
            inst.stop()
            return
        self._gate_children(inst)
        inst.resume_pid(pid)

    def _let_child_go(self, parent: FridaInstrumentation, pid: int) -> None:
        """Resume a gated child without the agent. Frida (17.25, Linux) crashes about one gated
        fork child in three that is resumed without a session attached (SIGSEGV in code the
        parent's agent left behind); with a bare session attached first none crashed in 56
        forks. So: attach, resume, keep the session until the source stops."""
        device = getattr(parent, "_device", None)
        session = None
        try:
            if device is not None:
                session = device.attach(pid)
        except Exception:  # noqa: BLE001 - resumed below all the same
            session = None
        parent.resume_pid(pid)
        if session is not None:
            with self._lock:
                self._held.append(session)

    def _enable_spawn_gating(self) -> None:
        """Device-wide spawn gating (Android: every process zygote starts, the app's ``:push`` and
        ``:remote`` among them, is held before its first instruction): the package's processes
        are instrumented, every other process is resumed at once."""
        device: Any = None
        handler: Any = None
        try:
            device = self._resolve(self.device)

            def handler(spawn: Any) -> None:
                threading.Thread(target=self._on_spawn, args=(device, spawn), name="frida-spawn", daemon=True).start()

            device.on("spawn-added", handler)
            device.enable_spawn_gating()
        except Exception as exc:  # noqa: BLE001 - not every device can (a desktop host cannot)
            if device is not None and handler is not None:
                try:
                    device.off("spawn-added", handler)
                except Exception:  # noqa: BLE001
                    pass
            self._note(f"spawn gating not available on frida device {self.device}: {str(exc)[:160]}; sub-processes are attached when reported, children of instrumented processes are gated")
            return
        self._spawn_device = device
        self._spawn_handler = handler

    def _on_spawn(self, device: Any, spawn: Any) -> None:
        s = self._session
        pid = int(spawn.pid)
        ident = str(getattr(spawn, "identifier", "") or "")
        package = s.target.package if s is not None else ""
        ours = bool(package) and (ident == package or ident.startswith(package + ":"))
        if s is None or self._stopping or not ours:
            try:
                device.resume(pid)
            except Exception:  # noqa: BLE001 - gone, or resumed by someone else
                pass
            return
        tag = ident.split(":", 1)[1] if ":" in ident else ""
        if not tag and not self._launched.is_set():
            # the source is spawning the app itself: if this is that process, launch() has it
            self._launched.wait(60)
            if self.main is not None and self.main.pid == pid:
                return
        with self._lock:
            if pid in self._instrumented_pids():
                return
            main_alive = self._alive(self.main)
            self._reported.add(pid)
        role = "sub" if tag or main_alive else "main"
        inst = self._new("attach", source=f"frida:{tag}" if tag else "frida", process=ident, role=role)
        try:
            inst.start(Target(package=package, pid=pid, spawn=False), s.emit, s.clock)
        except Exception as exc:  # noqa: BLE001
            self._error(f"{ident} (pid {pid}) runs without the agent from t={s.clock():.2f} s: {exc}")
            try:
                device.resume(pid)
            except Exception:  # noqa: BLE001
                pass
            return
        with self._lock:
            if role == "main":
                self.main = inst
            else:
                self.children[pid] = inst
        self._gate_children(inst)
        inst.resume_pid(pid)

    def _disable_spawn_gating(self) -> None:
        device, handler = self._spawn_device, self._spawn_handler
        self._spawn_device = self._spawn_handler = None
        if device is None:
            return
        try:
            device.disable_spawn_gating()
        except Exception:  # noqa: BLE001
            pass
        try:
            device.off("spawn-added", handler)
        except Exception:  # noqa: BLE001
            pass
        try:  # nothing stays held because of this run
            for spawn in device.enumerate_pending_spawn():
                device.resume(spawn.pid)
        except Exception:  # noqa: BLE001
            pass

    # -- Source -----------------------------------------------------------------------------
    def start(self, session: SourceSession) -> None:
        self._session = session
        extra = dict(self._options.get("agent_options") or {})
        extra["cipher"] = self.cipher
        if self.honey:
            from harness.network.honey import honey_values, object_honey

            seed = f"{session.run_dir or ''}|{session.target.package}|{time.time_ns()}"
            if "ids" in self.honey:
                self.planted = honey_values(seed)
                extra["honey"] = [list(p) for p in self.planted]
            self.objects = object_honey(seed, self.honey)
            extra.update(self.objects.agent_options())
        self._options["agent_options"] = extra
        self._stopping = False
        if self.gating != "off":
            self._enable_spawn_gating()
        if self.mode == "attach":
            self._attach_main()

    def stop(self) -> None:
        self._stopping = True
        self._disable_spawn_gating()
        self._let_go()
        with self._lock:
            held, self._held = self._held, []
        for session in held:
            try:
                session.detach()
            except Exception:  # noqa: BLE001 - the child is long gone, most likely
                pass

    def launch(self, package: str) -> bool:
        if self.mode != "spawn" or self._session is None:
            return False
        with self._lock:
            if self._alive(self.main):
                return False  # a warm launch: the instrumented process is still there
            old = [i for i in (self.main, *self.children.values()) if i is not None]
            self.main = None
            self.children.clear()
        for inst in old:
            inst.stop()
        s = self._session
        inst = self._new("spawn")
        self._launched.clear()
        try:
            inst.start(Target(package=s.target.package, argv=s.target.argv), s.emit, s.clock)
            with self._lock:
                self.main = inst
                self.launches += 1
        finally:
            self._launched.set()
        self._gate_children(inst)
        return True

    def on_launched(self, package: str) -> None:
        if self.mode == "attach" and not self._alive(self.main):
            self._attach_main()

    def _attach_main(self) -> None:
        s = self._session
        if s is None:
            return
        inst = self._new("attach")
        try:
            inst.start(Target(package=s.target.package, pid=s.target.pid, spawn=False), s.emit, s.clock)
        except Exception as exc:  # noqa: BLE001 - the app may not run yet; on_launched retries
            self._error(f"could not attach to {s.target.package}: {exc}")
            return
        with self._lock:
            self.main = inst
        self._gate_children(inst)

    def on_app_stopped(self, package: str, how: str) -> None:
        self._let_go()

    def on_process_event(self, event: AppState) -> None:
        s = self._session
        if s is None or event.state != "started" or event.pid <= 0:
            return
        with self._lock:
            if event.pid in self._instrumented_pids() or event.pid in self._reported:
                return
            self._reported.add(event.pid)
        process = ""
        if "process=" in event.cause:
            process = event.cause.rsplit("process=", 1)[1].split()[0]
        tag = process.split(":", 1)[1] if ":" in process else ""
        if not tag and self.mode == "spawn" and self._alive(self.main):
            return  # the main process we spawned, reported by another source under its pid
        inst = self._new("attach", source=f"frida:{tag}" if tag else "frida", process=process, role="sub" if tag else "main")
        try:
            inst.start(Target(package=s.target.package, pid=event.pid, spawn=False), s.emit, s.clock)
        except Exception as exc:  # noqa: BLE001
            self._error(f"{process or s.target.package} (pid {event.pid}) runs without the agent from t={event.t:.2f} s: {exc}")
            return
        with self._lock:
            if tag:
                self.children[event.pid] = inst
            else:
                self.main = inst
        self._gate_children(inst)
