"""Write the golden detector cases: tests/golden/<case>/{timeline.jsonl, run.json, expected.json}.

Run ``python tests/golden/make_cases.py`` (or ``--out DIR``) after changing a case. Each case is
a small recorded run written by hand below, with the findings a reviewer expects: rule id,
verdict, data category, SDK and evidence seqs. ``negative`` lists rules that must find nothing
in the case; ``allowed`` lists seqs of user-triggered calls that no finding may cite ("the user
just started that feature, so it is allowed"). The expectations are written here, never copied
from detector output; tests/golden/test_golden.py replays every case through ``analyze`` and
the CLI path and compares.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.events import (
    ApiCall,
    AppState,
    ConsentDecision,
    Event,
    HoneyPlant,
    NetworkCapture,
    NetworkFlow,
    PermissionRequest,
    PermissionResult,
    RunMarker,
    StepMarker,
    TlsFailure,
    UiAction,
    UiSnapshot,
)
from harness.rundir import RunDir, RunInfo
from harness.timeline import Timeline

__all__ = ["Case", "CASES", "write_cases", "main"]

PKG = "com.example.shop"
LAUNCHER = "com.android.launcher3"
PERMS_UI = "com.android.permissioncontroller"

STD_CONTROLS = [
    {"role": "accept", "text": "同意", "is_button": True, "clickable": True},
    {"role": "decline", "text": "不同意", "is_button": True, "clickable": True},
    {"role": "policy_link", "text": "《隐私政策》", "clickable": True},
]


def reading(kind: str, controls: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    data: dict[str, Any] = {"kind": kind, "confidence": 0.9, "controls": controls if controls is not None else STD_CONTROLS}
    data.update(extra)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Case:
    """A golden case under construction: append events, state expectations."""

    name: str
    description: str
    scenario: str = "S3"
    profile: str = ""
    jurisdiction: str = "cn"
    negative: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    allowed: list[int] = field(default_factory=list)
    manifest: dict[str, Any] | None = None  # static-check facts written to run.json extra

    # -- events ------------------------------------------------------------------------------
    def add(self, ev: Event) -> int:
        self.events.append(ev)
        return len(self.events) - 1

    def start(self) -> None:
        """Run start, the runner's launch tap and the activity start."""
        self.add(RunMarker(t=0.0, phase="start", scenario=self.scenario, package=PKG))
        self.add(UiAction(t=0.1, action="launch"))
        self.add(AppState(t=0.2, state="started", package=PKG, cause="activity"))

    def end(self, t: float) -> None:
        self.add(RunMarker(t=t, phase="end", status="completed"))

    def prompt(self, t: float, controls: list[dict[str, Any]] | None = None, kind: str = "privacy_dialog", **extra: Any) -> int:
        return self.add(
            UiSnapshot(t=t, package=PKG, screen_kind=kind, screen_id=kind, hierarchy_hash=f"h-{kind}-{t}", reading=reading(kind, controls, **extra))
        )

    def screen(self, t: float, screen_id: str = "main", kind: str = "other", package: str = PKG, **extra: Any) -> int:
        return self.add(
            UiSnapshot(t=t, package=package, screen_kind=kind, screen_id=screen_id, hierarchy_hash=f"h-{screen_id}-{t}", reading=reading(kind, [], **extra))
        )

    def decide(self, t: float, choice: str, subject: str = "privacy_policy", taps: int = 1, how: str = "") -> int:
        return self.add(ConsentDecision(t=t, subject=subject, choice=choice, taps=taps, how=how or f"tap:{choice}"))

    def tap(self, t: float, text: str, intent: str = "", resource_id: str = "", role: str = "") -> int:
        return self.add(UiAction(t=t, action="tap", text=text, user_intent=intent, resource_id=resource_id, role=role))

    def act(self, t: float, action: str) -> int:
        return self.add(UiAction(t=t, action=action))

    def api(self, t: float, category: str, api_id: str, sdk: str = "app", args: str = "", count: int = 1) -> int:
        return self.add(ApiCall(t=t, category=category, api_id=api_id, sdk=sdk, args=args, count=count, source="frida"))

    def request(self, t: float, *groups: str, permissions: tuple[str, ...] = (), via: str = "hook", sdk: str = "app") -> int:
        return self.add(PermissionRequest(t=t, groups=groups, permissions=permissions, via=via, sdk=sdk, source="frida"))

    def result(self, t: float, group: str, state: str) -> int:
        return self.add(PermissionResult(t=t, group=group, state=state))

    def state(self, t: float, state: str, cause: str = "") -> int:
        return self.add(AppState(t=t, state=state, package=PKG, cause=cause))

    # -- expectations ------------------------------------------------------------------------
    def expect(self, rule_id: str, verdict: str, evidence: list[int], category: str = "", sdk: str = "") -> None:
        self.findings.append(
            {"rule_id": rule_id, "verdict": verdict, "category": category, "sdk": sdk, "evidence": evidence}
        )


# ------------------------------------------------------------------------------------------------
# the cases


def clean_accept_flow() -> Case:
    c = Case(
        "clean_accept_flow",
        "Prompt on the first screen with accept / decline / policy link; the user accepts; the camera "
        "is asked for and used right after the user taps the photo feature. Nothing to report.",
        negative=["R01", "R09", "R12", "R13", "R14", "R19", "R20", "R26", "R27", "R28", "R29", "R32", "R33", "R35", "R42", "R43"],
    )
    c.start()
    c.prompt(1.0, asymmetry={"accept_area": 30000, "decline_area": 30000, "area_ratio": 1.0, "decline_is_link": False, "accept_is_button": True})
    c.decide(3.0, "accept")
    c.screen(3.5)
    c.api(4.0, "DEVICE_ID", "Settings.Secure.getString#android_id")
    c.tap(10.0, "拍照", intent="camera")
    req = c.request(10.5, "CAMERA", permissions=("android.permission.CAMERA",))
    c.screen(10.6, "perm", kind="permission_dialog", package=PERMS_UI)
    c.decide(11.0, "accept", subject="permission:CAMERA")
    c.result(11.1, "CAMERA", "granted")
    cam = c.api(11.2, "CAMERA", "CameraManager.openCamera")
    c.api(12.0, "DEVICE_INFO", "Build.MODEL")
    c.end(30.0)
    c.allowed += [req, cam]
    return c


def no_prompt_collects() -> Case:
    c = Case(
        "no_prompt_collects",
        "S1 observation: no consent prompt ever appears; an analytics SDK reads the IMEI twice, the app "
        "reads location and an ad SDK reads the advertising ID, all before any consent.",
        scenario="S1",
        negative=["R26", "R27", "R30"],
    )
    c.start()
    a1 = c.api(0.5, "DEVICE_ID", "TelephonyManager.getImei", sdk="com.umeng.analytics")
    a2 = c.api(0.7, "DEVICE_ID", "TelephonyManager.getImei", sdk="com.umeng.analytics")
    s1 = c.screen(1.0, "main")
    loc = c.api(2.0, "LOCATION", "LocationManager.getLastKnownLocation")
    s2 = c.screen(5.0, "list")
    ad = c.api(6.0, "AD_ID", "AdvertisingIdClient.getAdvertisingIdInfo", sdk="com.bytedance.ads")
    c.end(30.0)
    c.expect("R01", "violation", [s1, s2])
    c.expect("R09", "violation", [a1, a2], "DEVICE_ID", "com.umeng.analytics")
    c.expect("R09", "violation", [loc], "LOCATION", "app")
    c.expect("R09", "violation", [ad], "AD_ID", "com.bytedance.ads")
    c.expect("R33", "violation", [a1, a2], "DEVICE_ID", "com.umeng.analytics")
    c.expect("R33", "violation", [ad], "AD_ID", "com.bytedance.ads")
    c.expect("R35", "violation", [ad], "AD_ID", "com.bytedance.ads")
    return c


def prompt_too_late() -> Case:
    c = Case(
        "prompt_too_late",
        "The privacy prompt only appears on the fifth screen, 20 s after launch.",
        scenario="S1",
        negative=["R12", "R14"],
    )
    c.start()
    for t, sid in ((1.0, "main"), (4.0, "list"), (8.0, "detail"), (12.0, "more")):
        c.screen(t, sid)
    p = c.prompt(20.0)
    c.end(30.0)
    c.expect("R01", "needs-review", [p])
    return c


def decline_then_collects() -> Case:
    c = Case(
        "decline_then_collects",
        "S2: the user declines through a second confirmation; the app and a crash SDK keep reading "
        "identifiers afterwards.",
        scenario="S2",
        negative=["R09", "R18", "R23"],
    )
    c.start()
    c.prompt(1.0)
    sc = c.prompt(
        2.5,
        [{"role": "confirm_decline", "text": "仍不同意"}, {"role": "reconsider", "text": "再看看"}],
        kind="second_confirm",
    )
    d = c.decide(3.0, "decline", taps=2)
    c.screen(3.5)
    a = c.api(5.0, "DEVICE_ID", "Settings.Secure.getString#android_id")
    m = c.api(6.0, "NET_ID", "WifiInfo.getMacAddress", sdk="com.tencent.bugly")
    c.end(30.0)
    c.expect("R10", "violation", [a], "DEVICE_ID", "app")
    c.expect("R10", "violation", [m], "NET_ID", "com.tencent.bugly")
    c.expect("R33", "violation", [m], "NET_ID", "com.tencent.bugly")
    c.expect("R43", "info", [sc, d])
    return c


