"""IAB TCF consent signals: the TC string decoder against strings the IAB's own encoder
(@iabtcf/core, pinned in tools/cmp) writes, the agent summary read as untrusted data, the TCF
catalogue's schema, and R45/R46 judged from timelines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.catalog.tcf import load_tcf, parse_tcf
from harness.detectors import analyze
from harness.errors import CatalogError
from harness.events import ApiCall, ConsentDecision, Event, UiSnapshot
from harness.rundir import RunInfo
from harness.tcf import CATEGORY, TC_DATA_API, TcfDecodeError, decode_tc_string, read_signal
from harness.timeline import Timeline

CMP_DIR = Path(__file__).resolve().parents[3] / "tools" / "cmp"

#: models encoded by @iabtcf/core in the test below: purpose consents, purpose LI, vendor consents,
#: vendor LI, special features, publisher purpose consents
MODELS: list[dict[str, list[int]]] = [
    {"pc": [], "pli": [2, 7, 8], "vc": [], "vli": [], "sf": [], "pub": []},
    {"pc": [1, 2, 3, 4, 7], "pli": [3, 4, 7], "vc": [3, 8, 9, 10, 11, 755], "vli": [300], "sf": [1], "pub": []},
    {"pc": [1], "pli": [], "vc": [300], "vli": [], "sf": [], "pub": [1, 3]},
    # a long vendor list: the encoder chooses range encoding for it
    {"pc": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "pli": [], "vc": list(range(1, 700)) + [1201], "vli": [], "sf": [1, 2], "pub": []},
]

_ENCODE = """
import { TCModel, TCString, GVL } from '@iabtcf/core';
const models = JSON.parse(process.argv[2]);
const ids = [...new Set(models.flatMap((m) => [...m.vc, ...m.vli]))];
const vl = { gvlSpecificationVersion: 3, vendorListVersion: 42, tcfPolicyVersion: 5, lastUpdated: "2026-01-01T00:00:00Z",
  purposes: Object.fromEntries([...Array(11)].map((_, i) => [i + 1, { id: i + 1, name: "p", description: "" }])),
  specialPurposes: {}, features: {}, specialFeatures: { 1: { id: 1, name: "s", description: "" }, 2: { id: 2, name: "s", description: "" } },
  vendors: Object.fromEntries(ids.map((id) => [id, { id, name: "v" + id, purposes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], legIntPurposes: [2, 3, 4, 7, 8], flexiblePurposes: [], specialPurposes: [], features: [], specialFeatures: [1, 2], policyUrl: "http://x.test" }])),
  stacks: {} };
