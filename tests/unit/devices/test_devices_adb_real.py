"""The adb wrapper and ``doctor`` against the real Debian adb binary, on a private server port,
with no device attached (the state of every CI machine)."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator

import pytest

from harness import doctor
from harness.devices.adb import AdbClient, find_adb
from harness.devices.u2 import U2Driver
from harness.errors import DeviceError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def adb_port() -> Iterator[int]:
    if find_adb() is None:
        pytest.fail(
            "the adb binary is missing: install it (Debian: apt-get install adb); these tests need it"
        )
    port = _free_port()
    client = AdbClient(server_port=port)
    client.start_server()
    try:
        yield port
    finally:
        client.kill_server()


@pytest.fixture()
def client(adb_port: int) -> AdbClient:
    return AdbClient(server_port=adb_port, timeout=30)


def test_version_is_real_adb(client: AdbClient) -> None:
    assert "Android Debug Bridge" in client.version()


def test_server_runs_on_the_private_port(client: AdbClient, adb_port: int) -> None:
    with socket.create_connection(("127.0.0.1", adb_port), timeout=5):
        pass
    out = subprocess.run(
        [client.path, "-P", str(adb_port), "devices"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert out.startswith("List of devices attached")


def test_no_devices_listed(client: AdbClient) -> None:
    assert client.devices() == []


def test_no_device_is_a_clear_error(client: AdbClient) -> None:
    with pytest.raises(DeviceError, match="no Android device is attached: start an emulator"):
        client.device()
    with pytest.raises(DeviceError, match="emulator-5554 is not attached"):
        client.device("emulator-5554")


def test_u2_backend_fails_fast_without_device(client: AdbClient) -> None:
    with pytest.raises(DeviceError, match="emulator-5554 is not attached"):
        U2Driver("emulator-5554", adb=client)


def test_failed_adb_command_names_itself(client: AdbClient) -> None:
    with pytest.raises(DeviceError, match="adb shell.*emulator-5554 failed"):
        client.run(["shell", "true"], serial="emulator-5554")


def test_doctor_without_device_exits_non_zero_with_fixes(
    adb_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(adb_port))
    closed = _free_port()
    code = doctor.main(["--appium", f"http://127.0.0.1:{closed}"])
    out = capsys.readouterr().out
    assert code == 3
    assert "[ OK ] adb:" in out
    assert "[FAIL] device: no Android device is attached" in out
    assert "fix: start an emulator" in out
    assert "[FAIL] Appium server" in out and "fix: start it" in out
    assert "not ready" in out.splitlines()[-1]


def test_doctor_with_absent_serial(adb_port: int) -> None:
    checks = doctor.run_doctor("emulator-5554", None, adb=AdbClient(server_port=adb_port))
    by_name = {c.name: c for c in checks}
    assert by_name["device"].failed and "emulator-5554 is not attached" in by_name["device"].detail
    assert by_name["frida-server"].status == "skip"
    assert by_name["Appium server"].status == "skip" and not by_name["Appium server"].failed


def test_doctor_refuses_hostile_serial(adb_port: int) -> None:
    checks = doctor.run_doctor("emulator-5554;reboot", None, adb=AdbClient(server_port=adb_port))
    dev = next(c for c in checks if c.name == "device")
    assert dev.failed and "emulator-5554;reboot" in dev.detail and "adb devices" in dev.fix


def test_frida_server_command_without_device(
    adb_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.devices import frida_server

    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(adb_port))
    assert frida_server.main(["status"]) == 3
    assert "no Android device is attached" in capsys.readouterr().err
    assert frida_server.main(["start", "--device", "emulator-5554"]) == 3
    assert "emulator-5554 is not attached" in capsys.readouterr().err
    assert frida_server.main(["status", "--remote", "/data/local/tmp/../x"]) == 2
