"""The reference device's encrypted uploads (SIMULATED): AES-128-CBC checked against the
``cryptography`` package, the model's ``encrypt`` option validated, and a run of the corpus app
net-cipher records a CipherCall per encrypted send (plaintext kept in the run folder) so R34 is
found through the plaintext, while the salted clean control has encryptions and no finding."""

from __future__ import annotations

import base64
import json
import os
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness import yamlio
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.devices.sim.aes import aes128_cbc_encrypt, encrypt_block
from harness.devices.sim.model import load_model, model_path
from harness.errors import AppModelError
from harness.events import CipherCall, NetworkFlow
from harness.network.cipher import read_plaintext
from harness.pipeline import analyze_run, resolve_app
from harness.rundir import RunDir
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline


def test_aes_matches_fips197_and_the_cryptography_package() -> None:
    key = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    assert encrypt_block(bytes.fromhex("00112233445566778899aabbccddeeff"), key).hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"
    for n in (0, 1, 15, 16, 17, 200):
        k, iv, msg = os.urandom(16), os.urandom(16), os.urandom(n)
        p = padding.PKCS7(128).padder()
        enc = Cipher(algorithms.AES(k), modes.CBC(iv)).encryptor()
        assert aes128_cbc_encrypt(msg, k, iv) == enc.update(p.update(msg) + p.finalize()) + enc.finalize()
    with pytest.raises(ValueError):
        aes128_cbc_encrypt(b"x", b"short", bytes(16))


BAD = """
model: t
package: com.example.t
label: T
on_start:
  - send: {host: a.example.net, method: GET, data: {x: "1"}, encrypt: aes-cbc}
screens:
  home: {title: Home}
"""


@pytest.mark.parametrize(("fragment", "why"), [("method: GET, ", "only a request with a body"), ("method: GET, data: {x: \"1\"}, encrypt: aes-cbc", "must be 'aes-cbc'")])
def test_encrypt_is_validated(fragment: str, why: str) -> None:
    text = BAD if why.startswith("only") else BAD.replace(fragment, 'data: {x: "1"}, encrypt: rot13')
    with pytest.raises(AppModelError, match=why):
        load_model(yamlio.load(textwrap.dedent(text), "t.yaml"), "t.yaml")


def _run(tmp_path: Path, name: str, scenario: str) -> Path:
    driver = SimDriver()
    model = model_path(name)
    app = resolve_app(driver, str(model))
    (sc,) = resolve_scenarios(scenario)
    return Runner(driver, SimInstrumentation(driver), tmp_path, hook_pack="sim").run(app, sc, app_ref=name).run_dir


def test_an_encrypted_upload_is_matched_through_its_plaintext(tmp_path: Path) -> None:
    run = _run(tmp_path, "net-cipher", "S1")
    events = list(Timeline.read(RunDir(run).timeline, strict=True))
    calls = [e for e in events if isinstance(e, CipherCall)]
    flows = [e for e in events if isinstance(e, NetworkFlow) and e.host.startswith("api-access.")]
    assert len(calls) >= 2 and len(flows) >= 2
    first = calls[0]
    assert first.algorithm == "AES/CBC/PKCS5Padding" and first.source == "sim"
    assert b"861234567890124" in read_plaintext(run, first.plaintext)
    body = json.loads((run / "network" / "bodies" / flows[0].body).read_bytes())
    wire = base64.b64decode(body["d"])
    assert wire[16 : 16 + 48] == bytes.fromhex(first.ct_head) and b"861234567890124" not in wire  # IV in front, then the ciphertext
    r34 = [f for f in analyze_run(run) if f.rule_id == "R34"]
    assert {f.category for f in r34} == {"DEVICE_ID", "APP_LIST"}
    assert all("via Cipher AES/CBC/PKCS5Padding plaintext at t=" in f.message for f in r34)
    assert all(any(c.seq in f.evidence for c in calls) for f in r34)
    stored = json.loads((run / "analysis.json").read_text(encoding="utf-8"))["network_matches"]
    rows = [m for rec in stored for m in rec["matches"]]
    assert rows and all(m["via"].startswith("Cipher AES/CBC/PKCS5Padding") and m["cipher_seq"] in {c.seq for c in calls} for m in rows)


def test_the_salted_encrypted_control_is_clean(tmp_path: Path) -> None:
    run = _run(tmp_path, "clean-net-cipher", "S3")
    events = list(Timeline.read(RunDir(run).timeline, strict=True))
    assert len([e for e in events if isinstance(e, CipherCall)]) >= 3  # crash SDK, first party, salted analytics
    assert [f for f in analyze_run(run) if f.rule_id in ("R34", "R37")] == []
