"""Frida instruments the device the scenario drives: with several devices attached, the default
'auto' takes the serial of the driver's adb device, not Frida's first USB device."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.instrumentation.frida_follow import FridaSource
from harness.instrumentation.sources import make_sources

pytest.importorskip("frida")


def _driver(serial: str | None) -> object:
    return SimpleNamespace(adb=SimpleNamespace(serial=serial) if serial is not None else None)


def instrumentation_for(driver: object, *, frida: str, frida_device: str = "auto") -> tuple[Any, str]:
    (src,) = make_sources(["frida"], driver, {"frida": frida, "frida_device": frida_device})  # type: ignore[arg-type]
    assert isinstance(src, FridaSource)
    return SimpleNamespace(device_spec=src.device, mode=src.mode), src.hook_pack


def test_auto_follows_the_driven_device() -> None:
    inst, _pack = instrumentation_for(_driver("emulator-5556"), frida="spawn")
    assert inst is not None and inst.device_spec == "emulator-5556"


def test_auto_without_a_local_adb_device_is_usb() -> None:
    inst, _pack = instrumentation_for(_driver(None), frida="spawn")
    assert inst is not None and inst.device_spec == "usb"


def test_an_explicit_device_wins() -> None:
    inst, _pack = instrumentation_for(_driver("emulator-5556"), frida="attach", frida_device="remote:127.0.0.1:27042")
    assert inst is not None and inst.device_spec == "remote:127.0.0.1:27042"
