"""Event sources: everything besides the runner that adds events to a run's timeline.

A :class:`Source` is started once per run and stopped once (``stop`` never raises). Between
the two it delivers batches of events through ``session.emit``, which is the one path into the
timeline (a source that speaks the agent wire protocol decodes with
:class:`harness.instrumentation.protocol.AgentDecoder` first). The runner starts every source of
a run in order, loops over them with no special cases, and stops them in reverse order.

Lifecycle hooks (all optional: :class:`SourceBase` gives no-op defaults). The runner's app
control (:class:`SourceSet`, used by the ``launch`` / ``relaunch`` steps through
``StepContext.launch_app`` / ``stop_app`` / ``clear_app``) calls them around every change of
the app's process, so a source can follow the app across launches:

``launch(package) -> bool``
    Asked before every launch of the app. Return True when this source started the app itself
    (for example spawned it under an agent with hooks in before app code runs); the driver's own
    launch is then skipped. At most one source may take a launch; the first that does wins.
``on_launched(package)``
    After every launch (whoever made it).
``on_app_stopped(package, how)``
    After the harness stopped the app's process: ``how`` is ``force-stop`` or ``clear``.
``on_process_event(event)``
    An :class:`~harness.events.AppState` of the target package that some source delivered
    (process started, died, crashed, ...): a source that attached to a process learns here that
    it is gone, or that a new process (a sub-process such as ``:push``) appeared.

Registry: :func:`register_source` maps a name to a factory ``(driver, options) -> Source | None``
(``None``: not applicable with these options, e.g. Frida with ``frida=off``). A device kind
names its default sources; ``--source NAME`` adds more. Adding a source is one module that calls
:func:`register_source`, plus its name in :data:`BUILTIN_SOURCES` (or an import by a plug-in).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from harness.errors import InputError
from harness.events import AppState, ErrorRecord, Event
from harness.instrumentation.base import Emit, Instrumentation, Target

if TYPE_CHECKING:
    from harness.devices.base import Driver

__all__ = [
    "SourceSession",
    "Source",
    "SourceBase",
    "InstrumentationSource",
    "SourceFactory",
    "SourceSpec",
    "BUILTIN_SOURCES",
    "register_source",
    "unregister_source",
    "source_names",
    "source_spec",
    "make_sources",
    "as_sources",
    "SourceSet",
]


@dataclass(frozen=True, slots=True)
class SourceSession:
    """What a source gets at start: the app to watch, where to deliver events, the run's clock
    (seconds since the run started; align device clocks to it), the run folder (for raw
    artifacts such as ``logcat.txt``), and the driver of the run."""

    target: Target
    emit: Emit
    clock: Callable[[], float]
    run_dir: Path | None = None
    driver: Driver | None = None
    #: tell every source of the run about a process event without recording it in the timeline
    #: (a sub-process such as ``:push`` starting: the Frida source attaches to it, while the
    #: detectors, which read the app's own process states, never see it)
    notify: Callable[[AppState], None] | None = None
    #: what one source of the run tells the others, by name (one dict per run): the ``network``
    #: source puts its proxy address and CA under ``"network"``, and the ``frida`` source hands
    #: them to the agent, which redirects the app's connects there
    shared: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Source(Protocol):
    """An event source (see the module docstring for the lifecycle). ``hook_pack`` identifies
    what it watches with, for run.json ('' when nothing worth recording)."""

    name: str
    hook_pack: str

    def start(self, session: SourceSession) -> None: ...

    def stop(self) -> None: ...

    def launch(self, package: str) -> bool: ...

    def on_launched(self, package: str) -> None: ...

    def on_app_stopped(self, package: str, how: str) -> None: ...

    def on_process_event(self, event: AppState) -> None: ...


class SourceBase:
    """No-op lifecycle hooks; subclasses implement ``start`` and ``stop``."""

    name = "source"
    hook_pack = ""

    def start(self, session: SourceSession) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def stop(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def launch(self, package: str) -> bool:
        return False

    def on_launched(self, package: str) -> None:
        return None

    def on_app_stopped(self, package: str, how: str) -> None:
        return None

    def on_process_event(self, event: AppState) -> None:
        return None


class InstrumentationSource(SourceBase):
    """A :class:`~harness.instrumentation.base.Instrumentation` (``start(target, emit, clock)``)
    as a Source: the Frida agent host, the reference device's feed and test doubles."""

    def __init__(self, instrumentation: Instrumentation, hook_pack: str = "") -> None:
        self.instrumentation = instrumentation
        self.name = str(getattr(instrumentation, "name", "instrumentation"))
        self.hook_pack = hook_pack

    def start(self, session: SourceSession) -> None:
        # optional: an instrumentation that keeps artifacts (request bodies, raw logs) is told
        # the run folder first
        use_run_dir = getattr(self.instrumentation, "use_run_dir", None)
        if callable(use_run_dir):
            use_run_dir(session.run_dir)
        self.instrumentation.start(session.target, session.emit, session.clock)

    def stop(self) -> None:
        try:
            self.instrumentation.stop()
        except Exception:  # noqa: BLE001 - stop never raises
            pass


SourceFactory = Callable[["Driver", Mapping[str, str]], "Source | None"]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    factory: SourceFactory
    summary: str = ""
    options: tuple[str, ...] = field(default=())  # option names it reads (documentation)


