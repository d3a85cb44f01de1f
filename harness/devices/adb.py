"""adb control: the one place the harness talks to ``adb`` on the host.

What it offers: list devices (API level, ABI, locale), install APKs and split APKs *without
granting anything* (never the grant-all install flag), uninstall, ``pm clear``, runtime-permission state per
package parsed from ``dumpsys package`` (granted, denied, user-fixed, one-time), revoke and
reset, the foreground package, whether a process is alive, force-stop, screenshots, push/pull,
and logcat capture turned into :class:`harness.events.AppState` events (process start and death,
crashes, ANRs, foreground/background) from the ``events`` buffer.

Safety: the host side never uses a shell (argument lists only). Every value that reaches the
device shell is validated first (package names against Android's grammar, permission names,
device paths inside an allow-list of roots, property names) and then quoted with
:func:`shlex.quote`; a bad value raises :class:`harness.errors.InputError` naming it. Output
from the device (which the app under test can influence) is only ever parsed, never executed.

Parsing is kept in pure functions (``parse_devices``, ``parse_dumpsys_package``,
``parse_resumed_activity``, ``parse_event_line``, :class:`LogcatParser`) so it is tested on
output samples of several Android versions without a device.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from harness.catalog.permissions import group_of
from harness.devices.base import DeviceInfo
from harness.errors import DeviceError, InputError
from harness.events import AppState, ErrorRecord, Event

__all__ = [
    "AdbClient",
    "AdbDevice",
    "AdbResult",
    "DeviceEntry",
    "LogEvent",
    "LogcatCapture",
    "LogcatParser",
    "PackageDump",
    "PermissionEntry",
    "Runner",
    "overlay_packages",
    "STATE_ADVICE",
    "DEVICE_PATH_ROOTS",
    "find_adb",
    "group_states",
    "parse_devices",
    "parse_dumpsys_package",
    "parse_event_line",
    "parse_getprop",
    "parse_pidof",
    "parse_ps",
    "parse_resumed_activity",
    "permission_state_of",
    "shell_command",
    "validate_apk_path",
    "validate_component",
    "validate_device_path",
    "validate_package",
    "validate_permission",
    "validate_prop_name",
    "validate_serial",
]

# --------------------------------------------------------------------------------------------
# Validation: everything that reaches the device shell passes through one of these.
# --------------------------------------------------------------------------------------------

_PACKAGE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+")
_PERMISSION_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+")
_CLASS_RE = re.compile(r"\.?[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*")
_SERIAL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@%+\-\[\]]*")
_PROP_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._\-]*")
_PATH_PART_RE = re.compile(r"[A-Za-z0-9_+@][A-Za-z0-9._+@\-]*")

#: Device folders the harness may write to, read from or execute in.
DEVICE_PATH_ROOTS: tuple[str, ...] = ("/data/local/tmp/", "/sdcard/", "/storage/emulated/0/")

_MAX_NAME = 255
_LOGCAT_TIME_RE = re.compile(r"\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}")


def _show(value: object) -> str:
    """A bounded, printable rendering of a rejected value for error messages."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def validate_package(name: str) -> str:
    """Return ``name`` if it is a valid Android package name (dot-separated segments, each a
    letter then letters/digits/underscores, at least two segments); raise InputError naming it
    otherwise. This is what keeps ``; rm -rf`` and ``../`` out of device shell commands."""
    if not isinstance(name, str) or len(name) > _MAX_NAME or not _PACKAGE_RE.fullmatch(name):
        raise InputError(
            f"invalid Android package name {_show(name)}: expected dot-separated segments such as "
            "'com.example.app' (letters, digits, '_'; each segment starts with a letter)"
        )
    return name


def validate_permission(name: str) -> str:
    """Return ``name`` if it is a well-formed permission name ('android.permission.CAMERA');
    raise InputError naming it otherwise."""
    if not isinstance(name, str) or len(name) > _MAX_NAME or not _PERMISSION_RE.fullmatch(name):
        raise InputError(
            f"invalid permission name {_show(name)}: expected a dotted name such as 'android.permission.CAMERA'"
        )
    return name


def validate_component(component: str) -> str:
    """Validate an activity component 'package/.Class' or 'package/full.Class'."""
    if not isinstance(component, str) or "/" not in component or len(component) > 2 * _MAX_NAME:
        raise InputError(f"invalid activity component {_show(component)}: expected 'package/.Activity'")
    pkg, _, cls = component.partition("/")
    if not _PACKAGE_RE.fullmatch(pkg) or not _CLASS_RE.fullmatch(cls):
        raise InputError(f"invalid activity component {_show(component)}: expected 'package/.Activity'")
    return component


def validate_serial(serial: str) -> str:
    """Validate a device serial as adb prints it ('emulator-5554', '192.168.1.20:5555')."""
    if not isinstance(serial, str) or len(serial) > 128 or not _SERIAL_RE.fullmatch(serial):
        raise InputError(
            f"invalid device serial {_show(serial)}: use the serial shown by 'adb devices' (e.g. emulator-5554)"
        )
    return serial


def validate_prop_name(name: str) -> str:
    """Validate a system property name ('ro.build.version.sdk')."""
    if not isinstance(name, str) or len(name) > 128 or not _PROP_RE.fullmatch(name):
        raise InputError(f"invalid system property name {_show(name)}")
    return name


def validate_device_path(path: str, roots: Sequence[str] = DEVICE_PATH_ROOTS) -> str:
    """Return ``path`` if it is an absolute device path below one of ``roots`` made of plain
    name characters, with no '.'/'..' parts; raise InputError naming it otherwise."""
    if not isinstance(path, str) or len(path) > 1024 or not path.startswith("/"):
        raise InputError(f"invalid device path {_show(path)}: must be absolute, e.g. /data/local/tmp/file")
    parts = path.split("/")[1:]
    if not parts or any(p in ("", ".", "..") or not _PATH_PART_RE.fullmatch(p) for p in parts):
        raise InputError(
            f"invalid device path {_show(path)}: only letters, digits and '._+@-' in each part; "
            "no empty, '.' or '..' parts (path traversal)"
        )
    if not any(path.startswith(r) and len(path) > len(r) for r in roots):
        raise InputError(f"device path {_show(path)} is outside the allowed folders {', '.join(roots)}")
    return path


def validate_apk_path(path: str | os.PathLike[str]) -> Path:
    """An existing local ``.apk`` file, returned as an absolute path (so adb never reads it as
    an option such as ``-g``)."""
    p = Path(path)
    if p.suffix.lower() != ".apk":
        raise InputError(f"not an APK file (expected a .apk name): {_show(str(path))}")
    if not p.is_file():
        raise InputError(f"APK file not found: {_show(str(path))}")
    return p.resolve()


def _check_arg(arg: str) -> str:
    if not isinstance(arg, str):
        raise InputError(f"shell argument must be a string, got {_show(arg)}")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in arg):
        raise InputError(f"control characters are not allowed in a device shell argument: {_show(arg)}")
    return arg


