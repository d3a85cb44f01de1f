"""Building blocks for the consent-UI test corpus: nodes, layout and the two dump dialects.

The corpus screens (``make_corpus.py``) are written from knowledge of how real Android screens
are laid out: AOSP permission dialogs and OEM skins, in-app privacy dialogs, CMP banners and
preference centres, login pages and ordinary dialogs.  This module turns a small node tree into
what a device would print:

- ``ua``: ``uiautomator dump`` on one line (what adb and most scripts save);
- ``ua_pretty``: the same, indented (uiautomator2's ``dump_hierarchy``);
- ``appium``: Appium UiAutomator2 page source (elements named by class, ``displayed``, width and
  height on the root, empty resource ids left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

__all__ = ["ids", "N", "Stack", "tv", "btn", "img", "box", "cb", "sw", "radio", "edit", "web", "status_bar", "nav_bar", "render", "W"]

W = "android.widget."
_ATTR_ESC = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


@dataclass
class N:
    """One node: class, text, id, content-desc, bounds, flags, children."""

    cls: str
    text: str = ""
    rid: str = ""
    desc: str = ""
    b: tuple[int, int, int, int] = (0, 0, 0, 0)
    kids: list[N] = field(default_factory=list)
    click: bool = False
    check: bool | None = None  # None: not checkable
    enabled: bool = True
    pkg: str | None = None
    password: bool = False
    scroll: bool = False
    focusable: bool | None = None
    hint: str = ""
    selected: bool = False

    def add(self, *kids: N) -> N:
        self.kids.extend(kids)
        return self


def _cls(c: str) -> str:
    return c if "." in c else W + c


def tv(text: str, b: tuple[int, int, int, int], rid: str = "", *, click: bool = False, cls: str = "TextView", desc: str = "") -> N:
    return N(_cls(cls), text=text, rid=rid, b=b, click=click, desc=desc)


def btn(text: str, b: tuple[int, int, int, int], rid: str = "", *, cls: str = "Button", desc: str = "", enabled: bool = True) -> N:
    return N(_cls(cls), text=text, rid=rid, b=b, click=True, desc=desc, enabled=enabled)


def img(b: tuple[int, int, int, int], rid: str = "", *, desc: str = "", click: bool = False, cls: str = "ImageView") -> N:
    return N(_cls(cls), rid=rid, b=b, desc=desc, click=click)


def box(b: tuple[int, int, int, int], *kids: N, rid: str = "", cls: str = "LinearLayout", click: bool = False, desc: str = "", scroll: bool = False) -> N:
    return N(_cls(cls), rid=rid, b=b, kids=list(kids), click=click, desc=desc, scroll=scroll)


def cb(text: str, b: tuple[int, int, int, int], checked: bool, rid: str = "", *, cls: str = "CheckBox", enabled: bool = True, desc: str = "") -> N:
    return N(_cls(cls), text=text, rid=rid, b=b, click=True, check=checked, enabled=enabled, desc=desc)


def sw(text: str, b: tuple[int, int, int, int], checked: bool, rid: str = "", *, enabled: bool = True, desc: str = "") -> N:
    return N(W + "Switch", text=text, rid=rid, b=b, click=True, check=checked, enabled=enabled, desc=desc)


def radio(text: str, b: tuple[int, int, int, int], checked: bool, rid: str = "") -> N:
    return N(W + "RadioButton", text=text, rid=rid, b=b, click=True, check=checked)


def edit(text: str, b: tuple[int, int, int, int], rid: str = "", *, password: bool = False, hint: str = "") -> N:
    return N(W + "EditText", text=text, rid=rid, b=b, click=True, password=password, hint=hint, focusable=True)


def web(b: tuple[int, int, int, int], *kids: N, title: str = "") -> N:
    return N("android.webkit.WebView", text=title, b=b, kids=list(kids), focusable=True, scroll=True)


class Stack:
    """Lays nodes out top to bottom inside [x1, x2], starting at y."""

    def __init__(self, x1: int, y: int, x2: int, gap: int = 0) -> None:
        self.x1, self.y, self.x2, self.gap = x1, y, x2, gap

    def take(self, h: int, *, inset: int = 0) -> tuple[int, int, int, int]:
        b = (self.x1 + inset, self.y, self.x2 - inset, self.y + h)
        self.y += h + self.gap
        return b

    def text(self, text: str, size: int = 42, *, inset: int = 0) -> tuple[int, int, int, int]:
        width = max(1, self.x2 - self.x1 - 2 * inset)
        per_line = max(1, width // max(1, int(size * (1.0 if any(ord(c) > 0x2E80 for c in text) else 0.55))))
        lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        return self.take(int(lines * size * 1.4) + 8, inset=inset)

    def row(self, h: int, n: int, gap: int = 24, *, inset: int = 0) -> list[tuple[int, int, int, int]]:
        x1, x2 = self.x1 + inset, self.x2 - inset
        w = (x2 - x1 - gap * (n - 1)) // n
        out = [(x1 + i * (w + gap), self.y, x1 + i * (w + gap) + w, self.y + h) for i in range(n)]
        self.y += h + self.gap
        return out


def status_bar(width: int, h: int = 72, *, clock: str = "9:41") -> N:
    """The System UI status bar, dumped as its own window."""
    n = box(
        (0, 0, width, h),
        tv(clock, (32, 0, 150, h), "com.android.systemui:id/clock", desc=clock),
        img((width - 260, 8, width - 200, h - 8), "com.android.systemui:id/wifi_combo", desc="Wifi signal full."),
        img((width - 190, 8, width - 130, h - 8), "com.android.systemui:id/mobile_combo", desc="Phone four bars."),
        img((width - 110, 8, width - 40, h - 8), "com.android.systemui:id/battery", desc="Battery 86 percent."),
        rid="com.android.systemui:id/status_bar",
        cls="FrameLayout",
    )
    _set_pkg(n, "com.android.systemui")
    return n


def nav_bar(width: int, height: int, h: int = 126) -> N:
    n = box(
        (0, height - h, width, height),
        img((width // 2 - 300, height - h, width // 2 - 160, height), "com.android.systemui:id/back", desc="Back", click=True),
        img((width // 2 - 70, height - h, width // 2 + 70, height), "com.android.systemui:id/home", desc="Home", click=True),
        img((width // 2 + 160, height - h, width // 2 + 300, height), "com.android.systemui:id/recent_apps", desc="Overview", click=True),
        rid="com.android.systemui:id/navigation_bar_frame",
        cls="FrameLayout",
    )
    _set_pkg(n, "com.android.systemui")
    return n


def ids(prefix: str, on: bool = True) -> Callable[[str], str]:
    """Resource-id maker: ids("com.app:id/")("btn_ok") -> "com.app:id/btn_ok"; "" when off."""

    def make(name: str) -> str:
        return f"{prefix}{name}" if on and prefix else ""

    return make


def _set_pkg(n: N, pkg: str) -> None:
    stack = [n]
    while stack:
        x = stack.pop()
        if x.pkg is None:
            x.pkg = pkg
        stack.extend(x.kids)


def _esc(s: str) -> str:
    return escape(s, _ATTR_ESC)


def _flags(n: N) -> dict[str, str]:
    def t(v: bool) -> str:
        return "true" if v else "false"

    focusable = n.focusable if n.focusable is not None else (n.click or n.check is not None)
    return {
        "checkable": t(n.check is not None),
        "checked": t(bool(n.check)),
        "clickable": t(n.click),
        "enabled": t(n.enabled),
        "focusable": t(focusable),
        "focused": "false",
        "scrollable": t(n.scroll),
        "long-clickable": "false",
        "password": t(n.password),
        "selected": t(n.selected),
    }


def _bounds(b: tuple[int, int, int, int]) -> str:
    return f"[{b[0]},{b[1]}][{b[2]},{b[3]}]"


def _ua(n: N, index: int, out: list[str], depth: int, pretty: bool) -> None:
    f = _flags(n)
    attrs = (
        f'index="{index}" text="{_esc(n.text)}" resource-id="{_esc(n.rid)}" class="{_esc(n.cls)}" package="{_esc(n.pkg or "")}" '
        f'content-desc="{_esc(n.desc)}" checkable="{f["checkable"]}" checked="{f["checked"]}" clickable="{f["clickable"]}" '
        f'enabled="{f["enabled"]}" focusable="{f["focusable"]}" focused="false" scrollable="{f["scrollable"]}" '
        f'long-clickable="false" password="{f["password"]}" selected="{f["selected"]}" bounds="{_bounds(n.b)}"'
    )
    if n.hint:
        attrs += f' hint="{_esc(n.hint)}"'
    pad = "  " * depth if pretty else ""
    nl = "\n" if pretty else ""
    if n.kids:
        out.append(f"{pad}<node {attrs}>{nl}")
        for i, k in enumerate(n.kids):
            _ua(k, i, out, depth + 1, pretty)
        out.append(f"{pad}</node>{nl}")
    else:
        out.append(f"{pad}<node {attrs} />{nl}")


def _appium(n: N, index: int, out: list[str], depth: int) -> None:
    f = _flags(n)
    parts = [f'index="{index}"', f'package="{_esc(n.pkg or "")}"', f'class="{_esc(n.cls)}"', f'text="{_esc(n.text)}"']
    if n.desc:
        parts.append(f'content-desc="{_esc(n.desc)}"')
    if n.rid:
        parts.append(f'resource-id="{_esc(n.rid)}"')
    if n.hint:
        parts.append(f'hint="{_esc(n.hint)}"')
    for name in ("checkable", "checked", "clickable", "enabled", "focusable", "focused", "long-clickable", "password", "scrollable", "selected"):
        parts.append(f'{name}="{f[name]}"')
    parts.append(f'bounds="{_bounds(n.b)}"')
    parts.append('displayed="true"')
    tag = n.cls or "android.view.View"
    pad = "  " * depth
    if n.kids:
        out.append(f"{pad}<{tag} {' '.join(parts)}>\n")
        for i, k in enumerate(n.kids):
            _appium(k, i, out, depth + 1)
        out.append(f"{pad}</{tag}>\n")
    else:
        out.append(f"{pad}<{tag} {' '.join(parts)} />\n")


def render(windows: list[N], pkg: str, size: tuple[int, int], dialect: str = "ua", *, rotation: int = 0) -> str:
    """Render top-level windows (the app's, then bars) as one dump in ``dialect``."""
    for w in windows:
        _set_pkg(w, pkg)
    out: list[str] = []
    if dialect == "appium":
        out.append("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.append(f'<hierarchy index="0" class="hierarchy" rotation="{rotation}" width="{size[0]}" height="{size[1]}">\n')
        for i, w in enumerate(windows):
            _appium(w, i, out, 1)
        out.append("</hierarchy>")
    else:
        pretty = dialect == "ua_pretty"
        out.append("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>" + ("\n" if pretty else ""))
        out.append(f'<hierarchy rotation="{rotation}">' + ("\n" if pretty else ""))
        for i, w in enumerate(windows):
            _ua(w, i, out, 1 if pretty else 0, pretty)
        out.append("</hierarchy>")
    return "".join(out)
