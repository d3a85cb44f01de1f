"""The Driver protocol: everything the runner may ask of a device.

Backends: ``sim`` (the reference device, simulated, virtual time), ``u2`` (uiautomator2 over
adb), ``appium`` (an Appium server). Only harness/devices/ imports uiautomator2 or appium.

A driver never consents on the user's behalf: no watchers, no auto-grant, no grant-all install flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["DeviceInfo", "Driver", "PERMISSION_STATES"]

PERMISSION_STATES = ("granted", "denied", "denied_forever", "granted_foreground", "granted_once", "unknown")


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What a run records about the device it ran on (run.json)."""

    serial: str
    backend: str
    simulated: bool
    api_level: int = 0
    abi: str = ""
    locale: str = ""
    model: str = ""
    emulator: bool = False
    rooted: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Driver(Protocol):
    """A device the runner drives. Times are seconds on the driver's clock: ``now()`` is
    monotonic since the driver was opened (virtual on the reference device), and ``sleep``
    advances it, so observation windows cost nothing on ``sim``.

    Optional: a ``launcher_package`` property (the package of the device's home screen, '' when
    unknown); the runner reads it to tell the home screen from an app."""

    backend: str
    simulated: bool

    def info(self) -> DeviceInfo: ...

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def install(self, app: str) -> str:
        """Install an app (APK path, or a model name on sim) without granting anything;
        return its package name."""
        ...

    def launch(self, package: str) -> None:
        """Cold-start the app's launcher activity (process started if needed)."""
        ...

    def stop(self, package: str) -> None:
        """Force-stop the app's process."""
        ...

    def clear_data(self, package: str) -> None:
        """Wipe the app's data and runtime-permission state (``pm clear``)."""
        ...

    def hierarchy(self) -> str:
        """The current UI hierarchy as uiautomator-format XML."""
        ...

    def tap(self, x: int, y: int) -> None: ...

    def back(self) -> None: ...

    def home(self) -> None: ...

    def screenshot(self, path: str) -> bool:
        """Write a PNG of the screen; False when the backend has none."""
        ...

    def foreground_package(self) -> str:
        """Package of the resumed activity ('' if unknown)."""
        ...

    def is_running(self, package: str) -> bool: ...

    def permission_state(self, package: str) -> dict[str, str]:
        """Runtime-permission group -> one of PERMISSION_STATES, read once it has settled (a
        grant is written asynchronously after the tap on the dialog: a backend polls briefly,
        with a bound, until two reads agree)."""
        ...

    def close(self) -> None: ...
