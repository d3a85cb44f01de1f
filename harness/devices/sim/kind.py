"""The reference device as a device kind (``--device sim``) and its event source (``sim``: the
app models' API events fed through the agent wire protocol decoder).

Everything the rest of the harness needs to know about the reference device is registered
here (:mod:`harness.devices.kinds`, :mod:`harness.instrumentation.sources`); no other module
tests for its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.devices.kinds import DeviceKind, DeviceRequest, register_kind
from harness.errors import HarnessError, InputError
from harness.instrumentation.sources import InstrumentationSource, register_source

if TYPE_CHECKING:
    from harness.app import AppConfig
    from harness.devices.base import Driver

__all__ = ["KIND", "NAME"]

NAME = "sim"


def _claims(request: DeviceRequest) -> bool:
    return request.device == NAME


def _open(request: DeviceRequest) -> Driver:
    if request.appium_url:
        raise InputError("--appium drives a real device: give its serial with --device (the reference device 'sim' needs no Appium)")
    from harness.devices.sim.driver import SimDriver

    return SimDriver()


def _resolve_path(value: str, base: Path | None) -> str:
    p = Path(value).expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return str(p.resolve())



def _at(where: str) -> str:
    return f"{where}: " if where else ""


def _check_app(app: str, where: str, base: Path | None) -> str:
    """A bundled model name, or a model YAML (made absolute against ``base``)."""
    looks_like_path = app.endswith((".apk", ".apks", ".yaml", ".yml")) or "/" in app or app.startswith(".")
    if looks_like_path:
        path = _resolve_path(app, base)
        if not path.endswith((".yaml", ".yml")):
            raise InputError(_at(where) + f"on the reference device an app is a model name or a model YAML, not {app[:120]!r}")
        if not Path(path).is_file():
            raise InputError(_at(where) + f"app model file not found: {path[:300]}")
        return path
    from harness.devices.sim.model import model_path

    try:
        model_path(app)
    except HarnessError as exc:
        raise InputError(_at(where) + str(exc)) from None
    return app


def _resolve_app(driver: Driver, app: str) -> AppConfig:
    from harness.app import AppConfig, AppFeature
    from harness.devices.sim.model import load_bundled
    from harness.static import facts_from_manifest

    model = load_bundled(app)
    package = driver.install(app)
    feats = tuple(AppFeature(f.name, f.taps, f.intent, f.basic, f.expect) for f in model.features.values())
    manifest = facts_from_manifest(model.manifest, "model").to_dict() if model.manifest is not None else None
    return AppConfig(package=package, label=model.label, profile=model.profile, features=feats, manifest=manifest)


def _app_facts(app: str) -> tuple[Any, str] | None:
    from harness.devices.sim.model import available_models, load_bundled
    from harness.static import facts_from_manifest

    if app not in available_models():
        return None
    model = load_bundled(app)
    if model.manifest is None:
        raise InputError(f"reference app {app!r} has no manifest: block")
    return facts_from_manifest(model.manifest, "model"), model.profile


def _bundled() -> list[str]:
    from harness.devices.sim.model import available_models

    return available_models()


def _preload() -> None:
    from harness.devices.sim.model import available_models, load_bundled

    for name in available_models():
        load_bundled(name)


def _app_file(app: str) -> Path | None:
    from harness.devices.sim.model import available_models, model_path

    p = Path(app)
    if p.suffix.lower() in (".yaml", ".yml") and p.is_file():
        return p
    return model_path(app) if app in available_models() else None


def _describe(app: str) -> str:
    from harness.devices.sim.model import load_bundled

    m = load_bundled(app)
    return f"{app:28} {m.package:36} {m.label}  {'[clean control]' if m.clean else ''}"


def _validate_file(path: str) -> str:
    from harness.devices.sim.model import load_model_file

    m = load_model_file(path)
    return f"app model {m.name} ({m.package}) with {len(m.screens)} screens"


def _sim_source(driver: Driver, options: Mapping[str, str]) -> InstrumentationSource | None:
    from harness.devices.sim.driver import SimDriver, SimInstrumentation

    if not isinstance(driver, SimDriver):
        return None
    return InstrumentationSource(SimInstrumentation(driver, ca=options.get("network_ca", "")), NAME)


KIND = register_kind(
    DeviceKind(
        name=NAME,
        summary="the reference device: bundled app models on virtual time (SIMULATED)",
        claims=_claims,
        open=_open,
        check_app=_check_app,
        resolve_app=_resolve_app,
        default_sources=(NAME,),
        app_facts=_app_facts,
        simulated=True,
        outlives_worker=False,  # a fresh reference device lives inside the worker and dies with it
        bundled_apps=_bundled,
        warm_app="demo-precollect",
        preload=_preload,
        describe_app=_describe,
        validate_app_file=_validate_file,
        app_file=_app_file,
        priority=100,
    ),
    replace=True,
)
register_source(
    NAME,
    _sim_source,
    summary="the reference device's API events through the agent wire protocol decoder (network_ca=untrusted models the untrusted-CA run)",
    options=("network_ca",),
    replace=True,
)