def decline_user_triggered_allowed() -> Case:
    c = Case(
        "decline_user_triggered_allowed",
        "S2: after a one-tap decline the user scans a code and asks for their location; the camera and "
        "location reads follow those taps within the trigger window, so they are allowed.",
        scenario="S2",
        negative=["R09", "R10", "R28", "R33", "R43", "R18", "R23"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "decline")
    c.screen(2.5)
    c.tap(10.0, "扫一扫", intent="scan")
    cam = c.api(11.0, "CAMERA", "CameraManager.openCamera", sdk="com.huawei.hms.scan")
    c.tap(20.0, "定位", intent="location")
    loc = c.api(20.5, "LOCATION", "LocationManager.getCurrentLocation")
    c.end(40.0)
    c.allowed += [cam, loc]
    return c


def decline_exits_no_pi_type() -> Case:
    c = Case(
        "decline_exits_no_pi_type",
        "S2, news app (a type that needs no personal information): the only refusal is "
        "'不同意并退出' and the app quits on it.",
        scenario="S2",
        profile="news",
        negative=["R18", "R12"],
    )
    c.start()
    c.prompt(1.0, [{"role": "accept", "text": "同意"}, {"role": "decline_exit", "text": "不同意并退出"}, {"role": "policy_link", "text": "隐私政策"}])
    d = c.decide(2.0, "decline")
    died = c.state(2.5, "died")
    c.end(10.0)
    c.expect("R23", "violation", [d, died])
    return c


def decline_exits_lending() -> Case:
    c = Case(
        "decline_exits_lending",
        "S2, micro-loan app (a type with necessary personal information): the app quits after the "
        "decline, so a reviewer must judge whether the refused information was necessary.",
        scenario="S2",
        profile="micro_loan",
        negative=["R18"],
    )
    c.start()
    c.prompt(1.0)
    d = c.decide(2.0, "decline")
    ex = c.state(3.0, "exited")
    c.end(10.0)
    c.expect("R23", "needs-review", [d, ex])
    return c


def decline_blocks_parking() -> Case:
    c = Case(
        "decline_blocks_parking",
        "S2, car-park payment (Shanghai no-PI scenario): after the decline, paying by plate number "
        "fails because the app demands a login.",
        scenario="S2",
        profile="parking_payment",
        negative=["R09", "R10"],
    )
    c.start()
    c.prompt(1.0)
    d = c.decide(2.0, "decline")
    c.screen(2.5)
    c.add(StepMarker(t=5.0, index=4, step="assert_functional", phase="begin"))
    login = c.screen(6.0, "login", kind="login_gate")
    f = c.add(StepMarker(t=7.0, index=4, step="assert_functional", phase="end", status="failed", message="pay by plate: login required"))
    c.end(20.0)
    c.expect("R23", "violation", [d, f])
    c.expect("R24", "violation", [login, f])
    return c


def decline_reprompt_loop() -> Case:
    c = Case(
        "decline_reprompt_loop",
        "S2: after the decline the prompt comes straight back twice in the same session.",
        scenario="S2",
        negative=["R10", "R14", "R43"],
    )
    c.start()
    c.prompt(1.0)
    d1 = c.decide(2.0, "decline")
    c.screen(2.5)
    p2 = c.prompt(3.0)
    c.decide(4.0, "decline")
    p3 = c.prompt(5.0)
    c.decide(6.0, "decline")
    c.screen(7.0)
    c.end(20.0)
    c.expect("R18", "violation", [d1, p2, p3])
    return c


def _cold_start(c: Case, t: float) -> int:
    c.act(t, "stop")
    c.state(t + 0.1, "exited")
    c.act(t + 1.0, "relaunch")
    return c.state(t + 1.2, "started", cause="activity")


def decline_reprompt_cold_starts() -> Case:
    c = Case(
        "decline_reprompt_cold_starts",
        "S2: the prompt is shown again at each of two cold starts after the decline.",
        scenario="S2",
        negative=["R23", "R14"],
    )
    c.start()
    c.prompt(1.0)
    d1 = c.decide(2.0, "decline")
    c.screen(2.5)
    c.tap(5.0, "今日要闻", intent="browse")  # browsing needs no consent: explains nothing
    _cold_start(c, 20.0)
    p2 = c.prompt(22.0)
    c.decide(23.0, "decline")
    c.screen(23.5)
    _cold_start(c, 40.0)
    p3 = c.prompt(42.0)
    c.decide(43.0, "decline")
    c.screen(43.5)
    c.end(60.0)
    c.expect("R18", "violation", [d1, p2, p3])
    return c


def decline_reprompt_once() -> Case:
    c = Case(
        "decline_reprompt_once",
        "S2: the prompt is shown again once, at the next launch after the decline (information only).",
        scenario="S2",
        negative=["R23", "R14"],
    )
    c.start()
    c.prompt(1.0)
    d1 = c.decide(2.0, "decline")
    c.screen(2.5)
    _cold_start(c, 20.0)
    p2 = c.prompt(22.0)
    c.decide(23.0, "decline")
    c.screen(23.5)
    c.end(40.0)
    c.expect("R18", "info", [d1, p2])
    return c


def permissions_premature_bundled() -> Case:
    c = Case(
        "permissions_premature_bundled",
        "S3: right after acceptance, with no feature tapped, one call asks for phone, storage and "
        "location together; the user denies all three and the app carries on.",
        negative=["R21", "R22", "R09"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    r = c.request(
        5.0,
        "PHONE",
        "STORAGE",
        "LOCATION",
        permissions=("android.permission.READ_PHONE_STATE", "android.permission.WRITE_EXTERNAL_STORAGE", "android.permission.ACCESS_FINE_LOCATION"),
    )
    c.screen(5.1, "perm", kind="permission_dialog", package=PERMS_UI)
    for g in ("PHONE", "STORAGE", "LOCATION"):
        c.result(6.0, g, "denied")
    c.screen(7.0)
    c.end(30.0)
    for g in ("PHONE", "STORAGE", "LOCATION"):
        c.expect("R19", "violation", [r], g, "app")
    c.expect("R20", "violation", [r], "LOCATION,PHONE,STORAGE", "app")
    return c


def deny_then_exit() -> Case:
    c = Case(
        "deny_then_exit",
        "S3: the user taps the camera feature, denies the camera permission, and the app dies a second later.",
        negative=["R19", "R22"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(10.0, "拍照", intent="camera")
    req = c.request(10.2, "CAMERA", permissions=("android.permission.CAMERA",))
    c.screen(10.3, "perm", kind="permission_dialog", package=PERMS_UI)
    d = c.decide(11.0, "decline", subject="permission:CAMERA")
    c.result(11.1, "CAMERA", "denied")
    died = c.state(12.0, "died")
    c.end(20.0)
    c.expect("R21", "violation", [d, died], "CAMERA")
    c.allowed.append(req)
    return c


def deny_loop_hidden_dialog() -> Case:
    c = Case(
        "deny_loop_hidden_dialog",
        "S3: location is requested at start without a feature tap, denied, then requested three more "
        "times within a minute; Android shows no more dialogs but the hooks count the calls.",
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    r0 = c.request(5.0, "LOCATION", permissions=("android.permission.ACCESS_FINE_LOCATION",))
    c.screen(5.1, "perm", kind="permission_dialog", package=PERMS_UI)
    d = c.decide(6.0, "decline", subject="permission:LOCATION")
    c.result(6.1, "LOCATION", "denied")
    c.screen(6.5)
    rs = [c.request(t, "LOCATION", permissions=("android.permission.ACCESS_FINE_LOCATION",)) for t in (10.0, 15.0, 20.0)]
    c.end(40.0)
    c.expect("R19", "violation", [r0, *rs], "LOCATION", "app")
    c.expect("R21", "violation", [d, *rs], "LOCATION")
    c.expect("R22", "violation", [d, *rs], "LOCATION")
    return c


def deny_rerequest_next_launch() -> Case:
    c = Case(
        "deny_rerequest_next_launch",
        "S3: the user asks for location and denies it; after a cold restart the app asks again with no "
        "feature tapped (MIIT 164号 2.1 scenario 6).",
        negative=["R21"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(10.0, "附近门店", intent="location")
    r1 = c.request(10.2, "LOCATION", permissions=("android.permission.ACCESS_COARSE_LOCATION",))
    c.screen(10.3, "perm", kind="permission_dialog", package=PERMS_UI)
    d = c.decide(11.0, "decline", subject="permission:LOCATION")
    c.result(11.1, "LOCATION", "denied")
    c.screen(11.5)
    _cold_start(c, 20.0)
    c.screen(22.0)
    r2 = c.request(23.0, "LOCATION", permissions=("android.permission.ACCESS_COARSE_LOCATION",))
    c.end(40.0)
    c.expect("R22", "violation", [d, r2], "LOCATION")
    c.expect("R19", "violation", [r2], "LOCATION", "app")
    c.allowed.append(r1)
    return c


def deny_user_retriggers_allowed() -> Case:
    c = Case(
        "deny_user_retriggers_allowed",
        "S3: the user denies the camera, later taps the camera feature again; the new request follows "
        "that tap, so it is allowed, and this time the user grants it through the dialog.",
        negative=["R11", "R15", "R19", "R21", "R22", "R28"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(10.0, "拍照", intent="camera")
    r1 = c.request(10.2, "CAMERA", permissions=("android.permission.CAMERA",))
    c.screen(10.3, "perm", kind="permission_dialog", package=PERMS_UI)
    c.decide(11.0, "decline", subject="permission:CAMERA")
    c.result(11.1, "CAMERA", "denied")
    c.screen(11.5)
    c.tap(30.0, "拍照", intent="camera")
    r2 = c.request(30.3, "CAMERA", permissions=("android.permission.CAMERA",))
    c.screen(30.4, "perm2", kind="permission_dialog", package=PERMS_UI)
    c.decide(31.0, "accept", subject="permission:CAMERA")
    c.result(31.1, "CAMERA", "granted")
    cam = c.api(31.5, "CAMERA", "CameraManager.openCamera")
    c.end(40.0)
    c.allowed += [r1, r2, cam]
    return c


def permission_bypass_location() -> Case:
    c = Case(
        "permission_bypass_location",
        "S3: location is denied, then a map SDK reads Wi-Fi scan results (a location proxy).",
        negative=["R19", "R21", "R22"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(10.0, "定位", intent="location")
    c.request(10.2, "LOCATION", permissions=("android.permission.ACCESS_FINE_LOCATION",))
    res = c.result(11.0, "LOCATION", "denied")
    scan = c.api(15.0, "NET_ID", "WifiManager.getScanResults", sdk="com.amap.api")
    c.end(30.0)
    c.expect("R11", "needs-review", [res, scan], "NET_ID", "com.amap.api")
    return c


def frequency_periodic() -> Case:
    c = Case(
        "frequency_periodic",
        "S3: an analytics SDK reads the device identifier every 2 s; the app reads it three times, "
        "100 s apart (not periodic by the thresholds).",
        negative=["R09", "R27"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    sdk_reads = [c.api(10.0 + 2 * i, "DEVICE_ID", "TelephonyManager.getImei", sdk="com.umeng.analytics") for i in range(10)]
    for t in (40.0, 140.0, 240.0):
        c.api(t, "DEVICE_ID", "Settings.Secure.getString#android_id")
    c.end(250.0)
    c.expect("R26", "violation", sdk_reads, "DEVICE_ID", "com.umeng.analytics")
    return c


def frequency_burst() -> Case:
    c = Case(
        "frequency_burst",
        "S3: the app reads contacts 12 times within 10 s at irregular intervals (a burst, not a timer).",
        negative=["R09", "R27"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    times = (10.0, 10.1, 10.2, 12.0, 12.1, 15.0, 15.05, 15.1, 18.0, 18.2, 19.0, 19.5)
    reads = [c.api(t, "CONTACTS", "ContentResolver.query#contacts") for t in times]
    c.end(30.0)
    c.expect("R26", "violation", reads, "CONTACTS", "app")
    return c


def background_collection() -> Case:
    c = Case(
        "background_collection",
        "S3: after Home, a location SDK reads location 2 s later (within the grace period: info) and "
        "40 s later (violation); a foreground read before Home is fine. The reads are too far apart "
        "to be periodic.",
        negative=["R09", "R26"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.api(5.0, "LOCATION", "LocationManager.getLastKnownLocation", sdk="com.baidu.location")
    c.act(20.0, "home")
    c.state(20.2, "background")
    early = c.api(22.0, "LOCATION", "LocationManager.getLastKnownLocation", sdk="com.baidu.location")
    late = c.api(60.0, "LOCATION", "LocationManager.getLastKnownLocation", sdk="com.baidu.location")
    c.end(70.0)
    c.expect("R27", "info", [early], "LOCATION", "com.baidu.location")
    c.expect("R27", "violation", [late], "LOCATION", "com.baidu.location")
    return c


def camera_mic() -> Case:
    c = Case(
        "camera_mic",
        "S3: the camera opens with no capture tap; the microphone starts right after the user taps "
        "record (allowed).",
        negative=["R09", "R27"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    cam = c.api(10.0, "CAMERA", "CameraManager.openCamera")
    c.tap(20.0, "按住录音", intent="mic")
    mic = c.api(21.0, "MIC", "AudioRecord.startRecording")
    c.end(30.0)
    c.expect("R28", "violation", [cam], "CAMERA", "app")
    c.allowed.append(mic)
    return c


def clipboard() -> Case:
    c = Case(
        "clipboard",
        "S3: the app reads clipboard content on resume with no paste action; an SDK checks only whether "
        "the clipboard has content (info); a read right after the user taps paste is allowed.",
        negative=["R09"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    read = c.api(5.0, "CLIPBOARD", "ClipboardManager.getPrimaryClip")
    desc = c.api(6.0, "CLIPBOARD", "ClipboardManager.hasPrimaryClip", sdk="com.taobao.share")
    c.tap(20.0, "粘贴", intent="paste")
    ok = c.api(20.5, "CLIPBOARD", "ClipboardManager.getPrimaryClip")
    c.end(30.0)
    c.expect("R29", "violation", [read], "CLIPBOARD", "app")
    c.expect("R29", "info", [desc], "CLIPBOARD", "com.taobao.share")
    c.allowed.append(ok)
    return c


def app_list_supermarket() -> Case:
    c = Case(
        "app_list_supermarket",
        "S3, supermarket app: an ad SDK enumerates installed apps (violation); the app looks up one "
        "named package to offer sharing (info).",
        profile="supermarket_shopping",
        negative=["R09", "R26"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    en = c.api(5.0, "APP_LIST", "PackageManager.getInstalledPackages", sdk="com.sdk.ads")
    one = c.api(6.0, "APP_LIST", "PackageManager.getPackageInfo")
    c.end(30.0)
    c.expect("R30", "violation", [en], "APP_LIST", "com.sdk.ads")
    c.expect("R30", "info", [one], "APP_LIST", "app")
    return c


def app_list_app_store() -> Case:
    c = Case(
        "app_list_app_store",
        "S3, app store: listing installed apps is part of the basic function, so it is not flagged.",
        profile="app_store",
        negative=["R30", "R09"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.api(5.0, "APP_LIST", "PackageManager.getInstalledPackages")
    c.end(30.0)
    return c


def location_beyond_need() -> Case:
    c = Case(
        "location_beyond_need",
        "S3, supermarket app (needs at most one location fix): an SDK starts continuous updates, the app "
        "takes two fixes with no user action, and background location is requested.",
        profile="supermarket_shopping",
        negative=["R25", "R26"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    upd = c.api(5.0, "LOCATION", "LocationManager.requestLocationUpdates", sdk="com.amap.api")
    f1 = c.api(8.0, "LOCATION", "LocationManager.getLastKnownLocation")
    f2 = c.api(48.0, "LOCATION", "LocationManager.getLastKnownLocation")
    bg = c.request(60.0, "LOCATION", permissions=("android.permission.ACCESS_BACKGROUND_LOCATION",))
    c.end(80.0)
    c.expect("R31", "needs-review", [upd], "LOCATION", "com.amap.api")
    c.expect("R31", "needs-review", [f1, f2], "LOCATION", "app")
    c.expect("R31", "violation", [bg], "LOCATION", "app")
    c.expect("R19", "violation", [bg], "LOCATION", "app")
    return c


def navigation_continuous_allowed() -> Case:
    c = Case(
        "navigation_continuous_allowed",
        "S3, map navigation: the user starts navigation, grants location, and the app follows the route "
        "with a fix every 5 s; that is the function itself.",
        profile="map_navigation",
        negative=["R19", "R25", "R26", "R31"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(10.0, "开始导航", intent="location")
    req = c.request(10.2, "LOCATION", permissions=("android.permission.ACCESS_FINE_LOCATION",))
    c.decide(11.0, "accept", subject="permission:LOCATION")
    c.result(11.1, "LOCATION", "granted")
    upd = c.api(11.5, "LOCATION", "LocationManager.requestLocationUpdates")
    for i in range(7):
        c.api(15.0 + 5 * i, "LOCATION", "Location.getLatitude")
    c.end(60.0)
    c.allowed += [req, upd]
    return c


def unrelated_permission_parking() -> Case:
    c = Case(
        "unrelated_permission_parking",
        "S3, car-park payment: contacts are requested (after a tap, so not premature) although a parking "
        "app has no function that needs them.",
        profile="parking_payment",
        negative=["R19"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(10.0, "选择联系人", intent="contacts")
    r = c.request(10.3, "CONTACTS", permissions=("android.permission.READ_CONTACTS",))
    c.end(30.0)
    c.expect("R25", "violation", [r], "CONTACTS", "app")
    return c


def self_and_associated_start() -> Case:
    c = Case(
        "self_and_associated_start",
        "S1/S2: the process starts for a broadcast before anyone opened the app; a push SDK starts a "
        "service of another app before consent; later a share tap starts another app (allowed), and "
        "starting the app's own component is ignored.",
        scenario="S2",
    )
    c.add(RunMarker(t=0.0, phase="start", scenario="S2", package=PKG))
    st = c.state(0.5, "started", cause="broadcast")
    c.act(5.0, "launch")
    c.state(5.1, "started", cause="activity")
    c.prompt(6.0)
    push = c.api(7.0, "APP_START", "Context.startService", sdk="com.push.sdk", args="com.other.app/.PushService")
    c.decide(9.0, "accept")
    c.screen(9.5)
    c.tap(20.0, "分享")
    share = c.api(20.5, "APP_START", "Context.startActivity", args="com.tencent.mm/.ui.ShareActivity")
    own = c.api(25.0, "APP_START", "Context.startService", args=f"{PKG}/.SyncService")
    c.end(40.0)
    c.expect("R32", "violation", [st])
    c.expect("R32", "violation", [push], "APP_START", "com.push.sdk")
    c.allowed += [share, own]
    return c


def prompt_no_refusal() -> Case:
    c = Case(
        "prompt_no_refusal",
        "The privacy prompt has only '我知道了' and a policy link: no refusal and an ambiguous accept.",
        scenario="S2",
        negative=["R01", "R42"],
    )
    c.start()
    p = c.prompt(1.0, [{"role": "accept", "text": "我知道了", "is_button": True}, {"role": "policy_link", "text": "《隐私政策》"}])
    c.decide(3.0, "accept")
    c.screen(3.5)
    c.end(20.0)
    # both defects of the one prompt (no refusal, ambiguous accept) are one finding: same rule,
    # same prompt, same evidence; its message names both
    c.expect("R12", "violation", [p])
    return c


def preticked_and_implied() -> Case:
    c = Case(
        "preticked_and_implied",
        "The prompt's consent box is ticked before any touch; the login screen says logging in means "
        "agreeing, with no box at all.",
        negative=["R12"],
    )
    c.start()
    p = c.prompt(
        1.0,
        checkboxes=[{"text": "我已阅读并同意《隐私政策》", "resource_id": "cb_agree", "checked": True, "consent": True}],
        pre_ticked=True,
    )
    c.decide(3.0, "accept")
    login = c.screen(4.0, "login", kind="login_gate", implied_consent=["登录即代表同意《用户协议》和《隐私政策》"])
    c.end(20.0)
    c.expect("R13", "violation", [p])
    c.expect("R13", "violation", [login])
    return c


def consent_box_ticked_by_user() -> Case:
    c = Case(
        "consent_box_ticked_by_user",
        "The consent box starts unticked; the runner ticks it, so the later checked state is the user's doing. "
        "The prompt's own 'tapping Agree means you agree' sentence is explicit consent, not implied.",
        negative=["R13"],
    )
    c.start()
    c.prompt(
        1.0,
        checkboxes=[{"text": "我已阅读并同意", "resource_id": "cb_agree", "checked": False, "consent": True}],
        implied_consent=["点击“同意”即表示您已阅读并同意上述条款"],
    )
    c.tap(2.0, "我已阅读并同意", resource_id="cb_agree")
    c.prompt(2.2, checkboxes=[{"text": "我已阅读并同意", "resource_id": "cb_agree", "checked": True, "consent": True}])
    c.decide(3.0, "accept")
    c.screen(3.5)
    c.end(20.0)
    return c


def dismiss_then_collects() -> Case:
    c = Case(
        "dismiss_then_collects",
        "S2: the runner presses Back on the prompt (no choice made); the app goes on and reads the "
        "device identifier.",
        scenario="S2",
        negative=["R10", "R23"],
    )
    c.start()
    c.prompt(1.0)
    c.act(2.0, "back")
    dm = c.decide(2.0, "dismiss", how="back")
    c.screen(3.0)
    a = c.api(4.0, "DEVICE_ID", "Settings.Secure.getString#android_id")
    c.end(20.0)
    c.expect("R09", "violation", [a], "DEVICE_ID", "app")
    c.expect("R14", "violation", [dm, a], "DEVICE_ID", "app")
    return c


def dismiss_next_launch_no_prompt() -> Case:
    c = Case(
        "dismiss_next_launch_no_prompt",
        "S2: the prompt is dismissed with Back; after a cold restart the app never asks again.",
        scenario="S2",
        negative=["R09"],
    )
    c.start()
    c.prompt(1.0)
    c.act(2.0, "back")
    dm = c.decide(2.0, "dismiss", how="back")
    c.screen(3.0)
    started = _cold_start(c, 10.0)
    c.screen(12.0)
    c.end(30.0)
    c.expect("R14", "violation", [dm, started])
    return c


def prompt_auto_dismiss() -> Case:
    c = Case(
        "prompt_auto_dismiss",
        "S1: the prompt counts down and disappears by itself; the main screen follows with no input.",
        scenario="S1",
    )
    c.start()
    p = c.prompt(1.0)
    m = c.screen(8.0)
    c.end(30.0)
    c.expect("R14", "violation", [p, m])
    return c


def asymmetric_prompt() -> Case:
    c = Case(
        "asymmetric_prompt",
        "The accept button is six times the size of the refusal, which is a plain text link.",
        negative=["R12"],
    )
    c.start()
    p = c.prompt(
        1.0,
        asymmetry={"accept_area": 120000, "decline_area": 20000, "area_ratio": 6.0, "decline_is_link": True, "accept_is_button": True},
    )
    c.decide(3.0, "accept")
    c.screen(3.5)
    c.end(20.0)
    c.expect("R42", "needs-review", [p])
    return c


def decline_three_taps_shaming() -> Case:
    c = Case(
        "decline_three_taps_shaming",
        "S2: refusing takes three taps through two confirmation screens, the first labelled '残忍拒绝'.",
        scenario="S2",
        negative=["R18"],
    )
    c.start()
    c.prompt(1.0)
    s1 = c.prompt(2.0, [{"role": "reconsider", "text": "再看看"}, {"role": "confirm_decline", "text": "残忍拒绝"}], kind="second_confirm")
    s2 = c.prompt(3.0, [{"role": "reconsider", "text": "返回"}, {"role": "confirm_decline", "text": "确定不同意"}], kind="second_confirm")
    d = c.decide(4.0, "decline", taps=3)
    c.screen(4.5)
    c.end(20.0)
    c.expect("R43", "violation", [s1, s2, d])
    c.expect("R43", "violation", [s1])
    return c


def eu_cmp_refusal_adid() -> Case:
    c = Case(
        "eu_cmp_refusal_adid",
        "EU profile: the consent-management dialog is refused through 'Manage options' (two taps); an "
        "ad SDK then reads the advertising ID.",
        scenario="S2",
        jurisdiction="eu",
        negative=["R01", "R09", "R12"],
    )
    c.start()
    c.prompt(
        1.0,
        [
            {"role": "accept", "text": "Accept all"},
            {"role": "decline", "text": "Reject all"},
            {"role": "manage_options", "text": "Manage options"},
            {"role": "policy_link", "text": "Privacy policy"},
        ],
        kind="cmp_dialog",
    )
    d = c.decide(3.0, "decline", subject="cmp", taps=2)
    c.screen(3.5)
    ad = c.api(5.0, "AD_ID", "AdvertisingIdClient.getAdvertisingIdInfo", sdk="com.google.android.gms.ads")
    c.end(30.0)
    c.expect("R10", "violation", [ad], "AD_ID", "com.google.android.gms.ads")
    c.expect("R33", "violation", [ad], "AD_ID", "com.google.android.gms.ads")
    c.expect("R35", "violation", [ad], "AD_ID", "com.google.android.gms.ads")
    c.expect("R43", "needs-review", [d])
    return c


#: TC strings written by the IAB's encoder (@iabtcf/core) for the TCF test pages' CMP
TC_ACCEPT_ALL = "CQuzncAQuzncA_KADBENBHFsAP_gAEPAAAwID-QBAAPgBNAGoAfwB_IAYATQBqAH8AAA.YAAAAAAAAAAA"
TC_NO_CONSENT_LI_2347 = "CQuzncAQuzncA_LADCENBHFgAAAAAHIAAAqIAAAH8gBgBNAGoAfwAAAA.YAAAAAAAAAAA"


def _tc_signal(c: Case, t: float, tc: str) -> int:
    args = json.dumps({"s": "useractioncomplete", "cmp": 4042, "g": True, "tc": tc}, separators=(",", ":"))
    return c.add(ApiCall(t=t, category="CONSENT_SIGNAL", api_id="Web.tcfapi.tcData", method="useractioncomplete", args=args, sdk="app", source="web"))


def _tcf_banner(c: Case, t: float) -> int:
    return c.prompt(t, [{"role": "accept", "text": "Accept all"}, {"role": "decline", "text": "Reject all"}, {"role": "manage_options", "text": "Manage options"}], kind="cmp_dialog")


def eu_tcf_refusal_still_grants() -> Case:
    c = Case(
        "eu_tcf_refusal_still_grants",
        "EU profile, IAB TCF CMP: 'Reject all' is tapped, but the TC string the CMP hands to its "
        "listeners still grants every purpose, special feature and vendor (R45); legitimate interest "
        "stays on only for purposes that may rest on it (no R46).",
        scenario="W2",
        jurisdiction="eu",
        negative=["R46", "R09", "R10"],
    )
    c.start()
    _tcf_banner(c, 1.0)
    d = c.decide(3.0, "decline", subject="cmp", how="tap:Reject all")
    sig = _tc_signal(c, 3.1, TC_ACCEPT_ALL)
    c.screen(3.5)
    c.end(10.0)
    c.expect("R45", "violation", [sig, d], "CONSENT_SIGNAL", "app")
    return c


def eu_tcf_li_kept_for_ads() -> Case:
    c = Case(
        "eu_tcf_li_kept_for_ads",
        "EU profile, IAB TCF CMP: after 'Reject all' the TC string grants no consent (no R45) but "
        "keeps legitimate interest for ad profiling and personalised ads (purposes 3 and 4: R46, one "
        "finding each) besides basic ads and measurement (2, 7: not judged).",
        scenario="W2",
        jurisdiction="eu",
        negative=["R45"],
    )
    c.start()
    _tcf_banner(c, 1.0)
    d = c.decide(3.0, "decline", subject="cmp", how="tap:Manage options > tap:Reject all", taps=2)
    sig = _tc_signal(c, 3.2, TC_NO_CONSENT_LI_2347)
    c.screen(3.5)
    c.end(10.0)
    c.expect("R46", "violation", [sig, d], "CONSENT_SIGNAL", "app")
    c.expect("R46", "violation", [sig, d], "CONSENT_SIGNAL", "app")
    c.expect("R43", "needs-review", [d])
    return c


def eu_policy_accepted_cmp_refused() -> Case:
    c = Case(
        "eu_policy_accepted_cmp_refused",
        "EU profile: the privacy notice is accepted but advertising is refused in the CMP; the ad SDK "
        "reads the advertising ID anyway.",
        jurisdiction="eu",
        negative=["R09", "R10", "R33", "R43"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.prompt(3.0, [{"role": "accept", "text": "Accept all"}, {"role": "decline", "text": "Reject all"}], kind="cmp_dialog")
    c.decide(4.0, "decline", subject="cmp")
    c.screen(4.5)
    ad = c.api(6.0, "AD_ID", "AdvertisingIdClient.getAdvertisingIdInfo", sdk="com.google.android.gms.ads")
    c.end(30.0)
    c.expect("R35", "violation", [ad], "AD_ID", "com.google.android.gms.ads")
    return c


def permission_state_changed() -> Case:
    c = Case(
        "permission_state_changed",
        "S3: location is denied; after a restart the platform reports it granted although no dialog "
        "was answered and no setting changed.",
        negative=["R22", "R21"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(10.0, "定位", intent="location")
    c.request(10.2, "LOCATION", permissions=("android.permission.ACCESS_FINE_LOCATION",))
    den = c.result(11.0, "LOCATION", "denied")
    _cold_start(c, 20.0)
    c.screen(22.0)
    gr = c.result(23.0, "LOCATION", "granted")
    c.end(40.0)
    c.expect("R15", "violation", [den, gr], "LOCATION")
    return c


def decline_reprompt_after_feature_tap() -> Case:
    c = Case(
        "decline_reprompt_after_feature_tap",
        "S2: after the decline the prompt comes back twice, each time right after the user taps the scan "
        "feature, which the app explains needs consent: not a nagging loop.",
        scenario="S2",
        negative=["R18", "R28"],
    )
    c.start()
    c.prompt(1.0)
    d1 = c.decide(2.0, "decline")
    c.screen(2.5)
    c.tap(5.0, "扫一扫", intent="scan")
    c.prompt(5.5)
    c.decide(6.0, "decline")
    c.screen(6.5)
    c.tap(10.0, "扫一扫", intent="scan")
    c.prompt(10.5)
    c.decide(11.0, "decline")
    c.screen(11.5)
    c.end(20.0)
    c.allowed.append(d1)
    return c


def login_gate_extended_feature() -> Case:
    c = Case(
        "login_gate_extended_feature",
        "S3, supermarket app (browsing needs no account): a login screen appears when the user opens "
        "'my orders', outside the basic-function check; a reviewer decides.",
        profile="supermarket_shopping",
        negative=["R13"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.add(StepMarker(t=5.0, index=5, step="assert_functional", phase="begin"))
    c.screen(6.0, "goods")
    c.add(StepMarker(t=7.0, index=5, step="assert_functional", phase="end", status="ok"))
    c.tap(10.0, "我的订单")
    login = c.screen(11.0, "login", kind="login_gate")
    c.end(20.0)
    c.expect("R24", "needs-review", [login])
    return c


def login_gate_lending_allowed() -> Case:
    c = Case(
        "login_gate_lending_allowed",
        "S3, micro-loan app: applying for a loan needs an account, so a login gate in the basic-function "
        "check is expected.",
        profile="micro_loan",
        negative=["R24", "R23"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.add(StepMarker(t=5.0, index=5, step="assert_functional", phase="begin"))
    c.screen(6.0, "login", kind="login_gate")
    c.add(StepMarker(t=7.0, index=5, step="assert_functional", phase="end", status="ok"))
    c.end(20.0)
    return c


# -- S5: settings exploration and the policy text (R02, R03, R05, R06, R16, R40, R41) ----------

FULL_POLICY = [
    "隐私政策",
    "一、我们收集的信息：注册时收集手机号；在您同意后，友盟统计 SDK（Umeng）收集设备标识符（Android ID），目的为统计分析。",
    "二、使用方式与范围：仅用于提供购物服务；第三方共享清单见本政策附录。三、保存期限：账号存续期间。",
    "四、您的权利：您可以在“我的-隐私设置”中撤回同意，或注销账号；我们将在 15 个工作日内答复您的请求。",
    "五、联系方式：privacy@shop.example，客服电话 400-820-1234。",
]


def _explore(c: Case, t: float, found: dict[str, Any], *, screens: int = 6, complete: bool = True) -> int:
    """The explore step's begin / result / end markers; returns the result marker's seq."""
    c.add(StepMarker(t=t, index=4, step="explore", phase="begin"))
    msg = {"found": found, "missing": [k for k in ("policy", "withdraw", "delete_account", "complaint") if k not in found], "max_depth": 4, "screens": screens, "taps": screens, "complete": complete}
    seq = c.add(StepMarker(t=t + 20.0, index=-1, step="explore", phase="result", status="ok", message=json.dumps(msg, ensure_ascii=False)))
    c.add(StepMarker(t=t + 20.1, index=4, step="explore", phase="end", status="ok"))
    return seq


def policy_explored_clean() -> Case:
    c = Case(
        "policy_explored_clean",
        "S5, shopping app with accounts: the policy is one tap from the main screen and names what is "
        "collected, the analytics SDK, retention, withdrawal, a contact e-mail and a 15-working-day "
        "reply; privacy settings, account deletion and 联系我们 are two taps away. Nothing to report.",
        scenario="S5",
        profile="online_shopping",
        negative=["R02", "R03", "R05", "R06", "R16", "R40", "R41"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.api(3.0, "DEVICE_ID", "Settings.Secure.getString#android_id", sdk="com.umeng.analytics")
    c.tap(6.0, "隐私政策", role="explore")
    c.screen(6.5, "policy", texts=FULL_POLICY)
    c.act(8.0, "back")
    c.tap(9.0, "我的", role="explore")
    c.screen(9.5, "me", texts=["我的", "隐私设置", "注销账号", "联系我们"])
    _explore(
        c,
        5.0,
        {
            "policy": {"clicks": 1, "path": ["隐私政策"], "screen": "policy"},
            "withdraw": {"clicks": 2, "path": ["我的", "隐私设置"]},
            "delete_account": {"clicks": 2, "path": ["我的", "注销账号"]},
            "complaint": {"clicks": 2, "path": ["我的", "联系我们"]},
        },
    )
    c.end(40.0)
    return c


def policy_deep_but_complete() -> Case:
    c = Case(
        "policy_deep_but_complete",
        "S5 explored six taps deep: the policy is first reached after 5 taps (我的 > 设置 > 关于 > 法律 > "
        "隐私政策); it describes how to withdraw consent, so no in-app withdrawal control is not by "
        "itself a finding; account deletion is 3 taps away.",
        scenario="S5",
        profile="online_shopping",
        negative=["R03", "R05", "R06", "R16", "R40", "R41"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.screen(12.0, "policy", texts=FULL_POLICY)
    ex = _explore(
        c,
        5.0,
        {
            "policy": {"clicks": 5, "path": ["我的", "设置", "关于", "法律", "隐私政策"], "screen": "policy"},
            "delete_account": {"clicks": 3, "path": ["我的", "账号与安全", "注销账号"]},
            "complaint": {"clicks": 2, "path": ["我的", "联系我们"]},
        },
    )
    c.end(40.0)
    c.expect("R02", "violation", [ex])
    return c


def policy_gaps() -> Case:
    c = Case(
        "policy_gaps",
        "S5, shopping app with accounts: the policy page is a two-line notice with no collection rules "
        "and no contact; after consent the app lists installed apps and a push SDK the policy never "
        "names reads the Android ID; no privacy settings or account deletion anywhere.",
        scenario="S5",
        profile="online_shopping",
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    ad = c.api(2.8, "AD_ID", "AdvertisingIdClient.getAdvertisingIdInfo", sdk="com.bytedance.sdk.openadsdk")
    apps = c.api(3.0, "APP_LIST", "PackageManager.getInstalledPackages")
    d1 = c.api(4.0, "DEVICE_ID", "Settings.Secure.getString#android_id", sdk="com.igexin.push")
    d2 = c.api(4.5, "DEVICE_ID", "Settings.Secure.getString#android_id", sdk="com.igexin.push")
    pol = c.screen(6.5, "policy", texts=["隐私政策", "欢迎使用本应用。我们非常重视您的隐私，请放心使用。"])
    ex = _explore(c, 5.0, {"policy": {"clicks": 1, "path": ["隐私政策"], "screen": "policy"}}, screens=9)
    c.end(40.0)
    c.expect("R03", "needs-review", [pol])
    c.expect("R05", "violation", [pol, ad], "AD_ID")
    c.expect("R05", "violation", [pol, apps], "APP_LIST")
    c.expect("R05", "violation", [pol, d1, d2], "DEVICE_ID")
    c.expect("R06", "violation", [pol, ad], "AD_ID", "com.bytedance.sdk.openadsdk")
    c.expect("R06", "violation", [pol, d1, d2], "DEVICE_ID", "com.igexin.push")
    c.expect("R16", "violation", [ex, pol])
    c.expect("R40", "violation", [ex])
    c.expect("R41", "violation", [pol])
    c.expect("R30", "violation", [apps], "APP_LIST", "app")  # the enumeration itself (not this family)
    return c


def policy_slow_response() -> Case:
    c = Case(
        "policy_slow_response",
        "S5, app without accounts: the policy is complete but promises to answer complaints within 30 "
        "working days (over the 15-day limit); no deletion path is needed without accounts.",
        scenario="S5",
        profile="parking_payment",
        negative=["R02", "R03", "R05", "R06", "R16", "R40"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    texts = [t.replace("15 个工作日内答复您的请求", "30 个工作日内答复您的投诉") for t in FULL_POLICY]
    pol = c.screen(6.5, "policy", texts=texts)
    _explore(c, 5.0, {"policy": {"clicks": 1, "path": ["隐私政策"], "screen": "policy"}, "withdraw": {"clicks": 2, "path": ["我的", "隐私设置"]}})
    c.end(40.0)
    c.expect("R41", "violation", [pol])
    return c


def policy_no_time_stated() -> Case:
    c = Case(
        "policy_no_time_stated",
        "S5: the policy gives a contact e-mail but no handling time: R41 reports the 15-working-day "
        "default as information only.",
        scenario="S5",
        negative=["R02", "R03", "R16", "R40"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    texts = [t for t in FULL_POLICY if "工作日" not in t] + ["您可以在“我的-隐私设置”中撤回同意。"]
    pol = c.screen(6.5, "policy", texts=texts)
    _explore(c, 5.0, {"policy": {"clicks": 1, "path": ["隐私政策"], "screen": "policy"}})
    c.end(40.0)
    c.expect("R41", "info", [pol])
    return c


def no_exploration_no_policy_findings() -> Case:
    c = Case(
        "no_exploration_no_policy_findings",
        "S3 (no settings exploration): the run collects after consent and never opens the policy, so "
        "the policy and settings rules have no evidence and stay silent.",
        profile="online_shopping",
        negative=["R02", "R03", "R05", "R06", "R16", "R40", "R41", "R36"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    apps = c.api(3.0, "APP_LIST", "PackageManager.getInstalledPackages")
    c.api(4.0, "DEVICE_ID", "Settings.Secure.getString#android_id", sdk="com.igexin.push")
    c.end(40.0)
    c.expect("R30", "violation", [apps], "APP_LIST", "app")  # the enumeration itself (not this family)
    return c


# -- R07 (purpose with the permission request) and R36 (personalisation switch) ---------------

_LOC_DIALOG = ["要允许“好邻居”获取此设备的位置信息吗？", "仅在使用该应用时允许", "仅限这一次", "不允许"]


def _location_ask(c: Case, t: float) -> tuple[int, int, int]:
    """The app's hooked location request, the system dialog on screen and the runner's record of
    it, and the denial; returns (hook seq, dialog snapshot seq, dialog request seq)."""
    hook = c.request(t, "LOCATION", permissions=("android.permission.ACCESS_FINE_LOCATION",))
    snap = c.screen(t + 0.3, "perm", kind="permission_dialog", package=PERMS_UI, texts=_LOC_DIALOG)
    dialog = c.request(t + 0.3, "LOCATION", via="dialog", sdk="")
    c.decide(t + 0.3, "decline", subject="permission:LOCATION")
    c.result(t + 0.8, "LOCATION", "denied")
    return hook, snap, dialog


def purpose_missing_location() -> Case:
    c = Case(
        "purpose_missing_location",
        "S3: the user taps 门店 and the app asks for location at once; nothing on the app's screen "
        "names location or says what it is for (the system dialog's own question does not count).",
        negative=["R19", "R21", "R22"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    main = c.screen(2.5, texts=["好邻居门店", "浏览商品", "门店"])
    c.tap(4.0, "门店", intent="location")
    hook, snap, dialog = _location_ask(c, 4.2)
    c.screen(6.0, texts=["好邻居门店", "浏览商品", "门店"])
    c.end(30.0)
    c.expect("R07", "violation", [main, hook, snap, dialog])
    return c


def purpose_shown_previous_screen() -> Case:
    c = Case(
        "purpose_shown_previous_screen",
        "S3: the main screen says 开启定位，用于为您查找附近门店; the user taps 定位, a loading page "
        "shows, then the request: the purpose was on the screen that led to it. Nothing to report.",
        negative=["R07", "R19"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5, texts=["好邻居门店", "开启定位，用于为您查找附近门店", "定位"])
    c.tap(4.0, "定位", intent="location")
    c.screen(4.5, "loading", texts=["正在加载"])
    _location_ask(c, 5.0)
    c.screen(7.0, texts=["好邻居门店", "开启定位，用于为您查找附近门店", "定位"])
    c.end(30.0)
    return c


def purpose_word_only() -> Case:
    c = Case(
        "purpose_word_only",
        "S3: the only hint before the location request is the 定位 button the user tapped: the data "
        "is named, its purpose is not (needs review).",
        negative=["R19"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    main = c.screen(2.5, texts=["好邻居门店", "浏览商品", "定位"])
    c.tap(4.0, "定位", intent="location")
    hook, snap, dialog = _location_ask(c, 4.2)
    c.end(30.0)
    c.expect("R07", "needs-review", [main, hook, snap, dialog])
    return c


def _explore_targets(c: Case, t: float, found: dict[str, Any], wanted: tuple[str, ...]) -> int:
    """The explore step's markers when it looked for ``wanted`` (found: what it found)."""
    c.add(StepMarker(t=t, index=4, step="explore", phase="begin"))
    msg = {"found": found, "missing": [k for k in wanted if k not in found], "max_depth": 4, "screens": 6, "taps": 6, "complete": True}
    seq = c.add(StepMarker(t=t + 20.0, index=-1, step="explore", phase="result", status="ok", message=json.dumps(msg, ensure_ascii=False)))
    c.add(StepMarker(t=t + 20.1, index=4, step="explore", phase="end", status="ok"))
    return seq


_PERSONALISED_POLICY = [*FULL_POLICY, "六、个性化推荐：我们会根据您的浏览和购买记录向您推荐商品。"]
_ALL_TARGETS = ("policy", "withdraw", "delete_account", "complaint", "personalisation")


def personalisation_no_switch() -> Case:
    c = Case(
        "personalisation_no_switch",
        "S5: the policy says goods are recommended from the user's browsing (个性化推荐); the "
        "exploration looked for a switch to turn that off and found none within 4 taps.",
        scenario="S5",
        profile="online_shopping",
        negative=["R02", "R16", "R40", "R41"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(6.0, "隐私政策", role="explore")
    policy = c.screen(6.5, "policy", texts=_PERSONALISED_POLICY)
    c.act(8.0, "back")
    c.screen(9.5, "me", texts=["我的", "隐私设置", "注销账号", "联系我们"])
    found = {
        "policy": {"clicks": 1, "path": ["隐私政策"], "screen": "policy"},
        "withdraw": {"clicks": 2, "path": ["我的", "隐私设置"]},
        "delete_account": {"clicks": 2, "path": ["我的", "注销账号"]},
        "complaint": {"clicks": 2, "path": ["我的", "联系我们"]},
    }
    marker = _explore_targets(c, 5.0, found, _ALL_TARGETS)
    c.end(40.0)
    c.expect("R36", "needs-review", [policy, marker])
    return c


def personalisation_switch_found() -> Case:
    c = Case(
        "personalisation_switch_found",
        "S5: the same policy, and 我的 > 隐私设置 carries a 个性化推荐 switch two taps from the main "
        "screen: nothing to report.",
        scenario="S5",
        profile="online_shopping",
        negative=["R36", "R02", "R16", "R40", "R41"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(2.0, "accept")
    c.screen(2.5)
    c.tap(6.0, "隐私政策", role="explore")
    c.screen(6.5, "policy", texts=_PERSONALISED_POLICY)
    c.act(8.0, "back")
    c.screen(9.5, "settings", texts=["隐私设置", "个性化推荐", "撤回同意"])
    found = {
        "policy": {"clicks": 1, "path": ["隐私政策"], "screen": "policy"},
        "withdraw": {"clicks": 2, "path": ["我的", "隐私设置"]},
        "delete_account": {"clicks": 2, "path": ["我的", "注销账号"]},
        "complaint": {"clicks": 2, "path": ["我的", "联系我们"]},
        "personalisation": {"clicks": 2, "path": ["我的", "个性化推荐"]},
    }
    _explore_targets(c, 5.0, found, _ALL_TARGETS)
    c.end(40.0)
    return c


def _accept_only(c: Case) -> None:
    """A plain run: prompt with a fair choice, the user accepts, nothing is collected."""
    c.start()
    c.prompt(1.0, asymmetry={"accept_area": 30000, "decline_area": 30000, "area_ratio": 1.0, "decline_is_link": False, "accept_is_button": True})
    c.decide(3.0, "accept")
    c.screen(3.5)
    c.end(30.0)


def static_manifest_risks() -> Case:
    c = Case(
        "static_manifest_risks",
        "Static check (S0): a parking app's manifest ships debuggable with cleartext allowed, an exported "
        "provider with no permission, QUERY_ALL_PACKAGES, READ_CONTACTS it never asks for, and a push SDK "
        "receiver for boot and network changes. The run itself is clean; the manifest facts in run.json "
        "give R39 information (three indicators), R30 (a finding), R25 and R32 information.",
        profile="parking_payment",
        negative=["R09", "R19", "R20", "R33"],
        manifest={
            "package": PKG,
            "source": "apk",
            "target_sdk": 33,
            "permissions": ["android.permission.INTERNET", "android.permission.READ_CONTACTS", "android.permission.QUERY_ALL_PACKAGES"],
            "dangerous": {"android.permission.READ_CONTACTS": "CONTACTS"},
            "special": ["android.permission.QUERY_ALL_PACKAGES"],
            "debuggable": True,
            "cleartext": "allowed",
            "allow_backup": False,
            "exported_unprotected": [{"kind": "provider", "name": PKG + ".OrderProvider", "sdk": ""}],
            "wakeup_receivers": [
                {"name": "com.igexin.push.core.receiver.PushReceiver", "actions": ["android.intent.action.BOOT_COMPLETED", "android.net.conn.CONNECTIVITY_CHANGE"], "sdk": "getui"}
            ],
        },
    )
    _accept_only(c)
    c.expect("R25", "info", [], category="CONTACTS")
    c.expect("R30", "violation", [], category="APP_LIST")
    c.expect("R32", "info", [], sdk="getui")
    c.expect("R39", "info", [])
    c.expect("R39", "info", [])
    c.expect("R39", "info", [])
    return c


def static_manifest_clean() -> Case:
    c = Case(
        "static_manifest_clean",
        "Static check (S0): an app-store app declares QUERY_ALL_PACKAGES (its type needs the app list), "
        "a release build with cleartext blocked, backup rules and no exposed provider or wake-up receiver. "
        "No static finding.",
        profile="app_store",
        negative=["R25", "R30", "R32", "R39"],
        manifest={
            "package": PKG,
            "source": "apk",
            "target_sdk": 34,
            "permissions": ["android.permission.INTERNET", "android.permission.QUERY_ALL_PACKAGES", "android.permission.REQUEST_INSTALL_PACKAGES"],
            "special": ["android.permission.QUERY_ALL_PACKAGES", "android.permission.REQUEST_INSTALL_PACKAGES"],
            "cleartext": "blocked",
            "allow_backup": True,
            "backup_rules": True,
            "exported_unprotected": [{"kind": "activity", "name": PKG + ".DeepLink", "sdk": ""}],
        },
    )
    _accept_only(c)
    return c



# -- network (R34, R37): values matched in URLs and headers (no bodies in golden cases) ----------
IMEI = "861234567890123"
AID = "a1b2c3d4e5f60718"
MAC = "02:00:00:44:55:66"


def _flow(c: Case, t: float, host: str, path: str, scheme: str = "https", headers: tuple[str, ...] = ()) -> int:
    return c.add(NetworkFlow(t=t, source="network", host=host, path=path, scheme=scheme, method="GET", tls=scheme == "https", headers=headers, status=200))


def _plant(c: Case, t: float, category: str, value: str, api_id: str) -> int:
    return c.add(HoneyPlant(t=t, source="frida", name=category.lower(), category=category, value=value, api_id=api_id))


def network_third_party_before_consent() -> Case:
    c = Case(
        "network_third_party_before_consent",
        "S2: an analytics SDK sends the MD5 of the IMEI to its host before the privacy dialog is "
        "answered; after the decline a push SDK sends the MAC address to its host; the app's own "
        "statistics go over plain http with the Android ID.",
        scenario="S2",
        negative=["R36"],
    )
    c.start()
    imei = _plant(c, 0.3, "DEVICE_ID", IMEI, "TelephonyManager.getImei")
    aid = _plant(c, 0.35, "DEVICE_ID", AID, "Settings$Secure.getString#android_id")
    f1 = _flow(c, 0.5, "ulogs.umeng.com", "/unify_logs?di=" + hashlib.md5(IMEI.encode()).hexdigest().upper())
    c.prompt(1.0)
    c.decide(3.0, "decline")
    c.screen(3.5)
    mac = _plant(c, 4.0, "NET_ID", MAC, "WifiInfo.getMacAddress")
    f2 = _flow(c, 4.5, "api.jpush.cn", "/v3/report", headers=("x-device: mac=" + MAC.replace(":", "").upper(),))
    f3 = _flow(c, 5.0, "stat.example.com", "/s.gif?aid=" + AID, scheme="http")
    c.end(30.0)
    c.expect("R34", "violation", [f1, imei], "DEVICE_ID", "umeng")
    c.expect("R34", "violation", [f2, mac], "NET_ID", "jpush")
    c.expect("R37", "violation", [f3, aid], "DEVICE_ID", "")
    return c


def network_clean() -> Case:
    c = Case(
        "network_clean",
        "Lawful traffic: nothing leaves before consent; after the user accepts, the app's own API "
        "gets the Android ID over TLS (first party), the analytics SDK gets a salted hash no one can "
        "match, and images come from a CDN.",
        scenario="S3",
        negative=["R34", "R37"],
    )
    c.start()
    _plant(c, 0.3, "DEVICE_ID", AID, "Settings$Secure.getString#android_id")
    c.prompt(1.0)
    c.decide(3.0, "accept")
    c.screen(3.5)
    _flow(c, 4.0, "api.example.com", "/v1/session?aid=" + AID)
    _flow(c, 4.5, "ulogs.umeng.com", "/unify_logs?uid=" + hashlib.sha256(b"salt:" + AID.encode()).hexdigest())
    _flow(c, 5.0, "img.alicdn.com", "/banner.png")
    c.end(30.0)
    return c

# -- issue 14 detectors: R36 effectiveness, R37 untrusted CA, "and sent to X" ------------------
ADID = "7c2d9e41-0b6a-4d35-a8f2-e51c3b96d07a"
ZERO_ADID = "00000000-0000-0000-0000-000000000000"


def _net(c: Case, t: float, host: str, path: str, scheme: str = "https") -> int:
    return _flow(c, t, host, path, scheme)


def network_personalisation_ignored() -> Case:
    c = Case(
        "network_personalisation_ignored",
        "S5: the user accepts, then switches 个性化推荐 off at t=20 s. Requests before the switch, and one "
        "still in flight within the 5 s grace, are not judged. Afterwards Pangle still asks for "
        "personalised ads with the advertising id (violation) and GDT still gets the advertising id with "
        "no flag (needs review); a second Pangle request is the same finding.",
        scenario="S5",
        negative=["R34", "R37"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(3.0, "accept")
    c.screen(3.5)
    ad = _plant(c, 4.0, "AD_ID", ADID, "AdvertisingIdClient$Info.getId")
    _net(c, 5.0, "api-access.pangolin-sdk-toutiao.com", f"/api/ad/union/sdk/get_ads?did={ADID}&personalized_ad=1")
    off = c.decide(20.0, "decline", subject="personalisation", how="switch:个性化推荐")
    _net(c, 21.0, "api-access.pangolin-sdk-toutiao.com", f"/api/ad/union/sdk/get_ads?did={ADID}&personalized_ad=1")
    f1 = _net(c, 40.0, "api-access.pangolin-sdk-toutiao.com", f"/api/ad/union/sdk/get_ads?did={ADID}&personalized_ad=1&slot=feed")
    f2 = _net(c, 40.5, "mi.gdt.qq.com", f"/gdt_mview.fcg?aid={ADID}&posid=9001")
    _net(c, 50.0, "api-access.pangolin-sdk-toutiao.com", f"/api/ad/union/sdk/get_ads?did={ADID}&personalized_ad=true")
    c.end(60.0)
    c.expect("R36", "violation", [off, f1, ad], "AD_ID", "pangle_csj")
    c.expect("R36", "needs-review", [off, f2, ad], "AD_ID", "tencent_gdt")
    return c


def network_personalisation_honoured() -> Case:
    c = Case(
        "network_personalisation_honoured",
        "S5: after the user switches personalisation off, Pangle asks for non-personalised ads with a "
        "zeroed advertising id, Google ads get the advertising id with npa=1 (frequency capping), the "
        "consented analytics SDK still gets the advertising id, and the app's own feed API gets "
        "personalized=0. Nothing to report.",
        scenario="S5",
        negative=["R34", "R36", "R37"],
    )
    c.start()
    c.prompt(1.0)
    c.decide(3.0, "accept")
    c.screen(3.5)
    _plant(c, 4.0, "AD_ID", ADID, "AdvertisingIdClient$Info.getId")
    c.decide(20.0, "decline", subject="personalisation", how="switch:个性化推荐")
    _plant(c, 30.0, "AD_ID", ZERO_ADID, "AdvertisingIdClient$Info.getId")
    _net(c, 40.0, "api-access.pangolin-sdk-toutiao.com", f"/api/ad/union/sdk/get_ads?did={ZERO_ADID}&personalized_ad=0")
    _net(c, 40.5, "googleads.g.doubleclick.net", f"/mads/gma?rdid={ADID}&npa=1")
    _net(c, 41.0, "ulogs.umeng.com", f"/unify_logs?gaid={ADID}")
    _net(c, 41.5, "api.example.com", f"/v1/feed?aid={ADID}&personalized=0")
    c.end(60.0)
    return c


def network_untrusted_ca_accepted() -> Case:
    c = Case(
        "network_untrusted_ca_accepted",
        "The untrusted-CA run (S3): the proxy presents a CA nothing trusts. The ad SDK's client accepts it "
        "and its request (with the advertising id) is decrypted: R37, citing the capture, the flow and the "
        "plant. The app's own client refuses the handshake: the right behaviour, no finding.",
        scenario="S3",
        negative=["R34"],
    )
    c.start()
    cap = c.add(NetworkCapture(t=0.05, source="network", ca="untrusted", ca_sha256="ab" * 32, scope="app", proxy="127.0.0.1:8080"))
    c.prompt(1.0)
    c.decide(3.0, "accept")
    c.screen(3.5)
    ad = _plant(c, 4.0, "AD_ID", ADID, "AdvertisingIdClient$Info.getId")
    c.add(TlsFailure(t=4.5, source="network", host="api.example.com", sni="api.example.com", port=443, error="client refused the certificate"))
    f = _net(c, 5.0, "api-access.pangolin-sdk-toutiao.com", f"/api/ad/union/sdk/get_ads?did={ADID}")
    _net(c, 6.0, "api-access.pangolin-sdk-toutiao.com", "/api/ad/union/sdk/stats")
    c.end(30.0)
    c.expect("R37", "violation", [cap, f, ad], "AD_ID", "pangle_csj")
    return c


def network_untrusted_ca_refused() -> Case:
    c = Case(
        "network_untrusted_ca_refused",
        "The untrusted-CA run (S3) of an app whose clients check certificates: every handshake is refused "
        "(TlsFailure) and nothing is decrypted. A refusal is the correct behaviour: no R37.",
        scenario="S3",
        negative=["R34", "R37"],
    )
    c.start()
    c.add(NetworkCapture(t=0.05, source="network", ca="untrusted", ca_sha256="cd" * 32, scope="app", proxy="127.0.0.1:8080"))
    c.prompt(1.0)
    c.decide(3.0, "accept")
    c.screen(3.5)
    _plant(c, 4.0, "AD_ID", ADID, "AdvertisingIdClient$Info.getId")
    for i, host in enumerate(("api.example.com", "api-access.pangolin-sdk-toutiao.com", "ulogs.umeng.com")):
        c.add(TlsFailure(t=5.0 + i, source="network", host=host, sni=host, port=443, error="client refused the certificate"))
    c.end(30.0)
    return c


def network_read_then_sent() -> Case:
    c = Case(
        "network_read_then_sent",
        "S1 (honey data off): an analytics SDK reads the IMEI before the prompt is answered and sends its "
        "MD5 to its host 0.2 s later. R09 cites the read and the flow ('and sent to'); R34 matches the "
        "device's real value (the read's return value), citing the flow and the read.",
        scenario="S1",
        negative=["R37"],
    )
    c.start()
    call = c.add(ApiCall(t=0.3, source="frida", category="DEVICE_ID", api_id="TelephonyManager.getImei", sdk="com.umeng.analytics", ret=IMEI))
    f = _net(c, 0.5, "ulogs.umeng.com", "/unify_logs?di=" + hashlib.md5(IMEI.encode()).hexdigest())
    c.prompt(1.0)
    c.end(30.0)
    c.expect("R09", "violation", [call, f], "DEVICE_ID", "com.umeng.analytics")
    c.expect("R33", "violation", [call], "DEVICE_ID", "com.umeng.analytics")
    c.expect("R34", "violation", [f, call], "DEVICE_ID", "umeng")
    return c


CASE_BUILDERS = (
    static_manifest_risks,
    static_manifest_clean,
    clean_accept_flow,
    no_prompt_collects,
    prompt_too_late,
    decline_then_collects,
    decline_user_triggered_allowed,
    decline_exits_no_pi_type,
    decline_exits_lending,
    decline_blocks_parking,
    decline_reprompt_loop,
    decline_reprompt_cold_starts,
    decline_reprompt_once,
    permissions_premature_bundled,
    deny_then_exit,
    deny_loop_hidden_dialog,
    deny_rerequest_next_launch,
    deny_user_retriggers_allowed,
    permission_bypass_location,
    frequency_periodic,
    frequency_burst,
    background_collection,
    camera_mic,
    clipboard,
    app_list_supermarket,
    app_list_app_store,
    location_beyond_need,
    navigation_continuous_allowed,
    unrelated_permission_parking,
    self_and_associated_start,
    prompt_no_refusal,
    preticked_and_implied,
    consent_box_ticked_by_user,
    dismiss_then_collects,
    dismiss_next_launch_no_prompt,
    prompt_auto_dismiss,
    asymmetric_prompt,
    decline_three_taps_shaming,
    eu_cmp_refusal_adid,
    eu_policy_accepted_cmp_refused,
    eu_tcf_refusal_still_grants,
    eu_tcf_li_kept_for_ads,
    permission_state_changed,
    decline_reprompt_after_feature_tap,
    login_gate_extended_feature,
    login_gate_lending_allowed,
    policy_explored_clean,
    policy_deep_but_complete,
    policy_gaps,
    policy_slow_response,
    policy_no_time_stated,
    no_exploration_no_policy_findings,
    purpose_missing_location,
    purpose_shown_previous_screen,
    purpose_word_only,
    personalisation_no_switch,
    personalisation_switch_found,
    network_third_party_before_consent,
    network_clean,
    network_personalisation_ignored,
    network_personalisation_honoured,
    network_untrusted_ca_accepted,
    network_untrusted_ca_refused,
    network_read_then_sent,
)
CASES = tuple(b.__name__ for b in CASE_BUILDERS)


def write_case(case: Case, out: Path) -> None:
    d = out / case.name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    with Timeline(d / "timeline.jsonl") as tl:
        tl.extend(case.events)
    RunDir(d).write_info(
        RunInfo(
            run_id=f"golden-{case.name}",
            package=PKG,
            app=PKG,
            scenario=case.scenario,
            device={"serial": "golden", "model": "recorded case"},
            simulated=True,
            harness_version="golden",
            status="completed",
            profile=case.profile,
            extra={"manifest": case.manifest} if case.manifest is not None else {},
        )
    )
    expected = {
        "description": case.description,
        "jurisdiction": case.jurisdiction,
        "negative": sorted(case.negative),
        "allowed": case.allowed,
        "findings": case.findings,
    }
    (d / "expected.json").write_text(_dump_expected(expected), encoding="utf-8")


def _dump_expected(expected: dict[str, Any]) -> str:
    """expected.json with one finding per line, so a case reads at a glance."""
    head = {k: v for k, v in expected.items() if k != "findings"}
    lines = [json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ","]
    lines.append('  "findings": [')
    items = [json.dumps(f, ensure_ascii=False) for f in expected["findings"]]
    lines += [f"    {it}," for it in items[:-1]] + ([f"    {items[-1]}"] if items else [])
    lines.append("  ]\n}")
    return "\n".join(lines) + "\n"


def write_cases(out: Path) -> list[str]:
    names = []
    for build in CASE_BUILDERS:
        case = build()
        if case.name != build.__name__:
            raise ValueError(f"case {build.__name__} is named {case.name}")
        write_case(case, out)
        names.append(case.name)
    return names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="write the golden detector cases")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args(argv)
    names = write_cases(args.out)
    print(f"wrote {len(names)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
