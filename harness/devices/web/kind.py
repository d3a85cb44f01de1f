"""The ``web`` device kind (``--device web``): H5 pages in a real Chromium.

An app is an http(s) URL, or the name of a reference page shipped with the harness (served on
loopback; ``consent-harness list models`` does not list them, ``harness/devices/web/pages``
does). file:, javascript: and data: URLs are refused.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from harness.devices.kinds import DeviceKind, DeviceRequest, DoctorCheck, register_kind
from harness.errors import InputError

if TYPE_CHECKING:
    from harness.app import AppConfig
    from harness.devices.base import Driver

__all__ = ["KIND", "NAME"]

NAME = "web"


def _open(request: DeviceRequest) -> Driver:
    if request.appium_url:
        raise InputError("--appium drives a phone; the web device needs none")
    from harness.devices.web.driver import WebDriver

    raw = request.options.get("load_timeout", "20")
    try:
        load_timeout = float(raw)
    except ValueError:
        raise InputError(f"--device-option load_timeout={raw[:40]!r} is not a number of seconds") from None
    return WebDriver(browser=request.options.get("browser", "wechat"), locale=request.options.get("locale", "zh-CN"), load_timeout=load_timeout)


def _check_app(app: str, where: str, base: Path | None) -> str:
    from harness.devices.web.driver import check_url
    from harness.devices.web.pages import page_names

    if app in page_names():
        return app
    try:
        return check_url(app)
    except InputError as exc:
        raise InputError((f"{where}: " if where else "") + str(exc)) from None


def _resolve_app(driver: Driver, app: str) -> AppConfig:
    from harness.app import AppConfig
    from harness.devices.web.pages import page_model, page_names, server

    if app in page_names():
        model = page_model(app)
        url = server().url(app)
        package = driver.install(url)
        target = {"kind": "reference-page", "simulated": True, "page": app, "url": url}
        return AppConfig(package=package, label=f"{model.label} (reference page)", profile=model.profile, features=model.features, target=target)
    package = driver.install(app)
    return AppConfig(package=package, label=app[:200], target={"kind": "url", "simulated": False, "url": app[:2000]})


def _bundled() -> list[str]:
    """The reference H5 pages shipped with the harness (``make demo`` runs them)."""
    from harness.devices.web.pages import page_names

    return page_names()


def _describe(name: str) -> str:
    from harness.devices.web.pages import page_model

    m = page_model(name)
    return f"{name:26} {'clean  ' if m.clean else 'planted'} {m.seed:11} {m.label} - {m.description}"


def _doctor(request: DeviceRequest) -> list[DoctorCheck]:
    from harness.devices.web.driver import chromium_path

    out = []
    try:
        out.append(DoctorCheck("chromium", "ok", chromium_path()))
    except Exception as exc:  # noqa: BLE001
        out.append(DoctorCheck("chromium", "fail", str(exc), "apt-get install chromium"))
    try:
        import playwright  # noqa: F401

        out.append(DoctorCheck("playwright", "ok", "installed"))
    except ImportError:
        out.append(DoctorCheck("playwright", "fail", "not installed", "pip install 'consent-harness[web]'"))
    return out


KIND = register_kind(
    DeviceKind(
        name=NAME,
        summary="H5 pages (scan-to-use services) in a real Chromium with an in-app browser's user agent",
        claims=lambda r: r.device == NAME,
        open=_open,
        check_app=_check_app,
        resolve_app=_resolve_app,
        default_sources=("web",),
        doctor=_doctor,
        bundled_apps=_bundled,
        describe_app=_describe,
        outlives_worker=False,
        priority=50,
        # W1..W3 at once, each in a browser of its own: a browser is cheap and independent,
        # and most of a page scenario is waiting (its observation windows)
        parallel_scenarios=3,
        scenarios=Path(str(resources.files("harness.devices.web").joinpath("scenarios"))),
    ),
    replace=True,
)

from harness.devices.web import source as _source  # noqa: E402,F401  (registers the 'web' source)
