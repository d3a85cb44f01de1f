"""The ``web`` device: a real Chromium (Debian's, by its executable path; nothing is downloaded)
driven through Playwright, showing an H5 page the way an in-app browser on a phone would.

- Mobile emulation: viewport, touch, device scale 1 (so hierarchy bounds are CSS pixels), the
  locale, and the user agent of an in-app browser (``wechat``, ``alipay``) or plain mobile Chrome.
- The page sees a user's browser: ``navigator.webdriver`` is false (CMP libraries hide their
  banner from automated browsers, so the harness would otherwise never meet it).
- Nothing is granted in advance. A call that needs a permission is held by the page agent
  (``page_agent.js``) and shown as the browser's prompt (``chrome.py``): part of the screen the
  harness reads, answered by a tap like any prompt, never by the page.
- ``hierarchy()`` turns the visible DOM into uiautomator-format XML (``dom_to_xml.js``, run in an
  isolated JavaScript world the page cannot reach), with the browser's prompt on top, so the one
  bounded screen parser, the consent-UI recogniser, the steps and the detectors read a page as
  they read an Android screen.
- With ``browser=wechat`` (or ``alipay``) the page finds the in-app browser's JS bridge, and a
  navigation to the OAuth authorisation endpoint is answered here (Playwright routing: nothing
  leaves the machine), shown as the in-app authorisation screen and recorded.
- The page's own calls are recorded by the ``web`` event source (``source.py``), which listens
  to the driver (``report_hooks``, ``prompt_hooks``, ``page_hooks``).

The driver's clock is real time; ``sleep`` lets Playwright process the page's events.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from harness.devices.base import DeviceInfo
from harness.devices.web.chrome import PROMPT_KINDS, RESERVED_IDS, SCREEN, BrowserChrome, Prompt
from harness.devices.web.stall import STALL_S, StallGuard
from harness.errors import DeviceError, InputError

__all__ = ["WebDriver", "USER_AGENTS", "chromium_path", "package_for_url", "check_url", "origin_of", "OAUTH_ENDPOINTS"]

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
#: Waits shorter than this end early once the page is quiet (see WebDriver.sleep).
SETTLE_MAX_S = 2.0
#: A page is quiet when no request is in flight and its DOM has not changed for this long.
QUIET_MS = 250
#: More than NAV_LOOP main-frame navigations within NAV_WINDOW_S: a redirect loop.
NAV_LOOP = 12
NAV_WINDOW_S = 10.0


_MAX_ASK = 4096
_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0" width="390" height="844"></hierarchy>'

#: In-app authorisation endpoints answered by the driver: host + path prefix -> (provider, the
#: query key of the redirect, of the scope, of the app id, the scopes that show a screen).
OAUTH_ENDPOINTS = {
    "open.weixin.qq.com/connect/oauth2/authorize": ("wechat", "redirect_uri", "scope", "appid", ("snsapi_userinfo",)),
    "open.weixin.qq.com/connect/qrconnect": ("wechat", "redirect_uri", "scope", "appid", ("snsapi_login",)),
    "openauth.alipay.com/oauth2/publicAppAuthorize.htm": ("alipay", "redirect_uri", "scope", "app_id", ("auth_user", "auth_userinfo")),
}
_OAUTH_RE = re.compile(r"^https?://(open\.weixin\.qq\.com/connect/(oauth2/authorize|qrconnect)|openauth\.alipay\.com/oauth2/publicAppAuthorize\.htm)")
#: The JS-SDK script pages load from WeChat's CDN: answered with an empty script (the simulated
#: bridge is built into the page agent), so nothing is fetched.
_JSSDK_RE = re.compile(r"^https?://res[0-9]?\.wx\.qq\.com/open/js/jweixin[^/]*\.js")


@lru_cache(maxsize=1)
def _dom_to_xml_js() -> str:
    """The DOM-to-hierarchy script, read once (it runs at every screen read)."""
    return resources.files("harness.devices.web").joinpath("dom_to_xml.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _agent_js() -> str:
    """The page agent (instrumentation, prompts, in-app bridges), read once."""
    return resources.files("harness.devices.web").joinpath("page_agent.js").read_text(encoding="utf-8")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


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
    pkg = ".".join(labels)[:200]
    # a page is never a platform or OEM package (a host under android.com or huawei.com reads
    # backwards as one, and the recogniser trusts such packages with system dialogs)
    from harness.consent_ui.lexicon import lexicon

    lex = lexicon()
    if pkg == "android" or pkg.startswith(tuple(p for p in lex.system_prefixes if p != "android")) or pkg in lex.permission_packages:
        pkg = "web." + pkg
    return pkg[:200]




class WebDriver:
    """Implements the Driver protocol over Playwright and a real Chromium."""

    backend = "web"
    simulated = False

    def __init__(self, *, browser: str = "wechat", locale: str = "zh-CN", headless: bool = True, load_timeout: float = _LOAD_TIMEOUT_MS / 1000) -> None:
        if browser not in USER_AGENTS:
            raise InputError(f"unknown in-app browser {browser[:40]!r} (known: {', '.join(USER_AGENTS)})")
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", locale):
            raise InputError(f"locale {locale[:40]!r} is not a language tag like zh-CN or en-GB")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise DeviceError("the web device needs Playwright: pip install 'consent-harness[web]'") from exc
        if not 1 <= load_timeout <= 300:
            raise InputError(f"load_timeout must be between 1 and 300 seconds, not {load_timeout:g}")
        self.browser_kind = browser
        self.locale = locale
        self.load_timeout_ms = int(load_timeout * 1000)
        #: why the page kept the run from completing (never loaded, redirect or navigation loop,
        #: never quiet): read and cleared by take_incomplete() at the start and end of each run
        self._incomplete: list[str] = []
        self._navs: list[float] = []
        self._looping = False
        self._settles = 0
        self._settles_quiet = 0
        self._busy_why = ""
        self._pw = sync_playwright().start()
        #: names this browser on its command line, so the stall guard finds its renderers
        marker = f"--consent-harness-browser={os.getpid()}.{os.urandom(6).hex()}"
        try:
            from harness.devices.web.pages import HOST_RULES

            # host names under .test (reserved, never real) are the reference pages' parties:
            # they resolve to loopback, so nothing a reference page loads leaves this machine.
            # The fake media device only answers a getUserMedia the user allowed on screen.
            self._launch_args = (headless, ["--no-sandbox", "--disable-dev-shm-usage", f"--host-resolver-rules={HOST_RULES}", "--use-fake-device-for-media-stream", *_AS_A_USER, marker])
            self._browser = self._launch_browser()
        except Exception as exc:
            self._pw.stop()
            raise DeviceError(f"Chromium did not start: {str(exc).splitlines()[0][:300]}") from None
        self._t0 = time.monotonic()
        #: set when the page's renderer went away (crashed, or stopped by the stall guard)
        self._crashed = False
        #: set when the stall guard had to end the whole browser: the next page gets a new one
        self._browser_ended = False
        self._guard = StallGuard(marker, self._stalled)
        self.context: Any = None
        self.page: Any = None
        self.urls: dict[str, str] = {}  # package -> URL
        self.package = ""
        #: called with each new page before it navigates (event sources hook in here)
        self.page_hooks: list[Callable[[Any], None]] = []
        self.context_hooks: list[Callable[[Any], None]] = []
        #: called with each message of the page agent (JSON text, from the page: untrusted)
        self.report_hooks: list[Callable[[str], None]] = []
        #: called with ("request" | "answer", prompt, shown) for every permission the page asks
        self.prompt_hooks: list[Callable[[str, Prompt, bool], None]] = []
        self.load_error = ""
        self.chrome = BrowserChrome(browser=browser, locale=locale)
        self._cdp: Any = None
        self._cdp_page: Any = None
        self._world: tuple[str, str, int] | None = None
        self._inflight: set[Any] = set()
        self._new_context()

    # -- clock --------------------------------------------------------------------------------
    def info(self) -> DeviceInfo:
        return DeviceInfo(serial="web", backend="web", simulated=False, api_level=0, abi="web", locale=self.locale, model=f"Chromium {self._browser.version} ({self.browser_kind} user agent)", emulator=True, rooted=False)

    def now(self) -> float:
        return time.monotonic() - self._t0

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass while the page runs. A short wait (under ``SETTLE_MAX_S``: the
        pause after a tap, a launch's wait) ends early once the page is quiet (no request in
        flight and no DOM change for ``QUIET_MS``), as a user goes on once the screen stops
        changing; a longer one is an observation window and always runs in full."""
        ms = max(0, int(seconds * 1000))
        if not self._alive():
            time.sleep(ms / 1000)
            return
        with self._guard.bounded("waiting", seconds):
            self._sleep(seconds, ms)

    def _sleep(self, seconds: float, ms: int) -> None:
        end = time.monotonic() + ms / 1000
        try:
            if seconds >= SETTLE_MAX_S:
                # an observation window, in slices so a redirect loop is stopped within a second
                while (left := end - time.monotonic()) > 0 and self._alive():
                    self.page.wait_for_timeout(max(1, int(min(left, 1.0) * 1000)))  # the page's events are processed meanwhile
                    self._check_loop()
                if (left := end - time.monotonic()) > 0:
                    time.sleep(left)
                return
            self.page.wait_for_timeout(min(ms, 100))
            self._settles += 1
            while time.monotonic() < end:
                self._check_loop()
                if not self._alive() or self._quiet():
                    self._settles_quiet += 1
                    return
                self.page.wait_for_timeout(min(100, max(1, int((end - time.monotonic()) * 1000))))
        except Exception:  # noqa: BLE001 - the page went away meanwhile: an observation window still runs out
            rest = end - time.monotonic() if seconds >= SETTLE_MAX_S else 0.0
            time.sleep(min(max(0.0, rest), 60.0))

    def _alive(self) -> bool:
        return self.page is not None and not self._crashed and not self.page.is_closed()

    def _stalled(self, what: str, ended: str) -> None:
        """The stall guard stopped the page, or the browser (called from the guard's thread)."""
        self._crashed = True
        if ended == "browser":
            self._browser_ended = True
            return
        self._incomplete.append(f"the page stopped answering: a script held it for over {STALL_S:g} s while the harness was {what}; the page was stopped")

    def _crash(self, _page: Any) -> None:
        self._crashed = True
        self._incomplete.append("the page crashed (its renderer went away)")

    def _quiet(self) -> bool:
        if self._inflight:
            self._busy_why = f"{len(self._inflight)} request(s) still in flight"
            return False
        try:
            since = self.page.evaluate("() => (typeof window.__chQuiet === 'function' ? window.__chQuiet() : 1e9)")
        except Exception:  # noqa: BLE001 - navigating: not quiet
            self._busy_why = "navigating"
            return False
        quiet = isinstance(since, (int, float)) and since >= QUIET_MS
        if not quiet:
            self._busy_why = "the page keeps changing its DOM"
        return quiet

    # -- app ----------------------------------------------------------------------------------
    def _launch_browser(self) -> Any:
        """A Chromium with the device's switches (at the start, and again after the stall guard
        ended one)."""
        headless, args = self._launch_args
        return self._pw.chromium.launch(executable_path=chromium_path(), headless=headless, args=args)

    def _new_context(self) -> None:
        if self._browser_ended or not self._browser.is_connected():
            # the stall guard ended the browser under a stuck page: a new one, same switches
            self._browser = self._launch_browser()
            self._browser_ended = False
            self.context = None
        if self.context is not None:
            try:
                self.context.close()
            except Exception:  # noqa: BLE001 - its page went away with a stopped renderer
                pass
        self._cdp = self._cdp_page = self._world = None
        self.context = self._browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale=self.locale,
            user_agent=USER_AGENTS[self.browser_kind],
            permissions=[],
        )
        # a fresh browser profile: fresh prompts, fresh planted values
        self.chrome = BrowserChrome(browser=self.browser_kind, locale=self.locale)
        self.chrome.listeners.append(self._prompt_event)
        self.chrome.on_oauth_answer = self._oauth_answered
        self.context.expose_binding("__chReport", self._binding_report)
        self.context.expose_binding("__chAsk", self._binding_ask)
        self.context.expose_binding("__chPoll", self._binding_poll)
        cfg = json.dumps({"browser": self.browser_kind})
        self.context.add_init_script(script="{ const CH_CFG = " + cfg + ";\n" + _agent_js() + "\n}")
        self.context.route(_OAUTH_RE, self._oauth_route)
        self.context.route(_JSSDK_RE, lambda route: route.fulfill(status=200, content_type="application/javascript", body="/* consent-harness: the WeChat JS-SDK is simulated by the in-app browser */"))
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
        with self._guard.bounded("opening the page", self.load_timeout_ms / 1000):
            self._launch(url)

    def _launch(self, url: str) -> None:
        if self._browser_ended or not self._browser.is_connected():
            self._new_context()
        if self.page is not None and not self.page.is_closed():
            try:
                self.page.close()
            except Exception:  # noqa: BLE001 - a page whose renderer was stopped
                pass
        self.page = self.context.new_page()
        self._crashed = False
        self.page.on("crash", self._crash)
        self._inflight = set()
        inflight = self._inflight
        self.page.on("request", lambda r: inflight.add(r))
        self.page.on("requestfinished", lambda r: inflight.discard(r))
        self.page.on("requestfailed", lambda r: inflight.discard(r))
        page = self.page
        self._navs = []
        self._looping = False
        self.page.on("framenavigated", lambda f: self._navs.append(time.monotonic()) if f == page.main_frame else None)
        for hook in self.page_hooks:
            hook(self.page)
        self.load_error = ""
        try:
            self.page.goto(url, wait_until="load", timeout=self.load_timeout_ms)
        except Exception as exc:  # noqa: BLE001 - recorded; a page that never settles is a result
            msg = str(exc).splitlines()[0][:300]
            if "interrupted by another navigation" in msg:
                return  # the page moved on by itself (e.g. an OAuth redirect at landing)
            self.load_error = msg
            if "ERR_CONNECTION_REFUSED" in msg or "ERR_NAME_NOT_RESOLVED" in msg or "ERR_ADDRESS_UNREACHABLE" in msg:
                raise DeviceError(f"page unreachable: {url[:200]} ({msg})") from None
            if "ERR_TOO_MANY_REDIRECTS" in msg:
                self._incomplete.append(f"the page redirects in a loop ({msg[:160]})")
            elif "Timeout" in msg:
                self._incomplete.append(f"the page did not finish loading within {self.load_timeout_ms / 1000:g} s (requests that never end)")
            else:
                self._incomplete.append(f"the page did not load: {msg[:160]}")

    def _check_loop(self) -> None:
        """A page that navigates on its own more than NAV_LOOP times within NAV_WINDOW_S is
        looping (a script redirect loop): it is stopped (about:blank) and the run is marked
        incomplete; what it did until then stays recorded."""
        if self._looping or self.page is None or self.page.is_closed():
            return
        now = time.monotonic()
        recent = [t for t in self._navs if now - t <= NAV_WINDOW_S]
        self._navs = recent[-4 * NAV_LOOP :]
        if len(recent) > NAV_LOOP:
            self._looping = True
            self._incomplete.append(f"the page navigated {len(recent)} times within {NAV_WINDOW_S:g} s on its own (a redirect loop); it was stopped")
            try:
                self.page.goto("about:blank", timeout=5000)
            except Exception:  # noqa: BLE001 - still navigating: closed instead
                self.page.close()

    def take_incomplete(self) -> str:
        """Why the page kept the run from completing since the last call ('' when it did not):
        a load that never finished, a redirect loop, a page never quiet at any settle wait."""
        reasons = list(self._incomplete)
        if self._settles >= 3 and self._settles_quiet == 0:
            reasons.append(f"the page never settled: {self._settles} waits for it to be quiet all ran out ({self._busy_why or 'busy'})")
        self._incomplete = []
        self._settles = self._settles_quiet = 0
        self._busy_why = ""
        return "; ".join(dict.fromkeys(reasons))[:1000]

    def stop(self, package: str) -> None:
        if self.page is not None and not self.page.is_closed():
            with self._guard.bounded("closing the page"):
                self.page.close()
        self.page = None
        self._cdp = self._cdp_page = self._world = None

    def clear_data(self, package: str) -> None:
        with self._guard.bounded("clearing the browser profile"):
            self._new_context()

    # -- the page agent's bindings (called from the page: every argument is untrusted) -----------
    def _binding_report(self, _source: Any, payload: Any) -> None:
        if not isinstance(payload, str) or len(payload) > 64 << 10:
            return
        for hook in list(self.report_hooks):
            try:
                hook(payload)
            except Exception:  # noqa: BLE001 - a recorder's failure never reaches the page
                pass

    @staticmethod
    def _frame_origin(source: Any) -> str:
        try:
            return origin_of(str(source["frame"].url))
        except Exception:  # noqa: BLE001
            return ""

    def _binding_ask(self, source: Any, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, str) or len(payload) > _MAX_ASK:
            return {"state": "deny"}
        try:
            req = json.loads(payload)
        except ValueError:
            return {"state": "deny"}
        kind = req.get("kind") if isinstance(req, dict) else None
        if not isinstance(kind, str) or kind not in PROMPT_KINDS or kind.endswith("-oauth"):
            return {"state": "deny"}
        origin = self._frame_origin(source)
        if not origin:
            return {"state": "deny"}  # about:blank, data: frames: no site to ask for
        if req.get("query"):
            return {"state": self.chrome.state_of(origin, kind)}
        api, caller = req.get("api"), req.get("caller")
        p = self.chrome.ask(origin, kind, api if isinstance(api, str) else "", caller if isinstance(caller, str) else "")
        if p.state == "pending":
            return {"id": p.id, "state": "pending"}
        return {"state": "allow" if p.state == "allow" else "deny", "data": p.data if p.state == "allow" else {}}

    def _binding_poll(self, _source: Any, pid: Any) -> dict[str, Any]:
        return self.chrome.poll(pid)

    def _prompt_event(self, what: str, p: Prompt, shown: bool) -> None:
        if what == "answer" and shown and p.state == "allow" and p.kind in ("camera", "microphone", "clipboard-read"):
            # the user allowed it on screen: now (and only now) the browser grants it
            try:
                self.context.grant_permissions([p.kind], origin=p.origin)
            except Exception:  # noqa: BLE001 - the page then gets the browser's own answer
                pass
        for hook in list(self.prompt_hooks):
            try:
                hook(what, p, shown)
            except Exception:  # noqa: BLE001
                pass

    # -- in-app authorisation (OAuth at landing) ---------------------------------------------------
    def _oauth_route(self, route: Any) -> None:
        """A navigation to WeChat's / Alipay's authorisation endpoint: answered here (nothing
        leaves the machine). A scope that shows a screen in the real app (snsapi_userinfo,
        auth_user) puts the authorisation screen on; a silent one (snsapi_base, auth_base)
        redirects back at once with a code. Either is recorded."""
        try:
            req = route.request
            url = str(req.url)
            parts = urlsplit(url)
            key = next((k for k in OAUTH_ENDPOINTS if (parts.hostname or "") + parts.path == k or ((parts.hostname or "") + parts.path).startswith(k)), "")
            if not key:
                route.fulfill(status=404, body="")
                return
            provider, rkey, skey, akey, screens = OAUTH_ENDPOINTS[key]
            q = dict(parse_qsl(parts.query, keep_blank_values=True))
            redirect = q.get(rkey, "")[:2000]
            scope = q.get(skey, "")[:100]
            extra = {"provider": provider, "scope": scope, "redirect_uri": redirect, "state": q.get("state", "")[:200], "appid": q.get(akey, "")[:100], "url": url[:2000]}
            try:
                check_url(redirect)
            except InputError:
                route.fulfill(status=400, content_type="text/html; charset=utf-8", body="<!doctype html><title>redirect_uri 参数错误</title><body>redirect_uri 参数错误</body>")
                return
            kind = f"{provider}-oauth" if provider == "alipay" else "wx-oauth"
            referer = ""
            try:
                referer = str(req.headers.get("referer", ""))[:300]
            except Exception:  # noqa: BLE001
                pass
            origin = origin_of(redirect)
            api = "WeChat.oauth2.authorize" if provider == "wechat" else "Alipay.oauth2.authorize"
            if not any(s.strip() in screens for s in scope.split(",")):
                p = Prompt(0, kind, origin, api, referer or redirect[:300], state="allow", extra=extra)
                self._prompt_event("request", p, False)
                route.fulfill(status=302, headers={"location": self._redirect(p, silent=True)})
                return
            p = self.chrome.ask(origin, kind, api, referer or redirect[:300], extra)
            if p.state == "allow":  # allowed earlier in this browser profile: no screen again
                route.fulfill(status=302, headers={"location": self._redirect(p)})
                return
            title = "微信授权" if provider == "wechat" else "支付宝授权"
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=f"<!doctype html><meta charset=utf-8><title>{title}</title><body></body>")
        except Exception:  # noqa: BLE001 - a route that cannot be answered is aborted, never sent out
            try:
                route.abort()
            except Exception:  # noqa: BLE001
                pass

    def _redirect(self, p: Prompt, *, silent: bool = False) -> str:
        """The redirect back to the page: with a code when allowed (WeChat's and Alipay's
        documented behaviour), with the state only when refused."""
        parts = urlsplit(p.extra.get("redirect_uri", ""))
        q = parse_qsl(parts.query, keep_blank_values=True)
        ckey = "code" if p.extra.get("provider") == "wechat" else "auth_code"
        if p.state == "allow":
            code = p.data.get("code") if p.data else ""
            q.append((ckey, str(code or ("chb" + os.urandom(8).hex() if silent else ""))))
        q.append(("state", p.extra.get("state", "")))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), parts.fragment))

    def _oauth_answered(self, p: Prompt) -> None:
        if self.page is None or self.page.is_closed():
            return
        try:
            if p.state == "dismissed":
                self.page.go_back(timeout=5000)
            else:
                self.page.goto(self._redirect(p), wait_until="commit", timeout=_LOAD_TIMEOUT_MS)
        except Exception as exc:  # noqa: BLE001 - recorded like a load error
            self.load_error = str(exc).splitlines()[0][:300]

    # -- screen -------------------------------------------------------------------------------
    def _in_world(self, expr: str, what: str) -> Any:
        """``expr`` evaluated in the driver's isolated JavaScript world of the page (CDP): the
        page's own scripts cannot replace the functions used there, nor see them run."""
        if self._cdp is None or self._cdp_page is not self.page:
            self._cdp = self.context.new_cdp_session(self.page)
            self._cdp_page = self.page
            self._world = None
        frame = self._cdp.send("Page.getFrameTree")["frameTree"]["frame"]
        key = (str(frame["id"]), str(frame.get("loaderId", "")))
        if self._world is None or self._world[:2] != key:
            ctx = self._cdp.send("Page.createIsolatedWorld", {"frameId": key[0], "worldName": "consent-harness-reader"})
            self._world = (key[0], key[1], int(ctx["executionContextId"]))
        res = self._cdp.send("Runtime.evaluate", {"expression": expr, "contextId": self._world[2], "returnByValue": True})
        if res.get("exceptionDetails"):
            self._world = None
            raise DeviceError(f"{what}: {str(res['exceptionDetails'].get('text', ''))[:200]}")
        return res.get("result", {}).get("value")

    def _read_dom(self) -> str:
        """The page's hierarchy, read in the isolated world (``dom_to_xml.js``)."""
        expr = f"({_dom_to_xml_js()})({json.dumps(self.package)}, {json.dumps(list(RESERVED_IDS))})"
        value = self._in_world(expr, "page hierarchy unreadable")
        if not isinstance(value, str):
            raise DeviceError("page hierarchy unreadable: no text returned")
        return value

    def _into_view(self, x: int, y: int) -> tuple[int, int]:
        """A point the screen reading placed outside the viewport (a control further down a
        long page): the page is scrolled, as a user would before tapping it, so the point comes
        to the middle of the screen; returns where the point is then. A page that cannot scroll
        that far leaves the point where it is (the tap then lands on nothing, as before)."""
        w, h = SCREEN
        if 0 <= x < w and 0 <= y < h:
            return x, y
        dx = 0 if 0 <= x < w else x - w // 2
        dy = 0 if 0 <= y < h else y - h // 2
        expr = f"(() => {{ const x0 = window.scrollX, y0 = window.scrollY; window.scrollBy({{left: {int(dx)}, top: {int(dy)}, behavior: 'instant'}}); return [window.scrollX - x0, window.scrollY - y0]; }})()"
        moved = self._in_world(expr, "page not scrollable")
        if not (isinstance(moved, list) and len(moved) == 2 and all(isinstance(v, (int, float)) for v in moved)):
            return x, y
        self.page.wait_for_timeout(150)  # the page's scroll handlers run, as after a user's swipe
        return int(round(x - moved[0])), int(round(y - moved[1]))

    def hierarchy(self) -> str:
        with self._guard.bounded("reading the screen"):
            return self._hierarchy()

    def _hierarchy(self) -> str:
        if not self._alive():
            xml = _EMPTY
        else:
            self._check_loop()
            xml = ""
            err = ""
            for attempt in range(3):  # navigation in progress: try again in a new world
                try:
                    xml = self._read_dom()
                    break
                except Exception as exc:  # noqa: BLE001
                    err = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                    self._world = None
                    if not self._browser.is_connected() and not self._browser_ended:
                        raise DeviceError(f"Chromium went away: {err}") from None
                    if attempt < 2 and self._alive():
                        self.page.wait_for_timeout(200)
                    elif not self._alive():
                        break
            if not xml:
                # the page never stood still long enough to be read: a result, not a tool failure
                if not self._crashed:
                    self._incomplete.append(f"the screen could not be read while the page kept navigating ({err})")
                xml = _EMPTY
        overlay = self.chrome.overlay()
        if overlay and xml.endswith("</hierarchy>"):
            xml = xml[: -len("</hierarchy>")] + overlay + "</hierarchy>"
        return xml

    def prompt_group(self) -> str:
        """The permission group the browser's prompt on screen asks for ('' when none)."""
        p = self.chrome.showing
        return p.group if p is not None else ""

    def tap(self, x: int, y: int) -> None:
        if self.chrome.tap(x, y):  # a prompt is on screen: the tap is the browser's, not the page's
            self.sleep(0.15)
            return
        if self._alive():
            with self._guard.bounded("tapping the page"):
                try:
                    x, y = self._into_view(x, y)
                    self.page.touchscreen.tap(x, y)
                    self.page.wait_for_timeout(100)
                except Exception:  # noqa: BLE001 - the page went away under the finger
                    if self._alive():
                        raise

    def input_text(self, x: int, y: int, text: str) -> None:
        """Type ``text`` into the page's field at (x, y), as a user does (tap, then keys)."""
        if self.chrome.showing is not None or not self._alive():
            return
        with self._guard.bounded("typing into the page"):
            try:
                x, y = self._into_view(x, y)
                self.page.touchscreen.tap(x, y)
                self.page.keyboard.type(text[:200])
            except Exception:  # noqa: BLE001 - the page went away under the finger
                if self._alive():
                    raise

    def back(self) -> None:
        if self.chrome.back():
            self.sleep(0.15)
            return
        if self._alive():
            try:
                with self._guard.bounded("going back", 5.0):
                    self.page.go_back(timeout=5000)
            except Exception:  # noqa: BLE001 - nothing to go back to
                pass

    def home(self) -> None:
        """Leave the page for the launcher: the page is hidden (the in-app browser goes away)."""
        self.stop(self.package)

    def screenshot(self, path: str) -> bool:
        """The screen the harness read: the page, and the browser's prompt over it when one is
        showing (drawn by :meth:`_with_prompt`, as headless Chromium draws none)."""
        if not self._alive():
            return False
        try:
            with self._guard.bounded("taking a screenshot", 10.0):
                overlay = self.chrome.overlay_html()
                if not overlay:
                    self.page.screenshot(path=path, timeout=5000)
                else:
                    self._with_prompt(self.page.screenshot(timeout=5000), overlay, path)
        except Exception:  # noqa: BLE001 - a page mid-navigation has no picture; the dump is kept
            return False
        return True

    def _with_prompt(self, png: bytes, overlay: str, path: str) -> None:
        """The page's picture with the prompt drawn over it, composed in a page of the harness's
        own: a browser context of its own with scripts off, which the page under test never sees."""
        ctx = self._browser.new_context(viewport={"width": SCREEN[0], "height": SCREEN[1]}, device_scale_factor=1, java_script_enabled=False)
        try:
            page = ctx.new_page()
            img = base64.b64encode(png).decode("ascii")
            page.set_content(
                '<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">'
                f'<img alt="" style="position:absolute;left:0;top:0" src="data:image/png;base64,{img}">{overlay}</body></html>',
                timeout=5000,
            )
            page.screenshot(path=path, timeout=5000)
        finally:
            ctx.close()

    def foreground_package(self) -> str:
        return self.package if self.page is not None and not self.page.is_closed() else ""

    def is_running(self, package: str) -> bool:
        return package == self.package and self.page is not None and not self.page.is_closed()

    def permission_state(self, package: str) -> dict[str, str]:
        return self.chrome.states()

    @property
    def launcher_package(self) -> str:
        return ""

    def close(self) -> None:
        try:
            with self._guard.bounded("closing the browser"):
                try:
                    if self.context is not None:
                        self.context.close()
                finally:
                    self._browser.close()
        finally:
            self._guard.close()
            self._pw.stop()
