"""The standard suite, S1-S5 in one run of the pipeline, on a device whose app really dies:
the ``hostproc`` test kind (tests/frida/hostproc.py) puts a real JVM process under the real
Frida agent behind the reference device's screens. Every cold launch (after pm clear, after
force-stop, the relaunches) must be instrumented again, the ``:push`` stand-in must be attached
to, and nothing may run uninstrumented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hostproc
import pytest

from harness.assemble import AppRequest, run_app
from harness.events import ApiCall, ErrorRecord, UiAction
from harness.timeline import Timeline

pytestmark = pytest.mark.frida


@pytest.fixture
def kind(java_exe: str, java_classes: Path) -> Iterator[None]:
    hostproc.register(java_exe, java_classes)
    yield
    hostproc.unregister()


def test_every_scenario_every_launch_under_the_agent(kind: None, tmp_path: Path) -> None:
    req = AppRequest(app="parking-pay", device="hostproc", scenario="all", results=str(tmp_path), reports=())
    outcomes = list(run_app(req))
    assert [o.result.info.scenario for o in outcomes] == ["S1", "S2", "S3", "S4", "S5"]
    for o in outcomes:
        events = Timeline.read(o.run_dir / "timeline.jsonl")
        assert not o.result.infrastructure_error, o.run_dir
        launches = [e.seq for e in events if isinstance(e, UiAction) and e.action == "launch"]
        startup = [e.seq for e in events if isinstance(e, ApiCall) and e.source == "frida" and e.api_id == "TelephonyManager.getDeviceId"]
        assert launches, o.result.info.scenario
        # the JVM collects the IMEI as it starts: one such call after every cold launch
        assert len(startup) >= len(launches) >= 1, (o.result.info.scenario, launches, startup)
        for a, b in zip(launches, [*launches[1:], 1 << 60], strict=True):
            assert any(a < q < b for q in startup), (o.result.info.scenario, a, b)
        assert any(isinstance(e, ApiCall) and e.source == "frida:push" for e in events), o.result.info.scenario
        unmonitored = [e for e in events if isinstance(e, ErrorRecord) and "without the agent" in e.message]
        assert not unmonitored, unmonitored
