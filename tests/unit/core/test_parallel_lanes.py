"""Scenarios of one app run at once ("lanes", harness/assemble.py) when the device kind says its
devices are cheap and independent: each lane is a thread with a driver of its own, opened, used
and closed in that thread; outcomes come back in scenario order and judge the same as when the
scenarios run one after another. Shown on a kind registered here over the reference device
(virtual time), so the lanes machinery is tested without a browser; the web kind's real run is in
tests/e2e/test_web_device.py."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.app import AppConfig
from harness.assemble import MAX_PARALLEL, AppRequest, Assembly, run_app
from harness.cli import main
from harness.devices.base import DeviceInfo
from harness.devices.kinds import DeviceKind, DeviceRequest, register_kind, unregister_kind
from harness.devices.sim.driver import SimDriver
from harness.errors import DeviceError, InputError

SUITE = "S1,S2,S3,S4,S5"


class LaneDriver(SimDriver):
    """The reference device under the kind's name; says which thread opened and closed it."""

    backend = "lanes"

    def __init__(self, log: list[tuple[str, int, int]], fail_launch: bool = False) -> None:
        super().__init__()
        self.log = log
        self.fail_launch = fail_launch
        self.log.append(("open", id(self), threading.get_ident()))

    def info(self) -> DeviceInfo:
        return dataclasses.replace(super().info(), backend=self.backend, serial=f"lanes-{id(self)}")

    def launch(self, package: str) -> None:
        if self.fail_launch:
            raise DeviceError("the toy device went away")
        super().launch(package)

    def close(self) -> None:
        self.log.append(("close", id(self), threading.get_ident()))
        super().close()


