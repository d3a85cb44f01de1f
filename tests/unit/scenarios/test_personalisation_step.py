"""The ``personalisation_off`` step (end of S5) on the reference device: it reaches the switch
``explore`` found, records the user's decision before the tap, turns it off, and the app is
watched after a restart; an app without a switch, or with it already off, is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.assemble import resolve_app
from harness.consent_ui.parse import parse_hierarchy
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.events import AppState, ConsentDecision, ErrorRecord, NetworkFlow, UiAction
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.scenarios.personalisation import find_switch
from harness.timeline import Timeline


def _s5(tmp_path: Path, app: str, drv: SimDriver | None = None) -> list[Any]:
    drv = drv or SimDriver()
    res = Runner(drv, SimInstrumentation(drv), tmp_path, hook_pack="sim").run(resolve_app(drv, app), resolve_scenarios("S5")[0], app_ref=app)
    return list(Timeline.read(res.run_dir / "timeline.jsonl"))


def test_switch_is_turned_off_once_and_the_app_restarts(tmp_path: Path) -> None:
    events = _s5(tmp_path, "clean-video-feed")
    offs = [e for e in events if isinstance(e, ConsentDecision) and e.subject == "personalisation"]
    assert [(d.choice, d.how) for d in offs] == [("decline", "switch:个性化推荐")]
    tap = next(e for e in events if isinstance(e, UiAction) and e.role == "personalisation")
    assert tap.seq == offs[0].seq + 1  # the decision is on record right before its tap
    assert not [e for e in events if isinstance(e, ErrorRecord) and e.where == "personalisation_off"]
    # after the switch: a relaunch, and the app's requests now say non-personalised
    starts = [e for e in events if isinstance(e, AppState) and e.state == "started" and e.t > offs[0].t]
    assert starts
    later = [e for e in events if isinstance(e, NetworkFlow) and e.t > offs[0].t]
    assert any("personalized_recommend=0" in f.path for f in later)
    assert not any("personalized_recommend=1" in f.path for f in later)


def test_app_without_a_switch_is_not_touched(tmp_path: Path) -> None:
    events = _s5(tmp_path, "clean-net")
    assert not [e for e in events if isinstance(e, ConsentDecision) and e.subject == "personalisation"]
    assert not [e for e in events if isinstance(e, UiAction) and e.role == "personalisation"]


def test_switch_already_off_is_left_alone(tmp_path: Path) -> None:
    from harness.devices.sim.model import model_path

    text = model_path("clean-video-feed").read_text(encoding="utf-8")
    assert text.count("checked: true") == 1
    off = tmp_path / "feed-off.yaml"
    off.write_text(text.replace("checked: true", "checked: false"), encoding="utf-8")
    events = _s5(tmp_path, str(off))
    assert not [e for e in events if isinstance(e, ConsentDecision) and e.subject == "personalisation"]
    assert not [e for e in events if isinstance(e, UiAction) and e.role == "personalisation"]


ROW = """<?xml version='1.0' encoding='UTF-8'?><hierarchy rotation="0">
<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.x" checkable="false" checked="false" clickable="false" enabled="true" bounds="[0,0][1080,2400]">
<node index="0" text="个性化广告推荐" resource-id="com.x:id/label" class="android.widget.TextView" package="com.x" checkable="false" checked="false" clickable="false" enabled="true" bounds="[40,300][700,400]" />
<node index="1" text="" resource-id="com.x:id/sw_other" class="android.widget.Switch" package="com.x" checkable="true" checked="true" clickable="true" enabled="true" bounds="[900,100][1040,200]" />
<node index="2" text="" resource-id="com.x:id/sw_ads" class="android.widget.Switch" package="com.x" checkable="true" checked="true" clickable="true" enabled="true" bounds="[900,310][1040,390]" />
</node></hierarchy>"""


def test_find_switch_takes_the_toggle_on_the_label_row() -> None:
    got = find_switch(parse_hierarchy(ROW), "com.x")
    assert got is not None and got[1] == "com.x:id/sw_ads" and got[3] is True
    assert find_switch(parse_hierarchy(ROW.replace("个性化广告推荐", "夜间模式")), "com.x") is None
