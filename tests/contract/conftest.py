"""Fixtures for the Driver contract suite.

Backends: ``sim`` (the reference device, always), ``appium`` (a real Appium 3 server from
tools/appium with Appium's fake driver and our harness-fake-device plugin, always in
``make test``) and ``u2`` (uiautomator2 on a real device, only with ``pytest --device SERIAL``).

Appium must be installed for ``make test`` (tools/appium/setup.sh). When it is missing the
Appium tests FAIL, so a CI machine without the install step is noticed; set
CONSENT_HARNESS_SKIP_APPIUM=1 to skip them on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contract_support import APPIUM_HOME, FAKE_PACKAGE, SKIP_APPIUM, Case, fake_config

from harness.devices.appium import AppiumDriver, LocalAppiumServer


@pytest.fixture(scope="session")
def appium_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAppiumServer]:
    if SKIP_APPIUM:
        pytest.skip("CONSENT_HARNESS_SKIP_APPIUM=1: Appium tests skipped on purpose")
    if not (APPIUM_HOME / "node_modules" / ".bin" / "appium").exists():
        pytest.fail(
            "Appium is not installed: run tools/appium/setup.sh (npm ci of the pinned appium + fake driver), "
            "or set CONSENT_HARNESS_SKIP_APPIUM=1 to skip these tests on purpose"
        )
    log = tmp_path_factory.mktemp("appium") / "appium.log"
    server = LocalAppiumServer(APPIUM_HOME, drivers=("fake",), plugins=("harness-fake-device",), log_path=log)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def appium_driver(appium_server: LocalAppiumServer) -> Iterator[AppiumDriver]:
    drv = AppiumDriver(appium_server.url, config=fake_config())
    try:
        yield drv
    finally:
        drv.close()


@pytest.fixture(
    params=[
        "sim",
        pytest.param("appium", marks=pytest.mark.appium),
        pytest.param("u2", marks=pytest.mark.device),
    ]
)
def case(request: pytest.FixtureRequest) -> Iterator[Case]:
    name = request.param
    if name == "sim":
        try:
            from harness.devices.sim import SimDriver
        except ImportError as exc:
            pytest.skip(f"sim not ready ({exc})")
        sim = SimDriver()
        package = sim.install("demo-clean")
        yield Case("sim", sim, package)
        sim.close()
    elif name == "appium":
        server = request.getfixturevalue("appium_server")
        drv = AppiumDriver(server.url, config=fake_config())
        yield Case("appium", drv, FAKE_PACKAGE)
        drv.close()
    else:
        serial = request.getfixturevalue("device_serial")
        if not serial:
            pytest.skip("uiautomator2 contract needs a real device: pytest --device SERIAL")
        from harness.devices.u2 import U2Driver

        u2 = U2Driver(serial)
        # Settings exists on every device; its data is never wiped by the suite
        yield Case("u2", u2, "com.android.settings", can_clear=False)
        u2.close()
