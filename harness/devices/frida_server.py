"""frida-server on the device: push, start (as root), stop, and a version check.

The harness never downloads frida-server: the user provides the binary that matches the host
``frida`` package (file name ``frida-server-<version>-android-<arch>``, unpacked from its .xz)
and this module checks it before pushing: it must be an ELF executable for the device's CPU
(read from the ELF header, not trusted from the file name). Host and server versions must be
equal: Frida's protocol changes between releases, and a mismatch shows up later as an obscure
"unable to connect" in the middle of a run.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.devices.adb import AdbClient, AdbDevice, parse_pidof, validate_device_path
from harness.errors import EXIT_CLEAN, DeviceError, HarnessError, InputError

__all__ = [
    "ABI_ARCH",
    "DEFAULT_REMOTE_PATH",
    "FridaServer",
    "FridaServerStatus",
    "binary_arch",
    "check_binary",
    "expected_filename",
    "host_frida_version",
    "main",
    "versions_match",
]

#: Android ABI -> the architecture suffix in frida-server release file names.
ABI_ARCH = {"arm64-v8a": "arm64", "armeabi-v7a": "arm", "armeabi": "arm", "x86": "x86", "x86_64": "x86_64"}
_ELF_MACHINE = {183: "arm64", 40: "arm", 3: "x86", 62: "x86_64"}

DEFAULT_REMOTE_PATH = "/data/local/tmp/frida-server"


def host_frida_version() -> str:
    """Version of the host ``frida`` package ('' when it is not importable)."""
    try:
        import frida
    except Exception:
        return ""
    return str(getattr(frida, "__version__", ""))


def expected_filename(abi: str, version: str | None = None) -> str:
    """The release file name the user should provide for a device ABI."""
    arch = ABI_ARCH.get(abi)
    if arch is None:
        raise InputError(f"unknown Android ABI {abi!r}: expected one of {', '.join(ABI_ARCH)}")
    return f"frida-server-{version or host_frida_version()}-android-{arch}"


def binary_arch(path: str | os.PathLike[str]) -> str:
    """CPU architecture of a local ELF file ('arm64', 'arm', 'x86', 'x86_64'); InputError when
    the file is not an ELF executable (e.g. still .xz-compressed)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(20)
    except OSError as exc:
        raise InputError(f"frida-server binary {str(p)!r} cannot be read: {exc}") from exc
    if head[:6] == b"\xfd7zXZ\x00":
        raise InputError(f"{str(p)!r} is still xz-compressed: unpack it first (unxz {p.name})")
    if len(head) < 20 or head[:4] != b"\x7fELF":
        raise InputError(f"{str(p)!r} is not an ELF executable (expected a frida-server binary)")
    endian = "<" if head[5] == 1 else ">"
    machine = int(struct.unpack_from(endian + "H", head, 18)[0])
    arch = _ELF_MACHINE.get(machine)
    if arch is None:
        raise InputError(f"{str(p)!r} is built for an unsupported CPU (ELF machine {machine})")
    return arch


def check_binary(path: str | os.PathLike[str], abi: str) -> str:
    """Raise InputError unless ``path`` is a frida-server ELF for the device ABI; return its arch."""
    want = ABI_ARCH.get(abi)
    if want is None:
        raise InputError(f"unknown Android ABI {abi!r}")
    got = binary_arch(path)
    if got != want:
        raise InputError(
            f"{str(path)!r} is built for {got}, but the device ABI is {abi}: "
            f"use {expected_filename(abi)} instead"
        )
    return got


def versions_match(device_version: str, host_version: str) -> bool:
    """True when the two versions are the same release."""
    return bool(device_version) and device_version.strip() == host_version.strip()


@dataclass(frozen=True, slots=True)
class FridaServerStatus:
    """What ``FridaServer.status`` found on a device."""

    present: bool
    version: str
    running: bool
    pids: tuple[int, ...]
    host_version: str

    @property
    def matches(self) -> bool:
        return versions_match(self.version, self.host_version)