class Opener:
    """The kind's ``open``: counts drivers; ``refuse`` = how many opens fail first (-1: all);
    ``broken`` = how many of the first drivers lose the device at their first launch."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int, int]] = []
        self.refuse = 0
        self.broken = 0
        self.lock = threading.Lock()

    def __call__(self, request: DeviceRequest) -> LaneDriver:
        with self.lock:
            if self.refuse:
                self.refuse -= 1 if self.refuse > 0 else 0
                raise DeviceError("no device free")
            broken = self.broken > 0
            self.broken -= 1 if broken else 0
        return LaneDriver(self.log, fail_launch=broken)

    def opened(self) -> list[int]:
        return [d for what, d, _ in self.log if what == "open"]


@pytest.fixture
def opener() -> Iterator[Opener]:
    op = Opener()

    def resolve(driver: object, app: str) -> AppConfig:
        assert isinstance(driver, LaneDriver)
        return AppConfig(package=driver.install(app), label="lanes app")

    register_kind(
        DeviceKind(
            name="lanes",
            summary="the reference device, several scenarios at once (a test)",
            claims=lambda req: req.device == "lanes",
            open=op,
            check_app=lambda app, where, base: app,
            resolve_app=resolve,
            default_sources=("sim",),
            priority=60,
            parallel_scenarios=3,
        )
    )
    yield op
    unregister_kind("lanes")


def _request(tmp_path: Path, sub: str, **options: str) -> AppRequest:
    return AppRequest(app="demo-precollect", device="lanes", scenario=SUITE, results=str(tmp_path / sub), reports=(), device_options=options)


def _judged(outs: list) -> list[tuple[str, set[tuple[str, str, str, str, str]]]]:
    return [(o.result.info.scenario, {(f.rule_id, f.severity, f.verdict, f.sdk, f.category) for f in o.findings}) for o in outs]


def test_lanes_yield_in_order_and_judge_as_one_after_another(opener: Opener, tmp_path: Path) -> None:
    together = list(run_app(_request(tmp_path, "together")))
    threads_open = {d: t for what, d, t in opener.log if what == "open"}
    assert len(opener.opened()) == 3  # three lanes, each with a driver of its own
    assert threading.get_ident() not in threads_open.values()  # the lanes are threads, not this one
    # every driver is closed, by the thread that opened it
    assert {(d, t) for what, d, t in opener.log if what == "close"} == set(threads_open.items())
    opener.log.clear()
    apart = list(run_app(_request(tmp_path, "apart", parallel="1")))
    assert len(opener.opened()) == 1
    assert [s for s, _ in _judged(together)] == SUITE.split(",")
    assert _judged(together) == _judged(apart)
    assert any(rules for _, rules in _judged(together))  # the app is judged, not empty on both sides
    dirs = [o.run_dir for o in together]
    assert len(set(dirs)) == len(dirs) and all((d / "timeline.jsonl").is_file() for d in dirs)


def test_lanes_never_outnumber_scenarios_and_a_handed_driver_is_one_lane(opener: Opener, tmp_path: Path) -> None:
    outs = list(run_app(dataclasses.replace(_request(tmp_path, "two"), scenario="S1,S2")))
    assert [o.result.info.scenario for o in outs] == ["S1", "S2"] and len(opener.opened()) == 2
    asm = Assembly(_request(tmp_path, "x", parallel="5"))
    assert asm.lanes(10) == 5 and asm.lanes(2) == 2
    assert Assembly(_request(tmp_path, "x", parallel="5"), driver=SimDriver()).lanes(10) == 1


@pytest.mark.parametrize("bad", ["0", str(MAX_PARALLEL + 1), "two", "-1", "1.5"])
def test_a_bad_parallel_option_is_an_input_error_before_any_device(bad: str, opener: Opener, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="parallel"):
        list(run_app(_request(tmp_path, "bad", parallel=bad)))
    assert opener.opened() == []
    assert main(["run", "--device", "lanes", "--app", "demo-precollect", "--scenario", "S1", "--device-option", f"parallel={bad}", "--results", str(tmp_path / "cli"), "--no-report"]) == 2
    assert "parallel" in capsys.readouterr().err and opener.opened() == []


def test_a_lane_that_cannot_open_leaves_its_scenarios_to_the_others(opener: Opener, tmp_path: Path) -> None:
    opener.refuse = 1
    outs = list(run_app(_request(tmp_path, "r")))
    assert [o.result.info.scenario for o in outs] == SUITE.split(",")
    assert len(opener.opened()) == 2 and not any(o.result.infrastructure_error for o in outs)


def test_no_lane_opens_the_device_error_reaches_the_caller(opener: Opener, tmp_path: Path) -> None:
    opener.refuse = -1
    with pytest.raises(DeviceError, match="no device free"):
        list(run_app(_request(tmp_path, "none")))


def test_an_infrastructure_error_stops_its_lane_only(opener: Opener, tmp_path: Path) -> None:
    opener.broken = 1
    outs = list(run_app(_request(tmp_path, "broken")))
    assert sorted(o.result.info.scenario for o in outs) == sorted(SUITE.split(","))
    bad = [o for o in outs if o.result.infrastructure_error]
    assert len(bad) == 1 and "went away" in bad[0].result.infrastructure_error
    assert bad[0].result.info.status == "error"


def test_an_error_in_a_run_is_raised_in_order_and_leaving_early_closes_every_driver(opener: Opener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_run = Assembly.run

    def run(self: Assembly, scenario: object) -> object:
        if getattr(scenario, "id", "") == "S3":
            raise RuntimeError("a bug while judging S3")
        return real_run(self, scenario)  # type: ignore[arg-type]

    monkeypatch.setattr(Assembly, "run", run)
    got: list[str] = []
    with pytest.raises(RuntimeError, match="judging S3"):
        for out in run_app(_request(tmp_path, "bug")):
            got.append(out.result.info.scenario)
    assert got == ["S1", "S2"]
    opened = set(opener.opened())
    assert {d for what, d, _ in opener.log if what == "close"} == opened  # nothing left open
    opener.log.clear()
    monkeypatch.setattr(Assembly, "run", real_run)
    gen = run_app(_request(tmp_path, "early"))
    first = next(gen)
    gen.close()
    assert first.result.info.scenario == "S1"
    assert {d for what, d, _ in opener.log if what == "close"} == set(opener.opened())