def shell_command(argv: Sequence[str]) -> str:
    """The one string handed to the device shell: each (already validated) argument quoted."""
    if not argv:
        raise InputError("empty device shell command")
    return shlex.join(_check_arg(a) for a in argv)


# --------------------------------------------------------------------------------------------
# Running adb on the host
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdbResult:
    """What one adb invocation returned."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", errors="replace")


#: Runs an argv list with a timeout (seconds) and returns its result. Injected in tests.
Runner = Callable[[Sequence[str], float], AdbResult]


def find_adb(explicit: str | None = None) -> str | None:
    """Path of the adb binary: ``explicit``, else $CONSENT_HARNESS_ADB, else ``adb`` on PATH,
    else $ANDROID_HOME/platform-tools/adb. None when there is none."""
    for cand in (explicit, os.environ.get("CONSENT_HARNESS_ADB")):
        if cand:
            return cand if Path(cand).is_file() else shutil.which(cand)
    found = shutil.which("adb")
    if found:
        return found
    for var in ("ANDROID_HOME", "ANDROID_SDK_ROOT"):
        base = os.environ.get(var)
        if base and (Path(base) / "platform-tools" / "adb").is_file():
            return str(Path(base) / "platform-tools" / "adb")
    return None


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    """One line of ``adb devices -l``."""

    serial: str
    state: str
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.state == "device"

    @property
    def emulator(self) -> bool:
        return self.serial.startswith("emulator-")


def parse_devices(text: str) -> list[DeviceEntry]:
    """Parse ``adb devices [-l]`` output (daemon start chatter and blank lines are skipped)."""
    out: list[DeviceEntry] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("*") or line.lower().startswith("list of devices"):
            continue
        if line.startswith("adb server") or line.startswith("adb: "):
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        serial, rest = parts
        if rest.startswith("no permissions"):
            m = re.match(r"(no permissions.*?)(?:\s+(usb:\S+.*))?$", rest)
            state = "no permissions"
            detail_text = m.group(2) or "" if m else ""
            details = {"reason": (m.group(1) if m else rest)[:300]}
        else:
            state, _, detail_text = rest.partition(" ")
            details = {}
        for tok in detail_text.split():
            k, sep, v = tok.partition(":")
            if sep and k:
                details[k] = v
        out.append(DeviceEntry(serial=serial, state=state, details=details))
    return out


#: What to do about a device in each non-ready state that ``adb devices`` reports.
STATE_ADVICE = {
    "unauthorized": "accept the 'Allow USB debugging?' prompt on the device screen, then retry",
    "offline": "the device is not responding: restart it or run 'adb reconnect offline'",
    "no permissions": "the host user may not open the USB device: add a udev rule for it (see the adb docs)",
    "authorizing": "the device is still authorizing this host: wait a few seconds and retry",
    "connecting": "the device is still connecting: wait a few seconds and retry",
    "recovery": "the device is in recovery mode: reboot it into Android",
    "bootloader": "the device is in the bootloader: reboot it into Android",
    "sideload": "the device is in sideload mode: reboot it into Android",
}


class AdbClient:
    """The host adb binary plus the server it talks to.

    ``server_port`` selects an adb server (``adb -P``), so tests and parallel labs do not share
    the default 5037. ``runner`` replaces the subprocess call (tests record argv lists with it).
    """

    def __init__(
        self,
        adb_path: str | None = None,
        *,
        server_port: int | None = None,
        timeout: float = 60.0,
        runner: Runner | None = None,
    ) -> None:
        found = find_adb(adb_path)
        if found is None and runner is None:
            raise DeviceError(
                "adb was not found: install Android platform-tools (Debian/Ubuntu: 'apt-get install adb') "
                "or set CONSENT_HARNESS_ADB to the adb binary"
            )
        self.path = found or "adb"
        env_port = os.environ.get("ANDROID_ADB_SERVER_PORT") or os.environ.get("ADB_SERVER_PORT")
        if server_port is None and env_port and env_port.isdigit():
            server_port = int(env_port)
        if server_port is not None and not 0 < server_port < 65536:
            raise InputError(f"invalid adb server port {_show(server_port)}")
        self.server_port = server_port
        self.timeout = timeout
        self._runner = runner or self._subprocess_runner

    # -- plumbing ---------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.server_port is not None:
            env["ANDROID_ADB_SERVER_PORT"] = str(self.server_port)
        return env

    def argv(self, args: Sequence[str], serial: str | None = None) -> list[str]:
        out = [self.path]
        if self.server_port is not None:
            out += ["-P", str(self.server_port)]
        if serial is not None:
            out += ["-s", validate_serial(serial)]
        out += list(args)
        return out

    def _subprocess_runner(self, argv: Sequence[str], timeout: float) -> AdbResult:
        try:
            proc = subprocess.run(
                list(argv), capture_output=True, timeout=timeout, env=self.env(), stdin=subprocess.DEVNULL
            )
        except FileNotFoundError as exc:
            raise DeviceError(
                f"adb binary {self.path!r} could not be run: install platform-tools (apt-get install adb)"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise DeviceError(f"adb timed out after {timeout:g}s: {' '.join(argv[1:])[:200]}") from exc
        return AdbResult(tuple(argv), proc.returncode, proc.stdout, proc.stderr)

    def run(
        self,
        args: Sequence[str],
        *,
        serial: str | None = None,
        timeout: float | None = None,
        check: bool = True,
    ) -> AdbResult:
        """Run ``adb [-P port] [-s serial] args...``; with ``check`` a non-zero exit is a
        DeviceError quoting adb's own message."""
        res = self._runner(self.argv(args, serial), self.timeout if timeout is None else timeout)
        if check and res.returncode != 0:
            msg = (res.err.strip() or res.text.strip() or f"exit code {res.returncode}")[:500]
            where = f" on {serial}" if serial else ""
            raise DeviceError(f"adb {' '.join(args)[:120]}{where} failed: {msg}")
        return res

    # -- server and devices ------------------------------------------------------------------

    def version(self) -> str:
        """First line(s) of ``adb version`` ('Android Debug Bridge version 1.0.41 / Version ...')."""
        lines = [ln.strip() for ln in self.run(["version"], timeout=15).text.splitlines() if ln.strip()]
        return " / ".join(lines[:2])

    def start_server(self) -> None:
        self.run(["start-server"], timeout=30)

    def kill_server(self) -> None:
        """Stop this client's adb server; an absent server is not an error."""
        self.run(["kill-server"], timeout=15, check=False)

    def devices(self) -> list[DeviceEntry]:
        """Attached devices (starts the server when needed)."""
        return parse_devices(self.run(["devices", "-l"], timeout=30).text)

    def device_infos(self) -> list[DeviceInfo]:
        """API level, ABI, locale, model, emulator and root of every ready device (what a
        device pool or ``doctor`` shows); devices that stop answering are left out."""
        out: list[DeviceInfo] = []
        for entry in self.devices():
            if entry.ready:
                try:
                    out.append(AdbDevice(self, entry.serial).info())
                except DeviceError:
                    continue
        return out

    def device(self, serial: str | None = None) -> AdbDevice:
        """A handle on one ready device. With no serial there must be exactly one device. The
        error says in plain words what to do (start an emulator, accept the prompt, ...)."""
        if serial is not None:
            validate_serial(serial)
        entries = self.devices()
        if serial is None:
            ready = [e for e in entries if e.ready]
            if not entries:
                raise DeviceError(
                    "no Android device is attached: start an emulator (emulator -avd <name>) or plug in "
                    "a phone with USB debugging on, then check with 'adb devices'"
                )
            if len(ready) != 1:
                listing = ", ".join(f"{e.serial} ({e.state})" for e in entries)
                if not ready:
                    first = entries[0]
                    hint = STATE_ADVICE.get(first.state, "check 'adb devices'")
                    raise DeviceError(f"no device is ready ({listing}): {hint}")
                raise DeviceError(
                    f"several devices are attached ({listing}): choose one with --device SERIAL"
                )
            return AdbDevice(self, ready[0].serial)
        for e in entries:
            if e.serial == serial:
                if not e.ready:
                    hint = STATE_ADVICE.get(e.state, "check 'adb devices'")
                    raise DeviceError(f"device {serial} is {e.state}: {hint}")
                return AdbDevice(self, serial)
        known = ", ".join(e.serial for e in entries) or "none"
        raise DeviceError(
            f"device {serial} is not attached (adb devices lists: {known}): start the emulator or "
            "connect the phone, then check with 'adb devices'"
        )


