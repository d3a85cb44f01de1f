"""No driver may consent on the user's behalf.

1. A source scan of harness/devices/ (every backend, the reference device included): no
   uiautomator2 watchers, no ``app_auto_grant_permissions``, no ``install -g`` /
   ``--grant-all-permissions`` / ``pm grant``, and Appium auto-grant / auto-accept / auto-dismiss
   capabilities only ever set to False. Docstrings and comments may talk about them.
2. The Appium capability builder always sends ``autoGrantPermissions: false`` and refuses
   attempts to switch any of them on.
(The capabilities a real Appium server actually received are checked in tests/contract/.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from harness.devices.appium import FORBIDDEN_CAPABILITIES, AppiumConfig
from harness.errors import InputError

DEVICES = Path(__file__).resolve().parents[3] / "harness" / "devices"

FORBIDDEN_ATTRS = {"watcher", "watch_context", "app_auto_grant_permissions", "autoGrantPermissions"}
FORBIDDEN_STRINGS = {"-g", "--grant-all-permissions"}
CAP_NAMES = {k for k in FORBIDDEN_CAPABILITIES} | {f"appium:{k}" for k in FORBIDDEN_CAPABILITIES}


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def scan(source: str, name: str = "<src>") -> list[str]:
    """Violations in one Python source."""
    tree = ast.parse(source, name)
    docs = _docstring_nodes(tree)
    out: list[str] = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRS:
            out.append(f"{where}: uses .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_ATTRS:
            out.append(f"{where}: uses {node.id}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            text = node.value
            if text in FORBIDDEN_STRINGS:
                out.append(f"{where}: string {text!r} (grants every permission on install)")
            words = text.split()
            if "install" in words and ("-g" in words or "--grant-all-permissions" in words):
                out.append(f"{where}: shell text {text!r}")
            if words[:2] == ["pm", "grant"] or (len(words) >= 2 and words[0] == "grant" and "." in words[-1]):
                out.append(f"{where}: grants a permission: {text!r}")
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value in CAP_NAMES:
                    if not (isinstance(v, ast.Constant) and v.value is False):
                        out.append(f"{where}: capability {k.value!s} not set to False")
        elif isinstance(node, ast.List):
            consts = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if consts[:2] == ["pm", "grant"]:
                out.append(f"{where}: pm grant command")
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in FORBIDDEN_CAPABILITIES and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    out.append(f"{where}: keyword {kw.arg} not False")
    return out


def test_the_scanner_catches_each_kind_of_violation() -> None:
    bad = """
import uiautomator2
d = uiautomator2.connect("x")
d.watcher.when("允许").click()
d.watch_context()
d.app_auto_grant_permissions("com.x")
adb(["install", "-g", "a.apk"])
shell("pm install -g /data/local/tmp/a.apk")
shell(["pm", "grant", "com.x", "android.permission.CAMERA"])
caps = {"appium:autoGrantPermissions": True, "autoAcceptAlerts": flag}
opts.set(autoDismissAlerts=True)
"""
    found = scan(bad)
    kinds = " | ".join(found)
    for needle in (
        ".watcher",
        ".watch_context",
        ".app_auto_grant_permissions",
        "'-g'",
        "shell text",
        "pm grant",
        "appium:autoGrantPermissions not set",
        "autoAcceptAlerts not set",
        "keyword autoDismissAlerts",
    ):
        assert needle in kinds, f"scanner missed {needle}: {found}"


def test_the_scanner_allows_docs_and_explicit_false() -> None:
    ok = '''
"""Never uses uiautomator2's watcher, never install -g, autoGrantPermissions stays false."""
caps = {"appium:autoGrantPermissions": False}
# d.watcher is never used
'''
    assert scan(ok) == []


def test_device_sources_never_consent_on_the_users_behalf() -> None:
    files = sorted(DEVICES.rglob("*.py"))
    assert any(f.name == "adb.py" for f in files) and any(f.name == "appium.py" for f in files)
    problems = [
        p for f in files for p in scan(f.read_text(encoding="utf-8"), str(f.relative_to(DEVICES.parent)))
    ]
    assert problems == []


def test_appium_caps_always_send_auto_grant_false() -> None:
    caps = AppiumConfig().capabilities()
    assert caps["appium:autoGrantPermissions"] is False
    assert caps["appium:autoAcceptAlerts"] is False
    assert caps["appium:autoDismissAlerts"] is False
    assert caps["appium:automationName"] == "UiAutomator2" and caps["platformName"] == "Android"


@pytest.mark.parametrize(
    "extra",
    [
        {"autoGrantPermissions": True},
        {"appium:autoGrantPermissions": True},
        {"autoAcceptAlerts": True},
        {"appium:autoDismissAlerts": "true"},
    ],
)
def test_appium_caps_refuse_auto_consent(extra: dict[str, object]) -> None:
    with pytest.raises(InputError, match="never lets a driver"):
        AppiumConfig(extra=extra).capabilities()


def test_appium_reset_modes() -> None:
    assert AppiumConfig(reset="none").capabilities()["appium:noReset"] is True
    clear = AppiumConfig(reset="clear").capabilities()
    assert clear["appium:noReset"] is False and clear["appium:fullReset"] is False
    assert AppiumConfig(reset="full").capabilities()["appium:fullReset"] is True
    with pytest.raises(InputError, match="reset mode"):
        AppiumConfig(reset="wipe").capabilities()


def test_appium_caps_validate_package() -> None:
    with pytest.raises(InputError):
        AppiumConfig(app_package="com.x;reboot").capabilities()
    caps = AppiumConfig(app_package="com.x.y", udid="emulator-5554", extra={"language": "zh"}).capabilities()
    assert caps["appium:appPackage"] == "com.x.y" and caps["appium:udid"] == "emulator-5554"
    assert caps["appium:language"] == "zh"
