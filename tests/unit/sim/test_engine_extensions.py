"""Reference-device additions made for the calibration corpus (listed in model.py's docstring).

- ``die``: the system kills a (backgrounded) process; it is reported as AppState "died", the app
  stops running, and a model's ``self_start`` can then bring the process back without a launch.
"""

from __future__ import annotations

import textwrap

import pytest

from harness import yamlio
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.devices.sim.engine import SimDevice
from harness.devices.sim.model import load_model
from harness.errors import AppModelError
from harness.events import ApiCall, AppState, Event
from harness.instrumentation.base import Target

KILLED = """
model: k
package: com.example.killed
label: K
on_background:
  - after: {seconds: 5, do: [die: low memory]}
self_start:
  after: 3
  cause: service
  do: [call: {api: ConnectivityManager.getActiveNetworkInfo, sdk: com.igexin.push}]
screens:
  home:
    title: Home
"""


def _driver(text: str) -> tuple[SimDriver, str, list[Event]]:
    dev = SimDevice()
    pkg = dev.install(load_model(yamlio.load(textwrap.dedent(text), "k.yaml"), "k.yaml"))
    drv = SimDriver(dev)
    events: list[Event] = []
    SimInstrumentation(drv, attribute=lambda pkg: None).start(Target(pkg), events.extend, drv.now)
    return drv, pkg, events


def test_die_kills_the_process_as_died_and_lets_a_self_start_bring_it_back() -> None:
    drv, pkg, events = _driver(KILLED)
    drv.launch(pkg)
    drv.home()
    drv.sleep(4.0)
    assert drv.is_running(pkg)  # not yet: the kill is due 5 s after going to the background
    drv.sleep(2.0)
    assert not drv.is_running(pkg)
    states = [(e.state, e.cause) for e in events if isinstance(e, AppState)]
    assert ("died", "low memory") in states
    assert ("exited", "low memory") not in states
    drv.sleep(3.5)
    assert drv.is_running(pkg)
    assert drv.foreground_package() != pkg  # started without a launch: no screen in front
    states = [(e.state, e.cause) for e in events if isinstance(e, AppState)]
    assert states[-1] == ("started", "service")
    calls = [e for e in events if isinstance(e, ApiCall)]
    assert [c.api_id for c in calls] == ["ConnectivityManager.getActiveNetworkInfo"]
    assert calls[0].t > [e.t for e in events if isinstance(e, AppState) and e.state == "died"][0]


def test_die_stops_the_remaining_actions_of_the_same_trigger() -> None:
    text = KILLED.replace("do: [die: low memory]", "do: [die: low memory, call: TelephonyManager.getImei]")
    drv, pkg, events = _driver(text)
    drv.launch(pkg)
    drv.home()
    drv.sleep(6.0)
    assert not any(isinstance(e, ApiCall) and e.api_id == "TelephonyManager.getImei" for e in events)


def test_die_needs_a_reason_string() -> None:
    text = textwrap.dedent(KILLED).replace("die: low memory", "die: {why: memory}")
    with pytest.raises(AppModelError, match=r"k\.yaml:6:.*must be a string"):
        load_model(yamlio.load(text, "k.yaml"), "k.yaml")


STACKS = """
model: s
package: com.example.stacks
label: S
on_start:
  - call: {api: TelephonyManager.getImei, sdk: com.umeng.commonsdk}
screens:
  home:
    title: Home
"""


def test_every_instrumentation_session_gets_the_call_site_stacks_again() -> None:
    dev = SimDevice()
    pkg = dev.install(load_model(yamlio.load(textwrap.dedent(STACKS), "s.yaml"), "s.yaml"))
    drv = SimDriver(dev)
    stacks: list[tuple[str, ...]] = []
    for _ in range(2):  # two runs on the same device, each with its own instrumentation session
        events: list[Event] = []
        inst = SimInstrumentation(drv, attribute=lambda pkg: None)
        inst.start(Target(pkg), events.extend, drv.now)
        drv.clear_data(pkg)
        drv.launch(pkg)
        inst.stop()
        calls = [e for e in events if isinstance(e, ApiCall)]
        assert len(calls) == 1
        stacks.append(calls[0].stack)
    assert stacks[0] and stacks[1] == stacks[0]
    assert any(f.startswith("com.umeng.commonsdk.") for f in stacks[1])
