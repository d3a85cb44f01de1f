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
  process ran uninstrumented. A death of an instrumented process is recorded by the agent's side
  (AppState from the Frida session) as well as by logcat.

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
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import InputError
from harness.events import AppState, ErrorRecord
from harness.instrumentation.base import Target
from harness.instrumentation.frida import FridaInstrumentation, hook_pack_hash
from harness.instrumentation.sources import SourceBase, SourceSession

__all__ = ["FridaSource", "NetOptions", "DEFAULT_DIRECT"]

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
        if self.mode == "attach":
            self._attach_main()

    def stop(self) -> None:
        self._let_go()

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
        inst.start(Target(package=s.target.package, argv=s.target.argv), s.emit, s.clock)
        with self._lock:
            self.main = inst
            self.launches += 1
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
        inst = self._new("attach", source=f"frida:{tag}" if tag else "frida")
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
