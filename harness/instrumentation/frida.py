"""Frida instrumentation: loads the project's agent into an app (or a local JVM/program) and
turns what it reports into timeline events.

Spawn mode starts the target suspended, loads the agent, hands it the API catalogue through its
``init`` export and resumes; the agent installs the Java hooks before application code runs (on
Android when the app's class loader appears, on a desktop JVM right after JNI_CreateJavaVM).
Attach mode joins a running process. Devices: ``local``, ``usb``, ``remote:HOST:PORT`` or a
Frida device id.

Every agent message goes through the shared :class:`~harness.instrumentation.protocol.AgentDecoder`
(``decode_safe``: a hostile message becomes an ErrorRecord, never an exception), and the events of
one message reach ``emit`` together, from Frida's thread. ``stop`` flushes the agent's buffer and
never raises.

Ending a run: unloading a script reverts its hooks, which on a live JVM can hang or crash it
(see the project's Frida notes), so by default a spawned target is killed after the final flush
and an attached one is left running with the agent in place (``end="keep"``); ``end="detach"``
unloads cleanly where that is safe (ART apps that must keep running).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.catalog.apis import Api, select_apis
from harness.catalog.sdks import attributor_for, framework_prefixes, library_prefixes
from harness.errors import InputError, InstrumentationError
from harness.events import AgentStatus, AppState, ErrorRecord, Event
from harness.instrumentation.agent import agent_source, hook_pack_hash
from harness.instrumentation.base import Emit, Target
from harness.instrumentation.protocol import AgentDecoder, EmitGuard

__all__ = ["FridaInstrumentation", "hook_pack_hash", "parse_device_spec", "doctor", "missing_at_ready", "resolve_device"]

_PACKAGE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_REMOTE_RE = re.compile(r"^remote:([A-Za-z0-9.\-]{1,253}|\[[0-9A-Fa-f:]{2,45}\]):(\d{1,5})$")
_DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_MODES = ("spawn", "attach")
_ENDS = ("kill", "detach", "keep")
_STACKS = ("site", "every", "frames", "none")


def _frida_errors(frida: Any) -> tuple[type[BaseException], ...]:
    """Every error class the frida package raises (its own ones plus rpc failures)."""
    from frida.core import RPCException

    found: list[type[BaseException]] = [RPCException]
    for name in dir(frida):
        obj = getattr(frida, name)
        if name.endswith("Error") and isinstance(obj, type) and issubclass(obj, Exception):
            found.append(obj)
    return tuple(found)


def parse_device_spec(spec: str) -> tuple[str, str]:
    """``'local'``, ``'usb'``, ``'remote:HOST:PORT'`` or a device id -> (kind, value).

    Raises InputError naming the problem for anything else.
    """
    if not isinstance(spec, str) or not spec:
        raise InputError("frida device must be 'local', 'usb', 'remote:HOST:PORT' or a device id")
    if spec in ("local", "usb"):
        return spec, ""
    if spec.startswith("remote:"):
        m = _REMOTE_RE.fullmatch(spec)
        if m is None or not 0 < int(m.group(2)) < 65536:
            raise InputError(f"frida device {spec[:80]!r}: expected remote:HOST:PORT with a port 1-65535")
        return "remote", f"{m.group(1)}:{m.group(2)}"
    if not _DEVICE_ID_RE.fullmatch(spec):
        raise InputError(f"frida device id {spec[:80]!r} has characters outside [A-Za-z0-9._:-]")
    return "id", spec


def doctor() -> dict[str, str]:
    """What ``consent-harness doctor`` should show about Frida: versions, the shipped agent, the
    hook pack id and the devices Frida sees. Never raises; problems are reported as text."""
    out: dict[str, str] = {}
    try:
        import frida

        out["frida"] = str(frida.__version__)
        out["devices"] = ", ".join(f"{d.id} ({d.type})" for d in frida.enumerate_devices())
    except Exception as exc:  # noqa: BLE001 - a report, not a check that may fail
        out["frida"] = f"unavailable: {exc}"
    try:
        from harness.instrumentation.agent import agent_manifest

        m = agent_manifest()
        out["agent"] = f"{m.get('bytes')} bytes, sources {str(m.get('sources_sha256'))[:12]}, frida-java-bridge {m.get('frida_java_bridge')}"
        out["hook_pack"] = hook_pack_hash()
        out["hooks"] = f"{len(select_apis())} enabled catalogue entries"
    except Exception as exc:  # noqa: BLE001
        out["agent"] = f"unavailable: {exc}"
    return out


_NET_ON = re.compile(r" net ([a-z+]+), ")


def missing_at_ready(config: Mapping[str, Any], ready: AgentStatus | None) -> list[str]:
    """What the host asked for in ``config`` that the agent's ready record says is not in place:
    'Java hooks' (a Java runtime was expected and none was hooked) and the network parts
    (redirect, quic, trust, unpin) by the ready record's ``net`` summary. The source waits for this
    record (the agent sends it once its hooks are in, before the app's own code runs: at a spawned
    JVM's JNI_CreateJavaVM), so whatever is listed here was missing from the start."""
    if ready is None:
        return ["the ready record"]
    out: list[str] = []
    message = ready.message
    if config.get("java") == "wait" and (" java=none " in message or any("no Java runtime appeared" in s or "Java bridge is not available" in s for s in ready.skipped)):
        out.append("Java hooks")
    net = config.get("net")
    if isinstance(net, Mapping):
        wanted = []
        if net.get("proxy"):
            wanted.append("redirect")
        if net.get("quic") == "block":
            wanted.append("quic")
        if net.get("ca") and net.get("trust") is not False:
            wanted.append("trust")
        if net.get("ca") and net.get("unpin") is not False:
            wanted.append("unpin")
        m = _NET_ON.search(message + " ")
        got = set(m.group(1).split("+")) if m else set()
        out += [f"network {w}" for w in wanted if w not in got]
    return out


def resolve_device(spec: str) -> Any:
    """The frida Device for a device spec (see parse_device_spec)."""
    import frida

    kind, value = parse_device_spec(spec)
    if kind == "local":
        return frida.get_local_device()
    if kind == "usb":
        return frida.get_usb_device(timeout=5)
    if kind == "remote":
        return frida.get_device_manager().add_remote_device(value)
    return frida.get_device(value, timeout=5)


def _bounded(fn: Callable[[], Any], timeout: float, what: str) -> Any:
    """Run one synchronous Frida call with a deadline: a target that stops answering (a JVM
    wedged under load) must not hang the run. The call's own exception is raised here; past the
    deadline an InstrumentationError (the call is left to finish in its daemon thread)."""
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    t = threading.Thread(target=call, name=f"frida-{what}", daemon=True)
    t.start()
    t.join(max(1.0, timeout))
    if t.is_alive():
        raise InstrumentationError(f"frida: {what} did not answer within {timeout:.0f} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


class FridaInstrumentation:
    """Implements the Instrumentation protocol with the real ``frida`` package."""

    name = "frida"

    def __init__(
        self,
        device: str = "local",
        mode: str | None = None,
        *,
        apis: Sequence[Api] | None = None,
        include_disabled: bool = False,
        sdk_level: int | None = None,
        flush_ms: int = 50,
        stack: str = "site",
        fold: bool = True,
        batch: bool = True,
        native: bool = True,
        java: str | None = None,
        ready_timeout: float = 30.0,
        end: str | None = None,
        stdio: str = "inherit",
        on_output: Callable[[int, bytes], None] | None = None,
        agent_options: dict[str, Any] | None = None,
        tap: Callable[[Any], None] | None = None,
        source: str = "frida",
        process: str = "",
        role: str = "main",
    ) -> None:
        self._device_kind, self._device_value = parse_device_spec(device)
        if mode is not None and mode not in _MODES:
            raise InputError(f"frida mode must be 'spawn' or 'attach', got {mode!r}")
        if end is not None and end not in _ENDS:
            raise InputError(f"frida end must be one of {', '.join(_ENDS)}, got {end!r}")
        if stack not in _STACKS:
            raise InputError(f"frida stack mode must be one of {', '.join(_STACKS)}, got {stack!r}")
        if java is not None and java not in ("auto", "wait", "off"):
            raise InputError(f"frida java must be 'auto', 'wait' or 'off', got {java!r}")
        if stdio not in ("inherit", "pipe"):
            raise InputError(f"frida stdio must be 'inherit' or 'pipe', got {stdio!r}")
        if role not in ("main", "sub"):
            raise InputError(f"frida role must be 'main' or 'sub', got {role!r}")
        self.source_name = source if re.fullmatch(r"frida(:[A-Za-z0-9_.]{1,60})?", source) else "frida"
        #: the process name stamped on call events ('' = the package); role 'sub': a sub-process
        #: or child of the app, whose end is not the app's (no AppState, see _on_detached)
        self.process = process[:200]
        self.role = role
        #: the executable of the instrumented process when known (spawn argv[0], a child's path)
        self.program = ""
        self._child_handler: Any = None
        self.device_spec = device
        self.mode = mode
        self.end = end
        self.stdio = stdio
        self.on_output = on_output
        self.tap = tap
        self.ready_timeout = float(ready_timeout)
        self._apis = list(apis) if apis is not None else select_apis(include_disabled=include_disabled, sdk=sdk_level)
        self._options: dict[str, Any] = {
            "flushMs": int(flush_ms),
            "stack": stack,
            "fold": bool(fold),
            "batch": bool(batch),
            "native": bool(native),
        }
        if java is not None:
            self._options["java"] = java
        if sdk_level is not None:
            # the agent reads Build.VERSION.SDK_INT itself; a known level is also passed on
            self._options["sdk"] = int(sdk_level)
        if agent_options:
            self._options.update(agent_options)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._gone = threading.Event()
        self._stopped = False
        self._device: Any = None
        self._session: Any = None
        self._script: Any = None
        self._emit: Emit | None = None
        self._clock: Callable[[], float] = lambda: 0.0
        self._spawned = False
        self._output_handler: Any = None
        self.pid: int | None = None
        self.package = ""
        self.decoder: AgentDecoder | None = None
        self.ready_status: AgentStatus | None = None
        self.detach_reason = ""
        self._guard: EmitGuard | None = None
        #: the run folder: cipher plaintexts are kept in its ``cipher/`` (see use_run_dir)
        self.run_dir: Path | None = None
        self.cipher_store: Any = None
        #: what the ready record says is not in place of what was asked (see missing_at_ready)
        self.missing: list[str] = []

    def use_run_dir(self, run_dir: Path | None) -> None:
        """Keep the plaintexts of the agent's cipher events in ``<run_dir>/cipher/``."""
        self.run_dir = run_dir

    # -- Instrumentation protocol -------------------------------------------------------------
    def start(self, target: Target, emit: Emit, clock: Callable[[], float]) -> None:
        """Spawn or attach, load the agent, install hooks; returns once the agent is ready.

        Raises InputError for a bad target and InstrumentationError when Frida or the agent fails
        (the spawned process is killed in that case).
        """
        import frida

        if self._session is not None:
            raise InstrumentationError("FridaInstrumentation.start called twice")
        package = target.package or ""
        if package and (len(package) > 255 or not _PACKAGE_RE.fullmatch(package)):
            raise InputError(f"target package {package[:80]!r} is not a valid package name")
        spawn = (self.mode == "spawn") if self.mode is not None else bool(target.spawn and target.pid is None)
        self.package = package
        self._emit = emit
        self._clock = clock
        self._guard = EmitGuard(emit, clock, self.source_name)
        keep = None
        if self.run_dir is not None:
            from harness.network.cipher import CipherStore

            self.cipher_store = CipherStore(self.run_dir)
            keep = self.cipher_store.keep
        self.decoder = AgentDecoder(clock, source=self.source_name, attribute=attributor_for(package), package=package, keep_plaintext=keep)
        try:
            self._device = self._resolve_device(frida)
            argv: list[str] = []
            if spawn:
                argv = self._spawn_argv(target)
                self.program = self.program or argv[0]
                if self.stdio == "pipe" and self.on_output is not None:
                    self._output_handler = self._on_output
                    self._device.on("output", self._output_handler)
                self.pid = int(self._device.spawn(argv, stdio=self.stdio))
                self._spawned = True
            else:
                self.pid = self._find_pid(target)
            pid = self.pid
            self.decoder.pid = pid
            self.decoder.process = self.process or package
            self._session = _bounded(lambda: self._device.attach(pid), self.ready_timeout, "attach")
            self._session.on("detached", self._on_detached)
            self._script = self._session.create_script(agent_source())
            self._script.on("message", self.handle_message)
            self._script.set_log_handler(lambda level, text: None)
            script = self._script
            _bounded(script.load, self.ready_timeout, "loading the agent")
            config = dict(self._options)
            config.setdefault("java", self._java_policy(spawn, argv))
            config["apis"] = [a.to_agent() for a in self._apis]
            config["package"] = package
            config["framework"] = [*framework_prefixes(), *library_prefixes()]
            reply = _bounded(lambda: script.exports_sync.init(config), self.ready_timeout, "the agent's init")
            if not isinstance(reply, dict) or not reply.get("ok"):
                raise InstrumentationError(f"agent refused init: {str(reply)[:200]}")
            if spawn:
                self._device.resume(self.pid)
        except _frida_errors(frida) as exc:
            self._abort()
            raise InstrumentationError(f"frida: {type(exc).__name__}: {exc}") from None
        except (InputError, InstrumentationError):
            self._abort()
            raise
        if not self._ready.wait(self.ready_timeout):
            gone = self._gone.is_set()
            self._abort()
            if gone:
                raise InstrumentationError(f"target exited before the agent was ready ({self.detach_reason})")
            raise InstrumentationError(f"the agent did not report ready within {self.ready_timeout:.0f} s")
        self.missing = missing_at_ready(config, self.ready_status)
        if self.missing:
            skipped = [x for x in (self.ready_status.skipped if self.ready_status is not None else ()) if x.startswith(("net:", "java:")) or "Java" in x][:3]
            self._safe_emit(
                [
                    ErrorRecord(
                        t=self._clock(),
                        source="frida",
                        where="frida.ready",
                        message=f"the agent in pid {self.pid} is ready without {', '.join(self.missing)}" + (f" ({'; '.join(skipped)})" if skipped else "")[:400],
                    )
                ]
            )

    def stop(self) -> None:
        """Flush what the agent holds, then end as configured. Never raises."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            if not self._gone.is_set():
                self.flush(timeout=5.0)
        except Exception as exc:  # noqa: BLE001 - stop never raises
            self._safe_emit([ErrorRecord(t=self._clock(), source="frida", where="frida.stop", message=f"final flush failed: {exc}"[:300])])
        end = self.end or ("kill" if self._spawned else "keep")
        try:
            if end == "kill" and self.pid is not None and not self._gone.is_set():
                self._device.kill(self.pid)
                self._gone.wait(5.0)
            elif end == "detach" and self._session is not None and not self._gone.is_set():
                self._session.detach()
        except Exception:  # noqa: BLE001 - the process may be gone already
            pass
        for signal, h in (("output", self._output_handler), ("child-added", self._child_handler)):
            try:
                if h is not None and self._device is not None:
                    self._device.off(signal, h)
            except Exception:  # noqa: BLE001
                pass
        if self._guard is not None:
            self._guard.finish()

    @property
    def gone(self) -> bool:
        """True once the instrumented process has ended or its session was lost."""
        return self._gone.is_set()

    # -- extras ----------------------------------------------------------------------------------
    def flush(self, timeout: float = 5.0) -> dict[str, Any]:
        """Ask the agent to send its buffer now; returns its counters. The batch is decoded and
        emitted before this returns (messages and rpc replies share one ordered channel)."""
        script = self._script
        if script is None or self._gone.is_set():
            return {}
        box: dict[str, Any] = {}

        def call() -> None:
            try:
                box["reply"] = script.exports_sync.flush()
            except Exception as exc:  # noqa: BLE001
                box["error"] = exc

        t = threading.Thread(target=call, name="frida-flush", daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            raise InstrumentationError(f"agent flush did not answer within {timeout:.0f} s")
        if "error" in box:
            raise InstrumentationError(f"agent flush failed: {box['error']}")
        reply = box.get("reply")
        return reply if isinstance(reply, dict) else {}

    def enable_child_gating(self, on_child: Callable[[FridaInstrumentation, Any], None]) -> None:
        """Hold every child this process forks or execs (Frida child gating) and hand it, still
        suspended, to ``on_child(self, child)`` on a thread of its own; the callee must resume it
        (``resume_pid``) whatever it decides. A fork child is reported with this pid as
        ``parent_pid``; an exec in an instrumented child is reported again for the child's own pid
        (``origin='exec'``, ``path`` the new program). Raises InstrumentationError when Frida
        refuses."""
        if self._session is None or self._device is None:
            raise InstrumentationError("child gating needs a started instrumentation")

        def handler(child: Any) -> None:
            try:
                mine = child.parent_pid == self.pid or (child.origin == "exec" and child.pid == self.pid)
            except Exception:  # noqa: BLE001 - a malformed child record is not ours
                return
            if mine and not self._stopped:
                threading.Thread(target=on_child, args=(self, child), name=f"frida-child-{child.pid}", daemon=True).start()

        try:
            self._device.on("child-added", handler)
            self._child_handler = handler
            session = self._session
            _bounded(session.enable_child_gating, self.ready_timeout, "enable child gating")
        except Exception as exc:  # noqa: BLE001 - frida's own errors and the deadline alike
            raise InstrumentationError(f"frida: child gating: {exc}") from None

    def forget(self) -> None:
        """Let go of this instrumentation without a word: no flush, no kill, no AppState (its
        process image was replaced by an exec and a new instrumentation took the pid)."""
        with self._lock:
            self._stopped = True
        if self._child_handler is not None and self._device is not None:
            try:
                self._device.off("child-added", self._child_handler)
            except Exception:  # noqa: BLE001
                pass
            self._child_handler = None

    def resume_pid(self, pid: int) -> None:
        """Resume a process Frida holds (a gated child or spawn). Never raises."""
        try:
            if self._device is not None:
                self._device.resume(pid)
        except Exception:  # noqa: BLE001 - it may be gone, or already running
            pass

    def stats(self) -> dict[str, Any]:
        """The agent's counters (calls, events, batches, folded, sites, hooks)."""
        if self._script is None or self._gone.is_set():
            return {}
        reply = self._script.exports_sync.stats()
        return reply if isinstance(reply, dict) else {}

    def input(self, data: bytes) -> None:
        """Write to the stdin of a target spawned with ``stdio='pipe'``."""
        if self._device is None or self.pid is None:
            raise InstrumentationError("no target to write to")
        self._device.input(self.pid, data)

    def kill(self) -> None:
        """Kill the target (the safe way to end a JVM that carries the agent)."""
        if self._device is not None and self.pid is not None and not self._gone.is_set():
            try:
                self._device.kill(self.pid)
            except Exception:  # noqa: BLE001
                pass
            self._gone.wait(5.0)

    def wait_gone(self, timeout: float) -> bool:
        """Wait until the target process has ended (or the session was lost)."""
        return self._gone.wait(timeout)

    @property
    def hook_pack(self) -> str:
        return hook_pack_hash()

    # -- internals -------------------------------------------------------------------------------
    def _resolve_device(self, frida: Any) -> Any:
        return resolve_device(self.device_spec)

    def _spawn_argv(self, target: Target) -> list[str]:
        if target.argv:
            argv = [str(a) for a in target.argv]
            if any("\0" in a for a in argv):
                raise InputError("target argv contains a NUL character")
            exe = argv[0]
            if os.sep not in exe:
                found = shutil.which(exe)
                if found is None:
                    raise InputError(f"target program {exe[:120]!r} not found on PATH")
                exe = found
            # frida needs the real, absolute executable path (a symlink like /usr/bin/java fails)
            argv[0] = os.path.realpath(exe)
            return argv
        if not self.package:
            raise InputError("spawning needs a target package or argv")
        return [self.package]

    def _find_pid(self, target: Target) -> int:
        if target.pid is not None:
            if isinstance(target.pid, bool) or not isinstance(target.pid, int) or target.pid <= 0:
                raise InputError(f"target pid {target.pid!r} is not a process id")
            return target.pid
        if not self.package:
            raise InputError("attaching needs a target pid or package")
        for proc in self._device.enumerate_processes():
            if proc.name == self.package or getattr(proc, "parameters", {}).get("identifier") == self.package:
                return int(proc.pid)
        for app in self._device.enumerate_applications():
            if app.identifier == self.package and app.pid:
                return int(app.pid)
        raise InstrumentationError(f"no running process for package {self.package!r}")

    def _java_policy(self, spawn: bool, argv: Sequence[str]) -> str:
        if spawn and argv and os.path.basename(argv[0]).startswith("java"):
            return "wait"
        return "auto"

    @property
    def emit_errors(self) -> int:
        """Emits that failed during this session (each one is recorded as an ErrorRecord when
        the timeline can still take it; ``stop`` records the totals)."""
        return self._guard.failures if self._guard is not None else 0

    def _safe_emit(self, events: list[Event]) -> None:
        """Emit from Frida's thread: a failing consumer never kills it, and its failure is
        recorded, not swallowed (protocol.EmitGuard)."""
        if self._guard is not None:
            self._guard(events)

    def handle_message(self, message: Any, data: Any = None) -> None:
        """Frida's message callback: decode one agent message and emit its events. Never raises;
        a malformed or hostile message becomes an ErrorRecord. ``tap`` (if given) sees the raw
        message first (diagnostics, tests)."""
        decoder = self.decoder
        if decoder is None:
            return
        if self.tap is not None:
            try:
                self.tap(message)
            except Exception:  # noqa: BLE001
                pass
        events = decoder.decode_safe(message)
        for ev in events:
            if isinstance(ev, AgentStatus) and ev.status == "ready":
                self.ready_status = ev
                self._ready.set()
        self._safe_emit(events)

    def _on_detached(self, reason: Any, crash: Any = None) -> None:
        self.detach_reason = str(reason)
        if self._stopped and reason == "application-requested":
            self._gone.set()
            return
        if self.role == "sub":
            # a sub-process or child ending is not the app leaving (detectors read AppState as the
            # app's own process, as the logcat source keeps sub-process states off the timeline):
            # recorded as a note naming the process; an exec that replaced the image says nothing
            if reason != "process-replaced":
                how = "crashed" if crash is not None else "ended" if reason == "process-terminated" else f"lost ({reason})"
                name = self.process or self.package
                self._safe_emit([AgentStatus(t=self._clock(), source=self.source_name, status="ok", message=f"process {name} (pid {self.pid}) {how}"[:300])])
            self._gone.set()
            return
        state = "crashed" if crash is not None else ("exited" if reason == "process-terminated" else "died")
        events: list[Event] = [
            AppState(t=self._clock(), source=self.source_name, state=state, package=self.package, pid=self.pid or 0, cause=str(reason)[:60])
        ]
        if reason not in ("process-terminated", "application-requested"):
            events.append(ErrorRecord(t=self._clock(), source="frida", where="frida.session", message=f"session lost: {reason}"[:300]))
        self._safe_emit(events)
        self._gone.set()

    def _on_output(self, pid: int, fd: int, data: bytes) -> None:
        if pid == self.pid and self.on_output is not None:
            try:
                self.on_output(fd, bytes(data))
            except Exception:  # noqa: BLE001
                pass

    def _abort(self) -> None:
        try:
            if self._spawned and self.pid is not None and self._device is not None:
                self._device.kill(self.pid)
        except Exception:  # noqa: BLE001
            pass
        self._stopped = True


# -- registration as an event source (harness.instrumentation.sources) -------------------------
def _source_factory(driver: Any, options: Mapping[str, str]) -> Any:
    """``frida`` = spawn | attach | off (off: no source); ``frida_device`` = auto (the default:
    the device the driver's adb talks to, so Frida instruments the device the scenario drives;
    'usb' when the driver has no local adb device), usb (Frida's first USB device), local,
    remote:HOST:PORT or a device id."""
    from harness.instrumentation.frida_follow import FridaSource

    mode = options.get("frida", "spawn") or "spawn"
    if mode == "off":
        return None
    device = options.get("frida_device", "auto") or "auto"
    if device == "auto":
        serial = getattr(getattr(driver, "adb", None), "serial", "")
        device = serial if isinstance(serial, str) and serial else "usb"
    if mode not in _MODES:
        raise InputError(f"frida mode must be 'spawn', 'attach' or 'off', got {mode[:40]!r}")
    parse_device_spec(device)
    from harness.network.honey import honey_kinds

    try:
        kinds = honey_kinds(options.get("honey", "on") or "on")
    except ValueError as exc:
        raise InputError(str(exc)) from None
    cipher = options.get("cipher", "on") or "on"
    if cipher not in ("on", "off"):
        raise InputError(f"cipher must be 'on' or 'off', got {cipher[:20]!r}")
    gating = options.get("gating", "spawn") or "spawn"
    from harness.instrumentation.frida_follow import GATING

    if gating not in GATING:
        raise InputError(f"gating must be one of {', '.join(GATING)}, got {gating[:20]!r}")
    from harness.instrumentation.frida_follow import NetOptions

    return FridaSource(device=device, mode=mode, honey=kinds, cipher=cipher == "on", net=NetOptions.from_options(options), gating=gating)


def _register() -> None:
    from harness.instrumentation.sources import register_source

    register_source("frida", _source_factory, summary="the Frida agent: sensitive API calls with stacks, permission requests, app state", options=("frida", "frida_device", "honey", "cipher", "gating", "redirect", "ca_trust", "unpin", "quic", "redirect_direct"), replace=True)


_register()
