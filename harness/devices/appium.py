"""The Appium backend: the Driver protocol through an Appium server (appium-python-client).

On devices this is the UiAutomator2 driver (``platformName: Android``, ``automationName:
UiAutomator2``); both are configurable, which is how the tests run it against Appium's own
fake driver. The page source is what :meth:`AppiumDriver.hierarchy` returns; the consent-UI
recogniser reads both the uiautomator dump dialect and the UiAutomator2 page-source dialect.

Android actions use the UiAutomator2 ``mobile:`` methods: activateApp, terminateApp, clearApp,
queryAppState, getCurrentPackage, getPermissions, installApp (``grantPermissions: false``),
pressKey (HOME), deviceInfo. Permission state comes from adb when the device is attached to
this host (it knows "don't ask again"), else from ``mobile: getPermissions``.

Never consents on the user's behalf: ``appium:autoGrantPermissions`` is always sent as false,
and capabilities asking for auto-grant or for alerts to be accepted/dismissed automatically are
refused with an InputError. How much is reset between sessions is the scenario's choice
(``reset``: none | clear | full -> noReset / default / fullReset).

:class:`LocalAppiumServer` starts an Appium server from a folder with a pinned install
(``tools/appium``) on 127.0.0.1 and a free port; tests and CI use it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from harness.catalog.permissions import group_of
from harness.devices.adb import AdbClient, AdbDevice, validate_package
from harness.devices.apk import apk_files, read_manifest
from harness.devices.base import DeviceInfo
from harness.errors import DeviceError, HarnessError, InputError

__all__ = [
    "AppiumConfig",
    "AppiumDriver",
    "LocalAppiumServer",
    "FORBIDDEN_CAPABILITIES",
    "RESET_MODES",
    "server_status",
    "validate_url",
]

_T = TypeVar("_T")

RESET_MODES = ("none", "clear", "full")

#: Capabilities that would let Appium decide a consent question for the user, and the only
#: value the harness allows for each.
FORBIDDEN_CAPABILITIES: dict[str, bool] = {
    "autoGrantPermissions": False,
    "autoAcceptAlerts": False,
    "autoDismissAlerts": False,
}

_APP_STATE_RUNNING = 2  # queryAppState: 0 not installed, 1 not running, 2-3 background, 4 foreground


def validate_url(url: str) -> str:
    """An http(s) URL of an Appium server, without trailing slash."""
    parsed = urllib.parse.urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname or len(url) > 500:
        raise InputError(f"invalid Appium server URL {url!r}: expected e.g. http://127.0.0.1:4723")
    return url.rstrip("/")


def server_status(url: str, timeout: float = 3.0) -> dict[str, Any]:
    """GET ``<url>/status``; the ``value`` object (``ready``, ``build``). DeviceError in plain
    words when nothing answers there."""
    base = validate_url(url)
    try:
        with urllib.request.urlopen(f"{base}/status", timeout=timeout) as resp:
            body = resp.read(1_000_000)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeviceError(
            f"no Appium server answers at {base} ({reason}): start one with 'appium server --port <port>' "
            "or pass the right --appium URL"
        ) from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise DeviceError(f"{base}/status did not return JSON: is this an Appium server?") from exc
    value = data.get("value") if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise DeviceError(f"{base}/status returned no status object: is this an Appium server?")
    return value


@dataclass(frozen=True, slots=True)
class AppiumConfig:
    """What the backend asks the Appium server for.

    ``app`` is an APK path (or, with the fake driver, its XML app); ``app_package`` /
    ``app_activity`` select an installed app instead. ``extra`` adds capabilities (names
    without the ``appium:`` prefix are prefixed); it cannot switch auto-grant/auto-accept on."""

    platform_name: str = "Android"
    automation_name: str = "UiAutomator2"
    udid: str = ""
    app: str = ""
    app_package: str = ""
    app_activity: str = ""
    reset: str = "none"
    new_command_timeout: int = 600
    extra: Mapping[str, Any] = field(default_factory=dict)

    def capabilities(self) -> dict[str, Any]:
        """The W3C capabilities to send (vendor ones prefixed ``appium:``)."""
        if self.reset not in RESET_MODES:
            raise InputError(f"invalid reset mode {self.reset!r}: expected one of {', '.join(RESET_MODES)}")
        caps: dict[str, Any] = {
            "platformName": self.platform_name,
            "appium:automationName": self.automation_name,
            "appium:newCommandTimeout": int(self.new_command_timeout),
        }
        if self.udid:
            caps["appium:udid"] = self.udid
        if self.app:
            caps["appium:app"] = self.app
        if self.app_package:
            caps["appium:appPackage"] = validate_package(self.app_package)
        if self.app_activity:
            caps["appium:appActivity"] = self.app_activity
        if self.reset == "none":
            caps["appium:noReset"] = True
        elif self.reset == "clear":
            caps["appium:noReset"] = False
            caps["appium:fullReset"] = False
        else:
            caps["appium:fullReset"] = True
        for key, value in self.extra.items():
            name = key if key == "platformName" or ":" in key else f"appium:{key}"
            caps[name] = value
        for key, allowed in FORBIDDEN_CAPABILITIES.items():
            for name in (key, f"appium:{key}"):
                if name in caps and caps[name] is not allowed:
                    raise InputError(
                        f"capability {name}={caps[name]!r} is not allowed: the harness never lets a driver "
                        "grant permissions or answer dialogs on the user's behalf"
                    )
                caps.pop(name, None)
            caps[f"appium:{key}"] = allowed
        return caps


class AppiumDriver:
    """Driver protocol over an Appium session (opened on construction)."""

    backend = "appium"
    simulated = False

    def __init__(
        self,
        url: str,
        *,
        serial: str | None = None,
        config: AppiumConfig | None = None,
        adb: AdbClient | None = None,
        use_adb: bool | None = None,
    ) -> None:
        from appium import webdriver
        from appium.options.common.base import AppiumOptions

        self.url = validate_url(url)
        cfg = config or AppiumConfig()
        if serial and not cfg.udid:
            cfg = AppiumConfig(**{**_fields(cfg), "udid": serial})
        self.config = cfg
        self.serial = cfg.udid
        self.sent_capabilities = cfg.capabilities()
        #: adb handle on the same device when it is attached to this host (logcat, exact
        #: permission state); None for a remote device or the fake driver
        self.adb: AdbDevice | None = None
        self._home: str | None = None
        if self.serial and use_adb is not False:
            try:
                self.adb = (adb or AdbClient()).device(self.serial)
            except HarnessError:
                if use_adb:
                    raise
                self.adb = None
        options = AppiumOptions()
        options.load_capabilities(self.sent_capabilities)
        server_status(self.url)
        try:
            self.webdriver: Any = webdriver.Remote(self.url, options=options)
        except Exception as exc:
            raise DeviceError(f"Appium could not open a session at {self.url}: {_first_line(exc)}") from exc
        self._t0 = time.monotonic()
        self._closed = False

    # -- helpers --------------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], _T]) -> _T:
        if self._closed:
            raise DeviceError("Appium session is closed")
        try:
            return fn()
        except HarnessError:
            raise
        except Exception as exc:
            raise DeviceError(f"Appium {what} failed: {_first_line(exc)}") from exc

    def mobile(self, method: str, args: Mapping[str, Any] | None = None) -> Any:
        """Run a ``mobile: <method>`` extension command."""
        return self._call(
            f"mobile: {method}", lambda: self.webdriver.execute_script(f"mobile: {method}", dict(args or {}))
        )

    @property
    def session_capabilities(self) -> dict[str, Any]:
        """The capabilities the server reported back for this session."""
        return dict(self.webdriver.capabilities or {})

    # -- Driver protocol ---------------------------------------------------------------------------

    def info(self) -> DeviceInfo:
        if self.adb is not None:
            base = self.adb.info()
            return DeviceInfo(**{**_fields(base), "backend": self.backend, "extra": dict(base.extra)})
        caps = self.session_capabilities
        try:
            dev = self.mobile("deviceInfo")
        except DeviceError:
            dev = {}
        dev = dev if isinstance(dev, dict) else {}
        api = str(dev.get("apiVersion") or caps.get("deviceApiLevel") or "")
        return DeviceInfo(
            serial=self.serial or str(caps.get("deviceUDID") or caps.get("udid") or ""),
            backend=self.backend,
            simulated=False,
            api_level=int(api) if api.isdigit() else 0,
            locale=str(dev.get("locale") or "")[:40],
            model=str(dev.get("model") or caps.get("deviceModel") or "")[:100],
            extra={
                "platform_version": str(dev.get("platformVersion") or caps.get("platformVersion") or "")[:40],
                "automation_name": self.config.automation_name,
                "appium_url": self.url,
            },
        )

    def now(self) -> float:
        return time.monotonic() - self._t0

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def install(self, app: str) -> str:
        """Install an APK through the server, ``grantPermissions: false``; returns the package."""
        base, splits = apk_files(app)
        if splits:
            raise InputError(f"{app}: split APKs are installed with the u2 backend (adb install-multiple)")
        package = validate_package(read_manifest(base).package)
        self.mobile(
            "installApp", {"appPath": str(Path(base).resolve()), "grantPermissions": False, "replace": True}
        )
        return package

    def launch(self, package: str) -> None:
        self.mobile("activateApp", {"appId": validate_package(package)})

    def stop(self, package: str) -> None:
        self.mobile("terminateApp", {"appId": validate_package(package)})

    def clear_data(self, package: str) -> None:
        self.mobile("clearApp", {"appId": validate_package(package)})

    def hierarchy(self) -> str:
        return str(self._call("page source", lambda: self.webdriver.page_source))

    def tap(self, x: int, y: int) -> None:
        if not (isinstance(x, int) and isinstance(y, int)) or x < 0 or y < 0:
            raise InputError(f"invalid tap position ({x!r}, {y!r})")
        self._call("tap", lambda: self.webdriver.tap([(x, y)]))

    def back(self) -> None:
        self._call("back", lambda: self.webdriver.back())

    def home(self) -> None:
        self.mobile("pressKey", {"keycode": 3})

    @property
    def launcher_package(self) -> str:
        """The home screen's package, through adb when attached ('' when unknown), read once."""
        if self._home is None:
            self._home = ""
            if self.adb is not None:
                try:
                    self._home = self.adb.home_package()
                except HarnessError:
                    self._home = ""
        return self._home

    def screenshot(self, path: str) -> bool:
        data = self._call("screenshot", lambda: self.webdriver.get_screenshot_as_png())
        if not isinstance(data, bytes) or not data.startswith(b"\x89PNG"):
            return False
        Path(path).write_bytes(data)
        return True

    def foreground_package(self) -> str:
        value = self.mobile("getCurrentPackage")
        return value if isinstance(value, str) else ""

    def is_running(self, package: str) -> bool:
        state = self.mobile("queryAppState", {"appId": validate_package(package)})
        return isinstance(state, int) and state >= _APP_STATE_RUNNING

    def permission_state(self, package: str) -> dict[str, str]:
        """Group -> state; from adb when the device is local (exact, incl. "don't ask again"),
        else from ``mobile: getPermissions`` (granted/denied only)."""
        validate_package(package)
        if self.adb is not None:
            return self.adb.settled_permission_state(package)
        requested = self.mobile("getPermissions", {"type": "requested", "appPackage": package}) or []
        granted = set(self.mobile("getPermissions", {"type": "granted", "appPackage": package}) or [])
        out: dict[str, str] = {}
        for perm in requested if isinstance(requested, list) else []:
            group = group_of(str(perm))
            if group:
                if perm in granted:
                    out[group] = "granted"
                else:
                    out.setdefault(group, "denied")
        return out

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.webdriver.quit()
        except Exception:
            pass

    # -- extras (not in the protocol) ------------------------------------------------------------

    def click_by_id(self, resource_id: str) -> None:
        """Find a control by resource id (UiAutomator2 'id' strategy) and click it."""
        from appium.webdriver.common.appiumby import AppiumBy

        el = self._call(
            f"find {resource_id!r}", lambda: self.webdriver.find_element(AppiumBy.ID, resource_id)
        )
        self._call(f"click {resource_id!r}", el.click)

    def has_id(self, resource_id: str) -> bool:
        from appium.webdriver.common.appiumby import AppiumBy

        found = self._call("find", lambda: self.webdriver.find_elements(AppiumBy.ID, resource_id))
        return bool(found)


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    return str(text).strip().splitlines()[0][:300] if str(text).strip() else type(exc).__name__


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalAppiumServer:
    """An Appium server run from a folder holding a pinned install (``node_modules/.bin/appium``,
    with APPIUM_HOME set to that folder), on 127.0.0.1 and a free port. Use as a context
    manager or call ``start()``/``stop()``."""

    def __init__(
        self,
        home: str | os.PathLike[str],
        *,
        drivers: Sequence[str] = ("uiautomator2",),
        plugins: Sequence[str] = (),
        log_path: str | os.PathLike[str] | None = None,
        port: int | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.home = Path(home).resolve()
        self.binary = self.home / "node_modules" / ".bin" / "appium"
        self.drivers = tuple(drivers)
        self.plugins = tuple(plugins)
        self.log_path = Path(log_path) if log_path else None
        self.port = port or _free_port()
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalAppiumServer:
        if not self.binary.exists():
            raise DeviceError(
                f"Appium is not installed in {self.home}: run {self.home / 'setup.sh'} (npm ci from the lock file)"
            )
        argv = [
            str(self.binary),
            "server",
            "--address",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-no-colors",
        ]
        if self.drivers:
            argv += ["--use-drivers", ",".join(self.drivers)]
        if self.plugins:
            argv += ["--use-plugins", ",".join(self.plugins)]
        if self.log_path:
            argv += ["--log", str(self.log_path)]
        env = dict(os.environ, APPIUM_HOME=str(self.home))
        self.proc = subprocess.Popen(
            argv,
            cwd=self.home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DeviceError(f"Appium server exited with code {self.proc.returncode} while starting")
            try:
                if server_status(self.url, timeout=1.0).get("ready"):
                    return self
            except DeviceError:
                pass
            time.sleep(0.05)
        self.stop()
        raise DeviceError(f"Appium server did not become ready within {self.startup_timeout:g}s")

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def __enter__(self) -> LocalAppiumServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- the device kind (harness.devices.kinds) -----------------------------------------------------
def _kind() -> Any:
    from harness.devices import android
    from harness.devices.kinds import DeviceRequest, DoctorCheck, register_kind

    def open_driver(request: DeviceRequest) -> Any:
        return AppiumDriver(request.appium_url, serial=request.device)

    def doctor(request: DeviceRequest) -> list[DoctorCheck]:
        url = request.appium_url
        if not url:
            return [DoctorCheck("Appium server", "skip", "not checked (no --appium URL given)", needed=False)]
        try:
            status = server_status(url)
        except HarnessError as exc:
            fix = "start it (appium server --address 127.0.0.1 --port 4723) with the uiautomator2 driver installed, then pass --appium http://127.0.0.1:4723"
            return [DoctorCheck("Appium server", "fail", str(exc), fix)]
        build = status.get("build", {})
        version = build.get("version", "?") if isinstance(build, dict) else "?"
        if status.get("ready", True):
            return [DoctorCheck("Appium server", "ok", f"{url} answers (Appium {version})")]
        return [DoctorCheck("Appium server", "fail", f"{url} answers but is not ready", "wait, or restart it")]

    return register_kind(
        android.android_kind(
            AppiumDriver.backend,
            "a real device or emulator driven through an Appium server (--appium URL)",
            lambda request: bool(request.appium_url),
            open_driver,
            doctor,
        ),
        replace=True,
    )


KIND = _kind()