# --------------------------------------------------------------------------------------------
# Pure parsers for device output
# --------------------------------------------------------------------------------------------


def parse_getprop(text: str) -> dict[str, str]:
    """Parse ``getprop`` output lines ``[key]: [value]``."""
    out: dict[str, str] = {}
    for m in re.finditer(r"^\[([^\]\n]+)\]: \[([^\n]*)\]\s*$", text, re.MULTILINE):
        out[m.group(1)] = m.group(2)
    return out


def parse_pidof(text: str) -> list[int]:
    """Parse ``pidof`` output (space-separated pids)."""
    return [int(t) for t in text.split() if t.isdigit()]


def parse_ps(text: str, name: str) -> list[int]:
    """Pids of processes called exactly ``name`` in ``ps``/``ps -A`` output (toolbox or toybox:
    the PID column is found from the header, the name is the last column)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return []
    header = lines[0].split()
    col = header.index("PID") if "PID" in header else 1
    pids: list[int] = []
    for ln in lines[1:]:
        cols = ln.split()
        if len(cols) > col and cols[-1] == name and cols[col].isdigit():
            pids.append(int(cols[col]))
    return pids


@dataclass(frozen=True, slots=True)
class PermissionEntry:
    """One permission line of ``dumpsys package``: granted or not, and its flags
    (USER_SET, USER_FIXED, ONE_TIME, POLICY_FIXED, SYSTEM_FIXED, REVIEW_REQUIRED, ...)."""

    name: str
    granted: bool
    flags: tuple[str, ...] = ()

    @property
    def user_fixed(self) -> bool:
        return "USER_FIXED" in self.flags

    @property
    def user_set(self) -> bool:
        return "USER_SET" in self.flags

    @property
    def one_time(self) -> bool:
        return "ONE_TIME" in self.flags


@dataclass(frozen=True, slots=True)
class PackageDump:
    """What ``dumpsys package <pkg>`` says about one package (for one Android user)."""

    package: str
    found: bool
    version_code: int = 0
    version_name: str = ""
    target_sdk: int = 0
    requested: tuple[str, ...] = ()
    install: dict[str, PermissionEntry] = field(default_factory=dict)
    runtime: dict[str, PermissionEntry] = field(default_factory=dict)
    user: int = 0

    def entry(self, permission: str) -> PermissionEntry:
        """The state of a requested permission: the runtime entry, else the install-time one
        (before Android 6 everything was granted at install), else not granted."""
        return (
            self.runtime.get(permission) or self.install.get(permission) or PermissionEntry(permission, False)
        )


# Bit values of PackageManager.FLAG_PERMISSION_*, for dumps that print flags as hex.
_FLAG_BITS = {
    1: "USER_SET",
    2: "USER_FIXED",
    4: "POLICY_FIXED",
    8: "REVOKE_ON_UPGRADE",
    16: "SYSTEM_FIXED",
    32: "GRANTED_BY_DEFAULT",
    64: "REVIEW_REQUIRED",
    1 << 16: "ONE_TIME",
}

_PERM_LINE = re.compile(
    r"^([A-Za-z0-9_.]+): granted=(true|false)(?:,\s*flags=(?:\[\s*([^\]]*?)\s*\]|(0x[0-9a-fA-F]+)))?"
)


def _parse_flags(text: str | None, hexval: str | None) -> tuple[str, ...]:
    if hexval:
        bits = int(hexval, 16)
        return tuple(name for bit, name in _FLAG_BITS.items() if bits & bit)
    if not text:
        return ()
    # Android 10+ joins the names with '|' ("[ USER_SET|USER_FIXED]"); Android 6-9 separate them
    # with spaces ("[ USER_SET USER_FIXED ]"). Both forms, and a mix, are read.
    return tuple(f for f in re.split(r"[|\s]+", text) if f)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse_dumpsys_package(text: str, package: str, user: int = 0) -> PackageDump:
    """Parse ``dumpsys package <pkg>`` as Android 6 to 15 print it. Only the package's own
    block under 'Packages:' is read (not 'Hidden system packages:'), and runtime permissions
    are taken from the ``User <user>:`` section (Android 6+) or, on older layouts, wherever a
    'runtime permissions:' block sits inside the package block."""
    lines = text.splitlines()
    start = -1
    in_packages = False
    for i, ln in enumerate(lines):
        s = ln.strip()
        if _indent(ln) == 0 and s.endswith(":"):
            in_packages = s == "Packages:"
        if in_packages and s.startswith(f"Package [{package}]"):
            start = i
            break
    if start < 0:
        return PackageDump(package=package, found=False)
    base = _indent(lines[start])
    block: list[str] = []
    for ln in lines[start + 1 :]:
        if ln.strip() and _indent(ln) <= base:
            break
        block.append(ln)

    version_code = 0
    version_name = ""
    target_sdk = 0
    requested: list[str] = []
    install: dict[str, PermissionEntry] = {}
    runtime: dict[str, PermissionEntry] = {}
    section = ""
    section_indent = -1
    current_user: int | None = None
    user_indent = -1
    for ln in block:
        s = ln.strip()
        if not s:
            continue
        ind = _indent(ln)
        if section and ind <= section_indent:
            section = ""
        if current_user is not None and ind <= user_indent and not s.startswith("User "):
            current_user = None
        mu = re.match(r"User (\d+):", s)
        if mu:
            current_user = int(mu.group(1))
            user_indent = ind
            section = ""
            continue
        if s in (
            "requested permissions:",
            "install permissions:",
            "runtime permissions:",
            "declared permissions:",
        ):
            section = s[:-1]
            section_indent = ind
            continue
        if section == "requested permissions":
            name = s.split(":", 1)[0].strip()
            if _PERMISSION_RE.fullmatch(name):
                requested.append(name)
            continue
        if section in ("install permissions", "runtime permissions"):
            m = _PERM_LINE.match(s)
            if m:
                entry = PermissionEntry(
                    m.group(1), m.group(2) == "true", _parse_flags(m.group(3), m.group(4))
                )
                if section == "install permissions":
                    install[entry.name] = entry
                elif current_user is None or current_user == user:
                    runtime[entry.name] = entry
            continue
        if section:
            continue
        m = re.search(r"\bversionCode=(\d+)", s)
        if m:
            version_code = int(m.group(1))
            mt = re.search(r"\btargetSdk=(\d+)", s)
            if mt:
                target_sdk = int(mt.group(1))
        m = re.match(r"versionName=(.*)$", s)
        if m:
            version_name = m.group(1).strip()
    return PackageDump(
        package=package,
        found=True,
        version_code=version_code,
        version_name=version_name,
        target_sdk=target_sdk,
        requested=tuple(dict.fromkeys(requested)),
        install=install,
        runtime=runtime,
        user=user,
    )


_RANK = {"granted": 5, "granted_foreground": 4, "granted_once": 3, "denied_forever": 2, "denied": 1}
_BACKGROUND_LOCATION = "android.permission.ACCESS_BACKGROUND_LOCATION"
_SECONDARY = {_BACKGROUND_LOCATION, "android.permission.ACCESS_MEDIA_LOCATION"}


def permission_state_of(entry: PermissionEntry) -> str:
    """One permission's state in the vocabulary of harness.devices.base.PERMISSION_STATES."""
    if entry.granted:
        return "granted_once" if entry.one_time else "granted"
    return "denied_forever" if entry.user_fixed else "denied"


