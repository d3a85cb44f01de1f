"""The reference device: app models validate with precise errors; the engine behaves like a
device (screens, system permission dialogs, timers, background, process death) on virtual time."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from harness import yamlio
from harness.consent_ui.parse import parse_hierarchy
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.devices.sim.engine import SimDevice
from harness.devices.sim.model import available_models, load_bundled, load_model, load_model_file
from harness.devices.sim.render import LAUNCHER_PACKAGE, PERMISSION_PACKAGE
from harness.errors import AppModelError, DeviceError
from harness.events import ApiCall, AppState, Event, PermissionRequest
from harness.instrumentation.base import Target
from harness.scenarios.steps import find_node

BASE = """
model: t
package: com.example.t
label: T
screens:
  home:
    title: Home
    elements:
      - {id: cam, type: button, text: 拍照, intent: camera, on_tap: [{request: {permissions: [CAMERA], on_granted: [call: CameraManager.openCamera], on_denied: [exit: no camera]}}]}
      - {id: loc, type: button, text: 定位, on_tap: [{request: {permissions: [ACCESS_FINE_LOCATION, READ_CONTACTS]}}]}
      - {id: tick, type: button, text: tick, on_tap: [{every: {seconds: 2, while: foreground, do: [call: TelephonyManager.getImei]}}]}
      - {id: box, type: checkbox, text: 同意, checked: true}
