"""Device kinds and event sources are plug-ins: no module outside a kind's own names that
kind, and a new kind or a new source is one module plus its registration (shown here with a toy
kind and toy sources registered from the test)."""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from harness.app import AppConfig
from harness.cli import main
from harness.devices.base import DeviceInfo
from harness.devices.kinds import (
    DeviceKind,
    DeviceRequest,
    kind_for,
    kind_named,
    kinds,
    register_kind,
    unregister_kind,
)
from harness.devices.sim.driver import SimDriver
from harness.errors import InputError
from harness.events import AppState, Event
from harness.instrumentation.sources import (
    SourceBase,
    SourceSession,
    make_sources,
    register_source,
    source_names,
    unregister_source,
)
from harness.rundir import RunDir
from harness.timeline import Timeline

HARNESS = Path(__file__).resolve().parents[3] / "harness"


def _owned_files(kind: DeviceKind) -> set[Path]:
    """A kind's own modules: the module that registered it, or its whole package when that
    module lives in a package of its own (harness/devices/sim/)."""
    module = kind.claims.__module__
    path = HARNESS.parent / (module.replace(".", "/") + ".py")
    assert path.is_file(), module
    if path.parent != HARNESS / "devices" and path.parent.parent == HARNESS / "devices":
        return set(path.parent.rglob("*.py"))
    return {path}


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(HARNESS.parent).with_suffix("").parts)


def _problems(files: list[Path]) -> list[str]:
    builtin = [k for k in kinds() if k.claims.__module__.startswith("harness.")]
    assert {k.name for k in builtin} >= {"sim", "u2", "appium"}
    problems: list[str] = []
    for kind in builtin:
        owned = _owned_files(kind)
        own_modules = {_module_of(p) for p in owned}
        own_prefix = kind.claims.__module__.rsplit(".", 1)[0] if len(owned) > 1 else kind.claims.__module__
        for path in files:
            if path in owned:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and node.value == kind.name:
                    problems.append(f"{path.name}:{node.lineno} names the kind {kind.name!r}")
                elif isinstance(node, ast.ImportFrom) and node.module and (node.module in own_modules or node.module.startswith(own_prefix + ".") or node.module == own_prefix):
                    problems.append(f"{path.name}:{node.lineno} imports {node.module} (kind {kind.name!r})")
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name in own_modules or alias.name.startswith(own_prefix + "."):
                            problems.append(f"{path.name}:{node.lineno} imports {alias.name} (kind {kind.name!r})")
    return problems


def test_no_module_outside_a_kind_names_it() -> None:
    problems = _problems(sorted(HARNESS.rglob("*.py")))
    assert not problems, "\n".join(problems)


def test_the_scan_sees_a_kind_named_or_imported_elsewhere(tmp_path: Path) -> None:
    bad = tmp_path / "pipeline.py"
    bad.write_text('from harness.devices.sim import SimDriver\nimport harness.devices.u2\n\n\ndef f(driver):\n    return driver.backend == "appium"\n', encoding="utf-8")
    got = _problems([bad])
    assert any("imports harness.devices.sim" in p for p in got), got
    assert any("imports harness.devices.u2" in p for p in got), got
    assert any("names the kind 'appium'" in p for p in got), got


def test_builtin_kinds_claim_what_they_did() -> None:
    assert kind_for("sim").name == "sim"
    assert kind_for("emulator-5554").name == "u2"
    assert kind_for(DeviceRequest("emulator-5554", "http://127.0.0.1:4723")).name == "appium"
    assert kind_for(DeviceRequest("sim", "http://127.0.0.1:4723")).name == "sim"  # and its open refuses
    with pytest.raises(InputError, match="--appium drives a real device"):
        kind_named("sim").open(DeviceRequest("sim", "http://127.0.0.1:4723"))
    assert kind_named("sim").default_sources == ("sim",)
    assert set(kind_named("u2").default_sources) == {"logcat", "frida"}
    with pytest.raises(InputError, match="unknown device kind"):
        kind_named("no-such-kind")
    with pytest.raises(ValueError, match="already registered"):
        register_kind(kind_named("sim"))


# -- a toy kind and toy sources, registered from here ------------------------------------------


class ToyDriver(SimDriver):
    """A reference device under another name: enough to show a kind is one module."""

    backend = "toy"

    def info(self) -> DeviceInfo:
        return dataclasses.replace(super().info(), backend=self.backend, serial="toy")


