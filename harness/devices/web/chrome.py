"""The browser's own UI around a page (its "chrome"): permission prompts and the in-app
browser's authorisation screens, drawn by the driver, never by the page.

Headless Chromium draws no permission prompt, so the web device models one. The page agent
holds a call that needs a prompt (geolocation, getUserMedia, clipboard read, the in-app
bridges' location and profile calls) and asks :class:`BrowserChrome`; a prompt comes on screen
as part of the hierarchy the harness reads (a node tree shaped like Android's permission dialog,
with the site's origin, its buttons in the page's locale, in the package of the browser that
draws it). A tap inside it answers it; nothing else can:

- the prompt is not in the page's DOM: the page cannot see, restyle, remove or click it;
- it is drawn from the driver's own state; the page only asks (as a real page asks the browser);
- the answer reaches the page through a binding the agent captured before any page script ran;
- no page element can carry the resource ids reserved for the prompt (dom_to_xml renames them).

Answers are remembered like a browser remembers them: "Allow" and "Block" hold for the origin
(a later call is answered at once, and still recorded as a request); Back dismisses the prompt
without remembering (the call gets the denial, the next call prompts again). An in-app
authorisation screen (WeChat snsapi_userinfo, Alipay auth_user) remembers an allow only.

Planted values: on allow the page receives a unique position for this run (WGS-84 for the web
API, GCJ-02 where the bridge asks for it) and, for profile calls, a unique nickname and
authorisation code; each one handed out is reported, so a flow carrying it is matched.
"""

from __future__ import annotations

import html
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.network.encodings import gcj02_from_wgs84

__all__ = ["Prompt", "BrowserChrome", "PROMPT_KINDS", "CHROME_PACKAGES", "RESERVED_IDS", "SCREEN", "honey_position"]

#: The package that draws the chrome, per in-app browser (WeChat's X5/XWeb, Alipay, Chrome).
CHROME_PACKAGES = {"wechat": "com.tencent.mm", "alipay": "com.eg.android.AlipayGphone", "chrome": "com.android.chrome"}

#: Resource ids of the prompt (local names, as in Android's permission dialog): no page element
#: may carry them (dom_to_xml renames a page element with such an id).
RESERVED_IDS = ("grant_dialog", "permission_message", "permission_allow_button", "permission_deny_button", "permission_icon")

#: kind -> (permission group, Chinese message, English message). The recogniser names Android's
#: groups from the message itself; CLIPBOARD and ACCOUNTS (no Android group) come from the driver. ``{site}`` is the origin's host.
PROMPT_KINDS: dict[str, tuple[str, str, str]] = {
    "geolocation": ("LOCATION", "{site} 想要获取你的位置信息", "{site} wants to know your location"),
    "camera": ("CAMERA", "{site} 想要使用你的摄像头", "{site} wants to use your camera"),
    "microphone": ("MICROPHONE", "{site} 想要使用你的麦克风", "{site} wants to use your microphone"),
    "clipboard-read": ("CLIPBOARD", "{site} 想要查看你复制到剪贴板的文字和图片", "{site} wants to see text and images copied to the clipboard"),
    "wx-location": ("LOCATION", "{site} 申请获取你的地理位置", "{site} wants to use your location"),
    "wx-profile": ("ACCOUNTS", "{site} 申请获得以下权限：获得你的公开信息（昵称、头像等）", "{site} asks for your public profile (nickname and profile photo)"),
    "wx-oauth": ("ACCOUNTS", "{site} 申请获得以下权限：获得你的公开信息（昵称、头像、地区及性别）", "{site} asks for your public profile (nickname, profile photo, region and gender)"),
    "alipay-location": ("LOCATION", "{site} 申请获取你的位置信息", "{site} wants to use your location"),
    "alipay-profile": ("ACCOUNTS", "{site} 申请获取你的支付宝会员信息（头像、昵称等公开信息）", "{site} asks for your Alipay public profile (nickname and profile photo)"),
    "alipay-oauth": ("ACCOUNTS", "{site} 申请获取你的支付宝会员信息（头像、昵称等公开信息）", "{site} asks for your Alipay public profile (nickname and profile photo)"),
}
#: Kinds whose answer is remembered only when it is an allow (authorisation screens).
_ALLOW_ONLY = frozenset({"wx-oauth", "alipay-oauth", "wx-profile", "alipay-profile"})
_BUTTONS = {"zh": ("允许", "拒绝"), "en": ("Allow", "Block")}
_W, _H = 390, 844
#: the screen (CSS pixels) the prompt is laid out on: the web device's viewport
SCREEN = (_W, _H)
_BOX = (16, 560, 374, 820)
_MSG = (40, 584, 350, 680)
_ALLOW = (200, 720, 350, 790)
_DENY = (40, 720, 190, 790)


