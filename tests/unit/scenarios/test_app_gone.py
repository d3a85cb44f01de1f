"""The home screen is recognised by its exact package (the driver's HOME package or a known
home app), not by the word 'launcher' in any package name."""

from __future__ import annotations

from pathlib import Path

from harness.assemble import resolve_app
from harness.devices.sim.driver import SimDriver
from harness.rundir import RunDir
from harness.runner import HOME_PACKAGES, Screen, StepContext
from harness.timeline import Timeline


def _ctx(tmp_path: Path, tl: Timeline) -> tuple[StepContext, SimDriver]:
    driver = SimDriver()
    app = resolve_app(driver, "demo-clean")
    driver.launch(app.package)
    return StepContext(driver, app.package, app, tl, RunDir(tmp_path), lambda: 0.0), driver


def _screen(package: str) -> Screen:
    return Screen(xml="", reading=None, package=package, snapshot=None)


def test_an_app_named_like_a_launcher_is_not_the_home_screen(tmp_path: Path) -> None:
    with Timeline(tmp_path / "timeline.jsonl") as tl:
        _check(*_ctx(tmp_path, tl))


def _check(ctx: StepContext, driver: SimDriver) -> None:
    assert not ctx.app_gone(_screen("com.example.launcherpro"))  # another app in front, ours alive
    assert not ctx.app_gone(_screen("com.rocket.launcher.game"))
    assert not ctx.app_gone(_screen(ctx.package))
    assert ctx.app_gone(_screen(driver.launcher_package))  # the driver's own HOME package
    assert ctx.app_gone(_screen("com.miui.home")) and "com.miui.home" in HOME_PACKAGES
    driver.stop(ctx.package)
    assert ctx.app_gone(_screen("com.example.launcherpro"))  # the process is gone
