"""Consent phases, visibility, sessions, denials; tolerant parsing of recogniser readings."""

from __future__ import annotations

import json
import math

from harness.catalog.rules import load_rules
from harness.detectors.phases import (
    ACCEPTED,
    DECLINED,
    DISMISSED,
    PRE_PROMPT,
    PROMPT,
    VIS_BG,
    VIS_FG,
    build_phases,
)
from harness.detectors.readings import MAX_READING_CHARS, parse_reading
from harness.events import (
    ApiCall,
    AppState,
    ConsentDecision,
    Event,
    PermissionResult,
    UiAction,
    UiSnapshot,
)

CAT = load_rules()


def stamp(events: list[Event]) -> list[Event]:
    return [e.stamped(i) for i, e in enumerate(events)]


def test_consent_phases_follow_prompts_and_decisions() -> None:
    ph = build_phases(
        stamp(
            [
                UiSnapshot(t=1.0, screen_kind="privacy_dialog"),
                ConsentDecision(t=2.0, choice="dismiss"),
                UiSnapshot(t=3.0, screen_kind="privacy_dialog"),
                ConsentDecision(t=4.0, choice="decline"),
                UiSnapshot(t=5.0, screen_kind="privacy_dialog"),  # re-prompt keeps "declined"
                ConsentDecision(t=6.0, choice="dismiss"),  # a dismissal does not undo a refusal
                ConsentDecision(t=7.0, choice="accept"),
            ]
        ),
        CAT,
    )
    assert [ph.phase_at(t) for t in (0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5)] == [
        PRE_PROMPT,
        PROMPT,
        DISMISSED,
        PROMPT,
        DECLINED,
        DECLINED,
        DECLINED,
        ACCEPTED,
    ]
    assert (ph.t_prompt, ph.t_decline, ph.t_agree, ph.subject) == (1.0, 4.0, 7.0, "privacy_policy")


def test_cmp_is_the_main_subject_only_without_a_privacy_prompt() -> None:
    cmp_only = build_phases(stamp([UiSnapshot(t=1.0, screen_kind="cmp_dialog"), ConsentDecision(t=2.0, subject="cmp", choice="decline")]), CAT)
    assert cmp_only.subject == "cmp" and cmp_only.phase_at(3.0) == DECLINED
    both = build_phases(
        stamp(
            [
                UiSnapshot(t=1.0, screen_kind="privacy_dialog"),
                ConsentDecision(t=2.0, choice="accept"),
                ConsentDecision(t=3.0, subject="cmp", choice="decline"),
            ]
        ),
        CAT,
    )
    assert both.subject == "privacy_policy" and both.phase_at(4.0) == ACCEPTED
    assert [m.value for m in both.cmp_choices] == [1]


def test_visibility_sessions_and_launches() -> None:
    ph = build_phases(
        stamp(
            [
                UiAction(t=0.0, action="launch"),
                AppState(t=0.1, state="started", cause="activity"),
                UiAction(t=10.0, action="home"),
                UiAction(t=20.0, action="relaunch"),
                AppState(t=20.1, state="started", cause="activity"),
                UiSnapshot(t=30.0, package="com.android.launcher3"),
                UiSnapshot(t=35.0, package="com.x"),
                AppState(t=40.0, state="started", cause="broadcast"),  # background start, no session
                UiAction(t=50.0, action="screen_off"),
            ]
        ),
        CAT,
        package="com.x",
    )
    assert [ph.visibility_at(t)[0] for t in (5, 15, 25, 32, 37, 45, 55)] == [VIS_FG, VIS_BG, VIS_FG, VIS_BG, VIS_FG, VIS_BG, VIS_BG]
    assert ph.visibility_at(15.0)[1] == 10.0
    assert [m.t for m in ph.sessions] == [0.1, 20.1]
    assert ph.session_at(5.0) == 0 and ph.session_at(25.0) == 1
    assert [m.t for m in ph.launches] == [0.0, 20.0]


def test_sessions_fall_back_to_launch_actions() -> None:
    ph = build_phases(stamp([UiAction(t=0.0, action="launch"), UiAction(t=9.0, action="relaunch")]), CAT)
    assert [m.t for m in ph.sessions] == [0.0, 9.0]


def test_denials_open_and_close() -> None:
    ph = build_phases(
        stamp(
            [
                ConsentDecision(t=1.0, subject="permission:LOCATION", choice="decline"),
                PermissionResult(t=1.1, group="LOCATION", state="denied"),
                PermissionResult(t=5.0, group="LOCATION", state="granted"),
                PermissionResult(t=6.0, group="camera", state="denied_forever"),
                PermissionResult(t=7.0, group="X" * 5000, state="denied"),  # not a platform group
                ConsentDecision(t=8.0, subject="permission:", choice="decline"),
            ]
        ),
        CAT,
    )
    loc, cam = ph.denials
    assert (loc.group, loc.start, loc.end, loc.seq) == ("LOCATION", 1.0, 5.0, 0)
    assert (cam.group, cam.start, math.isinf(cam.end)) == ("CAMERA", 6.0, True)
    assert ph.denied_at("LOCATION", 3.0) is loc and ph.denied_at("LOCATION", 5.5) is None
    assert [str(m.value) for m in ph.denial_events] == ["LOCATION", "LOCATION", "CAMERA"]


def test_triggers_match_groups_within_the_window() -> None:
    ph = build_phases(stamp([UiAction(t=10.0, action="tap", user_intent="Scan")]), CAT)
    assert ph.group_triggered(CAT, "CAMERA", 12.0, 3.0) is not None
    assert ph.group_triggered(CAT, "CAMERA", 13.5, 3.0) is None
    assert ph.group_triggered(CAT, "LOCATION", 11.0, 3.0) is None
    assert ph.group_triggered(CAT, "CAMERA", 9.0, 3.0) is None  # a tap after the call explains nothing


