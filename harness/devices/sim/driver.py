"""SimDriver and SimInstrumentation: the reference device behind the Driver and
Instrumentation protocols. Always labelled simulated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.devices.adb import validate_package
from harness.devices.base import DeviceInfo
from harness.devices.sim.engine import SimDevice
from harness.devices.sim.model import load_bundled
from harness.devices.sim.render import LAUNCHER_PACKAGE
from harness.instrumentation.base import Emit, Target
from harness.instrumentation.protocol import AgentDecoder, EmitGuard

__all__ = ["SimDriver", "SimInstrumentation"]


class SimDriver:
    """The reference device (``--device sim``): deterministic, virtual time, simulated."""

    backend = "sim"
    simulated = True

    def __init__(self, device: SimDevice | None = None) -> None:
        self.device = device or SimDevice()
        self._closed = False

    def info(self) -> DeviceInfo:
        levels = {a.model.api_level for a in self.device.apps.values()} or {33}
        locales = {a.model.locale for a in self.device.apps.values()} or {"zh"}
        return DeviceInfo(
            serial="sim",
            backend="sim",
            simulated=True,
            api_level=max(levels),
            abi="sim",
            locale=",".join(sorted(locales)),
            model="consent-harness reference device (simulated)",
            emulator=True,
            rooted=True,
        )

    def now(self) -> float:
        return self.device.clock

    def sleep(self, seconds: float) -> None:
        self.device.advance(seconds)

    def install(self, app: str) -> str:
        return self.device.install(load_bundled(app))

    def launch(self, package: str) -> None:
        self.device.launch(validate_package(package))

    def stop(self, package: str) -> None:
        self.device.stop(validate_package(package))

    def clear_data(self, package: str) -> None:
        self.device.clear(validate_package(package))

    def hierarchy(self) -> str:
        return self.device.hierarchy()

    def tap(self, x: int, y: int) -> None:
        self.device.tap(x, y)

    def back(self) -> None:
        self.device.back()

    def home(self) -> None:
        self.device.home()

    def screenshot(self, path: str) -> bool:
        return False

    def foreground_package(self) -> str:
        return self.device.foreground_package()

    def is_running(self, package: str) -> bool:
        app = self.device.apps.get(validate_package(package))
        return bool(app and app.alive)

    def permission_state(self, package: str) -> dict[str, str]:
        return self.device.permission_state(validate_package(package))

    def close(self) -> None:
        self._closed = True

    @property
    def launcher_package(self) -> str:
        return LAUNCHER_PACKAGE


class SimInstrumentation:
    """Feeds the reference device's API events through the agent wire protocol decoder."""

    name = "sim"

    def __init__(self, driver: SimDriver, attribute: Callable[[str], Any] | None = None) -> None:
        self.driver = driver
        self._attribute_for = attribute
        self._decoder: AgentDecoder | None = None
        self._emit: EmitGuard | None = None

    def start(self, target: Target, emit: Emit, clock: Callable[[], float]) -> None:
        attribute = None
        if self._attribute_for is not None:
            attribute = self._attribute_for(target.package)
        else:
            from harness.catalog.sdks import attributor_for

            attribute = attributor_for(target.package)
        self._decoder = AgentDecoder(clock, source="sim", attribute=attribute, package=target.package)
        self._emit = EmitGuard(emit, clock, "sim")
        self.driver.device.subscribe(self._on_message)

    def _on_message(self, message: dict[str, Any]) -> None:
        if self._decoder is None or self._emit is None:
            return
        events = self._decoder.decode_safe(message)
        if events:
            self._emit(events)

    def stop(self) -> None:
        try:
            self.driver.device.flush()
        except Exception:  # noqa: BLE001 - stop never raises
            pass
        if self._on_message in self.driver.device.listeners:
            self.driver.device.listeners.remove(self._on_message)
        if isinstance(self._emit, EmitGuard):
            self._emit.finish()
        self._decoder = None
