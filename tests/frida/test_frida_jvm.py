"""The project's agent on a real HotSpot JVM running Android-named stub classes, through
FridaInstrumentation, in spawn and attach modes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from frida_support import Run

from harness.catalog.apis import api_by_id, select_apis
from harness.events import AgentStatus, ApiCall, AppState, ErrorRecord, Event, PermissionRequest
from harness.timeline import Timeline

pytestmark = pytest.mark.frida

# What the stub app's "run" command must produce, in order: (kind, id or state, sdk).
SCENARIO: list[tuple[str, str, str]] = [
    ("app", "foreground", ""),
    ("api", "TelephonyManager.getDeviceId", "umeng"),
    ("api", "Settings$Secure.getString#android_id", "umeng"),
    ("api", "WifiInfo.getMacAddress", "umeng"),
    ("api", "PackageManager.getInstalledPackages", "jpush"),
    ("api", "LocationManager.getLastKnownLocation", "jpush"),
    ("api", "ClipboardManager.getPrimaryClip", "app"),
    ("api", "ContentResolver.query#contacts", "app"),
    ("api", "ContentResolver.query#sms", "app"),
    ("perm", "ActivityCompat.requestPermissions", "app"),
    ("api", "Context.startService#foreign", "app"),
    ("api", "PackageManager.getPackageInfo#other", "app"),
    ("api", "AdvertisingIdClient.getAdvertisingIdInfo", "app"),
    ("api", "TelephonyManager.getSubscriberId", "umeng"),
    ("app", "background", ""),
]


def _shape(events: list[Event]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for e in events:
        if isinstance(e, ApiCall):
            out.append(("api", e.api_id, e.sdk))
        elif isinstance(e, PermissionRequest):
            out.append(("perm", e.api, e.sdk))
        elif isinstance(e, AppState):
            out.append(("app", e.state, ""))
    return out


def _by_id(events: list[Event]) -> dict[str, ApiCall]:
    return {e.api_id: e for e in events if isinstance(e, ApiCall)}


def check_scenario(run: Run) -> None:
    mark = run.mark()
    assert run.command("run") == 17
    events = run.since(mark)
    assert not [e for e in events if isinstance(e, ErrorRecord)]
    assert _shape(events) == SCENARIO
    calls = _by_id(events)
    for api_id, call in calls.items():
        assert call.category == api_by_id(api_id).category
        assert call.source == "frida" and call.tid > 0 and call.t_device > 0 and call.count == 1
        assert call.stack and call.stack[0] == call.caller, api_id
        if call.thread == "main":
            assert any(f.startswith("com.example.app.Main.scenario(") for f in call.stack), call.stack
    imei = calls["TelephonyManager.getDeviceId"]
    assert imei.ret == "860000000000001" and imei.args == "" and imei.thread == "main"
    assert imei.method == "android.telephony.TelephonyManager.getDeviceId"
    assert imei.caller.startswith("com.umeng.analytics.UMCollector.collect(UMCollector.java:")
    aid = calls["Settings$Secure.getString#android_id"]
    assert aid.args == "<ContentResolver>, android_id" and aid.ret == "a1b2c3d4e5f60718"
    loc = calls["LocationManager.getLastKnownLocation"]
    assert loc.args == "gps" and loc.ret == "Location[gps 39.9042,116.4074]"
    assert loc.caller.startswith("cn.jpush.android.service.JCoreHelper.scan(")
    assert "com.tencent.mm" in calls["PackageManager.getInstalledPackages"].ret
    assert calls["ClipboardManager.getPrimaryClip"].ret == "ClipData { text/plain {T:verification code 424242} }"
    assert calls["ContentResolver.query#contacts"].args.startswith("content://com.android.contacts/contacts, ")
    assert calls["ContentResolver.query#contacts"].ret == ""  # keep_return is false for queries
    assert "com.other.app/com.other.app.SyncService" in calls["Context.startService#foreign"].args
    assert calls["PackageManager.getPackageInfo#other"].args == "com.tencent.mm, 0"
    assert calls["AdvertisingIdClient.getAdvertisingIdInfo"].ret == "Info{38400000-8cf0-11bd-b23e-10b96e40000d}"
    worker = calls["TelephonyManager.getSubscriberId"]
    assert worker.thread == "umeng-worker" and worker.tid != imei.tid and worker.ret == "460001234567890"
    assert worker.stack[-1].startswith("java.lang.Thread.run(")
    perm = next(e for e in events if isinstance(e, PermissionRequest))
    assert perm.permissions == ("android.permission.CAMERA", "android.permission.RECORD_AUDIO")
    assert perm.groups == ("CAMERA", "MICROPHONE") and perm.via == "hook"
    assert perm.caller.startswith("com.example.app.Main.scenario(")
    life = [e for e in events if isinstance(e, AppState)]
    assert all(e.activity == "com.example.app.MainActivity" and e.package == "com.example.app" for e in life)
    # filtered-out calls never cross to the host
    text = " ".join(e.args for e in events if isinstance(e, ApiCall))
    assert "font_scale" not in text and "content://settings" not in text and "LocalService" not in text
    # one run's events arrive in the order they happened
    ts = [e.t for e in events if isinstance(e, (ApiCall, AppState, PermissionRequest))]
    assert ts == sorted(ts)


def _stack_once_per_site(raw: list[Any]) -> tuple[int, int]:
    """(sites seen, events) over raw agent messages; fails if a site's stack came twice or a
    stackless event named a site whose stack never came."""
    stacks: Counter[str] = Counter()
    events = 0
    for msg in raw:
        payload = msg.get("payload") if isinstance(msg, dict) else None
        if not isinstance(payload, dict) or payload.get("type") != "events:add":
            continue
        for ev in payload["events"]:
            if ev.get("k") not in ("api", "perm") or not ev.get("sid"):
                continue
            events += 1
            if "stack" in ev:
                stacks[ev["sid"]] += 1
            else:
                assert stacks[ev["sid"]] == 1, f"site {ev['sid']} used before its stack was sent"
    assert all(n == 1 for n in stacks.values()), [s for s, n in stacks.items() if n > 1]
    return len(stacks), events


# ---------------------------------------------------------------------------------------------- spawn
def test_spawn_hooks_are_in_place_before_main_runs(jvm_spawned: Run) -> None:
    jvm_spawned.inst.flush()
    start = jvm_spawned.since(0)
    ready = [e for e in start if isinstance(e, AgentStatus) and e.status == "ready"]
    assert len(ready) == 1 and "java=JNI_CreateJavaVM" in ready[0].message and "sites=jvmti" in ready[0].message
    # Application.attach and the SDK's identifier reads at start-up happen before main() reads stdin
    assert _shape(start)[:4] == [
        ("app", "started", ""),
        ("api", "TelephonyManager.getDeviceId", "umeng"),
        ("api", "Settings$Secure.getString#android_id", "umeng"),
        ("api", "WifiInfo.getMacAddress", "umeng"),
    ]


def test_spawn_scenario(jvm_spawned: Run) -> None:
    check_scenario(jvm_spawned)


def test_skipped_hooks_are_reported(jvm_spawned: Run) -> None:
    status = jvm_spawned.inst.ready_status
    assert status is not None
    skipped = {s.split(": ", 1)[0]: s.split(": ", 1)[1] for s in status.skipped}
    assert skipped["TelephonyManager.getMeid"] == "method getMeid not found in android.telephony.TelephonyManager"
    assert skipped["Camera.open"] == "class android.hardware.Camera not found"
    assert "abstract" in skipped["FusedLocationProviderClient.getLastLocation"]
    assert skipped["libc.__system_property_get#serial"].startswith("no symbol of __system_property_get")
    # every enabled entry is either hooked or reported as skipped, never silently dropped
    ids = {a.id for a in select_apis()}
    assert set(skipped) <= ids
    assert status.hooks + len(skipped) == len(ids)
    for hooked in ("TelephonyManager.getDeviceId", "Settings$Secure.getString#android_id", "Activity.requestPermissions",
                   "libc.open#net_address", "libc.read#arp"):
        assert hooked not in skipped


def test_burst_of_distinct_calls_loses_nothing(jvm_spawned: Run) -> None:
    mark = jvm_spawned.mark()
    n = jvm_spawned.command("burst 2500 4 distinct")
    calls = [e for e in jvm_spawned.since(mark) if isinstance(e, ApiCall)]
    assert n == 10_000
    assert sum(c.count for c in calls) == n and len(calls) == n
    assert len({c.ret for c in calls}) == n  # every call's own return value
    assert {c.thread for c in calls} == {"burst-0", "burst-1", "burst-2", "burst-3"}
    assert all(c.api_id == "TelephonyManager.getDeviceId" and c.stack for c in calls)


def test_burst_of_identical_calls_is_folded_without_loss(jvm_spawned: Run) -> None:
    mark = jvm_spawned.mark()
    n = jvm_spawned.command("burst 10000 4 same")
    calls = [e for e in jvm_spawned.since(mark) if isinstance(e, ApiCall)]
    assert sum(c.count for c in calls) == n == 40_000
    assert len(calls) < n // 20  # folded per batch, per thread and call site


def test_a_dialog_over_the_app_is_not_background(jvm_spawned: Run) -> None:
    """A permission dialog pauses the activity (onPause/onResume) without stopping it: the agent
    reports no background period (foreground/background follow onStart/onStop)."""
    jvm_spawned.command("run")  # foreground ... background, as the scenario checks
    mark = jvm_spawned.mark()
    jvm_spawned.command("dialog")
    assert not [e for e in jvm_spawned.since(mark) if isinstance(e, AppState)]


def test_full_stack_crosses_once_per_call_site(jvm_spawned: Run) -> None:
    # runs its own calls: under xdist the other tests of this module may run on another worker
    for _ in range(2):
        assert jvm_spawned.command("run") == 17
    jvm_spawned.inst.flush()
    sites, events = _stack_once_per_site(jvm_spawned.raw)
    assert events > sites > 5


def test_same_instrumentation_feeds_a_timeline(jvm_spawned: Run) -> None:
    jvm_spawned.inst.flush()
    tl = jvm_spawned.timeline
    events = tl.snapshot()
    assert [e.seq for e in events] == list(range(len(events)))
    assert tl.path is not None
    back = Timeline.read(tl.path)
    assert len(back) == len(events)
    api = [e for e in back if isinstance(e, ApiCall)]
    assert api and api[0].api_id == "TelephonyManager.getDeviceId" and api[0].sdk == "umeng"
    frame = tl.to_frame()
    assert "Settings$Secure.getString#android_id" in set(frame["api_id"].dropna())


# ---------------------------------------------------------------------------------------------- attach
def test_attach_sees_nothing_from_before_it(jvm_attached: Run) -> None:
    jvm_attached.inst.flush()
    before = jvm_attached.since(0)
    assert [type(e).__name__ for e in before] == ["AgentStatus"]
    status = before[0]
    assert isinstance(status, AgentStatus)
    assert status.message.startswith("agent ") and "java=perform" in status.message


def test_attach_scenario(jvm_attached: Run) -> None:
    check_scenario(jvm_attached)


def test_attach_hooks_a_real_jdk_class(jvm_attached: Run) -> None:
    mark = jvm_attached.mark()
    n = jvm_attached.command("macs")
    calls = [e for e in jvm_attached.since(mark) if isinstance(e, ApiCall)]
    macs = [c for c in calls if c.api_id == "NetworkInterface.getHardwareAddress"]
    assert len(macs) == n >= 1
    assert all(c.category == "NET_ID" and c.method == "java.net.NetworkInterface.getHardwareAddress" for c in macs)
    assert all(c.ret == "null" or len(c.ret.split(":")) == 6 for c in macs)
    assert [c.api_id for c in calls].count("NetworkInterface.getNetworkInterfaces") == 1
