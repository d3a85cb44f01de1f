"""The Driver contract: every backend (sim, Appium, uiautomator2) passes the same checks.

Only protocol behaviour is asserted here, nothing backend-specific, so a new backend proves
itself by being added to the ``case`` fixture in conftest.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest
from contract_support import Case

from harness.catalog.permissions import GROUPS
from harness.devices.base import PERMISSION_STATES, DeviceInfo, Driver
from harness.errors import InputError

BOUNDS = re.compile(r"\[-?\d+,-?\d+\]\[-?\d+,-?\d+\]")
HOSTILE = "com.example;reboot"


def parse(xml: str) -> Element:
    root = SafeET.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    assert isinstance(root, Element)
    return root


def nodes(root: Element) -> list[Element]:
    return [n for n in root.iter() if n.get("bounds") is not None]


def centre(bounds: str) -> tuple[int, int]:
    a, b, c, d = (int(v) for v in re.findall(r"-?\d+", bounds))
    return (a + c) // 2, (b + d) // 2


def test_is_a_driver_and_describes_itself(case: Case) -> None:
    d = case.driver
    assert isinstance(d, Driver)
    assert isinstance(d.backend, str) and d.backend
    info = d.info()
    assert isinstance(info, DeviceInfo)
    assert info.backend == d.backend
    assert info.simulated is d.simulated
    assert (case.name == "sim") is d.simulated


def test_clock_is_monotonic_and_sleep_advances_it(case: Case) -> None:
    d = case.driver
    t0 = d.now()
    d.sleep(0.02)
    t1 = d.now()
    assert t0 >= 0.0
    assert t1 - t0 >= 0.02 - 1e-6


def test_launch_brings_the_app_to_the_front(case: Case) -> None:
    d = case.driver
    d.launch(case.package)
    assert d.foreground_package() == case.package
    assert d.is_running(case.package) is True


def test_hierarchy_is_uiautomator_xml(case: Case) -> None:
    d = case.driver
    d.launch(case.package)
    root = parse(d.hierarchy())
    assert root.tag == "hierarchy"
    found = nodes(root)
    assert found, "a screen has nodes with bounds"
    assert all(BOUNDS.fullmatch(n.get("bounds", "")) for n in found)
    assert all(n.get("class") for n in found), "every node names its class (the recogniser reads it)"
    assert any(n.get("package") == case.package for n in found)


def test_a_tap_at_the_centre_of_a_control_reaches_the_app(case: Case) -> None:
    d = case.driver
    d.launch(case.package)
    tried: set[str] = set()
    for _ in range(6):
        before = d.hierarchy()
        fg_before = d.foreground_package()
        candidates = [
            n
            for n in nodes(parse(before))
            if n.get("clickable") == "true"
            and n.get("enabled", "true") == "true"
            and n.get("bounds") not in tried
        ]
        if not candidates:
            break
        target = candidates[-1]
        tried.add(target.get("bounds", ""))
        d.tap(*centre(target.get("bounds", "")))
        if d.hierarchy() != before or d.foreground_package() != fg_before:
            return
    pytest.fail(f"no tap on {len(tried)} clickable control(s) changed the screen")


def test_home_backgrounds_and_launch_resumes(case: Case) -> None:
    d = case.driver
    d.launch(case.package)
    d.home()
    assert d.foreground_package() != case.package
    assert d.is_running(case.package), "HOME sends the app to the background; it keeps running"
    d.launch(case.package)
    assert d.foreground_package() == case.package


def test_back_is_accepted(case: Case) -> None:
    d = case.driver
    d.launch(case.package)
    d.back()
    assert isinstance(d.foreground_package(), str)
    parse(d.hierarchy())


def test_stop_ends_the_process(case: Case) -> None:
    d = case.driver
    d.launch(case.package)
    d.stop(case.package)
    assert d.is_running(case.package) is False
    assert d.foreground_package() != case.package


def test_clear_data_resets_permissions(case: Case) -> None:
    if not case.can_clear:
        pytest.skip(f"{case.name}: the suite never wipes a real device's system app")
    d = case.driver
    d.launch(case.package)
    d.clear_data(case.package)
    assert d.is_running(case.package) is False
    state = d.permission_state(case.package)
    assert not [g for g, s in state.items() if s.startswith("granted")]


def test_permission_state_uses_the_shared_vocabulary(case: Case) -> None:
    state = case.driver.permission_state(case.package)
    assert isinstance(state, dict)
    assert set(state) <= set(GROUPS)
    assert set(state.values()) <= set(PERMISSION_STATES)


def test_screenshot_is_a_png_or_false(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "screen.png"
    ok = case.driver.screenshot(str(out))
    assert isinstance(ok, bool)
    if ok:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert not out.exists() or out.stat().st_size == 0


@pytest.mark.parametrize("method", ["launch", "stop", "clear_data", "is_running", "permission_state"])
def test_hostile_package_names_are_refused(case: Case, method: str) -> None:
    with pytest.raises(InputError):
        getattr(case.driver, method)(HOSTILE)


def test_close_twice(case: Case) -> None:
    case.driver.close()
    case.driver.close()
