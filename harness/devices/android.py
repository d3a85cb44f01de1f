"""What every device kind that drives a real Android device over adb shares (the u2 and Appium
kinds register these): app references are APK files, split-APK folders or package names; the
app is installed without granting anything; its manifest facts come from the APK."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import InputError

if TYPE_CHECKING:
    from harness.app import AppConfig
    from harness.devices.base import Driver

__all__ = ["ANDROID_SOURCES", "is_apk_ref", "check_app", "inspect_app", "resolve_app", "app_facts", "android_kind"]

#: Event sources a run on a real Android device starts by default: the Frida agent (unless
#: ``--frida off``) and process events from logcat.
ANDROID_SOURCES: tuple[str, ...] = ("logcat", "frida")


def is_apk_ref(app: str) -> bool:
    """An APK, a split-APK bundle or a folder of split APKs (rather than a package name)."""
    return app.endswith((".apk", ".apks")) or Path(app).is_dir()



def _at(where: str) -> str:
    return f"{where}: " if where else ""


def check_app(app: str, where: str, base: Path | None) -> str:
    """An APK path (made absolute against ``base``; it must exist) or a valid package name."""
    looks_like_path = app.endswith((".apk", ".apks", ".yaml", ".yml")) or "/" in app or app.startswith(".")
    if looks_like_path:
        p = Path(app).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        path = str(p.resolve())
        p = Path(path)
        if not (p.is_file() or p.is_dir()):
            raise InputError(_at(where) + f"APK not found: {path[:300]}")
        if not (path.endswith((".apk", ".apks")) or p.is_dir()):
            raise InputError(_at(where) + f"expected an APK (.apk, .apks, split folder) or a package name, not {app[:120]!r}")
        return path
    from harness.devices.adb import validate_package

    try:
        return validate_package(app)
    except InputError as exc:
        raise InputError(_at(where) + str(exc)) from None


def inspect_app(app: str) -> None:
    """Before one run: an APK's manifest must be readable (a broken APK is bad input, found
    before any device is touched); a package name must be valid."""
    if app.endswith(".apk") or Path(app).is_dir():
        from harness.devices.apk import apk_files, read_manifest

        base, _splits = apk_files(app)
        read_manifest(base)
    elif not app.endswith(".apks"):
        from harness.devices.adb import validate_package

        validate_package(app)


def resolve_app(driver: Driver, app: str) -> AppConfig:
    """Install an APK (never granting anything) or identify an installed package; the manifest
    facts come from the APK (none for an installed package or an .apks bundle)."""
    from harness.app import AppConfig
    from harness.devices.adb import validate_package
    from harness.static import apk_facts

    manifest = None
    if is_apk_ref(app):
        package = driver.install(app)
        if not app.endswith(".apks"):
            manifest = apk_facts(app).to_dict()
    else:
        package = validate_package(app)
    return AppConfig(package=package, label=package, manifest=manifest)


def app_facts(app: str) -> tuple[Any, str] | None:
    """Manifest facts of an APK file or split folder (the static check); None otherwise."""
    if not Path(app).exists():
        return None
    from harness.static import apk_facts

    return apk_facts(app), ""


def android_kind(name: str, summary: str, claims: Any, open_driver: Any, doctor: Any, priority: int = 0) -> Any:
    """A DeviceKind for a backend that drives a real Android device: the app checks, app
    resolution, default sources, static facts and serial check are the same for every such
    backend; only how requests are claimed, the driver and the doctor checks differ."""
    from harness.devices.adb import validate_serial
    from harness.devices.kinds import DeviceKind

    return DeviceKind(
        name=name,
        summary=summary,
        claims=claims,
        open=open_driver,
        check_app=check_app,
        inspect_app=inspect_app,
        resolve_app=resolve_app,
        default_sources=ANDROID_SOURCES,
        doctor=doctor,
        app_facts=app_facts,
        serial_check=validate_serial,
        priority=priority,
    )

