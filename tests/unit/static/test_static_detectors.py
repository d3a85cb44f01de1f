"""Static detectors (harness/detectors/static.py): R39 and the manifest parts of R25, R30 and
R32, judged from the facts in run.json, chained with the runtime detectors of the same rule."""

from __future__ import annotations

from typing import Any

from harness.detectors import analyze, registry
from harness.events import Event, PermissionRequest, RunMarker
from harness.findings import Finding
from harness.rundir import RunInfo
from harness.static import ExposedComponent, ManifestFacts, WakeupReceiver
from harness.static_check import static_findings
from harness.timeline import Timeline

PKG = "com.example.lamp"
CONTACTS = "android.permission.READ_CONTACTS"
SMS = "android.permission.READ_SMS"
QAP = "android.permission.QUERY_ALL_PACKAGES"


def facts(**kw: Any) -> ManifestFacts:
    base: dict[str, Any] = {"package": PKG, "source": "apk", "target_sdk": 33, "allow_backup": False}
    return ManifestFacts(**(base | kw))


def judge(f: ManifestFacts | None, *, profile: str = "parking_payment", events: list[Event] | None = None, jurisdiction: str = "cn") -> list[Finding]:
    tl = Timeline()
    tl.append(RunMarker(seq=0, t=0.0, phase="start"))
    tl.extend(events or [])
    extra = {"manifest": f.to_dict()} if f is not None else {}
    info = RunInfo("r", PKG, PKG, "S1", {}, True, "t", profile=profile, extra=extra)
    return list(analyze(tl, info, jurisdiction=jurisdiction).findings)


def static_of(found: list[Finding]) -> list[tuple[str, str, str, str]]:
    names = {"static_leak_risk", "unrelated_permission_manifest", "app_list_manifest", "wakeup_receiver_manifest"}
    return sorted((f.rule_id, f.verdict, f.category, f.sdk) for f in found if f.detector in names)


def test_clean_facts_give_no_static_finding() -> None:
    f = facts(permissions=("android.permission.INTERNET", "android.permission.CAMERA"), dangerous={"android.permission.CAMERA": "CAMERA"})
    assert static_of(judge(f)) == []


def test_a_run_without_facts_gets_no_static_finding() -> None:
    assert static_of(judge(None)) == []


def test_r39_one_info_per_indicator_with_citations() -> None:
    f = facts(
        debuggable=True,
        cleartext="allowed",
        allow_backup=True,
        exported_unprotected=(ExposedComponent("provider", f"{PKG}.Open"), ExposedComponent("activity", f"{PKG}.Deep")),
    )
    found = [x for x in judge(f) if x.rule_id == "R39"]
    assert [x.verdict for x in found] == ["info"] * 4 and all(x.severity == "info" for x in found)
    text = " | ".join(x.message for x in found)
    assert "debuggable" in text and "Cleartext" in text and "allowBackup" in text and f"{PKG}.Open" in text
    assert f"{PKG}.Deep" not in text  # exported activities are not a leak-risk indicator
    assert any("51" in c.article for x in found for c in x.citations)


def test_r39_backup_with_rules_and_cleartext_via_config_are_quiet() -> None:
    assert static_of(judge(facts(allow_backup=True, backup_rules=True, cleartext="config"))) == []


def test_r25_declared_outside_profile_is_info_and_runtime_requests_are_not_doubled() -> None:
    f = facts(permissions=(CONTACTS, SMS, "android.permission.CAMERA"), dangerous={CONTACTS: "CONTACTS", SMS: "SMS", "android.permission.CAMERA": "CAMERA"})
    assert static_of(judge(f)) == [("R25", "info", "CONTACTS", ""), ("R25", "info", "SMS", "")]
    req = PermissionRequest(seq=1, t=1.0, permissions=(CONTACTS,), groups=("CONTACTS",), via="dialog")
    found = judge(f, events=[req])
    r25 = sorted((x.verdict, x.category, x.detector) for x in found if x.rule_id == "R25")
    # contacts was requested: the runtime detector judges it; the manifest part keeps to SMS
    assert r25 == [("info", "SMS", "unrelated_permission_manifest"), ("violation", "CONTACTS", "unrelated_permission")]


def test_r25_needs_a_profile() -> None:
    f = facts(permissions=(CONTACTS,), dangerous={CONTACTS: "CONTACTS"})
    assert static_of(judge(f, profile="")) == []


def test_r30_query_all_packages_is_a_finding_except_for_app_list_types() -> None:
    f = facts(permissions=(QAP,), special=(QAP,))
    (hit,) = [x for x in judge(f) if x.rule_id == "R30"]
    assert (hit.verdict, hit.category, hit.severity) == ("violation", "APP_LIST", "medium")
    assert "QUERY_ALL_PACKAGES" in hit.message and hit.evidence == ()
    assert static_of(judge(f, profile="")) == [("R30", "violation", "APP_LIST", "")]
    from harness.catalog.profiles import load_profiles

    app_list_types = [p.id for p in load_profiles().profiles.values() if p.app_list]
    assert app_list_types, "the profile catalogue should name app types that need the app list"
    assert static_of(judge(f, profile=app_list_types[0])) == []


def test_r32_wakeup_receivers_are_info_per_receiver() -> None:
    f = facts(
        wakeup_receivers=(
            WakeupReceiver("com.igexin.push.core.receiver.PushReceiver", ("android.intent.action.BOOT_COMPLETED", "android.net.conn.CONNECTIVITY_CHANGE"), "getui"),
            WakeupReceiver(f"{PKG}.Boot", ("android.intent.action.BOOT_COMPLETED",)),
        )
    )
    found = [x for x in judge(f) if x.rule_id == "R32"]
    assert sorted((x.verdict, x.sdk) for x in found) == [("info", ""), ("info", "getui")]
    assert any("boot, connectivity" in x.message for x in found)


def test_eu_wording_still_judges() -> None:
    f = facts(debuggable=True)
    (hit,) = [x for x in judge(f, jurisdiction="eu") if x.rule_id == "R39"]
    assert hit.title == "Static leak-risk configuration"


def test_hostile_facts_become_a_detector_error_not_a_crash() -> None:
    tl = Timeline()
    info = RunInfo("r", PKG, PKG, "S1", {}, True, "t", profile="parking_payment", extra={"manifest": {"debuggable": "yes"}})
    out = analyze(tl, info)
    assert {e["rule_id"] for e in out.errors} >= {"R39"}
    assert all("must be true or false" in e["message"] for e in out.errors)


def test_registry_chains_runtime_and_manifest_parts() -> None:
    reg = registry()
    assert reg["R25"].name == "unrelated_permission" and reg["R39"].name == "static_leak_risk"
    assert reg["R30"].name == "app_list_enumeration" and reg["R32"].name == "self_or_associated_start"


def test_static_findings_without_a_run() -> None:
    f = facts(permissions=(QAP,), debuggable=True)
    assert sorted((x.rule_id, x.verdict) for x in static_findings(f, profile="micro_loan")) == [("R30", "violation"), ("R39", "info")]


def test_a_second_part_under_a_taken_name_is_refused() -> None:
    import pytest

    from harness.detectors.registry import detector_part

    def other(ctx: Any) -> list[Finding]:
        return []

    with pytest.raises(ValueError, match="already has a detector part 'unrelated_permission_manifest'"):
        detector_part("R25", "unrelated_permission_manifest")(other)
    assert registry()["R25"].name == "unrelated_permission"
