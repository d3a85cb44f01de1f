"""The ``web`` device: a real Chromium (Debian's, by its executable path; nothing is downloaded)
driven through Playwright, showing an H5 page the way an in-app browser on a phone would.

- Mobile emulation: viewport, touch, device scale 1 (so hierarchy bounds are CSS pixels), the
  locale, and the user agent of an in-app browser (``wechat``, ``alipay``) or plain mobile Chrome.
- Nothing is granted in advance: no permission is given to the page by the harness.
- The page sees a user's browser: ``navigator.webdriver`` is false (CMP libraries hide their
  banner from automated browsers, so the harness would otherwise never meet it).
- ``hierarchy()`` turns the visible DOM into uiautomator-format XML (``dom_to_xml.js``), so the
  one bounded screen parser, the consent-UI recogniser, the steps and the detectors read a page
  as they read an Android screen.
- The page's own calls are recorded by the ``web`` event source (``source.py``).

The driver's clock is real time; ``sleep`` lets Playwright process the page's events.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from harness.devices.base import DeviceInfo
from harness.errors import DeviceError, InputError

__all__ = ["WebDriver", "USER_AGENTS", "chromium_path", "package_for_url", "check_url"]

USER_AGENTS = {
    "chrome": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
    "wechat": "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.188 Mobile Safari/537.36 XWEB/1260117 MMWEBSDK/20240501 MicroMessenger/8.0.50.2701(0x28003253) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
    "alipay": "Mozilla/5.0 (Linux; U; Android 14; zh-CN; Pixel 8 Build/UQ1A.240205.004) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.188 Mobile Safari/537.36 UCBS/3.22.2.62 AlipayDefined(nt:WIFI,ws:412|915|2.625) AliApp(AP/10.6.10.9000) AlipayClient/10.6.10.9000 Language/zh-Hans",
}

_LOAD_TIMEOUT_MS = 20_000
#: The page sees a user's browser, not an automated one (navigator.webdriver is false): consent
#: banners of widely used CMP libraries are not shown to automation ("hide from bots"), so an
#: automated browser would never meet the banner a user meets.
_AS_A_USER = ("--disable-blink-features=AutomationControlled",)


@lru_cache(maxsize=1)
def _dom_to_xml_js() -> str:
    """The DOM-to-hierarchy script, read once (it runs at every screen read)."""
    return resources.files("harness.devices.web").joinpath("dom_to_xml.js").read_text(encoding="utf-8")


def chromium_path() -> str:
    """Chromium's executable: CONSENT_HARNESS_CHROMIUM, else chromium on PATH (Debian)."""
    env = os.environ.get("CONSENT_HARNESS_CHROMIUM", "")
    found = env or shutil.which("chromium") or shutil.which("chromium-browser") or ""
    if not found:
        raise DeviceError("the web device needs Chromium: apt-get install chromium (or set CONSENT_HARNESS_CHROMIUM)")
    return found