def honey_position(rng: random.Random) -> dict[str, float]:
    """A unique, plausible position in mainland China (so GCJ-02 and BD-09 differ from WGS-84),
    with six random decimals: {lat, lon} (WGS-84) and {glat, glon} (GCJ-02)."""
    lat = round(rng.uniform(22.6, 39.9), 6)
    lon = round(rng.uniform(104.1, 121.4), 6)
    glat, glon = gcj02_from_wgs84(lat, lon)
    return {"lat": lat, "lon": lon, "glat": round(glat, 6), "glon": round(glon, 6)}


@dataclass
class Prompt:
    """One prompt: asked by the page (``api``, ``caller``: the calling script's URL) for
    ``origin``; ``state`` pending -> allow | deny | dismissed. ``data`` is what the page gets on
    allow; ``extra`` holds an authorisation screen's request (scope, redirect_uri, state)."""

    id: int
    kind: str
    origin: str
    api: str
    caller: str
    state: str = "pending"
    data: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return PROMPT_KINDS[self.kind][0]

    @property
    def site(self) -> str:
        return urlsplit(self.origin).hostname or self.origin


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _inside(box: tuple[int, int, int, int], x: int, y: int) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


class BrowserChrome:
    """The prompts of one browser context: asked by the page agent, drawn into the hierarchy,
    answered by taps and Back. ``listeners`` are told ``("request", prompt, shown)`` for every
    call that needs a permission (``shown``: a prompt came on screen for it, False when a
    remembered answer settled it) and ``("answer", prompt, True)`` when one is answered."""

    def __init__(self, *, browser: str, locale: str, seed: str = "") -> None:
        self.browser = browser
        self.lang = "zh" if locale.lower().startswith("zh") else "en"
        self.package = CHROME_PACKAGES.get(browser, "com.android.chrome")
        self.rng = random.Random(seed or secrets.token_hex(16))
        self.position = honey_position(self.rng)
        self.nickname = "ch" + "".join(self.rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
        self.prompts: list[Prompt] = []
        self.remembered: dict[tuple[str, str], str] = {}
        self.listeners: list[Callable[[str, Prompt, bool], None]] = []
        self.on_oauth_answer: Callable[[Prompt], None] | None = None
        self._next = 0

    # -- the page asks ---------------------------------------------------------------------------
    def _data(self, kind: str) -> dict[str, Any]:
        if kind in ("geolocation", "wx-location", "alipay-location"):
            return dict(self.position)
        if kind in ("wx-profile", "alipay-profile", "wx-oauth", "alipay-oauth"):
            code = "chc" + "".join(self.rng.choice("0123456789abcdef") for _ in range(24))
            return {"nickname": self.nickname, "avatar": "", "code": code}
        return {}

    def state_of(self, origin: str, kind: str) -> str:
        return self.remembered.get((origin, kind), "prompt")

    def ask(self, origin: str, kind: str, api: str, caller: str, extra: dict[str, str] | None = None) -> Prompt:
        """A call that needs ``kind`` for ``origin``: answered at once from a remembered answer,
        joined to the same pending prompt, or a new prompt (pending)."""
        self._next += 1
        known = self.remembered.get((origin, kind))
        if known is not None:
            p = Prompt(self._next, kind, origin, api[:200], caller[:300], state=known, data=self._data(kind) if known == "allow" else {}, extra=dict(extra or {}))
            self._tell("request", p, False)
            if known == "allow":
                self._tell("answer", p, False)
            return p
        same = next((p for p in self.prompts if p.state == "pending" and p.origin == origin and p.kind == kind and not extra), None)
        if same is not None:
            self._tell("request", Prompt(self._next, kind, origin, api[:200], caller[:300]), False)
            return same
        p = Prompt(self._next, kind, origin, api[:200], caller[:300], extra=dict(extra or {}))
        self.prompts.append(p)
        if len(self.prompts) > 200:  # a page that asks in a loop: the oldest answered ones go
            self.prompts = [q for q in self.prompts if q.state == "pending"][-200:]
        self._tell("request", p, True)
        return p

    def poll(self, pid: Any) -> dict[str, Any]:
        if isinstance(pid, float) and pid.is_integer():
            pid = int(pid)  # numbers cross the binding as JSON
        p = next((q for q in self.prompts if q.id == pid), None) if isinstance(pid, int) and not isinstance(pid, bool) else None
        if p is None:
            return {"state": "deny"}
        return {"state": "allow" if p.state == "allow" else ("pending" if p.state == "pending" else "deny"), "data": p.data if p.state == "allow" else {}}

    def _tell(self, what: str, p: Prompt, shown: bool) -> None:
        for fn in list(self.listeners):
            try:
                fn(what, p, shown)
            except Exception:  # noqa: BLE001 - a recorder's failure never changes the page
                pass

    # -- on screen -------------------------------------------------------------------------------
    @property
    def showing(self) -> Prompt | None:
        return next((p for p in self.prompts if p.state == "pending"), None)

    def _words(self) -> tuple[str, str, str] | None:
        """The prompt on screen's question, allow and deny labels (None when none is showing)."""
        p = self.showing
        if p is None:
            return None
        zh, en = PROMPT_KINDS[p.kind][1:]
        allow, deny = _BUTTONS[self.lang]
        return (zh if self.lang == "zh" else en).format(site=p.site), allow, deny

    def overlay(self) -> str:
        """The prompt on screen as hierarchy nodes ('' when none)."""
        words = self._words()
        if words is None:
            return ""
        msg, allow, deny = words
        pkg = self.package

        def node(cls: str, rid: str, text: str, box: tuple[int, int, int, int], click: bool, inner: str = "") -> str:
            b = f"[{box[0]},{box[1]}][{box[2]},{box[3]}]"
            r = f"{pkg}:id/{rid}" if rid else ""
            c = "true" if click else "false"
            return (
                f'<node index="0" text="{_esc(text)}" resource-id="{r}" class="{cls}" package="{pkg}" content-desc="" checkable="false" checked="false" '
                f'clickable="{c}" enabled="true" focusable="{c}" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="{b}">{inner}</node>'
            )

        inner = node("android.widget.TextView", "permission_message", msg, _MSG, False)
        inner += node("android.widget.Button", "permission_deny_button", deny, _DENY, True)
        inner += node("android.widget.Button", "permission_allow_button", allow, _ALLOW, True)
        box = node("android.widget.LinearLayout", "grant_dialog", "", _BOX, False, inner)
        return node("android.widget.FrameLayout", "", "", (0, 0, _W, _H), False, box)

    def overlay_html(self) -> str:
        """The prompt on screen drawn as HTML at the same places as :meth:`overlay` ('' when
        none), for the screenshot of the screen the harness read (headless Chromium draws no
        prompt). Every text is escaped: the site's name comes from the page."""
        words = self._words()
        if words is None:
            return ""
        msg, allow, deny = words

        def at(box: tuple[int, int, int, int], style: str, text: str = "") -> str:
            where = f"position:absolute;left:{box[0]}px;top:{box[1]}px;width:{box[2] - box[0]}px;height:{box[3] - box[1]}px;box-sizing:border-box"
            return f'<div style="{where};{style}">{html.escape(text)}</div>'

        button = "display:flex;align-items:center;justify-content:center;font:500 17px sans-serif;color:#1a73e8;border:1px solid #dadce0;border-radius:20px"
        return (
            at((0, 0, _W, _H), "background:rgba(0,0,0,0.45)")
            + at(_BOX, "background:#ffffff;border-radius:16px;box-shadow:0 2px 12px rgba(0,0,0,0.3)")
            + at(_MSG, "font:16px/1.45 sans-serif;color:#202124;overflow:hidden;word-break:break-all", msg)
            + at(_DENY, button, deny)
            + at(_ALLOW, button, allow)
        )

    def tap(self, x: int, y: int) -> bool:
        """A tap while a prompt is on screen: answers it when on a button; swallowed otherwise
        (the prompt is modal). False when no prompt is showing (the tap is the page's)."""
        p = self.showing
        if p is None:
            return False
        if _inside(_ALLOW, x, y):
            self.answer(p, "allow")
        elif _inside(_DENY, x, y):
            self.answer(p, "deny")
        return True

    def back(self) -> bool:
        """Back while a prompt is on screen dismisses it (not remembered)."""
        p = self.showing
        if p is None:
            return False
        self.answer(p, "dismissed")
        return True

    def answer(self, p: Prompt, state: str) -> None:
        p.state = state
        if state == "allow":
            p.data = self._data(p.kind)
            self.remembered[(p.origin, p.kind)] = "allow"
        elif state == "deny" and p.kind not in _ALLOW_ONLY:
            self.remembered[(p.origin, p.kind)] = "deny"
        # calls joined to this prompt get the same answer through poll (same object)
        self._tell("answer", p, True)
        if p.kind in ("wx-oauth", "alipay-oauth") and self.on_oauth_answer is not None:
            self.on_oauth_answer(p)

    def states(self) -> dict[str, str]:
        """Permission group -> state, from the answers given (for PermissionResult)."""
        out: dict[str, str] = {}
        for (_origin, kind), st in self.remembered.items():
            g = PROMPT_KINDS[kind][0]
            if g:
                out[g] = "granted" if st == "allow" else "denied"
        for p in self.prompts:
            if p.state == "dismissed" and p.group and p.group not in out:
                out[p.group] = "denied"
        return out
