"""adb command construction: validation of every value that reaches the device shell,
quoting, and the commands sent for each operation (never ``install -g``)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from adb_script import ScriptedAdb, scripted_device
from apk_builder import simple_manifest, write_apk

from harness.devices.adb import (
    AdbClient,
    AdbDevice,
    shell_command,
    validate_component,
    validate_device_path,
    validate_package,
    validate_permission,
    validate_serial,
)
from harness.errors import DeviceError, InputError

HOSTILE_PACKAGES = [
    "com.example;reboot",
    "com.example && rm -rf /sdcard",
    "com.example|sh",
    "com.example`id`",
    "com.example$(id)",
    "com.example\nreboot",
    "../../system/bin/sh",
    "com/../../etc",
    "com.example app",
    "-rf",
    "com",
    ".com.example",
    "com..example",
    "com.1example",
    "com.example.",
    "",
    "a" * 300 + ".b",
]


@pytest.mark.parametrize("name", ["com.example.app", "cn.gov.zwfw.App_2", "a.b", "com.tencent.mm"])
def test_valid_package_names_pass(name: str) -> None:
    assert validate_package(name) == name


@pytest.mark.parametrize("name", HOSTILE_PACKAGES)
def test_hostile_package_names_are_named_in_the_error(name: str) -> None:
    with pytest.raises(InputError) as err:
        validate_package(name)
    shown = repr(name) if len(repr(name)) <= 120 else repr(name)[:117]
    assert shown in str(err.value)


@pytest.mark.parametrize(
    "name",
    ["android.permission.CAMERA;id", "CAMERA", "android.permission.CAMERA && reboot", "a.b$(x)", "a..b"],
)
def test_hostile_permission_names(name: str) -> None:
    with pytest.raises(InputError, match="invalid permission name"):
        validate_permission(name)
    assert validate_permission("com.google.android.c2dm.permission.RECEIVE")


@pytest.mark.parametrize(
    "path",
    [
        "/data/local/tmp/../../system/bin/sh",
        "/data/local/tmp/./x",
        "/data/local/tmp//x",
        "/data/local/tmp/a;reboot",
        "/data/local/tmp/a b",
        "/data/local/tmp/$(id)",
        "data/local/tmp/x",
        "/etc/passwd",
        "/data/local/tmp/",
        "/data/local/tmpfoo/x",
    ],
)
def test_device_paths_reject_traversal_metacharacters_and_foreign_roots(path: str) -> None:
    with pytest.raises(InputError) as err:
        validate_device_path(path)
    assert repr(path) in str(err.value)


def test_device_path_ok() -> None:
    assert validate_device_path("/data/local/tmp/frida-server") == "/data/local/tmp/frida-server"
    assert validate_device_path("/sdcard/Download/shot_1.png")


@pytest.mark.parametrize("serial", ["-s", "emulator-5554;reboot", "a b", "", "$(id)", "x" * 200])
def test_bad_serials(serial: str) -> None:
    with pytest.raises(InputError, match="invalid device serial"):
        validate_serial(serial)


@pytest.mark.parametrize(
    "serial", ["emulator-5554", "192.168.1.20:5555", "R58M123ABC", "adb-XYZ._adb-tls-connect._tcp"]
)
def test_good_serials(serial: str) -> None:
    assert validate_serial(serial) == serial


def test_components() -> None:
    assert validate_component("com.example/.MainActivity")
    assert validate_component("com.example/com.example.ui.Main$Inner")
    for bad in ("com.example", "com.example/.Main;id", "com.example/ .Main", "x/y/z"):
        with pytest.raises(InputError):
            validate_component(bad)


def test_shell_command_quotes_every_argument() -> None:
    cmd = shell_command(["echo", "a b", "$(id)", "it's"])
    assert shlex.split(cmd) == ["echo", "a b", "$(id)", "it's"]
    assert "'$(id)'" in cmd
    with pytest.raises(InputError, match="control characters"):
        shell_command(["echo", "a\nreboot"])
    with pytest.raises(InputError):
        shell_command([])


# -- every device method validates before anything is sent -------------------------------------

PKG_METHODS: dict[str, Callable[[AdbDevice, str], object]] = {
    "clear": lambda d, p: d.clear(p),
    "force_stop": lambda d, p: d.force_stop(p),
    "dumpsys_package": lambda d, p: d.dumpsys_package(p),
    "permission_state": lambda d, p: d.permission_state(p),
    "is_alive": lambda d, p: d.is_alive(p),
    "launch": lambda d, p: d.launch(p),
    "uninstall": lambda d, p: d.uninstall(p),
    "is_installed": lambda d, p: d.is_installed(p),
    "revoke": lambda d, p: d.revoke(p, "android.permission.CAMERA"),
    "reset_permissions": lambda d, p: d.reset_permissions(p),
    "logcat": lambda d, p: d.logcat(p),
}


@pytest.mark.parametrize("method", sorted(PKG_METHODS))
@pytest.mark.parametrize("bad", ["com.example;reboot", "../../../system", "com.x$(reboot)"])
def test_methods_refuse_hostile_packages_before_running_anything(method: str, bad: str) -> None:
    dev, script = scripted_device()
    before = len(script.calls)
    with pytest.raises(InputError) as err:
        PKG_METHODS[method](dev, bad)
    assert repr(bad) in str(err.value)
    assert len(script.calls) == before, "nothing may reach adb for a rejected value"


def test_revoke_refuses_hostile_permission() -> None:
    dev, script = scripted_device()
    with pytest.raises(InputError, match="CAMERA;reboot"):
        dev.revoke("com.example.app", "android.permission.CAMERA;reboot")
    assert not script.shell_commands()


# -- the commands themselves -----------------------------------------------------------------


def test_clear_force_stop_revoke_commands() -> None:
    dev, script = scripted_device(ScriptedAdb().on("pm clear", "Success\n"))
    dev.clear("com.example.app")
    dev.force_stop("com.example.app")
    dev.revoke("com.example.app", "android.permission.CAMERA")
    assert script.calls[-3] == ("adb", "-s", "emulator-5554", "shell", "pm clear com.example.app")
    assert script.shell_commands()[-2:] == [
        "am force-stop com.example.app",
        "pm revoke com.example.app android.permission.CAMERA",
    ]


def test_clear_failure_is_a_device_error() -> None:
    dev, _ = scripted_device(ScriptedAdb().on("pm clear", "Failed\n"))
    with pytest.raises(DeviceError, match="pm clear com.example.app"):
        dev.clear("com.example.app")


def test_install_never_grants_and_uses_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_apk(tmp_path / "-g.apk", simple_manifest("com.example.app"))
    write_apk(tmp_path / "split_a.apk", simple_manifest("com.example.app", split="config.zh"))
    dev, script = scripted_device(ScriptedAdb().on("install", "Performing Streamed Install\nSuccess\n"))
    dev.install("-g.apk")
    dev.install_multiple(["-g.apk", "split_a.apk"])
    installs = [c for c in script.calls if "install" in c or "install-multiple" in c]
    assert len(installs) == 2
    for argv in installs:
        assert "-g" not in argv and "--grant-all-permissions" not in argv
        for a in argv:
            if a.endswith(".apk"):
                assert a.startswith("/"), f"APK path must be absolute so adb cannot read it as an option: {a}"
    assert installs[0][3:5] == ("install", "-r")


@pytest.mark.parametrize(
    "out, match",
    [
        (
            "Failure [INSTALL_FAILED_UPDATE_INCOMPATIBLE: signatures do not match]",
            "uninstall the old version",
        ),
        ("adb: failed to install x.apk: Failure [INSTALL_FAILED_NO_MATCHING_ABIS: ...]", "ABI"),
        ("Failure [INSTALL_FAILED_VERSION_DOWNGRADE]", "downgrade"),
    ],
)
def test_install_failures_explain_themselves(tmp_path: Path, out: str, match: str) -> None:
    apk = write_apk(tmp_path / "app.apk", simple_manifest("com.example.app"))
    dev, _ = scripted_device(ScriptedAdb().on("install", out, rc=1))
    with pytest.raises(DeviceError, match=match):
        dev.install(apk)


def test_install_refuses_non_apk(tmp_path: Path) -> None:
    dev, script = scripted_device()
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(InputError, match="not an APK"):
        dev.install(tmp_path / "x.txt")
    with pytest.raises(InputError, match="not found"):
        dev.install(tmp_path / "missing.apk")


def test_root_shell_quotes_through_su() -> None:
    script = ScriptedAdb().on("'id' '-u'", "2000\n").on("id -u", "2000\n")
    script.on("su 0 id -u", "0\n")
    dev, script = scripted_device(script)
    assert dev.root_method() == "su0"
    dev.root_shell(["/data/local/tmp/frida-server", "-D"])
    assert script.shell_commands()[-1] == "su 0 /data/local/tmp/frida-server -D"

    magisk = ScriptedAdb().on("id -u", "2000\n").on("su 0 id -u", "", rc=1).on("su -c 'id -u'", "0\n")
    dev2, s2 = scripted_device(magisk)
    assert dev2.root_method() == "su-c"
    dev2.root_shell(["echo", "a b;c"])
    assert shlex.split(s2.shell_commands()[-1]) == ["su", "-c", "echo 'a b;c'"]


def test_no_root_is_a_plain_words_error() -> None:
    dev, _ = scripted_device(
        ScriptedAdb().on("id -u", "2000\n").on("su", "/system/bin/sh: su: not found", rc=127)
    )
    with pytest.raises(DeviceError, match="adb root"):
        dev.root_shell(["id"])


def test_launch_resolves_launcher_then_starts_it() -> None:
    script = ScriptedAdb().on(
        "resolve-activity", "priority=0 preferredOrder=0 match=0x108000\ncom.example.app/.ui.SplashActivity\n"
    )
    script.on("am start", "Starting: Intent { cmp=com.example.app/.ui.SplashActivity }\n")
    dev, script = scripted_device(script)
    dev.launch("com.example.app")
    started = script.shell_commands()[-1]
    assert shlex.split(started)[-2:] == ["-n", "com.example.app/.ui.SplashActivity"]


def test_launch_without_launcher_falls_back_to_monkey_then_fails_clearly() -> None:
    script = ScriptedAdb().on("resolve-activity", "No activity found\n")
    script.on("monkey", "** No activities found to run, monkey aborted.\n", rc=252)
    dev, script = scripted_device(script)
    with pytest.raises(DeviceError, match="no launcher activity"):
        dev.launch("com.example.service_only")
    assert script.shell_commands()[-1].startswith("monkey -p com.example.service_only")


def test_device_selection_errors_are_actionable() -> None:
    none = AdbClient("adb", runner=ScriptedAdb().on("devices", "List of devices attached\n\n"))
    with pytest.raises(DeviceError, match="no Android device is attached.*emulator"):
        none.device()
    with pytest.raises(DeviceError, match="emulator-5554 is not attached"):
        none.device("emulator-5554")
    unauth = AdbClient(
        "adb",
        runner=ScriptedAdb().on(
            "devices", "List of devices attached\nR58M1 unauthorized usb:1-1 transport_id:3\n"
        ),
    )
    with pytest.raises(DeviceError, match="accept the 'Allow USB debugging"):
        unauth.device("R58M1")
    two = AdbClient(
        "adb",
        runner=ScriptedAdb().on(
            "devices", "List of devices attached\nemulator-5554 device\nemulator-5556 device\n"
        ),
    )
    with pytest.raises(DeviceError, match="--device SERIAL"):
        two.device()
    assert two.device("emulator-5556").serial == "emulator-5556"


def test_server_port_goes_on_every_command() -> None:
    script = ScriptedAdb().on("devices", "List of devices attached\n")
    client = AdbClient("adb", server_port=5999, runner=script)
    client.devices()
    assert script.calls[-1][1:3] == ("-P", "5999")
    assert client.env()["ANDROID_ADB_SERVER_PORT"] == "5999"
    with pytest.raises(InputError):
        AdbClient("adb", server_port=70000, runner=script)


def test_screenshot_checks_png(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    dev, script = scripted_device(ScriptedAdb().on("exec-out", png))
    assert dev.screenshot(tmp_path / "a.png") is True
    assert (tmp_path / "a.png").read_bytes() == png
    dev2, _ = scripted_device(ScriptedAdb().on("exec-out", b"error: secure window"))
    assert dev2.screenshot(tmp_path / "b.png") is False
    assert not (tmp_path / "b.png").exists()


def test_push_validates_remote_and_local(tmp_path: Path) -> None:
    dev, script = scripted_device()
    local = tmp_path / "frida-server"
    local.write_bytes(b"\x7fELF")
    with pytest.raises(InputError, match="traversal"):
        dev.push(local, "/data/local/tmp/../../../system/xbin/su")
    with pytest.raises(InputError, match="not found"):
        dev.push(tmp_path / "nope", "/data/local/tmp/x")
    dev.push(local, "/data/local/tmp/frida-server")
    assert script.calls[-1][-3:] == ("push", str(local.resolve()), "/data/local/tmp/frida-server")


def test_logcat_starts_at_the_device_clock() -> None:
    script = ScriptedAdb().on("date", "11-28 10:15:02\n").on("pidof system_server", "1520\n")
    dev, script = scripted_device(script)
    cap = dev.logcat("com.example.app")
    assert cap.parser.trusted_pids == frozenset({1520})
    argv = dev.logcat_argv(since=dev.device_time())
    assert argv[-7:] == ["logcat", "-b", "events", "-v", "threadtime", "-T", "11-28 10:15:02.000"]
    with pytest.raises(InputError, match="start time"):
        dev.logcat_argv(since="11-28; reboot")
    with pytest.raises(InputError, match="buffer"):
        dev.logcat_argv(buffers=("events;reboot",))


def test_logcat_falls_back_to_newest_line_when_the_clock_is_unreadable() -> None:
    dev, _ = scripted_device(ScriptedAdb().on("date", "date: bad format\n", rc=1))
    assert dev.device_time() == ""
    assert dev.logcat_argv(since="")[-2:] == ["-T", "1"]
