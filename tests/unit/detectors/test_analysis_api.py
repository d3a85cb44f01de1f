"""analyze(): error isolation, profiles, jurisdictions, the findings table, hostile input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.detectors import analyze, registry
from harness.detectors import core as core_mod
from harness.detectors.context import Context
from harness.detectors.registry import Detector
from harness.errors import CatalogError, InputError
from harness.events import ApiCall, ConsentDecision, Event, PermissionRequest, UiAction, UiSnapshot
from harness.findings import PROVENANCES, Finding
from harness.reporting.frames import FINDING_COLUMNS
from harness.rundir import RunInfo
from harness.timeline import Timeline


def info(profile: str = "") -> RunInfo:
    return RunInfo(run_id="r1", package="com.x", app="x", scenario="S2", device={}, simulated=True, harness_version="t", profile=profile)


def timeline(*events: Event) -> Timeline:
    return Timeline.from_events(list(events))


DECLINE_RUN = (
    UiAction(t=0.0, action="launch"),
    UiSnapshot(t=1.0, screen_kind="privacy_dialog", package="com.x", reading='{"controls":[{"role":"accept","text":"同意"},{"role":"decline","text":"不同意"},{"role":"policy_link","text":"政策"}]}'),
    ApiCall(t=1.5, category="DEVICE_ID", sdk="com.umeng.analytics", api_id="TelephonyManager.getImei"),
    ConsentDecision(t=2.0, choice="decline"),
    ApiCall(t=3.0, category="LOCATION", sdk="app", api_id="LocationManager.getLastKnownLocation"),
    PermissionRequest(t=4.0, groups=("CONTACTS",), via="hook"),
)


def test_a_crashing_detector_becomes_an_error_record() -> None:
    def boom(ctx: Context) -> Iterator[Finding]:
        raise RuntimeError("detector bug")
        yield  # pragma: no cover

    dets = dict(registry())
    dets["R12"] = Detector("R12", "exploding", boom)
    result = analyze(timeline(*DECLINE_RUN), info(), detectors=dets)
    assert result.errors == [{"detector": "exploding", "rule_id": "R12", "message": "RuntimeError: detector bug"}]
    assert {f.rule_id for f in result.findings} >= {"R09", "R10", "R19"}


def test_a_failing_vectorised_rule_only_takes_its_own_detector_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ValueError("core bug")

    monkeypatch.setitem(core_mod._RULE_FUNCS, "R09", broken)
    result = analyze(timeline(*DECLINE_RUN), info())
    assert [e["rule_id"] for e in result.errors] == ["R09"]
    assert "core bug" in result.errors[0]["message"]
    rules = {f.rule_id for f in result.findings}
    assert "R09" not in rules and "R10" in rules and "R33" in rules


def test_unknown_jurisdiction_and_profile_are_clear_errors() -> None:
    with pytest.raises(InputError, match="unknown jurisdiction profile 'mars'"):
        analyze(timeline(*DECLINE_RUN), info(), jurisdiction="mars")
    with pytest.raises(CatalogError, match="unknown app-type profile"):
        analyze(timeline(*DECLINE_RUN), info(profile="no_such_type"))


def test_profile_from_run_info_enables_profile_rules() -> None:
    without = analyze(timeline(*DECLINE_RUN), info())
    parking = analyze(timeline(*DECLINE_RUN), info(profile="parking_payment"))
    assert "R25" not in {f.rule_id for f in without.findings}
    (r25,) = [f for f in parking.findings if f.rule_id == "R25"]
    assert r25.category == "CONTACTS" and parking.profile == "parking_payment"


def test_jurisdictions_change_wording_and_rules() -> None:
    tl = timeline(*DECLINE_RUN)
    cn = analyze(tl, info(), jurisdiction="cn")
    eu = analyze(tl, info(), jurisdiction="eu")
    cn10 = next(f for f in cn.findings if f.rule_id == "R10")
    eu10 = next(f for f in eu.findings if f.rule_id == "R10")
    assert cn10.title == "用户拒绝后仍收集个人信息" and eu10.title == "Collection continues after refusal"
    assert {c.jurisdiction for c in cn10.citations} == {"cn"}
    assert {c.jurisdiction for c in eu10.citations} <= {"eu", "play"}
    assert "R32" in {r["rule_id"] for r in cn.rules_checked} and "R32" not in {r["rule_id"] for r in eu.rules_checked}


def test_findings_are_citable_and_tabulated() -> None:
    result = analyze(timeline(*DECLINE_RUN), info())
    for f in result.findings:
        assert f.citations and f.problem_types and f.detector
        assert all(th.provenance in PROVENANCES and th.source for th in f.thresholds)
    r09 = next(f for f in result.findings if f.rule_id == "R09")
    assert r09.evidence == (2,) and r09.sdk == "com.umeng.analytics" and r09.severity == "high" and r09.t == 1.5
    frame = result.frame()
    assert tuple(frame.columns) == FINDING_COLUMNS
    assert len(frame) == len(result.findings)
    assert set(frame["run_id"]) == {"r1"}
    d = result.to_dict()
    assert d["jurisdiction"] == "cn" and d["errors"] == [] and len(d["findings"]) == len(result.findings)
    assert all({"rule_id", "title", "detector"} <= set(r) for r in d["rules_checked"])


def test_findings_are_sorted_and_deterministic() -> None:
    a = analyze(timeline(*DECLINE_RUN), info())
    b = analyze(timeline(*DECLINE_RUN), info())
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]
    keys = [(f.rule_id, f.t) for f in a.findings]
    assert keys == sorted(keys)


def test_hostile_input_is_tolerated() -> None:
    tl = timeline(
        UiAction(t=0.0, action="launch"),
        UiSnapshot(t=1.0, screen_kind="privacy_dialog", package="com.x", reading="{" * 50_000),
        UiSnapshot(t=1.5, screen_kind="privacy_dialog", package="com.x", reading='{"controls": 7}'),
        ApiCall(t=float("nan"), category="DEVICE_ID"),
        ApiCall(t=2.0, category="APP_START", args="; rm -rf / #", sdk="x"),
        PermissionRequest(t=3.0, groups=("NOT_A_GROUP", ""), permissions=("android.permission.WHATEVER",)),
        ConsentDecision(t=4.0, subject="permission:", choice="decline"),
    )
    result = analyze(tl, info())
    assert result.errors == []
    assert any("unusable time" in n for n in result.notes)
    assert not [f for f in result.findings if "NOT_A_GROUP" in f.category or "rm -rf" in f.message]


def test_empty_timeline_has_no_findings() -> None:
    result = analyze(Timeline(), info())
    assert result.findings == [] and result.errors == []
