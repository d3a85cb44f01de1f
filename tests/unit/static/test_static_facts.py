"""Manifest facts (harness/static.py): from APKs built in the test, JSON round trip, and
hostile facts in run.json."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "devices"))
from apk_builder import Element, Ref, write_apk  # noqa: E402

from harness.errors import InputError  # noqa: E402
from harness.rundir import RunInfo  # noqa: E402
from harness.static import ManifestFacts, apk_facts, facts_of  # noqa: E402

PKG = "com.example.lamp"


def manifest(*, target: int = 33, perms: tuple[str, ...] = (), app_attrs: dict[str, Any] | None = None, comps: list[Element] | None = None) -> Element:
    main = Element(
        "activity",
        {"android:name": ".Main", "android:exported": True},
        [Element("intent-filter", children=[Element("action", {"android:name": "android.intent.action.MAIN"}), Element("category", {"android:name": "android.intent.category.LAUNCHER"})])],
    )
    return Element(
        "manifest",
        {"package": PKG, "android:versionCode": 7, "android:versionName": "2.0"},
        [
            Element("uses-sdk", {"android:minSdkVersion": 21, "android:targetSdkVersion": target}),
            *(Element("uses-permission", {"android:name": p}) for p in perms),
            Element("application", app_attrs or {}, [main, *(comps or [])]),
        ],
    )


def receiver(name: str, *actions: str, **attrs: Any) -> Element:
    return Element("receiver", {"android:name": name, **attrs}, [Element("intent-filter", children=[Element("action", {"android:name": a}) for a in actions])])


def test_facts_of_a_leaky_apk(tmp_path: Path) -> None:
    tree = manifest(
        target=26,
        perms=(
            "android.permission.INTERNET",
            "android.permission.READ_CONTACTS",
            "android.permission.READ_SMS",
            "android.permission.ACCESS_FINE_LOCATION",
            "android.permission.QUERY_ALL_PACKAGES",
            "android.permission.SYSTEM_ALERT_WINDOW",
            "com.vendor.permission.CAMERA",  # a vendor permission that only looks like CAMERA
        ),
        app_attrs={"android:debuggable": True},
        comps=[
            Element("provider", {"android:name": ".Files", "android:authorities": "x"}),  # target < 17? no: not exported
            Element("provider", {"android:name": ".Open", "android:exported": True}),
            Element("service", {"android:name": ".Sync", "android:exported": True, "android:permission": "x.BIND"}),
            receiver("cn.jpush.android.service.PushReceiver", "android.intent.action.USER_PRESENT", "cn.jpush.android.intent.NOTIFICATION"),
            receiver(".Local", "com.example.lamp.PING"),
            Element("activity", {"android:name": "com.google.android.gms.ads.AdActivity", "android:exported": False}),
        ],
    )
    f = apk_facts(write_apk(tmp_path / "lamp.apk", tree))
    assert (f.package, f.source, f.version_name, f.version_code, f.min_sdk, f.target_sdk) == (PKG, "apk", "2.0", 7, 21, 26)
    assert f.dangerous == {
        "android.permission.READ_CONTACTS": "CONTACTS",
        "android.permission.READ_SMS": "SMS",
        "android.permission.ACCESS_FINE_LOCATION": "LOCATION",
    }
    assert f.groups == ("CONTACTS", "SMS", "LOCATION")
    assert f.special == ("android.permission.QUERY_ALL_PACKAGES", "android.permission.SYSTEM_ALERT_WINDOW")
    assert f.debuggable is True
    assert f.cleartext == "allowed-by-default"  # target 26, no attribute, no config
    assert f.allow_backup is True and f.backup_rules is False  # platform default
    # the launcher activity, the guarded service and the unexported provider are not exposed;
    # the receivers have filters and no exported attribute, so the platform exports them
    exposed = [(c.kind, c.name, c.sdk) for c in f.exported_unprotected]
    assert exposed == [
        ("provider", f"{PKG}.Open", ""),
        ("receiver", "cn.jpush.android.service.PushReceiver", "jpush"),
        ("receiver", f"{PKG}.Local", ""),
    ]
    assert [(w.name, w.actions, w.sdk) for w in f.wakeup_receivers] == [
        ("cn.jpush.android.service.PushReceiver", ("android.intent.action.USER_PRESENT",), "jpush")
    ]
    assert [(s.sdk, s.components) for s in f.sdks] == [
        ("admob", ("com.google.android.gms.ads.AdActivity",)),
        ("jpush", ("cn.jpush.android.service.PushReceiver",)),
    ]
    assert f.components == 7


@pytest.mark.parametrize(
    ("attrs", "target", "want"),
    [
        ({"android:usesCleartextTraffic": True}, 33, "allowed"),
        ({"android:usesCleartextTraffic": False}, 26, "blocked"),
        ({"android:networkSecurityConfig": Ref(0x7F160001)}, 26, "config"),
        ({}, 28, "blocked-by-default"),
        ({}, 27, "allowed-by-default"),
    ],
)
def test_cleartext_states(tmp_path: Path, attrs: dict[str, Any], target: int, want: str) -> None:
    assert apk_facts(write_apk(tmp_path / "c.apk", manifest(target=target, app_attrs=attrs))).cleartext == want


def test_old_target_exports_providers_by_default(tmp_path: Path) -> None:
    f = apk_facts(write_apk(tmp_path / "old.apk", manifest(target=16, comps=[Element("provider", {"android:name": ".P"})])))
    assert [c.name for c in f.exported_unprotected] == [f"{PKG}.P"]


def test_provider_guarded_by_read_and_write_permissions_is_not_exposed(tmp_path: Path) -> None:
    guarded = Element("provider", {"android:name": ".G", "android:exported": True, "android:readPermission": "a.R", "android:writePermission": "a.W"})
    half = Element("provider", {"android:name": ".H", "android:exported": True, "android:readPermission": "a.R"})
    f = apk_facts(write_apk(tmp_path / "g.apk", manifest(comps=[guarded, half])))
    assert [c.name for c in f.exported_unprotected] == [f"{PKG}.H"]


def test_round_trip_through_json(tmp_path: Path) -> None:
    tree = manifest(perms=("android.permission.CAMERA",), comps=[receiver("com.igexin.push.core.receiver.PushReceiver", "android.intent.action.BOOT_COMPLETED")])
    f = apk_facts(write_apk(tmp_path / "r.apk", tree))
    d = f.to_dict()
    assert d["wakeup_receivers"][0]["actions"] == ["android.intent.action.BOOT_COMPLETED"]
    assert d["wakeup_receivers"][0]["sdk"] == "getui"
    assert ManifestFacts.from_dict(d) == f


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        ({"debuggable": "yes"}, "'debuggable' must be true or false"),
        ({"permissions": "android.permission.CAMERA"}, "'permissions' must be a list of strings"),
        ({"dangerous": {"x": 1}}, "'dangerous' must map"),
        ({"cleartext": "maybe"}, "'cleartext' must be one of"),
        ({"wakeup_receivers": [{"name": 3}]}, "'wakeup_receivers.name' must be a string"),
        ({"target_sdk": True}, "'target_sdk' must be an integer"),
        ({"exported_unprotected": "all"}, "'exported_unprotected' must be a list of mappings"),
    ],
)
def test_hostile_facts_in_run_json_are_refused(patch: dict[str, Any], match: str) -> None:
    d = ManifestFacts(package=PKG).to_dict() | patch
    info = RunInfo("r1", PKG, PKG, "S1", {}, True, "t", extra={"manifest": d})
    with pytest.raises(InputError, match=match):
        facts_of(info)


def test_facts_bound_long_lists() -> None:
    d = ManifestFacts(package=PKG).to_dict()
    d["wakeup_receivers"] = [{"name": f"a.R{i}", "actions": ["x." + "y" * 1000]} for i in range(5000)]
    f = ManifestFacts.from_dict(d)
    assert len(f.wakeup_receivers) == 200 and len(f.wakeup_receivers[0].actions[0]) == 300


def test_a_run_without_facts_has_none() -> None:
    assert facts_of(RunInfo("r1", PKG, PKG, "S1", {}, True, "t")) is None
    assert facts_of(RunInfo("r1", PKG, PKG, "S1", {}, True, "t", extra={"manifest": None})) is None
    with pytest.raises(InputError, match="must be a mapping"):
        facts_of(RunInfo("r1", PKG, PKG, "S1", {}, True, "t", extra={"manifest": [1, 2]}))
