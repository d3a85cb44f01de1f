"""Builds run folders for the report tests: run.json, timeline.jsonl, screens/, findings.jsonl and
analysis.json, written through the real Timeline / Finding / RunDir classes.

``make_run(tmp, ...)`` writes a small but complete decline-the-policy run (scenario S2) of a
restaurant-ordering app with two SDKs, a privacy dialog and its second confirm, a permission
dialog, background time and four findings. ``hostile=True`` puts markup and control characters
into every text the app controls, for the injection tests.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

from harness.catalog.rules import load_rules
from harness.detectors.phases import build_phases
from harness.events import (
    AgentStatus,
    ApiCall,
    AppState,
    ConsentDecision,
    ErrorRecord,
    Event,
    PermissionRequest,
    PermissionResult,
    RunMarker,
    StepMarker,
    UiAction,
    UiSnapshot,
)
from harness.findings import Citation, Finding, Threshold
from harness.rundir import RunDir, RunInfo
from harness.timeline import Timeline

__all__ = ["SCRIPT", "IMG", "CTRL", "FORMULA", "make_run", "png_bytes", "make_finding"]

# Hostile strings: if any of them reaches a page as markup, the injection tests catch it.
SCRIPT = "<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script>"
IMG = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">"
# Terminal escapes and bytes XML 1.0 forbids; a spreadsheet formula.
CTRL = "\x1b[2J\x1b]0;owned\x07\x01"
FORMULA = '=HYPERLINK("http://evil.invalid","click")'


def png_bytes(width: int = 90, height: int = 160, *, dialog: bool = True) -> bytes:
    """A small valid PNG: a phone screen with a dialog and two buttons (RGB, no deps)."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            c = (70, 70, 80)
            if dialog and width * 0.1 < x < width * 0.9 and height * 0.3 < y < height * 0.7:
                c = (250, 250, 250)
                if height * 0.6 < y < height * 0.67:
                    c = (220, 220, 220) if x < width / 2 else (229, 57, 53)
            row += bytes(c)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _reading(kind: str, controls: list[dict[str, object]], *, pre_ticked: bool = False, group: str = "") -> str:
    return json.dumps(
        {
            "kind": kind,
            "confidence": 0.93,
            "reasons": ["title matches privacy lexicon", "accept and decline buttons found"],
            "permission_group": group,
            "package": "com.example.diancan",
            "language": "zh",
            "controls": controls,
            "checkboxes": [{"text": "我已阅读并同意", "resource_id": "cb", "checked": pre_ticked, "bounds": [60, 900, 100, 940], "consent": True}],
            "pre_ticked": pre_ticked,
            "implied_consent": [],
            "ambiguous_only": False,
            "asymmetry": {"accept_area": 52000, "decline_area": 9000, "area_ratio": 5.78, "decline_is_link": True, "accept_is_button": True, "taps_to_refuse": 2},
        },
        ensure_ascii=False,
    )


def make_finding(
    rule_id: str,
    severity: str,
    verdict: str,
    evidence: tuple[int, ...],
    *,
    title: str = "",
    message: str = "",
    category: str = "",
    sdk: str = "",
    t: float = 0.0,
    types: tuple[str, ...] = ("T3",),
) -> Finding:
    return Finding(
        rule_id=rule_id,
        title=title or f"Rule {rule_id}",
        severity=severity,
        verdict=verdict,
        message=message or f"{rule_id} observed",
        evidence=evidence,
        problem_types=types,
        citations=(Citation("cn", "认定方法", "三.1"), Citation("cn", "PIPL", "Art. 14")),
        thresholds=(Threshold("calls", 1, "call", "law", "认定方法 三.1"),),
        sdk=sdk,
        category=category,
        t=t,
        detector=f"det.{rule_id.lower()}",
    )


