"""The matcher: every encoding the issue names, one nested decode layer, coordinates in three
datums, and bounds against hostile bodies."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from urllib.parse import quote, urlencode

import brotli
import pytest

from harness.network.encodings import b64_at_offsets, bd09_from_gcj02, gcj02_from_wgs84, variants
from harness.network.matcher import MAX_DECODED, Coordinate, FlowData, Matcher, Plant, decode_body

IMEI = "860000000000001"
AID = "a1b2c3d4e5f60718"
MAC = "02:00:de:ad:be:ef"
M = Matcher([Plant("imei", IMEI, "device_id"), Plant("android_id", AID, "device_id"), Plant("mac", MAC, "mac")], [Coordinate("loc", 31.2304567, 121.4737891)])


def found(flow: FlowData) -> set[tuple[str, str]]:
    return {(m.plant, m.form) for m in M.match(flow)}


@pytest.mark.parametrize(
    "text,form",
    [
        (IMEI, "plain"),
        (hashlib.md5(IMEI.encode()).hexdigest(), "md5-lower"),
        (hashlib.md5(IMEI.encode()).hexdigest().upper(), "md5-upper"),
        (hashlib.sha1(IMEI.encode()).hexdigest(), "sha1-lower"),
        (hashlib.sha256(IMEI.encode()).hexdigest().upper(), "sha256-upper"),
        (base64.b64encode(hashlib.sha256(IMEI.encode()).digest()).decode(), "sha256-b64"),
        (IMEI.encode().hex(), "hex-lower"),
    ],
)
def test_forms_in_a_query(text: str, form: str) -> None:
    assert ("imei", form) in found(FlowData("https://t.example/c?" + urlencode({"v": text})))


@pytest.mark.parametrize("offset", [0, 1, 2])
def test_base64_at_every_offset_inside_a_larger_blob(offset: int) -> None:
    blob = base64.b64encode(b"p" * offset + b"id=" + IMEI.encode() + b"&x=1").decode()
    assert any(p == "imei" for p, _f in found(FlowData("https://t.example/", body=blob.encode())))
    assert {f for f, _t in b64_at_offsets(IMEI.encode())} >= {"b64@0", "b64@1", "b64@2"}


def test_compression_and_body_formats() -> None:
    js = json.dumps({"a": {"b": [AID]}}).encode()
    for enc, data in (("gzip", gzip.compress(js)), ("deflate", zlib.compress(js)), ("br", brotli.compress(js))):
        ms = M.match(FlowData("https://t.example/", body=data, content_encoding=enc, content_type="application/json"))
        assert [(m.plant, m.layers[0]) for m in ms] == [("android_id", enc)], enc
    form = urlencode({"mac": MAC}).encode()
    assert found(FlowData("https://t.example/", body=form, content_type="application/x-www-form-urlencoded")) & {("mac", "plain"), ("mac", "url")}
    multipart = b"--xx\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n" + MAC.replace(":", "").upper().encode() + b"\r\n--xx--\r\n"
    assert ("mac", "mac-bare") in found(FlowData("https://t.example/", body=multipart, content_type="multipart/form-data; boundary=xx"))


def test_one_nested_layer_of_base64_and_url_encoding() -> None:
    inner = base64.b64encode(json.dumps({"imei": IMEI}).encode()).decode()
    ms = M.match(FlowData("https://t.example/", body=json.dumps({"payload": inner}).encode(), content_type="application/json"))
    assert any(m.plant == "imei" for m in ms)
    hexed = json.dumps({"imei": IMEI}).encode().hex()
    ms = M.match(FlowData("https://t.example/", body=json.dumps({"payload": "x" + hexed[::-1] + "/" + hexed}).encode()))
    assert any(m.plant == "imei" for m in ms)
    header = ("x-info", quote(json.dumps({"aid": AID})))
    assert any(m.plant == "android_id" and m.where == "header:x-info" for m in M.match(FlowData("https://t.example/", (header,))))


def test_coordinates_in_three_datums_need_both_halves() -> None:
    g = gcj02_from_wgs84(31.2304567, 121.4737891)
    b = bd09_from_gcj02(*g)
    for (la, lo), datum in (((31.2304567, 121.4737891), "wgs84"), (g, "gcj02"), (b, "bd09")):
        body = json.dumps({"lat": round(la, 5), "lng": round(lo, 5)}).encode()
        ms = [m for m in M.match(FlowData("https://t.example/", body=body)) if m.plant == "loc"]
        assert ms and ms[0].form == f"{datum}-5dp", (datum, ms)
    only_lat = json.dumps({"lat": 31.23046}).encode()
    assert not [m for m in M.match(FlowData("https://t.example/", body=only_lat)) if m.plant == "loc"]
    # a longer number that merely contains the digits is not the coordinate
    embedded = json.dumps({"x": "131.23046", "y": "9121.47379"}).encode()
    assert not [m for m in M.match(FlowData("https://t.example/", body=embedded)) if m.plant == "loc"]


def test_no_match_in_unrelated_traffic() -> None:
    body = json.dumps({"event": "launch", "ts": 1733460000, "uid": "u-8f2b", "sv": "3.1.4"}).encode()
    assert M.match(FlowData("https://t.example/v1/ping?os=android&v=14", (("user-agent", "okhttp/4.12.0"),), body)) == []


def test_short_values_are_not_patterns() -> None:
    assert all(len(t) >= 6 for _f, t in variants("12345"))
    assert Matcher([Plant("pin", "1234")]).match(FlowData("https://t.example/?a=1234")) == []


def test_compression_bomb_is_bounded() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    data, layers = decode_body(bomb, "gzip")
    assert layers == ("gzip",) and len(data) <= MAX_DECODED
    assert M.match(FlowData("https://t.example/", body=bomb, content_encoding="gzip")) == []


def test_garbage_never_raises() -> None:
    for body in (b"\x1f\x8b\x08garbage", b"{" * 100000, bytes(range(256)) * 100, b"%zz%" * 1000):
        M.match(FlowData("https://t.example/\udcff?%%%", (("h", "\x00" * 10),), body, "br", "application/json"))
