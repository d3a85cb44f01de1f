"""``consent-harness doctor [--device SERIAL] [--appium URL]``: is this machine ready to test apps?

Checks, in order, and says in plain words what to fix:

1. adb is installed and its server starts;
2. a device is attached and ready (the one given with ``--device``, or exactly one);
3. its API level (runtime permissions need Android 6 / API 23 or newer);
4. emulator or phone, and root (frida-server needs root: ``adb root`` or su);
5. frida-server is on the device, matches the host ``frida`` version, and runs;
6. the host ``frida`` and ``uiautomator2`` packages import;
7. the Appium server answers (only when ``--appium`` is given).

The harness never downloads frida-server: the fix text names the exact release file to get.
Exit status: 0 when every needed check passed, 3 (infrastructure) otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict

from harness.devices.adb import STATE_ADVICE, AdbClient, AdbDevice, DeviceEntry, validate_serial
from harness.devices.frida_server import (
    ABI_ARCH,
    DEFAULT_REMOTE_PATH,
    FridaServer,
    expected_filename,
    host_frida_version,
)
from harness.devices.kinds import DeviceRequest, DoctorCheck, kinds
from harness.errors import EXIT_CLEAN, EXIT_INFRA, EXIT_INPUT, HarnessError, InputError

__all__ = ["Check", "run_doctor", "main", "format_checks", "MIN_API_LEVEL"]

#: Runtime permissions (the dialogs the scenarios decline) exist from Android 6.0 / API 23.
MIN_API_LEVEL = 23


#: One doctor check (status ok | warn | fail | skip; a failed ``needed`` check makes the doctor
#: exit non-zero; ``fix`` says what to do in plain words). Device kinds add their own.
Check = DoctorCheck


def _frida_server_fix(abi: str) -> str:
    name = expected_filename(abi) if abi in ABI_ARCH else "frida-server-<version>-android-<arch>"
    return (
        f"get {name}.xz from Frida's release downloads yourself (the harness downloads nothing), unxz it, then: "
        f"adb push {name} {DEFAULT_REMOTE_PATH} && adb shell chmod 755 {DEFAULT_REMOTE_PATH}"
    )


def _device_checks(dev: AdbDevice) -> list[Check]:
    checks: list[Check] = []
    try:
        api = dev.api_level()
        abi = dev.abi()
        release = dev.props().get("ro.build.version.release", "?")
    except HarnessError as exc:
        return [Check("device properties", "fail", str(exc), "reconnect the device and retry")]
    if api >= MIN_API_LEVEL:
        checks.append(Check("API level", "ok", f"Android {release} (API {api}), ABI {abi or '?'}"))
    else:
        checks.append(
            Check(
                "API level",
                "fail",
                f"Android {release} (API {api}) has no runtime permissions",
                f"use an emulator or phone with Android 6.0 (API {MIN_API_LEVEL}) or newer",
            )
        )
    emulator = dev.is_emulator()
    try:
        root = dev.root_method()
    except HarnessError:
        root = ""
    kind = "emulator" if emulator else "physical device"
    if root:
        how = {"adbd": "adbd runs as root", "su0": "su available", "su-c": "su available"}.get(root, root)
        checks.append(Check("root", "ok", f"{kind}, {how}"))
    else:
        fix = (
            "run 'adb root' (works on emulator images without Google Play, e.g. 'Google APIs' images)"
            if emulator
            else "frida-server needs root: use a rooted phone (su) or an emulator image without Google Play"
        )
        checks.append(Check("root", "fail", f"{kind} without root", fix))

    fs = FridaServer(dev)
    try:
        st = fs.status()
    except HarnessError as exc:
        checks.append(Check("frida-server", "fail", str(exc), _frida_server_fix(abi)))
        return checks
    if not st.present:
        checks.append(
            Check("frida-server", "fail", f"not found at {DEFAULT_REMOTE_PATH}", _frida_server_fix(abi))
        )
    elif not st.matches:
        checks.append(
            Check(
                "frida-server",
                "fail",
                f"version {st.version} on the device, host frida is {st.host_version or 'not installed'}",
                "replace it with the matching release: " + _frida_server_fix(abi),
            )
        )
    else:
        checks.append(Check("frida-server", "ok", f"version {st.version} matches the host frida"))
    if st.present:
        if st.running:
            checks.append(Check("frida-server running", "ok", f"pid {', '.join(map(str, st.pids))}"))
        else:
            start = (
                f"adb root && adb shell {DEFAULT_REMOTE_PATH} -D"
                if root != "su0" and root != "su-c"
                else f"adb shell su 0 {DEFAULT_REMOTE_PATH} -D  (Magisk: adb shell \"su -c '{DEFAULT_REMOTE_PATH} -D'\")"
            )
            checks.append(Check("frida-server running", "fail", "not running", f"start it as root: {start}"))
    return checks


_ATTACH_FIX = (
    "start an emulator (e.g. 'emulator -avd <name>') or plug in a phone with USB debugging on, "
    "then check 'adb devices'"
)


def _select_device(entries: Sequence[DeviceEntry], serial: str | None) -> tuple[Check, str]:
    """The 'device' check (the given serial, or the only device, is attached and ready) and
    the serial to go on with ('' when none)."""
    listed = ", ".join(f"{e.serial} ({e.state})" for e in entries) or "none"
    if serial is not None:
        try:
            validate_serial(serial)
        except InputError as exc:
            return Check("device", "fail", str(exc), "pass the serial exactly as 'adb devices' shows it"), ""
        match = [e for e in entries if e.serial == serial]
        if not match:
            return Check("device", "fail", f"{serial} is not attached (adb lists: {listed})", _ATTACH_FIX), ""
        entry = match[0]
    else:
        if not entries:
            return Check("device", "fail", "no Android device is attached", _ATTACH_FIX), ""
        ready = [e for e in entries if e.ready]
        if len(ready) > 1:
            fix = "choose one: consent-harness doctor --device <serial>"
            return Check("device", "fail", f"several devices are attached: {listed}", fix), ""
        entry = ready[0] if ready else entries[0]
    if not entry.ready:
        fix = STATE_ADVICE.get(entry.state, "check 'adb devices'")
        return Check("device", "fail", f"{entry.serial} is {entry.state}", fix), ""
    return Check("device", "ok", f"{entry.serial} ready (adb lists: {listed})"), entry.serial


def run_doctor(serial: str | None, appium_url: str | None, *, adb: AdbClient | None = None) -> list[Check]:
    """Run every check; never raises for an environment problem (it becomes a failed check)."""
    checks: list[Check] = []

    # host packages
    fv = host_frida_version()
    checks.append(
        Check("host frida", "ok", f"frida {fv}")
        if fv
        else Check(
            "host frida", "fail", "the frida package does not import", "pip install the harness with its deps"
        )
    )
    # adb
    client: AdbClient | None = adb
    try:
        if client is None:
            client = AdbClient()
        version = client.version()
        checks.append(Check("adb", "ok", f"{client.path}: {version}"))
    except HarnessError as exc:
        checks.append(
            Check(
                "adb",
                "fail",
                str(exc),
                "install Android platform-tools (Debian/Ubuntu: apt-get install adb) or set CONSENT_HARNESS_ADB",
            )
        )
        client = None

    if client is not None:
        try:
            client.start_server()
            entries = client.devices()
            checks.append(Check("adb server", "ok", f"running; {len(entries)} device(s) listed"))
        except HarnessError as exc:
            entries = None
            checks.append(
                Check(
                    "adb server", "fail", str(exc), "run 'adb kill-server' then 'adb start-server' and retry"
                )
            )
        if entries is not None:
            dev: AdbDevice | None = None
            check, chosen = _select_device(entries, serial)
            checks.append(check)
            if chosen:
                dev = AdbDevice(client, chosen)
            if dev is not None:
                checks.extend(_device_checks(dev))
            else:
                for name in ("API level", "root", "frida-server"):
                    checks.append(Check(name, "skip", "no device to check", needed=False))

    # what each device kind brings (host libraries, servers)
    request = DeviceRequest(serial or "", appium_url or "")
    for kind in kinds():
        checks.extend(kind.doctor(request))
    return checks


def format_checks(checks: Sequence[Check]) -> str:
    """The human-readable report: one line per check, then its fix."""
    tags = {"ok": "[ OK ]", "warn": "[WARN]", "fail": "[FAIL]", "skip": "[SKIP]"}
    lines: list[str] = []
    for c in checks:
        lines.append(f"{tags.get(c.status, '[ ?? ]')} {c.name}: {c.detail}")
        if c.fix and c.status in ("fail", "warn"):
            lines.append(f"       fix: {c.fix}")
    failed = [c for c in checks if c.failed]
    lines.append("")
    lines.append(
        "ready: every needed check passed"
        if not failed
        else f"not ready: {len(failed)} check(s) failed (see fix lines)"
    )
    return "\n".join(lines)


def _check_url(url: str) -> None:
    """The --appium argument is an http(s) URL with a host (whether a server answers there is
    the doctor's check, not this)."""
    import urllib.parse

    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or len(url) > 500:
        raise InputError(f"--appium {url[:100]!r} is not an http(s) URL (e.g. http://127.0.0.1:4723)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``consent-harness doctor``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="consent-harness doctor", description="check adb, device, frida-server and Appium"
    )
    parser.add_argument("--device", metavar="SERIAL", help="the device to check (as 'adb devices' lists it)")
    parser.add_argument("--appium", metavar="URL", help="Appium server to check, e.g. http://127.0.0.1:4723")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    args = parser.parse_args(list(argv) if argv is not None else None)
    # a malformed argument is the user's input (exit 2), not a finding about the machine (3)
    try:
        if args.device is not None:
            validate_serial(args.device)
        if args.appium is not None:
            _check_url(args.appium)
    except InputError as exc:
        print(f"consent-harness doctor: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    checks = run_doctor(args.device, args.appium)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2))
    else:
        print(format_checks(checks))
    return EXIT_INFRA if any(c.failed for c in checks) else EXIT_CLEAN
