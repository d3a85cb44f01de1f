"""Evidence identity: APK hashes and signer (checked against JDK keytool on a jarsigner-signed
APK, and on a v2 signing block), versions, device and harness hashes in run.json; what judged a
run in analysis.json."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "devices"))
from apk_builder import Element, write_apk  # noqa: E402

from harness.handover.identity import (  # noqa: E402
    apk_identity,
    catalogue_hashes,
    run_identity,
    signing_certificates,
)


def _apk(tmp_path: Path) -> Path:
    tree = Element("manifest", {"package": "com.example.lamp", "android:versionCode": 7, "android:versionName": "2.1"}, [Element("application", {}, [])])
    return write_apk(tmp_path / "lamp.apk", tree)


def _keytool_digest(args: list[str]) -> str:
    out = subprocess.run(["keytool", *args], capture_output=True, text=True, timeout=60, check=True).stdout
    m = re.search(r"SHA256:\s*([0-9A-F:]{95})", out)
    assert m, out
    return m.group(1).replace(":", "").lower()


@pytest.mark.skipif(not (shutil.which("keytool") and shutil.which("jarsigner")), reason="JDK keytool/jarsigner not installed")
def test_v1_signer_digest_matches_keytool(tmp_path: Path) -> None:
    apk = _apk(tmp_path)
    ks = tmp_path / "ks.p12"
    subprocess.run(
        ["keytool", "-genkeypair", "-keystore", str(ks), "-storetype", "PKCS12", "-storepass", "secret1", "-keypass", "secret1",
         "-alias", "lab", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Lab Test", "-validity", "10"],
        capture_output=True, timeout=120, check=True,
    )
    subprocess.run(["jarsigner", "-keystore", str(ks), "-storepass", "secret1", str(apk), "lab"], capture_output=True, timeout=120, check=True)
    sig = signing_certificates(apk)
    assert sig["scheme"] == "v1" and not sig["error"]
    assert sig["sha256"] == [_keytool_digest(["-printcert", "-jarfile", str(apk)])]
    ident = apk_identity(str(apk))
    assert ident is not None and ident["apk_sha256"] == hashlib.sha256(apk.read_bytes()).hexdigest()


def _with_v2_block(src: Path, dst: Path, cert: bytes) -> None:
    """Insert an APK Signing Block with one v2 signer holding ``cert`` before the central directory."""
    data = src.read_bytes()
    eocd = data.rfind(b"PK\x05\x06")
    cd_off = struct.unpack_from("<I", data, eocd + 16)[0]

    def pref(b: bytes) -> bytes:
        return struct.pack("<I", len(b)) + b

    signed_data = pref(b"") + pref(pref(cert)) + pref(b"")
    signer = pref(signed_data) + pref(b"") + pref(b"")
    value = pref(pref(signer))
    pair = struct.pack("<Q", len(value) + 4) + struct.pack("<I", 0x7109871A) + value
    size = len(pair) + 8 + 16
    block = struct.pack("<Q", size) + pair + struct.pack("<Q", size) + b"APK Sig Block 42"
    new_cd = cd_off + len(block)
    tail = bytearray(data[cd_off:])
    struct.pack_into("<I", tail, eocd - cd_off + 16, new_cd)
    dst.write_bytes(data[:cd_off] + block + bytes(tail))


def test_v2_block_is_read_before_v1(tmp_path: Path) -> None:
    cert = b"0\x82\x01\x00" + bytes(range(256))
    out = tmp_path / "v2.apk"
    _with_v2_block(_apk(tmp_path), out, cert)
    sig = signing_certificates(out)
    assert sig == {"scheme": "v2", "sha256": [hashlib.sha256(cert).hexdigest()], "error": ""}


def test_unsigned_and_hostile_files_give_a_reason_not_a_crash(tmp_path: Path) -> None:
    assert signing_certificates(_apk(tmp_path))["error"] == "no signature found (unsigned APK)"
    junk = tmp_path / "junk.apk"
    junk.write_bytes(b"PK\x05\x06" + b"\xff" * 40)
    assert signing_certificates(junk)["error"].startswith("signature not readable")
    assert apk_identity(str(tmp_path / "missing.apk")) is None


def test_run_and_analysis_record_identity(tmp_path: Path) -> None:
    from harness.cli import main

    rc = main(["run", "--app", "parking-pay", "--scenario", "S1", "--results", str(tmp_path), "--no-report", "--fail-on", "never"])
    assert rc == 0
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    ident = json.loads((run / "run.json").read_text("utf-8"))["extra"]["identity"]
    assert ident["app"]["version_name"] and ident["app"]["version_code"] != ""
    assert len(ident["app"]["model_sha256"]) == 64 and ident["app"]["apk_sha256"] == ""  # a reference model has no APK
    assert ident["device"]["api_level"] == 33 and ident["device"]["simulated"] is True and ident["device"]["fingerprint"]
    assert ident["harness"]["catalogues"] == catalogue_hashes() and len(ident["harness"]["agent_bundle_sha256"]) == 64
    judged = json.loads((run / "analysis.json").read_text("utf-8"))["judged_with"]
    assert judged["jurisdiction"] == "cn" and judged["catalogues"]["rules.yaml"] == catalogue_hashes()["rules.yaml"]


def test_run_identity_of_a_real_device_apk(tmp_path: Path) -> None:
    apk = _apk(tmp_path)
    device = {"serial": "emulator-5554", "model": "sdk_gphone64", "api_level": 34, "simulated": False, "extra": {"fingerprint": "google/sdk/emu:14/UE1A/1:userdebug/test-keys"}}
    ident = run_identity(device=device, app_ref=str(apk), manifest={"version_name": "2.1", "version_code": 7}, hook_pack="abc", package="com.example.lamp")
    assert ident["app"]["files"] == {"lamp.apk": hashlib.sha256(apk.read_bytes()).hexdigest()}
    assert ident["device"]["fingerprint"].startswith("google/sdk") and ident["app"]["version_code"] == 7
