"""The uiautomator2 backend: the Driver protocol on a real device or emulator.

UI reads and taps go through python-uiautomator2 (its on-device server answers hierarchy dumps
in the uiautomator format the recogniser reads, and injects taps); everything about packages,
processes, permissions and screenshots goes through :mod:`harness.devices.adb`, so both
backends report the same facts the same way.

Never consents on the user's behalf: no uiautomator2 watchers are created or started (its
``watcher``/``watch_context`` would click dialogs away), uiautomator2's auto-grant helper is never
called, and installs go through ``adb install`` without its grant-all flag.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from harness.devices.adb import AdbClient, AdbDevice, validate_package
from harness.devices.apk import apk_files, read_manifest
from harness.devices.base import DeviceInfo
from harness.errors import DeviceError, HarnessError, InputError

__all__ = ["U2Driver", "bounds_center", "connect_u2"]

_T = TypeVar("_T")
_BOUNDS_RE = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


def bounds_center(bounds: str) -> tuple[int, int]:
    """Centre of a uiautomator bounds string '[l,t][r,b]' (where a finger taps a control)."""
    m = _BOUNDS_RE.fullmatch(bounds.strip()) if isinstance(bounds, str) else None
    if m is None:
        raise InputError(f"invalid bounds {bounds!r}: expected '[left,top][right,bottom]'")
    left, top, right, bottom = (int(v) for v in m.groups())
    if right < left or bottom < top:
        raise InputError(f"invalid bounds {bounds!r}: right/bottom lie before left/top")
    return (left + right) // 2, (top + bottom) // 2


def connect_u2(serial: str, server_port: int | None = None) -> Any:
    """Connect python-uiautomator2 to ``serial`` through the adb server on ``server_port``."""
    try:
        import adbutils
        import uiautomator2
    except ImportError as exc:  # pragma: no cover - both are pinned dependencies
        raise DeviceError(f"uiautomator2 is not installed: {exc}") from exc
    try:
        if server_port is not None:
            dev = adbutils.AdbClient(host="127.0.0.1", port=server_port).device(serial)
            return uiautomator2.connect(dev)
        return uiautomator2.connect(serial)
    except Exception as exc:
        raise DeviceError(
            f"uiautomator2 could not connect to {serial}: {str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__}"
        ) from exc


class U2Driver:
    """Driver protocol over python-uiautomator2 + adb.

    ``U2Driver(serial)`` checks with adb that the device is attached and ready (a clear
    DeviceError otherwise), then connects uiautomator2. ``connect`` replaces the uiautomator2
    connection (tests pass a recording stand-in)."""

    backend = "u2"
    simulated = False

    def __init__(
        self,
        serial: str,
        *,
        adb: AdbClient | None = None,
        connect: Callable[[str], Any] | None = None,
    ) -> None:
        client = adb or AdbClient()
        self.adb: AdbDevice = client.device(serial)
        self._home: str | None = None
        self.serial = self.adb.serial
        if connect is None:
            port = client.server_port

            def connect(s: str) -> Any:
                return connect_u2(s, port)

        self._d: Any = connect(self.serial)
        self._t0 = time.monotonic()
        self._closed = False

    # -- helpers --------------------------------------------------------------------------------

    def _u2(self, what: str, fn: Callable[[], _T]) -> _T:
        if self._closed:
            raise DeviceError(f"u2 driver for {self.serial} is closed")
        try:
            return fn()
        except HarnessError:
            raise
        except Exception as exc:
            msg = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            raise DeviceError(f"uiautomator2 {what} on {self.serial} failed: {msg}") from exc

    # -- Driver protocol ---------------------------------------------------------------------------

    def info(self) -> DeviceInfo:
        base = self.adb.info()
        return DeviceInfo(
            serial=base.serial,
            backend=self.backend,
            simulated=False,
            api_level=base.api_level,
            abi=base.abi,
            locale=base.locale,
            model=base.model,
            emulator=base.emulator,
            rooted=base.rooted,
            extra=dict(base.extra),
        )

    def now(self) -> float:
        return time.monotonic() - self._t0

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def install(self, app: str) -> str:
        """Install an APK (or a folder of split APKs) with ``adb install`` -- never ``-g`` --
        and return its package name, read from the base APK's manifest."""
        base, splits = apk_files(app)
        package = validate_package(read_manifest(base).package)
        if splits:
            self.adb.install_multiple([base, *splits])
        else:
            self.adb.install(base)
        return package

    def launch(self, package: str) -> None:
        self.adb.launch(package)

    def stop(self, package: str) -> None:
        self.adb.force_stop(package)

    def clear_data(self, package: str) -> None:
        self.adb.clear(package)

    def hierarchy(self) -> str:
        return str(self._u2("hierarchy dump", lambda: self._d.dump_hierarchy(compressed=False, pretty=False)))

    def tap(self, x: int, y: int) -> None:
        if not (isinstance(x, int) and isinstance(y, int)) or x < 1 or y < 1:
            # uiautomator2 reads values below 1 as fractions of the screen: refuse them
            raise InputError(f"invalid tap position ({x!r}, {y!r}): pixels from 1 up")
        self._u2("tap", lambda: self._d.click(x, y))

    def back(self) -> None:
        self._u2("back", lambda: self._d.press("back"))

    def home(self) -> None:
        self._u2("home", lambda: self._d.press("home"))

    @property
    def launcher_package(self) -> str:
        """The home screen's package ('' when unknown), read once."""
        if self._home is None:
            try:
                self._home = self.adb.home_package()
            except HarnessError:
                self._home = ""
        return self._home

    def screenshot(self, path: str) -> bool:
        return self.adb.screenshot(os.fspath(path))

    def foreground_package(self) -> str:
        return self.adb.foreground_package()

    def is_running(self, package: str) -> bool:
        return self.adb.is_alive(package)

    def permission_state(self, package: str) -> dict[str, str]:
        return self.adb.settled_permission_state(package)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        stop = getattr(self._d, "stop_uiautomator", None)
        if callable(stop):
            try:
                stop()
            except Exception:
                pass


# -- the device kind (harness.devices.kinds) -----------------------------------------------------
def _kind() -> Any:
    from harness.devices import android
    from harness.devices.kinds import DeviceRequest, DoctorCheck, register_kind

    def open_driver(request: DeviceRequest) -> Any:
        return U2Driver(request.device)

    def doctor(request: DeviceRequest) -> list[DoctorCheck]:
        try:
            import uiautomator2  # noqa: F401

            return [DoctorCheck("host uiautomator2", "ok", "uiautomator2 imports", needed=False)]
        except Exception as exc:  # noqa: BLE001 - any import failure is reported, not raised
            return [DoctorCheck("host uiautomator2", "warn", f"uiautomator2 does not import: {exc}", needed=False)]

    return register_kind(
        android.android_kind(
            U2Driver.backend,
            "a real device or emulator over adb, driven by uiautomator2",
            lambda request: True,  # every adb serial nobody else claims
            open_driver,
            doctor,
            priority=-100,
        ),
        replace=True,
    )


KIND = _kind()
