"""Exemptions from rules.md as data (rules.yaml ``exemptions`` and ``api_patterns``): a
user-started foreground service of a covering type (R27, R28 background), the system photo
picker after a media refusal (R11), location proxies only (R11); and the R24 optional login."""

from __future__ import annotations

from harness.catalog.rules import load_rules
from harness.detectors import analyze
from harness.detectors.core import foreground_service_tag
from harness.events import (
    ApiCall,
    AppState,
    ConsentDecision,
    Event,
    PermissionRequest,
    PermissionResult,
    UiAction,
    UiSnapshot,
)
from harness.rundir import RunInfo
from harness.timeline import Timeline

PKG = "com.x"


def _info(profile: str = "sports_fitness") -> RunInfo:
    return RunInfo(run_id="r1", package=PKG, app="x", scenario="S4", device={}, simulated=True, harness_version="t", profile=profile)


def _accepted(*events: Event) -> list[Event]:
    return [
        AppState(t=0.0, state="started", package=PKG),
        AppState(t=0.1, state="foreground", package=PKG),
        UiSnapshot(t=1.0, screen_kind="privacy_dialog", package=PKG, reading='{"controls":[{"role":"accept","text":"同意"},{"role":"decline","text":"不同意"}]}'),
        ConsentDecision(t=2.0, choice="accept"),
        *events,
    ]


def _rules(events: list[Event], profile: str = "utilities") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in analyze(Timeline.from_events(events), _info(profile)).findings:
        if f.verdict != "info":
            out.setdefault(f.rule_id, []).append(f.category)
    return out


def _fgs_run(args: str, *, tap_at: float = 10.0, start_at: float = 10.5, stop_at: float | None = None, category: str = "LOCATION") -> list[Event]:
    api = {"LOCATION": "Location.getLatitude", "MIC": "AudioRecord.startRecording"}[category]
    evs: list[Event] = [
        UiAction(t=tap_at, action="tap", text="开始跑步", user_intent="location"),
        ApiCall(t=start_at, category="LIFECYCLE", sdk="app", api_id="Service.startForeground", args=args),
        AppState(t=20.0, state="background", package=PKG),
        ApiCall(t=40.0, category=category, sdk="app", api_id=api),
        ApiCall(t=90.0, category=category, sdk="app", api_id=api),
    ]
    if stop_at is not None:
        evs.insert(3, ApiCall(t=stop_at, category="LIFECYCLE", sdk="app", api_id="Service.stopForeground"))
    return _accepted(*evs)


def test_foreground_service_tag_reads_names_and_bit_masks() -> None:
    cat = load_rules()
    assert foreground_service_tag("id=7, notification=正在记录, type=location", cat) == "fgs.location"
    assert foreground_service_tag("7, Notification, 136", cat) == "fgs.location.microphone"  # 8 | 128
    assert foreground_service_tag("id=3", cat) == "fgs"  # no readable type: exempts nothing
    assert foreground_service_tag("type=dataSync|mediaPlayback", cat) == "fgs.dataSync.mediaPlayback"


def test_user_started_location_service_covers_background_location() -> None:
    assert "R27" not in _rules(_fgs_run("type=location"))
    assert "R27" not in _rules(_fgs_run("7, n, 8"))  # the agent's numeric type


def test_service_type_that_does_not_cover_the_data_exempts_nothing() -> None:
    assert _rules(_fgs_run("type=dataSync"))["R27"] == ["LOCATION"]
    assert _rules(_fgs_run("type=mediaPlayback"))["R27"] == ["LOCATION"]
    mic = _rules(_fgs_run("type=location", category="MIC"), profile="remote_meeting")
    assert "R27" in mic and "R28" in mic


def test_a_service_nobody_started_or_that_stopped_exempts_nothing() -> None:
    assert "R27" in _rules(_fgs_run("type=location", start_at=25.0))  # started from the background
    assert "R27" not in _rules(_fgs_run("type=location", start_at=18.0))  # 8 s after the tap, in front
    assert "R27" in _rules(_fgs_run("type=location", stop_at=30.0))  # reads after stopForeground


def test_microphone_service_covers_background_recording() -> None:
    run = _fgs_run("type=microphone", category="MIC")
    assert "R27" not in _rules(run, profile="remote_meeting") and "R28" not in _rules(run, profile="remote_meeting")


def _denied(group: str, *after: Event) -> list[Event]:
    return _accepted(
        UiAction(t=10.0, action="tap", text="网络详情", user_intent="location"),
        PermissionRequest(t=10.2, groups=(group,), via="hook"),
        PermissionResult(t=11.0, group=group, state="denied"),
        *after,
    )


