"""frida-server control: file names per ABI, ELF checks, version match, push/start/stop commands."""

from __future__ import annotations

import struct
from pathlib import Path

import frida
import pytest
from adb_script import ScriptedAdb, scripted_device

from harness.devices.frida_server import (
    FridaServer,
    binary_arch,
    check_binary,
    expected_filename,
    host_frida_version,
    versions_match,
)
from harness.errors import DeviceError, InputError


def elf(path: Path, machine: int, *, big_endian: bool = False) -> Path:
    ident = b"\x7fELF" + bytes([2, 2 if big_endian else 1, 1]) + b"\x00" * 9
    fmt = ">HH" if big_endian else "<HH"
    path.write_bytes(ident + struct.pack(fmt, 3, machine) + b"\x00" * 64)
    return path


def test_host_version_is_the_installed_frida() -> None:
    assert host_frida_version() == frida.__version__


@pytest.mark.parametrize(
    "abi, arch", [("arm64-v8a", "arm64"), ("armeabi-v7a", "arm"), ("x86", "x86"), ("x86_64", "x86_64")]
)
def test_expected_filename(abi: str, arch: str) -> None:
    assert expected_filename(abi, "17.25.2") == f"frida-server-17.25.2-android-{arch}"
    assert expected_filename(abi).startswith(f"frida-server-{frida.__version__}-")


def test_unknown_abi() -> None:
    with pytest.raises(InputError, match="mips"):
        expected_filename("mips")


def test_binary_arch_reads_the_elf_header(tmp_path: Path) -> None:
    assert binary_arch(elf(tmp_path / "a", 183)) == "arm64"
    assert binary_arch(elf(tmp_path / "b", 40)) == "arm"
    assert binary_arch(elf(tmp_path / "c", 62)) == "x86_64"
    assert binary_arch(elf(tmp_path / "d", 3)) == "x86"
    with pytest.raises(InputError, match="unsupported CPU"):
        binary_arch(elf(tmp_path / "e", 8))
    xz = tmp_path / "frida-server.xz"
    xz.write_bytes(b"\xfd7zXZ\x00" + b"\x00" * 30)
    with pytest.raises(InputError, match="unxz"):
        binary_arch(xz)
    txt = tmp_path / "readme"
    txt.write_text("not a binary at all, sorry")
    with pytest.raises(InputError, match="not an ELF"):
        binary_arch(txt)
    with pytest.raises(InputError, match="cannot be read"):
        binary_arch(tmp_path / "missing")


def test_check_binary_names_the_right_file(tmp_path: Path) -> None:
    arm = elf(tmp_path / "frida-server", 183)
    assert check_binary(arm, "arm64-v8a") == "arm64"
    with pytest.raises(InputError, match=r"android-x86_64"):
        check_binary(arm, "x86_64")


def test_versions_match() -> None:
    assert versions_match("17.25.2", "17.25.2")
    assert versions_match("17.25.2\n", "17.25.2")
    assert not versions_match("16.7.0", "17.25.2")
    assert not versions_match("", "17.25.2")


def _device(script: ScriptedAdb) -> tuple[FridaServer, ScriptedAdb]:
    script.on("getprop", "[ro.product.cpu.abi]: [x86_64]\n[ro.build.version.sdk]: [34]\n")
    dev, script = scripted_device(script)
    return FridaServer(dev), script


def test_status_and_start_as_root() -> None:
    script = ScriptedAdb().on("frida-server --version", f"{frida.__version__}\n")
    # latest rule first: the first pidof finds nothing, later ones find the daemon
    script.on("pidof frida-server", "5123\n").on("pidof frida-server", "", rc=1, times=1)
    script.on("id -u", "0\n")
    fs, script = _device(script)
    st = fs.start(wait=2.0)
    assert st.running and st.pids == (5123,) and st.matches
    assert "/data/local/tmp/frida-server -D" in script.shell_commands()


def test_start_refuses_mismatched_version() -> None:
    script = ScriptedAdb().on("frida-server --version", "16.0.1\n").on("pidof", "", rc=1)
    fs, script = _device(script)
    with pytest.raises(DeviceError, match=r"does not match the host frida.*android-x86_64"):
        fs.start()
    assert not any(c.endswith("-D") for c in script.shell_commands())


def test_start_when_missing_says_what_to_push() -> None:
    script = ScriptedAdb().on(
        "frida-server --version", "/system/bin/sh: /data/local/tmp/frida-server: not found", rc=127
    )
    fs, _ = _device(script)
    assert not fs.status().present
    with pytest.raises(DeviceError, match=r"push frida-server-.*-android-x86_64"):
        fs.start()


def test_stop_kills_each_pid_as_root() -> None:
    script = (
        ScriptedAdb().on("pidof frida-server", "5123 5124\n").on("id -u", "2000\n").on("su 0 id -u", "0\n")
    )
    fs, script = _device(script)
    fs.stop()
    assert script.shell_commands()[-2:] == ["su 0 kill 5123", "su 0 kill 5124"]


def test_push_checks_arch_then_pushes_and_chmods(tmp_path: Path) -> None:
    fs, script = _device(ScriptedAdb())
    wrong = elf(tmp_path / "frida-server-arm64", 183)
    with pytest.raises(InputError, match="built for arm64"):
        fs.push(wrong)
    assert not any("push" in c for c in script.calls)
    right = elf(tmp_path / "frida-server-x86_64", 62)
    fs.push(right)
    assert any(c[-3:] == ("push", str(right.resolve()), "/data/local/tmp/frida-server") for c in script.calls)
    assert script.shell_commands()[-1] == "chmod 755 /data/local/tmp/frida-server"


@pytest.mark.parametrize(
    "remote", ["/data/local/tmp/../../system/bin/frida", "/sdcard/frida-server", "/data/local/tmp/f;id"]
)
def test_remote_path_is_validated(remote: str) -> None:
    dev, _ = scripted_device()
    with pytest.raises(InputError):
        FridaServer(dev, remote)