#: Built-in sources and the module that registers each (imported when the name is first used).
#: A device kind's module may register sources of its own (the reference device's feed).
BUILTIN_SOURCES: dict[str, str] = {
    "frida": "harness.instrumentation.frida",
    "logcat": "harness.instrumentation.logcat",
    "network": "harness.network.source",
}

_SOURCES: dict[str, SourceSpec] = {}
_LOCK = threading.RLock()


def register_source(name: str, factory: SourceFactory, *, summary: str = "", options: Sequence[str] = (), replace: bool = False) -> SourceSpec:
    """Register an event source factory under ``name`` (once, unless ``replace``)."""
    with _LOCK:
        if name in _SOURCES and not replace:
            raise ValueError(f"event source {name!r} is already registered")
        spec = SourceSpec(name, factory, summary, tuple(options))
        _SOURCES[name] = spec
    return spec


def unregister_source(name: str) -> None:
    with _LOCK:
        _SOURCES.pop(name, None)


def source_spec(name: str) -> SourceSpec:
    with _LOCK:
        spec = _SOURCES.get(name)
    if spec is None:
        if name in BUILTIN_SOURCES:
            importlib.import_module(BUILTIN_SOURCES[name])
        else:
            from harness.devices.kinds import kinds

            kinds()  # the kinds' modules register their own sources
        with _LOCK:
            spec = _SOURCES.get(name)
    if spec is None:
        raise InputError(f"unknown event source {name[:80]!r} (known: {', '.join(source_names())})")
    return spec


def source_names() -> list[str]:
    from harness.devices.kinds import kinds

    kinds()
    with _LOCK:
        return sorted(set(_SOURCES) | set(BUILTIN_SOURCES))


def make_sources(names: Iterable[str], driver: Driver, options: Mapping[str, str] | None = None) -> list[Source]:
    """The sources named, made for ``driver`` with ``options`` (each name once, in order;
    factories that answer None are left out)."""
    out: list[Source] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        src = source_spec(name).factory(driver, dict(options or {}))
        if src is not None:
            out.append(src)
    return out


def as_sources(value: Source | Instrumentation | Sequence[Source | Instrumentation] | None, hook_pack: str = "") -> list[Source]:
    """Normalise what a caller hands the runner: None, one source or instrumentation, or a
    sequence of them."""
    if value is None:
        return []
    items: Sequence[Source | Instrumentation]
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = [value]  # type: ignore[list-item]
    out: list[Source] = []
    for item in items:
        if isinstance(item, Source):
            out.append(item)
        else:
            out.append(InstrumentationSource(item, hook_pack))
    return out


class SourceSet:
    """The sources of one run, started together, told about the app's lifecycle together, and
    stopped together; every event they deliver goes through :meth:`deliver`."""

    def __init__(self, sources: Sequence[Source], sink: Emit, package: str) -> None:
        self.sources = list(sources)
        self._sink = sink
        self.package = package
        self._started: list[Source] = []

    @property
    def hook_pack(self) -> str:
        return "+".join(s.hook_pack for s in self.sources if s.hook_pack)

    def deliver(self, events: Sequence[Event]) -> None:
        """The one path from a source into the timeline; AppState events of the target package
        are passed on to every source's ``on_process_event``."""
        self._sink(events)
        for ev in events:
            if type(ev) is AppState and ev.package == self.package:
                self.notify(ev)

    def notify(self, ev: AppState) -> None:
        """Pass a process event of the app to every started source's ``on_process_event``."""
        for s in self._started:
            try:
                s.on_process_event(ev)
            except Exception as exc:  # noqa: BLE001 - a source's hook never stops the run
                self._sink([ErrorRecord(t=ev.t, where=f"source:{s.name}", message=f"on_process_event: {type(exc).__name__}: {exc}"[:1000])])

    def start(self, target: Target, clock: Callable[[], float], run_dir: Path | None, driver: Driver | None) -> None:
        """Start every source in order (a source with a lower ``start_order`` attribute first,
        default 0: the ``network`` source, -10, publishes its proxy before the ``frida`` source
        attaches to a running app); when one fails, the started ones are stopped and the error
        propagates."""
        session = SourceSession(target, self.deliver, clock, run_dir, driver, self.notify, {})
        for s in sorted(self.sources, key=lambda src: int(getattr(src, "start_order", 0))):
            try:
                s.start(session)
            except BaseException:
                self.stop()
                raise
            self._started.append(s)

    def stop(self) -> None:
        """Stop the started sources in reverse order; never raises."""
        while self._started:
            s = self._started.pop()
            try:
                s.stop()
            except Exception:  # noqa: BLE001 - stop never raises
                pass

    # -- the app's lifecycle -----------------------------------------------------------------
    def launch(self, driver: Driver, package: str) -> None:
        """Launch the app: a source may take the launch; otherwise the driver launches it."""
        taken = False
        for s in self._started:
            if s.launch(package):
                taken = True
                break
        if not taken:
            driver.launch(package)
        for s in self._started:
            s.on_launched(package)

    def stopped(self, package: str, how: str) -> None:
        for s in self._started:
            s.on_app_stopped(package, how)