def test_own_network_configuration_is_no_location_bypass_but_bssid_is() -> None:
    own = _denied(
        "LOCATION",
        ApiCall(t=20.0, category="NET_ID", sdk="app", api_id="WifiInfo.getIpAddress"),
        ApiCall(t=21.0, category="NET_ID", sdk="app", api_id="NetworkInterface.getInetAddresses"),
        ApiCall(t=22.0, category="NET_ID", sdk="app", api_id="ConnectivityManager.getLinkProperties"),
    )
    assert "R11" not in _rules(own, profile="utilities")
    for proxy in ("WifiInfo.getBSSID", "WifiManager.getScanResults", "TelephonyManager.getAllCellInfo"):
        run = _denied("LOCATION", ApiCall(t=20.0, category="NET_ID", sdk="app", api_id=proxy))
        assert _rules(run, profile="utilities").get("R11") == ["NET_ID"], proxy


def test_system_photo_picker_after_a_media_refusal_is_no_bypass() -> None:
    picked = _denied(
        "MEDIA",
        ApiCall(t=11.5, category="LIFECYCLE", sdk="app", api_id="ActivityResultContracts$PickVisualMedia.createIntent"),
        ApiCall(t=17.5, category="MEDIA", sdk="app", api_id="ContentResolver.openInputStream#media"),
    )
    assert "R11" not in _rules(picked, profile="photo_beauty")
    no_picker = _denied("MEDIA", ApiCall(t=17.5, category="MEDIA", sdk="app", api_id="ContentResolver.openInputStream#media"))
    assert _rules(no_picker, profile="photo_beauty").get("R11") == ["MEDIA"]
    # the picker window ends: a gallery query long after the pick is judged again
    late = _denied(
        "MEDIA",
        ApiCall(t=11.5, category="LIFECYCLE", sdk="app", api_id="ActivityResultContracts$PickVisualMedia.createIntent"),
        ApiCall(t=400.0, category="MEDIA", sdk="app", api_id="ContentResolver.query#media"),
    )
    assert _rules(late, profile="photo_beauty").get("R11") == ["MEDIA"]


_GATE = '{"controls":[{"role":"login","text":"登录"}],"texts":["手机号登录","获取验证码"]}'


def test_an_optional_login_link_opened_by_the_user_is_no_forced_login() -> None:
    opened = _accepted(
        UiAction(t=10.0, action="tap", text="登录/注册（可选，用于发布作品）"),
        UiSnapshot(t=11.0, screen_kind="login_gate", package=PKG, reading=_GATE),
    )
    assert "R24" not in _rules(opened, profile="short_video")
    forced = _accepted(
        UiAction(t=10.0, action="tap", text="看视频"),
        UiSnapshot(t=11.0, screen_kind="login_gate", package=PKG, reading=_GATE),
    )
    assert "R24" in _rules(forced, profile="short_video")
    guest = _accepted(
        UiAction(t=10.0, action="tap", text="看视频"),
        UiSnapshot(t=11.0, screen_kind="login_gate", package=PKG, reading='{"controls":[{"role":"login","text":"登录"},{"role":"other","text":"暂不登录"}]}'),
    )
    assert "R24" not in _rules(guest, profile="short_video")


def test_one_pre_prompt_on_screen_across_several_reads_is_one_request() -> None:
    pre = '{"controls":[{"role":"other","text":"去开启"}],"permission_group":"LOCATION"}'
    reads = [UiSnapshot(t=20.0 + i, screen_kind="permission_rationale", package=PKG, hierarchy_hash="h1", reading=pre) for i in range(4)]
    run = _denied("LOCATION", *reads)
    r22 = [f for f in analyze(Timeline.from_events(run), _info("utilities")).findings if f.rule_id == "R22"]
    assert len(r22) == 1 and "1 time(s)" in r22[0].message
    # shown, closed by a tap, shown again: two requests
    again = _denied("LOCATION", reads[0], UiAction(t=21.5, action="tap", text="取消"), UiSnapshot(t=22.0, screen_kind="other", package=PKG, hierarchy_hash="h0"), reads[2])
    r22 = [f for f in analyze(Timeline.from_events(again), _info("utilities")).findings if f.rule_id == "R22"]
    assert len(r22) == 1 and "2 time(s)" in r22[0].message