#: First API level whose ``pm`` shell command has ``clear-permission-flags``.
CLEAR_FLAGS_API = 33

#: ACCESS_BACKGROUND_LOCATION, and with it "allow only while using the app", exist from API 29.
FOREGROUND_ONLY_API = 29


def group_states(dump: PackageDump, api_level: int | None = None) -> dict[str, str]:
    """Runtime-permission group -> state for the permissions a package requests.

    A group is granted when any of its main permissions is; LOCATION granted without a
    requested ACCESS_BACKGROUND_LOCATION being granted is ``granted_foreground`` (only on API 29
    and later: before, the permission does not exist and a location grant is a full grant, even
    when an app built for a newer Android requests it); a group nobody granted is
    ``denied_forever`` when the user ticked "don't ask again" (USER_FIXED), else ``denied``
    (which includes "never asked": Android makes no difference there). ``api_level`` None means
    unknown, read as a current Android."""
    per_group: dict[str, list[PermissionEntry]] = {}
    for perm in dump.requested:
        group = group_of(perm)
        if group:
            per_group.setdefault(group, []).append(dump.entry(perm))
    out: dict[str, str] = {}
    for group, entries in per_group.items():
        main = [e for e in entries if e.name not in _SECONDARY] or entries
        state = max((permission_state_of(e) for e in main), key=lambda s: _RANK[s])
        if group == "LOCATION" and state == "granted" and (api_level is None or api_level >= FOREGROUND_ONLY_API):
            bg = [e for e in entries if e.name == _BACKGROUND_LOCATION]
            if bg and not bg[0].granted:
                state = "granted_foreground"
        out[group] = state
    return out


_RESUMED_KEYS = ("topResumedActivity", "mResumedActivity", "ResumedActivity", "mFocusedActivity")
_RECORD_RE = re.compile(r"ActivityRecord\{[0-9a-fA-F]+ u\d+ ([A-Za-z0-9_.]+)/([A-Za-z0-9_.$]+)")
_FOCUS_RE = re.compile(r"mCurrentFocus=Window\{[0-9a-fA-F]+ (?:u\d+ )?([A-Za-z0-9_.]+)/([A-Za-z0-9_.$]+)")


def parse_resumed_activity(text: str) -> tuple[str, str]:
    """(package, activity) of the resumed activity from ``dumpsys activity activities``
    (Android 6-9: mResumedActivity/mFocusedActivity; 10-11: mResumedActivity; 12+:
    topResumedActivity / ResumedActivity), or from ``dumpsys window``'s mCurrentFocus.
    ('', '') when none is shown (e.g. the screen is off)."""
    found: dict[str, tuple[str, str]] = {}
    for ln in text.splitlines():
        s = ln.strip()
        for key in _RESUMED_KEYS:
            if s.startswith(key + ":") or s.startswith(key + "="):
                m = _RECORD_RE.search(s)
                if m and key not in found:
                    found[key] = (m.group(1), m.group(2))
        if s.startswith("mCurrentFocus=") and "focus" not in found:
            m = _FOCUS_RE.search(s)
            if m:
                found["focus"] = (m.group(1), m.group(2))
    for key in (*_RESUMED_KEYS, "focus"):
        if key in found:
            pkg, cls = found[key]
            if cls.startswith("."):
                cls = pkg + cls
            return pkg, cls
    return "", ""


# --------------------------------------------------------------------------------------------
# A device
# --------------------------------------------------------------------------------------------