const out = [];
for (const c of models) {
  const m = new TCModel(new GVL(vl));
  m.cmpId = 300; m.cmpVersion = 2; m.isServiceSpecific = true;
  m.purposeConsents.set(c.pc); m.purposeLegitimateInterests.set(c.pli); m.vendorConsents.set(c.vc);
  m.vendorLegitimateInterests.set(c.vli); m.specialFeatureOptins.set(c.sf); m.publisherConsents.set(c.pub);
  await m.gvl.readyPromise;
  out.push(TCString.encode(m));
}
console.log(JSON.stringify(out));
"""


def _encoded() -> list[str]:
    node = shutil.which("node")
    if node is None or not (CMP_DIR / "node_modules" / "@iabtcf" / "core" / "package.json").is_file():
        if os.environ.get("CI"):
            raise RuntimeError("node and tools/cmp/node_modules (@iabtcf/core) are needed in CI: make setup-cmp")
        pytest.skip("needs node and @iabtcf/core (make setup-cmp)")
    script = CMP_DIR / ".encode-tcf-test.mjs"  # inside tools/cmp, so '@iabtcf/core' resolves
    script.write_text(_ENCODE, encoding="utf-8")
    try:
        out = subprocess.run([node, str(script), json.dumps(MODELS)], capture_output=True, text=True, timeout=60, check=True)
    finally:
        script.unlink()
    result: list[str] = json.loads(out.stdout)
    return result


def _ranges_to_ids(r: tuple[tuple[int, int], ...]) -> list[int]:
    return [i for lo, hi in r for i in range(lo, hi + 1)]


def test_decoder_reads_what_the_iab_encoder_wrote() -> None:
    for model, tc in zip(MODELS, _encoded(), strict=True):
        d = decode_tc_string(tc)
        assert (d.version, d.cmp_id, d.cmp_version, d.policy_version, d.service_specific) == (2, 300, 2, 5, True)
        assert list(d.purpose_consents) == model["pc"]
        assert list(d.purpose_li) == model["pli"]
        assert _ranges_to_ids(d.vendor_consents) == model["vc"]
        assert _ranges_to_ids(d.vendor_li) == model["vli"]
        assert list(d.special_features) == model["sf"]
        assert list(d.publisher_consents) == model["pub"]
        assert d.grants() == bool(model["pc"] or model["vc"] or model["sf"] or model["pub"])


@pytest.mark.parametrize(
    "bad",
    ["", "!!!!", "A" * 20_000, "BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA", "CQ", "C" + "/" * 10],
)
def test_decoder_refuses_what_is_not_a_v2_string(bad: str) -> None:
    with pytest.raises(TcfDecodeError):
        decode_tc_string(bad)


def _core(vendor_section: str) -> str:
    """A v2 core segment with every field zero except the vendor consent section given, in bits."""
    head = format(2, "006b") + "0" * 72 + "0" * 12 + "0" * 12 + "0" * 6 + "0" * 12 + "0" * 12 + format(5, "006b") + "1" + "0" + "0" * 12 + "0" * 24 + "0" * 24 + "0" + "0" * 12
    bits = head + vendor_section + "0" * 16 + "0"  # vendor LI: none
    bits += "0" * (-len(bits) % 6)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(alphabet[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def _ranges(n: int) -> str:
    return format(65535, "016b") + "1" + format(n, "012b") + ("1" + format(1, "016b") + format(65535, "016b")) * n


def test_decoder_bounds_hostile_ranges() -> None:
    """Ranges are merged, never expanded: overlapping ranges of every vendor id decode to one
    range; a string claiming 4095 of them is longer than any TC string the harness reads."""
    d = decode_tc_string(_core(_ranges(3)))
    assert d.vendor_consents == ((1, 65535),) and d.grants()
    with pytest.raises(TcfDecodeError):
        decode_tc_string(_core(_ranges(4095)))


@pytest.mark.parametrize(
    "args",
    ["", "not json", "[]", "{", json.dumps({"tc": 5, "pc": "x"}), json.dumps({"tc": "@@@", "pc": {"1": True, "x": True, "99": True}, "vc": list(range(10_000))}), json.dumps({"s": "x" * 5000, "cmp": -3})],
)
def test_agent_summary_is_untrusted(args: str) -> None:
    s = read_signal(args)
    if s is None:
        return
    assert len(s.status) <= 40 and 0 <= s.cmp_id < 4096
    assert all(1 <= p <= 24 for p in s.claimed_purpose_consents)
    assert len(s.claimed_vendor_consents) <= 512
    if s.tc_string:
        assert s.decoded is None and s.error


def test_disagreement_between_object_and_string_is_noted() -> None:
    tc = "CQuzncAQuzncAEsACAENAqFgAAAAAEMAAAAAAAAAAAAA.YAAAAAAAAAAA"  # no consent, LI 2,7,8 (from @iabtcf/core)
    s = read_signal(json.dumps({"s": "useractioncomplete", "cmp": 300, "tc": tc, "pc": {"1": True}, "pli": [2, 7, 8]}))
    assert s is not None and s.decoded is not None and not s.grants()
    assert s.notes and "claims purpose consents [1]" in s.notes[0]


# -- the catalogue ----------------------------------------------------------------------------------
def test_tcf_catalogue_names_consent_only_purposes_with_provenance() -> None:
    cat = load_tcf()
    assert set(cat.consent_only) == {1, 3, 4, 5, 6}
    assert cat.consent_only[3].verdict == "violation" and cat.consent_only[5].verdict == "needs-review"
    assert all(c.provenance and c.why for c in cat.consent_only.values())


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"schema": 2}, "schema must be 1"),
        ({"schema": 1, "purposes": {1: "a"}, "special_features": {1: "b"}, "consent_only": {2: {"verdict": "violation", "provenance": "law", "why": "x"}}}, r"consent_only\.2: not a purpose"),
        ({"schema": 1, "purposes": {1: "a"}, "special_features": {1: "b"}, "consent_only": {1: {"verdict": "maybe", "provenance": "law", "why": "x"}}}, "verdict"),
        ({"schema": 1, "purposes": {1: "a"}, "special_features": {1: "b"}, "consent_only": {1: {"verdict": "violation", "provenance": "vibes", "why": "x"}}}, "provenance"),
        ({"schema": 1, "purposes": {99: "a"}, "special_features": {1: "b"}, "consent_only": {}}, r"id 99"),
        ({"schema": 1, "purposes": {1: "a"}, "special_features": {1: "b"}, "consent_only": {}, "extra": 1}, "unknown key"),
    ],
)
def test_tcf_catalogue_errors_name_the_place(data: Any, match: str) -> None:
    with pytest.raises(CatalogError, match=match):
        parse_tcf(data)


# -- R45 / R46 from timelines ------------------------------------------------------------------------
NO_CONSENT_LI_34 = "CQuzncAQuzncA_LADCENBHFgAAAAAHIAAAqIAAAH8gBgBNAGoAfwAAAA.YAAAAAAAAAAA"  # LI 2,3,4,7 (our CMP, tcf-li-fr)
ALL_CONSENT = "CQuzncAQuzncA_KADBENBHFsAP_gAEPAAAwID-QBAAPgBNAGoAfwB_IAYATQBqAH8AAA.YAAAAAAAAAAA"  # everything (tcf-broken-en)
CLEAN = "CQuzncAQuzncA_KADCENBHFgAAAAAEPAAAwIAAAH8gBgBNAGoAfwAAAA.YAAAAAAAAAAA"  # no consent, LI 2,7,8,9,10


def _signal(t: float, tc: str, status: str = "useractioncomplete") -> ApiCall:
    return ApiCall(t=t, category=CATEGORY, api_id=TC_DATA_API, method=status, args=json.dumps({"s": status, "cmp": 4042, "tc": tc}), sdk="app")


def _judge(*events: Event) -> dict[str, list[tuple[str, str]]]:
    info = RunInfo(run_id="r1", package="test.site.www", app="x", scenario="W2", device={}, simulated=True, harness_version="t")
    out: dict[str, list[tuple[str, str]]] = {}
    for f in analyze(Timeline.from_events(list(events)), info, jurisdiction="eu").findings:
        if f.rule_id in ("R45", "R46"):
            out.setdefault(f.rule_id, []).append((f.verdict, f.subject))
    return out


def _banner(t: float) -> UiSnapshot:
    return UiSnapshot(t=t, screen_kind="cmp_dialog", package="test.site.www", reading='{"controls":[{"role":"accept","text":"Accept all"},{"role":"decline","text":"Reject all"}]}')


def test_grant_after_refusal_is_r45_and_the_refusal_governs_from_its_screen() -> None:
    shot = _banner(1.0)
    evs: list[Event] = [shot, _signal(2.0, ALL_CONSENT), ConsentDecision(t=2.1, subject="cmp", choice="decline", how="tap:Reject all", screen_seq=0)]
    assert _judge(*evs) == {"R45": [("violation", "")]}


def test_accept_is_not_judged_and_a_later_refusal_is() -> None:
    accept: list[Event] = [_banner(1.0), ConsentDecision(t=1.5, subject="cmp", choice="accept", how="tap:Accept all", screen_seq=0), _signal(1.6, ALL_CONSENT)]
    assert _judge(*accept) == {}
    # a refusal later (the settings reopened): only the last signal under it is judged, here clean
    later = [*accept, _banner(5.0), ConsentDecision(t=6.0, subject="cmp", choice="decline", how="tap:Reject all", screen_seq=3), _signal(5.9, ALL_CONSENT), _signal(6.5, CLEAN)]
    assert _judge(*later) == {}


def test_grant_before_any_choice_is_r45() -> None:
    assert _judge(_banner(0.5), _signal(1.0, ALL_CONSENT, "tcloaded")) == {"R45": [("violation", "")]}


def test_li_for_consent_only_purposes_is_r46_per_purpose() -> None:
    evs: list[Event] = [_banner(1.0), ConsentDecision(t=2.0, subject="cmp", choice="decline", how="tap:Reject all", screen_seq=0), _signal(2.1, NO_CONSENT_LI_34)]
    assert sorted(_judge(*evs)["R46"]) == [("violation", "TCF purpose 3"), ("violation", "TCF purpose 4")]
    assert _judge(_banner(1.0), ConsentDecision(t=2.0, subject="cmp", choice="decline", how="x", screen_seq=0), _signal(2.1, CLEAN)) == {}