def test_feature_taps_without_intent_are_read_from_their_text() -> None:
    ph = build_phases(
        stamp(
            [
                UiAction(t=1.0, action="tap", text="扫一扫"),
                UiAction(t=2.0, action="tap", text="开始导航"),
                UiAction(t=3.0, action="tap", text="我的订单"),
                UiAction(t=4.0, action="tap", text="定位授权说明", role="accept"),  # a consent control
                UiAction(t=5.0, action="tap", text="Paste"),
            ]
        ),
        CAT,
    )
    assert [(m.t, m.value) for m in ph.triggers] == [(1.0, "scan"), (2.0, "location"), (5.0, "paste")]


def test_feature_words_in_the_big_app_markets_languages() -> None:
    taps = ["Сканировать билет", "현재 위치로 주소 찾기", "ファイルから取り込む", "Foto aufnehmen", "Schritte zählen", "Nächste Schritte"]
    ph = build_phases(stamp([UiAction(t=float(i), action="tap", text=x) for i, x in enumerate(taps)]), CAT)
    assert [m.value for m in ph.triggers] == ["scan", "location", "storage/media", "camera", "activity"]
    assert ph.group_triggered(CAT, "ACTIVITY_RECOGNITION", 4.5, 3.0) is not None


def test_a_tap_going_ahead_on_a_stated_purpose_starts_that_feature() -> None:
    why = "Damit wir Ihre Schritte auch bei ausgeschaltetem Bildschirm zählen können, braucht die App Zugriff auf Ihre körperliche Aktivität."
    screen = UiSnapshot(t=1.0, screen_kind="other", texts=("Schrittzähler Plus", "Schritte zählen", why, "Nicht jetzt", "Zählen starten"))
    ph = build_phases(stamp([screen, UiAction(t=2.0, action="tap", text="Zählen starten")]), CAT)
    assert [m.value for m in ph.triggers] == ["activity"]
    # "not now", "go to settings" and a control that names its own feature start no stated feature
    block = UiSnapshot(t=1.0, screen_kind="permission_rationale", texts=("需要开启定位权限才能预订酒店。", "去设置", "退出应用"))
    assert not build_phases(stamp([screen, UiAction(t=2.0, action="tap", text="Nicht jetzt")]), CAT).triggers
    assert not build_phases(stamp([block, UiAction(t=2.0, action="tap", text="去设置")]), CAT).triggers
    page = UiSnapshot(t=1.0, screen_kind="other", texts=("附近 3 个网点可借", "扫码租借需开启定位，用于确认您所在的网点"))
    ph = build_phases(stamp([page, UiAction(t=2.0, action="tap", text="扫码租借", user_intent="scan")]), CAT)
    assert [m.value for m in ph.triggers] == ["scan"]
    # data named on one line and a purpose on another is no stated purpose; a consent prompt is none either
    apart = UiSnapshot(t=1.0, screen_kind="other", texts=("Heute 0 Schritte", "Damit es weitergeht, tippen Sie unten."))
    assert not build_phases(stamp([apart, UiAction(t=2.0, action="tap", text="Weiter")]), CAT).triggers
    prompt = UiSnapshot(t=1.0, screen_kind="privacy_dialog", texts=(why,))
    assert not build_phases(stamp([prompt, UiAction(t=2.0, action="tap", text="Weiter")]), CAT).triggers


def test_non_finite_times_do_not_break_phases() -> None:
    ph = build_phases(stamp([ConsentDecision(t=float("nan"), choice="accept"), ApiCall(t=1.0)]), CAT)
    assert ph.phase_at(1.0) == ACCEPTED


# -- readings ----------------------------------------------------------------------------------


def test_reading_parses_the_recogniser_schema() -> None:
    r = parse_reading(
        json.dumps(
            {
                "kind": "privacy_dialog",
                "permission_group": "location",
                "controls": [{"role": "Accept", "text": " 同意 ", "is_button": True}, {"role": "decline", "text": "不同意"}, "junk"],
                "checkboxes": [{"text": "agree", "checked": True, "consent": True}],
                "pre_ticked": True,
                "implied_consent": ["登录即代表同意", 5, None],
                "ambiguous_only": False,
                "asymmetry": {"area_ratio": 3, "decline_is_link": True, "accept_area": "huge", "taps_to_refuse": float("nan")},
            }
        )
    )
    assert r.error == ""
    assert r.roles() == {"accept", "decline"}
    assert r.controls[0].text == "同意" and r.controls[0].is_button
    assert r.permission_group == "LOCATION"
    assert r.checkboxes[0].checked and r.pre_ticked
    assert r.implied_consent == ("登录即代表同意", "5")
    assert r.ambiguous_only is False
    assert r.asymmetry == {"area_ratio": 3.0, "decline_is_link": True}


def test_hostile_readings_never_raise() -> None:
    assert parse_reading("").error == ""
    assert "not valid JSON" in parse_reading("{nope").error
    assert "not valid JSON" in parse_reading("[" * 100_000).error
    assert "not a JSON object" in parse_reading("[1, 2]").error
    assert "larger than" in parse_reading(" " * (MAX_READING_CHARS + 1)).error
    many = parse_reading(json.dumps({"controls": [{"role": "accept", "text": "x" * 200}] * 2000}))
    assert len(many.controls) == 400
    long = parse_reading(json.dumps({"controls": [{"role": "accept", "text": "x" * 10_000}]}))
    assert len(long.controls[0].text) == 500
    odd = parse_reading(json.dumps({"controls": {"role": "accept"}, "checkboxes": "x", "asymmetry": [1]}))
    assert odd.controls == () and odd.checkboxes == () and odd.asymmetry == {}
