"""``doctor`` on scripted devices: each situation gives the right verdict and a plain-words fix."""

from __future__ import annotations

import frida
from adb_script import ScriptedAdb

from harness.devices.adb import AdbClient
from harness.doctor import Check, format_checks, run_doctor

GETPROP_EMU = "[ro.build.version.sdk]: [34]\n[ro.build.version.release]: [14]\n[ro.product.cpu.abi]: [x86_64]\n[ro.kernel.qemu]: [1]\n"
GETPROP_PHONE = (
    "[ro.build.version.sdk]: [33]\n[ro.build.version.release]: [13]\n[ro.product.cpu.abi]: [arm64-v8a]\n"
)


def scripted(devices: str, *rules: tuple[str, str, int]) -> AdbClient:
    script = ScriptedAdb().on("version", "Android Debug Bridge version 1.0.41\nVersion 34.0.5\n")
    script.on("devices -l", "List of devices attached\n" + devices)
    for needle, out, rc in rules:
        script.on(needle, out, rc=rc)
    client = AdbClient("adb", runner=script)
    client.path = "adb"
    return client


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_ready_emulator_passes_everything() -> None:
    client = scripted(
        "emulator-5554 device product:sdk model:sdk transport_id:1\n",
        ("getprop", GETPROP_EMU, 0),
        ("id -u", "0\n", 0),
        ("frida-server --version", f"{frida.__version__}\n", 0),
        ("pidof frida-server", "777\n", 0),
    )
    checks = run_doctor(None, None, adb=client)
    assert not [c for c in checks if c.failed], format_checks(checks)
    c = by_name(checks)
    assert c["device"].status == "ok" and c["device"].detail.startswith("emulator-5554 ready")
    assert "API 34" in c["API level"].detail
    assert c["root"].detail == "emulator, adbd runs as root"
    assert c["frida-server running"].detail == "pid 777"
    assert format_checks(checks).splitlines()[-1] == "ready: every needed check passed"


def test_unrooted_phone_with_old_frida_server() -> None:
    client = scripted(
        "R58M41 device usb:1-1 transport_id:2\n",
        ("getprop", GETPROP_PHONE, 0),
        ("id -u", "2000\n", 0),
        ("su", "/system/bin/sh: su: not found\n", 127),
        ("frida-server --version", "16.1.4\n", 0),
        ("pidof frida-server", "", 1),
    )
    c = by_name(run_doctor("R58M41", None, adb=client))
    assert c["root"].failed and "rooted phone" in c["root"].fix
    assert c["frida-server"].failed
    assert "16.1.4" in c["frida-server"].detail and frida.__version__ in c["frida-server"].detail
    assert f"frida-server-{frida.__version__}-android-arm64" in c["frida-server"].fix
    assert "downloads nothing" in c["frida-server"].fix
    assert c["frida-server running"].failed and "-D" in c["frida-server running"].fix


def test_missing_frida_server_and_old_android() -> None:
    client = scripted(
        "emulator-5556 device\n",
        ("getprop", "[ro.build.version.sdk]: [22]\n[ro.product.cpu.abi]: [x86]\n", 0),
        ("id -u", "2000\n", 0),
        ("su 0 id -u", "0\n", 0),
        ("frida-server --version", "sh: /data/local/tmp/frida-server: not found\n", 127),
    )
    c = by_name(run_doctor("emulator-5556", None, adb=client))
    assert c["API level"].failed and "API 23" in c["API level"].fix
    assert c["root"].status == "ok"
    assert c["frida-server"].failed and "not found" in c["frida-server"].detail
    assert "adb push frida-server-" in c["frida-server"].fix and "android-x86 " in c["frida-server"].fix
    assert "frida-server running" not in c


def test_unauthorized_and_several_devices() -> None:
    c = by_name(run_doctor("R58M41", None, adb=scripted("R58M41 unauthorized usb:1-1\n")))
    assert c["device"].failed and "Allow USB debugging" in c["device"].fix
    many = scripted("emulator-5554 device\nemulator-5556 device\n")
    c = by_name(run_doctor(None, None, adb=many))
    assert c["device"].failed and "--device" in c["device"].fix


def test_format_marks_each_status() -> None:
    text = format_checks(
        [
            Check("a", "ok", "fine"),
            Check("b", "fail", "broken", "do X"),
            Check("c", "skip", "n/a", needed=False),
            Check("d", "warn", "meh", "maybe Y", needed=False),
        ]
    )
    assert "[ OK ] a: fine" in text and "[FAIL] b: broken\n       fix: do X" in text
    assert "[SKIP] c" in text and "fix: maybe Y" in text
    assert text.splitlines()[-1] == "not ready: 1 check(s) failed (see fix lines)"