class AdbDevice:
    """One attached device, reached through an :class:`AdbClient`."""

    def __init__(self, client: AdbClient, serial: str) -> None:
        self.client = client
        self.serial = validate_serial(serial)
        self._props: dict[str, str] | None = None
        self._root: str | None = None  # "adbd" | "su0" | "su-c" | "" (none)

    # -- shell --------------------------------------------------------------------------------

    def adb(self, args: Sequence[str], *, timeout: float | None = None, check: bool = True) -> AdbResult:
        """Run a host-side adb command for this device (install, push, ...)."""
        return self.client.run(args, serial=self.serial, timeout=timeout, check=check)

    def shell(self, argv: Sequence[str], *, timeout: float | None = None, check: bool = True) -> AdbResult:
        """Run a command in the device shell. Arguments are quoted one by one; callers validate
        anything that came from outside (package, permission, path) before passing it."""
        return self.adb(["shell", shell_command(argv)], timeout=timeout, check=check)

    def shell_text(self, argv: Sequence[str], *, timeout: float | None = None, check: bool = True) -> str:
        return self.shell(argv, timeout=timeout, check=check).text

    def root_method(self) -> str:
        """How this device runs commands as root: 'adbd' (adb runs as root, e.g. emulator after
        'adb root'), 'su0' (AOSP su: su 0 cmd), 'su-c' (Magisk/SuperSU: su -c 'cmd'), or ''."""
        if self._root is None:
            method = ""
            if self.shell_text(["id", "-u"], check=False).strip() == "0":
                method = "adbd"
            elif self.shell_text(["su", "0", "id", "-u"], check=False, timeout=15).strip() == "0":
                method = "su0"
            elif self.shell_text(["su", "-c", "id -u"], check=False, timeout=15).strip() == "0":
                method = "su-c"
            self._root = method
        return self._root

    def root_shell(
        self, argv: Sequence[str], *, timeout: float | None = None, check: bool = True
    ) -> AdbResult:
        """Run a command as root; DeviceError in plain words when the device has no root."""
        method = self.root_method()
        if method == "adbd":
            return self.shell(argv, timeout=timeout, check=check)
        if method == "su0":
            return self.shell(["su", "0", *argv], timeout=timeout, check=check)
        if method == "su-c":
            return self.shell(["su", "-c", shell_command(argv)], timeout=timeout, check=check)
        raise DeviceError(
            f"{self.serial} has no root: use an emulator image without Google Play and run 'adb root', "
            "or a rooted phone (su); frida-server needs root"
        )

    # -- facts ----------------------------------------------------------------------------------

    def props(self, refresh: bool = False) -> dict[str, str]:
        if self._props is None or refresh:
            self._props = parse_getprop(self.shell_text(["getprop"], timeout=20))
        return self._props

    def getprop(self, name: str) -> str:
        return self.shell_text(["getprop", validate_prop_name(name)], timeout=20).strip()

    def api_level(self) -> int:
        value = self.props().get("ro.build.version.sdk", "")
        return int(value) if value.isdigit() else 0

    def abi(self) -> str:
        return self.props().get("ro.product.cpu.abi", "")

    def locale(self) -> str:
        p = self.props()
        for key in ("persist.sys.locale", "ro.product.locale"):
            if p.get(key):
                return p[key]
        lang = p.get("persist.sys.language", "") or p.get("ro.product.locale.language", "")
        region = p.get("persist.sys.country", "") or p.get("ro.product.locale.region", "")
        return f"{lang}-{region}" if lang and region else lang

    def is_emulator(self) -> bool:
        p = self.props()
        return (
            self.serial.startswith("emulator-")
            or p.get("ro.kernel.qemu") == "1"
            or p.get("ro.boot.qemu") == "1"
            or p.get("ro.hardware", "") in ("goldfish", "ranchu")
        )

    def info(self) -> DeviceInfo:
        p = self.props()
        return DeviceInfo(
            serial=self.serial,
            backend="adb",
            simulated=False,
            api_level=self.api_level(),
            abi=self.abi(),
            locale=self.locale(),
            model=p.get("ro.product.model", ""),
            emulator=self.is_emulator(),
            rooted=bool(self.root_method()),
            extra={
                "release": p.get("ro.build.version.release", ""),
                "manufacturer": p.get("ro.product.manufacturer", ""),
                "fingerprint": p.get("ro.build.fingerprint", "")[:200],
                "build_type": p.get("ro.build.type", ""),
                "root_method": self._root or "",
            },
        )

    # -- packages ------------------------------------------------------------------------------

    def install(self, apk: str | os.PathLike[str], *, downgrade: bool = False, test_apk: bool = True) -> None:
        """``adb install -r`` one APK. Never ``-g``: the app starts with no runtime permission,
        so the scenarios see every request the way a new user would."""
        path = validate_apk_path(apk)
        args = ["install", "-r"] + (["-d"] if downgrade else []) + (["-t"] if test_apk else [])
        self._check_install(self.adb([*args, str(path)], timeout=300, check=False), str(path))

    def install_multiple(
        self, apks: Sequence[str | os.PathLike[str]], *, downgrade: bool = False, test_apk: bool = True
    ) -> None:
        """``adb install-multiple -r`` a base APK and its splits (never ``-g``)."""
        if not apks:
            raise InputError("install_multiple needs at least one APK")
        paths = [str(validate_apk_path(a)) for a in apks]
        args = ["install-multiple", "-r"] + (["-d"] if downgrade else []) + (["-t"] if test_apk else [])
        self._check_install(self.adb([*args, *paths], timeout=600, check=False), ", ".join(paths))

    @staticmethod
    def _check_install(res: AdbResult, what: str) -> None:
        out = (res.text + "\n" + res.err).strip()
        if res.returncode == 0 and "Success" in out and "Failure" not in out:
            return
        m = re.search(r"(INSTALL_[A-Z_]+|Failure \[[^\]]*\])", out)
        reason = m.group(1) if m else (out[-300:] or f"exit code {res.returncode}")
        hint = ""
        if "INSTALL_FAILED_UPDATE_INCOMPATIBLE" in out:
            hint = ": uninstall the old version first (signatures differ)"
        elif "INSTALL_FAILED_NO_MATCHING_ABIS" in out:
            hint = ": the APK has no native code for this device's ABI; use a device of that ABI"
        elif "INSTALL_FAILED_VERSION_DOWNGRADE" in out:
            hint = ": a newer version is installed; uninstall it or allow a downgrade"
        elif "INSTALL_FAILED_INSUFFICIENT_STORAGE" in out:
            hint = ": free space on the device"
        raise DeviceError(f"installing {what} failed: {reason}{hint}")

    def uninstall(self, package: str) -> bool:
        """Uninstall; False when it was not installed."""
        res = self.adb(["uninstall", validate_package(package)], timeout=120, check=False)
        return "Success" in res.text

    def packages(self) -> list[str]:
        text = self.shell_text(["pm", "list", "packages"], timeout=60)
        return [ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("package:")]

    def is_installed(self, package: str) -> bool:
        validate_package(package)
        text = self.shell_text(["pm", "path", package], check=False, timeout=30)
        return any(ln.startswith("package:") for ln in text.splitlines())

    def clear(self, package: str) -> None:
        """``pm clear``: wipe data and reset runtime permissions and their user flags."""
        out = self.shell_text(["pm", "clear", validate_package(package)], check=False, timeout=60).strip()
        if "Success" not in out:
            raise DeviceError(f"pm clear {package} on {self.serial} failed: {out[:300] or 'no output'}")

    # -- permissions ---------------------------------------------------------------------------

    def dumpsys_package(self, package: str, user: int = 0) -> PackageDump:
        validate_package(package)
        dump = parse_dumpsys_package(
            self.shell_text(["dumpsys", "package", package], timeout=60), package, user
        )
        if not dump.found:
            raise DeviceError(f"package {package} is not installed on {self.serial}")
        return dump

    def permission_state(self, package: str) -> dict[str, str]:
        """Runtime-permission group -> state (see :func:`group_states`)."""
        return group_states(self.dumpsys_package(package), self.api_level())

    def settled_permission_state(
        self, package: str, *, timeout: float = 2.0, interval: float = 0.25, sleep: Callable[[float], None] = time.sleep
    ) -> dict[str, str]:
        """The permission state once it has settled after a tap on a permission dialog.

        The system writes the grant asynchronously (the permission controller's process hands it
        to the package manager), so one read straight after the tap can show the state from
        before it. Reads are repeated every ``interval`` seconds until two reads in a row agree,
        at most ``timeout / interval`` times; the last read is returned either way."""
        rounds = max(1, int(timeout / interval)) if interval > 0 else 1
        last = self.permission_state(package)
        for _ in range(rounds):
            sleep(interval)
            now = self.permission_state(package)
            if now == last:
                return now
            last = now
        return last

    def revoke(self, package: str, permission: str) -> None:
        res = self.shell(
            ["pm", "revoke", validate_package(package), validate_permission(permission)], check=False
        )
        out = (res.text + res.err).strip()
        if res.returncode != 0 or "Exception" in out or "Error" in out:
            raise DeviceError(f"pm revoke {package} {permission} failed: {out[:300]}")

    def reset_permissions(self, package: str) -> list[str]:
        """Revoke every runtime permission the package holds and, where ``pm`` has the command
        (``clear-permission-flags``: Android 13 and later; it is not in the shell command of
        Android 11 or 12), clear the 'user set / don't ask again' flags so the next request shows
        a dialog again. Returns the permissions touched. On older Android, ``clear`` (``pm
        clear``) is the way to reset the flags."""
        dump = self.dumpsys_package(package)
        touched: list[str] = []
        api = self.api_level()
        for name, entry in dump.runtime.items():
            if not group_of(name) or "SYSTEM_FIXED" in entry.flags or "POLICY_FIXED" in entry.flags:
                continue
            if entry.granted:
                self.revoke(package, name)
            if api >= CLEAR_FLAGS_API and (entry.user_set or entry.user_fixed):
                self.shell(
                    [
                        "pm",
                        "clear-permission-flags",
                        package,
                        validate_permission(name),
                        "user-set",
                        "user-fixed",
                    ],
                    check=False,
                )
            touched.append(name)
        return touched

    # -- processes and activities ---------------------------------------------------------------

    def foreground(self) -> tuple[str, str]:
        """(package, activity) in front, '' when unknown."""
        pkg, act = parse_resumed_activity(self.shell_text(["dumpsys", "activity", "activities"], timeout=30))
        if not pkg:
            pkg, act = parse_resumed_activity(self.shell_text(["dumpsys", "window", "windows"], timeout=30))
        return pkg, act

    def foreground_package(self) -> str:
        return self.foreground()[0]

    def pids(self, process: str) -> list[int]:
        """Pids of processes named exactly ``process`` (a package or 'package:suffix')."""
        base, sep, suffix = process.partition(":")
        validate_package(base)
        if sep and not re.fullmatch(r"[A-Za-z0-9_.]+", suffix):
            raise InputError(f"invalid process name {_show(process)}")
        res = self.shell(["pidof", process], check=False, timeout=20)
        if "not found" in (res.text + res.err):  # no pidof before Android 7: read ps
            args = ["ps", "-A"] if self.api_level() >= 26 else ["ps"]
            return parse_ps(self.shell_text(args, check=False, timeout=30), process)
        return parse_pidof(res.text)

    def is_alive(self, package: str) -> bool:
        return bool(self.pids(package))

    def force_stop(self, package: str) -> None:
        self.shell(["am", "force-stop", validate_package(package)], timeout=30)

    def launcher_activity(self, package: str) -> str:
        """'pkg/cls' of the launcher activity ('' when none or unknown; needs Android 7+)."""
        validate_package(package)
        res = self.shell(
            [
                "cmd",
                "package",
                "resolve-activity",
                "--brief",
                "-c",
                "android.intent.category.LAUNCHER",
                package,
            ],
            check=False,
            timeout=30,
        )
        for ln in reversed(res.text.splitlines()):
            s = ln.strip()
            if s.startswith(package + "/"):
                try:
                    return validate_component(s)
                except InputError:
                    return ""
        return ""

    def home_package(self) -> str:
        """The package of the home screen (the default HOME activity); '' when unknown (Android
        6 has no ``cmd package``, or several home apps with none chosen)."""
        res = self.shell(
            ["cmd", "package", "resolve-activity", "--brief", "-a", "android.intent.action.MAIN", "-c", "android.intent.category.HOME"],
            check=False,
            timeout=30,
        )
        for ln in reversed(res.text.splitlines()):
            pkg, sep, _cls = ln.strip().partition("/")
            if sep and pkg:
                try:
                    return validate_package(pkg)
                except InputError:
                    return ""
        return ""

    def launch(self, package: str) -> None:
        """Start the launcher activity as a user tap on the icon would."""
        component = self.launcher_activity(package)
        if component:
            res = self.shell(
                [
                    "am",
                    "start",
                    "-a",
                    "android.intent.action.MAIN",
                    "-c",
                    "android.intent.category.LAUNCHER",
                    "-n",
                    component,
                ],
                check=False,
                timeout=60,
            )
            out = res.text + res.err
            if "Error" not in out and "Exception" not in out:
                return
        res = self.shell(
            ["monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1"], check=False, timeout=60
        )
        out = res.text + res.err
        if "No activities found" in out or "monkey aborted" in out or "Error" in out:
            raise DeviceError(
                f"could not launch {package} on {self.serial}: no launcher activity ({out.strip()[:200]})"
            )

    def home(self) -> None:
        self.shell(["input", "keyevent", "KEYCODE_HOME"], timeout=20)

    def back(self) -> None:
        self.shell(["input", "keyevent", "KEYCODE_BACK"], timeout=20)

    def tap(self, x: int, y: int) -> None:
        if not (isinstance(x, int) and isinstance(y, int)) or x < 0 or y < 0:
            raise InputError(f"invalid tap position ({_show(x)}, {_show(y)})")
        self.shell(["input", "tap", str(x), str(y)], timeout=20)

    # -- files -----------------------------------------------------------------------------------

    def screenshot(self, path: str | os.PathLike[str]) -> bool:
        """Write a PNG of the screen (``exec-out screencap -p``); False when it is not a PNG
        (e.g. a secure window)."""
        data = self.adb(["exec-out", "screencap -p"], timeout=60).stdout
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            return False
        Path(path).write_bytes(data)
        return True

    def push(self, local: str | os.PathLike[str], remote: str) -> None:
        src = Path(local)
        if not src.is_file():
            raise InputError(f"file to push not found: {_show(str(local))}")
        self.adb(["push", str(src.resolve()), validate_device_path(remote)], timeout=300)

    def pull(self, remote: str, local: str | os.PathLike[str]) -> None:
        self.adb(["pull", validate_device_path(remote), str(Path(local).resolve())], timeout=300)

    def chmod(self, remote: str, mode: str = "755") -> None:
        if not re.fullmatch(r"[0-7]{3,4}", mode):
            raise InputError(f"invalid file mode {_show(mode)}")
        self.shell(["chmod", mode, validate_device_path(remote)], timeout=20)

    # -- logcat ----------------------------------------------------------------------------------

    def logcat_argv(self, buffers: Sequence[str] = ("events",), since: str = "") -> list[str]:
        """Host argv of a streaming logcat on the given buffers, from ``since`` (device time
        'MM-DD hh:mm:ss.mmm') or else from the newest line on."""
        for b in buffers:
            if b not in ("events", "main", "system", "crash", "radio"):
                raise InputError(f"unknown logcat buffer {_show(b)}")
        if since and not _LOGCAT_TIME_RE.fullmatch(since):
            raise InputError(f"invalid logcat start time {_show(since)}: expected 'MM-DD hh:mm:ss.mmm'")
        start = since or "1"
        return self.client.argv(
            ["logcat", "-b", ",".join(buffers), "-v", "threadtime", "-T", start], self.serial
        )

    def device_time(self) -> str:
        """The device clock as logcat prints it ('MM-DD hh:mm:ss.000'); '' when unreadable."""
        text = self.shell_text(["date", "+%m-%d %H:%M:%S"], check=False, timeout=20).strip()
        return f"{text}.000" if _LOGCAT_TIME_RE.fullmatch(f"{text}.000") else ""

    def logcat(self, package: str, *, raw_path: str | os.PathLike[str] | None = None, include_subprocesses: bool = False) -> LogcatCapture:
        """A logcat capture for ``package`` from now on (call ``start(emit, clock)`` on it).
        Only system_server may write the tracked events (see :class:`LogcatParser`).
        ``include_subprocesses``: also the package's ``pkg:name`` processes (their events say
        ``process=pkg:name`` in ``cause``)."""
        validate_package(package)
        trusted = self.pids_of_system_server()
        argv = self.logcat_argv(since=self.device_time())
        env = self.client.env()

        def popen() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env
            )

        return LogcatCapture(package, popen, trusted_pids=trusted, raw_path=raw_path, include_subprocesses=include_subprocesses)

    def pids_of_system_server(self) -> frozenset[int]:
        res = self.shell(["pidof", "system_server"], check=False, timeout=20)
        return frozenset(parse_pidof(res.text))