def make_run(
    root: Path,
    name: str = "run-s2",
    *,
    hostile: bool = False,
    simulated: bool = True,
    scenario: str = "S2",
    package: str = "com.example.diancan",
    label: str = "点餐助手",
    with_findings: bool = True,
    with_analysis: bool = True,
    with_screens: bool = True,
    extra_api_calls: int = 0,
) -> Path:
    """Write a complete run folder under ``root`` and return its path."""
    rd = RunDir(root / name)
    rd.path.mkdir(parents=True, exist_ok=True)
    bad = (SCRIPT + IMG + CTRL) if hostile else ""
    rd.write_info(
        RunInfo(
            run_id=name,
            package=package,
            app=package,
            app_label=label + bad,
            scenario=scenario,
            device={"serial": "sim-1", "backend": "sim", "simulated": simulated, "api_level": 34, "model": "Reference device", "locale": "zh-CN"},
            simulated=simulated,
            harness_version="0.1.0",
            hook_pack="sha256:4f1c2a9e0d7b",
            started_at="2026-11-28T10:00:00Z",
            finished_at="2026-11-28T10:01:12Z",
            status="completed",
            profile="food_ordering",
        )
    )
    priv_controls = [
        {"role": "accept", "text": "同意并继续" + bad, "resource_id": "btn_agree", "class": "android.widget.Button", "bounds": [60, 1000, 1020, 1120], "clickable": True, "checked": None, "is_button": True},
        {"role": "decline", "text": "不同意", "resource_id": "tv_disagree", "class": "android.widget.TextView", "bounds": [440, 1140, 640, 1200], "clickable": True, "checked": None, "is_button": False},
        {"role": "policy_link", "text": "《隐私政策》", "resource_id": "", "class": "android.widget.TextView", "bounds": [100, 700, 400, 760], "clickable": True, "checked": None, "is_button": False},
    ]
    confirm_controls = [
        {"role": "confirm_decline", "text": "仍不同意", "resource_id": "btn_exit", "class": "android.widget.Button", "bounds": [60, 1000, 500, 1100], "clickable": True, "checked": None, "is_button": True},
        {"role": "reconsider", "text": "再想想", "resource_id": "btn_back", "class": "android.widget.Button", "bounds": [540, 1000, 1020, 1100], "clickable": True, "checked": None, "is_button": True},
    ]
    perm_controls = [
        {"role": "allow_foreground", "text": "仅在使用中允许", "resource_id": "com.android.permissioncontroller:id/permission_allow_foreground_only_button", "class": "android.widget.Button", "bounds": [80, 1500, 1000, 1600], "clickable": True, "checked": None, "is_button": True},
        {"role": "deny", "text": "不允许", "resource_id": "com.android.permissioncontroller:id/permission_deny_button", "class": "android.widget.Button", "bounds": [80, 1700, 1000, 1800], "clickable": True, "checked": None, "is_button": True},
    ]
    stack = (
        "com.umeng.commonsdk.statistics.idtracking.ImeiTracker.getImei(ImeiTracker.java:42)",
        "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:310)",
        "com.example.diancan.App.onCreate(App.java:21)" + bad,
    )
    events: list[Event] = [
        RunMarker(t=0.0, phase="start", scenario=scenario, package=package),
        AgentStatus(t=0.05, source="sim", status="ready", hooks=148),
        StepMarker(t=0.1, index=0, step="launch", phase="begin"),
        UiAction(t=0.1, action="launch"),
        AppState(t=0.2, source="sim", state="started", package=package, pid=4242, cause="activity"),
        ApiCall(t=0.8, source="sim", api_id="telephony.getImei", category="DEVICE_ID", method="android.telephony.TelephonyManager.getImei", args="[0]", ret="86" + "1" * 13 + bad, thread="main", caller="com.umeng.commonsdk.statistics.idtracking.ImeiTracker", stack=stack, sdk="umeng"),
        ApiCall(t=1.1, source="sim", api_id="settings.androidId", category="DEVICE_ID", method="android.provider.Settings$Secure.getString", args='["android_id"]', ret="9774d56d682e549c", thread="main", caller="com.example.diancan.App", stack=stack[2:], sdk="app"),
        UiSnapshot(t=1.5, screen_id="s1", hierarchy_hash="h-priv", hierarchy_path="screens/7.xml", screenshot_path="screens/7.png", package=package, screen_kind="privacy_dialog", confidence=0.93, reading=_reading("privacy_dialog", priv_controls, pre_ticked=True)),
        ApiCall(t=2.0, source="sim", api_id="location.getLastKnownLocation", category="LOCATION", method="android.location.LocationManager.getLastKnownLocation", args='["gps"]', ret="31.23,121.47", thread="pool-2", caller="com.baidu.location.LocationClient", stack=("com.baidu.location.LocationClient.start(LocationClient.java:88)",), sdk="baidu_location"),
        StepMarker(t=3.0, index=0, step="launch", phase="end", status="ok"),
        StepMarker(t=3.1, index=1, step="decide_privacy", phase="begin"),
        UiAction(t=3.2, action="tap", text="不同意", resource_id="tv_disagree", role="decline"),
        UiSnapshot(t=3.4, screen_id="s2", hierarchy_hash="h-confirm", package=package, screen_kind="second_confirm", confidence=0.88, reading=_reading("second_confirm", confirm_controls)),
        UiAction(t=3.6, action="tap", text="仍不同意", resource_id="btn_exit", role="confirm_decline"),
        ConsentDecision(t=3.6, subject="privacy_policy", choice="decline", how="tap:不同意 + 仍不同意", taps=2, screen_seq=7),
        StepMarker(t=3.7, index=1, step="decide_privacy", phase="end", status="ok"),
    ]
    for i in range(6):
        events.append(ApiCall(t=5.0 + i * 2.0, source="sim", api_id="telephony.getImei", category="DEVICE_ID", method="android.telephony.TelephonyManager.getImei", ret="861111111111111", thread="Thread-7", caller="com.umeng.commonsdk.statistics.idtracking.ImeiTracker", stack=stack, sdk="umeng"))
    events += [
        PermissionRequest(t=6.0, source="sim", permissions=("android.permission.ACCESS_FINE_LOCATION",), groups=("LOCATION",), api="requestPermissions", caller="com.example.diancan.MainActivity", sdk="app"),
        UiSnapshot(t=6.2, screen_id="s3", hierarchy_hash="h-perm", hierarchy_path="screens/23.xml", package="com.android.permissioncontroller", screen_kind="permission_dialog", confidence=0.99, reading=_reading("permission_dialog", perm_controls, group="LOCATION")),
        UiAction(t=6.5, action="tap", text="不允许", role="deny"),
        ConsentDecision(t=6.5, subject="permission:LOCATION", choice="decline", how="tap:不允许", taps=1),
        PermissionResult(t=6.6, source="sim", group="LOCATION", state="denied"),
        UiAction(t=20.0, action="home"),
        AppState(t=20.1, source="sim", state="background", package=package),
        ApiCall(t=26.0, source="sim", api_id="location.requestLocationUpdates", category="LOCATION", method="android.location.LocationManager.requestLocationUpdates", thread="pool-2", caller="com.baidu.location.LocationClient", stack=("com.baidu.location.LocationClient.start(LocationClient.java:88)",), sdk="baidu_location", count=3),
        ErrorRecord(t=28.0, where="driver", message="hierarchy dump timed out once; retried" + bad),
        UiAction(t=40.0, action="launch"),
        AppState(t=40.2, source="sim", state="foreground", package=package),
        PermissionRequest(t=41.0, source="sim", permissions=("android.permission.ACCESS_FINE_LOCATION",), groups=("LOCATION",), api="requestPermissions", caller="com.example.diancan.MainActivity", sdk="app"),
        ApiCall(t=44.0, source="sim", api_id="clipboard.getPrimaryClip", category="CLIPBOARD", method="android.content.ClipboardManager.getPrimaryClip", ret="优惠码 SAVE10" + bad, thread="main", caller="com.example.diancan.CouponHelper", sdk="app"),
    ]
    for i in range(extra_api_calls):
        events.append(ApiCall(t=45.0 + i * 0.001, source="sim", api_id="wifi.getConnectionInfo", category="NET_ID", method="android.net.wifi.WifiManager.getConnectionInfo", thread="bg", caller="com.jpush.android.DeviceInfo", stack=("cn.jpush.android.service.DeviceInfo.collect(DeviceInfo.java:12)",), sdk="jpush"))
    events += [
        StepMarker(t=60.0, index=4, step="assert_functional", phase="end", status="failed", message="browse menu: app closed after decline"),
        RunMarker(t=60.5, phase="end", status="completed"),
    ]
    with Timeline(rd.timeline) as tl:
        stamped = tl.extend(events)
    seq = {id(e): s.seq for e, s in zip(events, stamped, strict=True)}

    def s(e: Event) -> int:
        return seq[id(e)]

    by = {type(e).__name__ + str(e.t): s(e) for e in events}
    if with_screens:
        rd.screens.mkdir(exist_ok=True)
        (rd.screens / "7.png").write_bytes(png_bytes())
        (rd.screens / "7.xml").write_text('<hierarchy rotation="0"><node text="同意并继续" /></hierarchy>', encoding="utf-8")
        (rd.screens / "23.xml").write_text('<hierarchy rotation="0"><node text="不允许" /></hierarchy>', encoding="utf-8")
    if with_findings:
        imei_after = tuple(by[f"ApiCall{5.0 + i * 2.0}"] for i in range(6))
        findings = [
            make_finding("R09", "high", "violation", (by["ApiCall0.8"], by["ApiCall1.1"], by["UiSnapshot1.5"]), title="Collection before consent" + bad, message="DEVICE_ID read 2 times before the privacy prompt was answered" + bad, category="DEVICE_ID", sdk="umeng", t=0.8),
            make_finding("R10", "high", "violation", imei_after + (by["ConsentDecision3.6"],), title="Collection after the policy was declined", message="umeng read the IMEI 6 times after 不同意", category="DEVICE_ID", sdk="umeng", t=5.0),
            make_finding("R22", "medium", "violation", (by["ConsentDecision6.5"], by["PermissionRequest41.0"]), title="Re-request after denial", message="LOCATION asked again on the next launch", category="LOCATION", sdk="app", t=41.0, types=("T4", "T3")),
            make_finding("R42", "low", "needs-review", (by["UiSnapshot1.5"],), title="Asymmetric choice", message=(FORMULA + bad) if hostile else "accept area is 5.8x the decline area; decline is a plain link", t=1.5, types=("T3",)),
            make_finding("R27", "info", "info", (by["ApiCall26.0"],), title="Background collection", message="LOCATION 5.9 s after going to background", category="LOCATION", sdk="baidu_location", t=26.0, types=("T4",)),
        ]
        with open(rd.findings, "w", encoding="utf-8") as fh:
            for f in findings:
                fh.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
    if with_analysis:
        rd.analysis.write_text(
            json.dumps(
                {
                    "jurisdiction": "cn",
                    "errors": [{"detector": "R26", "message": "frequency detector crashed: division by zero" + bad}],
                    "profile": "food_ordering",
                    "rules_checked": ["R01", "R09", "R10", "R22", "R26", "R27", "R33", "R42"],
                    # what analyze stores: the detectors' consent phases of this timeline
                    "consent_phases": build_phases(stamped, load_rules(), package=package).consent_phases.to_dict(),
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    return rd.path
