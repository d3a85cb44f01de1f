"""Device drivers: the device kinds (:mod:`harness.devices.kinds`: the reference device,
uiautomator2 and Appium backends), adb control.

Only this package imports uiautomator2 or appium (house habit 9)."""

from __future__ import annotations

from harness.devices.base import DeviceInfo, Driver

__all__ = ["DeviceInfo", "Driver", "open_driver"]


def open_driver(device: str, *, appium_url: str | None = None) -> Driver:
    """The driver of the device kind that claims ``device`` (and ``appium_url``): see
    :mod:`harness.devices.kinds`."""
    from harness.devices.kinds import DeviceRequest, kind_for

    request = DeviceRequest(device, appium_url or "")
    return kind_for(request).open(request)
