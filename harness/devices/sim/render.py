"""Render reference-device screens as uiautomator-format hierarchy XML.

The output is what ``uiautomator dump`` prints on a 1080x2400 phone: ``<hierarchy>`` with nested
``<node>`` elements carrying index, text, resource-id, class, package, content-desc, the boolean
flags and bounds. System permission dialogs use the AOSP permission-controller resource ids
(``com.android.permissioncontroller:id/permission_deny_button`` ...), so the consent-UI
recogniser reads them exactly as it reads a real device.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from harness.devices.sim.model import Element, Screen

__all__ = ["Node", "render_app", "render_permission_dialog", "render_launcher", "WIDTH", "HEIGHT", "LAUNCHER_PACKAGE", "PERMISSION_PACKAGE"]

WIDTH, HEIGHT = 1080, 2400
LAUNCHER_PACKAGE = "com.google.android.apps.nexuslauncher"
PERMISSION_PACKAGE = "com.google.android.permissioncontroller"
_PC = "com.android.permissioncontroller:id/"


@dataclass(slots=True)
class Node:
    """One node in the hierarchy; ``element`` links back to the model element it shows."""

    cls: str
    bounds: tuple[int, int, int, int]
    text: str = ""
    rid: str = ""
    desc: str = ""
    clickable: bool = False
    checkable: bool = False
    checked: bool = False
    package: str = ""
    element: str = ""  # model element id, or a system-dialog action name
    children: list[Node] | None = None

    def xml(self, index: int, out: list[str], depth: int = 0) -> None:
        x1, y1, x2, y2 = self.bounds
        attrs = (
            f'index="{index}" text={quoteattr(self.text)} resource-id={quoteattr(self.rid)} class={quoteattr(self.cls)} '
            f'package={quoteattr(self.package)} content-desc={quoteattr(self.desc)} checkable="{str(self.checkable).lower()}" '
            f'checked="{str(self.checked).lower()}" clickable="{str(self.clickable).lower()}" enabled="true" '
            f'focusable="{str(self.clickable).lower()}" focused="false" scrollable="false" long-clickable="false" '
            f'password="false" selected="false" bounds="[{x1},{y1}][{x2},{y2}]"'
        )
        if self.children:
            out.append(f"{'  ' * depth}<node {attrs}>")
            for i, c in enumerate(self.children):
                c.xml(i, out, depth + 1)
            out.append(f"{'  ' * depth}</node>")
        else:
            out.append(f"{'  ' * depth}<node {attrs} />")

    def walk(self) -> list[Node]:
        out = [self]
        for c in self.children or ():
            out.extend(c.walk())
        return out


def _doc(root: Node) -> str:
    out = ["<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>", '<hierarchy rotation="0">']
    root.xml(0, out, 1)
    out.append("</hierarchy>")
    return "\n".join(out)


def _text_height(text: str, width: int, size: int) -> int:
    per_line = max(1, width // max(1, size))
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    return lines * int(size * 1.5) + 20


def _element_nodes(els: tuple[Element, ...], pkg: str, x1: int, x2: int, y: int, row: bool) -> tuple[list[Node], int]:
    nodes: list[Node] = []
    width = x2 - x1
    buttons = [e for e in els if e.type == "button" and e.style in ("primary", "secondary")]
    rowable = row and len(buttons) == 2
    row_y = -1
    for e in els:
        rid = f"{pkg}:id/{e.id}"
        if e.type in ("button",) and e.style in ("primary", "secondary") and rowable:
            if row_y < 0:
                row_y = y
                y += 150
            left = buttons.index(e) == 0
            bx1, bx2 = (x1, x1 + width // 2 - 15) if left else (x1 + width // 2 + 15, x2)
            nodes.append(Node("android.widget.Button", (bx1, row_y, bx2, row_y + 130), e.text, rid, e.desc, True, package=pkg, element=e.id))
            continue
        if e.type == "button" and e.style == "close":
            nodes.append(Node("android.widget.ImageView", (x2 - 110, y - 10, x2 - 10, y + 90), "", rid, e.desc or e.text or "关闭", True, package=pkg, element=e.id))
            continue
        if e.type == "button":
            h = 140 if e.style == "primary" else 120
            nodes.append(Node("android.widget.Button", (x1, y, x2, y + h), e.text, rid, e.desc, True, package=pkg, element=e.id))
            y += h + 30
        elif e.type in ("link", "text"):
            size = 36 if e.type == "link" else 42
            h = _text_height(e.text, width, size)
            nodes.append(Node("android.widget.TextView", (x1, y, x2 if e.type == "text" else x1 + min(width, 40 * len(e.text) + 40), y + h), e.text, rid, e.desc, e.type == "link" or bool(e.on_tap), package=pkg, element=e.id))
            y += h + 10
        elif e.type in ("checkbox", "switch"):
            cls = "android.widget.CheckBox" if e.type == "checkbox" else "android.widget.Switch"
            h = _text_height(e.text, width - 90, 36)
            nodes.append(Node(cls, (x1, y, x2, y + h), e.text, rid, e.desc, True, True, e.checked, package=pkg, element=e.id))
            y += h + 20
        elif e.type == "input":
            nodes.append(Node("android.widget.EditText", (x1, y, x2, y + 130), e.text or e.hint, rid, e.desc, True, package=pkg, element=e.id))
            y += 160
        elif e.type == "tab":
            nodes.append(Node("android.widget.TextView", (x1, y, x2, y + 120), e.text, rid, e.desc, True, package=pkg, element=e.id))
            y += 130
        elif e.type == "image":
            nodes.append(Node("android.widget.ImageView", (x1, y, x2, y + 400), "", rid, e.desc or e.text, bool(e.on_tap), package=pkg, element=e.id))
            y += 420
    return nodes, y


def _page(screen: Screen, pkg: str, checked: dict[str, bool]) -> Node:
    children: list[Node] = []
    y = 80
    if screen.title:
        children.append(Node("android.widget.TextView", (40, y, WIDTH - 40, y + 110), screen.title, f"{pkg}:id/title", package=pkg))
        y += 140
    for i, para in enumerate(screen.body):
        h = _text_height(para, WIDTH - 80, 42)
        children.append(Node("android.widget.TextView", (40, y, WIDTH - 40, y + h), para, f"{pkg}:id/body{i}" if i else f"{pkg}:id/body", package=pkg))
        y += h + 20
    els = tuple(_with_state(e, checked) for e in screen.elements)
    nodes, _ = _element_nodes(els, pkg, 40, WIDTH - 40, y + 20, screen.buttons_row)
    children.extend(nodes)
    content = Node("android.widget.LinearLayout", (0, 80, WIDTH, HEIGHT), rid=f"{pkg}:id/content", package=pkg, children=children)
    return content


def _with_state(e: Element, checked: dict[str, bool]) -> Element:
    if e.id in checked and checked[e.id] != e.checked:
        from dataclasses import replace

        return replace(e, checked=checked[e.id])
    return e


def _dialog(screen: Screen, pkg: str, checked: dict[str, bool]) -> Node:
    x1, x2 = 90, WIDTH - 90
    children: list[Node] = []
    y = 640
    if screen.title:
        children.append(Node("android.widget.TextView", (x1 + 40, y, x2 - 40, y + 100), screen.title, f"{pkg}:id/dialog_title", package=pkg))
        y += 120
    for i, para in enumerate(screen.body):
        h = _text_height(para, x2 - x1 - 80, 40)
        children.append(Node("android.widget.TextView", (x1 + 40, y, x2 - 40, y + h), para, f"{pkg}:id/dialog_message" if not i else f"{pkg}:id/dialog_message{i}", package=pkg))
        y += h + 10
    els = tuple(_with_state(e, checked) for e in screen.elements)
    nodes, y = _element_nodes(els, pkg, x1 + 40, x2 - 40, y + 20, screen.buttons_row)
    children.extend(nodes)
    bottom = max(y + 40, 1300)
    return Node("android.widget.FrameLayout", (x1, 600, x2, bottom), rid=f"{pkg}:id/dialog_root", package=pkg, children=children)


def render_app(page: Screen, dialog: Screen | None, pkg: str, checked: dict[str, bool]) -> tuple[str, list[Node]]:
    """XML for an app page with an optional in-app dialog over it, and the clickable nodes,
    top-most first."""
    root_children = [_page(page, pkg, checked)]
    if dialog is not None:
        scrim = Node("android.widget.FrameLayout", (0, 0, WIDTH, HEIGHT), package=pkg, children=[_dialog(dialog, pkg, checked)])
        root_children.append(scrim)
    root = Node("android.widget.FrameLayout", (0, 0, WIDTH, HEIGHT), package=pkg, children=root_children)
    clickables = [n for n in root.walk() if n.clickable]
    clickables.reverse()
    return _doc(root), clickables


_PERM_TEXT = {
    "en": {
        "LOCATION": "access this device's location",
        "CAMERA": "take pictures and record video",
        "MICROPHONE": "record audio",
        "CONTACTS": "access your contacts",
        "PHONE": "make and manage phone calls",
        "CALL_LOG": "access your phone call logs",
        "SMS": "send and view SMS messages",
        "CALENDAR": "access your calendar",
        "STORAGE": "access photos, media, and files on your device",
        "MEDIA": "access photos and videos on this device",
        "SENSORS": "access sensor data about your vital signs",
        "ACTIVITY_RECOGNITION": "access your physical activity",
        "NEARBY_DEVICES": "find, connect to, and determine the relative position of nearby devices",
        "NOTIFICATIONS": "send you notifications",
    },
    "zh": {
        "LOCATION": "获取此设备的位置信息",
        "CAMERA": "拍摄照片和录制视频",
        "MICROPHONE": "录音",
        "CONTACTS": "访问您的通讯录",
        "PHONE": "拨打电话和管理通话",
        "CALL_LOG": "访问您的通话记录",
        "SMS": "发送和查看短信",
        "CALENDAR": "访问您的日历",
        "STORAGE": "访问您设备上的照片、媒体内容和文件",
        "MEDIA": "访问此设备上的照片和视频",
        "SENSORS": "获取与您的生命体征相关的传感器数据",
        "ACTIVITY_RECOGNITION": "获取您的身体活动数据",
        "NEARBY_DEVICES": "查找、连接附近的设备以及确定这些设备的相对位置",
        "NOTIFICATIONS": "向您发送通知",
    },
}
_BTN = {
    "en": {"fg": "While using the app", "once": "Only this time", "allow": "Allow", "deny": "Don't allow"},
    "zh": {"fg": "仅在使用该应用时允许", "once": "仅限这一次", "allow": "允许", "deny": "不允许"},
}
FOREGROUND_GROUPS = frozenset({"LOCATION", "CAMERA", "MICROPHONE"})


def render_permission_dialog(label: str, group: str, locale: str) -> tuple[str, list[Node]]:
    """The API 30+ runtime-permission dialog for one group, as GrantPermissionsActivity shows it."""
    lang = "zh" if locale.startswith("zh") else "en"
    what = _PERM_TEXT[lang].get(group, group.lower())
    msg = f"要允许“{label}”{what}吗？" if lang == "zh" else f"Allow {label} to {what}?"
    b = _BTN[lang]
    pkg = PERMISSION_PACKAGE
    kids: list[Node] = [
        Node("android.widget.ImageView", (492, 820, 588, 916), rid=_PC + "permission_icon", package=pkg),
        Node("android.widget.TextView", (120, 950, 960, 1130), msg, _PC + "permission_message", package=pkg),
    ]
    y = 1180
    buttons: list[tuple[str, str, str]] = []
    if group in FOREGROUND_GROUPS:
        buttons += [("allow_foreground", "permission_allow_foreground_only_button", b["fg"]), ("allow_once", "permission_allow_one_time_button", b["once"])]
    else:
        buttons.append(("allow", "permission_allow_button", b["allow"]))
    buttons.append(("deny", "permission_deny_button", b["deny"]))
    for action, rid, text in buttons:
        kids.append(Node("android.widget.Button", (120, y, 960, y + 140), text, _PC + rid, clickable=True, package=pkg, element=action))
        y += 150
    grid = Node("android.widget.LinearLayout", (90, 780, 990, y + 40), rid=_PC + "grant_dialog", package=pkg, children=kids)
    root = Node("android.widget.FrameLayout", (0, 0, WIDTH, HEIGHT), package=pkg, children=[grid])
    clickables = [n for n in root.walk() if n.clickable]
    return _doc(root), clickables


def render_launcher(apps: list[str]) -> tuple[str, list[Node]]:
    pkg = LAUNCHER_PACKAGE
    kids = [
        Node("android.widget.TextView", (60 + (i % 4) * 250, 1700 + (i // 4) * 300, 260 + (i % 4) * 250, 1950 + (i // 4) * 300), name, desc=name, clickable=True, package=pkg, element=f"icon:{name}")
        for i, name in enumerate(apps)
    ]
    root = Node("android.widget.FrameLayout", (0, 0, WIDTH, HEIGHT), rid=f"{pkg}:id/workspace", package=pkg, children=kids)
    return _doc(root), [n for n in root.walk() if n.clickable]