class CountingSource(SourceBase):
    """Emits an AppState at start, counts the lifecycle calls it gets."""

    name = "counting"
    hook_pack = "toy-hooks"
    calls: list[str] = []

    def start(self, session: SourceSession) -> None:
        self.session = session
        CountingSource.calls.append("start")
        session.emit([AppState(t=session.clock(), source=self.name, state="started", package=session.target.package, cause="toy source")])

    def stop(self) -> None:
        CountingSource.calls.append("stop")

    def on_launched(self, package: str) -> None:
        CountingSource.calls.append(f"launched {package}")

    def on_app_stopped(self, package: str, how: str) -> None:
        CountingSource.calls.append(f"stopped {how}")

    def on_process_event(self, event: AppState) -> None:
        CountingSource.calls.append(f"process {event.state}")


class LaunchingSource(SourceBase):
    """Takes every launch (as an agent that spawns the app would) and starts the app itself."""

    name = "launching"
    launches = 0

    def __init__(self, driver: ToyDriver) -> None:
        self.driver = driver

    def start(self, session: SourceSession) -> None:
        self.session = session

    def stop(self) -> None:
        return None

    def launch(self, package: str) -> bool:
        LaunchingSource.launches += 1
        self.driver.device.launch(package)
        self.session.emit([AppState(t=self.session.clock(), source=self.name, state="started", package=package, pid=4242, cause="spawned")])
        return True


@pytest.fixture
def toy_kind() -> Iterator[DeviceKind]:
    def resolve(driver: object, app: str) -> AppConfig:
        assert isinstance(driver, ToyDriver)
        return AppConfig(package=driver.install(app), label="toy app")

    kind = register_kind(
        DeviceKind(
            name="toy",
            summary="a toy kind for a test",
            claims=lambda req: req.device == "toy",
            open=lambda req: ToyDriver(),
            check_app=lambda app, where, base: app,
            resolve_app=resolve,
            default_sources=("counting",),
            priority=50,
        )
    )
    register_source("counting", lambda driver, options: CountingSource())
    register_source("launching", lambda driver, options: LaunchingSource(driver) if isinstance(driver, ToyDriver) else None)
    CountingSource.calls = []
    LaunchingSource.launches = 0
    yield kind
    unregister_kind("toy")
    unregister_source("counting")
    unregister_source("launching")


def test_a_new_kind_and_sources_are_one_registration_each(toy_kind: DeviceKind, tmp_path: Path) -> None:
    assert "toy" in [k.name for k in kinds()] and {"counting", "launching"} <= set(source_names())
    code = main(["run", "--device", "toy", "--app", "demo-precollect", "--scenario", "S1", "--results", str(tmp_path), "--no-report", "--fail-on", "never", "--source", "launching"])
    assert code == 0
    (run,) = [p.parent for p in tmp_path.rglob("run.json")]
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert info["device"]["backend"] == "toy" and info["app_label"] == "toy app"
    assert info["hook_pack"] == "toy-hooks"
    events: list[Event] = list(Timeline.read(RunDir(run).timeline))
    assert any(isinstance(e, AppState) and e.source == "counting" and e.cause == "toy source" for e in events)
    assert not any(getattr(e, "source", "") == "sim" for e in events)  # the toy kind's sources only
    # the lifecycle: S1 clears the app and launches it; the launch was taken by a source
    assert CountingSource.calls[0] == "start" and CountingSource.calls[-1] == "stop"
    assert "stopped clear" in CountingSource.calls
    assert any(c.startswith("launched ") for c in CountingSource.calls)
    assert "process started" in CountingSource.calls  # the launching source's AppState reached it
    assert any(isinstance(e, AppState) and e.source == "launching" and e.pid == 4242 for e in events)
    assert LaunchingSource.launches >= 1


def test_make_sources_skips_inapplicable_and_unknown_names_are_input_errors(toy_kind: DeviceKind) -> None:
    sim = SimDriver()
    assert [s.name for s in make_sources(["counting", "launching", "counting"], sim, {})] == ["counting"]
    with pytest.raises(InputError, match="unknown event source"):
        make_sources(["no-such-source"], sim, {})
    opts: Mapping[str, str] = {"frida": "off"}
    assert make_sources(["frida"], sim, opts) == []
