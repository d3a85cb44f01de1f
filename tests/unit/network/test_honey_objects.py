"""Object honey (location, contacts, clipboard, app list): plausible values per run, the option
that chooses them, and each planted value found by the matcher in a flow body; through the R34
detector, a location plant is searched as a coordinate pair and an encrypted body through the
plaintext the cipher hook recorded."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness.detectors import analyze
from harness.events import AppState, CipherCall, HoneyPlant, NetworkFlow
from harness.network.cipher import CipherStore
from harness.network.encodings import gcj02_from_wgs84
from harness.network.honey import HONEY_KINDS, ObjectHoney, coordinate_of, honey_kinds, object_honey
from harness.network.matcher import Coordinate, FlowData, Matcher, Plant
from harness.rundir import RunInfo
from harness.timeline import Timeline

PKG = "com.example.honeyshop"


def test_object_values_are_plausible_unique_and_stable() -> None:
    a, b = object_honey("run-1"), object_honey("run-2")
    assert a == object_honey("run-1") and a != b
    assert a.location is not None
    lat, lon = a.location
    assert 22.0 < lat < 40.5 and 103.0 < lon < 122.0  # inside one of the listed cities' areas
    assert len(f"{lat}".split(".")[1]) >= 5  # enough decimals to be unique
    assert a.contact_phone.startswith("13") and len(a.contact_phone) == 11 and a.contact_phone.isdigit()
    assert " " in a.contact_name and len(a.contact_name) >= 8
    assert a.package.startswith("com.") and a.package.count(".") == 2
    assert a.clipboard and a.clipboard != b.clipboard
    opts = a.agent_options()
    assert opts["honeyLoc"] == [lat, lon] and opts["honeyContact"] == [a.contact_name, a.contact_phone]


def test_kinds_option() -> None:
    assert honey_kinds("on") == frozenset(HONEY_KINDS) and honey_kinds("off") == frozenset()
    assert honey_kinds("ids, location") == {"ids", "location"}
    with pytest.raises(ValueError, match="contacts"):
        honey_kinds("location,gps")
    only = object_honey("s", {"clipboard"})
    assert only.location is None and only.contact_name == "" and only.package == "" and only.clipboard
    assert ObjectHoney().agent_options() == {
        "honeyLoc": [],
        "honeyContact": [],
        "honeyClip": "",
        "honeyPkg": "",
    }


def test_coordinate_values() -> None:
    assert coordinate_of("31.2304123,121.4737456") == (31.2304123, 121.4737456)
    assert coordinate_of("-33.86, 151.2") == (-33.86, 151.2)
    assert (
        coordinate_of("91.0,10.0") is None
        and coordinate_of("861234567890123") is None
        and coordinate_of("a,b") is None
    )


def test_each_planted_object_is_found_in_a_flow_body() -> None:
    h = object_honey("matcher")
    assert h.location is not None
    plants = [
        Plant("contact_name", h.contact_name, "CONTACTS"),
        Plant("contact_phone", h.contact_phone, "CONTACTS"),
        Plant("clipboard", h.clipboard, "CLIPBOARD"),
        Plant("package", h.package, "APP_LIST"),
    ]
    m = Matcher(plants, [Coordinate("location", *h.location)])
    glat, glon = gcj02_from_wgs84(*h.location)
    bodies = {
        "location": json.dumps(
            {"lat": round(glat, 6), "lng": round(glon, 6)}
        ).encode(),  # a Chinese map SDK: GCJ-02
        "contact_name": json.dumps(
            {"book": [{"n": h.contact_name, "p": "x"}]}, ensure_ascii=True
        ).encode(),  # \\u-escaped
        "contact_phone": urllib.parse.urlencode({"tel": "+86 " + h.contact_phone}).encode(),
        "clipboard": json.dumps({"clip": h.clipboard}, ensure_ascii=False).encode(),
        "package": base64.b64encode(json.dumps({"apps": ["com.tencent.mm", h.package]}).encode()),
    }
    for name, body in bodies.items():
        ctype = "application/x-www-form-urlencoded" if name == "contact_phone" else "application/json"
        found = {x.plant for x in m.match(FlowData("https://t.example/c", body=body, content_type=ctype))}
        assert found == {name}, (name, found)
    # a flow with only the latitude is no location match
    assert m.match(FlowData("https://t.example/c", body=json.dumps({"lat": round(glat, 6)}).encode())) == []


def _aes(plain: bytes) -> bytes:
    p = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(b"0123456789abcdef"), modes.CBC(b"fedcba9876543210")).encryptor()
    return enc.update(p.update(plain) + p.finalize()) + enc.finalize()


def test_r34_finds_location_and_encrypted_contacts(tmp_path: Path) -> None:
    h = object_honey("detector")
    assert h.location is not None
    lat, lon = h.location
    plain = json.dumps({"contacts": [{"name": h.contact_name, "tel": h.contact_phone}]}).encode()
    ct = _aes(plain)
    store = CipherStore(tmp_path)
    bodies = tmp_path / "network" / "bodies"
    bodies.mkdir(parents=True)
    (bodies / "f1.req").write_bytes(f"lat={lat:.5f}&lon={lon:.5f}".encode())
    (bodies / "f2.req").write_bytes(json.dumps({"payload": base64.b64encode(ct).decode()}).encode())
    tl = Timeline.from_events(
        [
            AppState(t=0.0, state="started", package=PKG),
            HoneyPlant(
                t=0.2,
                source="frida",
                name="location",
                category="LOCATION",
                value=f"{lat},{lon}",
                api_id="Location.getLatitude",
            ),
            HoneyPlant(
                t=0.3,
                source="frida",
                name="contact_name",
                category="CONTACTS",
                value=h.contact_name,
                api_id="ContentResolver.query#contacts",
            ),
            CipherCall(
                t=0.4,
                source="frida",
                algorithm="AES/CBC/PKCS5Padding",
                plaintext=store.keep(plain),
                plaintext_len=len(plain),
                ct_head=ct[:48].hex(),
                ct_len=len(ct),
            ),
            NetworkFlow(
                t=0.5,
                source="network",
                host="api.map-tracker.cn",
                path="/loc",
                scheme="https",
                method="POST",
                tls=True,
                body="f1.req",
                headers=("content-type: application/x-www-form-urlencoded",),
            ),
            NetworkFlow(
                t=0.6,
                source="network",
                host="log.ads-sdk.cn",
                path="/up",
                scheme="https",
                method="POST",
                tls=True,
                body="f2.req",
                headers=("content-type: application/json",),
            ),
        ]
    )
    info = RunInfo(
        run_id="r1",
        package=PKG,
        app="x",
        scenario="S1",
        device={},
        simulated=True,
        harness_version="t",
        profile="online_shopping",
    )
    found = [f for f in analyze(tl, info, run_dir=tmp_path).findings if f.rule_id == "R34"]
    by_host = {f.message.split(" sent to ")[1].split(",")[0].split(" ")[0]: f for f in found}
    assert set(by_host) == {"api.map-tracker.cn", "log.ads-sdk.cn"}, [f.message for f in found]
    loc = by_host["api.map-tracker.cn"]
    assert loc.category == "LOCATION" and "wgs84-5dp" in loc.message
    enc = by_host["log.ads-sdk.cn"]
    assert (
        "via Cipher AES/CBC/PKCS5Padding plaintext at t=0.40 s" in enc.message and enc.category == "CONTACTS"
    )
    cipher_seq = next(e.seq for e in tl.snapshot() if isinstance(e, CipherCall))
    assert cipher_seq in enc.evidence


def test_r37_a_value_only_inside_an_app_encrypted_payload_is_for_review(tmp_path: Path) -> None:
    imei = "861234567890124"
    plain = json.dumps({"imei": imei}).encode()
    ct = _aes(plain)
    store = CipherStore(tmp_path)
    bodies = tmp_path / "network" / "bodies"
    bodies.mkdir(parents=True)
    (bodies / "enc.req").write_bytes(base64.b64encode(ct))
    (bodies / "plain.req").write_bytes(f"imei={imei}".encode())
    events = [
        AppState(t=0.0, state="started", package=PKG),
        HoneyPlant(t=0.2, source="frida", name="device_id", category="DEVICE_ID", value=imei, api_id="TelephonyManager.getImei"),
        CipherCall(t=0.4, source="frida", algorithm="AES/CBC/PKCS5Padding", plaintext=store.keep(plain), plaintext_len=len(plain), ct_head=ct[:48].hex(), ct_len=len(ct)),
        NetworkFlow(t=0.5, source="network", host="stat.one.example", path="/e", scheme="http", method="POST", body="enc.req"),
        NetworkFlow(t=0.6, source="network", host="stat.two.example", path="/p", scheme="http", method="POST", body="plain.req"),
    ]
    info = RunInfo(run_id="r1", package=PKG, app="x", scenario="S1", device={}, simulated=True, harness_version="t", profile="online_shopping")
    r37 = {f.subject: f for f in analyze(Timeline.from_events(events), info, run_dir=tmp_path).findings if f.rule_id == "R37"}
    assert r37["stat.two.example"].verdict == "violation"
    enc = r37["stat.one.example"]
    assert enc.verdict == "needs-review" and "encrypted by the app" in enc.message and "via Cipher" in enc.message
