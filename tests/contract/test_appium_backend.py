"""The Appium backend against a real Appium 3.8 server (fake driver + harness-fake-device plugin)
serving uiautomator-format page sources: consent flows, the capabilities the server actually
received, and error paths."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from contract_support import FAKE_PACKAGE, fake_config

from harness.devices.appium import AppiumConfig, AppiumDriver, LocalAppiumServer, server_status
from harness.errors import DeviceError, InputError

pytestmark = pytest.mark.appium

PC = "com.android.permissioncontroller:id/"
SHOP = "org.example.tinyshop:id/"


def received(drv: AppiumDriver) -> dict[str, Any]:
    """What the server side saw in this session (recorded by the plugin)."""
    value = drv.webdriver.execute_script("harness: received")
    assert isinstance(value, dict)
    return value


def test_server_status(appium_server: LocalAppiumServer) -> None:
    status = server_status(appium_server.url)
    assert status["ready"] is True
    assert status["build"]["version"] == "3.8.0"


def test_deny_a_permission_dialog_by_resource_id(appium_driver: AppiumDriver) -> None:
    d = appium_driver
    assert "用户协议与隐私政策" in d.hierarchy()
    d.click_by_id(SHOP + "btn_agree")
    assert d.has_id(PC + "permission_deny_button")
    assert d.foreground_package() == "com.android.permissioncontroller"
    d.click_by_id(PC + "permission_deny_button")
    source = d.hierarchy()
    assert "定位未开启" in source and not d.has_id(PC + "permission_deny_button")
    assert d.foreground_package() == FAKE_PACKAGE
    assert d.permission_state(FAKE_PACKAGE) == {"LOCATION": "denied"}


def test_tap_at_bounds_centre_grants_while_using(appium_driver: AppiumDriver) -> None:
    d = appium_driver
    d.tap(760, 1620)  # 同意并继续 [560,1560][960,1680]
    d.tap(540, 1185)  # While using the app [126,1130][954,1240]
    assert "附近门店" in d.hierarchy()
    assert d.permission_state(FAKE_PACKAGE) == {"LOCATION": "granted"}


def test_declining_the_policy_ends_the_app(appium_driver: AppiumDriver) -> None:
    d = appium_driver
    d.click_by_id(SHOP + "btn_disagree")
    assert d.is_running(FAKE_PACKAGE) is False
    assert d.foreground_package() != FAKE_PACKAGE
    d.launch(FAKE_PACKAGE)
    assert "用户协议与隐私政策" in d.hierarchy()  # a cold start shows the policy again


def test_back_walks_the_screen_history(appium_driver: AppiumDriver) -> None:
    d = appium_driver
    d.click_by_id(SHOP + "btn_agree")
    d.click_by_id(PC + "permission_deny_button")
    d.click_by_id(SHOP + "btn_browse")
    assert "全部商品" in d.hierarchy()
    d.back()
    assert "定位未开启" in d.hierarchy()  # the dismissed dialogs are not on the back stack
    d.back()
    assert d.foreground_package() != FAKE_PACKAGE and d.is_running(FAKE_PACKAGE)


def test_checkbox_state_is_read_from_the_page_source(appium_driver: AppiumDriver) -> None:
    d = appium_driver
    d.click_by_id(SHOP + "btn_agree")
    d.click_by_id(PC + "permission_deny_button")
    d.click_by_id(SHOP + "btn_browse")
    assert (
        'resource-id="org.example.tinyshop:id/opt_push" class="android.widget.CheckBox" package="org.example.tinyshop" content-desc="" checkable="true" checked="false"'
        in d.hierarchy()
    )
    d.click_by_id(SHOP + "opt_push")
    assert 'checked="true"' in d.hierarchy()


def _consent_ui() -> ModuleType:
    if importlib.util.find_spec("harness.consent_ui") is None:
        pytest.skip("harness.consent_ui (the recogniser) is not in the tree yet")
    import harness.consent_ui as cu

    if not hasattr(cu, "read_screen"):
        pytest.skip("harness.consent_ui.read_screen is not in the tree yet")
    return cu


def test_page_sources_read_through_the_recogniser(appium_driver: AppiumDriver) -> None:
    cu = _consent_ui()
    d = appium_driver
    privacy = cu.read_screen(d.hierarchy())
    assert privacy.kind == "privacy_dialog"
    accept = privacy.control("accept")
    assert accept is not None
    d.tap(*accept.center)
    perm = cu.read_screen(d.hierarchy())
    assert perm.kind == "permission_dialog"
    assert perm.permission_group == "LOCATION"
    deny = perm.control("deny")
    assert deny is not None and deny.resource_id == PC + "permission_deny_button"
    d.click_by_id(deny.resource_id)
    after = cu.read_screen(d.hierarchy())
    assert after.kind == "other"
    assert after.package == FAKE_PACKAGE


def test_capabilities_received_by_the_server_never_auto_consent(appium_driver: AppiumDriver) -> None:
    caps = received(appium_driver)["capabilities"]
    always = caps["alwaysMatch"]
    assert always["appium:autoGrantPermissions"] is False
    assert always["appium:autoAcceptAlerts"] is False
    assert always["appium:autoDismissAlerts"] is False
    every = [always, *caps.get("firstMatch", [])]
    switched_on = [k for m in every for k, v in m.items() if "auto" in k.lower() and v is True]
    assert switched_on == []
    # and the session the server created echoes it back
    assert appium_driver.session_capabilities.get("autoGrantPermissions") is False


def test_install_asks_the_server_not_to_grant(appium_driver: AppiumDriver, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "devices_apk_builder", Path(__file__).resolve().parents[1] / "unit" / "devices" / "apk_builder.py"
    )
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder  # its dataclasses look their module up
    spec.loader.exec_module(builder)
    apk = builder.write_apk(tmp_path / "shop.apk", builder.simple_manifest(FAKE_PACKAGE))
    assert appium_driver.install(str(apk)) == FAKE_PACKAGE
    calls = [c for c in received(appium_driver)["calls"] if c["command"] == "mobile: installApp"]
    assert len(calls) == 1
    assert calls[0]["args"]["grantPermissions"] is False
    assert calls[0]["args"]["appPath"] == str(apk.resolve())


def test_info_from_the_session(appium_driver: AppiumDriver) -> None:
    info = appium_driver.info()
    assert info.backend == "appium" and info.simulated is False
    assert info.api_level == 34 and info.model == "fake-device"
    assert info.extra["automation_name"] == "Fake"


def test_session_errors_are_device_errors(appium_server: LocalAppiumServer, tmp_path: Path) -> None:
    with pytest.raises(DeviceError, match="could not open a session"):
        AppiumDriver(
            appium_server.url,
            config=AppiumConfig(platform_name="Fake", automation_name="Fake", app=str(tmp_path / "nope.xml")),
        )
    with pytest.raises(DeviceError, match="could not open a session"):
        AppiumDriver(
            appium_server.url,
            config=AppiumConfig(platform_name="Android", automation_name="Fake", app="x.xml"),
        )


def test_unreachable_server_says_what_to_do() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DeviceError, match="no Appium server answers.*appium server"):
        AppiumDriver(f"http://127.0.0.1:{port}", config=fake_config())
    with pytest.raises(InputError, match="invalid Appium server URL"):
        AppiumDriver("file:///etc/passwd", config=fake_config())


def test_closed_driver_refuses_calls(appium_server: LocalAppiumServer) -> None:
    d = AppiumDriver(appium_server.url, config=fake_config())
    d.close()
    with pytest.raises(DeviceError, match="closed"):
        d.hierarchy()
