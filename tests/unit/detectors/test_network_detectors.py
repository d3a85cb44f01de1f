"""R36 effectiveness, R37's untrusted-CA part and the R09/R10 "and sent to" join, on small
recorded runs (request bodies kept beside the timeline, as the network source keeps them)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from harness.detectors import analyze
from harness.events import (
    ApiCall,
    ConsentDecision,
    Event,
    HoneyPlant,
    NetworkCapture,
    NetworkFlow,
    RunMarker,
    TlsFailure,
    UiSnapshot,
)
from harness.findings import Finding
from harness.rundir import RunInfo
from harness.timeline import Timeline

PKG = "com.example.feed"
ADID = "7c2d9e41-0b6a-4d35-a8f2-e51c3b96d07a"
ZERO = "00000000-0000-0000-0000-000000000000"
PANGLE = "api-access.pangolin-sdk-toutiao.com"


class Run:
    def __init__(self, tmp: Path, scenario: str = "S5") -> None:
        self.dir = tmp / "run"
        (self.dir / "network" / "bodies").mkdir(parents=True)
        self.events: list[Event] = [RunMarker(t=0.0, phase="start", scenario=scenario, package=PKG)]
        self.scenario = scenario
        self.n = 0

    def add(self, ev: Event) -> int:
        self.events.append(ev)
        return len(self.events) - 1

    def accept(self, t: float = 3.0) -> None:
        self.add(UiSnapshot(t=t - 2, package=PKG, screen_kind="privacy_dialog", screen_id="p", hierarchy_hash=f"h{t}"))
        self.add(ConsentDecision(t=t, subject="privacy_policy", choice="accept", how="tap:同意"))

    def off(self, t: float) -> int:
        return self.add(ConsentDecision(t=t, subject="personalisation", choice="decline", how="switch:个性化推荐"))

    def plant(self, t: float, value: str = ADID, category: str = "AD_ID") -> int:
        return self.add(HoneyPlant(t=t, source="sim", name=category.lower(), category=category, value=value, api_id="AdvertisingIdClient$Info.getId"))

    def flow(self, t: float, host: str, path: str = "/", body: dict | None = None, gz: bool = False, tls: bool = True) -> int:  # type: ignore[type-arg]
        headers: tuple[str, ...] = ()
        name = ""
        if body is not None:
            self.n += 1
            raw = json.dumps(body).encode()
            headers = ("content-type: application/json",)
            if gz:
                raw = gzip.compress(raw)
                headers += ("content-encoding: gzip",)
            name = f"f{self.n}.req"
            (self.dir / "network" / "bodies" / name).write_bytes(raw)
        return self.add(NetworkFlow(t=t, source="network", host=host, path=path, scheme="https" if tls else "http", method="POST" if body else "GET", tls=tls, headers=headers, body=name, status=200))

    def judge(self, jurisdiction: str = "cn", end: float = 120.0) -> list[Finding]:
        self.add(RunMarker(t=end, phase="end", status="completed"))
        with Timeline(self.dir / "timeline.jsonl") as tl:
            tl.extend(self.events)
        info = RunInfo(run_id="r", package=PKG, app="feed", scenario=self.scenario, device={}, simulated=True, harness_version="t")
        return analyze(Timeline.read(self.dir / "timeline.jsonl"), info, jurisdiction=jurisdiction, run_dir=self.dir).findings


def _rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule]


# -- R36 effectiveness --------------------------------------------------------------------------


def test_personalised_flag_in_a_json_body_after_the_switch_is_a_violation(tmp_path: Path) -> None:
    r = Run(tmp_path)
    r.accept()
    ad = r.plant(4.0)
    r.flow(5.0, PANGLE, "/get_ads", {"did": ADID, "ext": {"personalized_ad": 1}}, gz=True)  # before the switch: consented
    off = r.off(20.0)
    r.flow(22.0, PANGLE, "/get_ads", {"did": ADID, "personalized_ad": 1})  # within the grace
    f = r.flow(40.0, PANGLE, "/get_ads", {"did": ADID, "ext": {"personalized_ad": True}}, gz=True)
    r.flow(45.0, PANGLE, "/get_ads", {"did": ADID, "personalized_ad": 1})  # the same SDK: one finding
    got = _rule(r.judge(), "R36")
    assert [(x.verdict, x.sdk, x.category) for x in got] == [("violation", "pangle_csj", "AD_ID")]
    assert list(got[0].evidence) == [off, f, ad]
    assert "personalized_ad=true in the body" in got[0].message and "t=20.0 s" in got[0].message
    assert [t.name for t in got[0].thresholds] == ["personalisation_grace_s"]


def test_ad_id_without_a_flag_needs_review_and_npa_or_zeroed_ids_are_clean(tmp_path: Path) -> None:
    r = Run(tmp_path)
    r.accept()
    ad = r.plant(4.0)
    r.plant(30.0, ZERO)  # an opted-out (zeroed) advertising id is planted too: it identifies nothing
    off = r.off(20.0)
    g = r.flow(40.0, "mi.gdt.qq.com", f"/gdt_mview.fcg?aid={ADID}&posid=1")
    r.flow(41.0, "googleads.g.doubleclick.net", f"/mads/gma?rdid={ADID}&npa=1")  # non-personalised, ad id for capping
    r.flow(42.0, PANGLE, "/get_ads", {"did": ZERO, "personalized_ad": 0})
    r.flow(43.0, "ulogs.umeng.com", f"/unify_logs?gaid={ADID}&personalized=1")  # analytics, not an ad SDK
    r.flow(44.0, "api.example.com", f"/v1/feed?aid={ADID}&personalized=1")  # the app's own API
    got = _rule(r.judge(), "R36")
    assert [(x.verdict, x.sdk, list(x.evidence)) for x in got] == [("needs-review", "tencent_gdt", [off, g, ad])]


def test_contradictory_flags_need_review(tmp_path: Path) -> None:
    r = Run(tmp_path)
    r.accept()
    r.off(10.0)
    r.flow(30.0, "googleads.g.doubleclick.net", "/mads/gma?npa=1&personalized=1")
    got = _rule(r.judge(), "R36")
    assert [(x.verdict, x.category) for x in got] == [("needs-review", "")]
    assert "contradictory" in got[0].message


def test_switch_turned_back_on_ends_the_window_and_no_switch_means_no_judgement(tmp_path: Path) -> None:
    r = Run(tmp_path)
    r.accept()
    r.plant(4.0)
    r.off(10.0)
    r.add(ConsentDecision(t=20.0, subject="personalisation", choice="accept", how="switch:个性化推荐"))
    r.flow(40.0, PANGLE, f"/get_ads?did={ADID}&personalized_ad=1")
    assert _rule(r.judge(), "R36") == []
    r2 = Run(tmp_path / "b")
    r2.accept()
    r2.plant(4.0)
    r2.flow(40.0, PANGLE, f"/get_ads?did={ADID}&personalized_ad=1")
    assert _rule(r2.judge(), "R36") == []


def test_without_captured_traffic_continuing_reads_need_review(tmp_path: Path) -> None:
    r = Run(tmp_path)
    r.accept()
    off = r.off(10.0)
    r.add(ApiCall(t=8.0, source="sim", category="AD_ID", api_id="AdvertisingIdClient$Info.getId", sdk="pangle_csj", ret=ADID))
    r1 = r.add(ApiCall(t=30.0, source="sim", category="AD_ID", api_id="AdvertisingIdClient$Info.getId", sdk="pangle_csj", ret=ADID))
    r.add(ApiCall(t=31.0, source="sim", category="AD_ID", api_id="AdvertisingIdClient$Info.getId", sdk="tencent_gdt", ret=ZERO))
    got = _rule(r.judge(), "R36")
    assert [(x.verdict, x.sdk, list(x.evidence)) for x in got] == [("needs-review", "pangle_csj", [off, r1])]
    assert "No traffic was captured" in got[0].message


# -- R37: the untrusted-CA run ------------------------------------------------------------------


def test_untrusted_ca_scope_decides_the_verdict_and_refusals_are_not_findings(tmp_path: Path) -> None:
    for scope, verdict in (("app", "violation"), ("device", "needs-review")):
        r = Run(tmp_path / scope, scenario="S3")
        cap = r.add(NetworkCapture(t=0.0, source="network", ca="untrusted", ca_sha256="ab" * 32, scope=scope))
        r.accept()
        r.add(TlsFailure(t=4.0, source="network", host="api.example.com", sni="api.example.com"))
        f = r.flow(5.0, "cdn.example.net", "/x")
        r.flow(6.0, "cdn.example.net", "/y")  # one finding per host
        r.flow(7.0, "stat.example.org", "/z", tls=False)  # plain http: not a TLS acceptance
        got = _rule(r.judge(), "R37")
        assert [(x.verdict, x.severity, list(x.evidence), x.category) for x in got] == [(verdict, "high", [cap, f], "")]
        assert "accepts any certificate" in got[0].message


def test_a_trusted_capture_is_not_an_untrusted_ca_run(tmp_path: Path) -> None:
    r = Run(tmp_path, scenario="S3")
    r.add(NetworkCapture(t=0.0, source="network", ca="trusted", scope="app"))
    r.accept()
    r.flow(5.0, "cdn.example.net", "/x")
    assert _rule(r.judge(), "R37") == []


# -- R09 / R10: "and sent to" ------------------------------------------------------------------


def test_r09_and_r10_name_the_flow_that_carried_the_value_read_in_both_jurisdictions(tmp_path: Path) -> None:
    imei = "861234567890123"
    for jur in ("cn", "eu"):
        r = Run(tmp_path / jur, scenario="S2")
        call = r.add(ApiCall(t=0.3, source="frida", category="DEVICE_ID", api_id="TelephonyManager.getImei", sdk="umeng", ret=imei))
        f = r.flow(0.5, "ulogs.umeng.com", "/u", {"di": hashlib.md5(imei.encode()).hexdigest()}, gz=True)
        r.add(UiSnapshot(t=1.0, package=PKG, screen_kind="privacy_dialog", screen_id="p", hierarchy_hash="h1"))
        r.add(ConsentDecision(t=3.0, subject="privacy_policy", choice="decline", how="tap:不同意"))
        call2 = r.add(ApiCall(t=6.0, source="frida", category="DEVICE_ID", api_id="TelephonyManager.getImei", sdk="umeng", ret=imei))
        f2 = r.flow(6.4, "api.jpush.cn", "/r", {"d": imei})
        r.flow(7.0, "api.example.com", "/own", {"d": "nothing personal"})
        got = r.judge(jur)
        r09 = _rule(got, "R09")
        r10 = _rule(got, "R10")
        # the value read before consent left twice: to the analytics host, and later to the push host
        assert [list(x.evidence) for x in r09] == [[call, f, f2]], jur
        assert "sent to ulogs.umeng.com (third party, SDK umeng) 0.2 s later (md5-lower inside gzip, in the body); api.jpush.cn" in r09[0].message
        assert [list(x.evidence) for x in r10] == [[call2, f2]], jur
        assert "api.jpush.cn" in r10[0].message and "ulogs.umeng.com" not in r10[0].message


def test_no_sent_clause_when_the_value_did_not_leave(tmp_path: Path) -> None:
    r = Run(tmp_path, scenario="S1")
    call = r.add(ApiCall(t=0.3, source="frida", category="DEVICE_ID", api_id="TelephonyManager.getImei", sdk="umeng", ret="861234567890123"))
    r.flow(0.5, "ulogs.umeng.com", "/u", {"di": "a salted digest"})
    got = _rule(r.judge(), "R09")
    assert [list(x.evidence) for x in got] == [[call]] and "sent to" not in got[0].message


def test_device_wide_capture_but_a_flow_joined_to_the_apps_connect_is_a_violation(tmp_path: Path) -> None:
    from harness.events import NetworkConnect

    r = Run(tmp_path, scenario="S3")
    cap = r.add(NetworkCapture(t=0.0, source="network", ca="untrusted", scope="device"))
    r.accept()
    conn = r.add(NetworkConnect(t=4.9, source="frida", token="tok-1", host="cdn.example.net", port=443, sdk="app"))
    f = r.add(NetworkFlow(t=5.0, source="network", host="cdn.example.net", path="/x", scheme="https", method="GET", tls=True, status=200, conn="tok-1"))
    r.flow(6.0, "other.example.org", "/y")  # not joined: another app's request could be this one
    got = sorted(_rule(r.judge(), "R37"), key=lambda x: x.t)
    assert [(x.verdict, list(x.evidence)) for x in got] == [("violation", [cap, f, conn]), ("needs-review", [cap, got[1].evidence[1]])]
    assert "correlation token" in got[0].message


# -- R34 after acceptance: a recipient the user was not told of ----------------------------------


def _allow_location(r: Run, t: float, at: float = 31.0, value: str = "31.230416,121.473701") -> int:
    r.add(ConsentDecision(t=t, subject="permission:LOCATION", choice="accept", how="tap:允许"))
    return r.add(HoneyPlant(t=at, source="web", name="location", category="LOCATION", value=value, api_id="Web.geolocation.getCurrentPosition"))


def test_position_handed_over_then_sent_to_an_unnamed_third_party_needs_review(tmp_path: Path) -> None:
    r = Run(tmp_path, "W4")
    r.accept()
    plant = _allow_location(r, 30.0)
    f = r.flow(32.0, "sdk.adunion.test", "/collect", {"lat": 31.230416, "lng": 121.473701}, tls=False)
    r.flow(33.0, "api.example.com", "/nearest", {"lat": 31.230416, "lng": 121.473701})  # the app's own API
    got = _rule(r.judge(), "R34")
    assert [(x.verdict, x.category) for x in got] == [("needs-review", "LOCATION")]
    assert f in got[0].evidence and plant in got[0].evidence
    assert "after the user accepted" in got[0].message and "'adunion'" in got[0].message


def test_a_recipient_the_accepted_prompt_names_is_not_judged(tmp_path: Path) -> None:
    r = Run(tmp_path, "W4")
    r.add(UiSnapshot(t=1.0, package=PKG, screen_kind="privacy_dialog", screen_id="p", hierarchy_hash="h", texts=("隐私政策", "我们与 AdUnion 广告联盟共享您的位置，用于附近优惠。")))
    r.add(ConsentDecision(t=3.0, subject="privacy_policy", choice="accept", how="tap:同意"))
    _allow_location(r, 30.0)
    r.flow(32.0, "sdk.adunion.test", "/collect", {"lat": 31.230416, "lng": 121.473701})
    assert not _rule(r.judge(), "R34")


def test_without_the_policy_an_identifier_sdks_read_themselves_is_not_judged_after_accept(tmp_path: Path) -> None:
    """An advertising ID sent to an ad SDK after acceptance: the policy's SDK list (not read)
    may name it, and no permission handed it over: no R34 (R35/R36 judge advertising IDs)."""
    r = Run(tmp_path, "W4")
    r.accept()
    r.plant(4.0)
    r.flow(40.0, "mi.gdt.qq.com", f"/gdt_mview.fcg?aid={ADID}&posid=1")
    assert not _rule(r.judge(), "R34")


def test_a_host_named_after_the_app_is_its_own_server() -> None:
    from harness.detectors.recipients import named_after_the_app

    assert named_after_the_app("cipherdeals.example", "com.example.cipherdeals")
    assert not named_after_the_app("geoads.test", "test.example.parking_wx_gcj")
    assert not named_after_the_app("example.com", "com.example.feed")  # generic words never count
