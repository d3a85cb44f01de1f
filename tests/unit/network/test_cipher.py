"""Encrypted payloads: a flow carrying a recorded ciphertext (raw, base64, hex) is searched
through the plaintext behind it, the match says so, and nothing else is tied to a plaintext."""

from __future__ import annotations

import base64
import gzip
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness.events import CipherCall, ErrorRecord
from harness.instrumentation.protocol import AgentDecoder
from harness.network.cipher import MAX_PLAINTEXT, CipherStore, ciphertexts, read_plaintext
from harness.network.matcher import Ciphertext, FlowData, Matcher, Plant

IMEI = "861234509876543"


def _aes_cbc(plain: bytes, key: bytes, iv: bytes) -> bytes:
    p = padding.PKCS7(128).padder()
    data = p.update(plain) + p.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def _payload() -> tuple[bytes, bytes]:
    plain = json.dumps({"imei": IMEI, "os": "android", "ts": 1700000000}).encode()
    return plain, _aes_cbc(plain, os.urandom(16), os.urandom(16))


def _matcher(plain: bytes, ct: bytes) -> Matcher:
    return Matcher(
        [Plant("imei", IMEI, "DEVICE_ID")],
        ciphers=[Ciphertext("cipher:7", ct[:48], plain, "Cipher AES/CBC/PKCS5Padding plaintext at t=1.20 s")],
    )


@pytest.mark.parametrize(
    ("body", "ctype", "layer"),
    [
        (lambda ct: base64.b64encode(ct), "text/plain", "ct-b64@0"),
        (
            lambda ct: json.dumps({"d": base64.urlsafe_b64encode(ct).decode(), "v": 2}).encode(),
            "application/json",
            "ct-b64",
        ),  # url-safe when the run has - or _
        (lambda ct: ct.hex().upper().encode(), "text/plain", "ct-hex-upper"),
        (lambda ct: ct, "application/octet-stream", "ct-raw"),
        # IV prepended before base64: the ciphertext starts at byte 16 (offset 1 mod 3)
        (lambda ct: base64.b64encode(b"\x01" * 16 + ct), "text/plain", "ct-b64@1"),
    ],
)
def test_the_plaintext_behind_a_ciphertext_is_searched(body, ctype: str, layer: str) -> None:  # type: ignore[no-untyped-def]
    plain, ct = _payload()
    found = _matcher(plain, ct).match(FlowData("https://t.example/up", body=body(ct), content_type=ctype))
    assert [m.plant for m in found] == ["imei"]
    m = found[0]
    assert m.via == "Cipher AES/CBC/PKCS5Padding plaintext at t=1.20 s" and m.cipher == "cipher:7"
    assert any(x.startswith(layer) for x in m.layers) and m.where == "body"


def test_gzip_around_the_base64_ciphertext_and_plaintext_hashes() -> None:
    plain = json.dumps(
        {"did": base64.b64encode(__import__("hashlib").md5(IMEI.encode()).digest()).decode()}
    ).encode()
    ct = _aes_cbc(plain, b"k" * 16, b"i" * 16)
    body = gzip.compress(json.dumps({"p": base64.b64encode(ct).decode()}).encode())
    found = _matcher(plain, ct).match(
        FlowData("https://t.example/up", body=body, content_encoding="gzip", content_type="application/json")
    )
    assert found and found[0].form == "md5-b64" and found[0].layers[0] == "gzip" and found[0].via


def test_no_tie_without_the_ciphertext_and_no_match_for_a_salted_plaintext() -> None:
    plain, ct = _payload()
    other = _aes_cbc(plain, os.urandom(16), os.urandom(16))  # the same plaintext, another key: not this call
    assert _matcher(plain, ct).match(FlowData("https://t.example/up", body=base64.b64encode(other))) == []
    salted = json.dumps(
        {"uid": __import__("hashlib").sha256(b"per-install salt:" + IMEI.encode()).hexdigest()}
    ).encode()
    ct2 = _aes_cbc(salted, b"k" * 16, b"i" * 16)
    assert _matcher(salted, ct2).match(FlowData("https://t.example/up", body=base64.b64encode(ct2))) == []


def test_a_direct_find_wins_over_one_through_a_cipher_and_short_heads_are_ignored() -> None:
    plain, ct = _payload()
    body = json.dumps({"imei": IMEI, "blob": base64.b64encode(ct).decode()}).encode()
    found = _matcher(plain, ct).match(
        FlowData("https://t.example/up", body=body, content_type="application/json")
    )
    assert len(found) == 1 and found[0].via == ""
    short = Matcher([Plant("imei", IMEI)], ciphers=[Ciphertext("c", b"\x00" * 8, plain)])
    assert short.ciphers == {}


def test_store_keeps_bounded_plaintexts_once(tmp_path: Path) -> None:
    store = CipherStore(tmp_path)
    a = store.keep(b"x" * (MAX_PLAINTEXT + 10))
    assert a and store.keep(b"x" * MAX_PLAINTEXT) == a  # the same kept bytes: one file
    assert len(read_plaintext(tmp_path, a)) == MAX_PLAINTEXT
    assert CipherStore(None).keep(b"abc") == ""
    assert read_plaintext(tmp_path, "../x") == b"" and read_plaintext(tmp_path, "") == b""


def test_agent_cipher_events_are_decoded_kept_and_matched(tmp_path: Path) -> None:
    plain, ct = _payload()
    store = CipherStore(tmp_path)
    dec = AgentDecoder(lambda: 2.0, source="frida", keep_plaintext=store.keep)
    ev = {
        "k": "cipher",
        "ts": 1000.0,
        "alg": "AES/CBC/PKCS5Padding",
        "pt": base64.b64encode(plain).decode(),
        "ptLen": len(plain),
        "ct": base64.b64encode(ct[:48]).decode(),
        "ctLen": len(ct),
        "caller": "com.example.sdk.Up.send(Up.java:3)",
    }
    hostile = [dict(ev, pt="!!notbase64"), dict(ev, ct="A" * 500), dict(ev, pt=12)]
    out = dec.decode({"type": "events:add", "events": [ev, *hostile]})
    calls = [e for e in out if isinstance(e, CipherCall)]
    assert len(calls) == 1 and sum(isinstance(e, ErrorRecord) for e in out) == 3
    c = calls[0].stamped(5)
    assert isinstance(c, CipherCall)
    assert (
        c.algorithm == "AES/CBC/PKCS5Padding"
        and c.ct_len == len(ct)
        and not c.plaintext_cut
        and (tmp_path / "cipher" / c.plaintext).is_file()
    )
    cts = ciphertexts([c], tmp_path)
    assert (
        cts[0].name == "cipher:5"
        and cts[0].plaintext == plain
        and cts[0].label.startswith("Cipher AES/CBC/PKCS5Padding plaintext at t=")
    )
    m = Matcher([Plant("imei", IMEI)], ciphers=cts).match(
        FlowData("https://t.example/", body=base64.b64encode(ct))
    )
    assert m and m[0].cipher == "cipher:5"
    assert ciphertexts([c], None) == []  # no run folder: no plaintext, no tie