def test_a_continuous_subscription_is_judged_even_right_after_a_tap() -> None:
    tap = UiAction(t=10.0, action="tap", text="附近酒店", user_intent="location")
    sub = _accepted(tap, ApiCall(t=10.5, category="LOCATION", sdk="app", api_id="LocationManager.requestLocationUpdates"))
    assert _rules(sub, profile="hotel_booking").get("R31") == ["LOCATION"]
    one = _accepted(tap, ApiCall(t=10.5, category="LOCATION", sdk="app", api_id="LocationManager.getLastKnownLocation"))
    assert "R31" not in _rules(one, profile="hotel_booking")
    # a type whose function is continuous location (route recording) is not judged
    assert "R31" not in _rules(sub, profile="sports_fitness")


def test_one_picked_item_after_a_media_tap_is_no_bypass_but_a_library_query_is() -> None:
    def run(api: str) -> list[Event]:
        return _accepted(
            UiAction(t=10.0, action="tap", text="选择照片", user_intent="media"),
            PermissionRequest(t=10.2, groups=("MEDIA",), via="hook"),
            PermissionResult(t=11.0, group="MEDIA", state="denied"),
            ApiCall(t=17.0, category="MEDIA", sdk="app", api_id=api),
        )

    assert "R11" not in _rules(run("ContentResolver.openInputStream#media"), profile="photo_beauty")
    assert _rules(run("ContentResolver.query#media"), profile="photo_beauty").get("R11") == ["MEDIA"]


def test_navigation_started_by_the_user_goes_on_in_the_background_without_a_service_trace() -> None:
    def run(tap: bool) -> list[Event]:
        evs: list[Event] = [ApiCall(t=10.5, category="LOCATION", sdk="app", api_id="LocationManager.requestLocationUpdates")]
        if tap:
            evs.insert(0, UiAction(t=10.0, action="tap", text="开始导航", user_intent="location"))
        evs += [
            AppState(t=20.0, state="background", package=PKG),
            ApiCall(t=40.0, category="LOCATION", sdk="app", api_id="Location.getLatitude"),
            ApiCall(t=90.0, category="LOCATION", sdk="app", api_id="Location.getLatitude"),
        ]
        return _accepted(*evs)

    assert "R27" not in _rules(run(True), profile="map_navigation")
    assert "R27" in _rules(run(False), profile="map_navigation")
    assert "R27" in _rules(run(True), profile="hotel_booking")  # one fix is all a hotel search needs


def test_a_record_video_control_recorded_as_a_camera_tap_also_starts_the_microphone() -> None:
    run = _accepted(
        UiAction(t=10.0, action="tap", text="拍摄视频", user_intent="camera"),
        PermissionRequest(t=10.3, groups=("CAMERA", "MICROPHONE"), via="hook"),
        PermissionResult(t=11.0, group="CAMERA", state="granted"),
        PermissionResult(t=11.0, group="MICROPHONE", state="granted"),
        ApiCall(t=11.5, category="CAMERA", sdk="app", api_id="CameraManager.openCamera"),
        UiAction(t=15.0, action="tap", text="开始录制", user_intent="camera"),
        ApiCall(t=15.2, category="MIC", sdk="app", api_id="MediaRecorder.start"),
    )
    got = _rules(run, profile="short_video")
    assert not {"R19", "R20", "R28"} & set(got), got
    # a plain photo button asking for the microphone too is still a bundle
    photo = _accepted(UiAction(t=10.0, action="tap", text="拍照", user_intent="camera"), PermissionRequest(t=10.3, groups=("CAMERA", "MICROPHONE"), via="hook"))
    assert "R20" in _rules(photo, profile="short_video")


def test_music_the_user_started_goes_on_in_the_background_but_identifier_reads_do_not() -> None:
    run = _accepted(
        UiAction(t=10.0, action="tap", text="播放本地音乐", user_intent="media"),
        ApiCall(t=10.5, category="MEDIA", sdk="app", api_id="ContentResolver.query#media"),
        AppState(t=20.0, state="background", package=PKG),
        ApiCall(t=200.0, category="MEDIA", sdk="app", api_id="ContentResolver.openInputStream#media"),
        ApiCall(t=260.0, category="DEVICE_ID", sdk="com.bytedance.sdk.openadsdk", api_id="Settings$Secure.getString#android_id"),
    )
    got = _rules(run, profile="audio_video")
    assert got.get("R27") == ["DEVICE_ID"], got
    assert "MEDIA" in _rules(run, profile="news").get("R27", []), "only types whose feature goes on in the background"
