"""Honey objects and the cipher hook under the real Frida agent (the project's bundle) on a local
JVM with stub Android classes (tests/frida/java/com/example/honey/HoneyApp.java):

- a system location fix, contacts rows, the clipboard and the installed-apps lists give the
  app the planted values, each reported once as a HoneyPlant; the app's own Location, other
  cursors of the same class, a URI clip and clips the app builds stay as they were;
- AES/CBC encryptions (four doFinal forms on arrays and heap buffers, three on direct
  ByteBuffers: doFinal, update + doFinal from a non-zero position, in place) are recorded as CipherCalls with the plaintext kept
  in the run folder and the ciphertext's head, a decryption is not, and a flow carrying
  base64(ciphertext) is matched to the planted IMEI through the recorded plaintext;
- 20,000 encryptions in a loop stay within the agent's rate bound and the overflow is on record.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from frida_support import Lines

from harness.events import AgentStatus, CipherCall, Event, HoneyPlant
from harness.instrumentation.base import Target
from harness.instrumentation.frida_follow import FridaSource
from harness.instrumentation.sources import SourceSession
from harness.network.cipher import ciphertexts, read_plaintext
from harness.network.matcher import FlowData, Matcher, Plant
from harness.timeline import Timeline

pytestmark = pytest.mark.frida
APP = "com.example.honey"


@dataclass
class HoneyRun:
    src: FridaSource
    lines: Lines
    timeline: Timeline
    run_dir: Path

    def command(self, cmd: str, timeout: float = 90.0) -> dict[str, str]:
        assert self.src.main is not None
        self.src.main.input(cmd.encode() + b"\n")
        got: dict[str, str] = {}
        name = cmd.split()[0]
        while True:
            line = self.lines.wait("", timeout)
            if line.startswith("done " + name):
                break
            if line.startswith("got "):
                _, key, value = (line + " ").split(" ", 2)
                got[key] = value.strip() if key not in got else got[key] + "\n" + value.strip()
        self.src.main.flush()
        time.sleep(0.3)
        return got

    def events(self) -> list[Event]:
        return self.timeline.snapshot()


@pytest.fixture(scope="module")
def honey_run(java_exe: str, java_classes: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HoneyRun]:
    run_dir = tmp_path_factory.mktemp("honey-run")
    tl = Timeline(run_dir / "timeline.jsonl")
    lines = Lines()
    src = FridaSource(device="local", mode="spawn", options={"stdio": "pipe", "on_output": lines.feed, "agent_options": {"cipherRate": 200}})
    t0 = time.monotonic()
    src.start(SourceSession(target=Target(package=APP, argv=(java_exe, "-cp", str(java_classes), "com.example.honey.HoneyApp")), emit=tl.extend, clock=lambda: time.monotonic() - t0, run_dir=run_dir))
    assert src.launch(APP)
    lines.wait("ready", 60)
    yield HoneyRun(src, lines, tl, run_dir)
    try:
        if src.main is not None:
            src.main.input(b"exit\n")
            src.main.wait_gone(15)
    finally:
        src.stop()
        tl.close()


def test_objects_are_planted_and_reported_once(honey_run: HoneyRun) -> None:
    got = honey_run.command("objects")
    h = honey_run.src.objects
    assert h.location is not None and h.contact_name and h.package and h.clipboard
    lat, lon = h.location
    fix = got["fix"]
    assert fix.startswith(f"{lat},{lon} ") and fix.endswith(f"[gps {lat},{lon}]")  # the object moved too
    assert got["shop"] == "30.0,120.0"  # the app's own Location
    for row in got["phone"].splitlines():
        assert row == f"{h.contact_name}|{h.contact_phone}|+86{h.contact_phone}"
    data = got["data"].splitlines()
    assert data[0].endswith(f"/name|{h.contact_name}") and data[1].endswith(f"/phone_v2|{h.contact_phone}")
    assert data[2].endswith("/email_v2|one@real.example")  # an e-mail row keeps its value
    assert got["sms"] == "Real Sender|real message body"  # a cursor of the same class, not from contacts
    assert got["clip"] == f"{h.clipboard}|{h.clipboard}"
    assert got["clipuri"] == "content://media/1" and got["ownclip"] == "text the app built itself"
    assert got["packages"] == f"com.tencent.mm,com.eg.android.AlipayGphone,{h.package}+app,"
    assert got["applications"] == f"com.tencent.mm,com.eg.android.AlipayGphone,{h.package},"
    assert got["launchers"] == f"com.tencent.mm/com.tencent.mm.ui.LauncherUI,{h.package}/{h.package}.MainActivity,"
    plants = [e for e in honey_run.events() if isinstance(e, HoneyPlant)]
    by_name: dict[str, list[HoneyPlant]] = {}
    for p in plants:
        by_name.setdefault(p.name, []).append(p)
    assert [p.value for p in by_name["location"]] == [f"{lat},{lon}"] and by_name["location"][0].category == "LOCATION"
    assert [p.value for p in by_name["contact_name"]] == [h.contact_name]
    assert [p.value for p in by_name["contact_phone"]] == [h.contact_phone] and by_name["contact_phone"][0].category == "CONTACTS"
    assert [p.value for p in by_name["clipboard"]] == [h.clipboard]
    assert [p.value for p in by_name["app_list"]] == [h.package] and by_name["app_list"][0].category == "APP_LIST"


def test_encryptions_are_recorded_and_tie_a_flow_to_the_planted_imei(honey_run: HoneyRun) -> None:
    before = len([e for e in honey_run.events() if isinstance(e, CipherCall)])
    got = honey_run.command("cipher")
    assert got["roundtrip"] == "ok"
    calls = [e for e in honey_run.events() if isinstance(e, CipherCall)][before:]
    assert len(calls) == 7  # seven encryptions; the decryption is not recorded
    imei = dict(honey_run.src.planted)["TelephonyManager.getDeviceId"]
    for key, call in zip(("ct1", "ct2", "ct3", "ct4", "ct5", "ct6", "ct7"), calls, strict=True):
        ct = base64.b64decode(got[key].split()[0])
        assert call.algorithm == "AES/CBC/PKCS5Padding" and call.ct_len == len(ct)
        assert bytes.fromhex(call.ct_head) == ct[:48], key
        plain = read_plaintext(honey_run.run_dir, call.plaintext)
        assert imei.encode() in plain and call.plaintext_len == len(plain) and not call.plaintext_cut
        assert "HoneyApp.cipher" in call.caller
    # the in-place encryption wrote its ciphertext over the plaintext: what was recorded is the
    # input as it was before the call (the direct buffers' bytes, copied out by the agent)
    assert int(got["ct7"].split()[1]) == len(base64.b64decode(got["ct7"].split()[0]))
    assert honey_run.src.main is not None and honey_run.src.main.stats()["cipher"]["direct"] >= 4
    m = Matcher([Plant("imei", imei, "DEVICE_ID")], ciphers=ciphertexts(calls, honey_run.run_dir))
    found = m.match(FlowData("https://log.tracker.example/up", body=f'{{"data":"{got["ct1"]}"}}'.encode(), content_type="application/json"))
    assert len(found) == 1 and found[0].plant == "imei" and found[0].via.startswith("Cipher AES/CBC/PKCS5Padding plaintext at t=")


def test_a_flood_of_encryptions_is_bounded(honey_run: HoneyRun) -> None:
    before = len([e for e in honey_run.events() if isinstance(e, CipherCall)])
    t0 = time.monotonic()
    honey_run.command("cipherflood 20000", timeout=180)
    took = time.monotonic() - t0
    calls = [e for e in honey_run.events() if isinstance(e, CipherCall)][before:]
    # at most cipherRate (200) per second of the loop, plus one window of slack
    assert 0 < len(calls) <= 200 * (int(took) + 2)
    assert len(calls) < 20000
    errors = [e for e in honey_run.events() if isinstance(e, AgentStatus) and e.status == "error" and "over the limit" in e.message]
    assert errors
