"""Device drivers: the reference device (sim), uiautomator2 and Appium backends, adb control.

Only this package imports uiautomator2 or appium (house habit 9)."""

from __future__ import annotations

from harness.devices.base import DeviceInfo, Driver

__all__ = ["DeviceInfo", "Driver", "open_driver"]


def open_driver(device: str, *, appium_url: str | None = None) -> Driver:
    """``sim`` -> the reference device; a serial -> uiautomator2 over adb, or the Appium
    backend when ``appium_url`` is given."""
    if device == "sim":
        from harness.devices.sim import SimDriver

        return SimDriver()
    if appium_url:
        from harness.devices.appium import AppiumDriver

        return AppiumDriver(appium_url, serial=device)
    from harness.devices.u2 import U2Driver

    return U2Driver(device)