class FridaServer:
    """frida-server at ``remote_path`` (below /data/local/tmp) on one device."""

    def __init__(self, device: AdbDevice, remote_path: str = DEFAULT_REMOTE_PATH) -> None:
        self.device = device
        self.remote_path = validate_device_path(remote_path, roots=("/data/local/tmp/",))
        self.process_name = Path(self.remote_path).name

    def push(self, local: str | os.PathLike[str]) -> None:
        """Check the binary against the device ABI, push it and make it executable."""
        check_binary(local, self.device.abi())
        self.device.push(local, self.remote_path)
        self.device.chmod(self.remote_path, "755")

    def version(self) -> str:
        """``frida-server --version`` on the device; '' when it is absent or does not run."""
        res = self.device.shell([self.remote_path, "--version"], check=False, timeout=20)
        text = res.text.strip()
        if res.returncode != 0 or not text or not text[0].isdigit():
            return ""
        return text.splitlines()[0][:40]

    def pids(self) -> list[int]:
        res = self.device.shell(["pidof", self.process_name], check=False, timeout=20)
        return parse_pidof(res.text)

    def status(self) -> FridaServerStatus:
        version = self.version()
        pids = self.pids()
        return FridaServerStatus(
            present=bool(version),
            version=version,
            running=bool(pids),
            pids=tuple(pids),
            host_version=host_frida_version(),
        )

    def start(self, *, wait: float = 5.0, require_match: bool = True) -> FridaServerStatus:
        """Start it as root, daemonized (``-D``); no-op when already running. Raises
        DeviceError when it is missing, the versions differ, or it does not come up."""
        st = self.status()
        if not st.present:
            raise DeviceError(
                f"frida-server is not installed at {self.remote_path} on {self.device.serial}: push "
                f"{expected_filename(self.device.abi())} there first"
            )
        if require_match and not st.matches:
            raise DeviceError(
                f"frida-server {st.version} on {self.device.serial} does not match the host frida "
                f"{st.host_version}: push {expected_filename(self.device.abi())}"
            )
        if st.running:
            return st
        self.device.root_shell([self.remote_path, "-D"], check=False, timeout=30)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.pids():
                return self.status()
            time.sleep(0.2)
        raise DeviceError(f"frida-server did not start on {self.device.serial} within {wait:g}s")

    def stop(self) -> None:
        """Kill every frida-server process (as root); nothing to do when none runs."""
        for pid in self.pids():
            self.device.root_shell(["kill", str(pid)], check=False, timeout=20)


def main(argv: Sequence[str] | None = None) -> int:
    """``consent-harness frida-server {status,push,start,stop} [--device SERIAL]``: manage the
    frida-server the user provides. ``push BINARY`` checks the binary's CPU against the device
    first; ``start`` refuses a version that differs from the host frida."""
    parser = argparse.ArgumentParser(
        prog="consent-harness frida-server", description="manage frida-server on a device"
    )
    parser.add_argument("action", choices=("status", "push", "start", "stop"))
    parser.add_argument(
        "binary", nargs="?", help="for push: the unpacked frida-server-<version>-android-<arch>"
    )
    parser.add_argument(
        "--device", metavar="SERIAL", help="device serial (default: the only attached device)"
    )
    parser.add_argument(
        "--remote", default=DEFAULT_REMOTE_PATH, help=f"path on the device (default {DEFAULT_REMOTE_PATH})"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        validate_device_path(args.remote, roots=("/data/local/tmp/",))  # before touching any device
        if args.action == "push" and args.binary and not Path(args.binary).is_file():
            raise InputError(f"{args.binary}: no such file (give the unpacked frida-server binary)")
        fs = FridaServer(AdbClient().device(args.device), args.remote)
        if args.action == "push":
            if not args.binary:
                raise InputError(f"push needs the binary: {expected_filename(fs.device.abi())}")
            fs.push(args.binary)
            print(f"pushed {args.binary} to {fs.device.serial}:{fs.remote_path}")
        elif args.action == "start":
            st = fs.start()
            print(
                f"frida-server {st.version} running on {fs.device.serial} (pid {', '.join(map(str, st.pids))})"
            )
        elif args.action == "stop":
            fs.stop()
            print(f"frida-server stopped on {fs.device.serial}")
        else:
            st = fs.status()
            state = "running" if st.running else "not running"
            found = f"version {st.version}" if st.present else f"not found at {fs.remote_path}"
            match = (
                ""
                if not st.present
                else (" (matches host)" if st.matches else f" (host frida is {st.host_version})")
            )
            print(f"{fs.device.serial}: frida-server {found}{match}, {state}")
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return EXIT_CLEAN