# --------------------------------------------------------------------------------------------
# logcat events -> AppState
# --------------------------------------------------------------------------------------------

_MAX_LINE = 8192
_THREADTIME_RE = re.compile(
    r"^\s*(?:\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+|\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+|\d+\.\d+)\s+"
    r"(?P<pid>\d+)\s+(?P<tid>\d+)\s+(?P<level>[VDIWEFS])\s+(?P<tag>[A-Za-z0-9_.\-]+)\s*:\s?(?P<msg>.*)$"
)
_BRIEF_RE = re.compile(
    r"^(?P<level>[VDIWEFS])/(?P<tag>[A-Za-z0-9_.\-]+)\s*\(\s*(?P<pid>\d+)\):\s?(?P<msg>.*)$"
)

def overlay_packages() -> frozenset[str]:
    """Packages whose activities sit on top of the app (runtime-permission dialogs, AOSP and OEM
    skins) without sending it to the background, so resuming them is not a background
    transition. The one list is the consent-UI recogniser's (``packages.permission`` in
    harness/consent_ui/lexicon.yaml)."""
    from harness.consent_ui.lexicon import lexicon

    return lexicon().permission_packages


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One parsed line of the events buffer: writer pid, tag and the list fields."""

    pid: int
    tag: str
    fields: tuple[str, ...]
    raw: str


def parse_event_line(line: str) -> LogEvent | None:
    """Parse an events-buffer line in threadtime, epoch or brief format; None for anything
    else (or an oversized line)."""
    if len(line) > _MAX_LINE:
        return None
    line = line.rstrip("\r\n")
    m = _THREADTIME_RE.match(line) or _BRIEF_RE.match(line)
    if m is None:
        return None
    msg = m.group("msg").strip()
    if msg.startswith("[") and msg.endswith("]"):
        fields = tuple(msg[1:-1].split(","))  # unstripped: free-text fields keep ", " inside
    else:
        fields = (msg,)
    return LogEvent(pid=int(m.group("pid")), tag=m.group("tag"), fields=fields, raw=line)


def _int(text: str) -> int:
    return int(text) if text.strip().lstrip("-").isdigit() else 0


#: Tags that say an activity came to the front, and the index of its component in the fields.
#: Android 6-8 log a newly started activity as ``am_restart_activity`` (not ``am_resume_activity``,
#: which is only for an activity resumed again) and the focus change as ``am_focused_activity``;
#: Android 9-10 add ``am_set_resumed_activity``; from Android 11 the activity tags are written by
#: the window manager with a ``wm_`` prefix.
_FRONT_TAGS = {
    "am_set_resumed_activity": 1,
    "wm_set_resumed_activity": 1,
    "am_focused_activity": 1,
    "am_resume_activity": 3,
    "wm_resume_activity": 3,
    "am_restart_activity": 3,
    "wm_restart_activity": 3,
}

_TRACKED_TAGS = frozenset({"am_proc_start", "am_proc_died", "am_crash", "am_anr", "am_kill", *_FRONT_TAGS})


class LogcatParser:
    """Turns events-buffer lines into AppState events for one package.

    Field layouts (from the platform's event-log-tags; the parser tolerates the older, shorter
    forms): ``am_proc_start [user,pid,uid,process,type,component]``, ``am_proc_died
    [user,pid,process(,oom_adj,proc_state)]``, ``am_crash [pid,user,process,flags,exception,
    message,file,line(,recoverable)]`` (the message may contain commas), ``am_anr
    [user,pid,package,flags,reason]``, ``am_kill [user,pid,process,oom_adj,reason(,rss)]``,
    ``wm_set_resumed_activity``/``am_set_resumed_activity [user,component,reason]``,
    ``am_focused_activity [user,component(,reason)]`` (Android 6-8) and
    ``am_resume_activity``/``am_restart_activity`` (``wm_`` from Android 11)
    ``[user,token,task,component]``.

    Apps can write to the events buffer too, so when the pids of system_server are known
    (``trusted_pids``) lines with these tags from any other writer are ignored and reported
    once as an ErrorRecord (spoofing attempt).
    """

    def __init__(
        self, package: str, *, trusted_pids: frozenset[int] = frozenset(), include_subprocesses: bool = False
    ) -> None:
        self.package = validate_package(package)
        self.trusted_pids = trusted_pids
        self.include_subprocesses = include_subprocesses
        self.overlays = overlay_packages()
        self.visible = False
        self._kill_reason: dict[int, str] = {}
        self._crashed: dict[int, str] = {}
        self.spoofed = 0

    def _ours(self, process: str) -> bool:
        if process == self.package:
            return True
        return self.include_subprocesses and process.startswith(self.package + ":")

    def _cause(self, base: str, process: str) -> str:
        """``base``, plus the process name when the event is about a sub-process."""
        return base if process == self.package else f"{base} process={process}".strip()

    def feed(self, line: str, t: float) -> list[Event]:
        ev = parse_event_line(line)
        if ev is None or ev.tag not in _TRACKED_TAGS:
            return []
        if self.trusted_pids and ev.pid not in self.trusted_pids:
            self.spoofed += 1
            if self.spoofed == 1:
                return [
                    ErrorRecord(
                        t=t,
                        source="logcat",
                        where="logcat",
                        message=f"ignored {ev.tag} lines not written by system_server (first from pid {ev.pid})",
                    )
                ]
            return []
        raw = ev.fields  # for free text (messages, reasons) that may contain commas
        f = tuple(x.strip() for x in raw)
        tag = ev.tag
        if tag == "am_proc_start" and len(f) >= 5:
            process = f[3]
            if not self._ours(process):
                return []
            pid = _int(f[1])
            self._kill_reason.pop(pid, None)
            self._crashed.pop(pid, None)
            component = f[5].strip("{}") if len(f) > 5 else ""
            return [
                AppState(
                    t=t,
                    source="logcat",
                    state="started",
                    package=self.package,
                    pid=pid,
                    cause=self._cause(f[4], process),
                    activity=component[:300],
                )
            ]
        if tag == "am_kill" and len(f) >= 3:
            if self._ours(f[2]):
                parts = raw[4:-1] if len(f) > 5 and f[-1].isdigit() else raw[4:]  # trailing rss (13+)
                self._kill_reason[_int(f[1])] = ",".join(parts).strip()[:300]
            return []
        if tag == "am_proc_died" and len(f) >= 3:
            process = f[2]
            if not self._ours(process):
                return []
            pid = _int(f[1])
            if pid in self._crashed:
                cause = "crash: " + self._crashed.pop(pid)
            elif pid in self._kill_reason:
                cause = "killed: " + self._kill_reason.pop(pid)
            else:
                cause = ""
            if process == self.package:
                self.visible = False
            return [
                AppState(
                    t=t,
                    source="logcat",
                    state="died",
                    package=self.package,
                    pid=pid,
                    cause=self._cause(cause, process),
                )
            ]
        if tag == "am_crash" and len(f) >= 5:
            process = f[2]
            if not self._ours(process):
                return []
            pid = _int(f[0])
            rest = raw[5:]
            if len(rest) >= 4 and rest[-1].strip().isdigit() and rest[-2].strip().isdigit():
                rest = rest[:-1]  # drop 'recoverable' (Android 10+)
            message = (",".join(rest[:-2]) if len(rest) >= 3 else ",".join(rest)).strip()
            summary = f"{f[4]}: {message}".strip(": ")[:500]
            self._crashed[pid] = f[4][:200]
            return [
                AppState(
                    t=t,
                    source="logcat",
                    state="crashed",
                    package=self.package,
                    pid=pid,
                    cause=self._cause(summary, process),
                )
            ]
        if tag == "am_anr" and len(f) >= 3:
            process = f[2]
            if not self._ours(process):
                return []
            reason = ",".join(raw[4:]).strip()[:500] if len(f) > 4 else ""
            return [
                AppState(
                    t=t,
                    source="logcat",
                    state="anr",
                    package=self.package,
                    pid=_int(f[1]),
                    cause=self._cause(reason, process),
                )
            ]
        component = ""
        at = _FRONT_TAGS.get(tag, -1)
        if 0 <= at < len(f) and "/" in f[at]:
            component = f[at]
        if component:
            pkg, _, cls = component.partition("/")
            if cls.startswith("."):
                cls = pkg + cls
            if pkg == self.package and not self.visible:
                self.visible = True
                return [
                    AppState(
                        t=t, source="logcat", state="foreground", package=self.package, activity=cls[:300]
                    )
                ]
            if pkg != self.package and self.visible and pkg not in self.overlays:
                self.visible = False
                return [
                    AppState(
                        t=t,
                        source="logcat",
                        state="background",
                        package=self.package,
                        cause=f"resumed {pkg}"[:300],
                    )
                ]
        return []


class LogcatCapture:
    """Streams a logcat process into the timeline: ``start(emit, clock)`` spawns it and a reader
    thread that parses each line (:class:`LogcatParser`) and emits AppState events stamped with
    ``clock()``; ``stop()`` ends the process and thread and never raises. ``raw_path`` keeps a
    copy of the raw lines (capped at ``raw_limit`` bytes) as an artifact."""

    name = "logcat"

    def __init__(
        self,
        package: str,
        popen: Callable[[], subprocess.Popen[bytes]],
        *,
        trusted_pids: frozenset[int] = frozenset(),
        include_subprocesses: bool = False,
        raw_path: str | os.PathLike[str] | None = None,
        raw_limit: int = 64 * 1024 * 1024,
    ) -> None:
        self.parser = LogcatParser(
            package, trusted_pids=trusted_pids, include_subprocesses=include_subprocesses
        )
        self._popen = popen
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._raw_path = Path(raw_path) if raw_path else None
        self._raw_limit = raw_limit
        self._stopping = threading.Event()
        self.lines = 0
        self.errors: list[str] = []

    def start(self, emit: Callable[[Sequence[Event]], None], clock: Callable[[], float]) -> None:
        if self._proc is not None:
            raise DeviceError("logcat capture already started")
        try:
            self._proc = self._popen()
        except OSError as exc:
            raise DeviceError(f"could not start logcat: {exc}") from exc
        stdout = self._proc.stdout
        if stdout is None:
            raise DeviceError("logcat process has no output pipe")
        self._thread = threading.Thread(
            target=self._read, args=(stdout, emit, clock), name="logcat", daemon=True
        )
        self._thread.start()

    def _lines(self, stream: IO[bytes]) -> Iterator[bytes]:
        while not self._stopping.is_set():
            chunk = stream.readline(_MAX_LINE + 1)
            if not chunk:
                return
            if len(chunk) > _MAX_LINE and not chunk.endswith(b"\n"):
                # oversized line: drop it up to its end
                while chunk and not chunk.endswith(b"\n"):
                    chunk = stream.readline(_MAX_LINE + 1)
                continue
            yield chunk

    def _read(
        self, stream: IO[bytes], emit: Callable[[Sequence[Event]], None], clock: Callable[[], float]
    ) -> None:
        raw = None
        written = 0
        try:
            if self._raw_path is not None:
                raw = self._raw_path.open("ab")
            for chunk in self._lines(stream):
                self.lines += 1
                if raw is not None and written + len(chunk) <= self._raw_limit:
                    raw.write(chunk)
                    written += len(chunk)
                events = self.parser.feed(chunk.decode("utf-8", errors="replace"), clock())
                if events:
                    emit(events)
        except Exception as exc:  # the reader must never take the run down
            self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
        finally:
            if raw is not None:
                raw.close()

    def stop(self) -> None:
        self._stopping.set()
        proc = self._proc
        try:
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=3)
        except Exception as exc:
            self.errors.append(f"stop: {exc}"[:300])
        if self._thread is not None:
            self._thread.join(timeout=3)
        if proc is not None and proc.stdout is not None:
            try:
                proc.stdout.close()
            except Exception:
                pass

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the logcat process has ended and every line is parsed (tests, replays)."""
        deadline = time.monotonic() + timeout
        while self._thread is not None and self._thread.is_alive() and time.monotonic() < deadline:
            self._thread.join(timeout=0.05)
        return self._thread is None or not self._thread.is_alive()