def check_url(url: str) -> str:
    """An http(s) URL with a host; InputError for anything else (file:, javascript:, data: ...)."""
    if len(url) > 4000:
        raise InputError("URL longer than 4000 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError(f"the web device opens http and https URLs only, not {parts.scheme or 'a bare path'}: {url[:120]!r}")
    if not parts.hostname:
        raise InputError(f"URL without a host: {url[:120]!r}")
    return url


def package_for_url(url: str) -> str:
    """A package-like name for a page: its host read backwards (order.example.cn -> cn.example.order),
    so the app's own domain is found the way it is for an Android package."""
    host = (urlsplit(url).hostname or "page").lower()
    labels = [re.sub(r"[^a-z0-9_]", "_", p) for p in host.split(".") if p]
    labels = [p if p[:1].isalpha() else "x" + p for p in reversed(labels)] or ["page"]
    if len(labels) < 2:
        labels = ["web", *labels]
    return ".".join(labels)[:200]


class WebDriver:
    """Implements the Driver protocol over Playwright and a real Chromium."""

    backend = "web"
    simulated = False

    def __init__(self, *, browser: str = "wechat", locale: str = "zh-CN", headless: bool = True) -> None:
        if browser not in USER_AGENTS:
            raise InputError(f"unknown in-app browser {browser[:40]!r} (known: {', '.join(USER_AGENTS)})")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise DeviceError("the web device needs Playwright: pip install 'consent-harness[web]'") from exc
        self.browser_kind = browser
        self.locale = locale
        self._pw = sync_playwright().start()
        try:
            from harness.devices.web.pages import HOST_RULES

            # host names under .test (reserved, never real) are the reference pages' parties:
            # they resolve to loopback, so nothing a reference page loads leaves this machine
            self._browser = self._pw.chromium.launch(executable_path=chromium_path(), headless=headless, args=["--no-sandbox", "--disable-dev-shm-usage", f"--host-resolver-rules={HOST_RULES}", *_AS_A_USER])
        except Exception as exc:
            self._pw.stop()
            raise DeviceError(f"Chromium did not start: {str(exc).splitlines()[0][:300]}") from None
        self._t0 = time.monotonic()
        self.context: Any = None
        self.page: Any = None
        self.urls: dict[str, str] = {}  # package -> URL
        self.package = ""
        #: called with each new page before it navigates (event sources hook in here)
        self.page_hooks: list[Callable[[Any], None]] = []
        self.context_hooks: list[Callable[[Any], None]] = []
        self.load_error = ""
        self._new_context()

    # -- clock --------------------------------------------------------------------------------
    def info(self) -> DeviceInfo:
        return DeviceInfo(serial="web", backend="web", simulated=False, api_level=0, abi="web", locale=self.locale, model=f"Chromium {self._browser.version} ({self.browser_kind} user agent)", emulator=True, rooted=False)

    def now(self) -> float:
        return time.monotonic() - self._t0

    def sleep(self, seconds: float) -> None:
        ms = max(0, int(seconds * 1000))
        if self.page is not None and not self.page.is_closed():
            self.page.wait_for_timeout(ms)  # the page's events are processed meanwhile
        else:
            time.sleep(ms / 1000)

    # -- app ----------------------------------------------------------------------------------
    def _new_context(self) -> None:
        if self.context is not None:
            self.context.close()
        self.context = self._browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale=self.locale,
            user_agent=USER_AGENTS[self.browser_kind],
            permissions=[],
        )
        self.context.add_init_script(script=f"window.__chPackage = {self.package!r};")
        for hook in self.context_hooks:
            hook(self.context)
        self.page = None

    def install(self, app: str) -> str:
        url = check_url(app)
        pkg = package_for_url(url)
        self.urls[pkg] = url
        self.package = pkg
        return pkg

    def launch(self, package: str) -> None:
        url = self.urls.get(package)
        if url is None:
            raise InputError(f"no page installed as {package!r}")
        if self.page is not None and not self.page.is_closed():
            self.page.close()
        self.page = self.context.new_page()
        for hook in self.page_hooks:
            hook(self.page)
        self.load_error = ""
        try:
            self.page.goto(url, wait_until="load", timeout=_LOAD_TIMEOUT_MS)
        except Exception as exc:  # noqa: BLE001 - recorded; a page that never settles is a result
            msg = str(exc).splitlines()[0][:300]
            self.load_error = msg
            if "ERR_CONNECTION_REFUSED" in msg or "ERR_NAME_NOT_RESOLVED" in msg or "ERR_ADDRESS_UNREACHABLE" in msg:
                raise DeviceError(f"page unreachable: {url[:200]} ({msg})") from None

    def stop(self, package: str) -> None:
        if self.page is not None and not self.page.is_closed():
            self.page.close()
        self.page = None

    def clear_data(self, package: str) -> None:
        self._new_context()

    # -- screen -------------------------------------------------------------------------------
    def hierarchy(self) -> str:
        if self.page is None or self.page.is_closed():
            return '<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0" width="390" height="844"></hierarchy>'
        try:
            return str(self.page.evaluate(_dom_to_xml_js()))
        except Exception as exc:  # noqa: BLE001 - navigation in progress: read again later
            raise DeviceError(f"page hierarchy unreadable: {str(exc).splitlines()[0][:200]}") from None

    def tap(self, x: int, y: int) -> None:
        if self.page is not None and not self.page.is_closed():
            self.page.touchscreen.tap(x, y)
            self.page.wait_for_timeout(100)

    def back(self) -> None:
        if self.page is not None and not self.page.is_closed():
            try:
                self.page.go_back(timeout=5000)
            except Exception:  # noqa: BLE001 - nothing to go back to
                pass

    def home(self) -> None:
        """Leave the page for the launcher: the page is hidden (the in-app browser goes away)."""
        self.stop(self.package)

    def screenshot(self, path: str) -> bool:
        if self.page is None or self.page.is_closed():
            return False
        self.page.screenshot(path=path)
        return True

    def foreground_package(self) -> str:
        return self.package if self.page is not None and not self.page.is_closed() else ""

    def is_running(self, package: str) -> bool:
        return package == self.package and self.page is not None and not self.page.is_closed()

    def permission_state(self, package: str) -> dict[str, str]:
        return {}

    @property
    def launcher_package(self) -> str:
        return ""

    def close(self) -> None:
        try:
            if self.context is not None:
                self.context.close()
            self._browser.close()
        finally:
            self._pw.stop()
