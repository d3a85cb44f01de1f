"""Opt-in tests on a real emulator or phone: ``pytest tests/device tests/contract --device SERIAL``.

They use only apps every device has (Settings) unless CONSENT_HARNESS_TEST_APK names an APK
to install (it is installed without any grant, checked, and uninstalled again). The contract
suite (tests/contract) runs the uiautomator2 backend too when --device is given.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.devices.adb import AdbClient, AdbDevice
from harness.devices.apk import read_manifest
from harness.devices.base import PERMISSION_STATES
from harness.devices.frida_server import ABI_ARCH, FridaServer
from harness.devices.u2 import U2Driver
from harness.doctor import run_doctor
from harness.events import AppState, Event

pytestmark = pytest.mark.device

SETTINGS = "com.android.settings"


@pytest.fixture(scope="module")
def dev(device_serial: str | None) -> AdbDevice:
    assert device_serial, "run with --device SERIAL"
    return AdbClient().device(device_serial)


@pytest.fixture(scope="module")
def u2(device_serial: str | None) -> Iterator[U2Driver]:
    assert device_serial
    drv = U2Driver(device_serial)
    yield drv
    drv.close()


def wait_for(pred: object, timeout: float = 15.0) -> bool:
    assert callable(pred)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.3)
    return False


def test_device_facts(dev: AdbDevice) -> None:
    info = dev.info()
    assert info.api_level >= 23
    assert info.abi in ABI_ARCH
    assert info.serial == dev.serial and info.simulated is False


def test_settings_to_front_and_back(dev: AdbDevice) -> None:
    dev.launch(SETTINGS)
    assert wait_for(lambda: dev.foreground_package() == SETTINGS)
    assert dev.is_alive(SETTINGS)
    dev.home()
    assert wait_for(lambda: dev.foreground_package() != SETTINGS)
    dev.force_stop(SETTINGS)
    assert wait_for(lambda: not dev.is_alive(SETTINGS))


def test_permission_state_of_a_system_app(dev: AdbDevice) -> None:
    state = dev.permission_state(SETTINGS)
    assert set(state.values()) <= set(PERMISSION_STATES)


def test_logcat_sees_a_cold_start(dev: AdbDevice, tmp_path: Path) -> None:
    dev.force_stop(SETTINGS)
    got: list[Event] = []
    cap = dev.logcat(SETTINGS, raw_path=tmp_path / "logcat.txt")
    t0 = time.monotonic()
    cap.start(got.extend, lambda: time.monotonic() - t0)
    try:
        time.sleep(1.0)
        dev.launch(SETTINGS)
        assert wait_for(lambda: any(isinstance(e, AppState) and e.state == "started" for e in got))
        assert wait_for(lambda: any(isinstance(e, AppState) and e.state == "foreground" for e in got))
        dev.force_stop(SETTINGS)
        assert wait_for(lambda: any(isinstance(e, AppState) and e.state == "died" for e in got))
    finally:
        cap.stop()
    assert (tmp_path / "logcat.txt").stat().st_size > 0


def test_u2_hierarchy_tap_and_screenshot(u2: U2Driver, tmp_path: Path) -> None:
    u2.launch(SETTINGS)
    assert wait_for(lambda: u2.foreground_package() == SETTINGS)
    xml = u2.hierarchy()
    assert "<hierarchy" in xml and SETTINGS in xml
    assert u2.screenshot(str(tmp_path / "s.png"))
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    u2.back()
    u2.home()


def test_frida_server_status(dev: AdbDevice) -> None:
    st = FridaServer(dev).status()
    if not st.present:
        pytest.skip("frida-server is not pushed to this device")
    assert st.version


def test_doctor_sees_the_device(device_serial: str | None) -> None:
    checks = {c.name: c for c in run_doctor(device_serial, None)}
    assert checks["device"].status == "ok"
    assert checks["API level"].status == "ok"


@pytest.mark.skipif(
    not os.environ.get("CONSENT_HARNESS_TEST_APK"), reason="set CONSENT_HARNESS_TEST_APK=/path/app.apk"
)
def test_install_grants_nothing(u2: U2Driver) -> None:
    apk = os.environ["CONSENT_HARNESS_TEST_APK"]
    package = u2.install(apk)
    try:
        assert package == read_manifest(apk).package
        state = u2.permission_state(package)
        assert not [g for g, s in state.items() if s.startswith("granted")], state
    finally:
        u2.adb.uninstall(package)
