"""The web device's browser chrome without a browser: prompts as the recogniser reads them,
answers by tap and Back, remembered answers, hostile poll ids; the R24 part for an in-app
profile demand; planted locations matched as coordinates; functions.yaml checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.consent_ui import read_hierarchy
from harness.consent_ui.parse import parse_hierarchy
from harness.detectors import analyze
from harness.devices.web.chrome import PROMPT_KINDS, BrowserChrome, Prompt
from harness.errors import CatalogError
from harness.events import (
    ConsentDecision,
    Event,
    HoneyPlant,
    NetworkFlow,
    PermissionRequest,
    UiAction,
    UiSnapshot,
)
from harness.rundir import RunInfo
from harness.scenarios.functions import function_words, load_function_words
from harness.timeline import Timeline

SITE = "http://shop.example.test:8000"
_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0" width="390" height="844">{}</hierarchy>'


def _screen(chrome: BrowserChrome) -> Any:
    return read_hierarchy(parse_hierarchy(_EMPTY.format(chrome.overlay())))


@pytest.mark.parametrize(("kind", "group"), [("geolocation", "LOCATION"), ("camera", "CAMERA"), ("microphone", "MICROPHONE"), ("wx-location", "LOCATION")])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_prompt_reads_as_a_permission_dialog(kind: str, group: str, locale: str) -> None:
    c = BrowserChrome(browser="wechat", locale=locale, seed="t")
    c.ask(SITE, kind, "api", "http://x.test/a.js")
    r = _screen(c)
    assert r.kind == "permission_dialog" and r.permission_group == group
    assert r.control("deny") is not None and r.control("allow_always") is not None


def test_answers_by_tap_back_and_memory() -> None:
    c = BrowserChrome(browser="chrome", locale="en", seed="t")
    told: list[tuple[str, str, bool]] = []
    c.listeners.append(lambda what, p, shown: told.append((what, p.state, shown)))
    p = c.ask(SITE, "geolocation", "api", "caller")
    assert c.poll(p.id) == {"state": "pending", "data": {}}
    assert c.tap(5, 5) and p.state == "pending"  # outside the buttons: swallowed, not answered
    x1, y1, x2, y2 = _screen(c).control("deny").bounds
    assert c.tap((x1 + x2) // 2, (y1 + y2) // 2)
    assert c.poll(float(p.id))["state"] == "deny" and c.showing is None and not c.tap(5, 5)
    again = c.ask(SITE, "geolocation", "api", "caller")  # remembered: no prompt
    assert again.state == "deny" and c.showing is None
    assert c.states() == {"LOCATION": "denied"}
    q = c.ask(SITE, "camera", "api", "caller")
    assert c.back() and q.state == "dismissed" and c.poll(q.id)["state"] == "deny"
    assert c.ask(SITE, "camera", "api", "caller").state == "pending"  # a dismissal is not remembered
    assert told[0] == ("request", "pending", True) and ("request", "deny", False) in told


def test_allow_hands_over_planted_values_unique_per_profile() -> None:
    a, b = BrowserChrome(browser="wechat", locale="zh-CN"), BrowserChrome(browser="wechat", locale="zh-CN")
    assert a.position != b.position and a.nickname != b.nickname
    p = a.ask(SITE, "geolocation", "api", "c")
    a.answer(p, "allow")
    assert a.poll(p.id) == {"state": "allow", "data": a.position}
    assert 22 < a.position["lat"] < 40 and (a.position["glat"], a.position["glon"]) != (a.position["lat"], a.position["lon"])


@pytest.mark.parametrize("pid", [None, True, "1", [1], {"id": 1}, 1e300, -1, 2**70])
def test_poll_ignores_hostile_ids(pid: Any) -> None:
    c = BrowserChrome(browser="wechat", locale="zh-CN")
    c.ask(SITE, "geolocation", "api", "c")
    assert c.poll(pid) == {"state": "deny"}


def test_in_app_profile_before_the_function_is_r24() -> None:
    info = RunInfo(run_id="r", package="test.example.shop", app="x", scenario="W1", device={}, simulated=False, harness_version="t", profile="dine_in_ordering")
    demand = PermissionRequest(t=1.0, source="web", permissions=("snsapi_userinfo",), groups=("ACCOUNTS",), api="WeChat.oauth2.authorize", caller="http://shop.example.test/", via="hook")
    evs: list[Event] = [UiSnapshot(t=0.5, screen_kind="other", package="test.example.shop"), demand]
    found = [f for f in analyze(Timeline.from_events(evs), info).findings if f.rule_id == "R24"]
    assert found and found[0].verdict == "violation" and "snsapi_userinfo" in found[0].message
    # asked only after the user tapped the page's function: not "before the function"
    later = [UiSnapshot(t=0.5, screen_kind="other", package="test.example.shop"), UiAction(t=0.8, action="tap", text="去结算", role="function"), demand]
    assert not [f for f in analyze(Timeline.from_events(later), info).findings if f.rule_id == "R24"]
    # a silent base scope is no profile demand
    base = [UiSnapshot(t=0.5, screen_kind="other", package="test.example.shop"), PermissionRequest(t=1.0, source="web", permissions=("snsapi_base",), api="WeChat.oauth2.authorize", via="hook")]
    assert not [f for f in analyze(Timeline.from_events(base), info).findings if f.rule_id == "R24"]


def test_planted_location_found_in_a_flow_as_gcj02(tmp_path: Path) -> None:
    from harness.network.encodings import gcj02_from_wgs84

    lat, lon = 31.234567, 121.476543
    glat, glon = gcj02_from_wgs84(lat, lon)
    body = json.dumps({"lng": round(glon, 6), "lat": round(glat, 6)}).encode()
    run = tmp_path / "run"
    (run / "network" / "bodies").mkdir(parents=True)
    (run / "network" / "bodies" / "web-1.req").write_bytes(body)
    info = RunInfo(run_id="run", package="test.example.shop", app="x", scenario="W1", device={}, simulated=False, harness_version="t")
    evs: list[Event] = [
        UiSnapshot(t=0.5, screen_kind="privacy_dialog", package="test.example.shop", reading='{"controls":[{"role":"accept","text":"同意"},{"role":"decline","text":"不同意"}]}'),
        HoneyPlant(t=1.0, source="web", name="location", category="LOCATION", value=f"{lat:.6f},{lon:.6f}", api_id="Web.geolocation.getCurrentPosition"),
        NetworkFlow(t=1.5, source="web", flow_id="web-1", method="POST", scheme="http", host="hm.tracker.test", port=80, path="/collect", req_bytes=len(body), body="web-1.req"),
        ConsentDecision(t=3.0, choice="accept"),
    ]
    res = analyze(Timeline.from_events(evs), info, run_dir=run)
    r34 = [f for f in res.findings if f.rule_id == "R34"]
    assert r34 and "gcj02" in r34[0].message


def test_function_words_load_and_bad_input_is_named() -> None:
    w = function_words()
    assert [s[0] for s in w.stages][:2] == ["pay", "rent"] and any(r for _n, r, _w in w.stages)
    with pytest.raises(CatalogError, match="schema"):
        load_function_words({"stages": {}})
    with pytest.raises(CatalogError, match=r"stages\.pay"):
        load_function_words({"schema": 1, "stages": {"pay": {"words": ["支付"]}}})
    with pytest.raises(CatalogError, match=r"fields\[0\]"):
        load_function_words({"schema": 1, "stages": {"pay": {"reaches": True, "words": ["支付"]}}, "fields": [{"match": ["车牌"]}]})


def test_every_prompt_kind_has_messages() -> None:
    for kind, (_group, zh, en) in PROMPT_KINDS.items():
        assert "{site}" in zh and "{site}" in en, kind
    assert Prompt(1, "geolocation", SITE, "a", "c").site == "shop.example.test"
