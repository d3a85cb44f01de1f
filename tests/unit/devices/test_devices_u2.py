"""The uiautomator2 backend's mapping onto the Driver protocol, with the uiautomator2 connection
replaced by a recording stand-in (the real one needs a device: tests/device/ covers it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from adb_script import DEVICES_ONE, ScriptedAdb
from apk_builder import simple_manifest, write_apk

from harness.devices.adb import AdbClient
from harness.devices.base import Driver
from harness.devices.u2 import U2Driver, bounds_center
from harness.errors import DeviceError, InputError

DUMP = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\r\n<hierarchy rotation=\"0\">"
    '<node index="0" text="OK" class="android.widget.Button" package="com.example.app" bounds="[0,0][100,50]" />'
    "</hierarchy>"
)


class RecordingU2:
    """Stands in for uiautomator2.Device; touching a consent shortcut fails the test."""

    FORBIDDEN = {"watcher", "watch_context", "app_auto_grant_permissions", "app_install", "app_start"}

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.fail_next: Exception | None = None

    def __getattr__(self, name: str) -> Any:
        if name in RecordingU2.FORBIDDEN:
            raise AssertionError(f"the u2 backend touched uiautomator2.{name}")
        raise AttributeError(name)

    def _rec(self, name: str, *args: Any) -> None:
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        self.calls.append((name, args))

    def dump_hierarchy(self, compressed: bool = False, pretty: bool = False) -> str:
        self._rec("dump_hierarchy", compressed, pretty)
        return DUMP

    def click(self, x: int, y: int) -> None:
        self._rec("click", x, y)

    def press(self, key: str) -> None:
        self._rec("press", key)

    def stop_uiautomator(self) -> None:
        self._rec("stop_uiautomator")


def make(script: ScriptedAdb | None = None) -> tuple[U2Driver, RecordingU2, ScriptedAdb]:
    script = script or ScriptedAdb()
    script.on("devices -l", DEVICES_ONE)
    fake = RecordingU2()
    client = AdbClient("adb", runner=script)
    client.path = "adb"
    drv = U2Driver("emulator-5554", adb=client, connect=lambda serial: fake)
    return drv, fake, script


def test_is_a_driver_and_maps_ui_calls() -> None:
    drv, fake, _ = make()
    assert isinstance(drv, Driver)
    assert drv.backend == "u2" and drv.simulated is False
    assert drv.hierarchy() == DUMP
    drv.tap(50, 25)
    drv.back()
    drv.home()
    assert fake.calls == [
        ("dump_hierarchy", (False, False)),
        ("click", (50, 25)),
        ("press", ("back",)),
        ("press", ("home",)),
    ]


def test_tap_refuses_fractions_and_negatives() -> None:
    drv, fake, _ = make()
    for x, y in ((0, 10), (10, 0), (-5, 3)):
        with pytest.raises(InputError):
            drv.tap(x, y)
    assert fake.calls == []


def test_uiautomator2_errors_become_device_errors() -> None:
    drv, fake, _ = make()
    fake.fail_next = RuntimeError("uiautomator2 server not responding\nstack...")
    with pytest.raises(
        DeviceError, match="hierarchy dump on emulator-5554 failed: uiautomator2 server not responding"
    ):
        drv.hierarchy()


def test_package_operations_go_through_adb(tmp_path: Path) -> None:
    script = ScriptedAdb().on("pm clear", "Success\n").on("install", "Success\n")
    drv, _, script = make(script)
    apk = write_apk(tmp_path / "shop.apk", simple_manifest("com.example.shop"))
    assert drv.install(str(apk)) == "com.example.shop"
    drv.stop("com.example.shop")
    drv.clear_data("com.example.shop")
    installs = [c for c in script.calls if "install" in c]
    assert installs and all("-g" not in c for c in installs)
    assert script.shell_commands()[-2:] == ["am force-stop com.example.shop", "pm clear com.example.shop"]


def test_install_refuses_an_apk_with_a_hostile_package_name(tmp_path: Path) -> None:
    drv, _, script = make()
    apk = write_apk(tmp_path / "evil.apk", simple_manifest("com.evil;reboot"))
    with pytest.raises(InputError, match="com.evil;reboot"):
        drv.install(str(apk))
    assert not any("install" in c for c in script.calls)


def test_split_install_uses_install_multiple(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    write_apk(folder / "base.apk", simple_manifest("com.example.shop"))
    write_apk(folder / "split_config.zh.apk", simple_manifest("com.example.shop", split="config.zh"))
    drv, _, script = make(ScriptedAdb().on("install-multiple", "Success\n"))
    assert drv.install(str(folder)) == "com.example.shop"
    multi = [c for c in script.calls if "install-multiple" in c]
    assert len(multi) == 1 and len([a for a in multi[0] if a.endswith(".apk")]) == 2


def test_close_is_idempotent_and_closes_calls() -> None:
    drv, fake, _ = make()
    drv.close()
    drv.close()
    assert fake.calls == [("stop_uiautomator", ())]
    with pytest.raises(DeviceError, match="closed"):
        drv.hierarchy()


def test_not_attached_device_fails_before_uiautomator2() -> None:
    script = ScriptedAdb().on("devices -l", "List of devices attached\n\n")
    client = AdbClient("adb", runner=script)
    called: list[str] = []
    with pytest.raises(DeviceError, match="emulator-5554 is not attached"):
        U2Driver("emulator-5554", adb=client, connect=lambda s: called.append(s))
    assert called == []


@pytest.mark.parametrize(
    "bounds, centre", [("[0,0][100,50]", (50, 25)), ("[126,1390][954,1500]", (540, 1445))]
)
def test_bounds_center(bounds: str, centre: tuple[int, int]) -> None:
    assert bounds_center(bounds) == centre


@pytest.mark.parametrize("bad", ["", "[1,2][3]", "[10,10][5,5]", "0,0,10,10"])
def test_bounds_center_rejects(bad: str) -> None:
    with pytest.raises(InputError):
        bounds_center(bad)
