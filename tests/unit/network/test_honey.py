from __future__ import annotations

from harness.catalog.apis import api_by_id
from harness.network.honey import HONEY_APIS, honey_values, luhn_digit
from harness.network.matcher import FlowData, Matcher, Plant


def test_values_are_plausible_unique_per_seed_and_stable() -> None:
    a = dict(honey_values("run-1"))
    assert a == dict(honey_values("run-1")) and a != dict(honey_values("run-2"))
    imei = a["TelephonyManager.getImei"]
    assert len(imei) == 15 and imei.isdigit() and imei[-1] == luhn_digit(imei[:-1])
    assert a["TelephonyManager.getDeviceId"] == imei  # one IMEI whichever getter returns it
    assert len(a["Settings$Secure.getString#android_id"]) == 16
    assert a["TelephonyManager.getSubscriberId"].startswith("460") and len(a["TelephonyManager.getSubscriberId"]) == 15


def test_every_planted_api_is_in_the_catalogue() -> None:
    for api_id in HONEY_APIS:
        assert api_by_id(api_id).id == api_id


def test_luhn() -> None:
    assert luhn_digit("7992739871") == "3"


def test_planted_values_are_found_by_the_matcher() -> None:
    plants = [Plant(api, v) for api, v in honey_values("x")]
    imei = dict(honey_values("x"))["TelephonyManager.getImei"]
    found = Matcher(plants).match(FlowData(f"https://t.example/?d={imei}"))
    assert {m.plant for m in found} == {"TelephonyManager.getDeviceId", "TelephonyManager.getImei"}