"""


def model(text: str = BASE) -> Any:
    return load_model(yamlio.load(textwrap.dedent(text), "t.yaml"), "t.yaml")


def tap(drv: SimDriver, target: str) -> None:
    node = find_node(parse_hierarchy(drv.hierarchy()), target)
    assert node is not None, f"{target} not on screen"
    drv.tap(*node.center)


def recorder(drv: SimDriver, package: str) -> list[Event]:
    events: list[Event] = []
    SimInstrumentation(drv, attribute=lambda pkg: None).start(Target(package), events.extend, drv.now)
    return events


def driver_with(text: str = BASE) -> tuple[SimDriver, str]:
    dev = SimDevice()
    pkg = dev.install(model(text))
    return SimDriver(dev), pkg


@pytest.mark.parametrize(
    "patch, fragment, line",
    [
        (("label: T", "label: T\ncolour: red"), "unknown field 'colour'", 5),
        (("on_granted: [call: CameraManager.openCamera]", "on_granted: [call: Nope.nothing]"), "'Nope.nothing' is not in the API catalogue", 9),
        (("permissions: [CAMERA]", "permissions: [TELEPORT]"), "'TELEPORT' is not a runtime permission", 9),
        (("on_granted: [call: CameraManager.openCamera]", "on_granted: [call: TelephonyManager.getNeighboringCellInfo]"),
         "'TelephonyManager.getNeighboringCellInfo' does not exist on API 33 (catalogue range 3-28)", 9),
        (("package: com.example.t", "package: 'com.example.t; rm -rf /'"), "not a valid Android package name", 3),
        (("type: checkbox", "type: hologram"), "must be one of", 12),
        (("{seconds: 2,", "{seconds: -2,"), "seconds from 0.01", 11),
        (("on_denied: [exit: no camera]", "on_denied: [{goto: nowhere}]"), "unknown screen 'nowhere'", 9),
        (("on_denied: [exit: no camera]", "on_denied: [{fly: away}]"), "unknown action 'fly'", 9),
    ],
)
def test_model_errors_name_file_line_field(patch: tuple[str, str], fragment: str, line: int) -> None:
    text = textwrap.dedent(BASE).replace(*patch)
    with pytest.raises(AppModelError) as exc:
        load_model(yamlio.load(text, "t.yaml"), "t.yaml")
    assert fragment in str(exc.value)
    assert f"t.yaml:{line}" in str(exc.value)


def test_unknown_model_name_lists_the_bundled_ones() -> None:
    with pytest.raises(AppModelError, match="unknown app model 'nope'.*demo-clean"):
        load_bundled("nope")


def test_bundled_models_load() -> None:
    names = available_models()
    assert {"demo-clean", "demo-precollect"} <= set(names)
    for n in names:
        m = load_bundled(n)
        assert m.package and m.screens


def test_permission_dialog_uses_aosp_ids_and_deny_twice_is_forever() -> None:
    drv, pkg = driver_with()
    events = recorder(drv, pkg)
    drv.launch(pkg)
    tap(drv, "拍照")
    xml = drv.hierarchy()
    assert "com.android.permissioncontroller:id/permission_deny_button" in xml
    assert "com.android.permissioncontroller:id/permission_allow_foreground_only_button" in xml
    assert drv.foreground_package() == PERMISSION_PACKAGE
    tap(drv, "permission_deny_button")
    # denied: the model exits the app
    assert not drv.is_running(pkg) and drv.foreground_package() == LAUNCHER_PACKAGE
    assert drv.permission_state(pkg) == {"CAMERA": "denied"}
    drv.launch(pkg)
    tap(drv, "拍照")
    tap(drv, "permission_deny_button")
    assert drv.permission_state(pkg) == {"CAMERA": "denied_forever"}
    drv.launch(pkg)
    tap(drv, "拍照")  # no dialog any more, but the hook still sees the request
    assert drv.foreground_package() == LAUNCHER_PACKAGE
    reqs = [e for e in events if isinstance(e, PermissionRequest)]
    assert len(reqs) == 3 and all(r.groups == ("CAMERA",) for r in reqs)
    states = [e.state for e in events if isinstance(e, AppState)]
    assert states.count("exited") == 3


def test_bundled_request_shows_one_dialog_per_group_and_grant_runs_callback() -> None:
    drv, pkg = driver_with()
    events = recorder(drv, pkg)
    drv.launch(pkg)
    tap(drv, "定位")
    assert "位置信息" in drv.hierarchy()
    tap(drv, "permission_allow_foreground_only_button")
    assert "通讯录" in drv.hierarchy()
    tap(drv, "permission_allow_button")
    assert drv.foreground_package() == pkg
    assert drv.permission_state(pkg) == {"LOCATION": "granted_foreground", "CONTACTS": "granted"}
    tap(drv, "拍照")
    tap(drv, "permission_allow_one_time_button")
    assert [e.api_id for e in events if isinstance(e, ApiCall)] == ["CameraManager.openCamera"]
    (req,) = [e for e in events if isinstance(e, PermissionRequest) and "LOCATION" in e.groups]
    assert req.groups == ("LOCATION", "CONTACTS")


def test_timers_run_on_virtual_time_and_pause_in_background() -> None:
    drv, pkg = driver_with()
    events = recorder(drv, pkg)
    drv.launch(pkg)
    tap(drv, "tick")
    t0 = drv.now()
    drv.sleep(20)
    n_fg = sum(isinstance(e, ApiCall) for e in events)
    assert n_fg == 10
    assert drv.now() == pytest.approx(t0 + 20, abs=0.01)
    drv.home()
    drv.sleep(20)
    assert sum(isinstance(e, ApiCall) for e in events) == n_fg  # 'while: foreground'
    drv.launch(pkg)  # warm: back to the front, the timer fires again
    drv.sleep(4.1)
    assert sum(isinstance(e, ApiCall) for e in events) > n_fg
    drv.stop(pkg)
    n = sum(isinstance(e, ApiCall) for e in events)
    drv.sleep(60)
    assert sum(isinstance(e, ApiCall) for e in events) == n  # a dead process has no timers


def test_checkbox_state_and_clear_data() -> None:
    drv, pkg = driver_with()
    drv.launch(pkg)
    assert 'text="同意"' in drv.hierarchy() and 'checked="true"' in drv.hierarchy()
    tap(drv, "box")
    assert 'checked="true"' not in drv.hierarchy()
    tap(drv, "定位")
    tap(drv, "permission_deny_button")
    tap(drv, "permission_deny_button")
    assert drv.permission_state(pkg)
    drv.clear_data(pkg)
    assert drv.permission_state(pkg) == {} and not drv.is_running(pkg)


def test_demo_precollect_collects_before_any_tap_and_is_attributed(tmp_path: Path) -> None:
    drv = SimDriver()
    pkg = drv.install("demo-precollect")
    events: list[Event] = []
    SimInstrumentation(drv).start(Target(pkg), events.extend, drv.now)
    drv.launch(pkg)
    apis = [e for e in events if isinstance(e, ApiCall)]
    assert [a.api_id for a in apis] == ["TelephonyManager.getImei", "Settings$Secure.getString#android_id"]
    assert apis[1].args == "android_id"
    assert all(a.caller.startswith("com.umeng.commonsdk") for a in apis)
    assert all(a.sdk not in ("", "app") for a in apis), [a.sdk for a in apis]
    assert apis[0].stack[0].startswith("com.umeng.commonsdk")  # the hooked frame itself is dropped, as the agent does
    assert not any(f.startswith("android.telephony.TelephonyManager") for f in apis[0].stack)


def test_same_inputs_same_events() -> None:
    def run() -> list[tuple[str, float]]:
        drv, pkg = driver_with()
        events = recorder(drv, pkg)
        drv.launch(pkg)
        tap(drv, "tick")
        drv.sleep(7)
        tap(drv, "定位")
        tap(drv, "permission_deny_button")
        return [(e.kind, round(e.t, 6)) for e in events]

    assert run() == run()


def test_a_looping_model_is_stopped() -> None:
    text = BASE.replace("on_tap: [{every: {seconds: 2, while: foreground, do: [call: TelephonyManager.getImei]}}]", "on_tap: [goto: loop]") + "  loop:\n    on_show: [goto: loop]\n"
    drv, pkg = driver_with(text)
    drv.launch(pkg)
    with pytest.raises(DeviceError, match="loop in the model"):
        tap(drv, "tick")


def test_load_model_file_reports_path(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("model: x\n", encoding="utf-8")
    with pytest.raises(AppModelError, match=r"m\.yaml:1:.*missing required field 'package'"):
        load_model_file(p)
