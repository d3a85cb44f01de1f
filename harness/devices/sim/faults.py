"""Fault-injecting reference devices for testing batch infrastructure (public, typed).

``faulty_sim`` is a driver factory (``--driver-factory harness.devices.sim.faults:faulty_sim``) that
gives every slot a normal reference device, except the slots named in its options:

==============  ==============================================================================
``broken``      comma-separated slot names whose health check fails (DeviceError: offline), as
                a device that dropped off adb does
``hang``        slot names whose health check (the foreground package) blocks for an hour; a
                heal does not read it, so it does not block: the batch timeout must kill the worker.
                Before blocking, the driver starts a ``sleep`` child (as adb would), writing
                ``<worker pid> <child pid>`` to ``<pid_dir>/<slot>.pid`` when ``pid_dir`` is
                given, so tests can check the whole process group died
``die``         slot names whose worker process exits abruptly (exit code 17) mid-run
``heal_fails``  slot names whose ``home()`` fails after the run (an unhealthy device)
==============  ==============================================================================

These faults stand for the harness's tools failing. They never change what the simulated app
does: an app that crashes is a model with a ``crash`` action, and its run is a result.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from harness.devices.sim.driver import SimDriver
from harness.errors import DeviceError

if TYPE_CHECKING:
    from harness.batch.leases import DeviceSlot

__all__ = ["FaultySimDriver", "faulty_sim"]


def _names(options: Mapping[str, str], key: str) -> frozenset[str]:
    return frozenset(x.strip() for x in options.get(key, "").split(",") if x.strip())


class FaultySimDriver(SimDriver):
    """A reference device with one injected fault (see the module docstring)."""

    def __init__(self, slot: DeviceSlot, fault: str = "", pid_dir: str = "") -> None:
        super().__init__()
        self.slot = slot
        self.fault = fault
        self.pid_dir = pid_dir
        self._reads = 0

    def foreground_package(self) -> str:
        if self.fault == "broken":
            raise DeviceError(f"device '{self.slot.name}' is offline (injected fault)")
        if self.fault == "hang":
            self._hang()
        return super().foreground_package()

    def _hang(self) -> None:
        child = subprocess.Popen(["sleep", "3600"])
        if self.pid_dir:
            Path(self.pid_dir).mkdir(parents=True, exist_ok=True)
            (Path(self.pid_dir) / f"{self.slot.name}.pid").write_text(f"{os.getpid()} {child.pid}\n", encoding="utf-8")
        time.sleep(3600)

    def hierarchy(self) -> str:
        self._reads += 1
        if self.fault == "die" and self._reads >= 2:
            os._exit(17)
        return super().hierarchy()

    def home(self) -> None:
        if self.fault == "heal_fails":
            raise DeviceError(f"device '{self.slot.name}' does not respond to HOME (injected fault)")
        super().home()


def faulty_sim(slot: DeviceSlot, options: Mapping[str, str]) -> SimDriver:
    """Driver factory: a :class:`FaultySimDriver` whose fault depends on the slot's name."""
    for fault in ("broken", "hang", "die", "heal_fails"):
        if slot.name in _names(options, fault):
            return FaultySimDriver(slot, fault, options.get("pid_dir", ""))
    return SimDriver()
