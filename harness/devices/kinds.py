"""Device kinds: the registry of what the harness can drive.

A *device kind* is one module that registers one :class:`DeviceKind`: how to recognise a device
request that is meant for it (``--device X [--appium URL]``), how to open its driver, how to
check and resolve an app reference (install, identify, read manifest facts), which event
sources a run on it starts by default, its doctor checks, and a few facts the batch needs.
Nothing outside a kind's own module tests for a kind's name: code asks the kind.

Built-in kinds (imported on first use; asked in this order):

============  ============================================  ================================
kind          module                                        claims
============  ============================================  ================================
sim           :mod:`harness.devices.sim.kind`               ``--device sim``
web           :mod:`harness.devices.web.kind`               ``--device web``
appium        :mod:`harness.devices.appium`                 any serial with ``--appium URL``
u2            :mod:`harness.devices.u2`                     any other adb serial
============  ============================================  ================================

Adding a kind is one new module that calls :func:`register_kind` plus its name in
:data:`BUILTIN_KINDS` (or a ``register_kind`` call from a plug-in or a test); u2 claims every
request nobody else claims, so it has the lowest priority. The kind's
``name`` is the ``backend`` its drivers report (``DeviceInfo.backend``), which is how a driver
made elsewhere (a batch's driver factory) finds its kind again.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import InputError

if TYPE_CHECKING:
    from harness.app import AppConfig
    from harness.devices.base import Driver

__all__ = [
    "DeviceRequest",
    "DoctorCheck",
    "DeviceKind",
    "BUILTIN_KINDS",
    "register_kind",
    "unregister_kind",
    "kinds",
    "kind_named",
    "kind_for",
    "kind_of",
    "reference_kind",
    "default_device",
]

#: Modules that register the built-in kinds, in claiming order (the last is the fallback).
BUILTIN_KINDS: tuple[str, ...] = ("harness.devices.sim.kind", "harness.devices.web.kind", "harness.devices.appium", "harness.devices.u2")


@dataclass(frozen=True, slots=True)
class DeviceRequest:
    """What the user asked for: a device name or serial, and backend options (an Appium URL,
    a batch's driver options). Plain data; a kind reads what it understands."""

    device: str
    appium_url: str = ""
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DoctorCheck:
    """One line of ``consent-harness doctor``: status ok | warn | fail | skip, and the fix."""

    name: str
    status: str
    detail: str
    fix: str = ""
    needed: bool = True

    @property
    def failed(self) -> bool:
        return self.status == "fail" and self.needed


def _no_checks(request: DeviceRequest) -> list[DoctorCheck]:
    return []


def _no_facts(app: str) -> tuple[Any, str] | None:
    return None


def _no_file(app: str) -> Path | None:
    return None


def _no_inspection(app: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class DeviceKind:
    """Everything the harness needs to know about one kind of device.

    ``claims(request)``: whether a request is meant for this kind (kinds are asked in
    registration order; the first that claims wins). ``open(request)``: a driver, or
    InputError / DeviceError. ``check_app(app, where, base)``: validate an app reference
    *before* any device is touched (an InputError naming ``where``); returns it normalised
    (paths made absolute against ``base``); cheap enough for an app list of thousands.
    ``inspect_app(app)``: the deeper check before a single run (e.g. an APK's manifest is
    readable). ``resolve_app(driver, app)``: install or identify
    the app and say what the kind knows about it (package, label, profile, features, manifest
    facts). ``default_sources``: names of event sources (harness.instrumentation.sources) a run
    on this kind starts. ``doctor``: extra environment checks. ``app_facts(app)``:
    :class:`harness.static.ManifestFacts` and app-type profile of an app reference the kind knows without a device (the static check),
    or None. ``simulated``: every run on it is labelled SIMULATED. ``outlives_worker``: the
    device is still there after a batch worker died (so it must be healed); a kind whose device
    lives inside the worker process says False. ``priority``: claiming order (higher first; a
    catch-all kind uses a negative one). ``serial_check``: validates a device name of a
    batch pool (raises InputError). ``bundled_apps``: app references shipped with the harness
    that run on this kind (the demo's apps). ``warm_app``: an app that a batch zygote can run
    once on this kind without hardware to warm its caches ('' = none); ``preload``: fills the
    kind's caches before a zygote forks workers. ``describe_app``: one line about a bundled app
    (``list models``); ``validate_app_file``: checks an app-model file of this kind and says
    what it holds (``validate model``); ``app_file``: the local file an app reference of this
    kind stands for when it is not an APK (a reference model's YAML), hashed into the run's
    evidence identity, or None. ``parallel_scenarios``: how many scenarios of one app the kind
    runs at once by default, each on a driver of its own that is opened, used and closed in one
    thread (a kind whose devices are cheap and independent, like a browser, says more than 1; a
    phone is one device: 1). ``--device-option parallel=N`` overrides it for one run.
    """

    name: str
    summary: str
    claims: Callable[[DeviceRequest], bool]
    open: Callable[[DeviceRequest], Driver]
    check_app: Callable[[str, str, Path | None], str]
    resolve_app: Callable[[Driver, str], AppConfig]
    default_sources: tuple[str, ...] = ()
    doctor: Callable[[DeviceRequest], list[DoctorCheck]] = _no_checks
    inspect_app: Callable[[str], None] = _no_inspection
    app_facts: Callable[[str], tuple[Any, str] | None] = _no_facts
    simulated: bool = False
    outlives_worker: bool = True
    serial_check: Callable[[str], object] | None = None
    bundled_apps: Callable[[], Sequence[str]] | None = None
    warm_app: str = ""
    preload: Callable[[], None] | None = None
    describe_app: Callable[[str], str] = str
    validate_app_file: Callable[[str], str] | None = None
    app_file: Callable[[str], Path | None] = _no_file
    priority: int = 0
    parallel_scenarios: int = 1
    #: the kind's own scenario suite (a folder of YAML), used for 'all' and looked up by id
    #: before the standard suite; None: the standard suite S1..S5
    scenarios: Path | None = None


_KINDS: dict[str, DeviceKind] = {}
_LOCK = threading.RLock()
_loaded = False


def register_kind(kind: DeviceKind, *, replace: bool = False) -> DeviceKind:
    """Add a kind to the registry (claiming order = registration order). A name can be
    registered once unless ``replace``."""
    with _LOCK:
        if kind.name in _KINDS and not replace:
            raise ValueError(f"device kind {kind.name!r} is already registered")
        _KINDS[kind.name] = kind
    return kind


def unregister_kind(name: str) -> None:
    """Remove a kind (plug-ins and tests)."""
    with _LOCK:
        _KINDS.pop(name, None)


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    with _LOCK:
        if _loaded:
            return
        _loaded = True
        for mod in BUILTIN_KINDS:
            importlib.import_module(mod)


def kinds() -> list[DeviceKind]:
    """Every registered kind in claiming order: higher ``priority`` first, then registration
    order (so a fallback kind with a low priority is asked last, after plug-ins)."""
    _ensure_loaded()
    with _LOCK:
        items = list(_KINDS.values())
    return sorted(items, key=lambda k: -k.priority)


def kind_named(name: str) -> DeviceKind:
    _ensure_loaded()
    with _LOCK:
        kind = _KINDS.get(name)
    if kind is None:
        raise InputError(f"unknown device kind {name[:80]!r} (known: {', '.join(sorted(_KINDS))})")
    return kind


def kind_for(request: DeviceRequest | str) -> DeviceKind:
    """The kind that claims a request (a bare string is ``DeviceRequest(device=...)``)."""
    req = request if isinstance(request, DeviceRequest) else DeviceRequest(str(request))
    for kind in kinds():
        if kind.claims(req):
            return kind
    raise InputError(f"no device kind takes --device {req.device[:80]!r}")


def kind_of(driver: Driver) -> DeviceKind:
    """The kind of a driver made anywhere (its ``backend`` is the kind's name)."""
    return kind_named(str(driver.backend))


def reference_kind() -> DeviceKind:
    """The kind that ships its own apps and runs without hardware (the demo's device)."""
    for kind in kinds():
        if kind.simulated and kind.bundled_apps is not None:
            return kind
    raise InputError("no reference device kind is registered")


def default_device() -> str:
    """The device a run uses when none is given: the reference kind's name."""
    return reference_kind().name
