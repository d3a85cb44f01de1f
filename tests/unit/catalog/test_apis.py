"""The sensitive-API catalogue: schema validation, required hook points, lookups."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from harness.catalog import apis as A
from harness.errors import CatalogError

# Hook points the issue names verbatim: id -> category.
REQUIRED = {
    "TelephonyManager.getDeviceId": "DEVICE_ID",
    "TelephonyManager.getImei": "DEVICE_ID",
    "Settings$Secure.getString#android_id": "DEVICE_ID",
    "WifiInfo.getMacAddress": "NET_ID",
    "PackageManager.getInstalledPackages": "APP_LIST",
    "LocationManager.getLastKnownLocation": "LOCATION",
    "LocationManager.requestLocationUpdates": "LOCATION",
    "ContentResolver.query#contacts": "CONTACTS",
    "ContentResolver.query#sms": "SMS",
    "ContentResolver.query#call_log": "CALL_LOG",
    "ContentResolver.query#calendar": "CALENDAR",
    "ContentResolver.query#media": "MEDIA",
    "ClipboardManager.getPrimaryClip": "CLIPBOARD",
    "CameraManager.openCamera": "CAMERA",
    "Camera.open": "CAMERA",
    "AudioRecord.startRecording": "MIC",
    "AdvertisingIdClient.getAdvertisingIdInfo": "AD_ID",
    "MdidSdkHelper.InitSdk": "AD_ID",
    "Activity.requestPermissions": "PERM_REQ",
    "ActivityCompat.requestPermissions": "PERM_REQ",
    "ActivityResultContracts$RequestPermission.createIntent": "PERM_REQ",
    "ActivityResultContracts$RequestMultiplePermissions.createIntent": "PERM_REQ",
    "AccountManager.getAccounts": "ACCOUNTS",
    "SubscriptionManager.getActiveSubscriptionInfoList": "PHONE_NUMBER",
    "SensorManager.registerListener": "SENSOR",
    "SystemProperties.get#serial": "DEVICE_ID",
    "ActivityManager.getRunningTasks": "APP_LIST",
    "ActivityManager.getRecentTasks": "APP_LIST",
    "BluetoothAdapter.getAddress": "NET_ID",
    "TelephonyManager.getLine1Number": "PHONE_NUMBER",
    "libc.open#net_address": "NET_ID",
    "libc.open#arp": "NET_ID",
    "libc.__system_property_get#serial": "DEVICE_ID",
    "Activity.onResume": "LIFECYCLE",
    "Activity.onPause": "LIFECYCLE",
    "Application.attach": "LIFECYCLE",
}

# The best-known open tool's hook points (reference/apis.md 2a), as (class simple name, method):
# each must be covered by some entry, through `class` or `classes`.
CAMILLE = [
    ("ActivityCompat", "requestPermissions"),
    *[("TelephonyManager", m) for m in (
        "getDeviceId", "getImei", "getMeid", "getLine1Number", "getSimSerialNumber", "getSubscriberId",
        "getSimOperator", "getNetworkOperator", "getSimCountryIso", "getCellLocation", "getAllCellInfo",
        "requestCellInfoUpdate", "getServiceState")],
    ("CdmaCellLocation", "getBaseStationId"), ("CdmaCellLocation", "getNetworkId"),
    ("GsmCellLocation", "getCid"), ("GsmCellLocation", "getLac"),
    *[("SmsManager", m) for m in ("sendTextMessageInternal", "getDefault", "sendTextMessageWithSelfPermissions",
                                  "sendMultipartTextMessageInternal", "sendDataMessage", "sendDataMessageWithSelfPermissions")],
    ("Settings$Secure", "getString"), ("Settings$System", "getString"), ("Build", "getSerial"),
    ("DevicePolicyManager", "getWifiMacAddress"), ("ClipboardManager", "getPrimaryClip"),
    ("ClipboardManager", "setPrimaryClip"), ("UiccCardInfo", "getIccId"),
    *[("IdProviderImpl", m) for m in ("getUDID", "getOAID", "getVAID", "getAAID")],
    *[("IDeviceIdService$Stub$Proxy", m) for m in ("getOAID", "getVAID", "getAAID")],
    ("ContentResolver", "query"),
    *[("ApplicationPackageManager", m) for m in ("getInstalledPackages", "getInstalledApplications", "queryIntentActivities",
                                                 "getApplicationInfo", "getPackageInfoAsUser", "getInstallerPackageName")],
    ("ActivityManager", "getRunningAppProcesses"), ("ActivityManager", "getRunningServiceControlPanel"),
    *[("LocationManager", m) for m in ("requestLocationUpdates", "getLastKnownLocation", "getBestProvider",
                                       "getGnssHardwareModelName", "getGnssYearOfHardware", "getProvider",
                                       "requestSingleUpdate", "getCurrentLocation")],
    *[("Location", m) for m in ("getAccuracy", "getAltitude", "getBearing", "getBearingAccuracyDegrees",
                                "getElapsedRealtimeNanos", "getExtras", "getLatitude", "getLongitude", "getProvider",
                                "getSpeed", "getSpeedAccuracyMetersPerSecond", "getTime", "getVerticalAccuracyMeters")],
    ("Geocoder", "getFromLocation"), ("Geocoder", "getFromLocationName"),
    ("Camera", "open"), ("CameraManager", "openCamera"), ("ImageCapture", "takePicture"),
    *[("WifiInfo", m) for m in ("getMacAddress", "getSSID", "getBSSID", "getIpAddress")],
    *[("WifiManager", m) for m in ("getConnectionInfo", "getConfiguredNetworks", "getScanResults", "getWifiState")],
    ("InetAddress", "getHostAddress"), ("InetAddress", "getAddress"), ("InetAddress", "getHostName"),
    ("Inet4Address", "getHostAddress"), ("Inet6Address", "getHostAddress"), ("NetworkInterface", "getHardwareAddress"),
    *[("NetworkInfo", m) for m in ("getType", "getTypeName", "getExtraInfo", "isAvailable", "isConnected")],
    ("ConnectivityManager", "getActiveNetworkInfo"), ("InetSocketAddress", "getAddress"), ("InetSocketAddress", "getHostName"),
    ("BluetoothDevice", "getName"), ("BluetoothDevice", "getAddress"), ("BluetoothAdapter", "getName"),
    ("RandomAccessFile", "$init"), ("File", "mkdirs"), ("File", "mkdir"),
    ("MediaRecorder", "start"), ("AudioRecord", "startRecording"), ("SensorManager", "getSensorList"),
]


def _doc() -> dict[str, Any]:
    from importlib import resources

    data = yaml.safe_load(resources.files("harness.catalog").joinpath("apis.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_catalogue_loads_with_enough_java_hook_points() -> None:
    apis = A.load_apis()
    java = [a for a in apis if a.kind == "java"]
    assert len(java) >= 200
    assert {a.kind for a in apis} == {"java", "native", "lifecycle"}
    assert A.load_apis() is apis  # cached


@pytest.mark.parametrize(("api_id", "category"), sorted(REQUIRED.items()))
def test_required_ids_and_categories(api_id: str, category: str) -> None:
    assert A.api_by_id(api_id).category == category


def test_every_camille_hook_point_is_covered() -> None:
    have = {(c.rsplit(".", 1)[-1], a.method) for a in A.load_apis() for c in (a.cls, *a.hook_classes)}
    missing = [p for p in CAMILLE if p not in have]
    assert not missing
    assert len(CAMILLE) >= 100


def test_category_sets() -> None:
    assert A.PI_CATEGORIES == set(A.CATEGORIES) - {"PERM_REQ", "DEVICE_INFO", "APP_START", "LIFECYCLE"}
    assert A.HIGH_RISK_CATEGORIES <= A.PI_CATEGORIES
    assert "AD_ID" in A.PI_CATEGORIES and "AD_ID" not in A.HIGH_RISK_CATEGORIES
    assert {a.category for a in A.load_apis()} == set(A.CATEGORIES)


def test_entry_fields_are_filled() -> None:
    android_id = A.api_by_id("Settings$Secure.getString#android_id")
    assert android_id.arg_filter == A.ArgFilter(arg=1, op="equals", values=("android_id",))
    assert android_id.overloads == ("(android.content.ContentResolver,java.lang.String)",)
    assert android_id.keep_return and android_id.cls == "android.provider.Settings$Secure"
    pm = A.api_by_id("PackageManager.getInstalledPackages")
    assert pm.hook_classes == ("android.app.ApplicationPackageManager",)
    assert A.api_by_id("ActivityCompat.requestPermissions").perms_arg == 1
    assert A.api_by_id("Activity.onResume").life == "foreground"
    native = A.api_by_id("libc.open#net_address")
    assert native.symbols[0] == "open" and native.arg_filter is not None and native.arg_filter.op == "glob"
    imei = A.api_by_id("TelephonyManager.getImei")
    assert imei.available_on(26) and not imei.available_on(25)
    assert not A.api_by_id("TelephonyManager.getNeighboringCellInfo").available_on(29)


def test_to_agent_is_compact_and_complete() -> None:
    d = A.api_by_id("Settings$Secure.getString#android_id").to_agent()
    assert d == {
        "id": "Settings$Secure.getString#android_id", "kind": "java", "cat": "DEVICE_ID",
        "cls": ["android.provider.Settings$Secure"], "m": "getString", "ret": True,
        "ov": ["(android.content.ContentResolver,java.lang.String)"],
        "f": {"arg": 1, "op": "equals", "values": ["android_id"]},
    }
    assert A.api_by_id("Activity.requestPermissions").to_agent()["perms"] == 0


def test_select_apis_respects_enabled_and_sdk() -> None:
    default = A.select_apis()
    assert all(a.enabled for a in default)
    assert len(A.select_apis(include_disabled=True)) == len(A.load_apis()) > len(default)
    on_28 = A.select_apis(sdk=28)
    assert A.api_by_id("TelephonyManager.getNeighboringCellInfo") in on_28
    assert A.api_by_id("SubscriptionManager.getPhoneNumber") not in on_28


def test_lookup_errors() -> None:
    with pytest.raises(KeyError, match="nope"):
        A.api_by_id("nope")
    with pytest.raises(KeyError):
        A.apis_by_category("NOT_A_CATEGORY")
    assert all(a.category == "SMS" for a in A.apis_by_category("SMS"))
    assert len(A.catalog_hash()) == 16


def _bad(mutate: Any) -> str:
    doc = copy.deepcopy(_doc())
    mutate(doc)
    with pytest.raises(CatalogError) as info:
        A.parse_apis(doc)
    return str(info.value)


def _find(doc: dict[str, Any], api_id: str) -> dict[str, Any]:
    for e in doc["apis"]:
        if e["id"] == api_id:
            assert isinstance(e, dict)
            return e
    raise AssertionError(api_id)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: _find(d, "Camera.open").update(category="CAMERAS"), r"Camera\.open.*'category'"),
        (lambda d: _find(d, "Camera.open").update(api=[30, 20]), r"Camera\.open.*'api'"),
        (lambda d: _find(d, "Camera.open").update(api="all"), r"Camera\.open.*'api'"),
        (lambda d: _find(d, "Camera.open").update(id="Camera.close"), r"Camera\.close.*'id'.*Camera\.open"),
        (lambda d: _find(d, "Camera.open").update(keep_return="yes"), r"Camera\.open.*'keep_return'"),
        (lambda d: _find(d, "Camera.open").update(overloads=["int"]), r"Camera\.open.*'overloads'"),
        (lambda d: _find(d, "Camera.open").update(kind="python"), r"Camera\.open.*'kind'"),
        (lambda d: _find(d, "Camera.open").update(colour="red"), r"Camera\.open.*'colour'"),
        (lambda d: _find(d, "Camera.open").pop("desc"), r"Camera\.open.*'desc'"),
        (lambda d: _find(d, "Camera.open").update({"class": "android..Camera"}), r"Camera\.open.*'class'"),
        (lambda d: _find(d, "Settings$Secure.getString#android_id")["filter"].update(op="regex"), r"android_id.*'filter\.op'"),
        (lambda d: _find(d, "Settings$Secure.getString#android_id")["filter"].update(values=[]), r"android_id.*'filter\.values'"),
        (lambda d: _find(d, "Settings$Secure.getString#android_id").update(filter=None), r"android_id.*'filter'"),
        (lambda d: _find(d, "Activity.requestPermissions").pop("perms_arg"), r"requestPermissions.*'perms_arg'"),
        (lambda d: _find(d, "Activity.onResume").update(life="asleep"), r"onResume.*'life'"),
        (lambda d: _find(d, "libc.open#arp").update(filter=None), r"libc\.open#arp.*'filter'"),
        (lambda d: d["apis"].append(copy.deepcopy(d["apis"][0])), r"'id'.*duplicate"),
        (lambda d: d["apis"].append("just text"), r"entry \d+: must be a mapping"),
        (lambda d: d.update(schema=2), r"'schema'"),
        (lambda d: d.update(apis={}), r"'apis'"),
    ],
)
def test_bad_entries_name_the_entry_and_field(mutate: Any, expected: str) -> None:
    assert re.search(expected, _bad(mutate))


def test_two_unfiltered_hooks_of_one_method_are_refused() -> None:
    def dup(d: dict[str, Any]) -> None:
        d["apis"].append({"id": "Cam.open", "class": "x.Cam", "classes": ["android.hardware.Camera"], "method": "open",
                          "category": "CAMERA", "desc": "same concrete method hooked twice"})

    assert re.search(r"Cam\.open.*android\.hardware\.Camera\.open is already hooked unfiltered by Camera\.open", _bad(dup))
